//! Which process listens on which port, kept up to date incrementally: the listening
//! tables of every network namespace seen are read once per refresh, and a process's
//! descriptors only when the procfs source says so (it is new, it ran, or its turn in
//! the rolling sweep came). Holders are matched to listeners again only when a table
//! changed or their descriptors were read.

use std::collections::HashMap;
use std::io;
use std::sync::Arc;

use super::sock_diag::SockDiag;
use crate::model::{Port, Process};
use crate::procfs::ProcDir;
use crate::procfs::net::Listener;

/// A process that did not run cannot have opened or closed a socket... unless it ran
/// for less than a clock tick without faulting, so the descriptors of an idle process
/// that holds sockets are also read once in this many refreshes, a share of them each
/// time.
pub const FD_SWEEP: u32 = 16;

/// An idle process that held no socket at all at its last read could only have come to
/// hold a listening socket by making one (or taking another's with `pidfd_getfd`)
/// within less than a clock tick: its descriptors are read once in this many refreshes.
pub const FD_SWEEP_SOCKETLESS: u32 = 64;

/// Reading descriptors costs about 3 µs each. A process that runs all the time (an
/// agent, an editor, another swarmtop) with many of them is read again, when it runs,
/// once in every `fds / FDS_PER_REFRESH` refreshes (rounded up).
pub const FDS_PER_REFRESH: u32 = 64;

/// What a refresh saw a process do since the last one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activity {
    /// First seen, or exec'd since.
    New,
    /// Its CPU ticks or minor faults moved.
    Ran,
    Idle,
}

/// What the last read of a process's descriptors found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FdsSeen {
    /// How many descriptors it had (saturating).
    pub count: u16,
    /// Whether any of them was a socket.
    pub sockets: bool,
}

impl FdsSeen {
    /// Whether this refresh reads the descriptors of `pid` (a process that `activity`).
    pub fn due(self, activity: Activity, pid: u32, generation: u32) -> bool {
        let turn = |period: u32| pid % period == generation % period;
        match activity {
            Activity::New => true,
            Activity::Ran => turn(u32::from(self.count).div_ceil(FDS_PER_REFRESH).max(1)),
            Activity::Idle if self.sockets => turn(FD_SWEEP),
            Activity::Idle => turn(FD_SWEEP_SOCKETLESS),
        }
    }
}

/// Another network namespace's tables can only be read from `/proc/PID/net/*`, which
/// walks every established connection of the box (about 1 ms per table on a large
/// one): they are read on every this many refreshes (and when a namespace is first seen).
pub const FOREIGN_EVERY: u32 = 4;

/// A process that holds listening sockets, or whose descriptors could not be read.
#[derive(Debug)]
struct Held {
    start_ticks: u64,
    /// Its listening socket inodes; `None` when its descriptors could not be read.
    inodes: Option<Box<[u64]>>,
    /// Its network namespace, to find another process to read the tables through.
    namespace: Option<u64>,
    ports: Option<Arc<[Port]>>,
    /// Still in this refresh's process list.
    live: bool,
}

/// A network namespace's listening sockets, read through one of its processes.
#[derive(Debug)]
struct Namespace {
    pid: u32,
    listeners: Vec<Listener>,
}

#[derive(Debug)]
pub struct PortScanner {
    held: HashMap<u32, Held>,
    namespaces: HashMap<u64, Namespace>,
    /// Every namespace's listeners by inode (inodes of sockets are unique on the box).
    listening: HashMap<u64, Port>,
    /// `listening` changed since holders were last matched.
    changed: bool,
    /// swarmtop's own namespace, read through sock_diag when it opens; `None` until
    /// known (never, in a directory laid out like /proc).
    own: Option<u64>,
    diag: Option<SockDiag>,
    /// Counts refreshes, for the foreign namespaces' cadence.
    generation: u32,
    /// Shared by every process without listening sockets.
    none: Arc<[Port]>,
    inodes: Vec<u64>,
    listeners: Vec<Listener>,
    buf: Vec<u8>,
}

impl Default for PortScanner {
    fn default() -> PortScanner {
        PortScanner {
            held: HashMap::new(),
            namespaces: HashMap::new(),
            listening: HashMap::new(),
            changed: false,
            own: None,
            diag: None,
            generation: 0,
            none: Arc::from([]),
            inodes: Vec::new(),
            listeners: Vec::new(),
            buf: Vec::new(),
        }
    }
}

impl PortScanner {
    /// Reads the tables of every namespace seen (and swarmtop's own), before the
    /// processes' descriptors are read.
    pub fn begin(&mut self, proc: &mut ProcDir) {
        if self.generation == 0 {
            let me = std::process::id();
            self.own = proc.net_namespace(me, &mut self.buf).ok();
            if let Some(ns) = self.own {
                self.namespaces.insert(ns, Namespace { pid: me, listeners: Vec::new() });
                self.diag = SockDiag::open().ok();
            }
        }
        self.generation = self.generation.wrapping_add(1);
        let namespaces: Vec<(u64, u32)> = self.namespaces.iter().map(|(&ns, n)| (ns, n.pid)).collect();
        for (ns, pid) in namespaces {
            let own = Some(ns) == self.own;
            if !own && self.generation % FOREIGN_EVERY != 0 {
                continue;
            }
            let through_diag =
                own && self.diag.as_mut().is_some_and(|d| d.listeners(&mut self.listeners).is_ok());
            // Read through its process; when that is gone, through a holder in it.
            let mut read = (through_diag || proc.listeners(pid, &mut self.buf, &mut self.listeners).is_ok())
                .then_some(pid);
            if read.is_none() {
                let others: Vec<u32> =
                    self.held.iter().filter(|(_, h)| h.namespace == Some(ns)).map(|(&p, _)| p).collect();
                read = others
                    .into_iter()
                    .find(|&p| proc.listeners(p, &mut self.buf, &mut self.listeners).is_ok());
            }
            match read {
                Some(reader) => self.update(ns, reader),
                None => {
                    self.namespaces.remove(&ns);
                    self.changed = true;
                }
            }
        }
        if self.changed {
            self.rebuild_listening();
        }
    }

    /// Stores the listeners just read for `ns`, noting a change.
    fn update(&mut self, ns: u64, reader: u32) {
        let entry = self.namespaces.entry(ns).or_insert(Namespace { pid: reader, listeners: Vec::new() });
        entry.pid = reader;
        if entry.listeners != self.listeners {
            std::mem::swap(&mut entry.listeners, &mut self.listeners);
            self.changed = true;
        }
    }

    fn rebuild_listening(&mut self) {
        self.listening.clear();
        for ns in self.namespaces.values() {
            self.listening.extend(ns.listeners.iter().map(|l| (l.inode, l.port)));
        }
    }

    /// Reads the descriptors of `pid` (the process started at `start_ticks`), through
    /// its thread `via` when given.
    pub fn scan(&mut self, proc: &mut ProcDir, pid: u32, via: Option<u32>, start_ticks: u64) -> FdsSeen {
        let count = match proc.socket_inodes(pid, via, &mut self.inodes) {
            Ok(count) => count,
            Err(e) => {
                match e.kind() {
                    // Another user's process: its ports are unknown, never "none".
                    io::ErrorKind::PermissionDenied => {
                        self.held.insert(pid, Held::unreadable(start_ticks));
                    }
                    // Gone: it leaves the list at the next refresh.
                    _ => drop(self.held.remove(&pid)),
                }
                return FdsSeen::default();
            }
        };
        let seen =
            FdsSeen { count: u16::try_from(count).unwrap_or(u16::MAX), sockets: !self.inodes.is_empty() };
        if self.inodes.is_empty() {
            self.held.remove(&pid);
            return seen;
        }
        // A socket of a namespace not seen yet: read that namespace's tables first.
        let mut namespace = None;
        if self.inodes.iter().any(|i| !self.listening.contains_key(i)) {
            namespace = proc.net_namespace(via.unwrap_or(pid), &mut self.buf).ok();
            if let Some(ns) = namespace.filter(|ns| !self.namespaces.contains_key(ns)) {
                if proc.listeners(pid, &mut self.buf, &mut self.listeners).is_ok() {
                    self.update(ns, pid);
                    self.rebuild_listening();
                }
            }
        }
        self.inodes.retain(|i| self.listening.contains_key(i));
        if self.inodes.is_empty() {
            self.held.remove(&pid);
            return seen;
        }
        // The PID may have been reused since its stat was read: only this very
        // process's sockets count.
        if !proc.is_still(pid, start_ticks, &mut self.buf) {
            self.held.remove(&pid);
            return seen;
        }
        let ports = Some(self.match_ports(&self.inodes));
        let inodes = Some(self.inodes.as_slice().into());
        self.held.insert(pid, Held { start_ticks, inodes, namespace, ports, live: false });
        seen
    }

    fn match_ports(&self, inodes: &[u64]) -> Arc<[Port]> {
        let mut ports: Vec<Port> = inodes.iter().filter_map(|i| self.listening.get(i)).copied().collect();
        if ports.is_empty() {
            return self.none.clone();
        }
        ports.sort_unstable();
        ports.dedup();
        ports.into()
    }

    /// Gives every process of this refresh its ports, and forgets the processes gone.
    pub fn finish(&mut self, processes: &mut [Process]) {
        if std::mem::take(&mut self.changed) {
            let matched: Vec<(u32, Arc<[Port]>)> = self
                .held
                .iter()
                .filter_map(|(&pid, h)| Some((pid, self.match_ports(h.inodes.as_deref()?))))
                .collect();
            for (pid, ports) in matched {
                if let Some(h) = self.held.get_mut(&pid) {
                    h.ports = Some(ports);
                }
            }
        }
        for p in processes {
            p.ports = match self.held.get_mut(&p.pid()) {
                Some(h) if h.start_ticks == p.key.start_time() => {
                    h.live = true;
                    h.ports.clone()
                }
                _ => Some(self.none.clone()),
            };
        }
        self.held.retain(|_, h| std::mem::take(&mut h.live));
        if let Some(c) = crate::capacity::shrunk(self.held.capacity(), self.held.len()) {
            self.held.shrink_to(c);
        }
    }
}

impl PortScanner {
    /// The listening sockets no readable process of the last refresh holds, sorted.
    pub fn unowned(&self) -> Vec<Port> {
        let held: std::collections::HashSet<u64> =
            self.held.values().flat_map(|h| h.inodes.iter().flatten()).copied().collect();
        let mut out: Vec<Port> =
            self.listening.iter().filter(|(i, _)| !held.contains(i)).map(|(_, p)| *p).collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}

impl Held {
    fn unreadable(start_ticks: u64) -> Held {
        Held { start_ticks, inodes: None, namespace: None, ports: None, live: false }
    }
}

#[cfg(test)]
#[path = "ports_tests.rs"]
mod tests;
