//! `swarmtop kill --host HOST TARGET…`: the plan is made and carried out on HOST, by its
//! swarmtop, with its identity checks and protections; this side shows that plan, asks,
//! and sends back exactly the processes it showed. A connection lost during the kill
//! gives "unknown outcome" for every process, and the kill is never retried.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use tokio::sync::mpsc::UnboundedReceiver;

use super::CliError;
use super::hosts::HostSet;
use super::interrupt::{CANCEL, CancelOnSignals};
use crate::kill::exec::{KillReport, Sig};
use crate::kill::operation::Operation;
use crate::kill::plan::KillPlan;
use crate::kill::report;
use crate::model::text::sanitize;
use crate::remote::host::{HostSpec, HostStatus};
use crate::remote::link::{Link, LinkCommand, Update};
use crate::remote::protocol::PlanRequest;

/// What the command line asked for, for one host.
pub struct RemoteKill<'a> {
    pub host: &'a HostSpec,
    /// The targets and narrowing, as the local command line builds them.
    pub kill: PlanRequest,
    pub dry_run: bool,
    pub yes: bool,
    pub json: bool,
    pub signal: Sig,
    pub grace_secs: u64,
}

impl RemoteKill<'_> {
    fn operation(&self) -> Operation {
        Operation::Kill { signal: self.signal, grace_secs: self.grace_secs }
    }
}

const PLAN: u64 = 1;
const EXECUTE: u64 = 2;

struct Conversation {
    link: Link,
    updates: UnboundedReceiver<(usize, Update)>,
    runtime: tokio::runtime::Runtime,
}

impl Conversation {
    /// The next update, or None when nothing can come any more. With `cancel`, a
    /// signal to this process sends a cancel for the running kill (once).
    fn next(&mut self, cancel: bool, cancelled: &mut bool) -> Option<Update> {
        loop {
            if cancel && !*cancelled && CANCEL.load(Ordering::SeqCst) {
                *cancelled = true;
                self.link.send(LinkCommand::Cancel { request: EXECUTE });
            }
            let next = self.runtime.block_on(async {
                tokio::time::timeout(Duration::from_millis(100), self.updates.recv()).await
            });
            match next {
                Ok(Some((_, update))) => return Some(update),
                Ok(None) => return None,
                Err(_) => {}
            }
        }
    }
}

pub fn run(kill: RemoteKill<'_>, set: &HostSet) -> Result<i32, CliError> {
    let (tx, updates) = tokio::sync::mpsc::unbounded_channel();
    let link = Link::start(0, kill.host.clone(), Arc::clone(&set.transport), set.timing, tx);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_time().build()?;
    let mut c = Conversation { link, updates, runtime };
    let host = kill.host;
    let unreachable = |why: String| CliError::Remote(format!("cannot reach {host}: {why}"));
    let mut no_cancel = false;
    // 1. Connected, with the forest a plan is made from; or why not.
    loop {
        match c.next(false, &mut no_cancel) {
            Some(Update::Forest(_)) => break,
            Some(Update::Status(
                HostStatus::Failed { reason, .. } | HostStatus::Reconnecting { reason, .. },
            )) => {
                return Err(unreachable(reason));
            }
            Some(_) => {}
            None => return Err(unreachable("the connection thread ended".into())),
        }
    }
    // 2. Its plan.
    c.link.send(LinkCommand::Plan { request: PLAN, kill: kill.kill.clone() });
    let (id, plan) = loop {
        match c.next(false, &mut no_cancel) {
            Some(Update::Plan { request: PLAN, id, plan }) => break (id, plan),
            Some(Update::Refused { request: PLAN, message }) => {
                return Err(CliError::Usage(format!("{host}: {}", sanitize(&message))));
            }
            Some(_) => {}
            None => return Err(unreachable("the connection thread ended".into())),
        }
    };
    let shown = if kill.json {
        report::json_on(Some(&host.name), &plan, None, kill.operation())
    } else {
        format!("on {host}: {}", report::plan_text(&plan, kill.operation()))
    };
    if kill.dry_run {
        super::list::write_stdout(&shown)?;
        return Ok(0);
    }
    if plan.entries.is_empty() {
        super::list::write_stdout(&shown)?;
        crate::warn!("swarmtop: nothing can be signalled on {host}");
        return Ok(1);
    }
    if !kill.yes {
        super::act::confirm(&shown, kill.operation(), plan.entries.len())?;
    }
    // 3. Exactly that plan, carried out there.
    let signals = CancelOnSignals::install()?;
    let report = execute(&mut c, id, &plan, &kill);
    if let Some(signal) = signals.received() {
        crate::warn!(
            "swarmtop: {signal}: asked {host} to cancel the kill; it continued every process it had stopped"
        );
    }
    drop(signals);
    let out = if kill.json {
        report::json_on(Some(&host.name), &plan, Some(&report), kill.operation())
    } else {
        format!("on {host}:\n{}", report::report_text(&report))
    };
    super::list::write_stdout(&out)?;
    Ok(report.exit_code())
}

fn execute(c: &mut Conversation, id: String, plan: &KillPlan, kill: &RemoteKill<'_>) -> KillReport {
    let command = LinkCommand::Execute {
        request: EXECUTE,
        id,
        plan: Box::new(plan.clone()),
        signal: kill.signal,
        grace_secs: kill.grace_secs,
    };
    c.link.send(command);
    let mut cancelled = false;
    loop {
        match c.next(true, &mut cancelled) {
            Some(Update::Report { request: EXECUTE, report }) => return *report,
            Some(Update::Refused { request: EXECUTE, message }) => {
                let mut report = KillReport::new(kill.operation());
                report.warnings.push(format!("{}: {}", kill.host, sanitize(&message)));
                return report;
            }
            Some(_) => {}
            // The link always reports a kill it sent (an unknown outcome when its
            // connection went); a link that is gone cannot say more.
            None => return crate::remote::link::unknown_outcome(kill.host, plan, kill.operation()),
        }
    }
}
