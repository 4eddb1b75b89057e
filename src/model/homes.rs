//! Where a process's agents and orchestrators keep their state: the environment
//! variables that relocate it, as that very process sees them (`/proc/PID/environ`).
//! A `sudo swarmtop` on a shared box, a user with two Claude accounts
//! (`CLAUDE_CONFIG_DIR`) or a Codex with its own `CODEX_HOME` each keep state somewhere
//! else; the sampler watches every distinct place once.

/// The variables that move state directories, read once per process. Only absolute
/// paths count: a relative one is relative to a cwd that may have changed since.
#[derive(
    Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct StateHomes {
    pub home: Option<Box<str>>,
    pub claude_config_dir: Option<Box<str>>,
    pub codex_home: Option<Box<str>>,
    pub codex_sqlite_home: Option<Box<str>>,
    pub xdg_data_home: Option<Box<str>>,
    pub xdg_config_home: Option<Box<str>>,
    pub kild_home: Option<Box<str>>,
    pub crystal_dir: Option<Box<str>>,
}

impl StateHomes {
    /// Takes `key=value` if `key` is one of the variables; says whether it was.
    pub fn set(&mut self, key: &str, value: &str) -> bool {
        let slot = match key {
            "HOME" => &mut self.home,
            "CLAUDE_CONFIG_DIR" => &mut self.claude_config_dir,
            "CODEX_HOME" => &mut self.codex_home,
            "CODEX_SQLITE_HOME" => &mut self.codex_sqlite_home,
            "XDG_DATA_HOME" => &mut self.xdg_data_home,
            "XDG_CONFIG_HOME" => &mut self.xdg_config_home,
            "KILD_HOME" => &mut self.kild_home,
            "CRYSTAL_DIR" => &mut self.crystal_dir,
            _ => return false,
        };
        *slot = value.starts_with('/').then(|| value.into());
        true
    }

    /// From a raw NUL-separated environ block; `None` when it sets none of them.
    pub fn from_environ(raw: &[u8]) -> Option<StateHomes> {
        let mut homes = StateHomes::default();
        for entry in raw.split(|&b| b == 0) {
            let Ok(text) = std::str::from_utf8(entry) else { continue };
            if let Some((k, v)) = text.split_once('=') {
                homes.set(k, v);
            }
        }
        (homes != StateHomes::default()).then_some(homes)
    }

    /// From an environment lookup (swarmtop's own).
    pub fn from_env(env: &dyn Fn(&str) -> Option<String>) -> StateHomes {
        let mut homes = StateHomes::default();
        for key in [
            "HOME",
            "CLAUDE_CONFIG_DIR",
            "CODEX_HOME",
            "CODEX_SQLITE_HOME",
            "XDG_DATA_HOME",
            "XDG_CONFIG_HOME",
            "KILD_HOME",
            "CRYSTAL_DIR",
        ] {
            if let Some(v) = env(key) {
                homes.set(key, &v);
            }
        }
        homes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_absolute_relocations_are_kept() {
        let raw = b"PATH=/bin\0HOME=/home/ann\0CLAUDE_CONFIG_DIR=/home/ann/.claude-work\0CODEX_HOME=rel\0SECRET=x\0";
        let h = StateHomes::from_environ(raw).unwrap();
        assert_eq!(h.home.as_deref(), Some("/home/ann"));
        assert_eq!(h.claude_config_dir.as_deref(), Some("/home/ann/.claude-work"));
        assert_eq!(h.codex_home, None, "a relative CODEX_HOME names no fixed place");
        assert_eq!(StateHomes::from_environ(b"PATH=/bin\0\xff\xfe=1\0"), None);
    }
}
