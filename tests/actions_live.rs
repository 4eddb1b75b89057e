//! Pause, resume, renice and one signal on real processes through the built binary,
//! with sentinels (processes that log every signal they get) where a wrong action
//! would land: a sibling attempt, and the scope's own processes for signals that must
//! not reach them.

mod common;

use std::collections::BTreeSet;
use std::process::Command;
use std::time::Duration;

use common::binary::{forest_when, json, pid_of, swarmtop, untouched};
use common::sentinel::{Sentinel, skip_without_python};
use common::*;
use swarmtop::model::Forest;

const WAIT: Duration = Duration::from_secs(15);

/// Every process placed in the attempt at `path`.
fn attempt_pids(forest: &Forest, path: &std::path::Path) -> BTreeSet<u32> {
    let mut pids = BTreeSet::new();
    for (_, _, a) in forest.attempts().filter(|(_, _, a)| a.path == path) {
        for root in &a.processes {
            root.walk(&mut |n| {
                pids.insert(n.process.pid());
            });
        }
    }
    pids
}

fn ok(out: &std::process::Output) -> String {
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{text}");
    text
}

/// The nice value of every thread of `pid`, from `/proc/PID/task/*/stat`.
fn thread_nices(pid: u32) -> Vec<i8> {
    let dir = std::fs::read_dir(format!("/proc/{pid}/task")).unwrap();
    dir.filter_map(|e| {
        let path = e.ok()?.path().join("stat");
        swarmtop::procfs::parse_stat(std::fs::read(path).ok()?).map(|s| s.nice)
    })
    .collect()
}

#[test]
fn pause_stops_a_forking_attempt_whole_and_resume_continues_it_never_touching_the_sibling() {
    if skip_without_python() {
        return;
    }
    let b = two_worktrees("act", "pause");
    let s = Sentinel::new(&label("pause", "in-b"), b.tmp.path());
    let stopped_b = label("pause", "stopped-in-b");
    let agent = label("pause", "agent");
    let mut procs = Sessions::default();
    // The agent forks a long-lived child every 10 ms while the pause is planned and runs:
    // one forked between the plan and the SIGSTOP would keep running if it escaped.
    procs.spawn(
        &agent,
        &b.wt_a,
        "for i in $(seq 400); do (exec -a fork-churn sleep 600) & sleep 0.01; done; wait",
    );
    procs.spawn(&label("pause", "tool"), &b.wt_a, "exec sleep 600");
    let sentinel = s.spawn(&mut procs, &b.wt_b);
    let stopped_sid = procs.spawn(&stopped_b, &b.wt_b, &format!("exec -a {stopped_b} sleep 600"));
    rustix::process::kill_process(
        rustix::process::Pid::from_raw(stopped_sid as i32).unwrap(),
        rustix::process::Signal::STOP,
    )
    .unwrap();
    let forest = forest_when("the agent, its tool, the sentinel", |f| {
        s.ready() && find_label(f, &agent).is_some() && find_label(f, &s.label).is_some()
    });
    let sentinel_pid = pid_of(&forest, &s.label);
    let a = attempt_at(&forest, &b.wt_a).unwrap();

    let dry = json(&swarmtop(&["pause", "--dry-run", "--json", &a], ""));
    assert_eq!((dry["action"].as_str(), dry["signal"].as_str()), (Some("pause"), Some("SIGSTOP")), "{dry}");
    assert!(dry["grace_secs"].is_null() && dry["dry_run"] == true, "{dry}");

    let out = swarmtop(&["pause", "--yes", "--json", &a], "");
    let report = json(&out);
    assert_eq!(out.status.code(), Some(0), "{report}");
    // Every process of the attempt is stopped, and stays so: a stopped process forks nothing.
    let mut sampler = live_sampler();
    // (A child that exited just before its parent stopped is a zombie its parent has not reaped.)
    let live =
        |pids: BTreeSet<u32>| pids.into_iter().filter(|p| state(*p) != Some('Z')).collect::<BTreeSet<u32>>();
    let paused = live(attempt_pids(&sample_forest(&mut sampler), &b.wt_a));
    assert!(paused.len() >= 2, "{paused:?}");
    for pid in &paused {
        let acted = report["processes"].as_array().map_or(0, Vec::len);
        assert_eq!(state(*pid), Some('T'), "{pid} of the attempt escaped the pause ({acted} paused)");
    }
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        live(attempt_pids(&sample_forest(&mut sampler), &b.wt_a)),
        paused,
        "something forked while paused"
    );
    untouched(&s, sentinel_pid);

    let dry = swarmtop(&["resume", "--dry-run", &a], "");
    assert!(ok(&dry).contains("SIGCONT to each process that is stopped"));
    let out = swarmtop(&["resume", "--yes", "--json", &a], "");
    let report = json(&out);
    assert_eq!(out.status.code(), Some(0), "{report}");
    wait_for("the attempt running again", WAIT, || {
        paused.iter().all(|pid| state(*pid) != Some('T')).then_some(())
    });
    untouched(&s, sentinel);
    assert_eq!(state(stopped_sid), Some('T'), "resume of attempt a continued a process of attempt b");
    let again = swarmtop(&["resume", "--yes", &a], "");
    assert!(ok(&again).contains("nothing to resume"), "a resume with nothing stopped succeeds");
}

#[test]
fn renice_sets_every_thread_and_reads_it_back() {
    if skip_without_python() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let r = repo(tmp.path(), &format!("renice{}", std::process::id()));
    let l = label("renice", "threads");
    let python = common::sentinel::python().unwrap_or("python3");
    let script = "import threading, time\nfor _ in range(3): threading.Thread(target=time.sleep, args=(600,), daemon=True).start()\ntime.sleep(600)\n";
    let mut procs = Sessions::default();
    procs.spawn(&l, &r, &format!("exec -a {l} {python} -c '{script}'"));
    let forest =
        forest_when("the threaded process", |f| find_label(f, &l).is_some_and(|n| n.process.threads >= 4));
    let pid = pid_of(&forest, &l);

    let dry = json(&swarmtop(&["renice", "7", "--dry-run", "--json", &format!("pid:{pid}")], ""));
    assert_eq!((dry["action"].as_str(), dry["nice"].as_i64()), (Some("renice"), Some(7)), "{dry}");
    assert!(dry["signal"].is_null(), "{dry}");
    let out = swarmtop(&["renice", "7", "--yes", "--json", &format!("pid:{pid}")], "");
    let report = json(&out);
    assert_eq!(out.status.code(), Some(0), "{report}");
    assert_eq!(report["processes"][0]["nice"].as_i64(), Some(7), "{report}");
    let nices = thread_nices(pid);
    assert!(nices.len() >= 4 && nices.iter().all(|n| *n == 7), "every thread, not only the first: {nices:?}");
    assert_eq!(state(pid).map(|s| s == 'T'), Some(false), "a renice stops nothing");

    // Without privilege, lowering the value (raising priority) is denied, per process.
    let is_root = rustix::process::getuid().is_root();
    let has_setpriv = Command::new("setpriv").arg("--version").output().is_ok();
    if !is_root || !has_setpriv {
        println!("SKIPPED (the unprivileged half): needs root and setpriv to act as another user");
        return;
    }
    let nobody = label("renice", "nobody");
    let as_nobody = "setpriv --reuid=65534 --regid=65534 --clear-groups";
    let theirs =
        procs.spawn(&nobody, tmp.path(), &format!("exec {as_nobody} bash -c 'exec -a {nobody} sleep 600'"));
    forest_when("nobody's process", |f| find_label(f, &nobody).is_some());
    let run_as_nobody = |nice: &str| {
        Command::new("setpriv")
            .args([
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                &common::binary::bin(),
                "renice",
                nice,
                "--yes",
            ])
            .arg(format!("pid:{theirs}"))
            .env("XDG_CONFIG_HOME", "/nonexistent")
            .output()
            .unwrap()
    };
    let raised = run_as_nobody("5");
    assert_eq!(raised.status.code(), Some(0), "{}", String::from_utf8_lossy(&raised.stdout));
    let lowered = run_as_nobody("-5");
    let text = String::from_utf8_lossy(&lowered.stdout);
    assert_eq!(lowered.status.code(), Some(1), "{text}{}", String::from_utf8_lossy(&lowered.stderr));
    assert!(text.contains("permission denied"), "{text}");
    assert!(thread_nices(theirs).iter().all(|n| *n == 5), "unchanged by the denied renice");
}

#[test]
fn one_signal_reaches_exactly_the_planned_process_once() {
    if skip_without_python() {
        return;
    }
    let b = two_worktrees("act", "signal");
    let target = Sentinel::new(&label("signal", "target"), b.tmp.path());
    let child = Sentinel::new(&label("signal", "child"), b.tmp.path());
    let sibling = Sentinel::new(&label("signal", "in-b"), b.tmp.path());
    let mut procs = Sessions::default();
    // The target sentinel has a sentinel child: a `pid:` signal must not reach it.
    let parent_script =
        format!("bash {} & {}", child.script().display(), Sentinel::command(&target.label, &target.log));
    procs.spawn(&label("signal", "sh"), &b.wt_a, &parent_script);
    sibling.spawn(&mut procs, &b.wt_b);
    let forest = forest_when("three sentinels", |f| {
        [&target, &child, &sibling].iter().all(|s| s.ready() && find_label(f, &s.label).is_some())
    });
    let (t, c, s) =
        (pid_of(&forest, &target.label), pid_of(&forest, &child.label), pid_of(&forest, &sibling.label));
    let out = swarmtop(&["signal", "usr1", "--yes", "--json", &format!("pid:{t}")], "");
    let report = json(&out);
    assert_eq!(out.status.code(), Some(0), "{report}");
    assert_eq!(report["processes"][0]["outcome"], "delivered", "{report}");
    wait_for("the target's log", WAIT, || (!target.received().is_empty()).then_some(()));
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(target.received(), ["SIGUSR1"], "once, and no SIGSTOP/SIGCONT around it");
    assert!(alive(t), "no SIGKILL after it");
    untouched(&child, c);
    untouched(&sibling, s);

    // A kill's first signal by any name; the sentinel catches SIGHUP, so SIGKILL follows.
    let out =
        swarmtop(&["kill", "--signal", "SIGHUP", "--grace", "1", "--yes", "--json", &format!("pid:{t}")], "");
    let report = json(&out);
    assert_eq!(out.status.code(), Some(0), "{report}");
    assert_eq!(report["signal"], "SIGHUP", "{report}");
    assert!(target.received().contains(&"SIGHUP".to_string()), "{:?}", target.received());
    assert!(!alive(t));
    untouched(&child, c);
    untouched(&sibling, s);
}

#[test]
fn a_kill_refuses_a_first_signal_that_would_not_end_anything() {
    for signal in ["STOP", "tstp", "20", "CONT"] {
        let out = swarmtop(&["kill", "--signal", signal, "--yes", "pid:1"], "");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{signal}: {err}");
        assert!(err.contains("swarmtop pause") || err.contains("swarmtop resume"), "{signal}: {err}");
    }
    let out = swarmtop(&["signal", "FOO", "pid:1"], "");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown signal \"FOO\""));
}

#[test]
fn read_only_disables_every_action_but_their_dry_runs() {
    let args: [&[&str]; 4] =
        [&["pause", "pid:1"], &["resume", "pid:1"], &["renice", "5", "pid:1"], &["signal", "HUP", "pid:1"]];
    for a in args {
        let mut with_yes = a.to_vec();
        with_yes.push("--yes");
        let out = swarmtop(&with_yes, "read_only = true\n");
        assert_eq!(out.status.code(), Some(2), "{a:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("disabled"), "{a:?}");
    }
}

/// The TUI's signal menu on a live forest: the chosen signal goes, through the TUI's own
/// runner (the one executor), to exactly the selected process, once; its sibling
/// attempt's sentinel gets nothing.
#[test]
fn the_signal_menu_sends_the_chosen_signal_to_exactly_the_selected_process() {
    use std::sync::Arc;
    use std::sync::atomic::AtomicBool;

    use common::tui::{key, select_pid};
    use ratatui::crossterm::event::KeyCode;
    use swarmtop::config::Config;
    use swarmtop::kill::exec::{Operation, Outcome, Signal};
    use swarmtop::tui::action::{Action, Effect};
    use swarmtop::tui::app::App;
    use swarmtop::tui::command::Command;
    use swarmtop::tui::keymap::Keymap;
    use swarmtop::tui::run::{KillRunner, OpenResample, PidfdRunner};

    if skip_without_python() {
        return;
    }
    let b = two_worktrees("act", "menu");
    let target = Sentinel::new(&label("menu", "target"), b.tmp.path());
    let sibling = Sentinel::new(&label("menu", "in-b"), b.tmp.path());
    let mut procs = Sessions::default();
    target.spawn(&mut procs, &b.wt_a);
    sibling.spawn(&mut procs, &b.wt_b);
    let forest = forest_when("two sentinels", |f| {
        [&target, &sibling].iter().all(|s| s.ready() && find_label(f, &s.label).is_some())
    });
    let (t, s) = (pid_of(&forest, &target.label), pid_of(&forest, &sibling.label));
    let config = Config::default();
    let mut app = App::new(&config, Keymap::from_config(&config.keys).unwrap());
    app.plan_context = swarmtop::kill::pidfd::local_context(&config.kill.protect);
    app.update(Action::NewForest(Arc::new(forest)));
    app.update(Action::Command(Command::ExpandAll));
    select_pid(&mut app, t);
    key(&mut app, KeyCode::F(9));
    key(&mut app, KeyCode::Home);
    while !matches!(&app.modal, Some(swarmtop::tui::action::Modal::Signals { line, .. })
        if Signal::all().nth(*line) == Some(Signal::Usr2))
    {
        key(&mut app, KeyCode::Down);
    }
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Right);
    let Effect::Kill(request) = key(&mut app, KeyCode::Enter) else { panic!("no action started") };
    assert_eq!(request.operation, Operation::Send { signal: Signal::Usr2 });
    let kill_config = config.clone();
    let open_resample: OpenResample =
        Arc::new(move || swarmtop::cli::warm_resample(&kill_config).map_err(|e| e.to_string()));
    let report = PidfdRunner { open_resample }.run(&request, &AtomicBool::new(false), &mut |_| {});
    let outcomes: Vec<(u32, Outcome)> =
        report.outcomes.iter().map(|(e, o)| (e.key.pid(), o.clone())).collect();
    assert_eq!(outcomes, [(t, Outcome::Delivered)]);
    wait_for("the target's log", WAIT, || (!target.received().is_empty()).then_some(()));
    // Whatever else might come would come with it: nothing does.
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(target.received(), ["SIGUSR2"], "once, and no SIGSTOP/SIGCONT/SIGKILL around it");
    assert!(alive(t));
    untouched(&sibling, s);
}
