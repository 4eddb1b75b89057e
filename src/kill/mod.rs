//! Killing: plans (pure) and their execution (the only signalling code).

pub mod sessions;
