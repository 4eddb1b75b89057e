//! Close matches for a mistyped target id.

use std::collections::BTreeSet;

use crate::model::{Forest, NodeId};

/// Ids of the forest that look like the mistyped one: same kind, and containing it, or
/// within a small edit distance.
pub fn close_matches(target: &NodeId, forest: &Forest) -> Vec<String> {
    let mut ids: BTreeSet<&str> = BTreeSet::new();
    for (p, t, a) in forest.attempts() {
        ids.extend(match target {
            NodeId::Project(_) => Some(p.id.as_str()),
            NodeId::Task(_) => Some(t.id.as_str()),
            NodeId::Attempt(_) => Some(a.id.as_str()),
            NodeId::Pid(_)
            | NodeId::Tree(_)
            | NodeId::Orphans(_)
            | NodeId::Leftovers(_)
            | NodeId::Name(_)
            | NodeId::Session(_)
            | NodeId::Port(_) => None,
        });
    }
    if let NodeId::Port(port) = target {
        return close_ports(*port, forest);
    }
    let wanted = target.to_string();
    let tail = wanted.split_once(':').map_or(wanted.as_str(), |(_, t)| t);
    let mut scored: Vec<(usize, &str)> = ids
        .into_iter()
        .filter_map(|id| {
            let d = strsim::levenshtein(id, &wanted);
            let contains = !tail.is_empty() && id.contains(tail);
            (contains || d <= 3.max(wanted.len() / 4)).then_some((d, id))
        })
        .collect();
    scored.sort();
    scored.into_iter().take(5).map(|(_, id)| id.to_string()).collect()
}

/// The ports listened on that are nearest to `port`.
fn close_ports(port: u16, forest: &Forest) -> Vec<String> {
    let mut all = Vec::new();
    forest.walk_processes(&mut |n| all.extend(n.process.ports.iter().flat_map(|p| p.iter()).map(|p| p.port)));
    all.sort_unstable_by_key(|p| (p.abs_diff(port), *p));
    all.dedup();
    all.into_iter().take(5).map(|p| format!("port:{p}")).collect()
}
