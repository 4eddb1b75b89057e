//! Script Kit's running scripts (johnlindquist/script-kit-gpui `src/process_manager.rs`):
//! `[{"pid","script_path","started_at"}]`, where `started_at` is a chrono `DateTime<Utc>`,
//! so RFC 3339 text (older readers took a number: both are read). The file moved:
//! `~/.kenv/active-bun-pids.json` (575ef5a) → `~/.sk/kit/active-bun-pids.json` (002583c,
//! 2026-01-03) → `~/.scriptkit/active-bun-pids.json`, and since 2026-07-11 one file per app
//! instance, `~/.scriptkit/active-pids-<app pid>.json`.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::watched;
use crate::model::{AttemptSource, ExternalSession};

#[derive(Deserialize)]
struct BunScript {
    pid: u32,
    script_path: PathBuf,
    #[serde(default)]
    started_at: Option<StartedAt>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum StartedAt {
    /// `Date.now()` milliseconds (or seconds).
    Number(f64),
    /// RFC 3339, as chrono serialises a `DateTime<Utc>`.
    Text(String),
}

/// The files of `~/.scriptkit` that list running scripts.
pub fn registry_file(entry: PathBuf) -> Option<PathBuf> {
    let name = entry.file_name()?.to_str()?;
    let per_instance = name
        .strip_prefix("active-pids-")
        .and_then(|n| n.strip_suffix(".json"))
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    (name == "active-bun-pids.json" || per_instance).then_some(entry)
}

pub fn scripts(
    path: &Path,
    text: &str,
    problems: &mut Vec<String>,
    owner: Option<u32>,
) -> Vec<ExternalSession> {
    let Some(scripts) = watched::json::<Vec<BunScript>>(path, text, problems) else { return Vec::new() };
    scripts
        .into_iter()
        .filter_map(|s| {
            let task =
                s.script_path.file_stem().map_or("script".into(), |n| n.to_string_lossy().into_owned());
            let secs = match s.started_at {
                Some(StartedAt::Number(t)) if t.is_finite() && t > 0.0 => {
                    Some(if t > 1e11 { t / 1000.0 } else { t } as u64)
                }
                Some(StartedAt::Text(t)) => rfc3339_secs(&t),
                _ => None,
            };
            let Some(secs) = secs else {
                problems.push(super::orchestrators::unidentified(path, s.pid));
                return None;
            };
            Some(ExternalSession {
                source: AttemptSource::ScriptKit,
                pid: s.pid,
                comm: None,
                start_epoch_secs: Some(secs),
                worktree: None,
                project: "script-kit".into(),
                task,
                attempt: s.pid.to_string(),
                owner,
            })
        })
        .collect()
}

/// `2026-07-11T10:23:42.123456789Z` (or with a `±HH:MM` offset) as epoch seconds.
pub fn rfc3339_secs(text: &str) -> Option<u64> {
    let (date, rest) = text.split_once(['T', 't', ' '])?;
    let mut d = date.split('-').map(|v| v.parse::<i64>().ok());
    let (y, mo, day) = (d.next()??, d.next()??, d.next()??);
    let zone_at = rest.find(['Z', 'z', '+', '-'])?;
    let (clock, zone) = rest.split_at(zone_at);
    let clock = clock.split('.').next()?;
    let mut c = clock.split(':').map(|v| v.parse::<i64>().ok());
    let (h, mi, s) = (c.next()??, c.next()??, c.next()??);
    let offset = match zone.as_bytes().first()? {
        b'Z' | b'z' => 0,
        sign => {
            let (oh, om) = zone[1..].split_once(':')?;
            let secs = oh.parse::<i64>().ok()? * 3600 + om.parse::<i64>().ok()? * 60;
            if *sign == b'-' { -secs } else { secs }
        }
    };
    if !(1..=12).contains(&mo) || !(1..=31).contains(&day) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let local = crate::model::recorded::days_from_civil(y, mo, day) * 86_400 + h * 3600 + mi * 60 + s;
    u64::try_from(local - offset).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn started_at_as_chrono_writes_it_or_as_a_number() {
        // `serde_json::to_string_pretty(&Vec<ProcessInfo>)` of process_manager.rs.
        let text = r#"[
  {
    "pid": 777,
    "script_path": "/home/u/.scriptkit/kit/scripts/resize-images.ts",
    "started_at": "2023-11-14T22:13:20.123456789Z"
  },
  {
    "pid": 778,
    "script_path": "/home/u/.kenv/scripts/old.ts",
    "started_at": 1700000000123
  }
]"#;
        let mut problems = Vec::new();
        let got = scripts(Path::new("/h/.scriptkit/active-pids-4100.json"), text, &mut problems, None);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            got.iter().map(|s| (s.pid, s.start_epoch_secs)).collect::<Vec<_>>(),
            [(777, Some(1_700_000_000)), (778, Some(1_700_000_000))]
        );
        assert_eq!(got[0].task, "resize-images");
    }

    #[test]
    fn rfc3339_offsets_and_nonsense() {
        assert_eq!(rfc3339_secs("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(rfc3339_secs("1970-01-01T01:00:00+01:00"), Some(0));
        assert_eq!(rfc3339_secs("2023-11-14T22:13:20.5-00:30"), Some(1_700_001_800));
        for bad in ["", "2023-13-14T22:13:20Z", "2023-11-14", "yesterday", "2023-11-14T22:13:20"] {
            assert_eq!(rfc3339_secs(bad), None, "{bad}");
        }
    }

    #[test]
    fn only_the_registry_files_of_the_directory() {
        assert!(registry_file("/h/.scriptkit/active-pids-4100.json".into()).is_some());
        assert!(registry_file("/h/.scriptkit/active-bun-pids.json".into()).is_some());
        assert!(registry_file("/h/.scriptkit/active-pids-x.json".into()).is_none());
        assert!(registry_file("/h/.scriptkit/config.json".into()).is_none());
    }
}
