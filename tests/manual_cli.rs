//! Completions and man pages: generated from the clap definitions, and the committed
//! `man/` pages are what the definitions generate now.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

fn swarmtop(args: &[&str], config: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_swarmtop"))
        .args(args)
        .env("XDG_CONFIG_HOME", config)
        .output()
        .expect("run swarmtop")
}

#[test]
fn committed_man_pages_are_up_to_date() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("man");
    let pages = swarmtop::cli::manual::man_pages().expect("render man pages");
    let regenerate = "regenerate them with `cargo run -- man man/` and commit the result";
    for (name, page) in &pages {
        let committed = std::fs::read(dir.join(name)).unwrap_or_default();
        assert!(
            committed == *page,
            "man/{name} differs from what the clap definitions generate: {regenerate}"
        );
    }
    let generated: BTreeSet<&str> = pages.iter().map(|(name, _)| name.as_str()).collect();
    let stale: Vec<String> = std::fs::read_dir(&dir)
        .expect("man/ exists")
        .filter_map(|e| Some(e.ok()?.file_name().to_string_lossy().into_owned()))
        .filter(|name| name.ends_with(".1") && !generated.contains(name.as_str()))
        .collect();
    assert!(stale.is_empty(), "man/ holds pages no command generates any more: {stale:?}; {regenerate}");
}

#[test]
fn man_pages_cover_every_subcommand_and_the_kill_targets() {
    let pages = swarmtop::cli::manual::man_pages().expect("render man pages");
    let names: Vec<&str> = pages.iter().map(|(n, _)| n.as_str()).collect();
    for name in
        ["swarmtop.1", "swarmtop-list.1", "swarmtop-kill.1", "swarmtop-run.1", "swarmtop-completions.1"]
    {
        assert!(names.contains(&name), "{name} missing from {names:?}");
    }
    assert!(!names.contains(&"swarmtop-man.1"), "the generator itself is hidden");
    let kill = pages.iter().find(|(n, _)| n == "swarmtop-kill.1").map(|(_, p)| String::from_utf8_lossy(p));
    let kill = kill.expect("kill page");
    for form in [
        "pid:N",
        "tree:N",
        "attempt:PROJECT/TASK/ATTEMPT",
        "task:PROJECT/TASK",
        "project:NAME",
        "orphans:PROJECT",
    ] {
        assert!(kill.contains(&format!("\\fB{form}\\fR")), "{form} is not a TARGETS entry:\n{kill}");
    }
}

#[test]
fn man_writes_every_page_into_a_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("pages");
    let run = swarmtop(&["man", out.to_str().unwrap()], "/nonexistent-swarmtop-test");
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    for (name, page) in swarmtop::cli::manual::man_pages().unwrap() {
        assert_eq!(std::fs::read(out.join(&name)).unwrap(), page, "{name}");
    }
}

#[test]
fn completions_for_every_shell_even_with_a_broken_config() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("swarmtop")).unwrap();
    std::fs::write(tmp.path().join("swarmtop/config.toml"), "refresh_ms = \"soon\"\n").unwrap();
    let config = tmp.path().to_str().unwrap();
    let broken = swarmtop(&["list"], config);
    assert_eq!(broken.status.code(), Some(2), "the config really is broken");
    for (shell, marker) in [
        ("bash", "complete -F _swarmtop"),
        ("zsh", "#compdef swarmtop"),
        ("fish", "complete -c swarmtop"),
        ("elvish", "swarmtop"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let out = swarmtop(&["completions", shell], config);
        assert!(out.status.success(), "{shell}: {}", String::from_utf8_lossy(&out.stderr));
        let script = String::from_utf8(out.stdout).expect("UTF-8");
        assert!(script.contains(marker), "{shell}: no {marker:?} in\n{script}");
        for sub in ["list", "kill", "completions"] {
            assert!(script.contains(sub), "{shell}: no {sub}");
        }
    }
    let bad = swarmtop(&["completions", "tcsh"], config);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn bash_completes_subcommands_and_options_with_the_script() {
    let script = swarmtop(&["completions", "bash"], "/nonexistent-swarmtop-test");
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("swarmtop.bash");
    std::fs::write(&file, &script.stdout).unwrap();
    let complete = |words: &str, cur: &str, prev: &str| {
        let probe = format!(
            "source {}; COMP_WORDS=({words}); COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1)); \
             _swarmtop swarmtop {cur} {prev}; echo \"${{COMPREPLY[*]}}\"",
            file.display()
        );
        let out = Command::new("bash").arg("-c").arg(probe).output().expect("bash runs");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    assert_eq!(complete("swarmtop ki", "ki", "swarmtop"), "kill");
    assert_eq!(complete("swarmtop kill --dr", "--dr", "kill"), "--dry-run");
    assert_eq!(complete("swarmtop completions fi", "fi", "completions"), "fish");
}
