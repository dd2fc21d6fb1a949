//! The GitHub workflows of `.github/workflows/` cannot run here, so this test reads them as a
//! runner would: every file parses as YAML and has the shape of a workflow, every script,
//! file and option a step names exists in this repository, the gate's workflow gives the
//! script the options it accepts and keeps the files the script writes, the mutation score's
//! matrix covers every shard once and its summary reads what the shards upload, and
//! ClusterFuzzLite's workflows use the project's own build (`.clusterfuzzlite/`).

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use yaml_rust2::{Yaml, YamlLoader};

/// The workflows this repository ships.
const WORKFLOWS: &[&str] = &[
    "ci.yml",
    "bench-gate.yml",
    "cflite_pr.yml",
    "cflite_batch.yml",
    "mutants.yml",
];

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read(rel: &str) -> String {
    let path = repo().join(rel);
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn load(name: &str) -> Yaml {
    let rel = format!(".github/workflows/{name}");
    let mut docs = YamlLoader::load_from_str(&read(&rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    assert_eq!(docs.len(), 1, "{rel}: one YAML document");
    docs.remove(0)
}

fn s(y: &Yaml) -> &str {
    y.as_str().unwrap_or("")
}

/// Every step of every job: (job name, step).
fn steps(doc: &Yaml) -> Vec<(String, &Yaml)> {
    let mut out = Vec::new();
    for (name, job) in doc["jobs"].as_hash().expect("jobs") {
        for step in job["steps"].as_vec().expect("steps") {
            out.push((s(name).to_owned(), step));
        }
    }
    out
}

/// The `run:` scripts of a workflow.
fn scripts(doc: &Yaml) -> Vec<String> {
    steps(doc)
        .into_iter()
        .filter_map(|(_, step)| step["run"].as_str().map(str::to_owned))
        .collect()
}

/// The words of a shell script that name a path in this repository: relative, no variables
/// or expressions, first component an entry of the repository's top level other than
/// `target/` (which holds outputs).
fn repo_paths(script: &str) -> Vec<String> {
    let top: BTreeSet<String> = fs::read_dir(repo())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "target")
        .collect();
    script
        .split(|c: char| {
            c.is_whitespace() || matches!(c, '"' | '\'' | ';' | '(' | ')' | '|' | '{' | '}')
        })
        .filter(|w| w.contains('/') && !w.contains('$') && !w.starts_with('-'))
        .map(|w| w.trim_start_matches("./").to_owned())
        .filter(|w| w.split('/').next().is_some_and(|first| top.contains(first)))
        .collect()
}

#[test]
fn every_workflow_parses_and_has_the_shape_of_one() {
    let present: BTreeSet<String> = fs::read_dir(repo().join(".github/workflows"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let expected: BTreeSet<String> = WORKFLOWS.iter().map(|&w| w.to_owned()).collect();
    assert_eq!(present, expected, "the workflows this test knows");
    for &w in WORKFLOWS {
        let doc = load(w);
        assert!(!s(&doc["name"]).is_empty(), "{w}: name");
        assert!(!doc["on"].is_badvalue(), "{w}: on");
        let jobs = doc["jobs"].as_hash().unwrap_or_else(|| panic!("{w}: jobs"));
        assert!(!jobs.is_empty(), "{w}: no jobs");
        for (name, job) in jobs {
            assert!(!s(&job["runs-on"]).is_empty(), "{w}: {name:?}: runs-on");
            let steps = job["steps"]
                .as_vec()
                .unwrap_or_else(|| panic!("{w}: {name:?}: steps"));
            assert!(!steps.is_empty(), "{w}: {name:?}: no steps");
            for step in steps {
                let (uses, run) = (step["uses"].as_str(), step["run"].as_str());
                assert!(
                    uses.is_some() != run.is_some(),
                    "{w}: {name:?}: a step either uses an action or runs a script: {step:?}"
                );
                if let Some(action) = uses {
                    // owner/repo[/path]@vN: a released major version, never a branch.
                    let (path, version) = action
                        .split_once('@')
                        .unwrap_or_else(|| panic!("{w}: {action}: no version"));
                    assert!(path.split('/').count() >= 2, "{w}: {action}");
                    assert!(
                        version
                            .strip_prefix('v')
                            .is_some_and(|v| v.parse::<u32>().is_ok()),
                        "{w}: {action}: pin a major version (@vN)"
                    );
                }
            }
        }
    }
}

#[test]
fn every_path_a_workflow_names_exists() {
    let mut checked = 0;
    for &w in WORKFLOWS {
        let doc = load(w);
        for script in scripts(&doc) {
            for path in repo_paths(&script) {
                assert!(
                    repo().join(&path).exists(),
                    "{w}: `{path}` (in `{script}`) is not in the repository"
                );
                checked += 1;
            }
            // A script run by path must be executable, one run by `bash` need not.
            for line in script.lines() {
                let first = line.split_whitespace().next().unwrap_or("");
                if repo_paths(first).len() == 1 {
                    let meta = fs::metadata(repo().join(first)).unwrap();
                    assert!(
                        std::os::unix::fs::PermissionsExt::mode(&meta.permissions()) & 0o111 != 0,
                        "{w}: {first} is run directly but is not executable"
                    );
                }
            }
        }
        // Files the cache keys hash.
        let text = read(&format!(".github/workflows/{w}"));
        for part in text.split("hashFiles(").skip(1) {
            let args = part.split(')').next().unwrap();
            for file in args.split(',').map(|a| a.trim().trim_matches('\'')) {
                assert!(
                    repo().join(file).is_file(),
                    "{w}: hashFiles({file}): no such file"
                );
                checked += 1;
            }
        }
    }
    assert!(
        checked >= 5,
        "only {checked} paths checked: is the parsing still right?"
    );
    // The commands the brief of each workflow rests on.
    assert!(scripts(&load("ci.yml"))
        .iter()
        .any(|s| s.trim() == "bash .ci/run"));
}

#[test]
fn the_gate_workflow_compares_against_the_target_branch_with_options_compare_sh_accepts() {
    let doc = load("bench-gate.yml");
    assert!(
        doc["on"]["pull_request"].is_null() || doc["on"]["pull_request"].as_hash().is_some(),
        "runs on pull requests"
    );
    let help = Command::new("bash")
        .arg(repo().join("benches/compare.sh"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(help.status.success());
    let help = String::from_utf8(help.stdout).unwrap();
    let gate: Vec<String> = scripts(&doc)
        .into_iter()
        .filter(|s| s.contains("benches/compare.sh"))
        .collect();
    assert_eq!(gate.len(), 1, "one gate step");
    assert!(gate[0].contains("--deterministic"), "{}", gate[0]);
    assert!(
        gate[0].contains("origin/${{ github.base_ref }}"),
        "base = the target branch: {}",
        gate[0]
    );
    for flag in gate[0].split_whitespace().filter(|w| w.starts_with("--")) {
        assert!(
            help.contains(flag),
            "compare.sh --help does not know {flag}"
        );
    }
    // The runner is the pinned one (the script reads the pin).
    assert!(scripts(&doc)
        .iter()
        .any(|s| s.contains("benches/deterministic/runner.sh")));
    // The table reaches the job summary and the artifact even when the gate fails.
    let all_steps = steps(&doc);
    let summary = all_steps
        .iter()
        .find(|(_, st)| s(&st["run"]).contains("$GITHUB_STEP_SUMMARY"))
        .expect("a step writes the job summary");
    assert_eq!(s(&summary.1["if"]), "always()");
    assert!(s(&summary.1["run"]).contains("target/det-gate/table.md"));
    let upload = all_steps
        .iter()
        .find(|(_, st)| s(&st["uses"]).starts_with("actions/upload-artifact@"))
        .expect("an upload step");
    assert_eq!(s(&upload.1["if"]), "always()");
    // Every file it uploads is one the gate writes (compare.sh and gate.sh name them).
    let writer = read("benches/compare.sh")
        + &read("benches/deterministic/gate.sh")
        + &read("benches/deterministic/src/gate.rs");
    for path in s(&upload.1["with"]["path"])
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
    {
        let rest = path
            .strip_prefix("target/det-gate/")
            .unwrap_or_else(|| panic!("{path}: outside the gate's folder"));
        let file = rest.rsplit('/').next().unwrap();
        assert!(writer.contains(file), "{path}: the gate writes no {file}");
    }
}

#[test]
fn the_mutation_workflow_runs_every_shard_once_and_summarises_what_they_upload() {
    let doc = load("mutants.yml");
    assert_eq!(
        doc["on"]["schedule"].as_vec().map(Vec::len),
        Some(1),
        "nightly"
    );
    let usage = read("fuzz/mutants.sh");
    let shard = &doc["jobs"]["shard"];
    let ks: Vec<i64> = shard["strategy"]["matrix"]["k"]
        .as_vec()
        .expect("a matrix over k")
        .iter()
        .map(|k| k.as_i64().expect("k is a number"))
        .collect();
    let runs: Vec<String> = scripts(&doc)
        .into_iter()
        .filter(|s| s.contains("fuzz/mutants.sh"))
        .collect();
    assert_eq!(runs.len(), 2, "one run per shard, one summary: {runs:?}");
    let per_shard = runs
        .iter()
        .find(|r| r.contains("--shard"))
        .expect("a --shard run");
    // `--shard ${{ matrix.k }}/N`: k takes every value 0..N exactly once.
    let n: i64 = per_shard
        .split("--shard ${{ matrix.k }}/")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("--shard ${{{{ matrix.k }}}}/N in {per_shard}"));
    assert_eq!(
        ks,
        (0..n).collect::<Vec<_>>(),
        "each of the {n} shards once"
    );
    for run in &runs {
        for flag in run.split_whitespace().filter(|w| w.starts_with("--")) {
            assert!(
                usage.contains(&format!("#   {flag} ")) || usage.contains(&format!("[{flag} ")),
                "fuzz/mutants.sh's usage does not know {flag} (in {run})"
            );
        }
    }
    // What a shard uploads is its --out folder, under a name the summary's glob matches.
    let out = per_shard
        .split("--out ")
        .nth(1)
        .and_then(|rest| rest.lines().next())
        .map(str::trim)
        .expect("--out, the run's last option");
    let all_steps = steps(&doc);
    let step_of = |job: &str, action: &str| {
        all_steps
            .iter()
            .find(|(j, st)| j == job && s(&st["uses"]).starts_with(action))
            .map(|&(_, st)| st)
    };
    let upload =
        step_of("shard", "actions/upload-artifact@").expect("each shard uploads its results");
    assert_eq!(s(&upload["with"]["path"]), out);
    assert_eq!(
        s(&upload["if"]),
        "always()",
        "a shard with survivors still uploads"
    );
    let artifact = s(&upload["with"]["name"]).replace("${{ matrix.k }}", "*");
    let summary = &doc["jobs"]["summary"];
    assert_eq!(s(&summary["needs"]), "shard");
    assert_eq!(
        s(&summary["if"]),
        "always()",
        "a failed shard leaves the rest reported"
    );
    let download =
        step_of("summary", "actions/download-artifact@").expect("the summary downloads the shards");
    assert_eq!(s(&download["with"]["pattern"]), artifact);
    let folder = s(&download["with"]["path"]);
    let report = runs.iter().find(|r| r.contains("--summary")).unwrap();
    assert!(
        report.contains(&format!("--summary {folder}/{artifact}")),
        "the summary reads what was downloaded ({folder}/{artifact}): {report}"
    );
}

#[test]
fn clusterfuzzlite_workflows_use_the_projects_build() {
    for file in ["Dockerfile", "build.sh", "project.yaml"] {
        assert!(
            repo().join(".clusterfuzzlite").join(file).is_file(),
            ".clusterfuzzlite/{file}"
        );
    }
    let project = YamlLoader::load_from_str(&read(".clusterfuzzlite/project.yaml"))
        .unwrap()
        .remove(0);
    let language = s(&project["language"]).to_owned();
    assert_eq!(language, "rust");
    let sanitizers: Vec<&str> = project["sanitizers"]
        .as_vec()
        .unwrap()
        .iter()
        .map(s)
        .collect();
    let mut modes = BTreeSet::new();
    for w in ["cflite_pr.yml", "cflite_batch.yml"] {
        let doc = load(w);
        for (job, step) in steps(&doc) {
            let action = s(&step["uses"]);
            let Some(kind) = action.strip_prefix("google/clusterfuzzlite/actions/") else {
                continue;
            };
            assert_eq!(
                s(&step["with"]["language"]),
                language,
                "{w}: {job}: {action}"
            );
            match kind.split('@').next().unwrap() {
                "build_fuzzers" => {}
                "run_fuzzers" => {
                    let mode = s(&step["with"]["mode"]);
                    assert!(
                        ["code-change", "batch", "prune", "coverage"].contains(&mode),
                        "{w}: {job}: mode {mode:?}"
                    );
                    modes.insert((w, mode.to_owned()));
                    assert!(
                        !s(&step["with"]["github-token"]).is_empty(),
                        "{w}: {job}: github-token"
                    );
                }
                other => panic!("{w}: {job}: unknown ClusterFuzzLite action {other}"),
            }
            let sanitizer = s(&step["with"]["sanitizer"]);
            if !sanitizer.is_empty() && !sanitizer.contains("matrix.") {
                assert!(
                    sanitizers.contains(&sanitizer),
                    "{w}: {job}: sanitizer {sanitizer}"
                );
            }
        }
        // Each job builds before it runs.
        for (name, job) in doc["jobs"].as_hash().unwrap() {
            let kinds: Vec<&str> = job["steps"]
                .as_vec()
                .unwrap()
                .iter()
                .map(|st| s(&st["uses"]))
                .collect();
            let build = kinds.iter().position(|k| k.contains("/build_fuzzers@"));
            let run = kinds.iter().position(|k| k.contains("/run_fuzzers@"));
            assert!(
                build.is_some() && build < run,
                "{w}: {name:?}: build_fuzzers, then run_fuzzers"
            );
        }
    }
    let expected: BTreeSet<(&str, String)> = [
        ("cflite_pr.yml", "code-change".to_owned()),
        ("cflite_batch.yml", "batch".to_owned()),
        ("cflite_batch.yml", "prune".to_owned()),
    ]
    .into_iter()
    .collect();
    assert_eq!(modes, expected);
    // Pull-request fuzzing runs on pull requests; each scheduled job names one of the crons.
    assert!(!load("cflite_pr.yml")["on"]["pull_request"].is_badvalue());
    let batch = load("cflite_batch.yml");
    let crons: Vec<&str> = batch["on"]["schedule"]
        .as_vec()
        .unwrap()
        .iter()
        .map(|c| s(&c["cron"]))
        .collect();
    assert_eq!(crons.len(), 2);
    for (name, job) in batch["jobs"].as_hash().unwrap() {
        let cond = s(&job["if"]);
        assert!(
            crons
                .iter()
                .filter(|c| cond.contains(&format!("'{c}'")))
                .count()
                == 1,
            "{name:?}: `if: {cond}` names none or both of the crons {crons:?}"
        );
    }
}
