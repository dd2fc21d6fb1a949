//! Every regression and seed input of every fuzz target, replayed on stable.

#![forbid(unsafe_code)]

use mempool_fuzz::Target;

fn replay(target: Target) {
    let n = fuzz_replay::replay_all(target);
    assert!(n > 0, "no inputs found for the `{}` target", target.name());
    println!("{}: {n} inputs replayed", target.name());
}

#[test]
fn ops() {
    replay(Target::Ops);
}

#[test]
fn model() {
    replay(Target::Model);
}

#[test]
fn attach() {
    replay(Target::Attach);
}

#[test]
fn trace() {
    replay(Target::Trace);
}

#[test]
fn differential() {
    replay(Target::Differential);
}

#[test]
fn peers() {
    replay(Target::Peers);
}

#[test]
fn every_target_is_replayed() {
    // A new target must get a test above.
    assert_eq!(
        Target::ALL.map(Target::name),
        ["ops", "model", "attach", "trace", "differential", "peers"],
        "add a replay test for the new target"
    );
}
