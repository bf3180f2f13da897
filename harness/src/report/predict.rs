//! `bench predict`'s text: per mode, the predicted peak, its phase and its largest kinds.

use std::fmt::Write as _;

use crate::model::prediction::{ModePrediction, error_pct};
use crate::model::record::largest_kinds;
use crate::report::units::mib_of;

/// Kinds shown per mode (the rest summed as `rest`).
const KINDS_SHOWN: usize = 4;

/// One line per mode: `mode  peak MiB  phase  kind MiB, ...`.
pub fn predictions_text(program: &str, cycles: u64, predictions: &[ModePrediction]) -> String {
    let mut out = format!("predicted peak heap of {program} ({cycles} cycles)\n");
    let width = predictions
        .iter()
        .map(|p| p.mode.to_string().len())
        .max()
        .unwrap_or(4)
        .max(4);
    let _ = writeln!(
        out,
        "{:<width$}  {:>12}  {:<13}  by kind",
        "mode", "peak", "phase"
    );
    for p in predictions {
        let kinds = largest_kinds(&p.breakdown);
        let mut parts: Vec<String> = kinds
            .iter()
            .take(KINDS_SHOWN)
            .map(|(k, b)| format!("{k} {}", mib_of(*b as f64)))
            .collect();
        let rest: u64 = kinds.iter().skip(KINDS_SHOWN).map(|(_, b)| b).sum();
        if rest > 0 {
            parts.push(format!("rest {}", mib_of(rest as f64)));
        }
        let _ = writeln!(
            out,
            "{:<width$}  {:>12}  {:<13}  {}",
            p.mode.to_string(),
            mib_of(p.predicted_peak_bytes as f64),
            p.phase,
            parts.join(", ")
        );
    }
    out
}

/// One line of `bench run`: an entry's predicted peak beside its measured (median) peak,
/// and the error.
pub fn beside_measurement(program: &str, p: &ModePrediction, measured: Option<u64>) -> String {
    let measured_text = measured.map_or("-".to_string(), |m| mib_of(m as f64));
    let error = measured.map_or("-".to_string(), |m| {
        format!("{:+.1} %", error_pct(p.predicted_peak_bytes, m))
    });
    format!(
        "predicted {program} {}: {} in {} (measured {measured_text}, error {error})",
        p.mode,
        mib_of(p.predicted_peak_bytes as f64),
        p.phase
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use prover::modes::MemoryMode;

    #[test]
    fn the_error_is_against_the_measurement() {
        let p = ModePrediction {
            mode: MemoryMode::DEFAULT,
            predicted_peak_bytes: 105 << 20,
            phase: "composition".into(),
            breakdown: Default::default(),
            phases: Vec::new(),
        };
        let line = beside_measurement("f", &p, Some(100 << 20));
        assert!(
            line.contains("105.0 MiB in composition") && line.ends_with("error +5.0 %)"),
            "{line}"
        );
        assert!(beside_measurement("f", &p, None).ends_with("error -)"));
    }

    #[test]
    fn one_line_per_mode_with_its_largest_kinds() {
        let p = ModePrediction {
            mode: MemoryMode::DEFAULT,
            predicted_peak_bytes: 3 << 20,
            phase: "composition".into(),
            breakdown: [
                ("main_lde".to_string(), 2 << 20),
                ("other".to_string(), 1 << 20),
            ]
            .into_iter()
            .collect(),
            phases: Vec::new(),
        };
        let text = predictions_text("f", 10, &[p]);
        let line = text.lines().nth(2).unwrap();
        assert!(line.starts_with("default"), "{line}");
        assert!(
            line.contains("composition") && line.contains("main_lde 2.0"),
            "{line}"
        );
    }
}
