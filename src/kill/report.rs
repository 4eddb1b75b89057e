//! Text and JSON renderings of plans and reports. Text escapes control characters.

use std::fmt::Write;

use serde::Serialize;

use super::exec::{KillReport, Outcome};
use super::operation::Operation;
use super::plan::KillPlan;
use crate::model::text::{human_bytes, percent, sanitize, truncate};

pub fn plan_text(plan: &KillPlan, operation: Operation) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} {}: {} process{}, CPU {}%, MEM {}; {}",
        operation.verb(),
        sanitize(&plan.scope_text()),
        plan.entries.len(),
        if plan.entries.len() == 1 { "" } else { "es" },
        percent(plan.cpu_percent()),
        human_bytes(plan.memory_bytes()),
        operation.describe()
    );
    if let Some(narrowed) = narrowing_text(plan) {
        let _ = writeln!(s, "{narrowed}");
    }
    for e in &plan.entries {
        let _ = writeln!(
            s,
            "  {:>7}  {:<16} {}",
            e.key.pid(),
            truncate(&sanitize(&e.name), 16),
            sanitize(&e.cmd)
        );
    }
    if !plan.skipped.is_empty() {
        let _ = writeln!(s, "left alone:");
        for k in &plan.skipped {
            let _ = writeln!(
                s,
                "  {:>7}  {:<16} {}",
                k.entry.key.pid(),
                truncate(&sanitize(&k.entry.name), 16),
                k.reason
            );
        }
    }
    s
}

/// `only in your attempt attempt:…; older than 10m; keeping agents`, when narrowed.
pub fn narrowing_text(plan: &KillPlan) -> Option<String> {
    let n = &plan.narrowing;
    let mut parts = Vec::new();
    if let Some(mine) = &plan.mine {
        parts.push(format!("only in your attempt {}", sanitize(mine.attempt.as_str())));
    }
    if let Some(d) = n.older_than {
        parts.push(format!("older than {}", humantime::format_duration(d)));
    }
    if let Some(b) = n.min_rss_bytes {
        parts.push(format!("at least {} resident", human_bytes(b)));
    }
    if let Some(c) = n.min_cpu_percent {
        parts.push(format!("at least {}% CPU", percent(c)));
    }
    if n.keep_agents {
        parts.push("keeping agents".to_string());
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

pub fn report_text(report: &KillReport) -> String {
    let mut s = String::new();
    for (e, o) in &report.outcomes {
        let mut detail = outcome_text(o);
        if report.born.contains(&e.key) {
            detail.push_str(" (born after the plan)");
        }
        let _ = writeln!(s, "  {:>7}  {:<16} {}", e.key.pid(), truncate(&sanitize(&e.name), 16), detail);
    }
    for w in &report.warnings {
        let _ = writeln!(s, "warning: {}", sanitize(w));
    }
    let _ = writeln!(s, "{}", summary(report));
    s
}

/// An outcome with its detail: `skipped: why`, `failed: errno`, `reniced (nice 10)`.
pub fn outcome_text(o: &Outcome) -> String {
    match o {
        Outcome::Skipped(r) => format!("skipped: {r}"),
        Outcome::Failed(msg) => format!("failed: {msg}"),
        Outcome::Reniced(nice) => format!("reniced (nice {nice})"),
        o => o.label().to_string(),
    }
}

/// `3 exited, 1 needed SIGKILL` — only the outcomes that occurred.
pub fn summary(report: &KillReport) -> String {
    let parts: Vec<String> = Outcome::LABELS
        .iter()
        .map(|l| (l, report.count(l)))
        .filter(|(_, n)| *n > 0)
        .map(|(l, n)| format!("{n} {l}"))
        .collect();
    let mut s = if parts.is_empty() { "nothing to do".to_string() } else { parts.join(", ") };
    if report.born_meanwhile > 0 {
        let _ = write!(s, " ({} born meanwhile, included)", report.born_meanwhile);
    }
    if !report.groups.is_empty() {
        let groups: Vec<String> = report.groups.iter().map(u32::to_string).collect();
        let _ =
            write!(s, "; process group{} {} signalled as a whole", plural(groups.len()), groups.join(", "));
    }
    if report.cancelled {
        let _ =
            write!(s, "; CANCELLED: every process the {} had stopped was continued", report.operation.verb());
    }
    s
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[derive(Serialize)]
struct JsonProcess<'a> {
    pid: u32,
    start_time: u64,
    name: &'a str,
    cmd: &'a str,
    outcome: String,
    /// Not in the plan: born after it, inside its scope.
    born_after_plan: bool,
    /// `renice`: the nice value read back; null otherwise.
    nice: Option<i32>,
}

/// What narrowed the kill (all null/false when nothing did).
#[derive(Serialize)]
struct JsonNarrowing {
    /// `--mine`: the caller's attempt, which every process of the kill is in.
    mine: Option<String>,
    older_than_secs: Option<u64>,
    min_rss_bytes: Option<u64>,
    min_cpu_percent: Option<f32>,
    keep_agents: bool,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    /// The version of this document's shape (docs/kill-schema-1.json); it only grows.
    schema: u32,
    /// The box the kill ran on, when it was another one (`kill --host`).
    #[serde(skip_serializing_if = "Option::is_none")]
    host: Option<&'a str>,
    scope: Vec<String>,
    dry_run: bool,
    /// kill, signal, pause, resume or renice.
    action: &'static str,
    /// The signal sent (a kill's first one); null for renice.
    signal: Option<&'static str>,
    /// A kill's grace before SIGKILL; null for every other action.
    grace_secs: Option<u64>,
    /// `renice`: the nice value set; null otherwise.
    nice: Option<i32>,
    processes: Vec<JsonProcess<'a>>,
    /// Process groups signalled as a whole (every member inside the scope).
    groups: &'a [u32],
    cancelled: bool,
    warnings: &'a [String],
    exit_code: i32,
    narrowing: JsonNarrowing,
}

pub fn json(plan: &KillPlan, report: Option<&KillReport>, operation: Operation) -> String {
    json_on(None, plan, report, operation)
}

/// Like `json`, for a kill planned and carried out on `host`.
pub fn json_on(
    host: Option<&str>,
    plan: &KillPlan,
    report: Option<&KillReport>,
    operation: Operation,
) -> String {
    let processes: Vec<JsonProcess<'_>> = match report {
        Some(r) => r
            .outcomes
            .iter()
            .map(|(e, o)| JsonProcess {
                pid: e.key.pid(),
                start_time: e.key.start_time(),
                name: &e.name,
                cmd: &e.cmd,
                outcome: outcome_text(o),
                born_after_plan: r.born.contains(&e.key),
                nice: match o {
                    Outcome::Reniced(n) => Some(*n),
                    _ => None,
                },
            })
            .collect(),
        None => plan
            .entries
            .iter()
            .map(|e| (e, "planned".to_string()))
            .chain(plan.skipped.iter().map(|k| (&k.entry, format!("skipped: {}", k.reason))))
            .map(|(e, outcome)| JsonProcess {
                pid: e.key.pid(),
                start_time: e.key.start_time(),
                name: &e.name,
                cmd: &e.cmd,
                outcome,
                born_after_plan: false,
                nice: None,
            })
            .collect(),
    };
    let doc = JsonReport {
        schema: 1,
        host,
        scope: plan.scope.iter().map(ToString::to_string).collect(),
        dry_run: report.is_none(),
        action: operation.verb(),
        signal: operation.signal().map(|s| s.name()),
        grace_secs: match operation {
            Operation::Kill { grace_secs, .. } => Some(grace_secs),
            _ => None,
        },
        nice: match operation {
            Operation::Renice { nice } => Some(nice),
            _ => None,
        },
        processes,
        groups: report.map_or(&[], |r| &r.groups),
        cancelled: report.is_some_and(|r| r.cancelled),
        warnings: report.map_or(&[], |r| &r.warnings),
        exit_code: report.map_or(0, KillReport::exit_code),
        narrowing: JsonNarrowing {
            mine: plan.mine.as_ref().map(|m| m.attempt.to_string()),
            older_than_secs: plan.narrowing.older_than.map(|d| d.as_secs()),
            min_rss_bytes: plan.narrowing.min_rss_bytes,
            min_cpu_percent: plan.narrowing.min_cpu_percent,
            keep_agents: plan.narrowing.keep_agents,
        },
    };
    // Plain structs of strings and numbers always serialize.
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}
