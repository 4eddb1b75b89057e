//! Jumping to an agent's terminal: the tmux pane whose tty is the agent's controlling
//! terminal (or the pane its Claude session file names). Pure: tmux and `/proc` are
//! reached through [`Panes`], which `tmux::Tmux` implements and tests fake.

use crate::model::ProcKey;

/// Which agent to jump to: its identity, and the pane its own file names, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JumpRequest {
    pub agent: ProcKey,
    /// What the agent is called on screen (`claude`), for the messages.
    pub name: String,
    /// Claude's session-file `tmux` field: `session:@window.%pane`.
    pub tmux_hint: Option<String>,
}

/// A tmux pane: its tty (`/dev/pts/3`) and id (`%7`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pane {
    pub tty: String,
    pub id: String,
}

/// What the jump needs from the OS.
pub trait Panes {
    /// Whether swarmtop itself runs inside tmux (so it has a tmux to switch).
    fn inside_tmux(&self) -> bool;
    /// Every pane of that tmux server.
    fn list(&self) -> Result<Vec<Pane>, String>;
    /// The controlling terminal of exactly that process (`/dev/pts/3`), None when it
    /// has none, is gone, or its PID now names another process.
    fn tty_of(&self, agent: ProcKey) -> Option<String>;
    /// Makes `pane` the one the user sees.
    fn show(&self, pane: &str) -> Result<(), String>;
}

/// Jumps, or says why it cannot; either way a line for the status bar.
pub fn jump(panes: &dyn Panes, req: &JumpRequest) -> Result<String, String> {
    let pid = req.agent.pid();
    if !panes.inside_tmux() {
        return Err(format!("cannot jump to {} (PID {pid}): swarmtop does not run inside tmux", req.name));
    }
    let listed = panes.list()?;
    let by_tty = panes.tty_of(req.agent).and_then(|tty| listed.iter().find(|p| p.tty == tty).map(|p| &p.id));
    let by_file =
        req.tmux_hint.as_deref().and_then(pane_of_hint).filter(|id| listed.iter().any(|p| p.id == *id));
    let Some(pane) = by_tty.map(String::as_str).or(by_file) else {
        return Err(match panes.tty_of(req.agent) {
            Some(tty) => {
                format!("cannot jump to {} (PID {pid}): its terminal {tty} is no pane of this tmux", req.name)
            }
            None => format!("cannot jump to {} (PID {pid}): it has no terminal", req.name),
        });
    };
    panes.show(pane)?;
    Ok(format!("jumped to {} (PID {pid}) in tmux pane {pane}", req.name))
}

/// The pane id of a `session:@window.%pane` hint, when it has the shape of one.
pub fn pane_of_hint(hint: &str) -> Option<&str> {
    let id = &hint[hint.rfind('%')?..];
    (id.len() > 1 && id[1..].bytes().all(|b| b.is_ascii_digit())).then_some(id)
}

/// The device path of a `tty_nr` (field 7 of `/proc/PID/stat`): pseudo-terminals
/// (majors 136–143, where tmux panes live) and virtual consoles; None for others.
pub fn tty_path(tty_nr: u32) -> Option<String> {
    let major = (tty_nr >> 8) & 0xfff;
    let minor = (tty_nr & 0xff) | ((tty_nr >> 12) & 0xfff00);
    match major {
        136..=143 => Some(format!("/dev/pts/{}", (major - 136) * 256 + minor)),
        4 if minor < 64 && minor > 0 => Some(format!("/dev/tty{minor}")),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use super::*;

    struct Fake {
        inside: bool,
        panes: Vec<Pane>,
        tty: Option<String>,
        shown: RefCell<Vec<String>>,
    }

    impl Panes for Fake {
        fn inside_tmux(&self) -> bool {
            self.inside
        }
        fn list(&self) -> Result<Vec<Pane>, String> {
            Ok(self.panes.clone())
        }
        fn tty_of(&self, _: ProcKey) -> Option<String> {
            self.tty.clone()
        }
        fn show(&self, pane: &str) -> Result<(), String> {
            self.shown.borrow_mut().push(pane.to_string());
            Ok(())
        }
    }

    fn pane(tty: &str, id: &str) -> Pane {
        Pane { tty: tty.into(), id: id.into() }
    }

    fn fake(tty: Option<&str>) -> Fake {
        Fake {
            inside: true,
            panes: vec![pane("/dev/pts/1", "%0"), pane("/dev/pts/4", "%3")],
            tty: tty.map(String::from),
            shown: RefCell::new(Vec::new()),
        }
    }

    fn req(hint: Option<&str>) -> JumpRequest {
        JumpRequest {
            agent: ProcKey::new(4242, 7).unwrap(),
            name: "claude".into(),
            tmux_hint: hint.map(String::from),
        }
    }

    #[test]
    fn the_pane_of_the_agents_tty_is_shown() {
        let f = fake(Some("/dev/pts/4"));
        assert_eq!(jump(&f, &req(Some("x:@1.%0"))), Ok("jumped to claude (PID 4242) in tmux pane %3".into()));
        assert_eq!(*f.shown.borrow(), ["%3"], "the tty wins over the file's hint");
    }

    #[test]
    fn the_session_files_pane_when_the_tty_is_no_pane() {
        let f = fake(None);
        assert!(jump(&f, &req(Some("agents:@2.%0"))).is_ok());
        assert_eq!(*f.shown.borrow(), ["%0"]);
        // A hint naming no pane of this server, or not shaped like one, is not followed.
        for hint in ["agents:@2.%9", "agents:@2.%0; kill-server", "%", "nothing"] {
            let f = fake(None);
            assert!(jump(&f, &req(Some(hint))).is_err(), "{hint}");
            assert!(f.shown.borrow().is_empty());
        }
    }

    #[test]
    fn every_refusal_says_why() {
        let outside = Fake { inside: false, ..fake(Some("/dev/pts/4")) };
        assert!(jump(&outside, &req(None)).unwrap_err().contains("does not run inside tmux"));
        let elsewhere = fake(Some("/dev/pts/9"));
        assert!(jump(&elsewhere, &req(None)).unwrap_err().contains("/dev/pts/9 is no pane of this tmux"));
        assert!(jump(&fake(None), &req(None)).unwrap_err().contains("it has no terminal"));
    }

    #[test]
    fn tty_numbers_decode_to_devices() {
        assert_eq!(tty_path(34816), Some("/dev/pts/0".into())); // 136 << 8
        assert_eq!(tty_path((136 << 8) | 5), Some("/dev/pts/5".into()));
        assert_eq!(tty_path((137 << 8) | 2), Some("/dev/pts/258".into()));
        assert_eq!(tty_path((136 << 8) | (0x10 << 20)), Some("/dev/pts/4096".into()));
        assert_eq!(tty_path((4 << 8) | 2), Some("/dev/tty2".into()));
        assert_eq!(tty_path(0), None);
        assert_eq!(pane_of_hint("s:@1.%12"), Some("%12"));
    }
}
