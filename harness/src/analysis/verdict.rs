//! Verdict rules, pure: one metric's base and head samples in, its comparison out (medians,
//! delta, icon, significance, noise gate); many comparisons in, one verdict out.
//!
//! The rules, all explicit here and configurable through [`Rules`]:
//!
//! * **Threshold.** A metric whose head median is more than `threshold_pct` above the base
//!   median is beyond it upwards (🔴), more than `threshold_pct` below it downwards (🟢),
//!   otherwise ⚪. In paired (A/B) comparisons the change is the median of the paired ratios.
//! * **Noise gate.** When the base's or the head's spread, `(max - min) / median`, exceeds
//!   `noise_gate_pct`, the metric's icon is ❔ whatever the delta: the data cannot tell a
//!   change from noise. A side with one run has no observable spread; it is not gated, but
//!   the variance line says its variance is unknown.
//! * **Significance, for prove time only.** With at least [`MIN_RUNS`] runs per side (or
//!   [`MIN_PAIRS`] pairs), a 🔴 or 🟢 also needs a rank test at `p < ALPHA` (Mann-Whitney U
//!   for independent runs, Wilcoxon signed-rank for pairs) *and* a 95 % bootstrap interval of
//!   the ratio (of medians; of paired ratios' median) that excludes 1; otherwise the icon is
//!   ⚪ with a note "not significant". With fewer runs no test is made and the output says
//!   that the verdict rests on the threshold alone. Paired runs need 6 pairs because with 5
//!   the Wilcoxon test cannot reach `p < 0.05` at all (its exact minimum is 2/32 = 0.0625).
//! * **Deterministic metrics are judged as deterministic.** Peak heap is counted exactly
//!   (0.0 % spread run to run) and instruction counts under cachegrind repeat to about
//!   0.001 %, so a change of either is visible from one run per side. They have their own
//!   thresholds (`heap_threshold_pct`, `instructions_threshold_pct`, default
//!   [`DEFAULT_DETERMINISTIC_THRESHOLD_PCT`]); no noise gate and no significance test apply
//!   to them. A side whose runs of such a metric spread more than [`UNREPEATED_PCT`] did not
//!   repeat: that is a finding, reported with the comparison (`unrepeated`), not a gate.
//! * **Peak RSS is information.** It is shown, never judged ([`Icon::Info`]).
//! * **The verdict.** A regression in any judged metric that is not gated makes the verdict
//!   *Regression* (a real regression is reported even when another metric is noisy; the noise
//!   is then reported next to it). Otherwise a gated metric or a missing base withholds the
//!   verdict (a noisy metric could hide a regression); otherwise any improvement makes it
//!   *Improvement*; otherwise *No significant change*.
//!
//! [`runs_needed`] estimates how many runs (or pairs) an effect needs at the noise observed.

use std::fmt;

use serde::Serialize;
use thiserror::Error;

use crate::analysis::stats::{self, Bootstrap, RatioCi, Sample, StatsError};

/// Default relative threshold of prove time, percent.
pub const DEFAULT_THRESHOLD_PCT: f64 = 5.0;
/// Default relative threshold of the deterministic metrics (peak heap, instructions),
/// percent. They repeat exactly (heap) or to about 0.001 % (instructions), so the threshold
/// is not there to absorb noise: it decides which real changes are worth a 🔴. Half a
/// percent is 1.6 MiB of a 322 MiB peak and 180 M of 36 G instructions: small enough that
/// the issue's +0.9 % heap growth is flagged, large enough that allocator size-class and
/// capacity rounding in unrelated code is not.
pub const DEFAULT_DETERMINISTIC_THRESHOLD_PCT: f64 = 0.5;
/// Spread, percent, beyond which a deterministic metric's runs did not repeat.
pub const UNREPEATED_PCT: f64 = 0.01;
/// Default noise gate on a side's spread, percent.
pub const DEFAULT_NOISE_GATE_PCT: f64 = 3.0;
/// Runs per side from which prove-time verdicts need a significance test.
pub const MIN_RUNS: usize = 5;
/// Pairs from which a paired prove-time verdict needs a significance test (see the module
/// docs for why not 5).
pub const MIN_PAIRS: usize = 6;
/// Significance level of the rank tests (two-sided).
pub const ALPHA: f64 = 0.05;
/// Power aimed at by [`runs_needed`].
pub const POWER: f64 = 0.8;
/// `Φ⁻¹(1 - ALPHA / 2)`.
const Z_ALPHA: f64 = 1.959_963_985;
/// `Φ⁻¹(POWER)`.
const Z_POWER: f64 = 0.841_621_234;
/// Asymptotic relative efficiency of the rank tests against the t-test on normal data,
/// `3 / π` (Hodges & Lehmann, 1956): they need `π / 3` times the runs.
const RANK_ARE: f64 = 3.0 / std::f64::consts::PI;

/// The configurable rules.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Rules {
    /// Relative change of prove time, percent, beyond which it changed.
    pub threshold_pct: f64,
    /// Spread of prove time, percent, beyond which a side is too noisy for a verdict.
    pub noise_gate_pct: f64,
    /// Relative change of peak heap, percent, beyond which it changed.
    pub heap_threshold_pct: f64,
    /// Relative change of the instruction count, percent, beyond which it changed.
    pub instructions_threshold_pct: f64,
}

impl Default for Rules {
    fn default() -> Self {
        Self {
            threshold_pct: DEFAULT_THRESHOLD_PCT,
            noise_gate_pct: DEFAULT_NOISE_GATE_PCT,
            heap_threshold_pct: DEFAULT_DETERMINISTIC_THRESHOLD_PCT,
            instructions_threshold_pct: DEFAULT_DETERMINISTIC_THRESHOLD_PCT,
        }
    }
}

/// Why a comparison could not be made.
#[derive(Clone, Debug, PartialEq, Error)]
pub enum VerdictError {
    /// A threshold or gate that is negative or not finite.
    #[error("{name} must be a finite, non-negative percentage (got {value})")]
    BadRule {
        /// `threshold` or `noise gate`.
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
            ("noise gate", self.noise_gate_pct),
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

    /// Whether a verdict on it needs a significance test.
    pub fn needs_significance(self) -> bool {
        matches!(self, Metric::Time)
    }
}

/// How the two samples relate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Design {
    /// Separate runs (two results files).
    Independent,
    /// `base[i]` and `head[i]` ran side by side (A B B A).
    Paired,
}

impl Design {
    /// The runs (pairs) from which time verdicts need a test.
    pub fn min_runs(self) -> usize {
        match self {
            Design::Independent => MIN_RUNS,
            Design::Paired => MIN_PAIRS,
        }
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
}

impl SideStats {
    fn of(sample: &Sample) -> Self {
        let s = stats::summary(sample);
        Self {
            values: sample.values().to_vec(),
            median: s.median,
            spread_pct: s.spread_pct,
        }
    }

    /// Number of values.
    pub fn n(&self) -> usize {
        self.values.len()
    }
}

/// The result of the significance check of one metric.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Significance {
    /// The metric needs none (heap, RSS).
    NotNeeded,
    /// Too few runs for a test: the threshold alone decides.
    TooFewRuns {
        /// Runs (pairs) of the smaller side.
        runs: usize,
        /// Runs (pairs) a test needs.
        needed: usize,
    },
    /// A rank test and a bootstrap interval were made.
    Tested {
        /// `mann-whitney` or `wilcoxon`.
        test: &'static str,
        /// Its two-sided p-value.
        p_value: f64,
        /// The 95 % bootstrap interval of the ratio.
        ci: RatioCi,
        /// Whether `p < ALPHA` and the interval excludes 1.
        significant: bool,
    },
}

/// The icon of one metric.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Icon {
    /// 🔴 Beyond +threshold (and significant where needed).
    Regression,
    /// 🟢 Beyond -threshold (and significant where needed).
    Improvement,
    /// ⚪ Within the threshold, or not significant.
    Unchanged,
    /// ❔ A side's spread is above the noise gate.
    Noisy,
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
            Icon::Noisy => "❔",
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
    /// The relative change, percent: of the medians, or of the median paired ratio.
    pub delta_pct: f64,
    /// Whether the change crosses the threshold: +1 up, -1 down, 0 within.
    pub beyond: i8,
    /// The significance check.
    pub significance: Significance,
    /// The sides (`base`, `head`) whose spread is above the noise gate (prove time only).
    pub noisy: Vec<&'static str>,
    /// The sides whose runs of a deterministic metric did not repeat (spread above
    /// [`UNREPEATED_PCT`]): a finding, not a gate.
    pub unrepeated: Vec<&'static str>,
    /// The resulting icon.
    pub icon: Icon,
    /// The noise observed: standard deviation of the logs (pooled over both sides, or of the
    /// paired ratios) times 100, about a percentage; prove time with 2 or more runs a side.
    pub noise_pct: Option<f64>,
    /// Runs (pairs) needed to detect a threshold-sized change at that noise.
    pub runs_needed: Option<usize>,
}

/// Compares one metric's `base` and `head` samples under `rules`.
pub fn compare(
    metric: Metric,
    base: &[f64],
    head: &[f64],
    design: Design,
    rules: &Rules,
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
    let bootstrap = Bootstrap::default();
    let paired_ci =
        match design {
            Design::Paired => Some(bootstrap.median_of_paired_ratios(&bs, &hs).map_err(
                |source| VerdictError::Sample {
                    side: "base",
                    metric: metric.label(),
                    source,
                },
            )?),
            Design::Independent => None,
        };
    let ratio = paired_ci
        .as_ref()
        .map_or(h.median / b.median, |ci| ci.estimate);
    let delta_pct = (ratio - 1.0) * 100.0;
    let threshold = rules.threshold_of(metric);
    let beyond = if delta_pct > threshold {
        1
    } else if delta_pct < -threshold {
        -1
    } else {
        0
    };
    let min_n = b.n().min(h.n());
    let significance = if !metric.needs_significance() {
        Significance::NotNeeded
    } else if min_n < design.min_runs() {
        Significance::TooFewRuns {
            runs: min_n,
            needed: design.min_runs(),
        }
    } else {
        let (test, p_value, ci) = match paired_ci {
            Some(ci) => {
                let w = stats::wilcoxon(&bs, &hs).map_err(|source| VerdictError::Sample {
                    side: "head",
                    metric: metric.label(),
                    source,
                })?;
                ("wilcoxon", w.p_value, ci)
            }
            None => {
                let ci = bootstrap.ratio_of_medians(&bs, &hs).map_err(|source| {
                    VerdictError::Sample {
                        side: "base",
                        metric: metric.label(),
                        source,
                    }
                })?;
                ("mann-whitney", stats::mann_whitney(&bs, &hs).p_value, ci)
            }
        };
        let significant = p_value < ALPHA && ci.excludes_one();
        Significance::Tested {
            test,
            p_value,
            ci,
            significant,
        }
    };
    let sides_above = |pct: f64| -> Vec<&'static str> {
        [("base", &b), ("head", &h)]
            .into_iter()
            .filter(|(_, s)| s.spread_pct > pct)
            .map(|(name, _)| name)
            .collect()
    };
    let (noisy, unrepeated) = if metric.is_deterministic() {
        (Vec::new(), sides_above(UNREPEATED_PCT))
    } else {
        (sides_above(rules.noise_gate_pct), Vec::new())
    };
    let icon = if !metric.is_judged() {
        Icon::Info
    } else if !noisy.is_empty() {
        Icon::Noisy
    } else {
        let significant = match &significance {
            Significance::Tested { significant, .. } => *significant,
            Significance::NotNeeded | Significance::TooFewRuns { .. } => true,
        };
        match (beyond, significant) {
            (1, true) => Icon::Regression,
            (-1, true) => Icon::Improvement,
            _ => Icon::Unchanged,
        }
    };
    let noise_pct = if metric.needs_significance() && min_n >= 2 {
        match design {
            Design::Paired => log_sd(&ratios(&b.values, &h.values)),
            Design::Independent => pooled_log_sd(&b.values, &h.values),
        }
    } else {
        None
    };
    let runs_needed = runs_needed(threshold, noise_pct, design);
    Ok(MetricComparison {
        metric,
        design,
        delta: match design {
            Design::Paired => b.median * (ratio - 1.0),
            Design::Independent => h.median - b.median,
        },
        delta_pct,
        beyond,
        significance,
        noisy,
        unrepeated,
        icon,
        noise_pct,
        runs_needed,
        base: b,
        head: h,
    })
}

fn ratios(base: &[f64], head: &[f64]) -> Vec<f64> {
    base.iter().zip(head).map(|(b, h)| h / b).collect()
}

/// Sample standard deviation of `ln(v)`, times 100 (about a percentage); `None` when some
/// value is not positive or there are fewer than 2.
fn log_sd(values: &[f64]) -> Option<f64> {
    if values.len() < 2 || values.iter().any(|v| *v <= 0.0) {
        return None;
    }
    let logs: Vec<f64> = values.iter().map(|v| v.ln()).collect();
    Sample::new(logs).ok().map(|s| stats::std_dev(&s) * 100.0)
}

/// The pooled standard deviation of the two samples' logs, times 100.
fn pooled_log_sd(a: &[f64], b: &[f64]) -> Option<f64> {
    let (sa, sb) = (log_sd(a)?, log_sd(b)?);
    let (na, nb) = (a.len() as f64, b.len() as f64);
    Some((((na - 1.0) * sa * sa + (nb - 1.0) * sb * sb) / (na + nb - 2.0)).sqrt())
}

/// Runs per side (independent) or pairs (paired) needed to detect a change of `effect_pct`
/// with [`POWER`] at two-sided [`ALPHA`], when the noise (standard deviation of the logs,
/// times 100) is `noise_pct`: the normal-theory size `(z_α + z_β)² σ² / δ²` (times 2 for two
/// independent samples), divided by the rank tests' efficiency `3 / π`, and never below
/// [`Design::min_runs`]. `None` without a noise estimate or for a zero effect.
pub fn runs_needed(effect_pct: f64, noise_pct: Option<f64>, design: Design) -> Option<usize> {
    let sigma = noise_pct?;
    if !(effect_pct > 0.0 && sigma.is_finite() && effect_pct.is_finite()) {
        return None;
    }
    let delta = (1.0 + effect_pct / 100.0).ln() * 100.0;
    let k = match design {
        Design::Paired => 1.0,
        Design::Independent => 2.0,
    };
    let n = k * ((Z_ALPHA + Z_POWER) * sigma / delta).powi(2) / RANK_ARE;
    let n = if n.is_finite() { n.ceil() } else { 1e9 };
    Some((n.min(1e9) as usize).max(design.min_runs()))
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
    /// Something improved and nothing regressed or was too noisy.
    Improvement {
        /// What improved.
        what: Vec<Change>,
    },
    /// Nothing crossed the threshold (or nothing significantly).
    NoChange,
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
/// default`, `prove time spread 7.2% in base is above the 3% noise gate`.
#[derive(Clone, Debug, PartialEq)]
pub enum Withholding {
    /// An entry could not be compared.
    Unavailable(Unavailable),
    /// A judged metric's spread is above the noise gate.
    Noisy {
        /// The metric.
        metric: Metric,
        /// Where it comes from, or empty.
        label: String,
        /// The noisy sides (`base`, `head`) and their spreads, percent.
        sides: Vec<(&'static str, f64)>,
        /// The noise gate, percent.
        noise_gate_pct: f64,
    },
    /// There was no comparison at all.
    NothingToCompare,
}

impl Withholding {
    /// The noise of comparison `c`, labelled `label`, under `rules`.
    pub fn noisy(label: &str, c: &MetricComparison, rules: &Rules) -> Self {
        Withholding::Noisy {
            metric: c.metric,
            label: label.to_string(),
            sides: c
                .noisy
                .iter()
                .map(|&side| {
                    let s = if side == "base" { &c.base } else { &c.head };
                    (side, s.spread_pct)
                })
                .collect(),
            noise_gate_pct: rules.noise_gate_pct,
        }
    }
}

impl fmt::Display for Withholding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Withholding::Unavailable(u) => u.fmt(f),
            Withholding::Noisy {
                metric,
                label,
                sides,
                noise_gate_pct,
            } => {
                let sides: Vec<String> = sides
                    .iter()
                    .map(|(side, spread)| format!("{spread:.1}% in {side}"))
                    .collect();
                let at = if label.is_empty() {
                    String::new()
                } else {
                    format!(" ({label})")
                };
                write!(
                    f,
                    "{} spread {}{at} is above the {}% noise gate",
                    metric.label().to_lowercase(),
                    sides.join(" and "),
                    trim_pct(*noise_gate_pct)
                )
            }
            Withholding::NothingToCompare => f.write_str("nothing to compare"),
        }
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
serialize_as_text!(Change, Unavailable, Withholding);

/// The verdict over `items` (see the module docs); `unavailable` gives the reasons why some
/// comparisons could not be made at all (no baseline for an entry, no successful run).
pub fn verdict(items: &[Labelled<'_>], unavailable: &[Unavailable], rules: &Rules) -> Verdict {
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
    let mut why: Vec<Withholding> = unavailable
        .iter()
        .cloned()
        .map(Withholding::Unavailable)
        .collect();
    for i in judged().filter(|i| i.comparison.icon == Icon::Noisy) {
        why.push(Withholding::noisy(i.label, i.comparison, rules));
    }
    if !why.is_empty() {
        return Verdict::Withheld { why };
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
        let Significance::Tested {
            test,
            p_value,
            significant,
            ..
        } = &c.significance
        else {
            panic!("5 runs a side are tested: {:?}", c.significance);
        };
        assert_eq!(*test, "mann-whitney");
        assert!(*p_value < ALPHA && *significant);
        assert_eq!(c.icon, Icon::Regression);
        let faster: Vec<f64> = BASE5.iter().map(|v| v * 0.9).collect();
        assert_eq!(time(&BASE5, &faster).icon, Icon::Improvement);
    }

    #[test]
    fn a_change_within_the_threshold_is_unchanged() {
        let head: Vec<f64> = BASE5.iter().map(|v| v * 1.04).collect();
        let c = time(&BASE5, &head);
        assert_eq!((c.beyond, c.icon), (0, Icon::Unchanged));
    }

    #[test]
    fn beyond_the_threshold_but_not_significant_is_unchanged() {
        // Medians 10.0 and 10.6 (+6%), but the samples overlap: Mann-Whitney cannot tell.
        let base = [9.0, 10.0, 11.0, 10.0, 12.0, 8.9];
        let head = [10.6, 8.95, 12.1, 10.6, 9.1, 11.9];
        let loose = Rules {
            noise_gate_pct: 50.0,
            ..rules()
        };
        let c = compare(Metric::Time, &base, &head, Design::Independent, &loose).unwrap();
        assert_eq!(c.beyond, 1);
        let Significance::Tested {
            p_value,
            significant,
            ..
        } = c.significance
        else {
            panic!("tested");
        };
        assert!(p_value > ALPHA && !significant, "p = {p_value}");
        assert_eq!(c.icon, Icon::Unchanged);
    }

    #[test]
    fn few_runs_rest_on_the_threshold() {
        let c = time(&[10.0, 10.1], &[11.0, 11.1]);
        assert_eq!(
            c.significance,
            Significance::TooFewRuns { runs: 2, needed: 5 }
        );
        assert_eq!(c.icon, Icon::Regression);
        let one = time(&[10.0], &[9.0]);
        assert_eq!(one.icon, Icon::Improvement);
        assert_eq!(one.runs_needed, None);
    }

    #[test]
    fn the_noise_gate_turns_icons_into_question_marks() {
        // Base spread (11 - 9.5) / 10 = 15%.
        let c = time(&[9.5, 10.0, 11.0], &[12.0, 12.0, 12.1]);
        assert_eq!(c.noisy, vec!["base"]);
        assert_eq!(c.icon, Icon::Noisy);
        let reason = Withholding::noisy("", &c, &rules());
        assert_eq!(
            reason.to_string(),
            "prove time spread 15.0% in base is above the 3% noise gate"
        );
        // Below the gate: not noisy.
        let at = time(&[98.0, 100.0, 100.0], &[100.0, 100.0, 100.0]);
        assert!(at.noisy.is_empty());
    }

    #[test]
    fn heap_needs_no_test_and_rss_is_information() {
        let heap = compare(
            Metric::Heap,
            &[100.0; 5],
            &[106.0; 5],
            Design::Independent,
            &rules(),
        )
        .unwrap();
        assert_eq!(heap.significance, Significance::NotNeeded);
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
            assert_eq!(at(1015.0).significance, Significance::NotNeeded);
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
    fn deterministic_metrics_are_never_gated_and_report_what_did_not_repeat() {
        // A heap spread far above the time gate does not withhold the heap verdict; it is
        // reported as runs that did not repeat.
        let heap = compare(
            Metric::Heap,
            &[100.0, 100.0],
            &[105.0, 110.0],
            Design::Independent,
            &rules(),
        )
        .unwrap();
        assert!(heap.noisy.is_empty());
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
        // The issue's case: +5 % heap measured exactly while time is too noisy to judge.
        let noisy_time = compare(
            Metric::Time,
            &[2.0, 2.8, 2.3],
            &[2.1, 2.9, 2.2],
            Design::Independent,
            &rules(),
        )
        .unwrap();
        assert_eq!(noisy_time.icon, Icon::Noisy);
        let heap = compare(
            Metric::Heap,
            &[322.0; 3],
            &[338.1; 3],
            Design::Independent,
            &rules(),
        )
        .unwrap();
        let items = [
            Labelled {
                label: "",
                comparison: &noisy_time,
            },
            Labelled {
                label: "",
                comparison: &heap,
            },
        ];
        assert!(verdict(&items, &[], &rules()).is_regression());
    }

    #[test]
    fn paired_comparisons_use_wilcoxon_and_the_paired_ratio() {
        // Drift: each pair runs at a different speed, the head always 8% slower.
        let base: Vec<f64> = (0..6).map(|i| 10.0 + i as f64 * 0.3).collect();
        let head: Vec<f64> = base.iter().map(|b| b * 1.08).collect();
        let loose = Rules {
            noise_gate_pct: 100.0,
            ..rules()
        };
        let c = compare(Metric::Time, &base, &head, Design::Paired, &loose).unwrap();
        assert!((c.delta_pct - 8.0).abs() < 1e-9);
        let Significance::Tested {
            test, significant, ..
        } = &c.significance
        else {
            panic!("6 pairs are tested");
        };
        assert_eq!(*test, "wilcoxon");
        assert!(*significant);
        assert_eq!(c.icon, Icon::Regression);
        // Pairs where the medians move one way and the paired ratios the other: the absolute
        // delta follows the paired estimate, so the two columns never disagree in sign.
        let b2 = [2.42, 1.97, 2.33, 2.67, 2.60, 2.54];
        let h2 = [2.23, 1.98, 2.40, 2.29, 2.70, 2.72];
        let c2 = compare(Metric::Time, &b2, &h2, Design::Paired, &loose).unwrap();
        assert!(c2.head.median < c2.base.median);
        assert!(c2.delta_pct > 0.0, "{}", c2.delta_pct);
        assert!(c2.delta > 0.0, "{}", c2.delta);
        // Five pairs are too few: the Wilcoxon test could not reach 0.05.
        let five = compare(Metric::Time, &base[..5], &head[..5], Design::Paired, &loose).unwrap();
        assert_eq!(
            five.significance,
            Significance::TooFewRuns { runs: 5, needed: 6 }
        );
        assert!(matches!(
            compare(Metric::Time, &base, &head[..2], Design::Paired, &loose),
            Err(VerdictError::Unpaired { .. })
        ));
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

    fn labelled(c: &MetricComparison) -> Labelled<'_> {
        Labelled {
            label: "",
            comparison: c,
        }
    }

    #[test]
    fn verdict_rules() {
        let r = rules();
        let slow = time(&[10.0, 10.0], &[11.0, 11.0]);
        let fast = time(&[10.0, 10.1], &[9.0, 9.1]);
        let same = time(&[10.0, 10.1], &[10.0, 10.1]);
        let noisy = time(&[9.0, 10.0, 11.0], &[10.0, 10.0, 10.0]);
        let heap_up = compare(Metric::Heap, &[100.0], &[120.0], Design::Independent, &r).unwrap();
        let rss = compare(Metric::Rss, &[100.0], &[300.0], Design::Independent, &r).unwrap();
        let v = |items: &[&MetricComparison]| {
            let l: Vec<Labelled> = items.iter().map(|c| labelled(c)).collect();
            verdict(&l, &[], &r)
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
        // Noise withholds an improvement, never a real regression elsewhere.
        let Verdict::Withheld { why } = v(&[&fast, &noisy]) else {
            panic!("noise withholds the verdict");
        };
        assert_eq!(
            why[0].to_string(),
            "prove time spread 20.0% in base is above the 3% noise gate"
        );
        assert!(v(&[&heap_up, &noisy]).is_regression());
        let no_baseline = Unavailable::NoBaseline("fib · default".into());
        let missing = verdict(&[labelled(&same)], std::slice::from_ref(&no_baseline), &r);
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
            verdict(&[], &[], &r),
            Verdict::Withheld {
                why: vec![Withholding::NothingToCompare]
            }
        );
    }

    #[test]
    fn runs_needed_grows_with_noise_and_shrinks_with_the_effect() {
        // Paired, sigma 5%, effect 5% (ln 1.05 = 4.879%): (2.8016 * 5 / 4.879)^2 / 0.9549
        // = 8.62 -> 9.
        assert_eq!(runs_needed(5.0, Some(5.0), Design::Paired), Some(9));
        // Twice that (+ rounding) for independent samples.
        assert_eq!(runs_needed(5.0, Some(5.0), Design::Independent), Some(18));
        // Little noise: the floor of the design.
        assert_eq!(runs_needed(5.0, Some(0.1), Design::Paired), Some(MIN_PAIRS));
        assert_eq!(
            runs_needed(5.0, Some(0.1), Design::Independent),
            Some(MIN_RUNS)
        );
        assert!(
            runs_needed(1.0, Some(5.0), Design::Paired)
                > runs_needed(5.0, Some(5.0), Design::Paired)
        );
        assert_eq!(runs_needed(5.0, None, Design::Paired), None);
        assert_eq!(runs_needed(0.0, Some(1.0), Design::Paired), None);
    }

    #[test]
    fn hard_coded_quantiles_match_the_normal_cdf() {
        assert!((stats::normal_cdf(Z_ALPHA) - (1.0 - ALPHA / 2.0)).abs() < 1e-7);
        assert!((stats::normal_cdf(Z_POWER) - POWER).abs() < 1e-7);
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
        let noisy = Withholding::Noisy {
            metric: Metric::Time,
            label: "fib · default".into(),
            sides: vec![("base", 7.24), ("head", 4.0)],
            noise_gate_pct: 2.5,
        };
        assert_eq!(
            noisy.to_string(),
            "prove time spread 7.2% in base and 4.0% in head (fib · default) is above the 2.5% noise gate"
        );
    }

    #[test]
    fn percentages_print_without_trailing_zeros() {
        assert_eq!(trim_pct(5.0), "5");
        assert_eq!(trim_pct(2.5), "2.5");
        assert_eq!(trim_pct(0.25), "0.25");
    }
}
