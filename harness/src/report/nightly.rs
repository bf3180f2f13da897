//! The markdown summary of `bench nightly`: a header with the commit, machine and rule, one
//! table row per mode (tonight's medians, their change against the window's median, the
//! verdict), a line per regression, and where the charts and the history are.

use crate::analysis::nightly::NightReport;
use crate::analysis::trend::{Direction, StepCheck};
use crate::analysis::verdict::trim_pct;
use crate::model::machine::short_hash;
use crate::report::attribution;
use crate::report::units::{group_digits, mib, seconds};

/// One line per regression of `r`: `MODE prove time +12.3 % against ...`.
pub fn regressions(r: &NightReport) -> Vec<String> {
    let mut out = Vec::new();
    for m in &r.modes {
        if let Some(c @ StepCheck::Checked(j)) = &m.time
            && c.is_regression()
        {
            out.push(format!(
                "{} prove time {:+.1} % against the geometric mean of {} nights ({})",
                m.record.mode,
                j.change_pct,
                j.window_len,
                match j.two_night_change_pct {
                    Some(two) if j.change_pct <= j.large_limit_pct =>
                        format!("{two:+.1} % over two nights, limit {:.1} %", j.limit_pct),
                    _ => format!("one night past the large limit {:.1} %", j.large_limit_pct),
                }
            ));
        }
        for (what, check) in [("peak heap", &m.heap), ("instructions", &m.instructions)] {
            if let Some(c @ StepCheck::Checked(j)) = check
                && c.is_regression()
            {
                out.push(format!(
                    "{} {what} {:+.3} % against the night before (limit {} %)",
                    m.record.mode,
                    j.change_pct,
                    trim_pct(j.limit_pct)
                ));
            }
        }
    }
    out
}

fn change(c: &Option<StepCheck>) -> (String, String) {
    match c {
        None => ("-".into(), "no measurement".into()),
        Some(StepCheck::NotEnoughHistory { have, need }) => (
            "-".into(),
            format!("not enough history ({have} of {need} nights)"),
        ),
        Some(c @ StepCheck::Checked(j)) => (
            format!("{:+.1} % (limit ±{:.1} %)", j.change_pct, j.limit_pct),
            match (c.direction(), j.is_pending()) {
                (Some(Direction::Regression), _) => "⚠️ regression".into(),
                (Some(Direction::Improvement), _) => "⬇️ improvement".into(),
                (_, true) => "👀 beyond the limit tonight: a step if it persists".into(),
                _ => "✅ unchanged".into(),
            },
        ),
    }
}

/// The summary as GitHub-flavoured markdown.
pub fn markdown(r: &NightReport) -> String {
    let mut out = format!(
        "### Nightly · {} · {} · {}{}\n\n",
        r.fixture,
        r.date,
        short_hash(&r.commit, 12),
        if r.dirty { " (dirty)" } else { "" }
    );
    let t = &r.rules.time;
    out.push_str(&format!(
        "{} · night {} of the series on this machine · time: against the geometric mean of \
         up to {} nights before last night (at least {}), a step when tonight and last night \
         together move past max({} %, z × noise), or tonight alone past twice the one-night \
         limit; z = {} for one series, widened for {} modes (Bonferroni); the noise pooled \
         from the window and the nights' spreads · heap and instructions: against the night \
         before, past {} % and {} %\n\n",
        r.machine,
        r.nights,
        t.window,
        t.min_history,
        t.threshold_pct,
        t.z,
        r.modes.len(),
        r.rules.heap.threshold_pct,
        r.rules.instructions.threshold_pct
    ));
    out.push_str("| mode | prove time | change | time | peak heap | change | heap | runs |\n");
    out.push_str("|---|--:|--:|---|--:|--:|---|--:|\n");
    for m in &r.modes {
        let (tc, tv) = change(&m.time);
        let (hc, hv) = change(&m.heap);
        let runs = if m.record.failed_runs > 0 {
            format!("{} + {} failed", m.record.runs, m.record.failed_runs)
        } else {
            m.record.runs.to_string()
        };
        out.push_str(&format!(
            "| `{}` | {} | {tc} | {tv} | {} | {hc} | {hv} | {runs} |\n",
            m.record.mode,
            seconds(m.record.median_prove_seconds),
            mib(m.record.median_peak_heap_bytes),
        ));
    }
    let mut counted = Vec::new();
    for m in &r.modes {
        if let Some(n) = m.record.median_instructions {
            let (change, verdict) = match &m.instructions {
                Some(StepCheck::Checked(j)) => (
                    format!("{:+.3} % against the night before", j.change_pct),
                    match j.direction {
                        Direction::Regression => "⚠️ regression",
                        Direction::Improvement => "⬇️ improvement",
                        Direction::Unchanged => "✅ unchanged",
                    },
                ),
                _ => (
                    "no earlier night counted by this build".to_string(),
                    "first count",
                ),
            };
            counted.push(format!(
                "- Instructions `{}`: {} ({change}: {verdict})\n",
                m.record.mode,
                group_digits(n)
            ));
        }
    }
    if !counted.is_empty() {
        out.push('\n');
        out.push_str(&counted.concat());
    }
    for m in r.modes.iter().filter(|m| !m.instruction_spans.is_empty()) {
        out.push('\n');
        out.push_str(&attribution::markdown_tables(
            &m.instruction_spans,
            &m.functions,
            &format!(" · `{}`", m.record.mode),
            "night before",
            "tonight",
            &|s: &str| {
                s.replace('|', "\\|")
                    .replace('<', "&lt;")
                    .replace('>', "&gt;")
            },
        ));
    }
    out.push('\n');
    let regressions = regressions(r);
    if regressions.is_empty() {
        out.push_str("✅ No regression tonight.\n");
    }
    for line in regressions {
        out.push_str(&format!("⚠️ Regression: {line}.\n"));
    }
    out.push('\n');
    for c in &r.charts {
        out.push_str(&format!("Chart: {}\n", c.display()));
    }
    out.push_str(&format!("History: {}\n", r.history.display()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::nightly::ModeNight;
    use crate::analysis::nightly::NightRules;
    use crate::analysis::trend::{Judgement, Night, StepRule, check};
    use crate::testing::night;

    fn report(time: Option<StepCheck>) -> NightReport {
        NightReport {
            fixture: "fib".into(),
            date: "2026-01-08T03:00:00Z".into(),
            commit: "0123456789abcdef".into(),
            dirty: false,
            machine: "Test CPU, 2 cores".into(),
            rules: NightRules {
                time: StepRule::default(),
                heap: StepRule::deterministic(0.5),
                instructions: StepRule::deterministic(0.5),
            },
            modes: vec![ModeNight {
                record: night("2026-01-08T03:00:00Z", "default", 2.4, 1000 << 20),
                previous_nights: 7,
                time,
                heap: Some(StepCheck::NotEnoughHistory { have: 2, need: 3 }),
                instructions: None,
                instruction_spans: Vec::new(),
                functions: Vec::new(),
            }],
            history: "h.jsonl".into(),
            nights: 8,
            charts: vec!["h-time-heap.svg".into()],
        }
    }

    #[test]
    fn instruction_counts_get_a_line_and_a_regression() {
        let mut r = report(None);
        r.modes[0].record.median_instructions = Some(1_016_060);
        r.modes[0].instructions = Some(
            check(
                &[Night::exact(1_010_000.0)],
                &Night::exact(1_016_060.0),
                &StepRule::deterministic(0.5),
            )
            .unwrap(),
        );
        let md = markdown(&r);
        assert!(
            md.contains(
                "- Instructions `default`: 1,016,060 (+0.600 % against the night before: ⚠️ regression)"
            ),
            "{md}"
        );
        assert!(
            md.contains("⚠️ Regression: default instructions +0.600 % against the night before (limit 0.5 %)."),
            "{md}"
        );
        assert_eq!(regressions(&r).len(), 1);
    }

    #[test]
    fn a_regression_row_and_line() {
        // Six steady nights, then last night and tonight both 20 % slower.
        let mut previous = vec![Night::exact(2.0); 6];
        previous.push(Night::exact(2.4));
        let c = check(&previous, &Night::exact(2.4), &StepRule::default()).unwrap();
        let r = report(Some(c));
        let md = markdown(&r);
        let lines: Vec<&str> = md.lines().collect();
        assert_eq!(
            lines[0],
            "### Nightly · fib · 2026-01-08T03:00:00Z · 0123456789ab"
        );
        assert_eq!(
            lines[6],
            "| `default` | 2.40 s | +20.0 % (limit ±5.0 %) | ⚠️ regression | 1000.0 MiB | - | not enough history (2 of 3 nights) | 3 |"
        );
        assert!(
            md.contains(
                "⚠️ Regression: default prove time +20.0 % against the geometric mean of 6 nights (one night past the large limit 10.3 %)."
            ),
            "{md}"
        );
        assert!(md.contains("Chart: h-time-heap.svg"));
        assert_eq!(regressions(&r).len(), 1);
    }

    #[test]
    fn a_first_night_beyond_the_limit_is_pending() {
        let c = check(
            &[Night::exact(2.0); 7],
            &Night::exact(2.2),
            &StepRule::default(),
        )
        .unwrap();
        let md = markdown(&report(Some(c)));
        assert!(md.contains("👀 beyond the limit tonight"), "{md}");
        assert!(md.contains("✅ No regression tonight."), "{md}");
    }

    #[test]
    fn no_regression() {
        let j = Judgement {
            window_center: 2.0,
            window_len: 7,
            noise_pct: 1.0,
            change_pct: 1.0,
            limit_pct: 5.0,
            large_limit_pct: 10.25,
            two_night_change_pct: Some(0.5),
            tonight: Direction::Unchanged,
            direction: Direction::Unchanged,
        };
        let r = report(Some(StepCheck::Checked(j)));
        assert!(regressions(&r).is_empty());
        assert!(markdown(&r).contains("✅ No regression tonight."));
    }
}
