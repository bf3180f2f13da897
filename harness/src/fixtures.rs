//! `bench fixtures`: the fixture catalogue as a table (or JSON).

use anyhow::{Context, Result};
use comfy_table::{CellAlignment, Table, presets::UTF8_FULL_CONDENSED};
use prover::fixtures::Catalogue;
use serde::Serialize;

/// One catalogue line.
#[derive(Debug, Serialize)]
struct Entry<'a> {
    name: &'a str,
    cycles: u64,
    description: &'a str,
}

/// Prints the default catalogue.
pub fn print(json: bool) -> Result<()> {
    let catalogue = Catalogue::load_default().context("loading the fixture catalogue")?;
    let entries: Vec<Entry<'_>> = catalogue
        .fixtures()
        .iter()
        .map(|f| Entry {
            name: &f.name,
            cycles: f.cycles,
            description: &f.description,
        })
        .collect();
    if json {
        println!("{}", serde_json::to_string(&entries)?);
        return Ok(());
    }
    let mut table = Table::new();
    table
        .load_style(UTF8_FULL_CONDENSED)
        .set_header(["fixture", "cycles", "description"]);
    for e in &entries {
        table.add_row([
            e.name.to_string(),
            group_digits(e.cycles),
            e.description.to_string(),
        ]);
    }
    if let Some(col) = table.column_mut(1) {
        col.set_cell_alignment(CellAlignment::Right);
    }
    println!("{table}");
    Ok(())
}

/// `8000010` -> `8,000,010`.
fn group_digits(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::group_digits;

    #[test]
    fn digits_are_grouped_in_threes() {
        assert_eq!(group_digits(0), "0");
        assert_eq!(group_digits(999), "999");
        assert_eq!(group_digits(1000), "1,000");
        assert_eq!(group_digits(8_000_010), "8,000,010");
    }
}
