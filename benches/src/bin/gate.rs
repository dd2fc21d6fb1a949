//! `cargo run -p benches --bin gate -- [--criterion DIR] [--baseline NAME] [--threshold PCT]
//! [--statistic mean|median]`
//!
//! Prints the base-versus-head table (benchmark, base, head, change, verdict) from a criterion
//! folder in which head ran with `--baseline NAME` (or `--baseline-lenient NAME`) after base
//! saved that baseline, and exits 1 when any benchmark regressed: the lower bound of the
//! confidence interval of its change exceeds the threshold (default 10 %). Exit 2: usage
//! error or nothing to compare. `compare.sh` runs it.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

use std::path::PathBuf;
use std::process::ExitCode;

use benches::gate::{self, Statistic};
use benches::{info, results};

const USAGE: &str =
    "usage: gate [--criterion DIR] [--baseline NAME] [--threshold PCT] [--statistic mean|median]

  --criterion DIR     criterion's output folder (default: as criterion finds it)
  --baseline NAME     the baseline base saved (default: base)
  --threshold PCT     slowdown that fails the gate, in percent (default: 10, or $BENCH_THRESHOLD)
  --statistic S       mean (default) or median";

fn main() -> ExitCode {
    let mut criterion: Option<PathBuf> = None;
    let mut baseline = "base".to_owned();
    let mut threshold: Option<String> = std::env::var("BENCH_THRESHOLD").ok();
    let mut stat = Statistic::Mean;
    let mut regressed_file: Option<PathBuf> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        let parsed = match arg.as_str() {
            "--criterion" => value("--criterion").map(|v| criterion = Some(v.into())),
            "--baseline" => value("--baseline").map(|v| baseline = v),
            "--threshold" => value("--threshold").map(|v| threshold = Some(v)),
            "--regressed" => value("--regressed").map(|v| regressed_file = Some(v.into())),
            "--statistic" => value("--statistic").and_then(|v| {
                Statistic::parse(&v)
                    .map(|s| stat = s)
                    .ok_or_else(|| format!("--statistic must be mean or median, not `{v}`"))
            }),
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            other => Err(format!("unknown argument `{other}`")),
        };
        if let Err(e) = parsed {
            eprintln!("gate: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    }
    let threshold_pct = match threshold
        .as_deref()
        .map(str::trim)
        .map(|t| t.trim_end_matches('%'))
    {
        None => 10.0,
        Some(t) => match t.parse::<f64>() {
            Ok(v) if v.is_finite() && v >= 0.0 => v,
            _ => {
                eprintln!(
                    "gate: the threshold must be a non-negative number of percent, not `{t}`"
                );
                return ExitCode::from(2);
            }
        },
    };
    let criterion = criterion.unwrap_or_else(results::criterion_dir);
    let benches = match results::load(&criterion, Some(&baseline)) {
        Ok(b) => b,
        Err(e) => {
            eprintln!(
                "gate: cannot read criterion results in {}: {e}",
                criterion.display()
            );
            return ExitCode::from(2);
        }
    };
    let lines = gate::lines(&benches, threshold_pct / 100.0, stat);
    let (regressed, improved, ok, new, missing) = gate::counts(&lines);
    if let Some(path) = &regressed_file {
        let ids: String = lines
            .iter()
            .filter(|l| l.verdict == gate::Verdict::Regressed)
            .map(|l| format!("{}\n", l.id))
            .collect();
        if let Err(e) = std::fs::write(path, ids) {
            eprintln!("gate: cannot write {}: {e}", path.display());
            return ExitCode::from(2);
        }
    }
    if let Some(info) = info::read(&criterion) {
        println!("head run: {}", info.summary());
    }
    println!(
        "regression = lower bound of the 95% CI of the {} change > +{threshold_pct}%\n",
        stat.name()
    );
    print!("{}", gate::table(&lines));
    println!(
        "\n{regressed} regressed, {improved} improved, {ok} ok, {new} new in head, {missing} not run in head"
    );
    if regressed + improved + ok == 0 {
        eprintln!(
            "gate: no benchmark was compared against baseline `{baseline}` in {}",
            criterion.display()
        );
        return ExitCode::from(2);
    }
    if regressed > 0 {
        println!("gate: FAIL ({regressed} benchmark(s) slower than +{threshold_pct}%)");
        ExitCode::FAILURE
    } else {
        println!("gate: PASS");
        ExitCode::SUCCESS
    }
}
