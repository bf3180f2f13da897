#!/usr/bin/env python3
"""Session 20: per program at 8M, two interleaved pairs (A B B A) of default and the
combination (run8M.sh): each pair's ratio, the program's geometric mean with session 19's
single pair beside it, then over every pair of every program a geometric mean with a 95 %
Student-t interval (pairs as the unit), the mean seconds per phase, digests and heaps.

    python3 reports/suite/session20/summarize.py [DIR [SESSION19_DIR]]"""
import json, math, os, sys

HERE = os.path.dirname(os.path.abspath(__file__))
D = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, '8M')
S19 = sys.argv[2] if len(sys.argv) > 2 else os.path.join(HERE, '..', 'session19', '8M')
PROGRAMS = ['interpreter', 'merkle_paths', 'bigint_modexp', 'json', 'keccak_chain',
            'sha256_chain', 'regex', 'hashmap', 'quicksort', 'ecdsa_verify']
PHASES = ['main_commit', 'aux_commit', 'composition', 'out_of_domain', 'fri', 'queries']
# Two-sided 95 % Student-t quantiles by degrees of freedom.
T95 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306,
       9: 2.262, 10: 2.228, 11: 2.201, 12: 2.179, 13: 2.160, 14: 2.145, 15: 2.131,
       16: 2.120, 17: 2.110, 18: 2.101, 19: 2.093, 20: 2.086, 25: 2.060, 30: 2.042}


def load(d, name):
    fn = os.path.join(d, name + '.json')
    if not os.path.exists(fn) or os.path.getsize(fn) == 0:
        return None
    return json.load(open(fn))


def t95(df):
    return T95.get(df) or T95[max(k for k in T95 if k <= df)]


def mean_ci(logs):
    n = len(logs)
    m = sum(logs) / n
    if n < 2:
        return math.exp(m), float('nan'), float('nan')
    sd = math.sqrt(sum((x - m) ** 2 for x in logs) / (n - 1))
    h = t95(n - 1) * sd / math.sqrt(n)
    return math.exp(m), math.exp(m - h), math.exp(m + h)


def main():
    pairs, combs, digests_ok = [], [], True
    print('| program | pair 1 default / comb. s | pair 2 comb. / default s | ratios | '
          'geo. mean | session 19 | heap default / comb. |')
    print('|---|--:|--:|--:|--:|--:|--:|')
    for p in PROGRAMS:
        runs = {t: load(D, f'{p}-{t}') for t in ['default-1', 'comb-1', 'comb-2', 'default-2']}
        got = [(runs[f'default-{i}'], runs[f'comb-{i}']) for i in (1, 2)
               if runs[f'default-{i}'] and runs[f'comb-{i}']]
        if not got:
            continue
        ratios = [c['prove_seconds'] / d['prove_seconds'] for d, c in got]
        pairs += [math.log(r) for r in ratios]
        combs += [c for _, c in got]
        sha = {r['proof_sha3'] for r in runs.values() if r}
        digests_ok &= len(sha) == 1
        old_d, old_c = load(S19, f'{p}-new-default'), load(S19, f'{p}-new-comb')
        old = f'{old_c["prove_seconds"] / old_d["prove_seconds"]:.2f}x' if old_d and old_c else '-'
        cells = [f'{d["prove_seconds"]:.1f} / {c["prove_seconds"]:.1f}' for d, c in got]
        cells += ['-'] * (2 - len(cells))
        g = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
        mib = lambda r: r['peak_heap_bytes'] / 2**20
        d0, c0 = got[0]
        print(f'| {p}_8M | {cells[0]} | {cells[1]} | '
              + ', '.join(f'{r:.2f}x' for r in ratios)
              + f' | {g:.2f}x | {old} | {mib(d0):,.1f} / {mib(c0):,.1f} MiB '
              f'({mib(c0) / mib(d0):.3f}x) |')
    if not pairs:
        return
    g, lo, hi = mean_ci(pairs)
    print()
    print(f'comb. / default over {len(pairs)} pairs: geometric mean {g:.3f}x '
          f'(95 % interval {lo:.3f}-{hi:.3f}x); digests {"match" if digests_ok else "DIFFER"} '
          'within every program')
    print()
    print('| mode | ' + ' | '.join(PHASES) + ' | prove |')
    print('|---|' + '--:|' * (len(PHASES) + 1))
    cells = [sum(next(x['seconds'] for x in r['phases'] if x['name'] == ph) for r in combs)
             / len(combs) for ph in PHASES]
    print('| comb. | ' + ' | '.join(f'{c:.1f}' for c in cells)
          + f' | {sum(r["prove_seconds"] for r in combs) / len(combs):.1f} |')


if __name__ == '__main__':
    main()
