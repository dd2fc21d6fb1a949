//! Where a workload comes from, and the one function that names workloads.

use serde::Serialize;

/// Where a workload came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "detail")]
pub enum Source {
    /// A trace recorded from a real program and shipped with this crate
    /// ([`crate::builtin`]).
    Recorded,
    /// A synthetic generator ([`crate::generate`]).
    Synthetic,
    /// A trace file from a folder; the detail is the folder's label (`shared/traces` for the
    /// shared malloc-lab folder, else the folder as given).
    Folder(String),
    /// A single trace file, as given.
    File(String),
}

impl Source {
    /// A short label for tables.
    #[must_use]
    pub fn label(&self) -> String {
        match self {
            Source::Recorded => "recorded (built-in)".to_owned(),
            Source::Synthetic => "synthetic".to_owned(),
            Source::Folder(dir) => format!("trace in {dir}"),
            Source::File(file) => format!("trace file {file}"),
        }
    }

    /// The name every tool gives a workload from this source whose own name is `stem`: a
    /// built-in trace's name (`python3-wordfreq`), `synthetic/` and the generator's name
    /// (`synthetic/fifo`), a folder trace's path relative to its folder without the
    /// extension (`malloclab-2016/bdd-aa4`), a single file's name without the extension.
    /// [`crate::suite::load`] prefixes a name already taken with the folder's label.
    #[must_use]
    pub fn workload_name(&self, stem: &str) -> String {
        match self {
            Source::Synthetic => format!("synthetic/{stem}"),
            Source::Recorded | Source::Folder(_) | Source::File(_) => stem.to_owned(),
        }
    }
}
