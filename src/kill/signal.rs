//! Pure: every standard Linux signal, by name and number, as the command line and the
//! TUI's signal menu offer them. The numbers are those of Linux on x86, ARM, RISC-V and
//! PowerPC (`kill::pidfd` checks them against the C library's at test time). Real-time
//! signals are not offered: their numbers are the C library's to hand out.

use std::fmt;
use std::str::FromStr;

use strum::{EnumIter, IntoEnumIterator};

/// A signal. Serialised by its name in lower case (`term`), the form `--signal` takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Signal {
    Hup,
    Int,
    Quit,
    Ill,
    Trap,
    Abrt,
    Bus,
    Fpe,
    Kill,
    Usr1,
    Segv,
    Usr2,
    Pipe,
    Alrm,
    Term,
    Stkflt,
    Chld,
    Cont,
    Stop,
    Tstp,
    Ttin,
    Ttou,
    Urg,
    Xcpu,
    Xfsz,
    Vtalrm,
    Prof,
    Winch,
    Io,
    Pwr,
    Sys,
}

/// Name, number, and what a process does with it by default.
const TABLE: [(Signal, &str, u8, &str); 31] = [
    (Signal::Hup, "SIGHUP", 1, "hangup: terminal closed; many daemons reload"),
    (Signal::Int, "SIGINT", 2, "interrupt, as Ctrl-C"),
    (Signal::Quit, "SIGQUIT", 3, "quit with a core dump, as Ctrl-\\"),
    (Signal::Ill, "SIGILL", 4, "illegal instruction (core)"),
    (Signal::Trap, "SIGTRAP", 5, "trace or breakpoint trap (core)"),
    (Signal::Abrt, "SIGABRT", 6, "abort (core)"),
    (Signal::Bus, "SIGBUS", 7, "bus error (core)"),
    (Signal::Fpe, "SIGFPE", 8, "arithmetic error (core)"),
    (Signal::Kill, "SIGKILL", 9, "kill: cannot be caught or ignored"),
    (Signal::Usr1, "SIGUSR1", 10, "user-defined 1 (terminates unless handled)"),
    (Signal::Segv, "SIGSEGV", 11, "invalid memory reference (core)"),
    (Signal::Usr2, "SIGUSR2", 12, "user-defined 2 (terminates unless handled)"),
    (Signal::Pipe, "SIGPIPE", 13, "broken pipe"),
    (Signal::Alrm, "SIGALRM", 14, "timer alarm"),
    (Signal::Term, "SIGTERM", 15, "terminate, politely"),
    (Signal::Stkflt, "SIGSTKFLT", 16, "coprocessor stack fault (unused)"),
    (Signal::Chld, "SIGCHLD", 17, "a child stopped or exited (ignored by default)"),
    (Signal::Cont, "SIGCONT", 18, "continue a stopped process"),
    (Signal::Stop, "SIGSTOP", 19, "stop: cannot be caught or ignored"),
    (Signal::Tstp, "SIGTSTP", 20, "stop from the terminal, as Ctrl-Z (can be handled)"),
    (Signal::Ttin, "SIGTTIN", 21, "background read from the terminal (stops)"),
    (Signal::Ttou, "SIGTTOU", 22, "background write to the terminal (stops)"),
    (Signal::Urg, "SIGURG", 23, "urgent socket data (ignored by default)"),
    (Signal::Xcpu, "SIGXCPU", 24, "CPU time limit exceeded (core)"),
    (Signal::Xfsz, "SIGXFSZ", 25, "file size limit exceeded (core)"),
    (Signal::Vtalrm, "SIGVTALRM", 26, "virtual timer alarm"),
    (Signal::Prof, "SIGPROF", 27, "profiling timer expired"),
    (Signal::Winch, "SIGWINCH", 28, "window size changed (ignored by default)"),
    (Signal::Io, "SIGIO", 29, "I/O possible (also POLL)"),
    (Signal::Pwr, "SIGPWR", 30, "power failure"),
    (Signal::Sys, "SIGSYS", 31, "bad system call (core)"),
];

/// Other names some tools use.
const ALIASES: [(&str, Signal); 4] =
    [("IOT", Signal::Abrt), ("POLL", Signal::Io), ("CLD", Signal::Chld), ("UNUSED", Signal::Sys)];

impl Signal {
    fn row(self) -> &'static (Signal, &'static str, u8, &'static str) {
        // Invariant: TABLE has one row per variant, in declaration order (tested).
        &TABLE[self as usize]
    }

    /// `SIGTERM`.
    pub fn name(self) -> &'static str {
        self.row().1
    }

    /// `TERM`.
    pub fn short_name(self) -> &'static str {
        &self.name()[3..]
    }

    pub fn number(self) -> u8 {
        self.row().2
    }

    /// What a process does with it unless it handles it.
    pub fn meaning(self) -> &'static str {
        self.row().3
    }

    /// Every signal, by number.
    pub fn all() -> impl Iterator<Item = Signal> {
        Signal::iter()
    }

    pub fn by_number(n: u32) -> Option<Signal> {
        Signal::all().find(|s| u32::from(s.number()) == n)
    }

    /// Stops a process by default (STOP, TSTP, TTIN, TTOU): sent once, it would leave
    /// the process stopped.
    pub fn stops(self) -> bool {
        matches!(self, Signal::Stop | Signal::Tstp | Signal::Ttin | Signal::Ttou)
    }

    /// Can start a kill: neither stops nor continues (a kill stops and continues the set
    /// itself, and follows its signal with SIGKILL).
    pub fn ends_processes(self) -> bool {
        !self.stops() && self != Signal::Cont
    }
}

impl fmt::Display for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown signal {0:?} (a name such as TERM, SIGUSR1 or hup, or a number from 1 to 31)")]
pub struct UnknownSignal(pub String);

impl FromStr for Signal {
    type Err = UnknownSignal;

    /// A name in any case, with or without `SIG` (`term`, `SIGTERM`), or a number (`15`).
    fn from_str(s: &str) -> Result<Signal, UnknownSignal> {
        let unknown = || UnknownSignal(s.to_string());
        if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
            return s.parse::<u32>().ok().and_then(Signal::by_number).ok_or_else(unknown);
        }
        let upper = s.to_ascii_uppercase();
        let short = upper.strip_prefix("SIG").unwrap_or(&upper);
        Signal::all()
            .find(|sig| sig.short_name() == short)
            .or_else(|| ALIASES.iter().find(|(name, _)| *name == short).map(|(_, sig)| *sig))
            .ok_or_else(unknown)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_has_every_signal_once_in_order_and_numbers_one_to_thirty_one() {
        let all: Vec<Signal> = Signal::all().collect();
        assert_eq!(all.len(), TABLE.len());
        for (i, sig) in all.iter().enumerate() {
            assert_eq!(TABLE[i].0, *sig);
            assert_eq!(usize::from(sig.number()), i + 1);
            assert_eq!(sig.name(), format!("SIG{}", sig.short_name()));
        }
    }

    #[test]
    fn names_parse_in_any_case_with_or_without_sig_and_numbers_too() {
        for sig in Signal::all() {
            for text in [sig.name().to_string(), sig.short_name().to_lowercase(), sig.number().to_string()] {
                assert_eq!(text.parse::<Signal>(), Ok(sig), "{text}");
            }
        }
        assert_eq!("iot".parse::<Signal>(), Ok(Signal::Abrt));
        assert_eq!("SIGPOLL".parse::<Signal>(), Ok(Signal::Io));
        for bad in ["", "0", "32", "64", "4294967296", "SIG", "TERMINATE", "-15", "+15", "015x", "RTMIN"] {
            assert_eq!(bad.parse::<Signal>(), Err(UnknownSignal(bad.to_string())), "{bad}");
        }
    }

    #[test]
    fn serialised_by_lower_case_name() {
        assert_eq!(serde_json::to_string(&Signal::Term).unwrap(), "\"term\"");
        assert_eq!(serde_json::from_str::<Signal>("\"usr1\"").unwrap(), Signal::Usr1);
    }
}
