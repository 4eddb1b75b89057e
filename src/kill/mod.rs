//! Killing: plans and their scope (pure), their execution (the only signalling code).

pub mod control;
pub mod exec;
mod index;
mod leftovers;
mod narrow;
pub mod outcome;
pub mod pidfd;
pub mod plan;
pub mod report;
mod resolve;
pub mod scope;
pub mod sessions;
mod suggest;
pub mod union;

pub use suggest::close_matches;
