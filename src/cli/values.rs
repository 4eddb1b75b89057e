//! The command line's enum values, mapped onto the domain types, so clap stays in the
//! shell.

use crate::kill::exec::Sig;
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

/// `kill --signal`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SignalArg {
    Term,
    Int,
    Kill,
}

impl From<SignalArg> for Sig {
    fn from(s: SignalArg) -> Sig {
        match s {
            SignalArg::Term => Sig::Term,
            SignalArg::Int => Sig::Int,
            SignalArg::Kill => Sig::Kill,
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::ValueEnum;

    use super::*;

    #[test]
    fn every_value_maps_to_the_domain_value_of_its_name() {
        let signals: Vec<(String, Sig)> = SignalArg::value_variants()
            .iter()
            .map(|v| (v.to_possible_value().unwrap().get_name().to_string(), Sig::from(*v)))
            .collect();
        let want = [("term", Sig::Term), ("int", Sig::Int), ("kill", Sig::Kill)];
        assert_eq!(signals, want.map(|(n, s)| (n.to_string(), s)));
        let sources: Vec<(String, SourceKind)> = SourceArg::value_variants()
            .iter()
            .map(|v| (v.to_possible_value().unwrap().get_name().to_string(), SourceKind::from(*v)))
            .collect();
        let want =
            [("auto", SourceKind::Auto), ("procfs", SourceKind::Procfs), ("sysinfo", SourceKind::Sysinfo)];
        assert_eq!(sources, want.map(|(n, s)| (n.to_string(), s)));
    }
}
