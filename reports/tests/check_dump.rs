//! `workbench check` on a dump with three independent corruptions lists all three, in address
//! order, each with its invariant, addresses and rule, then a summary line; exit code 1.

mod common;

use common::{texts, workbench};

fn put(buf: &mut [u8], addr: u32, v: u32) {
    buf[addr as usize..addr as usize + 4].copy_from_slice(&v.to_le_bytes());
}

#[test]
fn check_lists_every_violation_in_address_order() {
    let mut pool = common::small_pool();
    let [a, b, c, d] = [40, 24, 100, 16].map(|n| pool.malloc(n).unwrap() - 8);
    assert!(pool.free(a + 8) && pool.free(c + 8));
    // free list a -> c, used list d -> b; c is 112 bytes.
    let mut buf = pool.into_inner();
    // 1. The used list loops: b, its last block, points back at d.
    put(&mut buf, b + 4, d);
    // 2. The free list starts at c and ends at a: out of address order.
    put(&mut buf, 8, c);
    put(&mut buf, a + 4, 0);
    // 3. c split into two free blocks that touch (compact is on): c -> c2 -> a.
    let c2 = c + 48;
    put(&mut buf, c, 48);
    put(&mut buf, c + 4, c2);
    put(&mut buf, c2, 64);
    put(&mut buf, c2 + 4, a);

    let tmp = tempfile::tempdir().unwrap();
    let dump = tmp.path().join("heap.bin");
    std::fs::write(&dump, &buf).unwrap();
    let run = workbench(&["check", dump.to_str().unwrap(), "--start", "8"]);
    let (stdout, stderr) = texts(&run);
    assert_eq!(run.status.code(), Some(1), "{stdout}{stderr}");
    let fails: Vec<&str> = stdout.lines().filter(|l| l.starts_with("FAIL: ")).collect();
    assert_eq!(
        fails,
        [
            format!("FAIL: invariant 4 (order): free block {a:#x} follows {c2:#x}"),
            format!(
                "FAIL: invariant 8 (coalescing): free blocks {c:#x} and {c2:#x} are adjacent with compact on"
            ),
            format!(
                "FAIL: invariant 3 (termination): the used list has a cycle: still going at block {d:#x} after 2 blocks"
            ),
        ],
        "{stdout}"
    );
    // Each with its rule on the next line, then the summary.
    assert!(
        stdout.contains("      (the free list is kept in increasing address order)"),
        "{stdout}"
    );
    assert!(
        stdout
            .trim_end()
            .ends_with("3 violations of invariants 3, 4, 8: the heap is corrupt"),
        "{stdout}"
    );
    assert!(!stdout.contains("NOT CHECKED"), "{stdout}");
}
