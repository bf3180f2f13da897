//! Storage: where the files of `bench` live and how they are named. The saved baselines of
//! `bench run` (one key per fixture, mode, settings and machine) and of `bench growth`, under
//! one name rule; the nightly history; the default paths; what a command agrees to write (`outputs`);
//! writing a text file whole.
//!
//! May import: `model` (what is stored) and `analysis` (the growth report a growth baseline
//! holds). Never `measure`, `report`, `commands` or `cli`.

pub mod baselines;
pub mod files;
pub mod growth_baselines;
pub mod history;
pub mod names;
pub mod outputs;
pub mod paths;
