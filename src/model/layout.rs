//! User-defined orchestrator layouts (`[[layout]]` in the config): a path pattern whose
//! components are literals, `*`, or the captures `{project}`, `{task}`, `{attempt}`.
//! A process working at or below a matching directory belongs to that attempt.

use std::path::{Component, Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Literal(String),
    Any,
    Project,
    Task,
    Attempt,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayoutPattern {
    parts: Vec<Part>,
}

/// Where a matching cwd belongs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayoutMatch {
    /// The directory the whole pattern matched (the attempt's path).
    pub root: PathBuf,
    pub project: String,
    pub task: String,
    /// `main` when the pattern has no `{attempt}`.
    pub attempt: String,
}

impl LayoutPattern {
    pub fn parse(pattern: &str) -> Result<LayoutPattern, String> {
        if !pattern.starts_with('/') {
            return Err(format!("{pattern:?} must be an absolute path"));
        }
        let parts: Vec<Part> = pattern
            .split('/')
            .filter(|c| !c.is_empty())
            .map(|c| match c {
                "*" => Ok(Part::Any),
                "{project}" => Ok(Part::Project),
                "{task}" => Ok(Part::Task),
                "{attempt}" => Ok(Part::Attempt),
                c if c.contains(['{', '}', '*']) => Err(format!(
                    "{c:?}: a component is a literal, `*`, `{{project}}`, `{{task}}` or `{{attempt}}`"
                )),
                c => Ok(Part::Literal(c.to_string())),
            })
            .collect::<Result<_, _>>()?;
        for (needed, name) in [(Part::Project, "{project}"), (Part::Task, "{task}")] {
            if parts.iter().filter(|p| **p == needed).count() != 1 {
                return Err(format!("{pattern:?} needs exactly one {name}"));
            }
        }
        if parts.iter().filter(|p| **p == Part::Attempt).count() > 1 {
            return Err(format!("{pattern:?} has {{attempt}} more than once"));
        }
        Ok(LayoutPattern { parts })
    }

    pub fn matches(&self, cwd: &Path) -> Option<LayoutMatch> {
        let mut components = cwd.components().filter_map(|c| match c {
            Component::Normal(s) => s.to_str(),
            _ => None,
        });
        let mut root = PathBuf::from("/");
        let (mut project, mut task, mut attempt) = (None, None, None);
        for part in &self.parts {
            let c = components.next()?;
            match part {
                Part::Literal(l) if l != c => return None,
                Part::Project => project = Some(c),
                Part::Task => task = Some(c),
                Part::Attempt => attempt = Some(c),
                _ => {}
            }
            root.push(c);
        }
        Some(LayoutMatch {
            root,
            project: project?.to_string(),
            task: task?.to_string(),
            attempt: attempt.unwrap_or("main").to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn captures_whole_components_at_or_below_the_match() {
        let p = LayoutPattern::parse("/srv/agents/{project}/*/{task}/{attempt}").unwrap();
        let m = p.matches(Path::new("/srv/agents/alpha/jobs/fix-login/3/src/lib")).unwrap();
        assert_eq!(m.root, Path::new("/srv/agents/alpha/jobs/fix-login/3"));
        assert_eq!((m.project.as_str(), m.task.as_str(), m.attempt.as_str()), ("alpha", "fix-login", "3"));
        assert_eq!(p.matches(Path::new("/srv/agents/alpha/jobs/fix-login")), None, "too short");
        assert_eq!(p.matches(Path::new("/srv/other/alpha/jobs/fix-login/3")), None);
        let no_attempt = LayoutPattern::parse("/w/{project}/{task}").unwrap();
        assert_eq!(no_attempt.matches(Path::new("/w/a/b")).unwrap().attempt, "main");
    }

    #[test]
    fn bad_patterns_say_why() {
        assert!(LayoutPattern::parse("w/{project}/{task}").unwrap_err().contains("absolute"));
        assert!(LayoutPattern::parse("/w/{project}").unwrap_err().contains("{task}"));
        assert!(LayoutPattern::parse("/w/{project}/{task}-x").unwrap_err().contains("a component is"));
        assert!(LayoutPattern::parse("/w/{project}/{task}/{name}").is_err());
    }
}
