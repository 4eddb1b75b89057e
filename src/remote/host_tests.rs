use super::*;

fn spec(s: &str) -> HostSpec {
    s.parse().unwrap()
}

#[test]
fn hosts_read_as_user_host_and_port() {
    assert_eq!(spec("box"), HostSpec { name: "box".into(), destination: "box".into(), port: None });
    assert_eq!(spec("me@box:2222").destination, "me@box");
    assert_eq!(spec("me@box:2222").port, Some(2222));
    assert_eq!(spec("[::1]:22").destination, "::1");
    assert_eq!(spec("[::1]:22").port, Some(22));
    assert_eq!(spec("fe80::1").port, None, "a bare IPv6 address has no port");
    assert_eq!(spec("me@box:2222").name, "me@box:2222");
}

#[test]
fn a_host_cannot_smuggle_an_ssh_option_or_a_command() {
    for bad in [
        "",
        "-oProxyCommand=evil",
        "me@-x",
        "a b",
        "box\n",
        "a/b",
        "@box",
        "me@",
        "box:0",
        "box:70000",
        "box:x",
        "box:022",
        "[::1",
    ] {
        assert!(bad.parse::<HostSpec>().is_err(), "{bad:?}");
    }
}

#[test]
fn the_ssh_command_line_puts_the_port_before_the_destination() {
    let ssh: Vec<String> = DEFAULT_SSH.split(' ').map(String::from).collect();
    assert_eq!(
        ssh_argv(&ssh, &spec("me@box:2222"), DEFAULT_REMOTE, 1000),
        ["ssh", "-T", "-o", "BatchMode=yes", "-p", "2222", "me@box", "swarmtop serve --stdio --refresh 1000"]
    );
}

#[test]
fn a_failure_says_what_ssh_said_or_what_is_missing() {
    let h = spec("box");
    let lines = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let not_installed =
        failure_reason(&h, Some(127), &lines(&["bash: line 1: swarmtop: command not found"]), "HINT");
    assert!(
        not_installed.contains("not installed on box") && not_installed.ends_with("HINT"),
        "{not_installed}"
    );
    let sh = failure_reason(&h, Some(127), &lines(&["sh: 1: swarmtop: not found"]), "HINT");
    assert!(sh.contains("not installed"), "{sh}");
    let key = failure_reason(&h, Some(255), &lines(&["Host key verification failed."]), "HINT");
    assert_eq!(key, "Host key verification failed.");
    let dns = lines(&["ssh: Could not resolve hostname nosuch.invalid: Name or service not known", ""]);
    assert!(failure_reason(&h, Some(255), &dns, "HINT").starts_with("ssh: Could not resolve hostname"));
    assert_eq!(failure_reason(&h, Some(1), &[], "HINT"), "ssh exited with status 1");
    let hostile = failure_reason(&h, Some(255), &lines(&["\x1b[2Jgone"]), "HINT");
    assert!(!hostile.contains('\x1b'), "{hostile}");
}

#[test]
fn backoff_doubles_up_to_a_cap() {
    let secs: Vec<u64> = (1..=8).map(|n| backoff(n, true).as_secs()).collect();
    assert_eq!(secs, [1, 2, 4, 8, 16, 30, 30, 30]);
    assert_eq!(backoff(8, false).as_secs(), 60);
}

#[test]
fn statuses_read_as_a_user_sees_them() {
    let now = 1_700_000_000_000;
    assert_eq!(HostStatus::Stale { since_ms: now }.text(now), "stale since 22:13:20 UTC");
    let r = HostStatus::Reconnecting { reason: "connection lost".into(), at_ms: now + 3500 };
    assert_eq!(r.text(now), "reconnecting in 4 s: connection lost");
    let f = HostStatus::Failed { reason: "Host key verification failed.".into(), retry_at_ms: now + 60_000 };
    assert_eq!(f.text(now), "failed: Host key verification failed. (retry in 60 s)");
}
