//! Faults of a remote box, each against a real OpenSSH server: the ssh connection
//! killed, the far side's serve killed, a far side that stalls (SIGSTOP) — each shows
//! the right status, never holds up the other host, and reconnects.

mod common;

use std::time::Duration;

use common::links::{FAST, Links, Stopped, signal};
use common::sshd::{HOST, SECOND, sshd};
use rustix::process::Signal;
use swarmtop::remote::host::HostStatus;
use swarmtop::remote::link::Update;

fn is_status(i: usize, want: usize, u: &Update, f: impl Fn(&HostStatus) -> bool) -> bool {
    i == want && matches!(u, Update::Status(s) if f(s))
}

#[test]
fn a_killed_ssh_connection_reconnects_and_the_other_host_keeps_updating() {
    let Some(sshd) = sshd() else { return };
    let mut links = Links::new();
    let a = links.add(sshd, HOST, None, FAST);
    let b = links.add(sshd, SECOND, None, FAST);
    let first = links.forest(a).self_pid;
    links.forest(b);
    let ssh = links.links[a].ssh_pid().expect("an ssh process");
    signal(ssh, Signal::KILL);
    let status = links.until("reconnecting", Duration::from_secs(20), |i, u| {
        is_status(i, a, u, |s| matches!(s, HostStatus::Reconnecting { .. }))
    });
    let Update::Status(HostStatus::Reconnecting { reason, .. }) = status else { unreachable!() };
    assert!(!reason.is_empty());
    links.until("connected again", Duration::from_secs(30), |i, u| {
        is_status(i, a, u, HostStatus::is_connected)
    });
    let again = links.forest(a).self_pid;
    assert_ne!(again, first, "a new serve on the far side");
    assert_ne!(links.links[a].ssh_pid(), Some(ssh));
    let b_forests = links.seen.iter().filter(|(i, u)| *i == b && matches!(u, Update::Forest(_))).count();
    assert!(b_forests >= 3, "the other host kept updating: {b_forests} forests");
}

#[test]
fn a_killed_serve_on_the_far_side_reconnects() {
    let Some(sshd) = sshd() else { return };
    let mut links = Links::new();
    let a = links.add(sshd, HOST, None, FAST);
    let serve = links.forest(a).self_pid;
    signal(serve, Signal::KILL);
    links.until("reconnecting", Duration::from_secs(20), |i, u| {
        is_status(i, a, u, |s| matches!(s, HostStatus::Reconnecting { .. }))
    });
    links.until("connected again", Duration::from_secs(30), |i, u| {
        is_status(i, a, u, HostStatus::is_connected)
    });
    assert_ne!(links.forest(a).self_pid, serve);
}

#[test]
fn a_stalled_far_side_goes_stale_comes_back_and_is_dropped_when_it_stays_stalled() {
    let Some(sshd) = sshd() else { return };
    let mut links = Links::new();
    let a = links.add(sshd, HOST, None, FAST);
    let b = links.add(sshd, SECOND, None, FAST);
    let serve = links.forest(a).self_pid;
    links.forest(b);
    {
        let _stopped = Stopped::stop(serve);
        let stale = links.until("stale", Duration::from_secs(20), |i, u| {
            is_status(i, a, u, |s| matches!(s, HostStatus::Stale { .. }))
        });
        assert!(matches!(stale, Update::Status(HostStatus::Stale { since_ms }) if since_ms > 0));
        // The other host keeps updating while this one is stalled.
        links.until("a forest of the other host", Duration::from_secs(20), |i, u| {
            i == b && matches!(u, Update::Forest(_))
        });
    } // continued here
    links.until("connected again", Duration::from_secs(20), |i, u| {
        is_status(i, a, u, HostStatus::is_connected)
    });
    assert_eq!(links.forest(a).self_pid, serve, "the same serve, resumed");

    // Stalled for longer than FAST.drop_after: dropped and reconnected to a new serve.
    let _stopped = Stopped::stop(serve);
    let lost = links.until("reconnecting", Duration::from_secs(30), |i, u| {
        is_status(i, a, u, |s| matches!(s, HostStatus::Reconnecting { .. }))
    });
    assert!(
        matches!(&lost, Update::Status(HostStatus::Reconnecting { reason, .. }) if reason.contains("stalls")),
        "{lost:?}"
    );
    links.until("connected again", Duration::from_secs(30), |i, u| {
        is_status(i, a, u, HostStatus::is_connected)
    });
    assert_ne!(links.forest(a).self_pid, serve);
}
