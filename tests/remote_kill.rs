//! Kills on another box, against a real OpenSSH server: planned and carried out there,
//! exactly the plan shown; a plan from before a reconnect is refused; a connection lost
//! mid-kill gives "unknown outcome" and no retry; a read-only far side refuses.

mod common;

use std::process::{Command, Stdio};
use std::time::Duration;

use common::links::{FAST, Links, signal};
use common::sentinel::{self, Sentinel};
use common::sshd::{HOST, Sshd, sshd};
use common::*;
use rustix::process::Signal;
use serde_json::Value;
use swarmtop::kill::exec::{Outcome, Sig};
use swarmtop::model::NodeId;
use swarmtop::remote::host::HostStatus;
use swarmtop::remote::link::{LinkCommand, Update};
use swarmtop::remote::protocol::PlanRequest;

/// Two attempts of one repository; `b` holds a sentinel.
struct Box2 {
    tmp: tempfile::TempDir,
    a: std::path::PathBuf,
    b: std::path::PathBuf,
}

fn two_attempts(tag: &str) -> Box2 {
    let tmp = tempfile::tempdir().unwrap();
    let repo = repo(tmp.path(), &format!("rk{}{tag}", std::process::id()));
    let a = worktree(&repo, &tmp.path().join(format!("wt/1a1a-{tag}a")), &format!("vk/1a1a-{tag}a"));
    let b = worktree(&repo, &tmp.path().join(format!("wt/2b2b-{tag}b")), &format!("vk/2b2b-{tag}b"));
    Box2 { tmp, a, b }
}

fn plan_of(
    links: &mut Links,
    i: usize,
    request: u64,
    target: &str,
) -> (String, Box<swarmtop::kill::plan::KillPlan>) {
    let target: NodeId = target.parse().unwrap();
    wait_for("a plan", Duration::from_secs(30), || {
        let kill = PlanRequest { targets: vec![target.clone()], ..Default::default() };
        links.links[i].send(LinkCommand::Plan { request, kill });
        match links.until("plan or refusal", Duration::from_secs(20), |j, u| {
            j == i && matches!(u, Update::Plan { request: r, .. } | Update::Refused { request: r, .. } if *r == request)
        }) {
            Update::Plan { id, plan, .. } => Some((id, plan)),
            _ => {
                std::thread::sleep(Duration::from_millis(200));
                None
            }
        }
    })
}

#[test]
fn kill_host_kills_the_remote_attempt_and_spares_its_sibling() {
    let Some(sshd) = sshd() else { return };
    if !sentinel::available() {
        println!("skipped: sentinels need python3");
        return;
    }
    let b2 = two_attempts("cli");
    let mut procs = Sessions::default();
    let victim = procs.spawn(&label("rkcli", "agent"), &b2.a, "sleep 600 & sleep 600 & wait");
    let s = Sentinel::new(&label("rkcli", "sibling"), b2.tmp.path());
    let spared = s.spawn(&mut procs, &b2.b);
    wait_for("the sentinel", Duration::from_secs(10), || s.ready().then_some(()));
    let attempt = wait_for("the attempt id", Duration::from_secs(10), || {
        attempt_at(&sample_forest(&mut live_sampler()), &b2.a)
    });
    let out = Command::new(env!("CARGO_BIN_EXE_swarmtop"))
        .args(["kill", "--host", HOST, "--yes", "--json", "--grace", "2", &attempt])
        .args(["--ssh-command", &sshd.ssh_command(), "--remote-command", &Sshd::remote_command()])
        .env("XDG_CONFIG_HOME", "/nonexistent-swarmtop-test")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"));
    assert_eq!(out.status.code(), Some(0), "{doc:#} {stderr}");
    assert_eq!(doc["host"], HOST);
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/kill-schema-1.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let errors: Vec<String> =
        jsonschema::draft202012::new(&schema).unwrap().iter_errors(&doc).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(doc["scope"][0], attempt);
    assert_eq!(doc["processes"].as_array().map(Vec::len), Some(3), "{doc:#}");
    wait_for("the attempt's processes to die", Duration::from_secs(10), || {
        (!alive(victim) && processes_under(&b2.a).is_empty()).then_some(())
    });
    assert!(alive(spared), "the sibling attempt's sentinel lives");
    assert!(s.received().is_empty(), "the sentinel received {:?}", s.received());
}

#[test]
fn a_plan_made_before_a_reconnect_is_refused_and_nothing_is_signalled() {
    let Some(sshd) = sshd() else { return };
    let b2 = two_attempts("stale");
    let mut procs = Sessions::default();
    let victim = procs.spawn(&label("rkstale", "agent"), &b2.a, "sleep 600");
    let mut links = Links::new();
    let i = links.add(sshd, HOST, None, FAST);
    links.forest(i);
    let (id, plan) = plan_of(&mut links, i, 1, &format!("pid:{victim}"));
    assert_eq!(plan.entries.len(), 1);
    // The connection goes and comes back: a new serve, which never made that plan.
    signal(links.links[i].ssh_pid().unwrap(), Signal::KILL);
    links.until("connected again", Duration::from_secs(30), |j, u| {
        j == i && matches!(u, Update::Status(s) if s.is_connected())
    });
    links.links[i].send(LinkCommand::Execute { request: 2, id, plan, signal: Sig::Kill, grace_secs: 0 });
    let refused = links.until("the refusal", Duration::from_secs(20), |j, u| {
        j == i && matches!(u, Update::Refused { request: 2, .. } | Update::Report { request: 2, .. })
    });
    assert!(
        matches!(&refused, Update::Refused { message, .. } if message.contains("not known here") && message.contains("nothing was signalled")),
        "{refused:?}"
    );
    std::thread::sleep(Duration::from_millis(300));
    assert!(alive(victim), "nothing was signalled");
}

#[test]
fn a_connection_lost_mid_kill_reports_unknown_outcome_and_never_retries() {
    let Some(sshd) = sshd() else { return };
    let b2 = two_attempts("drop");
    let mut procs = Sessions::default();
    // Ignores SIGTERM: the kill waits out its grace, and the connection goes meanwhile.
    let victim = procs.spawn(&label("rkdrop", "agent"), &b2.a, "trap '' TERM; while :; do sleep 1; done");
    let mut links = Links::new();
    let i = links.add(sshd, HOST, None, FAST);
    links.forest(i);
    let (id, plan) = plan_of(&mut links, i, 1, &format!("pid:{victim}"));
    links.links[i].send(LinkCommand::Execute { request: 2, id, plan, signal: Sig::Term, grace_secs: 30 });
    links.until("the kill running", Duration::from_secs(20), |j, u| {
        j == i && matches!(u, Update::Progress { request: 2, .. })
    });
    signal(links.links[i].ssh_pid().unwrap(), Signal::KILL);
    let report = links.until("the report", Duration::from_secs(20), |j, u| {
        j == i && matches!(u, Update::Report { request: 2, .. })
    });
    let Update::Report { report, .. } = report else { unreachable!() };
    assert!(
        !report.outcomes.is_empty() && report.outcomes.iter().all(|(_, o)| *o == Outcome::Unknown),
        "{report:?}"
    );
    assert!(report.warnings.iter().any(|w| w.contains("not retried")), "{:?}", report.warnings);
    assert_eq!(report.exit_code(), 1);
    links.until("connected again", Duration::from_secs(30), |j, u| {
        j == i && matches!(u, Update::Status(HostStatus::Connected))
    });
    let seen = links.seen.len();
    std::thread::sleep(Duration::from_secs(1));
    links.until("a forest", Duration::from_secs(10), |j, u| j == i && matches!(u, Update::Forest(_)));
    let more_reports = links.seen[seen..].iter().filter(|(_, u)| matches!(u, Update::Report { .. })).count();
    assert_eq!(more_reports, 0, "one report, no retry");
}

#[test]
fn a_read_only_far_side_refuses_kills() {
    let Some(sshd) = sshd() else { return };
    let mut links = Links::new();
    let remote = format!("{} --read-only", Sshd::remote_command());
    let i = links.add(sshd, HOST, Some(&remote), FAST);
    links.forest(i);
    links.links[i].send(LinkCommand::Plan {
        request: 1,
        kill: PlanRequest { targets: vec![NodeId::Pid(1)], ..Default::default() },
    });
    let refused = links.until("the refusal", Duration::from_secs(20), |j, u| {
        j == i && matches!(u, Update::Refused { request: 1, .. })
    });
    assert!(
        matches!(&refused, Update::Refused { message, .. } if message.contains("read-only")),
        "{refused:?}"
    );
}
