//! Numbers in human units, one formatter each: bytes in MiB with one decimal (signed or not),
//! seconds with three significant figures, ratios, percentages, slopes in MB per million
//! cycles, grouped digits. A missing value prints as `-`.

/// Bytes per MiB.
const MIB: f64 = (1u64 << 20) as f64;

/// A byte count in MiB with one decimal: `3.0 MiB`.
pub fn mib_of(bytes: f64) -> String {
    format!("{:.1} MiB", bytes / MIB)
}

/// Bytes in MiB with one decimal; `-` without a value.
pub fn mib(bytes: Option<u64>) -> String {
    bytes.map_or("-".into(), |b| mib_of(b as f64))
}

/// Seconds with three significant figures (at least millisecond precision).
pub fn seconds(s: Option<f64>) -> String {
    match s {
        None => "-".into(),
        Some(s) if s >= 100.0 => format!("{s:.0} s"),
        Some(s) if s >= 10.0 => format!("{s:.1} s"),
        Some(s) if s >= 1.0 => format!("{s:.2} s"),
        Some(s) => format!("{s:.3} s"),
    }
}

/// A ratio as `0.42x`.
pub fn ratio(r: Option<f64>) -> String {
    r.map_or("-".into(), |r| format!("{r:.2}x"))
}

/// A percentage with one decimal.
pub fn pct(p: Option<f64>) -> String {
    p.map_or("-".into(), |p| format!("{p:.1}%"))
}

/// `sign + magnitude`, the sign left out when the printed magnitude is zero.
pub fn with_sign(d: f64, magnitude: String) -> String {
    let zero = !magnitude.chars().any(|c| c.is_ascii_digit() && c != '0');
    match (zero, d < 0.0) {
        (true, _) => magnitude,
        (false, true) => format!("-{magnitude}"),
        (false, false) => format!("+{magnitude}"),
    }
}

/// `+14.1%`; `0.0%` when it rounds to zero.
pub fn signed_pct(p: f64) -> String {
    with_sign(p, format!("{:.1}%", p.abs()))
}

/// Bytes per million cycles as `MB/Mcycle` (10^6 bytes).
pub fn mb_per_mcycle(bytes_per_mcycle: f64) -> String {
    format!("{:.2} MB/Mcycle", bytes_per_mcycle / 1e6)
}

/// `8000010` -> `8,000,010`.
pub fn group_digits(n: u64) -> String {
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
    use super::*;

    #[test]
    fn units() {
        assert_eq!(mib(Some(3 << 20)), "3.0 MiB");
        assert_eq!(mib(None), "-");
        assert_eq!(mib_of(-1.5 * MIB), "-1.5 MiB");
        assert_eq!(seconds(Some(0.01234)), "0.012 s");
        assert_eq!(seconds(Some(46.62)), "46.6 s");
        assert_eq!(seconds(Some(225.4)), "225 s");
        assert_eq!(ratio(Some(0.4449)), "0.44x");
        assert_eq!(pct(None), "-");
        assert_eq!(signed_pct(-0.94), "-0.9%");
        assert_eq!(signed_pct(0.0), "0.0%");
        assert_eq!(mb_per_mcycle(100e6), "100.00 MB/Mcycle");
    }

    #[test]
    fn digits_are_grouped_in_threes() {
        assert_eq!(group_digits(0), "0");
        assert_eq!(group_digits(999), "999");
        assert_eq!(group_digits(1000), "1,000");
        assert_eq!(group_digits(8_000_010), "8,000,010");
    }
}
