//! `cargo run -p benches --bin export -- [--criterion DIR] [--out DIR] [--baseline NAME]`
//!
//! Writes the latest criterion results (`new/`, or the named baseline) as `latest.json` and
//! `latest.csv`, with the run's machine, toolchain, crate versions and date. By default it
//! reads the criterion folder `cargo bench` wrote to and writes to `benches/results/`
//! (ignored by git).

#![forbid(unsafe_code)]
#![warn(missing_docs)]

use std::path::PathBuf;
use std::process::ExitCode;

use benches::{export, info, results};

const USAGE: &str = "usage: export [--criterion DIR] [--out DIR] [--baseline NAME]

  --criterion DIR   criterion's output folder (default: as criterion finds it:
                    $CRITERION_HOME, $CARGO_TARGET_DIR/criterion, <target>/criterion)
  --out DIR         where latest.json and latest.csv go (default: benches/results)
  --baseline NAME   export a saved baseline (e.g. base) instead of the latest run";

fn main() -> ExitCode {
    let mut criterion: Option<PathBuf> = None;
    let mut out: Option<PathBuf> = None;
    let mut baseline: Option<String> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        let parsed = match arg.as_str() {
            "--criterion" => value("--criterion").map(|v| criterion = Some(v.into())),
            "--out" => value("--out").map(|v| out = Some(v.into())),
            "--baseline" => value("--baseline").map(|v| baseline = Some(v)),
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            other => Err(format!("unknown argument `{other}`")),
        };
        if let Err(e) = parsed {
            eprintln!("export: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    }
    let criterion = criterion.unwrap_or_else(results::criterion_dir);
    let out = out.unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("results"));
    let benches = match results::load(&criterion, baseline.as_deref()) {
        Ok(b) => b,
        Err(e) => {
            eprintln!(
                "export: cannot read criterion results in {}: {e}\n\
                 (run `cargo bench -p benches` first)",
                criterion.display()
            );
            return ExitCode::FAILURE;
        }
    };
    let source = baseline.clone().unwrap_or_else(|| "new".to_owned());
    let export = export::build(
        &benches,
        baseline.is_some(),
        &source,
        info::read(&criterion),
    );
    if export.benchmarks.is_empty() {
        eprintln!(
            "export: no `{source}` results in {} (run `cargo bench -p benches` first)",
            criterion.display()
        );
        return ExitCode::FAILURE;
    }
    match export::write(&export, &out) {
        Ok((json, csv)) => {
            println!("{}", export::summary(&export));
            println!("wrote {}", json.display());
            println!("wrote {}", csv.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("export: cannot write to {}: {e}", out.display());
            ExitCode::FAILURE
        }
    }
}
