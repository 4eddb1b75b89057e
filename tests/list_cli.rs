//! The built binary's `list`: JSON schema 1, text escaping, and bad input.

mod common;

use std::process::Command;
use std::time::Duration;

use common::*;
use serde_json::Value;

fn swarmtop(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_swarmtop"))
        .args(args)
        .env("XDG_CONFIG_HOME", "/nonexistent-swarmtop-test")
        .output()
        .expect("run swarmtop")
}

/// The project with `id`: the box may hold other projects (the checkout running the tests is one).
fn project<'a>(doc: &'a Value, id: &str) -> &'a Value {
    doc["projects"].as_array().and_then(|ps| ps.iter().find(|p| p["id"] == id)).unwrap_or(&Value::Null)
}

fn keys(v: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = v.as_object().expect("object").keys().map(String::as_str).collect();
    k.sort();
    k
}

fn sorted(mut k: Vec<&'static str>) -> Vec<&'static str> {
    k.sort();
    k
}

#[test]
fn list_json_matches_schema_1() {
    let tmp = tempfile::tempdir().unwrap();
    let alpha = repo(tmp.path(), "alpha");
    let wt = worktree(&alpha, &tmp.path().join("wt/9f9f-json"), "vk/9f9f-json");
    let mut procs = Sessions::default();
    let agent = label("json", "agent");
    procs.spawn(&agent, &wt, &format!("(cd /tmp && exec -a {} sleep 600) & wait", label("json", "child")));

    let root = tmp.path().to_str().unwrap();
    let doc: Value = wait_for("the attempt in list --json", Duration::from_secs(10), || {
        let out = swarmtop(&["list", "--json", "--filter", root]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let v: Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
        let n = project(&v, "project:alpha")["tasks"][0]["attempts"][0]["process_count"].as_u64();
        (n == Some(2)).then_some(v)
    });
    assert_eq!(doc["schema"], 1);
    assert_eq!(
        keys(&doc),
        sorted(vec!["schema", "host", "sampled_at_ms", "totals", "projects", "shared", "unassigned"])
    );
    assert_eq!(keys(&doc["totals"]), sorted(vec!["processes", "cpu_percent", "memory_bytes"]));
    let sums = [
        "cpu_percent",
        "memory_bytes",
        "pss_bytes",
        "read_bytes_per_sec",
        "write_bytes_per_sec",
        "process_count",
        "orphan_count",
        "ports",
    ];
    let project = project(&doc, "project:alpha");
    assert_eq!(keys(project), sorted([&["id", "name", "path", "tasks"][..], &sums].concat()));
    assert_eq!(project["id"], "project:alpha");
    let task = &project["tasks"][0];
    assert_eq!(keys(task), sorted([&["id", "name", "title", "attempts"][..], &sums].concat()));
    assert_eq!(task["id"], "task:alpha/json");
    let attempt = &task["attempts"][0];
    assert_eq!(
        keys(attempt),
        sorted([&["id", "name", "path", "branch", "source", "agent", "processes"][..], &sums].concat())
    );
    assert_eq!(attempt["id"], "attempt:alpha/json/9f9f");
    assert_eq!(attempt["branch"], "vk/9f9f-json");
    // A branch `<vibe-kanban prefix>/<hex>-<slug>` is a vibe-kanban workspace wherever it is.
    assert_eq!(attempt["source"], "vibe-kanban");
    let p = &attempt["processes"][0];
    assert_eq!(
        keys(p),
        sorted(vec![
            "pid",
            "ppid",
            "pgid",
            "sid",
            "start_time",
            "user",
            "name",
            "cmd",
            "cwd",
            "state",
            "cpu_percent",
            "memory_bytes",
            "pss_bytes",
            "swap_bytes",
            "read_bytes_per_sec",
            "write_bytes_per_sec",
            "orphan",
            "agent",
            "assigned_by",
            "ports",
            "children"
        ])
    );
    assert_eq!(p["cmd"][0], agent.as_str());
    assert_eq!(p["assigned_by"], "cwd");
    assert_eq!(p["sid"], p["pid"]);
    let child = &p["children"][0];
    assert_eq!(child["cwd"], "/tmp");
    assert_eq!(child["assigned_by"], "inherited");
    assert_eq!(doc["unassigned"], Value::Array(vec![]), "only with --all");
}

#[test]
fn hostile_names_are_escaped_in_text_and_exact_in_json() {
    let tmp = tempfile::tempdir().unwrap();
    let repo_dir = repo(tmp.path(), "hostile");
    let mut procs = Sessions::default();
    let evil = format!("{}\x1b]0;pwned\x07\x1b[2J", label("evil", "x"));
    procs.spawn(&evil, &repo_dir, "sleep 600 & wait");
    let root = tmp.path().to_str().unwrap();
    let text = wait_for("the hostile process", Duration::from_secs(10), || {
        let out = swarmtop(&["list", "--filter", root]);
        let s = String::from_utf8(out.stdout).unwrap();
        s.contains("pwned").then_some(s)
    });
    assert!(!text.contains('\x1b') && !text.contains('\x07'), "raw control characters in {text:?}");
    assert!(text.contains("\\e]0;pwned\\x07\\e[2J"), "{text}");
    let json = swarmtop(&["list", "--json", "--filter", root]);
    let v: Value = serde_json::from_slice(&json.stdout).unwrap();
    let attempt = &project(&v, "project:hostile")["tasks"][0]["attempts"][0];
    assert_eq!(attempt["processes"][0]["cmd"][0], evil.as_str());
}

#[test]
fn bad_input_is_a_clear_error_with_exit_2() {
    let out = swarmtop(&["list", "--no-such-flag"]);
    assert_eq!(out.status.code(), Some(2));
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("config.toml");
    std::fs::write(&cfg, "refresh_ms = 1000\nrefersh = 2\n").unwrap();
    let out = swarmtop(&["--config", cfg.to_str().unwrap(), "list"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("{}:2:1", cfg.display())) && err.contains("refersh"), "{err}");
    let out = swarmtop(&["--config", "/nonexistent/config.toml", "list"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/config.toml"));
}

#[test]
fn list_all_adds_other_processes() {
    let out = swarmtop(&["list", "--all"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("other processes"));
}

#[test]
fn tui_without_a_terminal_suggests_list_and_exits_2() {
    let out = swarmtop(&[]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("needs a terminal") && err.contains("swarmtop list"), "{err}");
}

#[test]
fn bad_key_binding_in_config_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("config.toml");
    std::fs::write(&cfg, "[keys]\nquit = [\"j\"]\n").unwrap();
    let out = swarmtop(&["--config", cfg.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bound to both"));
}

#[test]
fn list_orphans_shows_only_orphans_and_their_groups() {
    let tmp = tempfile::tempdir().unwrap();
    let r = repo(tmp.path(), "orph");
    let mut procs = Sessions::default();
    let leak = label("orphans", "leak");
    procs.spawn(
        &label("orphans", "agent"),
        &r,
        &format!("( exec -a {leak} sleep 600 & ) ; sleep 600 & wait"),
    );
    let root = tmp.path().to_str().unwrap();
    let text = wait_for("the leak", Duration::from_secs(10), || {
        let out = swarmtop(&["list", "--orphans", "--filter", root]);
        let s = String::from_utf8(out.stdout).unwrap();
        s.contains(&leak).then_some(s)
    });
    assert!(text.contains("[orphan]") && !text.contains(&label("orphans", "agent")), "{text}");
}

/// (id, path) of every attempt of the project with `id`.
fn attempts_of(doc: &Value, id: &str) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = project(doc, id)["tasks"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|t| t["attempts"].as_array().cloned().unwrap_or_default())
        .map(|a| (a["id"].as_str().unwrap_or("").to_string(), a["path"].as_str().unwrap_or("").to_string()))
        .collect();
    v.sort();
    v
}

#[test]
fn an_attempt_id_never_moves_to_another_worktree_when_its_own_processes_exit() {
    let tmp = tempfile::tempdir().unwrap();
    let name = format!("dupwt{}", std::process::id());
    let r = repo(tmp.path(), &name);
    let (a, b) = (tmp.path().join("dup/a/wt"), tmp.path().join("dup/b/wt"));
    for wt in [&a, &b] {
        git(&r, &["worktree", "add", "-q", "--detach", wt.to_str().unwrap()]);
    }
    let mut in_a = Sessions::default();
    let mut in_b = Sessions::default();
    in_a.spawn(&label("dupwt", "a"), &a, "sleep 600 & wait");
    in_b.spawn(&label("dupwt", "b"), &b, "sleep 600 & wait");
    let root = tmp.path().to_str().unwrap();
    let pid = format!("project:{name}");
    let list = || {
        let out = swarmtop(&["list", "--json", "--filter", root]);
        serde_json::from_slice::<Value>(&out.stdout).map(|v| attempts_of(&v, &pid)).unwrap_or_default()
    };
    let both = wait_for("two attempts", Duration::from_secs(10), || Some(list()).filter(|v| v.len() == 2));
    let prefix = format!("attempt:{name}/detached/wt~");
    assert!(both.iter().all(|(id, _)| id.starts_with(&prefix)), "{both:?}");
    in_a.kill_all();
    let only_b = wait_for("only b", Duration::from_secs(10), || Some(list()).filter(|v| v.len() == 1));
    assert_eq!(only_b[0].1, b.to_str().unwrap());
    let a_id = both.iter().find(|(_, p)| p == a.to_str().unwrap()).map(|(id, _)| id.clone()).unwrap();
    assert_ne!(only_b[0].0, a_id, "a's id now names b");
}

#[test]
fn text_lines_fit_the_width_cutting_commands_and_keeping_markers() {
    use swarmtop::associate::{Options, associate};
    use swarmtop::model::fixture::{ProcessExt, process, swarm_snapshot};
    use swarmtop::model::text::cells;
    let mut snapshot = swarm_snapshot();
    let long = format!("node {} --watch 日本語の引数 {}", "x".repeat(80), "y".repeat(40));
    snapshot.processes.push(process(150, 1, &long).cwd("/wt/1a2b-add-login/alpha"));
    let forest = associate(&snapshot, &Options::default());
    let text = swarmtop::cli::text::render(&forest, true, Some(70), Default::default());
    for line in text.lines() {
        assert!(cells(line) <= 70, "{} cells: {line}", cells(line));
    }
    let leak = text.lines().find(|l| l.contains("node xxx")).expect("the long command");
    assert!(leak.ends_with("… [orphan]"), "cut before its marker: {leak}");
    let whole = swarmtop::cli::text::render(&forest, true, None, Default::default());
    assert!(whole.contains(&long), "without a width, lines are whole");
    let narrow = swarmtop::cli::text::render(&forest, true, Some(33), Default::default());
    assert!(narrow.lines().all(|l| cells(l) <= 33), "{narrow}");
    // Piped (not a terminal): whole, whatever --wide says.
    let out = swarmtop(&["list", "--all"]);
    assert!(out.status.success());
    let out = swarmtop(&["list", "--wide"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}
