//! `check DUMP [--start N]`: opens a raw pool buffer with [`MemPool::attach`] and runs the
//! heap checker on it ([`MemPool::check_all`]: every violation it can find, in address order,
//! and what it could not examine).

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context;
use mempool::check::Diagnosis;
use mempool::{MemPool, PoolError};

/// What the checker found in a dump.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// The state words could not be attached: the heap cannot even be walked.
    Attach(PoolError),
    /// The heap was attached but breaks invariants: every violation found, in address order,
    /// and what could not be checked.
    Violations(Diagnosis),
    /// Every invariant holds.
    Ok,
}

/// The result of checking one dump: what was found and a printable account of it.
#[derive(Debug, Clone)]
pub struct CheckReport {
    /// The finding.
    pub finding: Finding,
    /// The lines to print: the dump, the pool's state and lists, and the verdict.
    pub text: String,
}

impl CheckReport {
    /// Whether the heap passed every check.
    #[must_use]
    pub fn is_ok(&self) -> bool {
        self.finding == Finding::Ok
    }
}

/// Reads `path` and checks the pool whose state words start at `start`.
///
/// # Errors
/// When the file cannot be read. A corrupt heap is not an error: it is the report's finding.
pub fn check_file(path: &Path, start: u32) -> anyhow::Result<CheckReport> {
    let bytes = std::fs::read(path)
        .with_context(|| format!("cannot read the heap dump {}", path.display()))?;
    Ok(check_bytes(&path.display().to_string(), bytes, start))
}

/// Checks the pool in `bytes` whose state words start at `start`; `name` names the dump in
/// the text.
#[must_use]
pub fn check_bytes(name: &str, bytes: Vec<u8>, start: u32) -> CheckReport {
    let mut text = String::new();
    let len = bytes.len();
    let _ = writeln!(text, "{name}: {len} bytes, state words at {start:#x}");
    let pool = match MemPool::attach(bytes, start) {
        Ok(pool) => pool,
        Err(e) => {
            let _ = writeln!(
                text,
                "FAIL: cannot attach: {e}\n      (invariant 1 (state): the state words are out of range, so the lists cannot be walked)"
            );
            return CheckReport {
                finding: Finding::Attach(e),
                text,
            };
        }
    };
    let on = |b: bool| if b { "on" } else { "off" };
    let _ = writeln!(
        text,
        "state: align {}, compact {}, split {}, minSplit {}, initialTop {:#x}, top {:#x}, end {:#x}",
        pool.align(),
        on(pool.compact()),
        on(pool.split()),
        pool.min_split(),
        pool.initial_top(),
        pool.top(),
        pool.end()
    );
    let stats = pool.stats();
    let _ = writeln!(
        text,
        "lists (as MemPool::stats walks them: up to the first unreadable header; a list that loops, until the walk gives up): free {} blocks / {} bytes, used {} blocks / {} bytes",
        stats.free.count, stats.free.size, stats.used.count, stats.used.size
    );
    let diagnosis = pool.check_all();
    if diagnosis.is_sound() {
        let _ = writeln!(text, "OK: all 8 heap invariants hold");
        return CheckReport {
            finding: Finding::Ok,
            text,
        };
    }
    for v in &diagnosis.violations {
        let _ = writeln!(text, "FAIL: {v}\n      ({})", v.rule());
    }
    for u in &diagnosis.unchecked {
        let _ = writeln!(text, "NOT CHECKED: {u}");
    }
    let n = diagnosis.violations.len();
    let numbers: Vec<String> = diagnosis.invariants().iter().map(u8::to_string).collect();
    let _ = writeln!(
        text,
        "{n} violation{} of invariant{} {}{}: the heap is corrupt",
        if n == 1 { "" } else { "s" },
        if numbers.len() == 1 { "" } else { "s" },
        numbers.join(", "),
        if diagnosis.unchecked.is_empty() {
            String::new()
        } else {
            format!(
                " ({} part{} not checked)",
                diagnosis.unchecked.len(),
                if diagnosis.unchecked.len() == 1 {
                    ""
                } else {
                    "s"
                }
            )
        }
    );
    let finding = Finding::Violations(diagnosis);
    CheckReport { finding, text }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mempool::PoolOptions;

    fn heap() -> Vec<u8> {
        let mut pool = MemPool::with_buffer(vec![0u8; 1024], PoolOptions::default()).unwrap();
        let a = pool.malloc(24).unwrap();
        let _b = pool.malloc(40).unwrap();
        let c = pool.malloc(16).unwrap();
        let _d = pool.malloc(8).unwrap();
        assert!(pool.free(a) && pool.free(c));
        pool.into_inner()
    }

    #[test]
    fn a_sound_heap_passes() {
        let r = check_bytes("dump", heap(), 0);
        assert!(r.is_ok(), "{}", r.text);
        assert!(r.text.contains("free 2 blocks"), "{}", r.text);
    }

    #[test]
    fn an_unordered_free_list_names_invariant_4() {
        let mut bytes = heap();
        // Free list: head -> a -> c. Point the head at c and c's next at a: out of order.
        let word = |b: &[u8], at: usize| u32::from_le_bytes(b[at..at + 4].try_into().unwrap());
        let a = word(&bytes, 0);
        let c = word(&bytes, a as usize + 4);
        bytes[0..4].copy_from_slice(&c.to_le_bytes());
        bytes[c as usize + 4..c as usize + 8].copy_from_slice(&a.to_le_bytes());
        bytes[a as usize + 4..a as usize + 8].copy_from_slice(&0u32.to_le_bytes());
        let r = check_bytes("dump", bytes, 0);
        assert!(
            matches!(r.finding, Finding::Violations(ref d) if d.invariants() == [4]),
            "{}",
            r.text
        );
        assert!(r.text.contains("FAIL: invariant 4 (order)"), "{}", r.text);
    }

    #[test]
    fn a_bad_state_word_is_an_attach_failure() {
        let mut bytes = heap();
        bytes[16..20].copy_from_slice(&12u32.to_le_bytes()); // align = 12
        let r = check_bytes("dump", bytes, 0);
        assert!(matches!(r.finding, Finding::Attach(_)), "{}", r.text);
        assert!(r.text.contains("align"), "{}", r.text);
    }
}
