//! Where the shared traces folder is found, on the real process state: the environment
//! variable first, else `shared/traces` beside the working directory's repository, before the
//! build-time fallback. One test, in its own binary, because it changes the working directory
//! and the environment of the process.

use std::fs;
use std::path::Path;

use workloads::suite::{self, shared_traces_dir, SuiteSpec, SHARED_LABEL, SHARED_TRACES_ENV};

fn canonical(p: &Path) -> std::path::PathBuf {
    fs::canonicalize(p).unwrap()
}

#[test]
fn the_environment_then_the_working_directory_decide() {
    let tmp = tempfile::tempdir().unwrap();
    let root = canonical(tmp.path());
    let repo = root.join("checkout");
    fs::create_dir_all(repo.join(".git")).unwrap();
    fs::create_dir_all(repo.join("reports")).unwrap();
    let beside = root.join("shared").join("traces");
    fs::create_dir_all(beside.join("lab")).unwrap();
    fs::write(
        beside.join("lab").join("tiny.rep"),
        "0\n1\n2\n1\na 0 8\nf 0\n",
    )
    .unwrap();
    let elsewhere = root.join("elsewhere");
    fs::create_dir_all(&elsewhere).unwrap();
    fs::write(elsewhere.join("other.rep"), "0\n1\n2\n1\na 0 16\nf 0\n").unwrap();

    std::env::remove_var(SHARED_TRACES_ENV);
    std::env::set_current_dir(repo.join("reports")).unwrap();
    // Found from the working directory, before the fallback beside this crate's checkout.
    assert_eq!(
        shared_traces_dir().map(|d| canonical(&d)),
        Some(beside.clone())
    );
    let spec = SuiteSpec {
        builtin: false,
        synthetic: Vec::new(),
        ..SuiteSpec::default()
    };
    let s = suite::load(&spec).unwrap();
    assert_eq!(s.items.len(), 1);
    assert_eq!(s.items[0].workload.name, "lab/tiny");
    assert_eq!(
        s.items[0].source,
        suite::Source::Folder(SHARED_LABEL.to_owned())
    );

    // The variable wins over the working directory.
    std::env::set_var(SHARED_TRACES_ENV, &elsewhere);
    assert_eq!(
        shared_traces_dir().map(|d| canonical(&d)),
        Some(elsewhere.clone())
    );
    assert_eq!(suite::load(&spec).unwrap().items[0].workload.name, "other");
    // Set to something that is not a folder, it is not replaced by a guess: no shared folder,
    // and the note says where it looked.
    std::env::set_var(SHARED_TRACES_ENV, root.join("missing"));
    assert_eq!(shared_traces_dir(), None);
    let with_builtin = SuiteSpec {
        synthetic: Vec::new(),
        ..SuiteSpec::default()
    };
    let notes = suite::load(&with_builtin).unwrap().notes;
    assert!(
        notes
            .iter()
            .any(|n| n.contains("no shared traces folder found") && n.contains("missing")),
        "{notes:?}"
    );
    std::env::remove_var(SHARED_TRACES_ENV);
}
