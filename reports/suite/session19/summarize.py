#!/usr/bin/env python3
"""Session 19: per program at 8M, default and the combination's prove seconds with the new
binary (Round 2's spares) and the combination's with the old one (fab034f), one warm run
each (run8M.sh); ratios to default, geometric means over the programs with a 95 %
Student-t interval, the combination's mean seconds per phase, digests and heaps.

    python3 reports/suite/session19/summarize.py DIR"""
import json, math, os, sys

D = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '8M')
PROGRAMS = ['interpreter', 'json', 'regex', 'bigint_modexp', 'keccak_chain', 'ecdsa_verify',
            'hashmap', 'merkle_paths', 'quicksort', 'sha256_chain']
PHASES = ['main_commit', 'aux_commit', 'composition', 'out_of_domain', 'fri', 'queries']
T95 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306,
       9: 2.262, 10: 2.228}


def load(p, tag):
    fn = f'{D}/{p}-{tag}.json'
    if not os.path.exists(fn) or os.path.getsize(fn) == 0:
        return None
    return json.load(open(fn))


def mean_ci(logs):
    n = len(logs)
    m = sum(logs) / n
    if n < 2:
        return math.exp(m), float('nan'), float('nan')
    sd = math.sqrt(sum((x - m) ** 2 for x in logs) / (n - 1))
    h = T95[n - 1] * sd / math.sqrt(n)
    return math.exp(m), math.exp(m - h), math.exp(m + h)


def main():
    rows, new_r, old_r, gain = [], [], [], []
    phases = {'new': [], 'old': []}
    print('| program | default s | comb. new s (ratio) | comb. old s (ratio) | new/old | '
          'heap default / comb. | digests |')
    print('|---|--:|--:|--:|--:|--:|---|')
    for p in PROGRAMS:
        d, n, o = load(p, 'new-default'), load(p, 'new-comb'), load(p, 'fab034f-comb')
        if not (d and n and o):
            continue
        ds, ns, os_ = d['prove_seconds'], n['prove_seconds'], o['prove_seconds']
        new_r.append(math.log(ns / ds))
        old_r.append(math.log(os_ / ds))
        gain.append(math.log(ns / os_))
        phases['new'].append(n)
        phases['old'].append(o)
        same = d['proof_sha3'] == n['proof_sha3'] == o['proof_sha3']
        mib = lambda r: r['peak_heap_bytes'] / 2**20
        print(f'| {p}_8M | {ds:.1f} | {ns:.1f} ({ns / ds:.2f}x) | {os_:.1f} ({os_ / ds:.2f}x) '
              f'| {ns / os_:.3f} | {mib(d):,.1f} / {mib(n):,.1f} MiB ({mib(n) / mib(d):.3f}x) '
              f'| {"match" if same else "DIFFER"} |')
    if not new_r:
        return
    print()
    for name, xs in [('comb. new / default', new_r), ('comb. old / default', old_r),
                     ('comb. new / comb. old', gain)]:
        g, lo, hi = mean_ci(xs)
        print(f'{name}: geometric mean {g:.3f}x (95 % interval {lo:.3f}-{hi:.3f}x) over '
              f'{len(xs)} programs')
    print()
    print('| binary | ' + ' | '.join(PHASES) + ' | prove |')
    print('|---|' + '--:|' * (len(PHASES) + 1))
    for b in ['new', 'old']:
        rs = phases[b]
        cells = [sum(next(x['seconds'] for x in r['phases'] if x['name'] == ph) for r in rs)
                 / len(rs) for ph in PHASES]
        print(f'| {b} | ' + ' | '.join(f'{c:.1f}' for c in cells)
              + f' | {sum(r["prove_seconds"] for r in rs) / len(rs):.1f} |')


if __name__ == '__main__':
    main()
