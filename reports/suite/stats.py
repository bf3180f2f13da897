"""Statistics for the campaign summaries under reports/suite (from session 21 on; the
scripts of sessions 18-20 keep their own copies, as they were run): geometric means of
ratios with a two-sided 95 % Student-t interval on their logarithms."""
import math

# Two-sided 95 % Student-t quantiles by degrees of freedom.
T95 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306,
       9: 2.262, 10: 2.228, 11: 2.201, 12: 2.179, 13: 2.160, 14: 2.145, 15: 2.131,
       16: 2.120, 17: 2.110, 18: 2.101, 19: 2.093, 20: 2.086, 25: 2.060, 30: 2.042}


def t95(df):
    """The quantile for `df` degrees of freedom (the nearest tabulated below it)."""
    return T95.get(df) or T95[max(k for k in T95 if k <= df)]


def geo_mean_ci(ratios):
    """(geometric mean, low, high) of positive `ratios`; the interval is NaN for one."""
    logs = [math.log(r) for r in ratios]
    n = len(logs)
    m = sum(logs) / n
    if n < 2:
        return math.exp(m), float('nan'), float('nan')
    sd = math.sqrt(sum((x - m) ** 2 for x in logs) / (n - 1))
    h = t95(n - 1) * sd / math.sqrt(n)
    return math.exp(m), math.exp(m - h), math.exp(m + h)


if __name__ == '__main__':
    # Self-check: equal ratios have a zero-width interval; the mean of 1/2 and 2 is 1.
    g, lo, hi = geo_mean_ci([1.3, 1.3, 1.3])
    assert abs(g - 1.3) < 1e-12 and abs(lo - 1.3) < 1e-12 and abs(hi - 1.3) < 1e-12
    assert abs(geo_mean_ci([0.5, 2.0])[0] - 1.0) < 1e-12
    assert math.isnan(geo_mean_ci([1.1])[1])
    print('ok')
