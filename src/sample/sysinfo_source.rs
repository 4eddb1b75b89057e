//! The second process source, built on sysinfo (a fallback and a cross-check of the
//! procfs one). It adds pgid, sid, state and start ticks from `/proc/PID/stat`, which
//! sysinfo does not expose.

use sysinfo::{ProcessRefreshKind, ProcessesToUpdate, System, UpdateKind};

use super::users::UserNames;
use super::{ProcessSource, SampleError};
use crate::procfs;
use std::os::unix::ffi::OsStrExt;
use std::sync::Arc;

use crate::model::argv::escape_bytes;
use crate::model::{Argv, ProcKey, ProcState, Process, ProcessFacts};

pub struct SysinfoSource {
    system: System,
    users: UserNames,
    homes: super::environ::HomesCache,
    buf: Vec<u8>,
}

/// sysinfo's environment entries as one NUL-separated block, like `/proc/PID/environ`.
fn environ_block(entries: &[std::ffi::OsString]) -> Vec<u8> {
    let mut raw = Vec::new();
    for e in entries {
        raw.extend_from_slice(e.as_bytes());
        raw.push(0);
    }
    raw
}

impl SysinfoSource {
    pub fn new() -> Result<SysinfoSource, SampleError> {
        let system = System::new().map_err(|e| SampleError::Sysinfo(e.to_string()))?;
        Ok(SysinfoSource {
            system,
            users: UserNames::load(),
            homes: Default::default(),
            buf: Vec::with_capacity(1024),
        })
    }

    fn refresh_kind() -> ProcessRefreshKind {
        ProcessRefreshKind::nothing()
            .with_cpu()
            .with_memory()
            .with_cwd(UpdateKind::Always)
            .with_cmd(UpdateKind::Always)
            .with_user(UpdateKind::OnlyIfNotSet)
            .with_environ(UpdateKind::OnlyIfNotSet)
            .without_tasks()
    }
}

impl ProcessSource for SysinfoSource {
    fn name(&self) -> &'static str {
        "sysinfo"
    }

    fn ticks_per_second(&self) -> u64 {
        rustix::param::clock_ticks_per_second()
    }

    fn refresh(&mut self) -> Result<Vec<Process>, SampleError> {
        self.system.refresh_processes_specifics(ProcessesToUpdate::All, true, Self::refresh_kind());
        let mut out = Vec::with_capacity(self.system.processes().len());
        for (pid, p) in self.system.processes() {
            let pid = pid.as_u32();
            // Gone since sysinfo listed it: skip, as the next refresh would.
            let Some(stat) = procfs::read_stat(pid, &mut self.buf) else {
                continue;
            };
            let Some(key) = ProcKey::new(pid, stat.start_ticks) else {
                continue;
            };
            let uid = p.user_id().map(|u| **u);
            let name = escape_bytes(p.name().as_bytes());
            let mut cmdline = Vec::new();
            for arg in p.cmd() {
                cmdline.extend_from_slice(arg.as_bytes());
                cmdline.push(0);
            }
            let facts = ProcessFacts {
                name_escaped: matches!(name, std::borrow::Cow::Owned(_)),
                name: name.into(),
                uid,
                user: uid.map_or_else(|| "".into(), |u| self.users.name(u)),
                cmd: Argv::from_cmdline(&cmdline),
                tags: p
                    .environ()
                    .iter()
                    .filter_map(|kv| {
                        let kv = kv.to_str()?;
                        let (k, v) = kv.split_once('=')?;
                        crate::model::tags::is_kept(k).then(|| (k.to_string(), v.to_string()))
                    })
                    .collect(),
                homes: self.homes.of_environ(&environ_block(p.environ())),
                program_path: super::environ::program_path(&Argv::from_cmdline(&cmdline), || {
                    p.exe().map(std::path::Path::to_path_buf)
                }),
            };
            out.push(Process {
                key,
                ppid: p.parent().map(|pp| pp.as_u32()).unwrap_or(stat.ppid),
                pgid: stat.pgid,
                sid: stat.sid,
                cwd: if stat.kernel_thread {
                    None
                } else {
                    p.cwd().map(|c| procfs::link_target(c.as_os_str().as_bytes()).into())
                },
                state: ProcState::from_stat_char(stat.state),
                cpu_percent: p.cpu_usage(),
                memory_bytes: p.memory(),
                // sysinfo has neither: both from the stat line read above.
                nice: stat.nice,
                threads: stat.num_threads,
                kernel_thread: stat.kernel_thread,
                facts: Arc::new(facts),
                // sysinfo does not list sockets: unknown, never "none".
                ports: None,
                // Nor their memory maps or I/O counters: unknown.
                usage: None,
            });
        }
        self.homes.prune();
        Ok(out)
    }
}
