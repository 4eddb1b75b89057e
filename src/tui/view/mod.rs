//! Drawing: App state in, a frame out. Nothing here changes state except the
//! layout facts (page height, table position) the App needs for input.

mod cells;
mod chrome;
mod detail;
mod guides;
pub mod help;
mod kill;
mod modal_parts;
mod picker;
mod quit;
mod signals;
mod table;
pub mod theme;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};

use super::action::Modal;
use super::app::App;
use theme::Styles;

pub fn draw(f: &mut Frame<'_>, app: &mut App) {
    let styles = Styles::new(app.theme);
    let area = f.area();
    if area.height == 0 || area.width == 0 {
        return;
    }
    // Room for a process's facts, its memory breakdown on two lines, I/O and ports.
    let detail_height = if app.detail && area.height >= 16 { 11 } else { 0 };
    let [header, table, detail, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(detail_height),
        Constraint::Length(u16::from(area.height >= 3)),
    ])
    .areas(area);
    chrome::header(f, header, app, &styles);
    table::draw(f, table, app, &styles);
    if detail_height > 0 {
        detail::draw(f, detail, app, &styles);
    }
    if footer.height > 0 {
        chrome::footer(f, footer, app, &styles);
    }
    match &app.modal {
        Some(Modal::Help { scroll }) => help::draw(f, area, app, *scroll, &styles),
        Some(Modal::Columns { line }) => picker::draw(f, area, app, *line, &styles),
        Some(Modal::Signals { line, target }) => signals::draw(f, area, app, (*line, target), &styles),
        Some(Modal::Kill(modal)) => kill::draw(f, area, modal, &app.keymap, &styles),
        Some(Modal::Quit(modal)) => quit::draw(f, area, modal, &app.keymap, &styles),
        None => {}
    }
}
