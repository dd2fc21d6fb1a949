//! Synthetic generators: each is deterministic per seed, balanced, and has its shape.

use std::collections::{HashMap, HashSet};

use workloads::generate::{scaling_suite, standard_suite, Generator, SeedShape};
use workloads::{Op, Provenance, Workload};

fn gen(g: &Generator, seed: u64) -> Workload {
    g.generate(seed).unwrap_or_else(|e| panic!("{e}"))
}

/// Ids that are live (allocated, not yet freed), checking the ops are well formed: no
/// double allocation, no free or realloc of a dead id.
fn check_well_formed(w: &Workload) {
    let mut live = HashSet::new();
    let mut seen = HashSet::new();
    for (i, op) in w.ops.iter().enumerate() {
        match *op {
            Op::Alloc { id, size } => {
                assert!(size > 0, "{}: op {i} allocates 0 bytes", w.name);
                assert!(seen.insert(id), "{}: op {i} reuses id {id}", w.name);
                live.insert(id);
            }
            Op::Free { id } => assert!(live.remove(&id), "{}: op {i} frees dead {id}", w.name),
            Op::Realloc { id, .. } => assert!(live.contains(&id), "{}: op {i}", w.name),
        }
    }
    assert!(
        live.is_empty(),
        "{}: {} blocks left live",
        w.name,
        live.len()
    );
}

#[test]
fn every_generator_is_deterministic_per_seed_and_balanced() {
    let small_scaling = Generator::SteadyState {
        live: 100,
        churn: 1_000,
        min: 16,
        max: 256,
    };
    for g in standard_suite().iter().chain([&small_scaling]) {
        let a = gen(g, 42);
        let b = gen(g, 42);
        assert_eq!(a, b, "{}: same seed, same workload", g.name());
        assert_eq!(a.name, g.name());
        assert!(!a.ops.is_empty(), "{}", g.name());
        check_well_formed(&a);
        let c = gen(g, 43);
        if matches!(g, Generator::SeedBench { .. }) {
            // The seed's benchmark has no randomness.
            assert_eq!(a.ops, c.ops);
        } else {
            assert_ne!(a.ops, c.ops, "{}: another seed, another workload", g.name());
        }
        assert_eq!(
            a.provenance,
            Provenance::Generated {
                generator: g.clone(),
                seed: 42
            }
        );
    }
}

#[test]
fn generated_ops_are_pinned_across_versions() {
    // A change of rand, rand_chacha or the generators would change every synthetic result
    // in the report; this fingerprint makes such a change visible.
    let w = gen(
        &Generator::Uniform {
            ops: 6,
            min: 1,
            max: 100,
            alloc_prob: 0.5,
            realloc_prob: 0.2,
        },
        1,
    );
    assert_eq!(
        w.ops,
        vec![
            Op::Alloc { id: 0, size: 41 },
            Op::Realloc { id: 0, size: 39 },
            Op::Free { id: 0 },
            Op::Alloc { id: 1, size: 47 },
            Op::Realloc { id: 1, size: 18 },
            Op::Realloc { id: 1, size: 58 },
            Op::Free { id: 1 },
        ]
    );
}

fn sizes_in(w: &Workload, min: u64, max: u64) {
    for op in &w.ops {
        if let Some(s) = op.size() {
            assert!((min..=max).contains(&s), "{}: size {s}", w.name);
        }
    }
}

#[test]
fn lifo_frees_the_newest_and_fifo_the_oldest() {
    let w = gen(
        &Generator::Lifo {
            ops: 5_000,
            max_depth: 50,
            min: 8,
            max: 64,
        },
        1,
    );
    sizes_in(&w, 8, 64);
    let mut stack = Vec::new();
    for op in &w.ops {
        match *op {
            Op::Alloc { id, .. } => {
                stack.push(id);
                assert!(stack.len() <= 50);
            }
            Op::Free { id } => assert_eq!(stack.pop(), Some(id)),
            Op::Realloc { .. } => panic!("no reallocs"),
        }
    }
    let w = gen(
        &Generator::Fifo {
            ops: 5_000,
            queue_len: 40,
            min: 8,
            max: 64,
        },
        1,
    );
    let mut queue = std::collections::VecDeque::new();
    let ops_before_teardown = 5_000;
    for (i, op) in w.ops.iter().enumerate() {
        match *op {
            Op::Alloc { id, .. } => {
                queue.push_back(id);
                assert!(queue.len() <= 40);
            }
            Op::Free { id } if i < ops_before_teardown => assert_eq!(queue.pop_front(), Some(id)),
            Op::Free { id } => assert!(queue.contains(&id)),
            Op::Realloc { .. } => panic!("no reallocs"),
        }
    }
}

#[test]
fn steady_state_keeps_exactly_n_live() {
    for n in [1usize, 100, 1_000] {
        let w = gen(
            &Generator::SteadyState {
                live: n,
                churn: 500,
                min: 16,
                max: 256,
            },
            9,
        );
        sizes_in(&w, 16, 256);
        let mut live = 0usize;
        let mut max_live = 0;
        for (i, op) in w.ops.iter().enumerate() {
            match op {
                Op::Alloc { .. } => live += 1,
                Op::Free { .. } => live -= 1,
                Op::Realloc { .. } => panic!("no reallocs"),
            }
            max_live = max_live.max(live);
            // After the fill, every churn pair ends with n live.
            if i >= n && (i - n) % 2 == 1 && i < n + 1_000 {
                assert_eq!(live, n);
            }
        }
        assert_eq!(max_live, n);
        assert_eq!(w.ops.len(), n + 2 * 500 + n);
    }
    let scaling = scaling_suite();
    let lives: Vec<usize> = scaling
        .iter()
        .map(|g| match g {
            Generator::SteadyState { live, .. } => *live,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(lives, [100, 1_000, 10_000, 100_000, 1_000_000]);
}

#[test]
fn the_seed_benchmark_shapes_match_the_seed() {
    assert_eq!(SeedShape::F64x4.sizes(), &[32]);
    assert_eq!(SeedShape::SixF64.sizes(), &[64, 128, 8, 256, 16, 32]);
    assert_eq!(SeedShape::F32x1024.sizes(), &[4096]);
    let w = gen(
        &Generator::SeedBench {
            shape: SeedShape::SixF64,
            iterations: 3,
        },
        0,
    );
    assert_eq!(w.name, "seed-6xf64");
    assert_eq!(w.ops.len(), 36);
    assert_eq!(w.ops[5], Op::Alloc { id: 5, size: 32 });
    // freeAll: everything freed, newest first, before the next iteration.
    assert_eq!(w.ops[6], Op::Free { id: 5 });
    assert_eq!(w.ops[11], Op::Free { id: 0 });
    assert_eq!(w.ops[12], Op::Alloc { id: 6, size: 64 });
}

#[test]
fn wilson_profiles_have_their_shapes() {
    // Ramp: live memory mostly grows.
    let w = gen(
        &Generator::Ramp {
            allocs: 4_000,
            min: 8,
            max: 64,
            temp_fraction: 0.5,
            temp_lifetime: 8,
        },
        3,
    );
    let s = w.stats();
    assert_eq!(s.allocs, 4_000);
    assert!(
        s.peak_live_blocks > 1_800 && s.peak_live_blocks < 2_200,
        "{s:?}"
    );
    // Peaks: the live count rises and falls once per phase, with survivors accumulating.
    let w = gen(
        &Generator::Peaks {
            peaks: 5,
            per_peak: 100,
            survivors: 0.1,
            min: 8,
            max: 64,
        },
        3,
    );
    let mut live = 0i64;
    let mut troughs = Vec::new();
    let mut falling = false;
    for op in &w.ops {
        match op {
            Op::Alloc { .. } => {
                if falling {
                    troughs.push(live);
                    falling = false;
                }
                live += 1;
            }
            Op::Free { .. } => {
                falling = true;
                live -= 1;
            }
            Op::Realloc { .. } => {}
        }
    }
    assert_eq!(troughs, vec![10, 20, 30, 40]);
    assert_eq!(w.stats().peak_live_blocks, 140);
    // Plateau: after the ramp the live count stays within 10 % of the target.
    let w = gen(
        &Generator::Plateau {
            live: 500,
            ops: 20_000,
            min: 8,
            max: 64,
        },
        3,
    );
    let mut live = 0usize;
    let mut reached = false;
    for op in &w.ops[..20_000] {
        match op {
            Op::Alloc { .. } => live += 1,
            _ => live -= 1,
        }
        reached |= live >= 500;
        if reached {
            assert!((450..=550).contains(&live), "{live}");
        }
    }
    assert!(reached);
}

#[test]
fn realloc_growth_doubles_each_vector_to_its_maximum() {
    let w = gen(
        &Generator::ReallocGrowth {
            vectors: 8,
            initial: 16,
            max: 1024,
            noise_prob: 0.3,
            noise_max: 32,
        },
        5,
    );
    let mut size: HashMap<u32, u64> = HashMap::new();
    let mut grown = 0;
    for op in &w.ops {
        match *op {
            Op::Alloc { id, size: s } => {
                size.insert(id, s);
            }
            Op::Realloc { id, size: s } => {
                let old = size.insert(id, s).unwrap();
                assert_eq!(s, (old * 2).min(1024));
                grown += 1;
            }
            Op::Free { .. } => {}
        }
    }
    // 16 -> 32 -> ... -> 1024: six doublings per vector.
    assert_eq!(grown, 8 * 6);
}

#[test]
fn frame_churn_frees_each_frame_before_the_next() {
    let w = gen(
        &Generator::FrameChurn {
            frames: 4,
            per_frame: 50,
            min: 8,
            max: 64,
        },
        2,
    );
    assert_eq!(w.ops.len(), 400);
    for frame in w.ops.chunks(100) {
        assert!(frame[..50].iter().all(|op| matches!(op, Op::Alloc { .. })));
        assert!(frame[50..].iter().all(|op| matches!(op, Op::Free { .. })));
    }
    assert_eq!(w.stats().peak_live_blocks, 50);
}

#[test]
fn power_law_sizes_are_heavy_tailed_and_bounded() {
    let w = gen(
        &Generator::PowerLaw {
            ops: 20_000,
            min: 8,
            max: 1 << 16,
            alpha: 1.2,
            alloc_prob: 0.6,
        },
        11,
    );
    sizes_in(&w, 8, 1 << 16);
    let sizes: Vec<u64> = w.ops.iter().filter_map(Op::size).collect();
    let small = sizes.iter().filter(|&&s| s < 32).count();
    let big = sizes.iter().filter(|&&s| s >= 1024).count();
    assert!(small > sizes.len() / 2, "{small} of {}", sizes.len());
    assert!(big > 0 && big < sizes.len() / 20, "{big}");
}

#[test]
fn bad_parameters_are_errors_not_panics() {
    let cases = [
        (
            Generator::Uniform {
                ops: 10,
                min: 0,
                max: 8,
                alloc_prob: 0.5,
                realloc_prob: 0.0,
            },
            "min",
        ),
        (
            Generator::Fifo {
                ops: 10,
                queue_len: 4,
                min: 9,
                max: 8,
            },
            "max",
        ),
        (
            Generator::Uniform {
                ops: 10,
                min: 1,
                max: 8,
                alloc_prob: 1.5,
                realloc_prob: 0.0,
            },
            "alloc_prob",
        ),
        (
            Generator::PowerLaw {
                ops: 10,
                min: 1,
                max: 8,
                alpha: 0.0,
                alloc_prob: 0.5,
            },
            "alpha",
        ),
        (
            Generator::Peaks {
                peaks: 10,
                per_peak: 10,
                survivors: f64::NAN,
                min: 1,
                max: 8,
            },
            "survivors",
        ),
        (
            Generator::SteadyState {
                live: usize::MAX,
                churn: 1,
                min: 1,
                max: 8,
            },
            "live",
        ),
        (
            Generator::ReallocGrowth {
                vectors: 1,
                initial: 8,
                max: 64,
                noise_prob: 0.5,
                noise_max: 0,
            },
            "noise_max",
        ),
    ];
    for (g, parameter) in cases {
        let e = g.generate(1).unwrap_err();
        assert_eq!(e.parameter, parameter, "{e}");
        assert!(e.to_string().contains(&g.name()), "{e}");
    }
}

#[test]
fn generators_serialize_with_their_parameters() {
    for g in standard_suite() {
        let json = serde_json::to_string(&g).unwrap();
        let back: Generator = serde_json::from_str(&json).unwrap();
        assert_eq!(back, g, "{json}");
    }
    let json = serde_json::to_string(&Generator::SeedBench {
        shape: SeedShape::F32x1024,
        iterations: 2,
    })
    .unwrap();
    assert_eq!(
        json,
        r#"{"generator":"seed_bench","shape":"f32x1024","iterations":2}"#
    );
}
