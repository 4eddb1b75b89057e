//! Memory and I/O in the TUI: `m` switches between RSS and PSS (header, column title,
//! the `*` of RSS standing in for a PSS not measured, `-` when unreadable), the detail
//! pane's breakdown from a look at the selected process, and the IO column with its
//! roll-ups; and what the sampler is asked to measure for each.

mod common;

use std::sync::Arc;

use common::tui::*;
use ratatui::crossterm::event::KeyCode;
use swarmtop::associate::{Options, associate};
use swarmtop::config::{Column, Config};
use swarmtop::model::fixture::ProcessExt;
use swarmtop::model::usage::{Inspection, IoRate, IoTotals, Resident};
use swarmtop::model::{Forest, MemoryMode, Pss};
use swarmtop::tui::action::Action;
use swarmtop::tui::app::App;

const MIB: u64 = 1 << 20;

/// The swarm with PSS measured for cargo (101: 1.2G resident, 900M proportional) and
/// rustc (102), unreadable for rust-analyzer (103); I/O known for cargo and rustc only.
fn measured() -> Arc<Forest> {
    let mut snap = swarmtop::model::fixture::swarm_snapshot();
    for p in &mut snap.processes {
        let measured = p.clone();
        *p = match p.pid() {
            101 => measured.pss(Pss::Measured { pss: 900 * MIB, swap: 4 * MIB }).io(3 * MIB, 512 * 1024),
            102 => measured.pss(Pss::Measured { pss: 500 * MIB, swap: 0 }).io(MIB, 0),
            103 => measured.pss(Pss::Unreadable),
            _ => measured,
        };
    }
    Arc::new(associate(&snap, &Options::default()))
}

fn app_measured(config: &Config) -> App {
    let mut app = app_with(config);
    app.update(Action::NewForest(measured()));
    app
}

#[test]
fn m_counts_memory_as_pss_marks_rss_standing_in_and_shows_unreadable_as_a_dash() {
    let mut app = app_measured(&Config::default());
    assert_eq!(app.measure().memory, MemoryMode::Rss);
    let rss = screen(&mut app, 100, 14);
    assert!(line_with(&rss, "swarmtop").contains("MEM 3.3G"), "{rss}");
    assert!(line_with(&rss, "cargo test").contains("1.2G"), "{rss}");

    key(&mut app, KeyCode::Char('m'));
    assert_eq!(app.measure().memory, MemoryMode::Pss, "the sampler is asked for PSS");
    insta::assert_snapshot!("pss_mode", render(&mut app, 100, 14).backend());
    let pss = screen(&mut app, 100, 14);
    let header = line_with(&pss, "swarmtop");
    assert!(header.contains("PSS ") && header.contains("* RSS, not measured"), "{pss}");
    assert!(line_with(&pss, "NAME").contains("PSS"), "{pss}");
    assert!(line_with(&pss, "cargo test").contains(" 900M "), "measured: no mark\n{pss}");
    assert!(line_with(&pss, "claude --resume").contains("310M*"), "not measured: RSS, marked\n{pss}");
    let analyzer = line_with(&pss, "rust-analyzer");
    assert!(analyzer.contains(" - ") && !analyzer.contains("420M"), "unreadable: -, never a figure\n{pss}");
    // The attempt sums PSS where measured and RSS where not: marked.
    assert!(line_with(&pss, "1a2b").contains("2.1G*"), "{pss}");

    key(&mut app, KeyCode::Char('m'));
    assert_eq!(app.measure().memory, MemoryMode::Rss);
    assert!(line_with(&screen(&mut app, 100, 14), "swarmtop").contains("MEM 3.3G"));
}

#[test]
fn the_detail_pane_shows_the_look_at_the_selected_process_and_says_what_is_unknown() {
    let mut app = app_measured(&Config::default());
    select_pid(&mut app, 101);
    key(&mut app, KeyCode::Tab);
    let key101 = app.inspected().expect("the detail pane shows a process: it is to be looked at");
    assert_eq!(key101.pid(), 101);
    let before = screen(&mut app, 100, 24);
    assert!(line_with(&before, "memory").contains("measuring…"), "{before}");

    app.inspection = Some(Arc::new(Inspection {
        key: key101,
        resident: Some(Resident {
            rss: 1200 * MIB,
            anon: 1000 * MIB,
            file: 150 * MIB,
            shmem: 50 * MIB,
            swap: 4 * MIB,
        }),
        pss: Pss::Measured { pss: 900 * MIB, swap: 4 * MIB },
        io: Some(IoTotals { read: 40 * MIB, write: 2 * MIB }),
        io_rate: Some(IoRate { read: 3 * MIB, write: 0 }),
    }));
    insta::assert_snapshot!("detail_measured", render(&mut app, 100, 24).backend());

    // Another user's process: PSS and I/O cannot be read.
    app.inspection = Some(Arc::new(Inspection {
        key: key101,
        resident: Some(Resident { rss: 1200 * MIB, ..Resident::default() }),
        pss: Pss::Unreadable,
        io: None,
        io_rate: None,
    }));
    let private = screen(&mut app, 100, 24);
    assert!(line_with(&private, "memory").contains("PSS - (cannot be read)"), "{private}");
    assert!(line_with(&private, " io ").contains("- (another user"), "{private}");

    // A look at another process is not shown for this one.
    select_pid(&mut app, 102);
    assert_eq!(app.inspected().map(|k| k.pid()), Some(102));
    assert!(line_with(&screen(&mut app, 100, 24), "memory").contains("measuring…"));
    key(&mut app, KeyCode::Tab);
    assert_eq!(app.inspected(), None, "no detail pane: nothing to look at");
}

#[test]
fn the_io_column_shows_rates_rolls_them_up_and_unknown_is_a_dash() {
    let config =
        Config { columns: vec![Column::Pid, Column::Cpu, Column::Mem, Column::Io], ..Config::default() };
    let mut app = app_measured(&config);
    assert!(app.measure().io, "the IO column is shown: its rates are measured");
    assert!(!app_measured(&Config::default()).measure().io, "not shown: not read");
    key(&mut app, KeyCode::Char('a'));
    insta::assert_snapshot!("io_column", render(&mut app, 100, 14).backend());
    let s = screen(&mut app, 120, 30);
    assert!(line_with(&s, "NAME").contains("IO R/W"), "{s}");
    assert!(line_with(&s, "cargo test").contains("3.0M/512K"), "{s}");
    assert!(line_with(&s, "rustc").contains("1.0M/0"), "{s}");
    assert!(line_with(&s, "sshd").trim_end_matches('"').trim_end().ends_with(" -"), "unknown: -\n{s}");
    // The attempt of cargo and rustc sums them and marks that two of its four are unknown.
    assert!(line_with(&s, "1a2b").contains("4.0M/512K*"), "{s}");
}
