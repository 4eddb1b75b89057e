//! The interactive TUI: pure state in `app`, drawing in `view`, the OS and the
//! terminal only in `terminal`, `feed` and `run`.

pub mod action;
pub mod app;
pub mod app_follow;
pub mod app_kill;
mod app_modals;
mod app_quit;
mod app_select;
mod app_signals;
mod app_tags;
mod app_view;
pub mod changes;
pub mod columns;
pub mod command;
pub mod feed;
pub mod history;
pub mod hosts;
mod inspector;
pub mod jump;
pub mod keymap;
pub mod kill_modal;
pub mod paused;
pub mod quit_modal;
mod row;
pub mod rows;
mod rows_ghosts;
mod rows_parts;
pub mod run;
pub mod tags;
pub mod terminal;
pub mod tmux;
pub mod view;
