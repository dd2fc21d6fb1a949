//! segfit through everything a user runs: the generic fuzz harness on seeded inputs (and two
//! broken variants it must catch), the replay engine, and the report with segfit beside the
//! peers.

#![allow(unsafe_code)]

use std::alloc::Layout;
use std::panic::catch_unwind;
use std::ptr::NonNull;

use arbitrary::{Arbitrary, Unstructured};
use bring_your_own::SegFit;
use mempool_fuzz::peers::{run, PeerInput};
use workloads::adapters::RegionAllocator;
use workloads::generate::Generator;
use workloads::suite::{AllocatorEntry, Item, Source, Suite};

/// `n` inputs decoded from seeded pseudo-random bytes.
fn inputs(n: usize) -> Vec<PeerInput> {
    let mut x: u64 = 0x5eed;
    (0..n)
        .filter_map(|_| {
            let bytes: Vec<u8> = (0..600)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    x as u8
                })
                .collect();
            PeerInput::arbitrary_take_rest(Unstructured::new(&bytes)).ok()
        })
        .collect()
}

#[test]
fn the_harness_passes_segfit() {
    for input in inputs(1_000) {
        run::<SegFit>(&input);
    }
}

/// segfit, but a freed block goes on its list twice: two later requests get the same block.
struct TwiceFreed(SegFit);

// SAFETY: only for this test; it breaks the contract on purpose and the harness must say so.
unsafe impl RegionAllocator for TwiceFreed {
    const NAME: &'static str = "twice-freed";
    const MIN_REGION: usize = SegFit::MIN_REGION;
    unsafe fn new(base: NonNull<u8>, len: usize) -> Option<Self> {
        unsafe { SegFit::new(base, len) }.map(Self)
    }
    fn allocate(&mut self, layout: Layout) -> Option<NonNull<u8>> {
        self.0.allocate(layout)
    }
    unsafe fn deallocate(&mut self, ptr: NonNull<u8>, layout: Layout) {
        unsafe {
            self.0.deallocate(ptr, layout);
            // The list now starts with this block; pushing it again links it to itself.
            self.0.deallocate(ptr, layout);
        }
    }
}

/// segfit, but every block starts 8 bytes late (and so runs 8 bytes past its block).
struct Shifted(SegFit);

// SAFETY: as above.
unsafe impl RegionAllocator for Shifted {
    const NAME: &'static str = "shifted";
    const MIN_REGION: usize = SegFit::MIN_REGION;
    unsafe fn new(base: NonNull<u8>, len: usize) -> Option<Self> {
        unsafe { SegFit::new(base, len) }.map(Self)
    }
    fn allocate(&mut self, layout: Layout) -> Option<NonNull<u8>> {
        let p = self.0.allocate(layout)?;
        NonNull::new(p.as_ptr().wrapping_add(8))
    }
    unsafe fn deallocate(&mut self, ptr: NonNull<u8>, layout: Layout) {
        unsafe {
            self.0
                .deallocate(NonNull::new_unchecked(ptr.as_ptr().sub(8)), layout)
        }
    }
}

fn caught<T: RegionAllocator>() -> Option<String> {
    inputs(1_000).into_iter().find_map(|input| {
        catch_unwind(|| run::<T>(&input)).err().map(|e| {
            e.downcast_ref::<String>()
                .cloned()
                .unwrap_or_else(|| "a panic".into())
        })
    })
}

#[test]
fn the_harness_catches_broken_variants() {
    let twice = caught::<TwiceFreed>().expect("a doubly freed block is caught");
    assert!(twice.contains("twice-freed"), "{twice}");
    let shifted = caught::<Shifted>().expect("a shifted block is caught");
    assert!(
        shifted.contains("not aligned")
            || shifted.contains("overlapping")
            || shifted.contains("overwritten"),
        "{shifted}"
    );
}

fn tiny_suite() -> Suite {
    let items = [
        Generator::Fifo {
            ops: 1_500,
            queue_len: 40,
            min: 8,
            max: 300,
        },
        Generator::Uniform {
            ops: 1_200,
            min: 1,
            max: 2000,
            alloc_prob: 0.6,
            realloc_prob: 0.1,
        },
    ]
    .into_iter()
    .map(|g| {
        let mut w = g.generate(3).unwrap();
        w.name = format!("synthetic/{}", w.name);
        Item::new(w, Source::Synthetic)
    })
    .collect();
    Suite {
        items,
        ..Suite::default()
    }
}

#[test]
fn the_report_runs_segfit_beside_the_peers() {
    let dir = tempfile::tempdir().unwrap();
    let results = reports::report::Report::new(tiny_suite())
        .quick(true)
        .allocator(bring_your_own::entry())
        .without_tuning()
        .out(dir.path())
        .name("byo")
        .run()
        .unwrap();
    let a = results
        .allocators
        .iter()
        .position(|a| a == "segfit")
        .unwrap();
    assert_eq!(
        results.allocators.last().map(String::as_str),
        Some("baseline")
    );
    let runs: Vec<_> = results
        .runs
        .iter()
        .filter(|r| r.allocator == "segfit")
        .collect();
    assert_eq!(runs.len(), 2);
    assert!(runs
        .iter()
        .all(|r| r.failures == 0 && r.metrics.frag4.is_some()));
    assert!(runs
        .iter()
        .all(|r| r.round_ns.len() == 5 && r.latency.is_some()));
    assert!(results.aggregates[a].throughput.is_some());
    assert!(results.ranking.throughput.iter().any(|n| n == "segfit"));
    assert!(results.tuning.is_none());
    let html = std::fs::read_to_string(dir.path().join("index.html")).unwrap();
    assert!(html.contains("segfit"));
}

/// segfit under a built-in allocator's name.
struct Impostor(SegFit);

// SAFETY: delegates to segfit.
unsafe impl RegionAllocator for Impostor {
    const NAME: &'static str = "talc";
    const MIN_REGION: usize = SegFit::MIN_REGION;
    unsafe fn new(base: NonNull<u8>, len: usize) -> Option<Self> {
        unsafe { SegFit::new(base, len) }.map(Self)
    }
    fn allocate(&mut self, layout: Layout) -> Option<NonNull<u8>> {
        self.0.allocate(layout)
    }
    unsafe fn deallocate(&mut self, ptr: NonNull<u8>, layout: Layout) {
        unsafe { self.0.deallocate(ptr, layout) }
    }
}

#[test]
fn names_are_checked() {
    let twice = reports::report::Report::new(tiny_suite())
        .allocator(bring_your_own::entry())
        .allocator(bring_your_own::entry())
        .run()
        .unwrap_err()
        .to_string();
    assert!(
        twice.contains("\"segfit\"") && twice.contains("two allocators"),
        "{twice}"
    );
    let clash = reports::report::Report::new(tiny_suite())
        .allocator(AllocatorEntry::region::<Impostor>())
        .run()
        .unwrap_err()
        .to_string();
    assert!(
        clash.contains("\"talc\"") && clash.contains("built-in"),
        "{clash}"
    );
}
