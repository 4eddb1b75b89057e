//! `swarmtop serve --stdio` spoken to directly (no ssh): its hello, a whole forest then
//! only changes, malformed lines answered and the connection kept, kills that are
//! refused unless they are exactly a plan it made (and never with --read-only), and
//! its end when stdin closes.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use serde_json::{Value, json};
use swarmtop::kill::sessions;

struct Serve {
    child: Child,
    input: Option<ChildStdin>,
    output: Option<BufReader<ChildStdout>>,
}

impl Serve {
    fn start(flags: &[&str]) -> Serve {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_swarmtop"));
        cmd.args(flags)
            .args(["serve", "--stdio", "--refresh", "200"])
            .env("XDG_CONFIG_HOME", "/nonexistent-swarmtop-test")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        sessions::in_new_session(&mut cmd);
        let mut child = cmd.spawn().expect("start serve");
        let input = child.stdin.take();
        let output = Some(BufReader::new(child.stdout.take().expect("stdout")));
        Serve { child, input, output }
    }

    fn send(&mut self, line: &str) {
        let input = self.input.as_mut().expect("stdin open");
        input.write_all(line.as_bytes()).and_then(|()| input.write_all(b"\n")).expect("write");
        input.flush().expect("flush");
    }

    fn next(&mut self) -> Value {
        let mut line = String::new();
        let output = self.output.as_mut().expect("stdout open");
        assert!(output.read_line(&mut line).expect("read") > 0, "serve ended");
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"))
    }

    /// The next message of `kind`, skipping forests and statuses.
    fn next_of(&mut self, kind: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            assert!(Instant::now() < deadline, "no {kind} message");
            let m = self.next();
            if m["type"] == kind {
                return m;
            }
        }
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        sessions::kill_sessions(&[self.child.id()], Duration::from_secs(10));
        let _ = self.child.wait();
    }
}

#[test]
fn it_says_hello_then_sends_a_whole_forest_then_only_changes() {
    let mut serve = Serve::start(&[]);
    let hello = serve.next();
    assert_eq!(hello["type"], "hello");
    assert_eq!(hello["protocol"], 1);
    assert_eq!(hello["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(hello["read_only"], false);
    assert!(hello["capabilities"].as_array().unwrap().contains(&json!("kill")));
    let first = serve.next_of("forest");
    assert_eq!((first["seq"].as_u64(), first["base"].as_null()), (Some(1), Some(())));
    assert!(first["delta"]["nodes"]["set"].as_array().is_some_and(|n| !n.is_empty()));
    let second = serve.next_of("forest");
    assert_eq!((second["seq"].as_u64(), second["base"].as_u64()), (Some(2), Some(1)));
    // Only what changed: no record the first forest had is sent again unchanged (the box
    // may be busy, so how many changed is not for this test to say).
    for table in ["facts", "nodes", "projects", "tasks", "attempts"] {
        let records = |m: &Value| -> Vec<(String, String)> {
            let set = m["delta"][table]["set"].as_array().cloned().unwrap_or_default();
            set.iter().map(|kv| (kv[0].to_string(), kv[1].to_string())).collect()
        };
        let before: std::collections::HashMap<String, String> = records(&first).into_iter().collect();
        for (key, record) in records(&second) {
            assert_ne!(before.get(&key), Some(&record), "{table} {key} was resent unchanged");
        }
    }
    // A whole forest again on request.
    serve.send(r#"{"type":"resync"}"#);
    // (A delta already on its way may come first.)
    let whole = (0..5).map(|_| serve.next_of("forest")).find(|f| f["base"].is_null());
    assert!(whole.is_some(), "no whole forest after a resync");
}

#[test]
fn a_malformed_line_is_answered_and_the_connection_stays() {
    let mut serve = Serve::start(&[]);
    serve.next_of("hello");
    for bad in ["garbage", "{}", r#"{"type":"plan","request":1,"kill":{"targets":["pid:1"],"mine":true}}"#] {
        serve.send(bad);
        let e = serve.next_of("error");
        assert!(e["message"].as_str().unwrap().starts_with("not a message"), "{e}");
    }
    serve.next_of("forest"); // planned on the forest it sent
    serve.send(r#"{"type":"plan","request":5,"kill":{"targets":["pid:1"]}}"#);
    let plan = serve.next_of("plan");
    assert_eq!(plan["request"], 5);
    assert_eq!(plan["plan"]["entries"].as_array().map(Vec::len), Some(0), "PID 1 is never planned");
}

#[test]
fn only_the_exact_plan_it_made_is_carried_out_and_only_once() {
    let tmp = tempfile::tempdir().unwrap();
    let alpha = repo(tmp.path(), "alpha");
    let wt = worktree(&alpha, &tmp.path().join("wt/5e5e-stale"), "vk/5e5e-stale");
    let mut procs = Sessions::default();
    let victim = procs.spawn(&label("stale", "victim"), &wt, "sleep 600");
    let mut serve = Serve::start(&[]);
    serve.next_of("hello");
    let target = format!("pid:{victim}");
    let plan = wait_for("a plan of the victim", Duration::from_secs(20), || {
        serve.send(&json!({"type": "plan", "request": 1, "kill": {"targets": [target]}}).to_string());
        loop {
            let m = serve.next();
            match m["type"].as_str() {
                Some("plan") => return Some(m),
                Some("refused") => return None, // not sampled yet
                _ => {}
            }
        }
    });
    let id = plan["id"].as_str().unwrap().to_string();
    let keys =
        plan["plan"]["entries"].as_array().unwrap().iter().map(|e| e["key"].clone()).collect::<Vec<_>>();
    assert_eq!(keys.len(), 1);
    let execute = |id: &str, keys: &Value, request: u64| {
        json!({"type": "execute", "request": request, "plan": id, "keys": keys, "signal": "kill", "grace_secs": 1})
            .to_string()
    };
    // Other processes than the plan's: refused, and the plan is gone for good.
    let other = json!([[victim, keys[0][1].as_u64().unwrap() + 1]]);
    serve.send(&execute(&id, &other, 2));
    let refused = serve.next_of("refused");
    assert!(refused["message"].as_str().unwrap().contains("nothing was signalled"), "{refused}");
    serve.send(&execute(&id, &json!(keys), 3));
    assert!(serve.next_of("refused")["message"].as_str().unwrap().contains("not known here"));
    // A plan of another serve (or an earlier connection): unknown here.
    serve.send(&execute("1.2-3", &json!(keys), 4));
    assert!(serve.next_of("refused")["message"].as_str().unwrap().contains("not known here"));
    assert!(alive(victim), "nothing was signalled");
    // A fresh plan, confirmed as shown: carried out.
    serve.send(&json!({"type": "plan", "request": 6, "kill": {"targets": [target]}}).to_string());
    let plan = serve.next_of("plan");
    // A signal that would only stop it, then SIGKILL it: refused, and the plan is kept.
    let stop = json!({"type": "execute", "request": 8, "plan": plan["id"], "keys": keys, "signal": "stop", "grace_secs": 1});
    serve.send(&stop.to_string());
    let refused = serve.next_of("refused");
    assert!(refused["message"].as_str().unwrap().contains("SIGSTOP is not a kill's signal"), "{refused}");
    assert!(alive(victim), "nothing was signalled");
    serve.send(&execute(plan["id"].as_str().unwrap(), &json!(keys), 7));
    let report = serve.next_of("report");
    assert_eq!(report["request"], 7);
    wait_for("the victim to die", Duration::from_secs(10), || (!alive(victim)).then_some(()));
}

#[test]
fn read_only_refuses_every_kill() {
    let mut serve = Serve::start(&["--read-only"]);
    assert_eq!(serve.next_of("hello")["read_only"], true);
    serve.send(r#"{"type":"plan","request":1,"kill":{"targets":["pid:1"]}}"#);
    assert!(serve.next_of("refused")["message"].as_str().unwrap().contains("read-only"));
    serve.send(r#"{"type":"execute","request":2,"plan":"x","keys":[],"signal":"kill","grace_secs":0}"#);
    assert!(serve.next_of("refused")["message"].as_str().unwrap().contains("read-only"));
}

#[test]
fn it_ends_quietly_when_stdin_closes() {
    let mut serve = Serve::start(&[]);
    serve.next_of("forest");
    drop(serve.input.take());
    // Keep reading (as ssh does), so no write of it blocks on a full pipe.
    let mut output = serve.output.take().expect("stdout");
    let drain = std::thread::spawn(move || std::io::copy(&mut output, &mut std::io::sink()));
    let status = wait_for("serve to end", Duration::from_secs(10), || serve.child.try_wait().unwrap());
    assert_eq!(status.code(), Some(0));
    drain.join().unwrap().unwrap();
}
