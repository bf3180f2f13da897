//! `bench fixtures`: the fixture catalogue as a table (or JSON).

use anyhow::{Context, Result};
use prover::fixtures::Catalogue;

use crate::commands::outcome::Outcome;
use crate::report::catalogue::{FixtureLine, catalogue_table};

/// Prints the default catalogue.
pub fn list(json: bool) -> Result<Outcome> {
    let catalogue = Catalogue::load_default().context("loading the fixture catalogue")?;
    let lines: Vec<FixtureLine<'_>> = catalogue
        .fixtures()
        .iter()
        .map(|f| FixtureLine {
            name: &f.name,
            cycles: f.cycles,
            description: &f.description,
            group: f.group.as_deref(),
        })
        .collect();
    if json {
        println!("{}", serde_json::to_string(&lines)?);
    } else {
        println!("{}", catalogue_table(&lines));
    }
    Ok(Outcome::Done)
}
