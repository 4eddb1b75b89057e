use proptest::prelude::*;

use super::*;

#[test]
fn a_literal_hello_reads_as_written() {
    let line = br#"{"type":"hello","protocol":1,"host":"box","version":"0.1.0","capabilities":["forest-delta","kill"],"read_only":false}"#;
    let hello = Hello {
        protocol: 1,
        host: "box".into(),
        version: "0.1.0".into(),
        capabilities: vec!["forest-delta".into(), "kill".into()],
        read_only: false,
    };
    assert_eq!(ServerMessage::decode(line), Ok(ServerMessage::Hello(hello.clone())));
    assert_eq!(ServerMessage::Hello(hello).encode().as_bytes(), [&line[..], b"\n"].concat());
}

#[test]
fn literal_requests_read_as_written() {
    let plan = br#"{"type":"plan","request":7,"kill":{"targets":["attempt:alpha/login/1a2b","pid:42"]}}"#;
    let want = ClientMessage::Plan {
        request: 7,
        kill: PlanRequest {
            targets: vec!["attempt:alpha/login/1a2b".parse().unwrap(), NodeId::Pid(42)],
            ..Default::default()
        },
    };
    assert_eq!(ClientMessage::decode(plan), Ok(want.clone()));
    assert_eq!(ClientMessage::decode(want.encode().as_bytes()), Ok(want));
    let execute =
        br#"{"type":"execute","request":8,"plan":"77.1-1","keys":[[42,900]],"signal":"term","grace_secs":5}"#;
    let want = ClientMessage::Execute {
        request: 8,
        plan: "77.1-1".into(),
        keys: vec![ProcKey::new(42, 900).unwrap()],
        signal: Sig::Term,
        grace_secs: 5,
    };
    assert_eq!(ClientMessage::decode(execute), Ok(want));
    assert_eq!(ClientMessage::decode(b"{\"type\":\"resync\"}\r\n"), Ok(ClientMessage::Resync));
}

#[test]
fn a_kill_request_carries_the_narrowing_the_command_line_builds() {
    let line = br#"{"type":"plan","request":1,"kill":{"targets":["pid:42"],"narrowing":{"keep_agents":true,"min_rss_bytes":1024}}}"#;
    let Ok(ClientMessage::Plan { kill, .. }) = ClientMessage::decode(line) else { panic!() };
    assert!(kill.narrowing.keep_agents && !kill.narrowing.mine);
    assert_eq!(kill.narrowing.min_rss_bytes, Some(1024));
    let unknown =
        br#"{"type":"plan","request":1,"kill":{"targets":["pid:42"],"narrowing":{"spare_everything":true}}}"#;
    assert!(matches!(ClientMessage::decode(unknown), Err(DecodeError::Malformed(_))));
}

#[test]
fn a_kill_option_the_server_does_not_know_is_refused_not_dropped() {
    let line = br#"{"type":"plan","request":1,"kill":{"targets":["pid:42"],"keep_agents":true}}"#;
    assert!(matches!(ClientMessage::decode(line), Err(DecodeError::Malformed(_))));
    let line =
        br#"{"type":"execute","request":1,"plan":"x","keys":[],"signal":"term","grace_secs":5,"force":1}"#;
    assert!(matches!(ClientMessage::decode(line), Err(DecodeError::Malformed(_))));
}

#[test]
fn malformed_lines_are_errors_never_panics() {
    for line in [
        &b""[..],
        b"\n",
        b"garbage",
        b"{}",
        br#"{"type":"nope"}"#,
        br#"{"type":"plan","request":1"#,
        br#"{"type":"plan","request":-1,"kill":{"targets":[]}}"#,
        br#"{"type":"plan","request":1,"kill":{"targets":["pid:0"]}}"#,
        br#"{"type":"execute","request":1,"plan":"x","keys":[[0,5]],"signal":"term","grace_secs":5}"#,
        br#"{"type":"execute","request":1,"plan":"x","keys":[],"signal":"sigfoo","grace_secs":5}"#,
        b"\xff\xfe{",
        br#"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["#,
    ] {
        assert!(ClientMessage::decode(line).is_err(), "{:?}", String::from_utf8_lossy(line));
        assert!(ServerMessage::decode(line).is_err(), "{:?}", String::from_utf8_lossy(line));
    }
    // A forest whose records are of the wrong shape.
    let bad =
        br#"{"type":"forest","seq":2,"base":1,"delta":{"header":{"host":"h"},"nodes":{"set":[[[1,2],{}]]}}}"#;
    assert!(ServerMessage::decode(bad).is_err());
    let long = vec![b' '; MAX_CLIENT_LINE + 1];
    assert_eq!(ClientMessage::decode(&long), Err(DecodeError::TooLong(MAX_CLIENT_LINE + 1)));
}

#[test]
fn a_group_id_of_the_wrong_kind_is_refused() {
    let line = br#"{"type":"forest","seq":1,"base":null,"delta":{"header":{"host":"h","sampled_at_ms":0,"ticks_per_second":100,"boot_time_secs":0,"self_pid":1,"totals":{"cpu_percent":0.0,"memory_bytes":0,"process_count":0,"orphan_count":0}},"projects":{"set":[["task:a/b",{"pos":0,"name":"a","path":"/a"}]]}}}"#;
    let e = ServerMessage::decode(line).unwrap_err();
    assert!(e.to_string().contains("is no ProjectId"), "{e}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_bytes_decode_without_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = ClientMessage::decode(&bytes);
        let _ = ServerMessage::decode(&bytes);
    }

    #[test]
    fn json_shaped_noise_decodes_without_panic(
        kind in "(hello|forest|plan|execute|refused|report|progress|status|error|cancel|pause|resync|x)",
        body in r#"[\{\}\[\]":,0-9a-z\- ]{0,80}"#,
    ) {
        let line = format!(r#"{{"type":"{kind}",{body}"#);
        let _ = ClientMessage::decode(line.as_bytes());
        let _ = ServerMessage::decode(line.as_bytes());
    }

    #[test]
    fn requests_round_trip(request in any::<u64>(), paused in any::<bool>(), pid in 1u32.., start in any::<u64>(), grace in any::<u64>(), id in "\\PC{0,20}") {
        for m in [
            ClientMessage::Pause { paused },
            ClientMessage::Cancel { request },
            ClientMessage::Execute { request, plan: id.clone(), keys: vec![ProcKey::new(pid, start).unwrap()], signal: Sig::Kill, grace_secs: grace },
            ClientMessage::Plan { request, kill: PlanRequest { targets: vec![NodeId::Tree(pid)], ..Default::default() } },
        ] {
            let line = m.encode();
            prop_assert!(line.ends_with('\n') && !line[..line.len() - 1].contains('\n'));
            prop_assert_eq!(ClientMessage::decode(line.as_bytes()), Ok(m));
        }
    }
}
