//! The command line's enum values, mapped onto the domain types, so clap stays in the
//! shell.

use std::ffi::OsStr;

use clap::builder::{PossibleValue, TypedValueParser};
use clap::error::ErrorKind;

use crate::kill::signal::Signal;
use crate::model::MemoryMode;
use crate::sample::SourceKind;

/// `--source`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SourceArg {
    Auto,
    Procfs,
    Sysinfo,
}

impl From<SourceArg> for SourceKind {
    fn from(s: SourceArg) -> SourceKind {
        match s {
            SourceArg::Auto => SourceKind::Auto,
            SourceArg::Procfs => SourceKind::Procfs,
            SourceArg::Sysinfo => SourceKind::Sysinfo,
        }
    }
}

/// `--memory`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MemoryArg {
    /// Resident set: shared pages count in every process that maps them.
    Rss,
    /// Proportional set: each shared page divided among the processes that map it.
    Pss,
}

impl From<MemoryArg> for MemoryMode {
    fn from(m: MemoryArg) -> MemoryMode {
        match m {
            MemoryArg::Rss => MemoryMode::Rss,
            MemoryArg::Pss => MemoryMode::Pss,
        }
    }
}

/// A signal by name in any case, with or without `SIG`, or by number (`kill
/// --signal`, `swarmtop signal`). A kill's first signal must be one that can end a
/// process: the stopping ones (STOP, TSTP, TTIN, TTOU) and CONT are refused there, with
/// the command that does what they would.
#[derive(Debug, Clone, Copy)]
pub struct SignalParser {
    pub for_kill: bool,
}

impl SignalParser {
    fn offered(self) -> impl Iterator<Item = Signal> {
        Signal::all().filter(move |s| !(self.for_kill && refused_by_kill(*s)))
    }
}

fn refused_by_kill(s: Signal) -> bool {
    !s.ends_processes()
}

impl TypedValueParser for SignalParser {
    type Value = Signal;

    fn parse_ref(
        &self,
        _cmd: &clap::Command,
        _arg: Option<&clap::Arg>,
        value: &OsStr,
    ) -> Result<Signal, clap::Error> {
        let text = value.to_string_lossy();
        let signal: Signal =
            text.parse().map_err(|e| clap::Error::raw(ErrorKind::InvalidValue, format!("{e}\n")))?;
        if self.for_kill && refused_by_kill(signal) {
            let instead = if signal == Signal::Cont { "resume" } else { "pause" };
            return Err(clap::Error::raw(
                ErrorKind::ValueValidation,
                format!(
                    "a kill ends processes, and {signal} would not (it would be followed by SIGKILL): use \
                     `swarmtop {instead}` to {} them, or `swarmtop signal {} TARGET…` to send it once\n",
                    if instead == "resume" { "continue" } else { "stop" },
                    signal.short_name()
                ),
            ));
        }
        Ok(signal)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(self.offered().map(|s| PossibleValue::new(s.short_name()).help(s.meaning()))))
    }
}

/// `--older-than DUR`: `90s`, `10m`, `2h`, `1d`, `1h30m` (humantime's forms).
pub fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    humantime::parse_duration(text).map_err(|e| format!("{e} (expected e.g. 90s, 10m, 2h, 1d)"))
}

/// `--min-rss SIZE`: bytes, or a number with K, M, G or T — powers of 1024, as swarmtop
/// shows sizes (`500M` is what the MEM column shows as 500M); `KiB`, `MiB`, … read the
/// same. `MB` and friends are refused: they mean powers of 1000 elsewhere.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let shift = match unit.trim() {
        "" | "B" => 0,
        "K" | "k" | "KiB" => 10,
        "M" | "m" | "MiB" => 20,
        "G" | "g" | "GiB" => 30,
        "T" | "t" | "TiB" => 40,
        u if ["KB", "kB", "MB", "GB", "TB"].contains(&u) => {
            return Err(format!(
                "{u} is ambiguous: use K, M, G or T (powers of 1024, as swarmtop shows sizes)"
            ));
        }
        u => return Err(format!("unknown unit {u:?} (expected e.g. 500M, 1.5G, 4096)")),
    };
    let value: f64 =
        number.parse().map_err(|_| format!("{text:?} is not a size (expected e.g. 500M, 1.5G)"))?;
    let bytes = value * 2f64.powi(shift);
    if !bytes.is_finite() || bytes >= u64::MAX as f64 {
        return Err(format!("{text:?} is too large"));
    }
    Ok(bytes.round() as u64)
}

/// `--min-cpu PCT`: percent of one core, as the CPU column shows it (`50`, `12.5%`).
pub fn parse_cpu(text: &str) -> Result<f32, String> {
    let t = text.trim();
    let number = t.strip_suffix('%').unwrap_or(t);
    match number.parse::<f32>() {
        Ok(v) if v.is_finite() && (0.0..=100_000.0).contains(&v) => Ok(v),
        _ => Err(format!("{text:?} is not a CPU percentage (expected e.g. 50 or 12.5%)")),
    }
}

#[cfg(test)]
mod tests {
    use clap::ValueEnum;

    use super::*;

    #[test]
    fn every_value_maps_to_the_domain_value_of_its_name() {
        let sources: Vec<(String, SourceKind)> = SourceArg::value_variants()
            .iter()
            .map(|v| (v.to_possible_value().unwrap().get_name().to_string(), SourceKind::from(*v)))
            .collect();
        let want =
            [("auto", SourceKind::Auto), ("procfs", SourceKind::Procfs), ("sysinfo", SourceKind::Sysinfo)];
        assert_eq!(sources, want.map(|(n, s)| (n.to_string(), s)));
    }

    #[test]
    fn signals_by_any_name_or_number_and_a_kill_refuses_the_ones_that_do_not_end_processes() {
        let cmd = clap::Command::new("t");
        let parse = |p: SignalParser, text: &str| p.parse_ref(&cmd, None, OsStr::new(text));
        let (kill, any) = (SignalParser { for_kill: true }, SignalParser { for_kill: false });
        for (text, want) in
            [("term", Signal::Term), ("SIGHUP", Signal::Hup), ("9", Signal::Kill), ("usr1", Signal::Usr1)]
        {
            assert_eq!(parse(kill, text).unwrap(), want);
            assert_eq!(parse(any, text).unwrap(), want);
        }
        for text in ["STOP", "sigtstp", "21", "TTOU", "CONT"] {
            let e = parse(kill, text).unwrap_err().to_string();
            assert!(e.contains("swarmtop pause") || e.contains("swarmtop resume"), "{text}: {e}");
            assert!(parse(any, text).is_ok(), "{text}");
        }
        assert!(parse(any, "SIGFOO").unwrap_err().to_string().contains("unknown signal \"SIGFOO\""));
        let offered = |p: SignalParser| p.possible_values().unwrap().count();
        assert_eq!(offered(any), 31);
        assert_eq!(offered(kill), 26);
    }

    #[test]
    fn sizes_are_powers_of_1024_like_the_mem_column() {
        assert_eq!(parse_size("4096"), Ok(4096));
        assert_eq!(parse_size("500M"), Ok(500 << 20));
        assert_eq!(parse_size("500MiB"), Ok(500 << 20));
        assert_eq!(parse_size("1.5G"), Ok(3 << 29));
        assert_eq!(parse_size("2t"), Ok(2 << 40));
        for bad in ["", "M", "500MB", "5 parsecs", "-1M", "1e400", "99999999999999T", "1.2.3K"] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
        assert!(parse_size("500MB").unwrap_err().contains("ambiguous"));
    }

    #[test]
    fn durations_and_cpu_percentages() {
        assert_eq!(parse_duration("10m"), Ok(std::time::Duration::from_secs(600)));
        assert_eq!(parse_duration("1h30m"), Ok(std::time::Duration::from_secs(5400)));
        assert!(parse_duration("ten minutes").is_err() && parse_duration("").is_err());
        assert_eq!(parse_cpu("50"), Ok(50.0));
        assert_eq!(parse_cpu("12.5%"), Ok(12.5));
        for bad in ["-1", "NaN", "inf", "x", "1e9"] {
            assert!(parse_cpu(bad).is_err(), "{bad}");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_text_parses_as_a_size_or_errs_without_panic(s in "\\PC{0,24}|[0-9.]{0,30}[KMGTkmgtiB ]{0,4}") {
            let _ = parse_size(&s);
            let _ = parse_cpu(&s);
            let _ = parse_duration(&s);
        }
    }
}
