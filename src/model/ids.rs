//! The stable, typeable ids used in JSON, on the command line and in the TUI.
//!
//! Association makes each group's id once, from the group's unique names; from there
//! the id travels typed (rows, selection, kill plans) and is read or written as text
//! only at the edges. An id is its text: two ids are equal when their texts are, so an
//! id typed from `list` names the node `list` showed it for, even when a name from a
//! tag holds a `/`.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

const PROJECT: &str = "project:";
const TASK: &str = "task:";
const ATTEMPT: &str = "attempt:";

/// `project:NAME`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProjectId(Arc<str>);

/// `task:PROJECT/TASK`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TaskId(Arc<str>);

/// `attempt:PROJECT/TASK/ATTEMPT`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AttemptId(Arc<str>);

/// The text after the kind prefix every id of a kind is made with.
fn after<'a>(text: &'a str, prefix: &str) -> &'a str {
    text.strip_prefix(prefix).unwrap_or(text)
}

impl ProjectId {
    pub fn new(name: &str) -> ProjectId {
        ProjectId(format!("{PROJECT}{name}").into())
    }

    pub fn name(&self) -> &str {
        after(&self.0, PROJECT)
    }

    /// The id of this project's task `task`.
    pub fn task(&self, task: &str) -> TaskId {
        TaskId(format!("{TASK}{}/{task}", self.name()).into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TaskId {
    pub fn new(project: &str, task: &str) -> TaskId {
        TaskId(format!("{TASK}{project}/{task}").into())
    }

    /// The id of this task's attempt `attempt`.
    pub fn attempt(&self, attempt: &str) -> AttemptId {
        AttemptId(format!("{ATTEMPT}{}/{attempt}", after(&self.0, TASK)).into())
    }

    /// Project and task as the text reads (split at the first `/`).
    pub fn parts(&self) -> (&str, &str) {
        let rest = after(&self.0, TASK);
        rest.split_once('/').unwrap_or((rest, ""))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl AttemptId {
    pub fn new(project: &str, task: &str, attempt: &str) -> AttemptId {
        AttemptId(format!("{ATTEMPT}{project}/{task}/{attempt}").into())
    }

    /// Project, task and attempt as the text reads (split at the first and last `/`).
    pub fn parts(&self) -> (&str, &str, &str) {
        let rest = after(&self.0, ATTEMPT);
        let (project, tail) = rest.split_once('/').unwrap_or((rest, ""));
        let (task, attempt) = tail.rsplit_once('/').unwrap_or((tail, ""));
        (project, task, attempt)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

macro_rules! display_as_text {
    ($($t:ty),*) => {$(
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    )*};
}
display_as_text!(ProjectId, TaskId, AttemptId);

/// Serialised as their text; read back only as an id of the same kind (the wire
/// protocol, remote::wire), so a hostile peer cannot make a task id out of any text.
macro_rules! serde_as_text {
    ($($t:ident => $variant:ident),*) => {$(
        impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }
        impl<'de> serde::Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<$t, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                match text.parse::<NodeId>().map_err(serde::de::Error::custom)? {
                    NodeId::$variant(id) => Ok(id),
                    _ => Err(serde::de::Error::custom(format!("{text:?} is no {}", stringify!($t)))),
                }
            }
        }
    )*};
}
serde_as_text!(ProjectId => Project, TaskId => Task, AttemptId => Attempt);

/// `host:NAME/` before an id names the box it is on, when more than one is shown.
pub const HOST_PREFIX: &str = "host:";

/// The host an id text names, if any, and the id's own text: `host:box/pid:5` is
/// `(Some("box"), "pid:5")`. A host name holds no `/`.
pub fn split_host(text: &str) -> (Option<&str>, &str) {
    match text.strip_prefix(HOST_PREFIX).and_then(|rest| rest.split_once('/')) {
        Some((host, id)) if !host.is_empty() => (Some(host), id),
        _ => (None, text),
    }
}

macro_rules! on_host {
    ($($t:ty),*) => {$(
        impl $t {
            /// The same id with `host:NAME/` before it, for output that shows several
            /// boxes. It names the group only together with its host.
            pub fn on_host(&self, host: &str) -> $t {
                Self(format!("{HOST_PREFIX}{host}/{}", self.0).into())
            }
        }
    )*};
}
on_host!(ProjectId, TaskId, AttemptId);

/// Any target: a group by its id, a process, a process tree, processes by name, an
/// agent's session, or orphans. Task names
/// may contain `/` (they come from branches); project and attempt names the command
/// line can spell do not, so typed text splits an attempt id at its first and last `/`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum NodeId {
    Project(ProjectId),
    Task(TaskId),
    Attempt(AttemptId),
    Pid(u32),
    Tree(u32),
    /// Of every project, or of one.
    Orphans(Option<ProjectId>),
    /// `name:PATTERN`: the processes whose name (`comm`) or argv[0]'s basename matches
    /// the glob — never any other part of the command line. Checked to be a valid glob.
    Name(String),
    /// `session:ID`: the agent whose Claude session id or Codex thread id is ID, and
    /// whatever that session started, with their trees.
    Session(String),
    /// `leftovers`, `leftovers:PROJECT`: processes of attempts whose agent was seen and
    /// has exited, of every project or of one.
    Leftovers(Option<ProjectId>),
    /// The processes listening on this TCP or UDP port.
    Port(u16),
}

impl From<ProjectId> for NodeId {
    fn from(id: ProjectId) -> NodeId {
        NodeId::Project(id)
    }
}

impl From<TaskId> for NodeId {
    fn from(id: TaskId) -> NodeId {
        NodeId::Task(id)
    }
}

impl From<AttemptId> for NodeId {
    fn from(id: AttemptId) -> NodeId {
        NodeId::Attempt(id)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid id {input:?}: {reason} (expected project:NAME, task:PROJECT/TASK, attempt:PROJECT/TASK/ATTEMPT, pid:N, tree:N, port:N, name:PATTERN, session:ID, orphans, orphans:PROJECT, leftovers or leftovers:PROJECT)"
)]
pub struct IdError {
    pub input: String,
    pub reason: &'static str,
}

impl FromStr for NodeId {
    type Err = IdError;

    fn from_str(s: &str) -> Result<NodeId, IdError> {
        let err = |reason| IdError { input: s.to_string(), reason };
        match s {
            "orphans" => return Ok(NodeId::Orphans(None)),
            "leftovers" => return Ok(NodeId::Leftovers(None)),
            _ => {}
        }
        let (kind, rest) = s.split_once(':').ok_or_else(|| err("missing kind prefix"))?;
        if rest.is_empty() {
            return Err(err("empty name"));
        }
        // Plain decimal only (no sign, no leading zero), so an id reads back as typed.
        let canonical = |rest: &str| rest.bytes().all(|b| b.is_ascii_digit()) && !rest.starts_with('0');
        let pid = |rest: &str| match rest.parse::<u32>() {
            Ok(n) if n > 0 && canonical(rest) => Ok(n),
            _ => Err(err("not a positive process id")),
        };
        match kind {
            "project" if !rest.contains('/') => Ok(NodeId::Project(ProjectId(s.into()))),
            "project" => Err(err("a project name has no '/'")),
            "orphans" => Ok(NodeId::Orphans(Some(ProjectId::new(rest)))),
            "leftovers" => Ok(NodeId::Leftovers(Some(ProjectId::new(rest)))),
            "pid" => Ok(NodeId::Pid(pid(rest)?)),
            "tree" => Ok(NodeId::Tree(pid(rest)?)),
            "name" => name_pattern(rest).map(|()| NodeId::Name(rest.to_string())).map_err(err),
            "session" if rest.chars().any(|c| c.is_control() || c.is_whitespace()) => {
                Err(err("a session id has no spaces or control characters"))
            }
            "session" => Ok(NodeId::Session(rest.to_string())),
            "port" => match rest.parse::<u16>() {
                Ok(n) if n > 0 && canonical(rest) => Ok(NodeId::Port(n)),
                _ => Err(err("not a port number (1 to 65535)")),
            },
            "task" => match rest.split_once('/') {
                Some((p, t)) if !p.is_empty() && !t.is_empty() => Ok(NodeId::Task(TaskId(s.into()))),
                _ => Err(err("a task id is task:PROJECT/TASK")),
            },
            "attempt" => {
                let (project, tail) = rest.split_once('/').ok_or_else(|| err("missing task"))?;
                let (task, attempt) = tail.rsplit_once('/').ok_or_else(|| err("missing attempt"))?;
                if project.is_empty() || task.is_empty() || attempt.is_empty() {
                    return Err(err("empty part"));
                }
                Ok(NodeId::Attempt(AttemptId(s.into())))
            }
            _ => Err(err("unknown kind")),
        }
    }
}

impl serde::Serialize for NodeId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for NodeId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<NodeId, D::Error> {
        <std::borrow::Cow<'de, str>>::deserialize(d)?.parse().map_err(serde::de::Error::custom)
    }
}

/// Whether `pattern` can match a process name: a valid glob without `/` (names and
/// basenames have none).
fn name_pattern(pattern: &str) -> Result<(), &'static str> {
    if pattern.contains('/') {
        return Err("a name pattern has no '/' (it matches the name or argv[0]'s basename)");
    }
    glob::Pattern::new(pattern).map(|_| ()).map_err(|e| e.msg)
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NodeId::Project(id) => f.write_str(id.as_str()),
            NodeId::Task(id) => f.write_str(id.as_str()),
            NodeId::Attempt(id) => f.write_str(id.as_str()),
            NodeId::Pid(pid) => write!(f, "pid:{pid}"),
            NodeId::Tree(pid) => write!(f, "tree:{pid}"),
            NodeId::Orphans(None) => f.write_str("orphans"),
            NodeId::Orphans(Some(p)) => write!(f, "orphans:{}", p.name()),
            NodeId::Name(pattern) => write!(f, "name:{pattern}"),
            NodeId::Session(id) => write!(f, "session:{id}"),
            NodeId::Leftovers(None) => f.write_str("leftovers"),
            NodeId::Leftovers(Some(p)) => write!(f, "leftovers:{}", p.name()),
            NodeId::Port(port) => write!(f, "port:{port}"),
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
            "leftovers",
            "leftovers:alpha",
            "name:node",
            "name:vite*",
            "name:[a-c]?",
            "session:0f1e2d3c-aaaa-bbbb-cccc-000000000000",
            "port:3000",
            "port:65535",
        ] {
            let id: NodeId = s.parse().unwrap();
            assert_eq!(id.to_string(), s);
        }
    }

    #[test]
    fn task_with_slashes_splits_attempt_at_last_slash() {
        let id: NodeId = "attempt:alpha/user/feature/wt-3".parse().unwrap();
        let NodeId::Attempt(attempt) = &id else { panic!("{id:?}") };
        assert_eq!(attempt.parts(), ("alpha", "user/feature", "wt-3"));
        assert_eq!(id, NodeId::Attempt(AttemptId::new("alpha", "user/feature", "wt-3")));
    }

    #[test]
    fn bad_ids_are_rejected_with_a_reason() {
        for s in [
            "alpha",
            "pid:0",
            "pid:x",
            "tree:-1",
            "pid:01",
            "pid:+1",
            "task:alpha",
            "attempt:a/b",
            "bogus:1",
            "project:",
            "project:a/b",
            "name:",
            "name:[",
            "name:bin/node",
            "name:***",
            "session:",
            "session:a b",
            "session:a\u{1b}b",
            "port:0",
            "port:65536",
            "port:03000",
            "port:-1",
            "port:",
        ] {
            let e = s.parse::<NodeId>().unwrap_err();
            assert_eq!(e.input, s);
        }
    }

    #[test]
    fn ids_made_from_their_parents_equal_ids_made_from_names() {
        let task = ProjectId::new("alpha").task("user/feature");
        assert_eq!(task, TaskId::new("alpha", "user/feature"));
        assert_eq!(task.parts(), ("alpha", "user/feature"));
        assert_eq!(task.attempt("wt-3"), AttemptId::new("alpha", "user/feature", "wt-3"));
        assert_eq!(NodeId::Orphans(Some(ProjectId::new("alpha"))).to_string(), "orphans:alpha");
    }

    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn any_text_parses_without_panic_and_round_trips(s in "\\PC{0,40}|(project|task|attempt|pid|tree|port|orphans|leftovers|name|session):[a-z/0-9*?\\[\\]!-]{0,12}") {
            if let Ok(id) = s.parse::<NodeId>() {
                prop_assert_eq!(id.to_string(), s);
            }
        }

        #[test]
        fn made_ids_read_back_as_the_same_ids(
            project in "[^/\\s]{1,8}",
            task in "[^\\s]{1,12}".prop_filter("a task has text on both sides of any '/'", |t| !t.starts_with('/') && !t.ends_with('/')),
            attempt in "[^/\\s]{1,8}",
        ) {
            let p = ProjectId::new(&project);
            let t = p.task(&task);
            let a = t.attempt(&attempt);
            prop_assert_eq!(a.parts(), (project.as_str(), task.as_str(), attempt.as_str()));
            for id in [NodeId::from(p), t.into(), a.into()] {
                prop_assert_eq!(id.to_string().parse::<NodeId>(), Ok(id));
            }
        }

        #[test]
        fn a_made_id_equals_whatever_reads_its_text(project in "[a/]{1,4}", task in "[a/]{1,4}", attempt in "[a/]{1,4}") {
            let a = AttemptId::new(&project, &task, &attempt);
            prop_assert_eq!(a.as_str(), format!("attempt:{project}/{task}/{attempt}"));
            if let Ok(read) = a.as_str().parse::<NodeId>() {
                prop_assert_eq!(read, NodeId::Attempt(a));
            }
        }
    }
}
