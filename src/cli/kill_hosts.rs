//! Which box a kill's targets are on: `host:NAME/ID` names it, else the one `--host`
//! of the command line, else this box. One kill, one box.

use super::CliError;
use crate::config::Config;
use crate::model::NodeId;
use crate::model::ids::split_host;
use crate::remote::host::HostSpec;

/// The remote host of the targets (None: this box) and the targets themselves.
pub fn split(
    texts: &[String],
    cli_hosts: &[String],
    config: &Config,
) -> Result<(Option<HostSpec>, Vec<NodeId>), CliError> {
    let usage = |m: String| CliError::Usage(m);
    let local_name = crate::sample::HostFacts::read().host;
    let default = match cli_hosts {
        [] => None,
        [one] => Some(one.as_str()),
        _ => {
            return Err(usage(
                "a kill runs on one box: give one --host, or name each target host:NAME/ID".into(),
            ));
        }
    };
    let mut host: Option<Option<&str>> = None;
    let mut targets = Vec::with_capacity(texts.len());
    for text in texts {
        let (named, id) = split_host(text);
        let on = match named.or(default) {
            Some(name) if config.hosts.iter().any(|h| h == name) => Some(name),
            Some(name) if name == local_name => None,
            Some(name) => return Err(usage(format!("{text}: {name} is neither this box nor a --host"))),
            None => None,
        };
        if host.is_some_and(|h| h != on) {
            return Err(usage("a kill runs on one box: these targets are on several".into()));
        }
        host = Some(on);
        targets.push(id.parse::<NodeId>().map_err(|e| usage(e.to_string()))?);
    }
    let spec = match host.flatten() {
        Some(name) => Some(name.parse::<HostSpec>().map_err(|e| usage(e.to_string()))?),
        None => None,
    };
    Ok((spec, targets))
}
