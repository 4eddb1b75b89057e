//! Where each agent and orchestrator keeps its state, for one process's [`StateHomes`]:
//! the same rules the tools themselves follow (each cited), with no file read here.

use std::path::PathBuf;

use crate::model::homes::StateHomes;

/// The state directories named by one set of [`StateHomes`]; `None` where neither the
/// override nor `HOME` is set.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StateDirs {
    pub home: Option<PathBuf>,
    /// `$CLAUDE_CONFIG_DIR`, else `~/.claude` (Claude Code changelog 1.0.6: "Respect
    /// CLAUDE_CONFIG_DIR everywhere").
    pub claude: Option<PathBuf>,
    /// `$CODEX_HOME`, else `~/.codex`.
    pub codex_home: Option<PathBuf>,
    /// `$CODEX_SQLITE_HOME` (openai/codex `codex-rs/state/src/lib.rs`); the config key
    /// `sqlite_home` beats it, read from `codex_home/config.toml`.
    pub codex_sqlite_env: Option<PathBuf>,
    /// `$XDG_DATA_HOME/vibe-kanban`, else `~/.local/share/vibe-kanban`
    /// (`directories::ProjectDirs::from("ai", "bloop", "vibe-kanban")`, BloopAI/vibe-kanban
    /// `crates/utils/src/assets.rs`).
    pub vibe_kanban: Option<PathBuf>,
    /// `$KILD_HOME`, else `$XDG_CONFIG_HOME/kild`, else `~/.config/kild` (Wirasm/kild
    /// `engine/src/kild/config.ts`, v2).
    pub kild_v2: Option<PathBuf>,
    /// `$CRYSTAL_DIR`, else `~/.crystal` and the development `~/.crystal_dev`
    /// (stravu/crystal `main/src/utils/crystalDirectory.ts`).
    pub crystal: Vec<PathBuf>,
}

fn path(v: &Option<Box<str>>) -> Option<PathBuf> {
    v.as_deref().map(PathBuf::from)
}

impl StateDirs {
    pub fn of(h: &StateHomes) -> StateDirs {
        let home = path(&h.home);
        let under = |rel: &str| home.as_ref().map(|h| h.join(rel));
        let config_home = path(&h.xdg_config_home).or_else(|| under(".config"));
        let data_home = path(&h.xdg_data_home).or_else(|| under(".local/share"));
        StateDirs {
            claude: path(&h.claude_config_dir).or_else(|| under(".claude")),
            codex_home: path(&h.codex_home).or_else(|| under(".codex")),
            codex_sqlite_env: path(&h.codex_sqlite_home),
            vibe_kanban: data_home.map(|d| d.join("vibe-kanban")),
            kild_v2: path(&h.kild_home).or_else(|| config_home.map(|c| c.join("kild"))),
            crystal: match path(&h.crystal_dir) {
                Some(dir) => vec![dir],
                None => [under(".crystal"), under(".crystal_dev")].into_iter().flatten().collect(),
            },
            home,
        }
    }

    /// `~/<rel>`, when HOME is known.
    pub fn under_home(&self, rel: &str) -> Option<PathBuf> {
        self.home.as_ref().map(|h| h.join(rel))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_beat_home_and_home_fills_the_rest() {
        let mut h = StateHomes::default();
        h.set("HOME", "/home/ann");
        let d = StateDirs::of(&h);
        assert_eq!(d.claude, Some("/home/ann/.claude".into()));
        assert_eq!(d.vibe_kanban, Some("/home/ann/.local/share/vibe-kanban".into()));
        assert_eq!(d.kild_v2, Some("/home/ann/.config/kild".into()));
        assert_eq!(d.crystal, [PathBuf::from("/home/ann/.crystal"), "/home/ann/.crystal_dev".into()]);
        h.set("CLAUDE_CONFIG_DIR", "/home/ann/.claude-work");
        h.set("XDG_DATA_HOME", "/data/ann");
        h.set("XDG_CONFIG_HOME", "/cfg/ann");
        h.set("CODEX_HOME", "/srv/codex");
        h.set("CRYSTAL_DIR", "/home/ann/.crystal_alt");
        let d = StateDirs::of(&h);
        assert_eq!(d.claude, Some("/home/ann/.claude-work".into()));
        assert_eq!(d.codex_home, Some("/srv/codex".into()));
        assert_eq!(d.vibe_kanban, Some("/data/ann/vibe-kanban".into()));
        assert_eq!(d.kild_v2, Some("/cfg/ann/kild".into()));
        assert_eq!(d.crystal, [PathBuf::from("/home/ann/.crystal_alt")]);
        assert_eq!(StateDirs::of(&StateHomes::default()), StateDirs::default());
    }
}
