use super::*;
use crate::associate::{Options, associate};
use crate::model::fixture::{ProcessExt, swarm_snapshot};

fn forest() -> Forest {
    associate(&swarm_snapshot(), &Options::default())
}

fn ctx() -> PlanContext {
    PlanContext { self_ancestry: vec![9999, 201, 200], uid: 1000, protect: vec!["sshd".into()] }
}

fn pids(plan: &KillPlan) -> Vec<u32> {
    plan.entries.iter().map(|e| e.key.pid()).collect()
}

fn target(s: &str) -> Vec<NodeId> {
    vec![s.parse().unwrap()]
}

#[test]
fn a_process_kill_is_exactly_that_process() {
    let p = plan(&target("pid:101"), &forest(), &ctx()).unwrap();
    assert_eq!(pids(&p), [101]);
    assert!(p.skipped.is_empty());
}

#[test]
fn a_tree_kill_takes_descendants_parents_first() {
    let p = plan(&target("tree:100"), &forest(), &ctx()).unwrap();
    assert_eq!(pids(&p), [100, 101, 103, 102]);
}

#[test]
fn an_attempt_kill_covers_every_process_of_the_attempt_and_nothing_else() {
    let p = plan(&target("attempt:alpha/add-login/3c4d"), &forest(), &ctx()).unwrap();
    assert_eq!(
        pids(&p),
        [112, 110, 111],
        "the orphaned leak belongs to the attempt too (parents first by depth)"
    );
    let task = plan(&target("task:alpha/add-login"), &forest(), &ctx()).unwrap();
    assert_eq!(task.entries.len(), 7);
    let project = plan(&target("project:alpha"), &forest(), &ctx()).unwrap();
    assert_eq!(project.entries.len(), 9);
    assert_eq!(project.memory_bytes(), forest().projects[0].rollup.memory_bytes);
}

#[test]
fn orphans_scope_is_every_orphan_or_one_projects() {
    assert_eq!(pids(&plan(&target("orphans"), &forest(), &ctx()).unwrap()), [112]);
    assert_eq!(pids(&plan(&target("orphans:alpha"), &forest(), &ctx()).unwrap()), [112]);
    assert_eq!(
        plan(&target("orphans:beta"), &forest(), &ctx()),
        Err(PlanError::Empty(NodeId::Orphans(Some(crate::model::ProjectId::new("beta")))))
    );
}

#[test]
fn init_self_ancestors_other_users_and_protected_names_are_never_planned() {
    let mut snap = swarm_snapshot();
    for p in &mut snap.processes {
        if p.pid() == 130 {
            *p = p.clone().user("mallory", 1001);
        }
    }
    let f = associate(&snap, &Options::default());
    let mut c = ctx();
    c.self_ancestry.push(131);
    let p = plan(&target("project:beta"), &f, &c).unwrap();
    assert_eq!(pids(&p), [140]);
    let reasons: Vec<(u32, SkipReason)> =
        p.skipped.iter().map(|s| (s.entry.key.pid(), s.reason.clone())).collect();
    assert_eq!(reasons, [(130, SkipReason::OtherUser("mallory".into())), (131, SkipReason::SelfOrAncestor)]);
    let everything = plan(&[NodeId::Tree(1)], &f, &c).unwrap();
    assert_eq!(everything.skipped[0].reason, SkipReason::Init);
    let skipped: Vec<u32> = everything.skipped.iter().map(|s| s.entry.key.pid()).collect();
    assert_eq!(skipped, [1, 200, 130, 201, 131], "init, the caller's ancestry, the other user");
}

#[test]
fn root_may_signal_other_users_but_protection_and_pid_1_still_hold() {
    let f = forest();
    let root = PlanContext { uid: 0, ..ctx() };
    let p = plan(&target("tree:200"), &f, &root).unwrap();
    assert!(p.entries.is_empty());
    let reasons: Vec<SkipReason> = p.skipped.iter().map(|s| s.reason.clone()).collect();
    assert_eq!(reasons, [SkipReason::SelfOrAncestor, SkipReason::SelfOrAncestor]);
    let init = plan(&target("pid:1"), &f, &root).unwrap();
    assert_eq!(init.skipped[0].reason, SkipReason::Init);
    let sshd_only = PlanContext { self_ancestry: vec![], ..root };
    let p = plan(&target("pid:200"), &f, &sshd_only).unwrap();
    assert_eq!(p.skipped[0].reason, SkipReason::Protected("sshd".into()));
}

#[test]
fn unknown_targets_list_close_matches() {
    let e = plan(&target("attempt:alpha/add-login/1a2c"), &forest(), &ctx()).unwrap_err();
    match e {
        PlanError::UnknownTarget { close, .. } => assert_eq!(close[0], "attempt:alpha/add-login/1a2b"),
        other => panic!("{other:?}"),
    }
    let e = plan(&target("project:alpah"), &forest(), &ctx()).unwrap_err();
    assert!(e.to_string().contains("close matches: project:alpha"), "{e}");
    assert!(plan(&target("pid:4242"), &forest(), &ctx()).is_err());
}

#[test]
fn overlapping_targets_name_each_process_once() {
    let targets: Vec<NodeId> = vec!["task:alpha/add-login".parse().unwrap(), "pid:101".parse().unwrap()];
    let p = plan(&targets, &forest(), &ctx()).unwrap();
    assert_eq!(p.entries.len(), 7);
    assert_eq!(p.scope_text(), "task:alpha/add-login pid:101");
}

#[test]
fn an_id_typed_from_list_names_its_node_even_with_a_slash_in_a_tagged_name() {
    use crate::model::fixture::{process, snapshot};
    let tagged = process(500, 1, "sleep 99")
        .cwd("/tmp")
        .env("SWARMTOP_PROJECT", "team/app")
        .env("SWARMTOP_TASK", "t")
        .env("SWARMTOP_ATTEMPT", "x");
    let f = associate(&snapshot(vec![tagged], Vec::new()), &Options::default());
    let (p, t, a) = f.attempts().next().unwrap();
    assert_eq!(
        (p.id.as_str(), t.id.as_str(), a.id.as_str()),
        ("project:team/app", "task:team/app/t", "attempt:team/app/t/x")
    );
    for typed in [t.id.to_string(), a.id.to_string()] {
        assert_eq!(pids(&plan(&target(&typed), &f, &ctx()).unwrap()), [500], "{typed}");
    }
    assert!("project:team/app".parse::<NodeId>().is_err(), "not typeable, but the TUI's row has it");
    assert_eq!(pids(&plan(&[p.id.clone().into()], &f, &ctx()).unwrap()), [500]);
    for typed in ["orphans:team/app", "orphans"] {
        assert_eq!(pids(&plan(&target(typed), &f, &ctx()).unwrap()), [500], "{typed}: its parent is init");
    }
}

/// The swarm with listeners: vite (121, alpha's main attempt) on 127.0.0.1:5173 and
/// rust-analyzer (103, attempt 1a2b) on [::1]:5173 — one port number on two addresses in
/// two attempts — and claude (100, 1a2b, with children) on 9229.
fn listening(extra: Vec<crate::model::Process>) -> Forest {
    use crate::model::{Port, Proto};
    let on = |port: u16, addr: &str| Port { port, proto: Proto::Tcp, addr: addr.parse().unwrap() };
    let mut snap = swarm_snapshot();
    snap.processes.extend(extra);
    for p in &mut snap.processes {
        let ports: &[Port] = match p.pid() {
            121 => &[on(5173, "127.0.0.1")],
            103 => &[on(5173, "::1")],
            100 | 300 => &[on(9229, "127.0.0.1")],
            _ => &[],
        };
        p.ports = Some(std::sync::Arc::from(ports));
    }
    snap.unowned_ports = vec![on(8080, "0.0.0.0")];
    associate(&snap, &Options::default())
}

#[test]
fn a_port_kill_is_exactly_its_listeners_on_every_address_never_their_children() {
    let forest = listening(Vec::new());
    let p = plan(&target("port:5173"), &forest, &ctx()).unwrap();
    assert_eq!(pids(&p), [103, 121], "both holders, in two attempts");
    let names: Vec<&str> = p.entries.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["rust-analyzer", "node"], "each named in the plan");
    assert_eq!(pids(&plan(&target("port:9229"), &forest, &ctx()).unwrap()), [100], "not claude's children");
    assert!(p.resolved.iter().all(|r| !r.adopts_newborns()));
}

#[test]
fn a_port_kill_adopts_no_newborn_not_even_one_listening_on_that_port() {
    use crate::model::fixture::process;
    let p = plan(&target("port:9229"), &listening(Vec::new()), &ctx()).unwrap();
    // Later: a child of the listener, and a new process listening on 9229 too.
    let later = listening(vec![
        process(300, 1, "node other-server").cwd("/wt/1a2b-add-login/alpha").started(99_999),
        process(301, 100, "node child").cwd("/wt/1a2b-add-login/alpha").started(99_999),
    ]);
    let scope = crate::kill::scope::rescope(&p, &later, &ctx());
    let members: Vec<u32> = scope.members.iter().map(|m| m.entry.key.pid()).collect();
    assert_eq!(members, [100]);
}

#[test]
fn a_port_nobody_readable_holds_says_so_and_an_unknown_one_suggests_ports() {
    let forest = listening(Vec::new());
    assert_eq!(plan(&target("port:8080"), &forest, &ctx()), Err(PlanError::Unreadable(NodeId::Port(8080))));
    match plan(&target("port:5174"), &forest, &ctx()) {
        Err(PlanError::UnknownTarget { close, .. }) => assert_eq!(close, ["port:5173", "port:9229"]),
        other => panic!("{other:?}"),
    }
}
