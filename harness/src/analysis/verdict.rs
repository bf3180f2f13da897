//! Verdict rules, pure: one metric's base and head samples in, its comparison out (medians,
//! delta, icon, and for prove time its interval); many comparisons in, one verdict out.
//!
//! The rules, all explicit here and configurable through [`Rules`]:
//!
//! * **Prove time** is judged by [`crate::analysis::time_rule`]: a t interval of the change
//!   on the logs of the runs (of the paired log ratios for pairs), and one of three
//!   outcomes: 🔴 / 🟢 when the change is significant and its estimate beyond
//!   `threshold_pct`; ⚪ when the whole interval lies within ± the threshold; ❔
//!   inconclusive otherwise, with the runs that would settle it. With fewer than
//!   [`MIN_RUNS`] runs (pairs) a side has no noise estimate: the change is *indicative*,
//!   shown, never judged. When several entries are compared together, each interval is
//!   widened by Bonferroni's rule (confidence `1 - ALPHA / m` for `m` time comparisons).
//! * **Deterministic metrics are judged as deterministic.** Peak heap is counted exactly
//!   (0.0 % spread run to run) and instruction counts under cachegrind repeat to about
//!   0.004 % (3 runs of `fib_iterative_64k`, README), so a change of either is visible from
//!   one run per side. They have their own
//!   thresholds (`heap_threshold_pct`, `instructions_threshold_pct`, default
//!   [`DEFAULT_DETERMINISTIC_THRESHOLD_PCT`]); no interval applies to them. A side whose runs
//!   of such a metric spread more than [`UNREPEATED_PCT`] did not repeat: that is a finding,
//!   reported with the comparison (`unrepeated`), not a gate.
//! * **Peak RSS is information.** It is shown, never judged ([`Icon::Info`]).
//! * **The verdict.** A regression in any judged metric makes the verdict *Regression* (a
//!   real heap regression is reported even when time is inconclusive). Otherwise a missing
//!   base withholds the verdict; otherwise an inconclusive time makes it *Inconclusive* (the
//!   question "did it cost time?" has no answer yet, whatever heap says), naming the runs
//!   that would settle it; otherwise any improvement makes it *Improvement*; otherwise *No
//!   change*. Indicative times (one run a side) and RSS never decide it.

use std::fmt;

use serde::Serialize;
use thiserror::Error;

use crate::analysis::stats::{self, Sample, StatsError};
use crate::analysis::time_rule::{self, TimeRuleError};
pub use crate::analysis::time_rule::{ALPHA, Design, Interval, MIN_RUNS, Outcome, POWER, Planned};

/// Default relative threshold of prove time, percent.
pub const DEFAULT_THRESHOLD_PCT: f64 = 5.0;
/// Default relative threshold of the deterministic metrics (peak heap, instructions),
/// percent. They repeat exactly (heap) or to about 0.004 % (instructions), so the threshold
/// is not there to absorb noise: it decides which real changes are worth a 🔴. Half a
/// percent is 1.6 MiB of a 322 MiB peak and 180 M of 36 G instructions: small enough that
/// the issue's +0.9 % heap growth is flagged, large enough that allocator size-class and
/// capacity rounding in unrelated code is not.
pub const DEFAULT_DETERMINISTIC_THRESHOLD_PCT: f64 = 0.5;
/// Spread, percent, beyond which a deterministic metric's runs did not repeat.
pub const UNREPEATED_PCT: f64 = 0.01;
/// The change, as a multiple of the time threshold, whose runs needed the reports quote: a
/// change equal to the threshold is called only about half of the time at any number of runs
/// (see [`crate::analysis::time_rule`]), twice the threshold with [`POWER`].
pub const PLANNED_EFFECT_MULTIPLE: f64 = 2.0;

/// The configurable rules.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Rules {
    /// Relative change of prove time, percent, beyond which it changed.
    pub threshold_pct: f64,
    /// Relative change of peak heap, percent, beyond which it changed.
    pub heap_threshold_pct: f64,
    /// Relative change of the instruction count, percent, beyond which it changed.
    pub instructions_threshold_pct: f64,
}

impl Default for Rules {
    fn default() -> Self {
        Self {
            threshold_pct: DEFAULT_THRESHOLD_PCT,
            heap_threshold_pct: DEFAULT_DETERMINISTIC_THRESHOLD_PCT,
            instructions_threshold_pct: DEFAULT_DETERMINISTIC_THRESHOLD_PCT,
        }
    }
}

/// Why a comparison could not be made.
#[derive(Clone, Debug, PartialEq, Error)]
pub enum VerdictError {
    /// A threshold that is negative or not finite.
    #[error("{name} must be a finite, non-negative percentage (got {value})")]
    BadRule {
        /// Which threshold.
        name: &'static str,
        /// The value.
        value: f64,
    },
    /// A sample is empty or holds a non-finite value.
    #[error("{side} sample of {metric}: {source}")]
    Sample {
        /// `base` or `head`.
        side: &'static str,
        /// The metric's label.
        metric: &'static str,
        /// The reason.
        source: StatsError,
    },
    /// The base median is zero or negative: no relative change exists.
    #[error("the base median of {metric} is {value}: no relative change can be computed")]
    NonPositiveBase {
        /// The metric's label.
        metric: &'static str,
        /// The median.
        value: f64,
    },
    /// Prove times the time rule cannot take.
    #[error("prove time: {0}")]
    Time(#[from] TimeRuleError),
    /// Paired samples of different lengths.
    #[error("paired samples of {metric} differ in length: {base} and {head}")]
    Unpaired {
        /// The metric's label.
        metric: &'static str,
        /// Base length.
        base: usize,
        /// Head length.
        head: usize,
    },
}

impl Rules {
    /// The threshold of `metric`, percent (RSS, never judged, shares the heap's).
    pub fn threshold_of(&self, metric: Metric) -> f64 {
        match metric {
            Metric::Time => self.threshold_pct,
            Metric::Heap | Metric::Rss => self.heap_threshold_pct,
            Metric::Instructions => self.instructions_threshold_pct,
        }
    }

    /// Checks every percentage.
    pub fn validate(&self) -> Result<(), VerdictError> {
        for (name, value) in [
            ("threshold", self.threshold_pct),
            ("heap threshold", self.heap_threshold_pct),
            ("instructions threshold", self.instructions_threshold_pct),
        ] {
            if !value.is_finite() || value < 0.0 {
                return Err(VerdictError::BadRule { name, value });
            }
        }
        Ok(())
    }
}

/// What is measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Median prove seconds.
    Time,
    /// Median exact peak heap bytes.
    Heap,
    /// Median instructions executed by the prove (cachegrind's `Ir`).
    Instructions,
    /// Median peak RSS bytes (information only).
    Rss,
}

impl Metric {
    /// The label in tables: `Prove time`, `Peak heap`, `Instructions`, `Peak RSS`.
    pub fn label(self) -> &'static str {
        match self {
            Metric::Time => "Prove time",
            Metric::Heap => "Peak heap",
            Metric::Instructions => "Instructions",
            Metric::Rss => "Peak RSS",
        }
    }

    /// Whether the metric repeats exactly or nearly (heap, instructions): judged from one
    /// run per side, never gated on noise.
    pub fn is_deterministic(self) -> bool {
        matches!(self, Metric::Heap | Metric::Instructions)
    }

    /// Whether the metric takes part in verdicts.
    pub fn is_judged(self) -> bool {
        !matches!(self, Metric::Rss)
    }

    /// Whether it is judged statistically, through an interval (prove time).
    pub fn is_statistical(self) -> bool {
        matches!(self, Metric::Time)
    }
}

/// One side's sample, summarised.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SideStats {
    /// The values in measurement order.
    pub values: Vec<f64>,
    /// Median.
    pub median: f64,
    /// `(max - min) / median`, percent.
    pub spread_pct: f64,
    /// Geometric mean, when every value is positive: the centre the time rule estimates
    /// from, so that the base and head columns of time agree with its change.
    pub geomean: Option<f64>,
}

impl SideStats {
    fn of(sample: &Sample) -> Self {
        let s = stats::summary(sample);
        Self {
            values: sample.values().to_vec(),
            median: s.median,
            spread_pct: s.spread_pct,
            geomean: sample.values().iter().all(|v| *v > 0.0).then(|| {
                let logs: f64 = sample.values().iter().map(|v| v.ln()).sum();
                (logs / sample.len() as f64).exp()
            }),
        }
    }

    /// Number of values.
    pub fn n(&self) -> usize {
        self.values.len()
    }
}

/// The icon of one metric.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Icon {
    /// 🔴 Beyond +threshold (and significant, for time).
    Regression,
    /// 🟢 Beyond -threshold (and significant, for time).
    Improvement,
    /// ⚪ Within the threshold (for time: the whole interval).
    Unchanged,
    /// ❔ Time only: the interval cannot tell.
    Inconclusive,
    /// ▫️ Time only: a side with one run, so no noise estimate; shown, not judged.
    Indicative,
    /// Not judged (RSS).
    Info,
}

impl Icon {
    /// The emoji.
    pub fn glyph(self) -> &'static str {
        match self {
            Icon::Regression => "🔴",
            Icon::Improvement => "🟢",
            Icon::Unchanged => "⚪",
            Icon::Inconclusive => "❔",
            Icon::Indicative => "▫️",
            Icon::Info => "ℹ️",
        }
    }
}

/// One metric compared.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MetricComparison {
    /// Which metric.
    pub metric: Metric,
    /// Independent or paired.
    pub design: Design,
    /// The base side.
    pub base: SideStats,
    /// The head side.
    pub head: SideStats,
    /// The absolute change: `head.median - base.median`; in a paired design
    /// `base.median x (median paired ratio - 1)`, the change the paired estimate implies, so
    /// that `delta` and `delta_pct` always agree in sign.
    pub delta: f64,
    /// The relative change, percent: of the medians; for time, of the interval's estimate
    /// (the ratio of geometric means, or the geometric mean of the paired ratios).
    pub delta_pct: f64,
    /// Whether the estimate crosses the threshold: +1 up, -1 down, 0 within.
    pub beyond: i8,
    /// Prove time with at least [`MIN_RUNS`] runs (pairs) a side: the interval of the change.
    pub interval: Option<Interval>,
    /// The sides whose runs of a deterministic metric did not repeat (spread above
    /// [`UNREPEATED_PCT`]): a finding, not a gate.
    pub unrepeated: Vec<&'static str>,
    /// The resulting icon.
    pub icon: Icon,
    /// Prove time with an interval: the runs (pairs) that detect a change of
    /// [`PLANNED_EFFECT_MULTIPLE`] times the threshold with [`POWER`] at the noise observed.
    pub runs_needed: Option<Planned>,
    /// An inconclusive time: the runs (pairs) that would settle it, if its estimate and noise
    /// stayed as observed.
    pub runs_to_settle: Option<Planned>,
}

/// Compares one metric's `base` and `head` samples under `rules`, alone.
pub fn compare(
    metric: Metric,
    base: &[f64],
    head: &[f64],
    design: Design,
    rules: &Rules,
) -> Result<MetricComparison, VerdictError> {
    compare_in_family(metric, base, head, design, rules, 1)
}

/// Compares one metric's `base` and `head` samples under `rules`, as one of `family` time
/// comparisons judged together (the Bonferroni divisor of the time interval).
pub fn compare_in_family(
    metric: Metric,
    base: &[f64],
    head: &[f64],
    design: Design,
    rules: &Rules,
    family: usize,
) -> Result<MetricComparison, VerdictError> {
    rules.validate()?;
    let sample = |side: &'static str, v: &[f64]| {
        Sample::new(v.to_vec()).map_err(|source| VerdictError::Sample {
            side,
            metric: metric.label(),
            source,
        })
    };
    let (bs, hs) = (sample("base", base)?, sample("head", head)?);
    if design == Design::Paired && bs.len() != hs.len() {
        return Err(VerdictError::Unpaired {
            metric: metric.label(),
            base: bs.len(),
            head: hs.len(),
        });
    }
    let (b, h) = (SideStats::of(&bs), SideStats::of(&hs));
    if b.median <= 0.0 {
        return Err(VerdictError::NonPositiveBase {
            metric: metric.label(),
            value: b.median,
        });
    }
    let threshold = rules.threshold_of(metric);
    let interval = if metric.is_statistical() {
        time_rule::interval(&b.values, &h.values, design, family)?
    } else {
        None
    };
    let ratio = match (&interval, design) {
        (Some(i), _) => i.estimate,
        // One pair: its ratio; one run a side: the ratio of the values.
        (None, Design::Paired) => median_ratio(&b.values, &h.values),
        (None, Design::Independent) => h.median / b.median,
    };
    let delta_pct = (ratio - 1.0) * 100.0;
    let beyond = if delta_pct > threshold {
        1
    } else if delta_pct < -threshold {
        -1
    } else {
        0
    };
    let unrepeated: Vec<&'static str> = if metric.is_deterministic() {
        [("base", &b), ("head", &h)]
            .into_iter()
            .filter(|(_, s)| s.spread_pct > UNREPEATED_PCT)
            .map(|(name, _)| name)
            .collect()
    } else {
        Vec::new()
    };
    let icon = if !metric.is_judged() {
        Icon::Info
    } else if metric.is_statistical() {
        match interval.as_ref().map(|i| time_rule::judge(i, threshold)) {
            None => Icon::Indicative,
            Some(Outcome::Regression) => Icon::Regression,
            Some(Outcome::Improvement) => Icon::Improvement,
            Some(Outcome::NoChange) => Icon::Unchanged,
            Some(Outcome::Inconclusive) => Icon::Inconclusive,
        }
    } else {
        match beyond {
            1 => Icon::Regression,
            -1 => Icon::Improvement,
            _ => Icon::Unchanged,
        }
    };
    let runs_needed = interval.as_ref().map(|i| {
        time_rule::runs_needed(
            PLANNED_EFFECT_MULTIPLE * threshold,
            i.noise_pct,
            design,
            threshold,
            i.family,
        )
    });
    let runs_to_settle = interval
        .as_ref()
        .filter(|_| icon == Icon::Inconclusive)
        .map(|i| time_rule::runs_to_settle(i, design, threshold));
    Ok(MetricComparison {
        metric,
        design,
        // Time with an interval: the ratio of the geometric means (also the geometric mean
        // of the paired ratios), so the change is in the geometric means' terms. One pair:
        // its ratio, applied to the base.
        delta: match (&interval, b.geomean, design) {
            (Some(_), Some(g), _) => g * (ratio - 1.0),
            (_, _, Design::Paired) => b.median * (ratio - 1.0),
            _ => h.median - b.median,
        },
        delta_pct,
        beyond,
        interval,
        unrepeated,
        icon,
        runs_needed,
        runs_to_settle,
        base: b,
        head: h,
    })
}

/// The median of the paired ratios `head[i] / base[i]`.
fn median_ratio(base: &[f64], head: &[f64]) -> f64 {
    let r: Vec<f64> = base.iter().zip(head).map(|(b, h)| h / b).collect();
    Sample::new(r).map_or(f64::NAN, |s| stats::median(&s))
}

/// The verdict over every judged metric.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Verdict {
    /// A judged metric regressed beyond the threshold (and significantly where needed).
    Regression {
        /// What regressed.
        what: Vec<Change>,
    },
    /// Something improved, nothing regressed and no time was inconclusive.
    Improvement {
        /// What improved.
        what: Vec<Change>,
    },
    /// Nothing crossed its threshold; every judged time interval lies within it.
    NoChange,
    /// Nothing regressed, but a prove time could not be told apart from noise.
    Inconclusive {
        /// What is inconclusive, with the runs that would settle it.
        what: Vec<Unsettled>,
    },
    /// No verdict: the reasons.
    Withheld {
        /// Why, one item per reason.
        why: Vec<Withholding>,
    },
}

impl Verdict {
    /// Whether this verdict is a regression.
    pub fn is_regression(&self) -> bool {
        matches!(self, Verdict::Regression { .. })
    }
}

/// One labelled comparison for [`verdict`]: `label` names where it comes from (`fixture ·
/// mode`, or empty when there is only one).
#[derive(Clone, Copy, Debug)]
pub struct Labelled<'a> {
    /// Where the comparison comes from, or empty.
    pub label: &'a str,
    /// The comparison.
    pub comparison: &'a MetricComparison,
}

/// A judged metric that crossed the threshold. It reads (and serializes) as `Prove time
/// +14.1%`, or `Prove time +14.1% (fib · default)` with a label; reports add the exact
/// `delta` of deterministic metrics.
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    /// The metric.
    pub metric: Metric,
    /// Its relative change, percent.
    pub delta_pct: f64,
    /// Its absolute change (bytes, instructions, seconds).
    pub delta: f64,
    /// Where it comes from (`fixture · mode`), or empty when there is only one.
    pub label: String,
}

impl Change {
    /// The change of comparison `c`, labelled `label`.
    pub fn of(label: &str, c: &MetricComparison) -> Self {
        Self {
            metric: c.metric,
            delta_pct: c.delta_pct,
            delta: c.delta,
            label: label.to_string(),
        }
    }
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {:+.1}%", self.metric.label(), self.delta_pct)?;
        if !self.label.is_empty() {
            write!(f, " ({})", self.label)?;
        }
        Ok(())
    }
}

/// Why no comparison of one entry (`fixture · mode`) could be made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unavailable {
    /// The base has no entry for it.
    NoBaseline(String),
    /// The base's entry has no successful run.
    NoBaseRun(String),
    /// The head's entry has no successful run.
    NoHeadRun(String),
}

impl fmt::Display for Unavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unavailable::NoBaseline(w) => write!(f, "no baseline for {w}"),
            Unavailable::NoBaseRun(w) => write!(f, "no successful base run of {w}"),
            Unavailable::NoHeadRun(w) => write!(f, "no successful head run of {w}"),
        }
    }
}

/// Why a verdict is withheld. It reads (and serializes) as a phrase: `no baseline for fib ·
/// default`.
#[derive(Clone, Debug, PartialEq)]
pub enum Withholding {
    /// An entry could not be compared.
    Unavailable(Unavailable),
    /// There was no comparison at all.
    NothingToCompare,
}

impl fmt::Display for Withholding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Withholding::Unavailable(u) => u.fmt(f),
            Withholding::NothingToCompare => f.write_str("nothing to compare"),
        }
    }
}

/// An inconclusive prove time. It reads (and serializes) as `prove time +3.1% (95% interval
/// -4.0% to +10.8%; fib · default): about 24 runs per side would settle it`.
#[derive(Clone, Debug, PartialEq)]
pub struct Unsettled {
    /// Where it comes from, or empty.
    pub label: String,
    /// Independent runs or pairs.
    pub design: Design,
    /// The interval.
    pub interval: Interval,
    /// The runs (pairs) that would settle it.
    pub settle: Planned,
}

impl Unsettled {
    /// The inconclusive time of comparison `c`, labelled `label`; `None` unless `c` is one.
    pub fn of(label: &str, c: &MetricComparison) -> Option<Self> {
        if c.icon != Icon::Inconclusive {
            return None;
        }
        Some(Self {
            label: label.to_string(),
            design: c.design,
            interval: c.interval.clone()?,
            settle: c.runs_to_settle?,
        })
    }
}

/// `about 24 runs per side`, `about 8 pairs`, `more than 10000 runs per side`.
pub fn planned_text(p: Planned, design: Design) -> String {
    let unit = |n: usize| match (design, n) {
        (Design::Paired, 1) => "1 pair".to_string(),
        (Design::Paired, n) => format!("{n} pairs"),
        (Design::Independent, 1) => "1 run per side".to_string(),
        (Design::Independent, n) => format!("{n} runs per side"),
    };
    match p {
        Planned::Runs(n) => format!("about {}", unit(n)),
        Planned::MoreThan(n) => format!("more than {}", unit(n)),
    }
}

/// A ratio as a signed percentage with one decimal: `1.031` -> `+3.1%`.
pub fn ratio_pct(r: f64) -> String {
    format!("{:+.1}%", (r - 1.0) * 100.0)
}

impl fmt::Display for Unsettled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.interval;
        if let Some(d) = i.drift.first() {
            write!(f, "prove time {}", ratio_pct(i.estimate),)?;
            if !self.label.is_empty() {
                write!(f, " ({})", self.label)?;
            }
            return write!(
                f,
                ": the {} runs drift {} (Mann-Kendall p = {:.3}), which a change between the two blocks would also do; interleave them (bench ab)",
                d.side,
                if d.upward { "upwards" } else { "downwards" },
                d.p_value
            );
        }
        write!(
            f,
            "prove time {} ({}% interval {} to {}",
            ratio_pct(i.estimate),
            trim_pct(i.confidence * 100.0),
            ratio_pct(i.low),
            ratio_pct(i.high)
        )?;
        if !self.label.is_empty() {
            write!(f, "; {}", self.label)?;
        }
        write!(
            f,
            "): {} would settle it",
            planned_text(self.settle, self.design)
        )
    }
}

/// Serializes a value as its text (the JSON of a verdict keeps its phrases).
macro_rules! serialize_as_text {
    ($($t:ty),*) => {$(
        impl Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }
    )*};
}
serialize_as_text!(Change, Unavailable, Withholding, Unsettled);

/// The verdict over `items` (see the module docs); `unavailable` gives the reasons why some
/// comparisons could not be made at all (no baseline for an entry, no successful run).
pub fn verdict(items: &[Labelled<'_>], unavailable: &[Unavailable]) -> Verdict {
    let judged = || items.iter().filter(|i| i.comparison.metric.is_judged());
    let with = |icon: Icon| -> Vec<Change> {
        judged()
            .filter(|i| i.comparison.icon == icon)
            .map(|i| Change::of(i.label, i.comparison))
            .collect()
    };
    let regressions = with(Icon::Regression);
    if !regressions.is_empty() {
        return Verdict::Regression { what: regressions };
    }
    if !unavailable.is_empty() {
        return Verdict::Withheld {
            why: unavailable
                .iter()
                .cloned()
                .map(Withholding::Unavailable)
                .collect(),
        };
    }
    let unsettled: Vec<Unsettled> = judged()
        .filter_map(|i| Unsettled::of(i.label, i.comparison))
        .collect();
    if !unsettled.is_empty() {
        return Verdict::Inconclusive { what: unsettled };
    }
    let improvements = with(Icon::Improvement);
    if !improvements.is_empty() {
        return Verdict::Improvement { what: improvements };
    }
    if items.is_empty() {
        return Verdict::Withheld {
            why: vec![Withholding::NothingToCompare],
        };
    }
    Verdict::NoChange
}

/// A percentage without trailing zeros: `5`, `2.5`.
pub fn trim_pct(p: f64) -> String {
    let s = format!("{p:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> Rules {
        Rules::default()
    }

    fn labelled(c: &MetricComparison) -> Labelled<'_> {
        Labelled {
            label: "",
            comparison: c,
        }
    }

    fn time(base: &[f64], head: &[f64]) -> MetricComparison {
        compare(Metric::Time, base, head, Design::Independent, &rules()).unwrap()
    }

    const BASE5: [f64; 5] = [10.0, 10.05, 9.98, 10.02, 10.01];

    #[test]
    fn a_significant_slowdown_is_a_regression() {
        let head: Vec<f64> = BASE5.iter().map(|v| v * 1.10).collect();
        let c = time(&BASE5, &head);
        assert_eq!(c.beyond, 1);
        assert!((c.delta_pct - 10.0).abs() < 1e-9, "{}", c.delta_pct);
        let i = c.interval.as_ref().expect("5 runs a side get an interval");
        assert!(i.p_value < ALPHA && i.low > 1.0);
        assert_eq!(c.icon, Icon::Regression);
        assert_eq!(c.runs_to_settle, None);
        assert_eq!(c.runs_needed, Some(Planned::Runs(MIN_RUNS)));
        let faster: Vec<f64> = BASE5.iter().map(|v| v * 0.9).collect();
        assert_eq!(time(&BASE5, &faster).icon, Icon::Improvement);
    }

    #[test]
    fn a_change_whose_interval_lies_within_the_threshold_is_no_change() {
        let head: Vec<f64> = BASE5.iter().map(|v| v * 1.02).collect();
        let c = time(&BASE5, &head);
        assert_eq!((c.beyond, c.icon), (0, Icon::Unchanged));
    }

    #[test]
    fn beyond_the_threshold_but_not_significant_is_inconclusive_with_the_runs_to_settle_it() {
        // Means of the logs 6 % apart, but the samples overlap.
        let base = [9.0, 10.0, 11.0, 10.0, 12.0, 8.9];
        let head = [10.6, 8.95, 12.1, 10.6, 9.1, 11.9];
        let c = time(&base, &head);
        let i = c.interval.as_ref().unwrap();
        assert!(i.low < 1.0 && i.p_value > ALPHA, "{i:?}");
        assert_eq!(c.icon, Icon::Inconclusive);
        let Some(Planned::Runs(n)) = c.runs_to_settle else {
            panic!("{:?}", c.runs_to_settle);
        };
        assert!(n > 6, "{n}");
        let v = verdict(&[labelled(&c)], &[]);
        let Verdict::Inconclusive { what } = &v else {
            panic!("{v:?}");
        };
        let text = what[0].to_string();
        assert!(
            text.starts_with("prove time +")
                && text.contains("95% interval")
                && text.ends_with("runs per side would settle it"),
            "{text}"
        );
    }

    #[test]
    fn one_run_a_side_is_indicative_and_never_judged() {
        let one = time(&[10.0], &[13.0]);
        assert_eq!(one.icon, Icon::Indicative);
        assert_eq!((one.interval.as_ref(), one.runs_needed), (None, None));
        assert!((one.delta_pct - 30.0).abs() < 1e-9);
        let paired = compare(Metric::Time, &[10.0], &[7.0], Design::Paired, &rules()).unwrap();
        assert_eq!(paired.icon, Icon::Indicative);
        // An indicative +30 % does not make a verdict: heap decides alone.
        let heap = compare(
            Metric::Heap,
            &[100.0],
            &[100.0],
            Design::Independent,
            &rules(),
        )
        .unwrap();
        let items = [labelled(&one), labelled(&heap)];
        assert_eq!(verdict(&items, &[]), Verdict::NoChange);
    }

    #[test]
    fn a_noisy_time_is_inconclusive_and_does_not_hide_a_heap_regression() {
        // The issue's case on a shared runner: 17-38 % spread, +5 % heap measured exactly.
        let noisy_time = time(&[2.0, 2.8, 2.3], &[2.1, 2.9, 2.2]);
        assert_eq!(noisy_time.icon, Icon::Inconclusive);
        let heap = compare(
            Metric::Heap,
            &[322.0; 3],
            &[338.1; 3],
            Design::Independent,
            &rules(),
        )
        .unwrap();
        let items = [labelled(&noisy_time), labelled(&heap)];
        assert!(verdict(&items, &[]).is_regression());
        assert!(matches!(
            verdict(&items[..1], &[]),
            Verdict::Inconclusive { .. }
        ));
    }

    #[test]
    fn heap_needs_no_interval_and_rss_is_information() {
        let heap = compare(
            Metric::Heap,
            &[100.0; 5],
            &[106.0; 5],
            Design::Independent,
            &rules(),
        )
        .unwrap();
        assert_eq!(heap.interval, None);
        assert_eq!(heap.icon, Icon::Regression);
        let rss = compare(
            Metric::Rss,
            &[100.0],
            &[200.0],
            Design::Independent,
            &rules(),
        )
        .unwrap();
        assert_eq!(rss.icon, Icon::Info);
        assert_eq!(rss.delta, 100.0);
    }

    #[test]
    fn deterministic_metrics_get_a_verdict_from_one_run_per_side() {
        // The issue's test: at a 1 % threshold, +1.5 % is flagged and +0.5 % is not, for
        // heap and instructions alike, from one run per side.
        let one_pct = Rules {
            heap_threshold_pct: 1.0,
            instructions_threshold_pct: 1.0,
            ..rules()
        };
        for metric in [Metric::Heap, Metric::Instructions] {
            let at = |head: f64| {
                compare(metric, &[1000.0], &[head], Design::Independent, &one_pct).unwrap()
            };
            assert_eq!(at(1015.0).icon, Icon::Regression, "{metric:?} +1.5%");
            assert_eq!(at(1005.0).icon, Icon::Unchanged, "{metric:?} +0.5%");
            assert_eq!(at(985.0).icon, Icon::Improvement, "{metric:?} -1.5%");
            assert_eq!(at(1015.0).interval, None);
        }
        // The default threshold is 0.5 %: the issue's +0.9 % heap growth is flagged.
        let heap = compare(
            Metric::Heap,
            &[322.0],
            &[322.0 * 1.009],
            Design::Independent,
            &rules(),
        )
        .unwrap();
        assert_eq!(heap.icon, Icon::Regression);
    }

    #[test]
    fn deterministic_metrics_report_what_did_not_repeat() {
        let heap = compare(
            Metric::Heap,
            &[100.0, 100.0],
            &[105.0, 110.0],
            Design::Independent,
            &rules(),
        )
        .unwrap();
        assert_eq!(heap.unrepeated, ["head"]);
        assert_eq!(heap.icon, Icon::Regression);
        // Instructions that repeat to 0.001 % are not a finding.
        let ir = compare(
            Metric::Instructions,
            &[18_708_091_221.0, 18_707_968_991.0],
            &[18_708_091_221.0],
            Design::Independent,
            &rules(),
        )
        .unwrap();
        assert!(ir.unrepeated.is_empty(), "{ir:?}");
        assert_eq!(ir.icon, Icon::Unchanged);
    }

    #[test]
    fn paired_comparisons_use_the_paired_log_ratios() {
        // Drift: each pair runs at a different speed, the head always 8 % slower.
        let base: Vec<f64> = (0..6).map(|i| 10.0 + i as f64 * 0.3).collect();
        let head: Vec<f64> = base.iter().map(|b| b * 1.08).collect();
        let c = compare(Metric::Time, &base, &head, Design::Paired, &rules()).unwrap();
        assert!((c.delta_pct - 8.0).abs() < 1e-9);
        assert_eq!(c.icon, Icon::Regression);
        // Pairs where the medians move one way and the paired ratios the other: the absolute
        // delta follows the paired estimate, so the two columns never disagree in sign.
        let b2 = [2.42, 1.97, 2.33, 2.67, 2.60, 2.54];
        let h2 = [2.23, 1.98, 2.40, 2.29, 2.70, 2.72];
        let c2 = compare(Metric::Time, &b2, &h2, Design::Paired, &rules()).unwrap();
        assert!(c2.head.median < c2.base.median);
        assert_eq!(c2.delta_pct.signum(), c2.delta.signum());
        assert!(matches!(
            compare(Metric::Time, &base, &head[..2], Design::Paired, &rules()),
            Err(VerdictError::Unpaired { .. })
        ));
    }

    #[test]
    fn a_family_widens_each_interval() {
        let base = [10.0, 10.4, 9.7, 10.2, 9.9];
        let head = [10.9, 11.3, 10.5, 11.0, 10.8];
        let alone = compare(Metric::Time, &base, &head, Design::Independent, &rules()).unwrap();
        let among = compare_in_family(
            Metric::Time,
            &base,
            &head,
            Design::Independent,
            &rules(),
            12,
        )
        .unwrap();
        let (a, b) = (alone.interval.unwrap(), among.interval.unwrap());
        assert!(b.low < a.low && b.high > a.high && b.family == 12);
    }

    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        let r = rules();
        assert!(matches!(
            compare(Metric::Time, &[], &[1.0], Design::Independent, &r),
            Err(VerdictError::Sample { side: "base", .. })
        ));
        assert!(matches!(
            compare(Metric::Time, &[1.0], &[f64::NAN], Design::Independent, &r),
            Err(VerdictError::Sample { side: "head", .. })
        ));
        assert!(matches!(
            compare(
                Metric::Time,
                &[1.0, 2.0],
                &[-1.0, 1.0],
                Design::Independent,
                &r
            ),
            Err(VerdictError::Time(_))
        ));
        assert!(matches!(
            compare(Metric::Heap, &[0.0], &[1.0], Design::Independent, &r),
            Err(VerdictError::NonPositiveBase { .. })
        ));
        let bad = Rules {
            threshold_pct: -1.0,
            ..r
        };
        assert!(matches!(
            compare(Metric::Heap, &[1.0], &[1.0], Design::Independent, &bad),
            Err(VerdictError::BadRule { .. })
        ));
    }

    #[test]
    fn verdict_rules() {
        let r = rules();
        let slow = time(&[10.0, 10.01, 9.99], &[11.0, 11.01, 10.99]);
        let fast = time(&[10.0, 10.01, 9.99], &[9.0, 9.01, 8.99]);
        let same = time(&[10.0, 10.01, 9.99], &[10.0, 10.01, 9.99]);
        let unsure = time(&[9.0, 10.0, 11.0], &[10.0, 10.5, 10.2]);
        let heap_up = compare(Metric::Heap, &[100.0], &[120.0], Design::Independent, &r).unwrap();
        let rss = compare(Metric::Rss, &[100.0], &[300.0], Design::Independent, &r).unwrap();
        let v = |items: &[&MetricComparison]| {
            let l: Vec<Labelled> = items.iter().map(|c| labelled(c)).collect();
            verdict(&l, &[])
        };
        let regression = v(&[&slow, &same]);
        assert_eq!(
            regression,
            Verdict::Regression {
                what: vec![Change {
                    metric: Metric::Time,
                    delta_pct: slow.delta_pct,
                    delta: slow.delta,
                    label: String::new(),
                }]
            }
        );
        assert_eq!(
            serde_json::to_string(&regression).unwrap(),
            r#"{"kind":"regression","what":["Prove time +10.0%"]}"#
        );
        assert!(matches!(v(&[&fast, &same]), Verdict::Improvement { .. }));
        assert_eq!(v(&[&same, &rss]), Verdict::NoChange);
        // An inconclusive time keeps an improvement from being called, never a regression.
        assert!(matches!(v(&[&fast, &unsure]), Verdict::Inconclusive { .. }));
        assert!(v(&[&heap_up, &unsure]).is_regression());
        let no_baseline = Unavailable::NoBaseline("fib · default".into());
        let missing = verdict(&[labelled(&same)], std::slice::from_ref(&no_baseline));
        assert_eq!(
            missing,
            Verdict::Withheld {
                why: vec![Withholding::Unavailable(no_baseline)]
            }
        );
        assert_eq!(
            serde_json::to_string(&missing).unwrap(),
            r#"{"kind":"withheld","why":["no baseline for fib · default"]}"#
        );
        assert_eq!(
            verdict(&[], &[]),
            Verdict::Withheld {
                why: vec![Withholding::NothingToCompare]
            }
        );
    }

    #[test]
    fn changes_and_reasons_read_as_phrases() {
        let c = Change {
            metric: Metric::Heap,
            delta_pct: -14.06,
            delta: -((47u64 << 20) as f64),
            label: "fib · leaf-drop".into(),
        };
        assert_eq!(c.to_string(), "Peak heap -14.1% (fib · leaf-drop)");
        assert_eq!(
            Unavailable::NoHeadRun("fib · default".into()).to_string(),
            "no successful head run of fib · default"
        );
        let u = Unsettled {
            label: "fib · default".into(),
            design: Design::Paired,
            interval: Interval {
                estimate: 1.031,
                low: 0.96,
                high: 1.108,
                confidence: 0.95,
                family: 1,
                p_value: 0.3,
                noise_pct: 11.5,
                df: 9.0,
                n: 10,
                drift: Vec::new(),
            },
            settle: Planned::Runs(47),
        };
        assert_eq!(
            u.to_string(),
            "prove time +3.1% (95% interval -4.0% to +10.8%; fib · default): about 47 pairs would settle it"
        );
        assert_eq!(
            planned_text(Planned::MoreThan(10_000), Design::Independent),
            "more than 10000 runs per side"
        );
    }

    #[test]
    fn percentages_print_without_trailing_zeros() {
        assert_eq!(trim_pct(5.0), "5");
        assert_eq!(trim_pct(2.5), "2.5");
        assert_eq!(trim_pct(0.25), "0.25");
    }
}
