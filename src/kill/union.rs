//! Pure: the scopes of a plan made from several targets (the TUI's tags), each with the
//! processes it covers on its own. One plan names each process once however many of its
//! targets cover it; a confirmation lists every scope with its own count beside the
//! plan's combined one, so overlaps are visible rather than counted twice.

use std::collections::HashSet;

use super::index::Index;
use super::plan::{KillPlan, PlanContext};
use super::resolve::resolve;
use super::scope::members;
use crate::model::{Forest, NodeId};

/// Each target of `plan` with how many processes of `forest` (the planned one) it
/// covers by itself, planned and spared (0 for a target that no longer resolves there).
pub fn scope_counts(plan: &KillPlan, forest: &Forest, ctx: &PlanContext) -> Vec<(NodeId, usize)> {
    let index = Index::new(forest);
    let covered = |target: &NodeId| {
        let Ok(meant) = resolve(target, forest, &index, plan.mine.as_ref(), &plan.narrowing.agents_seen)
        else {
            return 0;
        };
        let mut seen = HashSet::new();
        meant
            .iter()
            .flat_map(|r| members(r, forest, &index, ctx))
            .filter(|(n, _)| seen.insert(n.key()))
            .count()
    };
    plan.scope.iter().map(|target| (target.clone(), covered(target))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::associate::{Options, associate};
    use crate::kill::plan::plan;
    use crate::model::fixture::swarm_snapshot;

    fn forest() -> Forest {
        associate(&swarm_snapshot(), &Options::default())
    }

    fn ctx() -> PlanContext {
        PlanContext { self_ancestry: vec![9999], uid: 1000, protect: Vec::new() }
    }

    fn targets(ids: &[&str]) -> Vec<NodeId> {
        ids.iter().map(|s| s.parse().unwrap()).collect()
    }

    #[test]
    fn overlapping_scopes_are_counted_in_each_and_planned_once() {
        let f = forest();
        // A task, one of its attempts, a process of that attempt and a tree inside it.
        let t = targets(&["task:alpha/add-login", "attempt:alpha/add-login/1a2b", "pid:101", "tree:101"]);
        let p = plan(&t, &f, &ctx()).unwrap();
        assert_eq!(p.entries.len(), 7, "the task's seven processes, each once");
        let mut keys: Vec<_> = p.entries.iter().map(|e| e.key).collect();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), p.entries.len(), "no process twice");
        let counts = scope_counts(&p, &f, &ctx());
        let want: Vec<(NodeId, usize)> = t.iter().cloned().zip([7, 4, 1, 2]).collect();
        assert_eq!(counts, want);
        assert!(counts.iter().map(|(_, n)| n).sum::<usize>() > p.entries.len());
    }

    #[test]
    fn disjoint_scopes_add_up_and_the_order_is_kept() {
        let f = forest();
        let t = targets(&["attempt:alpha/add-login/3c4d", "project:beta", "pid:121"]);
        let p = plan(&t, &f, &ctx()).unwrap();
        let counts = scope_counts(&p, &f, &ctx());
        assert_eq!(counts.iter().map(|(id, _)| id.clone()).collect::<Vec<_>>(), t);
        assert_eq!(counts.iter().map(|(_, n)| n).sum::<usize>(), p.entries.len() + p.skipped.len());
    }
}
