//! Close matches for a mistyped target id.

use crate::model::{Forest, NodeId};

/// Ids of the forest that look like the mistyped one: same kind, and containing it, or
/// within a small edit distance.
pub fn close_matches(target: &NodeId, forest: &Forest) -> Vec<String> {
    let wanted = target.to_string();
    let kind = wanted.split(':').next().unwrap_or("");
    let mut ids: Vec<String> = Vec::new();
    for (p, t, a) in forest.attempts() {
        for id in [&p.id, &t.id, &a.id] {
            if !ids.contains(id) {
                ids.push(id.clone());
            }
        }
    }
    let tail = wanted.split_once(':').map_or(wanted.as_str(), |(_, t)| t);
    let mut scored: Vec<(usize, String)> = ids
        .into_iter()
        .filter(|id| id.starts_with(kind))
        .filter_map(|id| {
            let d = edit_distance(&id, &wanted);
            let contains = !tail.is_empty() && id.contains(tail);
            (contains || d <= 3.max(wanted.len() / 4)).then_some((d, id))
        })
        .collect();
    scored.sort();
    scored.into_iter().take(5).map(|(_, id)| id).collect()
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut row = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            row[j + 1] = (prev[j] + usize::from(ca != *cb)).min(prev[j + 1] + 1).min(row[j] + 1);
        }
        prev = row;
    }
    prev[b.len()]
}
