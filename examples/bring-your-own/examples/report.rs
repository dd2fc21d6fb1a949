//! The report with segfit beside the pool and its peers:
//! `cargo run --release -p bring-your-own --example report -- --quick` (every option of
//! `workbench report`).

use clap::Parser;
use reports::cli::ReportArgs;
use reports::report::Report;
use workloads::suite;

/// The workbench's report, with segfit registered.
#[derive(Debug, Parser)]
#[command(name = "bring-your-own")]
struct Cli {
    #[command(flatten)]
    report: ReportArgs,
}

fn main() -> anyhow::Result<()> {
    let args = Cli::parse().report;
    let suite = suite::load(&args.suite.spec())?;
    let mut report = Report::new(suite)
        .quick(args.suite.quick)
        .allocator(bring_your_own::entry())
        .without_tuning();
    if let Some(dir) = args.out.out {
        report = report.out(dir);
    }
    if let Some(name) = args.out.name {
        report = report.name(name);
    }
    let results = report.run()?;
    for f in reports::findings::findings(&results) {
        println!("- {f}");
    }
    println!("ranking: {:?}", results.ranking);
    Ok(())
}
