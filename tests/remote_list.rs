//! `swarmtop list --host` against a real OpenSSH server on 127.0.0.1 whose far side
//! runs the binary under test: the hosts array, host-prefixed ids, and a clear status
//! for a host that does not resolve, a host key that is not trusted, a far side
//! without swarmtop and one that speaks another protocol.

mod common;

use std::process::{Command, Stdio};
use std::time::Duration;

use common::sshd::{HOST, Sshd, UNTRUSTED, sshd};
use common::*;
use serde_json::Value;

fn list(sshd: &Sshd, args: &[&str], remote: &str) -> (i32, Value, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_swarmtop"))
        .args(["list", "--json", "--ssh-command", &sshd.ssh_command(), "--remote-command", remote])
        .args(args)
        .env("XDG_CONFIG_HOME", "/nonexistent-swarmtop-test")
        .stdin(Stdio::null())
        .output()
        .expect("run swarmtop");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let doc =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e}); stderr: {stderr}"));
    (out.status.code().unwrap_or(-1), doc, stderr)
}

fn schema(file: &str) -> jsonschema::Validator {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs").join(file);
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::draft202012::new(&schema).unwrap()
}

fn valid(validator: &jsonschema::Validator, doc: &Value) {
    let errors: Vec<String> =
        validator.iter_errors(doc).map(|e| format!("at {}: {e}", e.instance_path())).collect();
    assert!(errors.is_empty(), "does not match its schema:\n{}", errors.join("\n"));
}

/// Project `name` of a document (the box holds others: the checkout running the tests).
fn project_named<'a>(doc: &'a Value, name: &str) -> &'a Value {
    doc["projects"].as_array().and_then(|ps| ps.iter().find(|p| p["name"] == name)).unwrap_or(&Value::Null)
}

fn entry<'a>(doc: &'a Value, name: &str) -> &'a Value {
    doc["hosts"].as_array().and_then(|hs| hs.iter().find(|h| h["name"] == name)).unwrap_or(&Value::Null)
}

#[test]
fn list_json_host_shows_each_box_with_host_prefixed_ids() {
    let Some(sshd) = sshd() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let alpha = repo(tmp.path(), "alpha");
    let wt = worktree(&alpha, &tmp.path().join("wt/7e7e-remote"), "vk/7e7e-remote");
    let mut procs = Sessions::default();
    procs.spawn(&label("remote", "agent"), &wt, "sleep 600");
    let root = tmp.path().to_str().unwrap();
    let (code, doc) = wait_for("the attempt on both boxes", Duration::from_secs(60), || {
        let (code, doc, _) = list(sshd, &["--host", HOST, "--filter", root], &Sshd::remote_command());
        let found = |name: &str| {
            entry(&doc, name)["document"]["projects"]
                .as_array()
                .is_some_and(|ps| ps.iter().any(|p| p["name"] == "alpha"))
        };
        let local = doc["hosts"][0]["name"].as_str().unwrap_or_default().to_string();
        (found(HOST) && found(&local)).then_some((code, doc))
    });
    assert_eq!(code, 0);
    assert_eq!(doc["schema"], 1);
    valid(&schema("hosts-schema-1.json"), &doc);
    for h in doc["hosts"].as_array().unwrap() {
        valid(&schema("schema-1.json"), &h["document"]);
    }
    let hosts = doc["hosts"].as_array().unwrap();
    assert_eq!(hosts.len(), 2, "this box and the remote: {doc}");
    let remote = entry(&doc, HOST);
    assert_eq!((remote["status"].as_str(), remote["error"].as_null()), (Some("connected"), Some(())));
    assert_eq!(remote["document"]["schema"], 1);
    let project = project_named(&remote["document"], "alpha");
    assert_eq!(project["id"], format!("host:{HOST}/project:alpha"));
    assert_eq!(project["tasks"][0]["attempts"][0]["id"], format!("host:{HOST}/attempt:alpha/remote/7e7e"));
    let local = &hosts[0];
    let local_name = local["name"].as_str().unwrap();
    assert_eq!(project_named(&local["document"], "alpha")["id"], format!("host:{local_name}/project:alpha"));

    // One box only (--no-local): no prefixes, still the hosts array.
    let doc = wait_for("the attempt on the remote alone", Duration::from_secs(60), || {
        let (code, doc, _) =
            list(sshd, &["--no-local", "--host", HOST, "--filter", root], &Sshd::remote_command());
        assert_eq!(code, 0);
        (!project_named(&doc["hosts"][0]["document"], "alpha").is_null()).then_some(doc)
    });
    assert_eq!(doc["hosts"].as_array().map(Vec::len), Some(1));
    assert_eq!(project_named(&doc["hosts"][0]["document"], "alpha")["id"], "project:alpha");
}

/// `list --host` for a host that cannot work: exit 1 within the deadline, the reason in
/// the JSON, and this box still listed.
fn failing(host: &str, remote: &str) -> String {
    let sshd = sshd().expect("checked by the caller");
    let started = std::time::Instant::now();
    let (code, doc, stderr) = list(sshd, &["--host", host], remote);
    assert!(started.elapsed() < Duration::from_secs(40), "took {:?}", started.elapsed());
    assert_eq!(code, 1, "{doc} {stderr}");
    assert_eq!(doc["hosts"][0]["status"], "connected", "this box is listed anyway");
    let e = entry(&doc, host);
    assert_eq!(e["status"], "failed", "{doc}");
    assert!(e["document"].is_null());
    e["error"].as_str().unwrap_or_default().to_string()
}

#[test]
fn an_unresolvable_host_fails_with_ssh_s_own_line() {
    if sshd().is_none() {
        return;
    }
    let e = failing("nosuch.invalid", &Sshd::remote_command());
    assert!(e.contains("Could not resolve hostname nosuch.invalid"), "{e}");
}

#[test]
fn an_untrusted_host_key_fails_with_ssh_s_own_line() {
    if sshd().is_none() {
        return;
    }
    let e = failing(UNTRUSTED, &Sshd::remote_command());
    assert!(e.contains("Host key verification failed"), "{e}");
}

#[test]
fn a_box_without_swarmtop_says_how_to_install_it() {
    if sshd().is_none() {
        return;
    }
    let e = failing(HOST, "/nonexistent/swarmtop");
    assert!(e.contains(&format!("swarmtop is not installed on {HOST}")), "{e}");
    assert!(e.contains("scp ") && e.contains("--remote-command"), "{e}");
}

#[test]
fn a_box_that_speaks_another_protocol_says_so_with_the_install_command() {
    let Some(sshd) = sshd() else { return };
    let fake = sshd.path("old-swarmtop");
    let hello = r#"{"type":"hello","protocol":99,"host":"old","version":"0.0.1","capabilities":[],"read_only":false}"#;
    std::fs::write(&fake, format!("#!/bin/sh\necho '{hello}'\nexec cat >/dev/null\n")).unwrap();
    std::fs::set_permissions(&fake, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let e = failing(HOST, fake.to_str().unwrap());
    assert!(e.contains("swarmtop 0.0.1 (protocol 99)") && e.contains("protocol 1"), "{e}");
    assert!(e.contains("scp "), "{e}");
}

#[test]
fn list_watch_json_host_streams_every_box_per_line() {
    use std::io::{BufRead, BufReader};
    let Some(sshd) = sshd() else { return };
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_swarmtop"));
    cmd.args(["list", "--watch", "--json", "--refresh", "200", "--host", HOST])
        .args(["--ssh-command", &sshd.ssh_command(), "--remote-command", &Sshd::remote_command()])
        .env("XDG_CONFIG_HOME", "/nonexistent-swarmtop-test")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    swarmtop::kill::sessions::in_new_session(&mut cmd);
    let mut child = cmd.spawn().unwrap();
    let _guard = SessionGuard(child.id());
    let mut lines = BufReader::new(child.stdout.take().unwrap());
    let mut stamps = Vec::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while stamps.len() < 3 {
        assert!(std::time::Instant::now() < deadline, "no remote documents");
        let mut line = String::new();
        assert!(lines.read_line(&mut line).unwrap() > 0, "the stream ended");
        let doc: Value = serde_json::from_str(&line).expect("one JSON document per line");
        let remote = entry(&doc, HOST);
        assert_eq!(doc["hosts"].as_array().map(Vec::len), Some(2));
        if remote["status"] == "connected" {
            if let Some(t) = remote["document"]["sampled_at_ms"].as_u64() {
                stamps.push(t);
            }
        }
    }
    assert!(stamps.windows(2).all(|w| w[0] <= w[1]), "{stamps:?}");
    assert!(stamps.first() < stamps.last(), "the remote keeps sampling: {stamps:?}");
    drop(lines);
    let status = wait_for("the end of the stream", Duration::from_secs(10), || child.try_wait().unwrap());
    assert_eq!(status.code(), Some(0));
}

#[test]
fn the_tui_shows_each_box_under_a_host_row_with_its_status() {
    let Some(sshd) = sshd() else { return };
    if !common::tmux::available() {
        println!("skipped: tmux is not installed");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let name = format!("tuihost{}", std::process::id());
    let repo = repo(tmp.path(), &name);
    let wt = worktree(&repo, &tmp.path().join("wt/8f8f-tui"), "vk/8f8f-tui");
    let mut procs = Sessions::default();
    procs.spawn(&label("tuihost", "agent"), &wt, "sleep 600");
    let tmux = common::tmux::Tmux { socket: format!("swarmtop-hosts-{}", std::process::id()), root: None };
    let (ssh, remote) = (sshd.ssh_command(), Sshd::remote_command());
    let bin = env!("CARGO_BIN_EXE_swarmtop");
    let started = tmux.cmd(&[
        "new-session",
        "-d",
        "-x",
        "160",
        "-y",
        "45",
        "-s",
        "e2e",
        "-e",
        "XDG_CONFIG_HOME=/nonexistent",
        bin,
        "--host",
        HOST,
        "--ssh-command",
        &ssh,
        "--remote-command",
        &remote,
        "--refresh",
        "500",
    ]);
    assert!(started.status.success(), "{}", String::from_utf8_lossy(&started.stderr));
    tmux.wait_screen("the remote box connected", |s| s.contains("1/1 hosts"));
    // Everything collapsed: one row per box (a busy box's rows would fill the pane).
    tmux.keys(&["-"]);
    let screen = tmux.wait_screen("the host rows", |s| s.contains(&format!("{HOST}  connected")));
    assert!(screen.contains("this box"), "{screen}");
    tmux.keys(&["+"]);
    tmux.keys(&["/"]);
    tmux.keys(&["-l", &name]);
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_screen("the attempt on both boxes", |s| s.matches(&name).count() >= 3);
    assert!(screen.contains("this box"), "{screen}");
    tmux.keys(&["q"]);
    wait_for("the TUI to quit", Duration::from_secs(10), || {
        (!tmux.cmd(&["has-session", "-t", "e2e"]).status.success()).then_some(())
    });
}
