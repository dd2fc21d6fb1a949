//! `det_gate (--base DIR | --no-base REASON) --head DIR [--thresholds FILE] [--threshold PCT]
//! [--identical] [--all] [--full FILE]`
//!
//! The deterministic gate's verdict (`deterministic::gate`): reads each side's folder
//! (`counts.jsonl`, `figures.json`), prints the table of the rows that are not the same on
//! both sides (all rows with `--all`) and the counts per verdict, and writes every row to
//! `--full FILE`. `--no-base REASON`: base has nothing to compare (a revision older than the
//! gate); every row is new and REASON is printed. Thresholds come from FILE (default: none, so `--threshold` or 1 % for every
//! benchmark); `--threshold PCT` replaces the file's defaults, not its overrides.
//! `compare.sh --deterministic` runs it.
//!
//! Exit status: 0 no regression; 1 a gated count rose beyond its threshold or a fragmentation
//! figure got worse (with `--identical`: any row differs at all); 2 usage error or unreadable
//! input.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

use std::path::PathBuf;
use std::process::ExitCode;

use deterministic::gate::{self, Side, Thresholds, Verdict};

const USAGE: &str = "usage: det_gate (--base DIR | --no-base REASON) --head DIR [--thresholds FILE] [--threshold PCT] [--identical] [--all] [--full FILE]";

/// Where base's rows come from.
enum Base {
    /// A side's folder.
    Dir(PathBuf),
    /// Nothing, for this reason.
    Absent(String),
}

struct Args {
    base: Base,
    head: PathBuf,
    thresholds: Option<PathBuf>,
    threshold: Option<f64>,
    identical: bool,
    all: bool,
    full: Option<PathBuf>,
}

fn parse_args() -> Result<Args, String> {
    let (mut base, mut head, mut thresholds, mut threshold, mut full) =
        (None, None, None, None, None);
    let (mut identical, mut all) = (false, false);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--base" => base = Some(Base::Dir(PathBuf::from(value("--base")?))),
            "--no-base" => base = Some(Base::Absent(value("--no-base")?)),
            "--head" => head = Some(PathBuf::from(value("--head")?)),
            "--thresholds" => thresholds = Some(PathBuf::from(value("--thresholds")?)),
            "--full" => full = Some(PathBuf::from(value("--full")?)),
            "--threshold" => {
                let v = value("--threshold")?;
                let pct = v
                    .trim_end_matches('%')
                    .parse::<f64>()
                    .ok()
                    .filter(|p| p.is_finite() && *p >= 0.0)
                    .ok_or_else(|| format!("--threshold must be a percentage >= 0, not `{v}`"))?;
                threshold = Some(pct);
            }
            "--identical" => identical = true,
            "--all" => all = true,
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(Args {
        base: base.ok_or("--base or --no-base is required")?,
        head: head.ok_or("--head is required")?,
        thresholds,
        threshold,
        identical,
        all,
        full,
    })
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) if e.is_empty() => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("det_gate: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let loaded = (|| {
        let mut t = match &args.thresholds {
            Some(path) => Thresholds::read(path)?,
            None => Thresholds::uniform(gate::DEFAULT_THRESHOLD_PCT),
        };
        if let Some(pct) = args.threshold {
            t.default.instructions = pct;
            t.default.ll_misses = pct;
        }
        let base = match &args.base {
            Base::Dir(dir) => Side::read("base", dir)?,
            Base::Absent(reason) => Side {
                notes: vec![reason.clone()],
                ..Side::default()
            },
        };
        Ok::<_, gate::GateError>((t, base, Side::read("head", &args.head)?))
    })();
    let (thresholds, base, head) = match loaded {
        Ok(l) => l,
        Err(e) => {
            eprintln!("det_gate: {e}");
            return ExitCode::from(2);
        }
    };
    let rows = gate::compare(&base, &head, &thresholds);
    if let Some(path) = &args.full {
        let all: Vec<_> = rows.iter().collect();
        if let Err(e) = std::fs::write(path, gate::table(&all)) {
            eprintln!("det_gate: cannot write {}: {e}", path.display());
            return ExitCode::from(2);
        }
    }
    for (side, s) in [("base", &base), ("head", &head)] {
        for note in &s.notes {
            println!("{side}: {note}");
        }
    }
    let d = thresholds.default;
    println!(
        "regression = instructions above +{}%, or LL misses above +{}% and +{} misses (per-benchmark overrides: {}), or a larger footprint, #4 or failure count\n",
        d.instructions,
        d.ll_misses,
        d.ll_misses_slack,
        thresholds.overrides.len()
    );
    let shown: Vec<_> = rows
        .iter()
        .filter(|r| args.all || r.verdict != Verdict::Same)
        .collect();
    if shown.is_empty() {
        println!("(every row is the same on both sides)");
    } else {
        print!("{}", gate::table(&shown));
    }
    let tally = gate::tally(&rows);
    let n = |v: Verdict| tally.get(&v).copied().unwrap_or(0);
    let summary: Vec<String> = tally
        .iter()
        .map(|(v, k)| format!("{k} {}", v.label()))
        .collect();
    println!(
        "\n{} rows ({} benchmarks with counts, {} with figures): {}",
        rows.len(),
        head.counts.len().max(base.counts.len()),
        head.figures.len().max(base.figures.len()),
        summary.join(", ")
    );
    let placement: Vec<&str> = rows
        .iter()
        .filter(|r| r.verdict == Verdict::PlacementChanged)
        .map(|r| r.benchmark.as_str())
        .collect();
    if !placement.is_empty() {
        println!(
            "placement changed (a change of behaviour, not a regression) in {}: {}",
            placement.len(),
            placement.join(", ")
        );
    }
    let compared = rows.len() - n(Verdict::New) - n(Verdict::Missing);
    if n(Verdict::Regressed) > 0 {
        println!("det_gate: FAIL ({} regressed rows)", n(Verdict::Regressed));
        return ExitCode::FAILURE;
    }
    if args.identical && (n(Verdict::Same) != rows.len() || rows.is_empty()) {
        println!(
            "det_gate: FAIL (--identical: {} of {} rows differ)",
            rows.len() - n(Verdict::Same),
            rows.len()
        );
        return ExitCode::FAILURE;
    }
    if compared == 0 {
        println!("det_gate: PASS (nothing to compare: no benchmark is on both sides)");
    } else {
        println!("det_gate: PASS");
    }
    ExitCode::SUCCESS
}
