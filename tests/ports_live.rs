//! Listening ports of real processes in temp worktrees, through the built binary:
//! attribution per process (a socket passed to a child belongs to both), roll-up per
//! attempt, `ports`, `list --port`, another network namespace, and another user's view.
//! Every port is ephemeral (bound to 0 and read back), every process in a session of
//! its own.

mod common;

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use common::listener::{bound, listener_command};
use common::sentinel;
use common::*;
use serde_json::Value;

const WAIT: Duration = Duration::from_secs(15);

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_swarmtop")
}

fn run(cmd: &mut Command) -> Output {
    cmd.env("XDG_CONFIG_HOME", "/nonexistent-swarmtop-test")
        .stdin(Stdio::null())
        .output()
        .expect("run swarmtop")
}

fn json(out: &Output) -> Value {
    json_of(out)
}

/// (proto, addr, port) of a JSON `ports` array.
fn triples(ports: &Value) -> Vec<(String, String, u16)> {
    let mut v: Vec<_> = ports
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {ports}"))
        .iter()
        .map(|p| {
            (
                p["proto"].as_str().unwrap().to_string(),
                p["addr"].as_str().unwrap().to_string(),
                p["port"].as_u64().unwrap() as u16,
            )
        })
        .collect();
    v.sort();
    v
}

fn sorted(mut v: Vec<(String, String, u16)>) -> Vec<(String, String, u16)> {
    v.sort();
    v
}

fn skip_without_python() -> bool {
    if sentinel::available() {
        return false;
    }
    println!("SKIPPED: the listeners need python3");
    true
}

struct TwoAttempts {
    tmp: tempfile::TempDir,
    wt_a: PathBuf,
    wt_b: PathBuf,
}

fn two_attempts(name: &str) -> TwoAttempts {
    let tmp = tempfile::tempdir().unwrap();
    let r = repo(tmp.path(), &format!("{name}{}", std::process::id()));
    let wt_a = worktree(&r, &tmp.path().join("wt-a"), &format!("{name}-a"));
    let wt_b = worktree(&r, &tmp.path().join("wt-b"), &format!("{name}-b"));
    TwoAttempts { tmp, wt_a, wt_b }
}

#[test]
fn ports_belong_to_their_holders_roll_up_per_attempt_and_filter_lists() {
    if skip_without_python() {
        return;
    }
    let t = two_attempts("portsown");
    let mut procs = Sessions::default();
    let (la, lb, quiet) = (label("own", "a"), label("own", "b"), label("own", "quiet"));
    let out_a = t.tmp.path().join("a.ports");
    let specs = ["tcp,127.0.0.1,0", "tcp,::1,0", "udp,127.0.0.1,0", "fork"];
    let pid_a = procs.spawn(&la, &t.wt_a, &listener_command(&la, "", &out_a, &specs));
    procs.spawn(&quiet, &t.wt_a, "sleep 600 & wait");
    let ports_a = bound(&out_a);
    let shared_port = ports_a[0].2;
    // The same port number on another address, in the sibling attempt.
    let out_b = t.tmp.path().join("b.ports");
    let spec_b = format!("tcp,127.0.0.2,{shared_port}");
    let pid_b = procs.spawn(&lb, &t.wt_b, &listener_command(&lb, "", &out_b, &[&spec_b]));
    let ports_b = bound(&out_b);
    assert_eq!(ports_b[0].2, shared_port);

    let root = t.tmp.path().to_str().unwrap();
    let doc = wait_for("both listeners with their ports", WAIT, || {
        let doc = json(&run(Command::new(bin()).args(["list", "--json", "--filter", root])));
        let listed = json_processes(&doc);
        let with_ports = listed.iter().filter(|(_, p)| p["ports"].as_array().is_some_and(|a| !a.is_empty()));
        (with_ports.count() == 3).then_some(doc)
    });
    let listed = json_processes(&doc);
    let of = |pred: &dyn Fn(&Value) -> bool| -> Vec<(String, Value)> {
        listed.iter().filter(|(_, p)| pred(p)).cloned().collect()
    };
    let parent = of(&|p| p["pid"] == pid_a);
    let child = of(&|p| p["ppid"] == pid_a && p["cmd"][0] == la.as_str());
    let b = of(&|p| p["pid"] == pid_b);
    let q = of(&|p| p["cmd"][0] == "sleep");
    let (id_a, id_b) = (parent[0].0.clone(), b[0].0.clone());
    assert_ne!(id_a, id_b);
    assert_eq!(triples(&parent[0].1["ports"]), sorted(ports_a.clone()), "the listener: {}", parent[0].1);
    assert_eq!(
        triples(&child[0].1["ports"]),
        sorted(ports_a.clone()),
        "a socket passed to a child: both hold it"
    );
    assert_eq!(triples(&b[0].1["ports"]), ports_b);
    assert_eq!(q[0].1["ports"], Value::Array(vec![]), "a process without sockets listens on nothing");
    let attempt = |id: &str| -> Value {
        doc["projects"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|p| p["tasks"].as_array().cloned().unwrap_or_default())
            .flat_map(|t| t["attempts"].as_array().cloned().unwrap_or_default())
            .find(|a| a["id"] == id)
            .unwrap()
    };
    assert_eq!(triples(&attempt(&id_a)["ports"]), sorted(ports_a.clone()), "the attempt's union");
    assert_eq!(triples(&attempt(&id_b)["ports"]), ports_b);

    // `ports`: both holders of the shared port number, each with its attempt.
    let table = json(&run(Command::new(bin()).args(["ports", "--json"])));
    let rows: Vec<&Value> =
        table["ports"].as_array().unwrap().iter().filter(|r| r["port"] == shared_port).collect();
    let mut holders: Vec<(u64, String, String)> = rows
        .iter()
        .map(|r| {
            (
                r["pid"].as_u64().unwrap(),
                r["addr"].as_str().unwrap().into(),
                r["attempt"].as_str().unwrap().into(),
            )
        })
        .collect();
    holders.sort();
    let child_pid = child[0].1["pid"].as_u64().unwrap();
    let mut want = vec![
        (u64::from(pid_a), "127.0.0.1".to_string(), id_a.clone()),
        (child_pid, "127.0.0.1".to_string(), id_a.clone()),
        (u64::from(pid_b), "127.0.0.2".to_string(), id_b.clone()),
    ];
    want.sort();
    assert_eq!(holders, want);
    let text = String::from_utf8(run(Command::new(bin()).args(["ports"])).stdout).unwrap();
    let lines: Vec<&str> =
        text.lines().filter(|l| l.split_whitespace().next() == Some(&shared_port.to_string())).collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines.iter().any(|l| l.contains(&id_b) && l.contains("127.0.0.2")), "{text}");

    // `list --port`: only the holders (and their ancestors), not the quiet sibling.
    let port = shared_port.to_string();
    let only = json(&run(Command::new(bin()).args(["list", "--json", "--filter", root, "--port", &port])));
    let mut pids: Vec<u64> = json_processes(&only).iter().map(|(_, p)| p["pid"].as_u64().unwrap()).collect();
    pids.sort();
    let mut want: Vec<u64> = vec![pid_a.into(), child_pid, pid_b.into()];
    want.sort();
    assert_eq!(pids, want);
    let udp = ports_a.iter().find(|p| p.0 == "udp").unwrap().2.to_string();
    let only_udp = json(&run(Command::new(bin()).args(["list", "--json", "--filter", root, "--port", &udp])));
    let mut pids: Vec<u64> =
        json_processes(&only_udp).iter().map(|(_, p)| p["pid"].as_u64().unwrap()).collect();
    pids.sort();
    let mut want: Vec<u64> = vec![pid_a.into(), child_pid];
    want.sort();
    assert_eq!(pids, want, "the UDP port's holders");
    for bad in ["0", "65536", "x"] {
        let out = run(Command::new(bin()).args(["list", "--port", bad]));
        assert_eq!(out.status.code(), Some(2), "--port {bad}");
    }
}

#[test]
fn a_listener_in_another_network_namespace_is_found() {
    if skip_without_python() {
        return;
    }
    if !Command::new("unshare").args(["-n", "true"]).status().is_ok_and(|s| s.success()) {
        println!("SKIPPED: `unshare -n` is not permitted here (it needs CAP_SYS_ADMIN)");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let mut procs = Sessions::default();
    let name = label("netns", "listener");
    let out = tmp.path().join("ns.ports");
    // Its loopback is down: 0.0.0.0 is what binds there.
    let pid =
        procs.spawn(&name, tmp.path(), &listener_command(&name, "unshare -n", &out, &["tcp,0.0.0.0,0"]));
    let port = bound(&out)[0].2;
    let row = wait_for("the namespaced listener in ports --json", WAIT, || {
        let table = json(&run(Command::new(bin()).args(["ports", "--json"])));
        table["ports"].as_array()?.iter().find(|r| r["pid"] == pid && r["port"] == port).cloned()
    });
    assert_eq!(row["addr"], "0.0.0.0");
    assert_eq!(row["group"], "other", "{row}");
}

#[test]
fn another_users_view_shows_unreadable_sockets_as_unknown_never_none() {
    if skip_without_python() {
        return;
    }
    if !rustix::process::geteuid().is_root() || Command::new("setpriv").arg("--version").output().is_err() {
        println!("SKIPPED: needs root and setpriv to look at a root-owned listener as another user");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let mut procs = Sessions::default();
    let name = label("unreadable", "listener");
    let out = tmp.path().join("u.ports");
    let pid = procs.spawn(&name, tmp.path(), &listener_command(&name, "", &out, &["tcp,127.0.0.1,0"]));
    let port = bound(&out)[0].2;
    let as_nobody = |args: &[&str]| {
        json(&run(Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", bin()])
            .args(args)
            .env("HOME", "/nonexistent")))
    };
    let table = as_nobody(&["ports", "--json"]);
    let rows: Vec<&Value> = table["ports"].as_array().unwrap().iter().filter(|r| r["port"] == port).collect();
    assert_eq!(rows.len(), 1, "{table}");
    assert_eq!(rows[0]["pid"], Value::Null, "the holder cannot be read: {}", rows[0]);
    let doc = as_nobody(&["list", "--json", "--all"]);
    let me = json_processes(&doc).into_iter().find(|(_, p)| p["pid"] == pid).expect("listed");
    assert_eq!(me.1["ports"], Value::Null, "unreadable, not empty: {}", me.1);
}
