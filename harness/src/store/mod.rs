//! Storage: where the files of `bench` live and how they are named. The saved baselines of
//! `bench run` (one key per fixture, mode, settings and machine) and of `bench growth`, under
//! one name rule; the nightly history; the default paths; what a command agrees to write
//! (`outputs`); the one atomic writer every file goes through (`files`), the write locks of
//! histories and results files (`lock`), and saving results files (`results`).
//!
//! May import: `model` (what is stored) and `analysis` (the growth report a growth baseline
//! holds). Never `measure`, `report`, `commands` or `cli`.

pub mod baselines;
pub mod files;
pub mod growth_baselines;
pub mod history;
pub mod lock;
pub mod names;
pub mod outputs;
pub mod paths;
pub mod results;
