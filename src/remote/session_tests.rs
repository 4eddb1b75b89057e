use super::*;
use crate::associate::{Options, associate};
use crate::model::fixture::swarm_snapshot;
use crate::remote::delta::ForestDelta;

const HELLO: &[u8] = br#"{"type":"hello","protocol":1,"host":"box","version":"9.9.9","capabilities":["forest-delta","kill"],"read_only":false}"#;

fn forest_line(seq: u64, base: Option<(u64, &WireForest)>, new: &WireForest) -> Vec<u8> {
    let delta = ForestDelta::between(base.map(|(_, w)| w), new);
    ServerMessage::Forest { seq, base: base.map(|(n, _)| n), delta: Box::new(delta) }.encode().into_bytes()
}

fn wire() -> (Forest, WireForest) {
    let f = associate(&swarm_snapshot(), &Options::default());
    let w = WireForest::of(&f);
    (f, w)
}

#[test]
fn the_first_line_must_be_a_hello_of_this_protocol() {
    let mut s = Session::default();
    let e = s.on_line(b"bash: swarmtop: command not found\n").unwrap_err();
    assert!(
        matches!(&e, Problem::Fatal(m) if m.contains("did not answer with swarmtop's hello") && m.contains("command not found")),
        "{e}"
    );
    let mut s = Session::default();
    let other = br#"{"type":"hello","protocol":2,"host":"box","version":"3.0.0","capabilities":[],"read_only":false}"#;
    let e = s.on_line(other).unwrap_err();
    assert!(
        matches!(&e, Problem::Fatal(m) if m.contains("swarmtop 3.0.0 (protocol 2)") && m.contains("protocol 1")),
        "{e}"
    );
    let mut s = Session::default();
    assert!(matches!(s.on_line(HELLO), Ok(Update::Hello(h)) if h.host == "box"));
    assert!(s.kills());
}

#[test]
fn a_hostile_first_line_is_quoted_escaped_and_short() {
    let mut s = Session::default();
    let line = [&b"\x1b]0;pwned\x07"[..], &[b'x'; 5000]].concat();
    let Err(Problem::Fatal(m)) = s.on_line(&line) else { panic!() };
    assert!(!m.contains('\x1b') && !m.contains('\x07') && m.len() < 400, "{m}");
}

#[test]
fn forests_apply_in_order_and_a_lost_step_asks_for_a_whole_one() {
    let (forest, w) = wire();
    let mut s = Session::default();
    s.on_line(HELLO).unwrap();
    let delta_first = forest_line(2, Some((1, &w)), &w);
    assert!(matches!(s.on_line(&delta_first), Err(Problem::Resync(m)) if m.contains("holds none")));
    assert_eq!(s.on_line(&forest_line(1, None, &w)), Ok(Update::Forest(Arc::new(forest.clone()))));
    assert_eq!(s.on_line(&forest_line(2, Some((1, &w)), &w)), Ok(Update::Forest(Arc::new(forest.clone()))));
    // Forest 3 went missing: 4 does not apply, and nothing applies until a whole one.
    assert!(matches!(s.on_line(&forest_line(4, Some((3, &w)), &w)), Err(Problem::Resync(_))));
    assert!(matches!(s.on_line(&forest_line(5, Some((4, &w)), &w)), Err(Problem::Resync(_))));
    assert_eq!(s.on_line(&forest_line(6, None, &w)), Ok(Update::Forest(Arc::new(forest))));
}

#[test]
fn a_malformed_message_keeps_the_connection_and_drops_the_forest_it_may_have_changed() {
    let (forest, w) = wire();
    let mut s = Session::default();
    s.on_line(HELLO).unwrap();
    s.on_line(&forest_line(1, None, &w)).unwrap();
    assert!(matches!(s.on_line(b"{\"type\":\"forest\",\"seq\":2,"), Err(Problem::Resync(_))));
    assert!(matches!(s.on_line(&forest_line(3, Some((2, &w)), &w)), Err(Problem::Resync(_))));
    assert_eq!(s.on_line(&forest_line(4, None, &w)), Ok(Update::Forest(Arc::new(forest))));
    let e = s.on_line(br#"{"type":"error","message":"not a message: \u001b[2J"}"#).unwrap_err();
    assert!(matches!(&e, Problem::Reported(m) if !m.contains('\x1b')), "{e}");
    assert!(matches!(s.on_line(HELLO), Err(Problem::Reported(_))));
}

#[test]
fn tables_that_make_no_forest_ask_for_a_whole_one() {
    let (_, mut w) = wire();
    let key = *w.nodes.keys().next().unwrap();
    w.nodes.get_mut(&key).unwrap().place = crate::remote::wire::Place::Child(key);
    let mut s = Session::default();
    s.on_line(HELLO).unwrap();
    assert!(matches!(s.on_line(&forest_line(1, None, &w)), Err(Problem::Resync(m)) if m.contains("loop")));
}

#[test]
fn a_read_only_server_does_no_kills() {
    let mut s = Session::default();
    let line = br#"{"type":"hello","protocol":1,"host":"box","version":"1","capabilities":["kill"],"read_only":true}"#;
    s.on_line(line).unwrap();
    assert!(!s.kills());
    let mut s = Session::default();
    s.on_line(
        br#"{"type":"hello","protocol":1,"host":"box","version":"1","capabilities":[],"read_only":false}"#,
    )
    .unwrap();
    assert!(!s.kills(), "no kill capability");
}
