use std::path::{Path, PathBuf};

use proptest::prelude::*;

use super::{Claim, unique_names};

fn named<'a>(items: &[(&str, Claim<'a>)]) -> Vec<(String, Claim<'a>)> {
    items.iter().map(|(n, c)| (n.to_string(), *c)).collect()
}

/// claim → name, so results of different inputs compare by what they name.
fn by_claim<'a>(items: &[(String, Claim<'a>)]) -> Vec<(Claim<'a>, String)> {
    let mut v: Vec<(Claim<'a>, String)> = items.iter().map(|(_, c)| *c).zip(unique_names(items)).collect();
    v.sort_by_key(|(c, _)| format!("{c:?}"));
    v
}

#[test]
fn a_lone_name_stays_plain() {
    let a = Path::new("/dup/a/wt");
    assert_eq!(unique_names(&named(&[("wt", Claim::Path(a))])), ["wt"]);
}

#[test]
fn clashing_paths_get_their_own_hash_in_either_order_and_the_survivor_never_takes_the_others() {
    let (a, b) = (Path::new("/dup/a/wt"), Path::new("/dup/b/wt"));
    let ab = by_claim(&named(&[("wt", Claim::Path(a)), ("wt", Claim::Path(b))]));
    let ba = by_claim(&named(&[("wt", Claim::Path(b)), ("wt", Claim::Path(a))]));
    assert_eq!(ab, ba);
    let (name_a, name_b) = (&ab[0].1, &ab[1].1);
    assert!(name_a.starts_with("wt~") && name_b.starts_with("wt~") && name_a != name_b, "{ab:?}");
    assert_eq!(name_a.len(), "wt~".len() + 8);
    // Derived from the path alone: the same in another clash.
    let c = Path::new("/elsewhere/wt");
    let ac = by_claim(&named(&[("wt", Claim::Path(c)), ("wt", Claim::Path(a))]));
    assert_eq!(ac.iter().find(|(cl, _)| *cl == Claim::Path(a)).map(|(_, n)| n), Some(name_a));
    for survivor in [a, b] {
        let alone = unique_names(&named(&[("wt", Claim::Path(survivor))]));
        assert_eq!(alone, ["wt"]);
        assert!(!ab.iter().any(|(cl, n)| *n == alone[0] && *cl != Claim::Path(survivor)));
    }
}

#[test]
fn a_tagged_attempt_yields_to_a_worktree_and_gets_its_source_as_suffix() {
    let wt = Path::new("/wt/wt-a");
    let tagged = Claim::Tagged { label: "registry", path: Path::new("/wt/wt-a") };
    for items in [
        named(&[("wt-a", Claim::Path(wt)), ("wt-a", tagged)]),
        named(&[("wt-a", tagged), ("wt-a", Claim::Path(wt))]),
    ] {
        let out = by_claim(&items);
        assert!(out.contains(&(Claim::Path(wt), "wt-a".into())), "{out:?}");
        assert!(out.contains(&(tagged, "wt-a~registry".into())), "{out:?}");
    }
    assert_eq!(unique_names(&named(&[("wt-a", tagged)])), ["wt-a"]);
}

#[test]
fn a_name_that_looks_suffixed_is_suffixed_so_it_never_equals_a_suffixed_id() {
    let (a, b) = (Path::new("/x/a/wt"), Path::new("/x/b/wt"));
    let clash = unique_names(&named(&[("wt", Claim::Path(a)), ("wt", Claim::Path(b))]));
    let fake = clash[0].clone();
    let evil = Path::new("/x/evil").join(&fake);
    let items = named(&[("wt", Claim::Path(a)), ("wt", Claim::Path(b)), (&fake, Claim::Path(&evil))]);
    let out = unique_names(&items);
    assert_eq!(out[0], fake);
    assert_ne!(out[2], fake);
    assert!(out[2].starts_with(&format!("{fake}~")));
    assert_eq!(unique_names(&named(&[("wt~registry", Claim::Path(a))]))[0].matches('~').count(), 2);
    assert_eq!(unique_names(&named(&[("back~Up", Claim::Path(a))])), ["back~Up"]);
}

#[test]
fn identical_claims_still_get_unique_names() {
    let a = Path::new("/x/wt");
    let out = unique_names(&named(&[("wt", Claim::Path(a)), ("wt", Claim::Path(a))]));
    assert_ne!(out[0], out[1]);
}

/// One node of the universe: (parent directory, name, tagged).
type Node = (u8, u8, bool);

const NAMES: [&str; 3] = ["wt", "main", "wt~1a2b3c4d"];

fn universe() -> impl Strategy<Value = Vec<Node>> {
    prop::collection::btree_set((0u8..3, 0u8..3, any::<bool>()), 1..10).prop_map(|set| {
        // Tagged attempts with equal names are merged into one before naming.
        let mut seen_tagged = std::collections::BTreeSet::new();
        set.into_iter().filter(|&(_, n, tagged)| !tagged || seen_tagged.insert(n)).collect()
    })
}

fn paths(nodes: &[Node]) -> Vec<PathBuf> {
    nodes
        .iter()
        .map(|&(parent, name, _)| PathBuf::from(format!("/p{parent}/{}", NAMES[name as usize])))
        .collect()
}

fn claim<'a>(node: &Node, path: &'a Path) -> (String, Claim<'a>) {
    let c = if node.2 { Claim::Tagged { label: "registry", path } } else { Claim::Path(path) };
    (NAMES[node.1 as usize].to_string(), c)
}

/// The forest of the nodes where `mask` is set, in an order given by `order`: id → node index.
fn forest(nodes: &[Node], paths: &[PathBuf], mask: &[bool], order: &[usize]) -> Vec<(String, usize)> {
    let mut members: Vec<usize> = (0..nodes.len()).filter(|&i| mask[i % mask.len()]).collect();
    members.sort_by_key(|&i| order[i % order.len()]);
    let items: Vec<(String, Claim<'_>)> = members.iter().map(|&i| claim(&nodes[i], &paths[i])).collect();
    unique_names(&items).into_iter().zip(members).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// For any two forests over the same nodes, an id names one node in both, except
    /// a plain name, which moves only to a node that was not there (or that was there
    /// as a tagged attempt yielding it to a worktree that is gone).
    #[test]
    fn an_id_never_moves_to_another_node(
        nodes in universe(),
        m1 in prop::collection::vec(any::<bool>(), 10),
        m2 in prop::collection::vec(any::<bool>(), 10),
        o1 in prop::collection::vec(any::<usize>(), 10),
        o2 in prop::collection::vec(any::<usize>(), 10),
    ) {
        let paths = paths(&nodes);
        let f1 = forest(&nodes, &paths, &m1, &o1);
        let f2 = forest(&nodes, &paths, &m2, &o2);
        for f in [&f1, &f2] {
            let mut ids: Vec<&String> = f.iter().map(|(id, _)| id).collect();
            ids.sort();
            ids.dedup();
            prop_assert_eq!(ids.len(), f.len(), "ids are unique in {:?}", f);
        }
        let has = |f: &[(String, usize)], i: usize| f.iter().any(|&(_, j)| j == i);
        for (id, p) in &f1 {
            for (_, q) in f2.iter().filter(|(other, _)| other == id) {
                if p == q {
                    continue;
                }
                prop_assert_eq!(id.as_str(), NAMES[nodes[*p].1 as usize], "a suffixed id moved");
                let (p_tagged, q_tagged) = (nodes[*p].2, nodes[*q].2);
                match (p_tagged, q_tagged) {
                    (false, false) => prop_assert!(!has(&f2, *p) && !has(&f1, *q), "{} moved", id),
                    (false, true) => prop_assert!(!has(&f2, *p), "{} taken from a present worktree", id),
                    (true, false) => prop_assert!(!has(&f1, *q), "{} taken from a present worktree", id),
                    (true, true) => prop_assert!(false, "two tagged nodes share a name"),
                }
            }
        }
    }

    /// The same forest in another order gives every node the same id.
    #[test]
    fn order_changes_no_id(nodes in universe(), mask in prop::collection::vec(any::<bool>(), 10),
                           o1 in prop::collection::vec(any::<usize>(), 10),
                           o2 in prop::collection::vec(any::<usize>(), 10)) {
        let paths = paths(&nodes);
        let mut f1 = forest(&nodes, &paths, &mask, &o1);
        let mut f2 = forest(&nodes, &paths, &mask, &o2);
        f1.sort_by_key(|(_, i)| *i);
        f2.sort_by_key(|(_, i)| *i);
        prop_assert_eq!(f1, f2);
    }
}
