use std::collections::BTreeMap;

use proptest::prelude::*;

use super::*;
use crate::associate::{Options, associate};
use crate::model::Forest;
use crate::model::fixture::{ProcessExt, process, swarm_snapshot};
use crate::model::snapshot::Snapshot;

fn forest(s: &Snapshot) -> Forest {
    associate(s, &Options::default())
}

fn apply(old: &WireForest, delta: ForestDelta) -> WireForest {
    let mut w = old.clone();
    // As a client reads it: through JSON.
    let delta: ForestDelta = serde_json::from_str(&serde_json::to_string(&delta).unwrap()).unwrap();
    delta.apply(&mut w);
    w
}

#[test]
fn an_idle_box_sends_only_the_header() {
    let s = swarm_snapshot();
    let a = WireForest::of(&forest(&s));
    let later = Snapshot { sampled_at_ms: s.sampled_at_ms + 1000, ..s.clone() };
    let b = WireForest::of(&forest(&later));
    let delta = ForestDelta::between(Some(&a), &b);
    assert_eq!(delta.changes(), 0);
    let text = serde_json::to_string(&delta).unwrap();
    assert!(text.len() < 300, "{} bytes: {text}", text.len());
    assert_eq!(apply(&a, delta), b);
}

#[test]
fn changes_births_deaths_and_new_groups_are_the_whole_changed_records() {
    let s = swarm_snapshot();
    let a = WireForest::of(&forest(&s));
    let mut changed = s.clone();
    let busy = changed.processes[3].key;
    changed.processes[3] = changed.processes[3].clone().cpu(77.0);
    let gone = changed.processes.pop().unwrap().key;
    changed.processes.push(process(8001, 1, "newcomer").cwd("/tmp"));
    let tagged = process(8002, 1, "tagged").env("SWARMTOP_PROJECT", "fresh").env("SWARMTOP_TASK", "t");
    changed.processes.push(tagged.env("SWARMTOP_ATTEMPT", "a"));
    let b = WireForest::of(&forest(&changed));
    let delta = ForestDelta::between(Some(&a), &b);
    let set: Vec<ProcKey> = delta.nodes.set.iter().map(|(k, _)| *k).collect();
    assert!(set.contains(&busy), "the changed process is resent: {set:?}");
    assert!(delta.nodes.del.contains(&gone) && delta.facts.del.contains(&gone));
    assert!(!delta.projects.set.is_empty(), "a new project is sent");
    assert!(delta.facts.set.len() <= 2, "facts only of the newborns: {:?}", delta.facts.set.len());
    let b2 = apply(&a, delta);
    assert_eq!(b2, b);
    assert_eq!(b2.to_forest().unwrap(), forest(&changed));
    // And back again.
    assert_eq!(apply(&b, ForestDelta::between(Some(&b), &a)), a);
}

#[test]
fn the_first_forest_is_a_delta_from_nothing() {
    let b = WireForest::of(&forest(&swarm_snapshot()));
    assert_eq!(apply(&WireForest::default(), ForestDelta::between(None, &b)), b);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_table_delta_turns_old_into_new(
        old in proptest::collection::btree_map(0u8..40, 0u8..4, 0..30),
        new in proptest::collection::btree_map(0u8..40, 0u8..4, 0..30),
    ) {
        let delta = TableDelta::between(&old, &new);
        let mut table: BTreeMap<u8, u8> = old.clone();
        delta.clone().apply(&mut table);
        prop_assert_eq!(&table, &new);
        // Nothing unchanged is sent.
        for (k, v) in &delta.set {
            prop_assert!(old.get(k) != Some(v));
        }
        for k in &delta.del {
            prop_assert!(!new.contains_key(k));
        }
    }
}
