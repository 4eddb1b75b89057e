//! A fake box for the executor's tests: processes as fixtures in worktrees, signals
//! that act on them, forks that happen when a process runs, and a log of every signal.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use super::*;
use crate::associate::{Options, associate};
use crate::model::fixture::{ProcessExt, snapshot};
use crate::model::{Forest, ProcKey, ProcState, Process, Worktree};

pub const WT_A: &str = "/wt/a/alpha";
pub const WT_B: &str = "/wt/b/alpha";

#[derive(Clone)]
pub(super) struct FakeProc {
    pub(super) process: Process,
    pub(super) alive: bool,
    pub(super) stopped: bool,
    /// Stopped by a debugger (state `t`).
    pub(super) traced: bool,
    /// Its nice value.
    pub(super) nice: i32,
    pub(super) ignores_term: bool,
    pub(super) unkillable: bool,
    pub(super) denied: bool,
    /// Forked (and then started) the first time this process runs after a SIGCONT.
    pub(super) forks_on_cont: Vec<Process>,
    /// Exits by itself the first time it runs after a SIGCONT.
    pub(super) exits_on_cont: bool,
    /// Calls setsid() just before the next signal to a process group: a sample showed
    /// it in its old group, the group signal misses it.
    pub(super) setsid_before_group_signal: bool,
    /// Forks a child into its group and exits just as a signal to its group arrives
    /// (if it is running): the signal reaches the child, not it.
    pub(super) hops_at_group_signal: bool,
}

/// What the fake does between two calls, to play races.
pub(super) type Hook = Box<dyn FnMut(&mut World)>;

#[derive(Default)]
pub(super) struct World {
    pub(super) procs: BTreeMap<u32, FakeProc>,
    pub(super) worktrees: Vec<Worktree>,
    pub(super) log: Vec<(u32, Signal)>,
    pub(super) renices: Vec<(u32, i32)>,
    pub(super) group_log: Vec<(u32, Signal)>,
    pub(super) samples: usize,
    pub(super) now: u64,
}

pub(super) struct Fake {
    pub(super) world: World,
    pub(super) on_sample: Option<Hook>,
    pub(super) on_wait: Option<Hook>,
    pub(super) cancel_on_sample: Option<usize>,
    pub(super) cancel: std::sync::Arc<AtomicBool>,
    pub(super) panic_on_sample: Option<usize>,
}

impl World {
    pub(super) fn add(&mut self, p: Process, f: impl FnOnce(&mut FakeProc)) {
        self.now = self.now.max(p.key.start_time());
        let mut fp = FakeProc {
            process: p,
            alive: true,
            stopped: false,
            traced: false,
            nice: 0,
            ignores_term: false,
            unkillable: false,
            denied: false,
            forks_on_cont: Vec::new(),
            exits_on_cont: false,
            setsid_before_group_signal: false,
            hops_at_group_signal: false,
        };
        f(&mut fp);
        self.procs.insert(fp.process.pid(), fp);
    }

    /// A new process born now (after every plan made so far), replacing a dead one
    /// with the same PID.
    pub(super) fn spawn(&mut self, p: Process) {
        self.now += 1;
        let p = p.started(self.now);
        self.add(p, |_| {});
    }

    pub(super) fn die(&mut self, pid: u32) {
        if let Some(p) = self.procs.get_mut(&pid) {
            p.alive = false;
        }
        for child in self.procs.values_mut().filter(|c| c.alive && c.process.ppid == pid) {
            child.process.ppid = 1;
        }
    }

    pub(super) fn forest(&self) -> Forest {
        let procs = self
            .procs
            .values()
            .filter(|p| p.alive)
            .map(|p| {
                let state = match (p.traced, p.stopped) {
                    (true, _) => ProcState::Traced,
                    (false, true) => ProcState::Stopped,
                    (false, false) => ProcState::Sleeping,
                };
                p.process.clone().state(state)
            })
            .collect();
        associate(&snapshot(procs, self.worktrees.clone()), &Options::default())
    }

    pub(super) fn signals_to(&self, pid: u32) -> Vec<Signal> {
        self.log.iter().filter(|(p, _)| *p == pid).map(|(_, s)| *s).collect()
    }

    pub(super) fn deliver(&mut self, pid: u32, signal: Signal) {
        let Some(p) = self.procs.get_mut(&pid) else { return };
        match signal {
            Signal::Stop => p.stopped = true,
            Signal::Cont => {
                p.stopped = false;
                let forks = std::mem::take(&mut p.forks_on_cont);
                let exits = std::mem::take(&mut p.exits_on_cont);
                for child in forks {
                    self.spawn(child);
                }
                if exits {
                    self.die(pid);
                }
            }
            Signal::Term | Signal::Int if !p.ignores_term => self.die(pid),
            Signal::Kill if !p.unkillable => self.die(pid),
            _ => {}
        }
    }
}

impl Fake {
    pub(super) fn new(world: World) -> Fake {
        Fake {
            world,
            on_sample: None,
            on_wait: None,
            cancel_on_sample: None,
            cancel: std::sync::Arc::new(AtomicBool::new(false)),
            panic_on_sample: None,
        }
    }
}

impl ProcessControl for Fake {
    type Handle = ProcKey;

    fn open(&mut self, key: ProcKey) -> Result<Opened<ProcKey>, ControlError> {
        match self.world.procs.get(&key.pid()) {
            Some(p) if p.alive && p.process.key == key => {
                Ok(Opened { handle: key, was_stopped: p.stopped || p.traced, traced: p.traced })
            }
            _ => Err(ControlError::Gone),
        }
    }

    fn signal(&mut self, key: &ProcKey, signal: Signal) -> Result<(), ControlError> {
        let p = self.world.procs.get(&key.pid()).ok_or(ControlError::Gone)?;
        if !p.alive || p.process.key != *key {
            return Err(ControlError::Gone);
        }
        if p.denied {
            return Err(ControlError::Denied);
        }
        self.world.log.push((key.pid(), signal));
        self.world.deliver(key.pid(), signal);
        Ok(())
    }

    fn signal_group(&mut self, pgid: u32, signal: Signal) -> Result<(), ControlError> {
        self.world.group_log.push((pgid, signal));
        for p in self.world.procs.values_mut().filter(|p| p.setsid_before_group_signal) {
            p.setsid_before_group_signal = false;
            p.process.pgid = p.process.pid();
            p.process.sid = p.process.pid();
        }
        let hoppers: Vec<u32> = (self.world.procs.values())
            .filter(|p| p.alive && !p.stopped && p.hops_at_group_signal && p.process.pgid == pgid)
            .map(|p| p.process.pid())
            .collect();
        for pid in hoppers {
            let next = self.world.procs.keys().max().map_or(pid + 1, |m| m + 1);
            let parent = &self.world.procs[&pid].process;
            let mut child = parent.clone();
            child.key = ProcKey::new(next, 1).unwrap_or(child.key);
            child.ppid = pid;
            self.world.spawn(child);
            self.world.die(pid);
        }
        let members: Vec<u32> = self
            .world
            .procs
            .values()
            .filter(|p| p.alive && p.process.pgid == pgid)
            .map(|p| p.process.pid())
            .collect();
        if members.is_empty() {
            return Err(ControlError::Gone);
        }
        for pid in members {
            self.world.log.push((pid, signal));
            self.world.deliver(pid, signal);
        }
        Ok(())
    }

    fn is_alive(&mut self, key: &ProcKey) -> bool {
        self.world.procs.get(&key.pid()).is_some_and(|p| p.alive && p.process.key == *key)
    }

    fn wait(&mut self, handles: &[&ProcKey], _timeout: Duration, _cancel: &AtomicBool) -> Vec<bool> {
        if let Some(hook) = &mut self.on_wait {
            hook(&mut self.world);
        }
        handles.iter().map(|k| !self.is_alive(k)).collect()
    }

    fn renice(&mut self, key: &ProcKey, nice: i32) -> Result<Reniced, ControlError> {
        let p = self.world.procs.get_mut(&key.pid()).ok_or(ControlError::Gone)?;
        if !p.alive || p.process.key != *key {
            return Err(ControlError::Gone);
        }
        if p.denied || nice < p.nice {
            return Err(ControlError::Denied);
        }
        p.nice = nice;
        self.world.renices.push((key.pid(), nice));
        Ok(Reniced { nice, vanished_threads: Vec::new() })
    }

    fn sample(&mut self) -> Result<Forest, ControlError> {
        self.world.samples += 1;
        if self.panic_on_sample == Some(self.world.samples) {
            panic!("sampler blew up");
        }
        if self.cancel_on_sample == Some(self.world.samples) {
            self.cancel.store(true, Ordering::SeqCst);
        }
        if let Some(hook) = &mut self.on_sample {
            hook(&mut self.world);
        }
        Ok(self.world.forest())
    }
}
