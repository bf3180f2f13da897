//! Everything a person reads: numbers in units (`units`, one formatter each), the mode table
//! (its columns once, for a terminal and as markdown), what holds the peak (`breakdown`: buffer
//! kinds at the peak heap), the comparison (`compare_text`
//! sentences, `compare_table`, `compare_markdown`: the PR comment), the nightly summary,
//! the growth, profile, prove, execute, overhead and catalogue texts, the SVG charts
//! (`charts`) and the exports for other dashboards (`export`).
//!
//! Builds text; prints nothing (that is `commands`'). May import: `analysis` and `model`.
//! Never `measure`, `store`, `commands` or `cli`.

pub mod attribution;
pub mod breakdown;
pub mod catalogue;
pub mod charts;
pub mod compare_markdown;
pub mod compare_table;
pub mod compare_text;
pub mod execution;
pub mod export;
pub mod growth;
pub mod mode_table;
pub mod nightly;
pub mod overhead;
pub mod predict;
pub mod profile;
pub mod record;
pub mod units;
