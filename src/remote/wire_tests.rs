use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

use super::*;
use crate::associate::{Options, associate};
use crate::model::fixture::{ProcessExt, linked_worktree, process, snapshot, swarm_snapshot};

fn swarm() -> Forest {
    let mut s = swarm_snapshot();
    // Unassigned trees and shared services travel too.
    s.processes.push(process(7001, 1, "stray"));
    s.processes.push(process(7002, 7001, "stray-child"));
    s.processes.push(process(7003, 1, "codex app-server --managed-daemon"));
    associate(&s, &Options { agents: vec!["worker".into()], ..Options::default() })
}

/// Through the wire as JSON, as a client reads it.
fn through_json(w: &WireForest) -> WireForest {
    let delta = crate::remote::delta::ForestDelta::between(None, w);
    let text = serde_json::to_string(&delta).unwrap();
    let mut back = WireForest::default();
    serde_json::from_str::<crate::remote::delta::ForestDelta>(&text).unwrap().apply(&mut back);
    back
}

#[test]
fn a_forest_comes_back_exactly_from_its_tables() {
    let forest = swarm();
    assert!(forest.attempt_count() > 2 && !forest.unassigned.is_empty() && !forest.shared.is_empty());
    let w = WireForest::of(&forest);
    assert_eq!(w.to_forest().unwrap(), forest);
    assert_eq!(through_json(&w).to_forest().unwrap(), forest);
}

#[test]
fn paths_and_names_that_are_not_utf8_survive_the_wire() {
    let odd = OsStr::from_bytes(b"/wt/ab\xff-x/p").to_str().map(str::to_string);
    assert!(odd.is_none());
    let mut p = process(40, 1, "worker").cwd("/wt/abcd-x/p");
    p.cwd = Some(std::sync::Arc::from(std::path::Path::new(OsStr::from_bytes(b"/wt/abcd-x/p\xff"))));
    let forest = associate(
        &snapshot(vec![p], vec![linked_worktree("/wt/abcd-x/p", "/src/p", "vk/abcd-x")]),
        &Options::default(),
    );
    let w = WireForest::of(&forest);
    assert_eq!(through_json(&w).to_forest().unwrap(), forest);
}

#[test]
fn a_100000_deep_chain_crosses_the_wire_on_a_small_stack() {
    let depth = 100_000u32;
    let procs = (1000..1000 + depth)
        .map(|pid| process(pid, if pid == 1000 { 1 } else { pid - 1 }, "link").cwd("/wt/abcd-deep/p"))
        .collect();
    let forest = associate(
        &snapshot(procs, vec![linked_worktree("/wt/abcd-deep/p", "/src/p", "vk/abcd-deep")]),
        &Options::default(),
    );
    let thread = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || {
            let back = through_json(&WireForest::of(&forest)).to_forest().map_err(|e| e.to_string());
            (back == Ok(forest.clone()), forest.totals.process_count)
        })
        .unwrap();
    assert_eq!(thread.join().unwrap(), (true, depth));
}

fn tables() -> WireForest {
    WireForest::of(&swarm())
}

#[test]
fn tables_that_make_no_forest_are_errors_not_panics() {
    let mut w = tables();
    let (&child, _) = w.nodes.iter().find(|(_, n)| matches!(n.place, Place::Child(_))).unwrap();
    let ghost = ProcKey::new(4_000_000, 1).unwrap();
    w.nodes.get_mut(&child).unwrap().place = Place::Child(ghost);
    assert_eq!(w.to_forest(), Err(WireError::NoParent(child, ghost)));

    let mut w = tables();
    w.nodes.get_mut(&child).unwrap().place = Place::Child(child);
    assert!(matches!(w.to_forest(), Err(WireError::Cycle(_))), "a node that is its own parent");

    let mut w = tables();
    let keys: Vec<ProcKey> = w.nodes.keys().copied().take(2).collect();
    w.nodes.get_mut(&keys[0]).unwrap().place = Place::Child(keys[1]);
    w.nodes.get_mut(&keys[1]).unwrap().place = Place::Child(keys[0]);
    assert!(matches!(w.to_forest(), Err(WireError::Cycle(_))), "two nodes that are each other's parent");

    let mut w = tables();
    w.facts.remove(&child);
    assert_eq!(w.to_forest(), Err(WireError::NoFacts(child)));

    let mut w = tables();
    let attempt = w.attempts.keys().next().unwrap().clone();
    w.attempts.remove(&attempt);
    assert!(matches!(w.to_forest(), Err(WireError::NoAttempt(_, a)) if a == attempt));

    let mut w = tables();
    let task = w.tasks.keys().next().unwrap().clone();
    w.tasks.remove(&task);
    assert!(matches!(w.to_forest(), Err(WireError::NoGroup(..))));
}

#[test]
fn a_float_json_cannot_carry_is_sent_as_zero() {
    let mut forest = swarm();
    forest.totals.cpu_percent = f32::NAN;
    forest.unassigned[0].process.cpu_percent = f32::INFINITY;
    let w = through_json(&WireForest::of(&forest));
    assert_eq!(w.header.totals.cpu_percent, 0.0);
    assert!(w.nodes.values().all(|n| n.process.cpu_percent.is_finite()));
}
