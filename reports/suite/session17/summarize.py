#!/usr/bin/env python3
"""Session 17 campaign summary (D=folder, default reports/suite/session17): per program and
binary, heap and median times of default and the combination, and the combination's paired
time ratio with its 95 % interval (the paired design of harness::analysis::time_rule: mean
of ln(comb_k / default_k) over interleaved rounds k, Student t with n-1 df), the number of
pairs, and the proofs' digests. Unlike session 14's script, any number of rounds. Given files instead, one row per file (the 8M pairs).

    D=reports/suite/session17 python3 reports/suite/session17/summarize.py
    python3 reports/suite/session17/summarize.py reports/suite/session17/pairs-8M-*.json"""
import json, math, os, sys

# Two-sided 95 % Student t quantiles by degrees of freedom.
T = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306,
     9: 2.262, 10: 2.228, 11: 2.201, 12: 2.179, 13: 2.160, 14: 2.145, 15: 2.131}
C = 'stream-lde+leaf-drop+trace-retire'
D = os.environ.get('D', 'reports/suite/session17')
PROGRAMS = ['interpreter', 'quicksort', 'json', 'regex', 'hashmap', 'sha256_chain',
            'keccak_chain', 'bigint_modexp', 'merkle_paths']


def entry(f, mode):
    return next((e for e in f['entries'] if e['mode'] == mode), None)


def paired(d, c):
    """Estimate and 95 % interval of the ratio, and the number of pairs."""
    rd = sorted(d['runs'], key=lambda r: r.get('sequence') or 0)
    rc = sorted(c['runs'], key=lambda r: r.get('sequence') or 0)
    logs = [math.log(b['prove_seconds'] / a['prove_seconds']) for a, b in zip(rd, rc)]
    n = len(logs)
    m = sum(logs) / n
    if n < 2:
        return math.exp(m), None, None, n
    sd = math.sqrt(sum((x - m) ** 2 for x in logs) / (n - 1))
    h = T[n - 1] * sd / math.sqrt(n)
    return math.exp(m), math.exp(m - h), math.exp(m + h), n


def med(e, k):
    v = sorted(r[k] for r in e['runs'])
    return v[len(v) // 2]


def row(fixture, binary, f):
    d, c = entry(f, 'default'), entry(f, C)
    if not d or not c or not d['runs'] or not c['runs']:
        return None
    hd = med(d, 'peak_heap_bytes') / 2**20
    hc = med(c, 'peak_heap_bytes') / 2**20
    est, lo, hi, n = paired(d, c)
    iv = f'{est:.2f}x ({lo:.2f}-{hi:.2f})' if lo else f'{est:.2f}x'
    dig = {r['proof_sha3'][:8] for r in d['runs'] + c['runs']}
    return (f'| {fixture} | {binary} | {hd:,.1f} MiB | {hc:,.1f} MiB | {hc / hd:.{3 if hc < 0.1 * hd else 2}f}x '
            f'| {med(d, "prove_seconds"):.2f} | {med(c, "prove_seconds"):.2f} | {iv} '
            f'| {n} | {",".join(sorted(dig))} |')


def main():
    print('| program | binary | default heap | comb. heap | heap ratio | default s (median) '
          '| comb. s (median) | comb./default time (95 % interval) | pairs | digest |')
    print('|---|---|--:|--:|--:|--:|--:|--:|--:|---|')
    if len(sys.argv) > 1:
        for fn in sys.argv[1:]:
            f = json.load(open(fn))
            print(row(f['entries'][0]['fixture'], 'after', f))
        return
    for p in PROGRAMS:
        for b in ['before', 'after']:
            fn = f'{D}/pairs-{b}-{p}_1M.json'
            if os.path.exists(fn):
                r = row(f'{p}_1M', b, json.load(open(fn)))
                if r:
                    print(r)


if __name__ == '__main__':
    main()
