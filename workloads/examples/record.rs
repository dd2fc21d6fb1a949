//! Records a program's allocations with `workloads::record`, one `.rep.zst` per process:
//!
//! ```text
//! cargo run --release -p workloads --example record -- OUT_DIR -- CMD [ARGS...]
//! ```
//!
//! (The project's CLI has this as `reports record -- CMD ARGS...`; this example is for
//! working on the recorder itself and re-recording the built-in traces.)

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    let (Some(out), Some(sep)) = (args.first(), args.get(1)) else {
        eprintln!("usage: record OUT_DIR -- CMD [ARGS...]");
        return ExitCode::from(2);
    };
    if sep != "--" || args.len() < 3 {
        eprintln!("usage: record OUT_DIR -- CMD [ARGS...]");
        return ExitCode::from(2);
    }
    match workloads::record::record(&args[2], &args[3..], &PathBuf::from(out)) {
        Ok(rec) => {
            for w in &rec.warnings {
                eprintln!("warning: {w}");
            }
            for t in &rec.traces {
                println!(
                    "{}\t{} ops\timage {}\tpre-trace frees {}\tlive at end {}",
                    t.path.display(),
                    t.ops,
                    t.image,
                    t.report.pretrace_frees,
                    t.report.live_at_end
                );
            }
            println!(
                "{:?}; {} trace(s), {} process image(s) without allocations",
                rec.exit,
                rec.traces.len(),
                rec.empty
            );
            ExitCode::from(u8::try_from(rec.status_code()).unwrap_or(u8::MAX))
        }
        Err(e) => {
            eprintln!("record: {e}");
            ExitCode::FAILURE
        }
    }
}
