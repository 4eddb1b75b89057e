//! Renders the README screenshots from the real rendering code on the real demo swarm:
//! starts the demo, samples it with the real sampler, drives the App with keys, and
//! writes each TestBackend buffer as an SVG. Run: `scripts/screenshots.sh`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::{Color, Modifier};
use swarmtop::associate::associate;
use swarmtop::cli::demo_swarm::DemoSwarm;
use swarmtop::cli::{associate_options, open_sampler};
use swarmtop::config::Config;
use swarmtop::tui::app::App;
use swarmtop::tui::keymap::Keymap;
use swarmtop::tui::view;

const W: u16 = 120;
const H: u16 = 34;

/// What the TUI's inspector thread gives the detail pane: two looks at the selected
/// process half a second apart (its I/O rate is their difference).
fn look_at_selected(app: &mut App) -> Result<(), Box<dyn std::error::Error>> {
    use swarmtop::model::usage::IoRate;
    let Some(key) = app.inspected() else { return Ok(()) };
    let mut proc = swarmtop::procfs::ProcDir::open(Path::new("/proc"))?;
    let mut buf = Vec::new();
    let first = swarmtop::sample::usage::inspect(&mut proc, key, &mut buf);
    std::thread::sleep(Duration::from_millis(500));
    let mut look = swarmtop::sample::usage::inspect(&mut proc, key, &mut buf);
    look.io_rate = first.io.zip(look.io).and_then(|(a, b)| IoRate::between(a, b, 0.5));
    app.inspection = Some(Arc::new(look));
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The demo swarm's processes are this binary too.
    swarmtop::cli::demo_standin::play_if_asked();
    let out = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "screenshots".into()));
    std::fs::create_dir_all(&out)?;
    let config = Config::default();
    let swarm = DemoSwarm::start()?;
    swarm.wait_ready();
    let mut sampler = open_sampler(&config)?;
    let mut app = App::new(&config, Keymap::from_config(&config.keys)?);
    app.filter_text = swarm.root().to_string_lossy().into_owned();
    // A few refreshes so CPU figures and sparklines have history.
    for _ in 0..8 {
        let snapshot = sampler.sample()?;
        app.update(swarmtop::tui::action::Action::NewForest(Arc::new(associate(
            &snapshot,
            &associate_options(&config),
        ))));
        std::thread::sleep(Duration::from_millis(400));
    }
    shot(&mut app, &out.join("tree.svg"))?;

    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('/'));
    for c in "cargo".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    shot(&mut app, &out.join("filter.svg"))?;

    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Esc);
    app.filter_text = swarm.root().to_string_lossy().into_owned();
    app.rebuild();
    press(&mut app, KeyCode::Home);
    while app.selected_row().is_some_and(|r| !r.label.contains("cargo test"))
        && app.selected + 1 < app.rows.len()
    {
        press(&mut app, KeyCode::Down);
    }
    press(&mut app, KeyCode::Tab);
    look_at_selected(&mut app)?;
    shot(&mut app, &out.join("detail.svg"))?;

    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Char('?'));
    shot(&mut app, &out.join("help.svg"))?;
    drop(swarm);
    println!("wrote {}/{{tree,filter,detail,help}}.svg", out.display());
    Ok(())
}

fn press(app: &mut App, code: KeyCode) {
    if let Some(action) = app.action_for_key(&KeyEvent::new(code, KeyModifiers::NONE)) {
        app.update(action);
    }
}

fn shot(app: &mut App, path: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let mut term = Terminal::new(TestBackend::new(W, H))?;
    term.draw(|f| view::draw(f, app))?;
    std::fs::write(path, svg(term.backend().buffer()))?;
    Ok(())
}

const CELL_W: f32 = 8.4;
const CELL_H: f32 = 17.0;
const BG: &str = "#1e1e2e";
const FG: &str = "#cdd6f4";

fn color(c: Color, default: &'static str) -> String {
    match c {
        Color::Reset => default.into(),
        Color::Black => "#45475a".into(),
        Color::Red | Color::LightRed => "#f38ba8".into(),
        Color::Green | Color::LightGreen => "#a6e3a1".into(),
        Color::Yellow | Color::LightYellow => "#f9e2af".into(),
        Color::Blue => "#89b4fa".into(),
        Color::LightBlue => "#74c7ec".into(),
        Color::Magenta | Color::LightMagenta => "#cba6f7".into(),
        Color::Cyan | Color::LightCyan => "#89dceb".into(),
        Color::Gray | Color::White => "#bac2de".into(),
        Color::DarkGray => "#6c7086".into(),
        Color::Rgb(r, g, b) => format!("#{r:02x}{g:02x}{b:02x}"),
        Color::Indexed(_) => default.into(),
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// One `<rect>` per background run and one `<text>` per styled run of cells.
fn svg(buf: &Buffer) -> String {
    let (w, h) = (buf.area.width, buf.area.height);
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{}" height="{}" font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="14"><rect width="100%" height="100%" fill="{BG}"/>"#,
        f32::from(w) * CELL_W + 16.0,
        f32::from(h) * CELL_H + 16.0
    );
    for y in 0..h {
        let mut x = 0;
        while x < w {
            let cell = &buf[(x, y)];
            let style = (cell.fg, cell.bg, cell.modifier);
            let start = x;
            let mut text = String::new();
            while x < w && (buf[(x, y)].fg, buf[(x, y)].bg, buf[(x, y)].modifier) == style {
                text.push_str(buf[(x, y)].symbol());
                x += 1;
            }
            let reversed = style.2.contains(Modifier::REVERSED);
            let (mut fg, mut bg) = (color(style.0, FG), color(style.1, BG));
            if reversed {
                std::mem::swap(&mut fg, &mut bg);
            }
            let px = 8.0 + f32::from(start) * CELL_W;
            let py = 8.0 + f32::from(y) * CELL_H;
            if bg != BG {
                let _ = write!(
                    out,
                    r#"<rect x="{px}" y="{py}" width="{}" height="{CELL_H}" fill="{bg}"/>"#,
                    f32::from(x - start) * CELL_W
                );
            }
            if text.trim().is_empty() {
                continue;
            }
            let weight = if style.2.contains(Modifier::BOLD) { r#" font-weight="bold""# } else { "" };
            let opacity = if style.2.contains(Modifier::DIM) { r#" opacity="0.6""# } else { "" };
            let italic = if style.2.contains(Modifier::ITALIC) { r#" font-style="italic""# } else { "" };
            let _ = write!(
                out,
                r#"<text x="{px}" y="{}" fill="{fg}" xml:space="preserve" textLength="{}"{weight}{opacity}{italic}>{}</text>"#,
                py + CELL_H - 4.0,
                f32::from(x - start) * CELL_W,
                escape(&text)
            );
        }
    }
    out.push_str("</svg>\n");
    out
}
