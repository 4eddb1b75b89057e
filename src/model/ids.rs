//! The stable, typeable ids used in JSON, on the command line and in the TUI.

use std::fmt;
use std::str::FromStr;

pub fn project_id(project: &str) -> String {
    format!("project:{project}")
}

pub fn task_id(project: &str, task: &str) -> String {
    format!("task:{project}/{task}")
}

pub fn attempt_id(project: &str, task: &str, attempt: &str) -> String {
    format!("attempt:{project}/{task}/{attempt}")
}

/// A parsed id. Task names may contain `/` (they come from branches); project
/// and attempt names never do, so an attempt id splits at its first and last `/`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum NodeId {
    Project(String),
    Task { project: String, task: String },
    Attempt { project: String, task: String, attempt: String },
    Pid(u32),
    Tree(u32),
    Orphans(Option<String>),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid id {input:?}: {reason} (expected project:NAME, task:PROJECT/TASK, attempt:PROJECT/TASK/ATTEMPT, pid:N, tree:N, orphans or orphans:PROJECT)"
)]
pub struct IdError {
    pub input: String,
    pub reason: &'static str,
}

impl FromStr for NodeId {
    type Err = IdError;

    fn from_str(s: &str) -> Result<NodeId, IdError> {
        let err = |reason| IdError { input: s.to_string(), reason };
        if s == "orphans" {
            return Ok(NodeId::Orphans(None));
        }
        let (kind, rest) = s.split_once(':').ok_or_else(|| err("missing kind prefix"))?;
        if rest.is_empty() {
            return Err(err("empty name"));
        }
        let pid = |rest: &str| match rest.parse::<u32>() {
            Ok(0) | Err(_) => Err(err("not a positive process id")),
            Ok(n) => Ok(n),
        };
        match kind {
            "project" if !rest.contains('/') => Ok(NodeId::Project(rest.to_string())),
            "project" => Err(err("a project name has no '/'")),
            "orphans" => Ok(NodeId::Orphans(Some(rest.to_string()))),
            "pid" => Ok(NodeId::Pid(pid(rest)?)),
            "tree" => Ok(NodeId::Tree(pid(rest)?)),
            "task" => match rest.split_once('/') {
                Some((p, t)) if !p.is_empty() && !t.is_empty() => {
                    Ok(NodeId::Task { project: p.to_string(), task: t.to_string() })
                }
                _ => Err(err("a task id is task:PROJECT/TASK")),
            },
            "attempt" => {
                let (project, tail) = rest.split_once('/').ok_or_else(|| err("missing task"))?;
                let (task, attempt) = tail.rsplit_once('/').ok_or_else(|| err("missing attempt"))?;
                if project.is_empty() || task.is_empty() || attempt.is_empty() {
                    return Err(err("empty part"));
                }
                Ok(NodeId::Attempt {
                    project: project.to_string(),
                    task: task.to_string(),
                    attempt: attempt.to_string(),
                })
            }
            _ => Err(err("unknown kind")),
        }
    }
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NodeId::Project(p) => f.write_str(&project_id(p)),
            NodeId::Task { project, task } => f.write_str(&task_id(project, task)),
            NodeId::Attempt { project, task, attempt } => f.write_str(&attempt_id(project, task, attempt)),
            NodeId::Pid(pid) => write!(f, "pid:{pid}"),
            NodeId::Tree(pid) => write!(f, "tree:{pid}"),
            NodeId::Orphans(None) => f.write_str("orphans"),
            NodeId::Orphans(Some(p)) => write!(f, "orphans:{p}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip() {
        for s in [
            "project:alpha",
            "task:alpha/add-login",
            "task:alpha/feature/login",
            "attempt:alpha/add-login/1a2b",
            "attempt:alpha/user/feature/wt-3",
            "pid:42",
            "tree:42",
            "orphans",
            "orphans:alpha",
        ] {
            let id: NodeId = s.parse().unwrap();
            assert_eq!(id.to_string(), s);
        }
    }

    #[test]
    fn task_with_slashes_splits_attempt_at_last_slash() {
        let id: NodeId = "attempt:alpha/user/feature/wt-3".parse().unwrap();
        assert_eq!(
            id,
            NodeId::Attempt { project: "alpha".into(), task: "user/feature".into(), attempt: "wt-3".into() }
        );
    }

    #[test]
    fn bad_ids_are_rejected_with_a_reason() {
        for s in [
            "alpha",
            "pid:0",
            "pid:x",
            "tree:-1",
            "task:alpha",
            "attempt:a/b",
            "bogus:1",
            "project:",
            "project:a/b",
        ] {
            let e = s.parse::<NodeId>().unwrap_err();
            assert_eq!(e.input, s);
        }
    }
}
