//! The fixture catalogue as `bench fixtures` shows it: a table of name, cycles (digits
//! grouped) and description, or JSON lines of the same (with each entry's group, if any).

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{CellAlignment, Table};
use serde::Serialize;

use crate::report::units::group_digits;

/// One catalogue line.
#[derive(Debug, Serialize)]
pub struct FixtureLine<'a> {
    /// Fixture name.
    pub name: &'a str,
    /// Cycles to the halt on its own input.
    pub cycles: u64,
    /// What it computes.
    pub description: &'a str,
    /// Its group (`suite`), if any (JSON only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<&'a str>,
}

/// The catalogue as a table for a terminal.
pub fn catalogue_table(lines: &[FixtureLine<'_>]) -> String {
    let mut table = Table::new();
    table
        .load_style(UTF8_FULL_CONDENSED)
        .set_header(["fixture", "cycles", "description"]);
    for e in lines {
        table.add_row([
            e.name.to_string(),
            group_digits(e.cycles),
            e.description.to_string(),
        ]);
    }
    if let Some(col) = table.column_mut(1) {
        col.set_cell_alignment(CellAlignment::Right);
    }
    table.to_string()
}
