use super::*;
use crate::model::fixture::{ProcessExt, linked_worktree, main_worktree, process, snapshot};
use crate::model::{AssignedBy, Filter, ProcNode};

fn worktrees() -> Vec<crate::model::Worktree> {
    vec![
        main_worktree("/src/alpha", "main"),
        linked_worktree("/wt/1a2b-add-login/alpha", "/src/alpha", "vk/1a2b-add-login"),
        linked_worktree("/wt/3c4d-add-login/alpha", "/src/alpha", "vk/3c4d-add-login"),
        linked_worktree("/src/alpha/.worktrees/spike", "/src/alpha", "feature/spike"),
    ]
}

fn forest_of(processes: Vec<crate::model::Process>) -> Forest {
    associate(&snapshot(processes, worktrees()), &Options::default())
}

/// `id -> sorted pids` of every attempt, the shape most assertions need.
fn placement(forest: &Forest) -> Vec<(String, Vec<u32>)> {
    forest
        .attempts()
        .map(|(_, _, a)| {
            let mut pids = Vec::new();
            for root in &a.processes {
                root.walk(&mut |n: &ProcNode| pids.push(n.process.pid()));
            }
            pids.sort();
            (a.id.to_string(), pids)
        })
        .collect()
}

fn find(forest: &Forest, pid: u32) -> Option<ProcNode> {
    let mut found = None;
    forest.walk_processes(&mut |n| {
        if n.process.pid() == pid {
            found = Some(n.clone());
        }
    });
    found
}

#[test]
fn cwd_places_a_process_in_its_worktree() {
    let f = forest_of(vec![process(10, 1, "bash").cwd("/wt/1a2b-add-login/alpha/src").session_leader()]);
    assert_eq!(placement(&f), vec![("attempt:alpha/add-login/1a2b".to_string(), vec![10])]);
    assert_eq!(find(&f, 10).unwrap().assigned_by, Some(AssignedBy::Cwd));
}

#[test]
fn longest_worktree_prefix_wins_over_the_main_worktree() {
    let f = forest_of(vec![
        process(10, 1, "vim").cwd("/src/alpha/.worktrees/spike/lib"),
        process(11, 1, "make").cwd("/src/alpha/lib"),
    ]);
    assert_eq!(
        placement(&f),
        vec![
            ("attempt:alpha/feature/spike/spike".to_string(), vec![10]),
            ("attempt:alpha/main/main".to_string(), vec![11]),
        ]
    );
}

#[test]
fn a_path_that_only_shares_a_string_prefix_is_not_inside() {
    let f = forest_of(vec![process(10, 1, "vim").cwd("/src/alphabet")]);
    assert!(placement(&f).is_empty());
}

#[test]
fn child_working_from_tmp_inherits_its_parents_attempt() {
    let f = forest_of(vec![
        process(10, 1, "agent").cwd("/wt/1a2b-add-login/alpha").session_leader(),
        process(11, 10, "cargo test").cwd("/tmp"),
        process(12, 11, "rustc").cwd("/tmp/build"),
    ]);
    assert_eq!(placement(&f), vec![("attempt:alpha/add-login/1a2b".to_string(), vec![10, 11, 12])]);
    assert_eq!(find(&f, 12).unwrap().assigned_by, Some(AssignedBy::Inherited));
    let attempt = f.attempts().next().unwrap().2;
    assert_eq!(attempt.processes.len(), 1, "one tree rooted at the agent");
    assert_eq!(attempt.processes[0].children[0].children[0].process.pid(), 12);
}

#[test]
fn own_cwd_beats_inheritance() {
    let f = forest_of(vec![
        process(10, 1, "agent").cwd("/wt/1a2b-add-login/alpha"),
        process(11, 10, "bash").cwd("/wt/3c4d-add-login/alpha"),
    ]);
    assert_eq!(
        placement(&f),
        vec![
            ("attempt:alpha/add-login/1a2b".to_string(), vec![10]),
            ("attempt:alpha/add-login/3c4d".to_string(), vec![11]),
        ]
    );
}

#[test]
fn inheritance_does_not_cross_into_a_new_session_below_a_cwd_only_ancestor() {
    // A tmux server started in a worktree must not swallow every shell on the box.
    let f = forest_of(vec![
        process(10, 1, "tmux").cwd("/src/alpha").session_leader(),
        process(11, 10, "bash").cwd("/home/dev").session_leader(),
        process(12, 11, "htop").cwd("/home/dev"),
        process(13, 10, "helper").cwd("/"),
    ]);
    assert_eq!(placement(&f), vec![("attempt:alpha/main/main".to_string(), vec![10, 13])]);
    assert!(find(&f, 11).unwrap().assigned_by.is_none());
    assert!(find(&f, 12).unwrap().assigned_by.is_none());
}

#[test]
fn unplaced_processes_are_unassigned_trees_and_kernel_threads_are_hidden() {
    let mut kthread = process(2, 0, "");
    std::sync::Arc::make_mut(&mut kthread.facts).name = "kthreadd".into();
    kthread.kernel_thread = true;
    let f = forest_of(vec![
        kthread,
        process(20, 1, "sshd").cwd("/").session_leader(),
        process(21, 20, "bash").cwd("/home/dev"),
    ]);
    assert!(placement(&f).is_empty());
    assert_eq!(f.unassigned.len(), 1);
    assert_eq!(f.unassigned[0].process.pid(), 20);
    assert_eq!(f.unassigned[0].children[0].process.pid(), 21);
    assert_eq!(f.totals.process_count, 2);
    assert!(find(&f, 2).is_none());
}

#[test]
fn orphans_are_assigned_processes_reparented_to_init_or_a_subreaper() {
    let mut user_systemd = process(5, 1, "/lib/systemd/systemd --user");
    std::sync::Arc::make_mut(&mut user_systemd.facts).name = "systemd".into();
    let f = forest_of(vec![
        user_systemd,
        process(10, 1, "node server.js").cwd("/src/alpha"),
        process(11, 5, "vite").cwd("/wt/1a2b-add-login/alpha"),
        process(12, 10, "esbuild").cwd("/src/alpha"),
        process(13, 1, "bash").cwd("/home/dev"),
    ]);
    let orphans: Vec<u32> = [10, 11, 12, 13].into_iter().filter(|&p| find(&f, p).unwrap().orphan).collect();
    assert_eq!(orphans, vec![10, 11], "unassigned pid 13 is not an orphan");
    let alpha = &f.projects[0];
    assert_eq!(alpha.rollup.orphan_count, 2);
    assert_eq!(alpha.rollup.process_count, 3);
}

#[test]
fn attempts_at_one_task_group_under_it_and_main_is_attempt_main() {
    let f = forest_of(vec![
        process(10, 1, "a").cwd("/wt/1a2b-add-login/alpha"),
        process(11, 1, "b").cwd("/wt/3c4d-add-login/alpha"),
        process(12, 1, "c").cwd("/src/alpha"),
    ]);
    let alpha = &f.projects[0];
    let tasks: Vec<(&str, Vec<&str>)> = alpha
        .tasks
        .iter()
        .map(|t| (t.id.as_str(), t.attempts.iter().map(|a| a.name.as_str()).collect()))
        .collect();
    assert_eq!(
        tasks,
        vec![("task:alpha/add-login", vec!["1a2b", "3c4d"]), ("task:alpha/main", vec!["main"])]
    );
    assert_eq!(alpha.id.as_str(), "project:alpha");
    assert_eq!(alpha.tasks[0].attempts[0].branch.as_deref(), Some("vk/1a2b-add-login"));
}

#[test]
fn projects_with_the_same_directory_name_get_suffixes_from_their_paths() {
    let wts = vec![main_worktree("/work/b/app", "main"), main_worktree("/work/a/app", "main")];
    let snap =
        snapshot(vec![process(10, 1, "x").cwd("/work/b/app"), process(11, 1, "y").cwd("/work/a/app")], wts);
    let f = associate(&snap, &Options::default());
    let ids: Vec<(&str, String)> =
        f.projects.iter().map(|p| (p.id.as_str(), p.path.display().to_string())).collect();
    assert_eq!(ids.len(), 2);
    assert!(ids.iter().all(|(id, _)| id.starts_with("project:app~") && id.len() == "project:app~".len() + 8));
    assert_ne!(ids[0].0, ids[1].0);
    let b = f.projects.iter().find(|p| p.path == std::path::Path::new("/work/b/app")).unwrap();
    assert_eq!(b.tasks[0].attempts[0].id.to_string(), format!("attempt:{}/main/main", b.name));
    // Alone, b keeps the plain name; a's id never names b.
    let alone = associate(
        &snapshot(vec![process(10, 1, "x").cwd("/work/b/app")], vec![main_worktree("/work/b/app", "main")]),
        &Options::default(),
    );
    assert_eq!(alone.projects[0].id.as_str(), "project:app");
    let a_id = ids.iter().find(|(_, p)| p == "/work/a/app").map(|(id, _)| *id);
    assert_ne!(a_id, Some("project:app"));
}

#[test]
fn rollups_sum_cpu_memory_and_counts_at_every_level() {
    let f = forest_of(vec![
        process(10, 1, "agent").cwd("/wt/1a2b-add-login/alpha").cpu(10.0).mem(100),
        process(11, 10, "cargo").cwd("/tmp").cpu(50.0).mem(1000),
        process(12, 1, "agent").cwd("/wt/3c4d-add-login/alpha").cpu(5.0).mem(10),
        process(13, 1, "sshd").cwd("/").cpu(1.0).mem(1),
    ]);
    let task = &f.projects[0].tasks[0];
    assert_eq!(task.attempts[0].processes[0].rollup.cpu_percent, 60.0);
    assert_eq!(task.attempts[0].rollup.memory_bytes, 1100);
    assert_eq!(task.rollup.process_count, 3);
    assert_eq!(task.rollup.memory_bytes, 1110);
    assert_eq!(f.projects[0].rollup.cpu_percent, 65.0);
    assert_eq!(f.totals.process_count, 4);
    assert_eq!(f.totals.memory_bytes, 1111);
}

#[test]
fn a_vanished_parent_leaves_its_child_a_root() {
    // The parent exited between listing and reading: ppid points at nothing.
    let f = forest_of(vec![process(11, 10, "orphan-to-be").cwd("/src/alpha")]);
    assert_eq!(placement(&f), vec![("attempt:alpha/main/main".to_string(), vec![11])]);
}

#[test]
fn ppid_cycles_in_bad_input_do_not_hang() {
    let f = forest_of(vec![process(10, 11, "a"), process(11, 10, "b")]);
    assert!(placement(&f).is_empty());
}

#[test]
fn filter_keeps_matches_and_their_ancestors() {
    let f = forest_of(vec![
        process(10, 1, "agent").cwd("/wt/1a2b-add-login/alpha"),
        process(11, 10, "cargo test").cwd("/tmp"),
        process(12, 10, "vim notes").cwd("/tmp"),
        process(13, 1, "other").cwd("/wt/3c4d-add-login/alpha"),
    ]);
    let filtered = Filter::new("CARGO").apply(&f);
    assert_eq!(placement(&filtered), vec![("attempt:alpha/add-login/1a2b".to_string(), vec![10, 11])]);
    // Roll-ups still describe the whole node.
    assert_eq!(filtered.projects[0].rollup.process_count, 4);
}

#[test]
fn filter_on_a_group_id_keeps_the_whole_group() {
    let f = forest_of(vec![
        process(10, 1, "agent").cwd("/wt/1a2b-add-login/alpha"),
        process(11, 10, "cargo").cwd("/tmp"),
        process(12, 1, "dev").cwd("/src/alpha"),
    ]);
    let filtered = Filter::new("1a2b").apply(&f);
    assert_eq!(placement(&filtered), vec![("attempt:alpha/add-login/1a2b".to_string(), vec![10, 11])]);
    let by_cwd = Filter::new("/src/alpha").apply(&f);
    assert_eq!(placement(&by_cwd).len(), 2, "the project path matches, so all of it stays");
    assert!(Filter::new("nothing-like-this").apply(&f).projects.is_empty());
    assert_eq!(Filter::new("pid:11").apply(&f).attempt_count(), 1);
}

fn detached(path: &str, project: &str) -> crate::model::Worktree {
    crate::model::Worktree { branch: None, ..linked_worktree(path, project, "unused") }
}

/// attempt id → worktree path.
fn attempt_paths(f: &Forest) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> =
        f.attempts().map(|(_, _, a)| (a.id.to_string(), a.path.display().to_string())).collect();
    v.sort();
    v
}

#[test]
fn clashing_attempt_ids_come_from_the_path_not_the_order_or_the_others() {
    let a = detached("/dup/a/wt", "/src/repo");
    let b = detached("/dup/b/wt", "/src/repo");
    let procs = || vec![process(10, 1, "x").cwd("/dup/a/wt"), process(11, 1, "y").cwd("/dup/b/wt")];
    let ab = associate(&snapshot(procs(), vec![a.clone(), b.clone()]), &Options::default());
    let ba = associate(&snapshot(procs(), vec![b.clone(), a.clone()]), &Options::default());
    assert_eq!(attempt_paths(&ab), attempt_paths(&ba), "discovery order changes nothing");
    let ids = attempt_paths(&ab);
    assert_eq!(ids.len(), 2);
    assert!(ids.iter().all(|(id, _)| id.starts_with("attempt:repo/detached/wt~")), "{ids:?}");
    // a's processes exit: the id that named a names nothing, never b.
    let only_b =
        associate(&snapshot(vec![process(11, 1, "y").cwd("/dup/b/wt")], vec![a, b]), &Options::default());
    let b_now = attempt_paths(&only_b);
    assert_eq!(b_now, vec![("attempt:repo/detached/wt".to_string(), "/dup/b/wt".to_string())]);
    for (id, path) in &ids {
        assert!(b_now.iter().all(|(i, p)| i != id || p == path), "{id} moved from {path} to {b_now:?}");
    }
}

#[test]
fn a_registry_attempt_never_takes_a_real_worktrees_id() {
    let wt = linked_worktree("/wt/wt-a", "/src/repo", "feat-a");
    let mut snap = snapshot(
        vec![process(10, 1, "agent").cwd("/wt/wt-a"), process(700, 1, "swarmtop run").cwd("/tmp")],
        vec![main_worktree("/src/repo", "main"), wt],
    );
    snap.registry.push(crate::model::RegistryEntry {
        key: snap.processes[1].key,
        child: None,
        project: "repo".into(),
        task: "feat-a".into(),
        attempt: "wt-a".into(),
        cwd: "/tmp".into(),
    });
    let f = associate(&snap, &Options::default());
    let by_source: Vec<(String, &str)> =
        f.attempts().map(|(_, _, a)| (a.id.to_string(), a.source.as_str())).collect();
    assert!(by_source.contains(&("attempt:repo/feat-a/wt-a".to_string(), "git")), "{by_source:?}");
    assert!(
        by_source.contains(&("attempt:repo/feat-a/wt-a~registry".to_string(), "registry")),
        "{by_source:?}"
    );
}

#[test]
fn a_tagged_attempt_joins_the_same_namesake_repository_in_any_order() {
    let tagged =
        || process(20, 1, "job").env("SWARMTOP_PROJECT", "app").env("SWARMTOP_TASK", "t").cwd("/tmp");
    let procs =
        || vec![process(10, 1, "x").cwd("/work/b/app"), process(11, 1, "y").cwd("/work/a/app"), tagged()];
    let ids = |wts| {
        let f = associate(&snapshot(procs(), wts), &Options::default());
        let mut v: Vec<String> = f.attempts().map(|(_, _, a)| a.id.to_string()).collect();
        v.sort();
        v
    };
    let ab = ids(vec![main_worktree("/work/a/app", "main"), main_worktree("/work/b/app", "main")]);
    let ba = ids(vec![main_worktree("/work/b/app", "main"), main_worktree("/work/a/app", "main")]);
    assert_eq!(ab, ba);
}

mod id_stability {
    use super::*;
    use proptest::prelude::*;

    /// (parent, directory, branch or detached) of a worktree of `/src/repo`.
    type Wt = (u8, u8, Option<u8>);

    fn worktree((parent, dir, branch): Wt) -> crate::model::Worktree {
        let path = format!("/p{parent}/{}", ["wt", "main", "x"][dir as usize]);
        crate::model::Worktree {
            branch: branch.map(|b| format!("b{b}")),
            ..linked_worktree(&path, "/src/repo", "unused")
        }
    }

    /// attempt id → path of the worktrees with a process in them.
    fn ids(universe: &[Wt], present: &[bool], order: &[usize]) -> Vec<(String, std::path::PathBuf)> {
        let mut wts: Vec<crate::model::Worktree> = universe.iter().map(|&w| worktree(w)).collect();
        wts.sort_by_key(|w| order[w.path.as_os_str().len() % order.len()] ^ w.path.as_os_str().len());
        let procs = wts
            .iter()
            .enumerate()
            .filter(|(i, _)| present[i % present.len()])
            .map(|(i, w)| process(10 + i as u32, 1, "x").cwd(w.path.to_str().unwrap_or("/")))
            .collect();
        let f = associate(&snapshot(procs, wts), &Options::default());
        f.attempts().map(|(_, _, a)| (a.id.to_string(), a.path.clone())).collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        /// Between any two forests of one repository, an attempt id names one worktree,
        /// except a plain id, which passes only between worktrees never present together.
        #[test]
        fn an_attempt_id_never_moves_between_present_worktrees(
            universe in prop::collection::btree_set((0u8..3, 0u8..3, prop::option::of(0u8..2)), 1..8),
            p1 in prop::collection::vec(any::<bool>(), 8),
            p2 in prop::collection::vec(any::<bool>(), 8),
            o1 in prop::collection::vec(any::<usize>(), 4),
            o2 in prop::collection::vec(any::<usize>(), 4),
        ) {
            // One worktree per path, as git has.
            let mut seen = std::collections::BTreeSet::new();
            let universe: Vec<Wt> = universe.into_iter().filter(|&(p, d, _)| seen.insert((p, d))).collect();
            let f1 = ids(&universe, &p1, &o1);
            let f2 = ids(&universe, &p2, &o2);
            let has = |f: &[(String, std::path::PathBuf)], p: &std::path::Path| f.iter().any(|(_, q)| q == p);
            for (id, p) in &f1 {
                for (_, q) in f2.iter().filter(|(other, _)| other == id) {
                    if p != q {
                        let attempt = id.rsplit('/').next().unwrap_or_default();
                        prop_assert!(!attempt.contains('~'), "suffixed {} moved", id);
                        prop_assert!(!has(&f2, p) && !has(&f1, q), "{} moved from {:?} to {:?}", id, p, q);
                    }
                }
            }
        }
    }
}
