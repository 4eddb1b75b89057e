use super::*;
use crate::associate::{Options, associate};
use crate::kill::plan::{PlanContext, plan};
use crate::model::fixture::{ProcessExt, swarm_snapshot};
use crate::model::{AttemptId, ProcKey, TaskId};
use crate::tui::rows::all_ids;

fn forest() -> Forest {
    associate(&swarm_snapshot(), &Options::default())
}

fn key(f: &Forest, pid: u32) -> ProcKey {
    f.find_process(|n| n.process.pid() == pid).unwrap().key()
}

fn attempt(id: &str) -> RowId {
    let (p, rest) = id.split_once('/').unwrap();
    let (t, a) = rest.rsplit_once('/').unwrap();
    RowId::Attempt(AttemptId::new(p, t, a))
}

#[test]
fn space_toggles_and_the_catch_all_groups_are_refused() {
    let f = forest();
    let mut tags = Tags::default();
    let p = RowId::Process(key(&f, 101));
    assert_eq!(tags.toggle(&p), Ok(true));
    assert!(tags.contains(&p));
    assert_eq!(tags.toggle(&p), Ok(false));
    assert!(tags.is_empty());
    assert_eq!(tags.toggle(&RowId::Shared), Err(UNTAGGABLE));
    assert_eq!(tags.toggle(&RowId::Other), Err(UNTAGGABLE));
    assert!(tags.is_empty());
}

#[test]
fn c_tags_the_node_and_everything_below_it_hidden_rows_included() {
    let f = forest();
    let mut tags = Tags::default();
    let added = tags.tag_below(&RowId::Task(TaskId::new("alpha", "add-login")), &f);
    // The task, its two attempts, and their seven processes.
    assert_eq!(added, 10);
    assert!(tags.contains(&attempt("alpha/add-login/1a2b")));
    assert!(tags.contains(&RowId::Process(key(&f, 102))));
    assert!(!tags.contains(&RowId::Process(key(&f, 121))), "another task's process");
    assert_eq!(tags.tag_below(&attempt("alpha/add-login/1a2b"), &f), 0, "already tagged");
    let mut others = Tags::default();
    assert_eq!(others.tag_below(&RowId::Process(key(&f, 101)), &f), 2, "cargo and its rustc");
    assert_eq!(others.tag_below(&RowId::Other, &f), 4, "the processes only: the group is no scope");
    assert!(!others.contains(&RowId::Other));
}

#[test]
fn a_tag_whose_process_exited_is_dropped_visibly_never_moved_to_a_reused_pid() {
    let f = forest();
    let mut tags = Tags::default();
    tags.toggle(&RowId::Process(key(&f, 101))).unwrap();
    tags.toggle(&attempt("alpha/add-login/3c4d")).unwrap();
    // PID 101 is reused by a stranger; attempt 3c4d's worktree is gone.
    let mut snap = swarm_snapshot();
    let i = snap.processes.iter().position(|p| p.pid() == 101).unwrap();
    snap.processes[i] = snap.processes[i].clone().started(999_999);
    snap.processes.retain(|p| !p.cwd.as_deref().is_some_and(|c| c.starts_with("/wt/3c4d-add-login")));
    snap.worktrees.retain(|w| !w.path.starts_with("/wt/3c4d-add-login"));
    let later = associate(&snap, &Options::default());
    let stale = tags.clone();
    assert_eq!(
        stale.targets(false, &later),
        Err("pid 101 exited: untag it and tag the process again".to_string()),
        "a stale process tag never becomes a target"
    );
    let dropped = tags.prune(&all_ids(&later));
    assert_eq!(dropped, ["pid 101 exited", "attempt:alpha/add-login/3c4d is gone"]);
    assert!(tags.is_empty());
    assert!(!tags.contains(&RowId::Process(key(&later, 101))), "the stranger is not tagged");
}

#[test]
fn the_union_of_tags_is_one_plan_that_names_each_process_once() {
    let f = forest();
    let mut tags = Tags::default();
    tags.toggle(&RowId::Task(TaskId::new("alpha", "add-login"))).unwrap();
    tags.toggle(&attempt("alpha/add-login/1a2b")).unwrap();
    tags.toggle(&RowId::Process(key(&f, 102))).unwrap();
    tags.toggle(&RowId::Process(key(&f, 121))).unwrap();
    let ctx = PlanContext { self_ancestry: vec![9999], uid: 1000, protect: Vec::new() };
    let p = plan(&tags.targets(false, &f).unwrap(), &f, &ctx).unwrap();
    let mut pids: Vec<u32> = p.entries.iter().map(|e| e.key.pid()).collect();
    pids.sort_unstable();
    assert_eq!(pids, [100, 101, 102, 103, 110, 111, 112, 121], "seven of the task plus vite, once each");
    let trees = tags.targets(true, &f).unwrap();
    assert_eq!(trees[2..], ["tree:102".parse().unwrap(), "tree:121".parse().unwrap()]);
}
