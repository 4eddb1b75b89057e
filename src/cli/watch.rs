//! `swarmtop list --watch [--json]`: one document per refresh until the reader goes
//! away (EPIPE) or SIGINT, SIGTERM, SIGHUP or SIGQUIT arrives; both end it quietly with 0.
//! With `--json` each document is one line (NDJSON), flushed as soon as it is written.

use std::io::Write;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use super::hosts::{HostSet, HostView, local_view};
use super::interrupt::{CANCEL, CancelOnSignals};
use super::list::{ListArgs, output_width, render_line};
use super::{CliError, associate_options, open_sampler};
use crate::associate::associate;
use crate::config::Config;
use crate::model::MemoryMode;
use crate::sample::{Measure, PssTargets};

/// CPU percentages need two samples at least this far apart.
const PRIME: Duration = Duration::from_millis(200);
/// Longest sleep between two looks at the signal flag.
const SLICE: Duration = Duration::from_millis(100);

/// `hosts`: the other boxes too (their latest forests and statuses at each refresh).
pub fn run(args: &ListArgs, config: &Config, hosts: &HostSet) -> Result<i32, CliError> {
    let _signals = CancelOnSignals::install()?;
    let (_links, mut updates) = hosts.connect();
    let mut remotes: Vec<HostView> = hosts.remotes.iter().map(|h| HostView::new(&h.name)).collect();
    let options = associate_options(config);
    let refresh = Duration::from_millis(config.refresh_ms);
    let mut sampler = open_sampler(config)?;
    sampler.set_measure(Measure { memory: config.memory, io: args.io, ..Measure::default() });
    let mut warnings = sampler.sample()?.warnings;
    let mut next = Instant::now() + PRIME.min(refresh);
    let mut stdout = std::io::stdout().lock();
    loop {
        if !sleep_until(next) {
            return Ok(0);
        }
        next = Instant::now() + refresh;
        let mut snapshot = sampler.sample()?;
        for w in warnings.drain(..).chain(std::mem::take(&mut snapshot.warnings)) {
            crate::warn!("swarmtop: {w}");
        }
        let forest = associate(&snapshot, &options);
        if config.memory == MemoryMode::Pss {
            sampler.set_pss_targets(PssTargets { keys: forest.attempt_keys(), at_once: false });
        }
        let mut doc = if remotes.is_empty() {
            render_line(args, &forest, output_width(args), config.memory)?
        } else {
            while let Ok((i, update)) = updates.try_recv() {
                if let Some(v) = remotes.get_mut(i) {
                    v.update(update, forest.sampled_at_ms);
                }
            }
            let local = hosts.local.then(|| local_view(forest));
            let views: Vec<HostView> = local.into_iter().chain(remotes.iter().cloned()).collect();
            super::hosts::render(args, &views, hosts.shows_several(), config.memory)?
        };
        if !args.json {
            doc.push('\n'); // a blank line between two text documents
        }
        match stdout.write_all(doc.as_bytes()).and_then(|()| stdout.flush()) {
            Ok(()) => {}
            // The reader went away (`| head`, a closed pipe): the stream is over.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(0),
            Err(e) => return Err(e.into()),
        }
    }
}

/// Sleeps until `deadline`; false as soon as a signal asked to stop.
fn sleep_until(deadline: Instant) -> bool {
    loop {
        if CANCEL.load(Ordering::SeqCst) {
            return false;
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return true;
        }
        std::thread::sleep(left.min(SLICE));
    }
}
