"""Summarizes one of session 22's 8M campaigns: `summarize.py 8M D` for run8M.sh (default, D,
against the combination with a 4 GiB memory budget, K: D K K D per program), `summarize.py
8M-CK C` for runCK.sh (the combination without a budget, C, against K: C K K C). Pairs: (run
1, run 2) and (run 4, run 3). Prints per program the times, the two K / base ratios, the
heaps and the digests, then the geometric means with 95 % intervals (over the pairs, and
with programs as the unit)."""
import collections
import glob
import json
import math
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..'))
import stats  # noqa: E402

DIR = os.path.join(os.path.dirname(__file__), sys.argv[1] if len(sys.argv) > 1 else '8M')
BASE = sys.argv[2] if len(sys.argv) > 2 else 'D'
runs = collections.defaultdict(dict)
for path in sorted(glob.glob(os.path.join(DIR, '*_8M-*-*.json'))):
    name = os.path.basename(path)[:-5]
    fixture, n, side = name.rsplit('-', 2)
    try:
        runs[fixture][int(n)] = (side, json.load(open(path)))
    except json.JSONDecodeError:
        print(f'{name}: no record (see {name}.err)')

MIB = 1 << 20
pair_ratios, program_means = [], []
phase_sums = collections.defaultdict(lambda: collections.defaultdict(float))
phase_counts = collections.Counter()
print(f'| program | {BASE} s | K (comb. 4 GiB) s | ratios K / {BASE} | geo. mean | heap {BASE} / K (ratio) | digests |')
print('|---|--:|--:|--:|--:|--:|---|')
for fixture, by_n in runs.items():
    if sorted(by_n) != [1, 2, 3, 4]:
        print(f'{fixture}: incomplete ({sorted(by_n)})')
        continue
    rec = {n: r for n, (_, r) in by_n.items()}
    assert [by_n[n][0] for n in (1, 2, 3, 4)] == [BASE, 'K', 'K', BASE]
    t = {n: rec[n]['prove_seconds'] for n in rec}
    ratios = [t[2] / t[1], t[3] / t[4]]
    pair_ratios += ratios
    g = math.exp(sum(map(math.log, ratios)) / 2)
    program_means.append(g)
    hd = max(rec[1]['peak_heap_bytes'], rec[4]['peak_heap_bytes'])
    hk = max(rec[2]['peak_heap_bytes'], rec[3]['peak_heap_bytes'])
    digests = {rec[n]['proof_sha3'][:8] for n in rec}
    for n in rec:
        side = by_n[n][0]
        phase_counts[side] += 1
        for p in rec[n]['phases']:
            phase_sums[side][p['name']] += p['seconds']
        phase_sums[side]['prove'] += rec[n]['prove_seconds']
    print(f'| {fixture} | {t[1]:.1f}, {t[4]:.1f} | {t[2]:.1f}, {t[3]:.1f} | '
          f'{ratios[0]:.2f}x, {ratios[1]:.2f}x | {g:.3f}x | '
          f'{hd / MIB:,.1f} / {hk / MIB:,.1f} MiB ({hk / hd:.3f}x) | '
          f'{"one: " + digests.pop() if len(digests) == 1 else "DIFFER: " + str(digests)} |')

if pair_ratios:
    g, lo, hi = stats.geo_mean_ci(pair_ratios)
    print(f'\nover {len(pair_ratios)} pairs: {g:.3f}x (95 % interval {lo:.3f}-{hi:.3f}x)')
    g, lo, hi = stats.geo_mean_ci(program_means)
    print(f'programs as the unit ({len(program_means)}): {g:.3f}x ({lo:.3f}-{hi:.3f}x)')
    first = [r for i, r in enumerate(pair_ratios) if i % 2 == 0]
    second = [r for i, r in enumerate(pair_ratios) if i % 2 == 1]
    print(f'pair 1 (K after {BASE}): {stats.geo_mean_ci(first)[0]:.3f}x; '
          f'pair 2 (K after K): {stats.geo_mean_ci(second)[0]:.3f}x')
    print(f'programs above 1.30x: {sum(m > 1.30 for m in program_means)} of {len(program_means)}')
    for side in (BASE, 'K'):
        n = phase_counts[side]
        print(side, 'mean seconds:', ', '.join(f'{k} {v / n:.1f}' for k, v in phase_sums[side].items()))
