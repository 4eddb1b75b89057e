//! The pure layers of docs/architecture.md stay pure: `model`, `associate` and every kill
//! module but `kill/pidfd`, `kill/renice` and `kill/sessions` import nothing from the
//! shell, the samplers or the OS; those three reach the OS through `procfs`,
//! never through the sampler or the association.
//! Test code (`*tests.rs`, anything after the first `#[cfg(test)]`) is not checked.

use std::path::{Path, PathBuf};

/// What no pure module may name.
const OS_AND_SHELL: &[&str] = &[
    "std::fs",
    "std::process",
    "std::env",
    "std::net",
    "std::thread",
    "std::os::fd",
    "std::os::unix::fs",
    "std::os::unix::net",
    "std::os::unix::process",
    "rustix",
    "libc",
    "tokio",
    "ratatui",
    "crossterm",
    "crate::sample",
    "crate::cli",
    "crate::tui",
    "crate::config",
];

/// The kill modules that reach the OS; every other one is pure.
const KILL_OS: &[&str] = &["pidfd.rs", "renice.rs", "sessions.rs"];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| Some(e.ok()?.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .collect();
    files.sort();
    files
}

/// The non-test code of a file, without comments.
fn code(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let text = text.split("#[cfg(test)]").next().unwrap_or_default();
    text.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n")
}

/// Files only tests compile: `*tests.rs`, and any file a sibling includes with
/// `#[path = "…"]` after its first `#[cfg(test)]` (e.g. a fake for the tests).
fn is_test_file(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    if name.ends_with("tests.rs") {
        return true;
    }
    let included = format!("#[path = \"{name}\"]");
    let dir = path.parent().expect("a file has a directory");
    rust_files(dir).iter().any(|sibling| {
        let text = std::fs::read_to_string(sibling).unwrap_or_default();
        text.split_once("#[cfg(test)]").is_some_and(|(_, tests)| tests.contains(&included))
    })
}

/// `(file, forbidden name)` for every pure file that names something it must not.
fn violations(files: &[PathBuf], forbidden: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for file in files.iter().filter(|f| !is_test_file(f)) {
        let code = code(file);
        for name in forbidden.iter().filter(|name| code.contains(*name)) {
            found.push(format!("{} uses {name}", file.strip_prefix(src()).unwrap_or(file).display()));
        }
    }
    found
}

#[test]
fn model_is_plain_data() {
    let forbidden = [OS_AND_SHELL, &["crate::associate", "crate::kill"]].concat();
    let found = violations(&rust_files(&src().join("model")), &forbidden);
    assert!(found.is_empty(), "model must stay pure:\n{}", found.join("\n"));
}

#[test]
fn association_is_a_pure_function_of_the_snapshot() {
    let forbidden = [OS_AND_SHELL, &["crate::kill"]].concat();
    let found = violations(&rust_files(&src().join("associate")), &forbidden);
    assert!(found.is_empty(), "associate must stay pure:\n{}", found.join("\n"));
}

#[test]
fn planning_and_the_executor_reach_the_os_only_through_process_control() {
    let files: Vec<PathBuf> = rust_files(&src().join("kill"))
        .into_iter()
        .filter(|f| !KILL_OS.iter().any(|os| f.ends_with(os)))
        .collect();
    assert!(files.iter().any(|f| f.ends_with("exec.rs")), "the executor is checked");
    let forbidden =
        [OS_AND_SHELL, &["crate::associate", "super::pidfd", "super::renice", "super::sessions"]].concat();
    let found = violations(&files, &forbidden);
    assert!(found.is_empty(), "the pure kill modules must stay pure:\n{}", found.join("\n"));
}

#[test]
fn the_kill_modules_that_reach_the_os_use_procfs_not_the_sampler() {
    let files: Vec<PathBuf> = KILL_OS.iter().map(|f| src().join("kill").join(f)).collect();
    assert!(files.iter().all(|f| f.exists()), "every OS kill module is checked: {files:?}");
    let forbidden = ["crate::sample", "crate::associate", "crate::cli", "crate::tui", "crate::config"];
    let found = violations(&files, &forbidden);
    assert!(
        found.is_empty(),
        "kill/pidfd, kill/renice and kill/sessions reach only procfs and the OS:\n{}",
        found.join("\n")
    );
}

/// The remote modules that reach the OS (the ssh child and the threads on its pipes); every other
/// one is pure: the wire forest, its deltas, the messages, the sessions, the host names.
const REMOTE_OS: &[&str] = &["link.rs", "pipes.rs", "transport.rs", "mod.rs"];

#[test]
fn the_protocol_and_its_bookkeeping_are_plain_data() {
    let files: Vec<PathBuf> = rust_files(&src().join("remote"))
        .into_iter()
        .filter(|f| !REMOTE_OS.iter().any(|os| f.ends_with(os)))
        .collect();
    for pure in ["wire.rs", "delta.rs", "protocol.rs", "session.rs", "plans.rs", "host.rs"] {
        assert!(files.iter().any(|f| f.ends_with(pure)), "{pure} is checked");
    }
    let forbidden =
        [OS_AND_SHELL, &["crate::associate", "crate::kill::pidfd", "super::link", "super::transport"]]
            .concat();
    let found = violations(&files, &forbidden);
    assert!(found.is_empty(), "the pure remote modules must stay pure:\n{}", found.join("\n"));
}

#[test]
fn the_samplers_know_nothing_of_config_kill_or_the_shell() {
    let files = rust_files(&src().join("sample"));
    assert!(files.iter().any(|f| f.ends_with("registry.rs")), "the registry is checked");
    let forbidden = ["crate::config", "crate::cli", "crate::tui", "crate::kill"];
    let found = violations(&files, &forbidden);
    assert!(found.is_empty(), "sample must not reach up the layers:\n{}", found.join("\n"));
}

/// Every `.rs` file under `dir`, at any depth.
fn rust_files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        files.extend(rust_files(&dir));
        let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        dirs.extend(entries.filter_map(|e| Some(e.ok()?.path())).filter(|p| p.is_dir()));
    }
    files
}

#[test]
fn clap_stays_in_the_command_line() {
    let files: Vec<PathBuf> = rust_files_under(&src())
        .into_iter()
        .filter(|f| !f.starts_with(src().join("cli")) && *f != src().join("main.rs"))
        .collect();
    assert!(files.iter().any(|f| f.ends_with("model/sort.rs")), "the domain is checked");
    let found = violations(&files, &["clap"]);
    assert!(found.is_empty(), "only src/cli and src/main.rs name clap:\n{}", found.join("\n"));
}

#[test]
fn the_check_sees_a_violation() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("impure.rs");
    std::fs::write(
        &file,
        "// std::fs in a comment is fine\nuse std::fs::read;\n#[cfg(test)]\nuse rustix::io;\n",
    )
    .unwrap();
    assert_eq!(
        violations(&[file], OS_AND_SHELL),
        vec![format!("{} uses std::fs", tmp.path().join("impure.rs").display())]
    );
}

#[test]
fn the_mcp_listing_is_pure_and_only_the_mcp_module_names_rmcp() {
    let listing = [src().join("mcp").join("listing.rs")];
    let found = violations(&listing, &[OS_AND_SHELL, &["crate::sample", "crate::mcp::state"]].concat());
    assert!(found.is_empty(), "mcp/listing must stay pure:\n{}", found.join("\n"));
    let files: Vec<PathBuf> =
        rust_files_under(&src()).into_iter().filter(|f| !f.starts_with(src().join("mcp"))).collect();
    assert!(files.iter().any(|f| f.ends_with("kill/plan.rs")), "the kill modules are checked");
    let found = violations(&files, &["rmcp"]);
    assert!(found.is_empty(), "only src/mcp names rmcp:\n{}", found.join("\n"));
}

/// The MCP server signals nothing itself: every signal goes through the one executor
/// (`kill::exec`) with a plan of `plan_with`, so the `--mine` rules of the plan hold.
#[test]
fn the_mcp_server_signals_only_through_the_executor() {
    let files = rust_files(&src().join("mcp"));
    assert!(files.iter().any(|f| f.ends_with("kill_tool.rs")), "the kill tool is checked");
    let found = violations(&files, &["libc", "rustix", "nix::", "crate::procfs", "crate::kill::sessions"]);
    assert!(found.is_empty(), "src/mcp must not signal on its own:\n{}", found.join("\n"));
    let kill_tool = code(&src().join("mcp").join("kill_tool.rs"));
    assert!(
        kill_tool.contains("mine: true") && !kill_tool.contains("mine: false"),
        "the kill tool is always --mine"
    );
}

#[test]
fn the_tuis_state_rows_and_view_are_pure() {
    // Only `terminal`, `feed` (with `inspector`), `run` (with `run_kills`) and `tmux` reach the OS.
    let shell = ["terminal.rs", "feed.rs", "inspector.rs", "run.rs", "run_kills.rs", "tmux.rs"];
    let dir = src().join("tui");
    let files: Vec<PathBuf> = rust_files(&dir)
        .into_iter()
        .chain(rust_files(&dir.join("view")))
        .filter(|f| !shell.iter().any(|s| f.ends_with(s)))
        .collect();
    assert!(files.iter().any(|f| f.ends_with("jump.rs")), "the jump's logic is checked");
    let forbidden = [
        "std::fs",
        "std::process",
        "std::env",
        "std::net",
        "std::thread",
        "std::os::",
        "rustix",
        "libc",
        "tokio",
        "crate::sample",
        "crate::procfs",
        "pidfd",
        "kill::sessions",
        "super::tmux",
        "super::feed",
        "super::terminal",
    ];
    let found = violations(&files, &forbidden);
    assert!(found.is_empty(), "the TUI's pure part reaches the OS:\n{}", found.join("\n"));
}
