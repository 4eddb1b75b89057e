//! The synthetic box `swarmtop bench` associates and draws: bench data, built from
//! literals, nothing read from the OS.

use std::path::PathBuf;
use std::sync::Arc;

use crate::model::{AttemptSource, ProcKey, ProcState, Process, ProcessFacts, Snapshot, Worktree};

/// `attempts` worktrees over 10 projects, each with an agent whose tool processes nest
/// three deep, up to `processes` in total.
pub fn synthetic_snapshot(processes: usize, attempts: usize) -> Snapshot {
    let attempts = attempts.max(1);
    let worktrees: Vec<Worktree> = (0..attempts)
        .map(|a| Worktree {
            path: PathBuf::from(format!("/wt/{a:04x}-task-{}/p", a / 3)),
            project_path: PathBuf::from(format!("/src/project-{}", a % 10)),
            branch: Some(format!("vk/{a:04x}-task-{}", a / 3)),
            detached_at: None,
            is_main: false,
            source: AttemptSource::Git,
            layout_dir: None,
        })
        .collect();
    let mut procs = Vec::with_capacity(processes);
    for (pid, i) in (1000u32..).zip(0..processes) {
        let a = i % attempts;
        let (ppid, cwd) = if i < attempts {
            (1, worktrees[a].path.clone())
        } else {
            // Children of the agent of attempt `a`, or of an earlier child: nested trees.
            let parent =
                if (i / attempts).is_multiple_of(3) { 1000 + a as u32 } else { pid - attempts as u32 };
            (parent, PathBuf::from("/tmp"))
        };
        let Some(key) = ProcKey::new(pid, u64::from(pid) * 10) else { continue };
        procs.push(Process {
            key,
            ppid,
            pgid: ppid.max(1),
            sid: ppid.max(1),
            cwd: Some(cwd.as_path().into()),
            state: ProcState::Sleeping,
            cpu_percent: (i % 7) as f32,
            memory_bytes: ((i % 13) as u64 + 1) << 20,
            nice: 0,
            threads: 1 + (i % 3) as u32,
            kernel_thread: false,
            ports: Some(Arc::from([])),
            usage: None,
            facts: Arc::new(ProcessFacts {
                name: format!("worker-{i}").chars().take(15).collect(),
                uid: Some(1000),
                user: "dev".into(),
                cmd: [format!("worker-{i}"), "--flag".to_string()].into_iter().collect(),
                ..ProcessFacts::default()
            }),
        });
    }
    Snapshot::of_devbox(procs, worktrees)
}
