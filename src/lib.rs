//! swarmtop: `top` for dev boxes that run many AI coding agents at once.

pub mod associate;
pub mod capacity;
pub mod cli;
pub mod config;
pub mod kill;
pub mod mcp;
pub mod model;
pub mod procfs;
pub mod remote;
pub mod report;
pub mod sample;
pub mod tui;
pub mod xdg;
