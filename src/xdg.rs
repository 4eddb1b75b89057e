//! XDG base directories: where swarmtop's config and state files live.

use std::path::PathBuf;

/// `$<xdg_var>/swarmtop/<name>`, else `~/<home_default>/swarmtop/<name>`.
pub fn path(
    env: &dyn Fn(&str) -> Option<String>,
    xdg_var: &str,
    home_default: &str,
    name: &str,
) -> Option<PathBuf> {
    let base = env(xdg_var)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| env("HOME").map(|h| PathBuf::from(h).join(home_default)))?;
    Some(base.join("swarmtop").join(name))
}
