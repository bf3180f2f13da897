#!/usr/bin/env python3
"""Session 14 and 15 campaign summary (D=folder, default session14): per program, before/after, default and combination
medians, heap, and the combination's paired time ratio with its 95 % interval (the
paired design of harness::analysis::time_rule: mean of ln(comb_k / default_k) over
rounds k, Student t with n-1 df)."""
import json, math, sys, os
T = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571}
C = 'stream-lde+leaf-drop+trace-retire'
D = os.environ.get('D', 'reports/suite/session14')  # a folder of pairs-{before,after}-P_1M.json
def entry(f, mode):
    for e in f['entries']:
        if e['mode'] == mode:
            return e
def paired(d, c):
    rd = sorted(d['runs'], key=lambda r: r.get('sequence') or 0)
    rc = sorted(c['runs'], key=lambda r: r.get('sequence') or 0)
    logs = [math.log(b['prove_seconds'] / a['prove_seconds']) for a, b in zip(rd, rc)]
    n = len(logs); m = sum(logs) / n
    if n < 2: return math.exp(m), None, None
    sd = math.sqrt(sum((x - m) ** 2 for x in logs) / (n - 1))
    h = T[n - 1] * sd / math.sqrt(n)
    return math.exp(m), math.exp(m - h), math.exp(m + h)
def med(e, k):
    v = sorted(r[k] for r in e['runs']); return v[len(v) // 2]
progs = ['interpreter','quicksort','json','regex','hashmap','sha256_chain','keccak_chain','bigint_modexp','merkle_paths']
print('| program | binary | default heap | comb. heap | heap ratio | default s (median) | comb. s (median) | comb./default time, 3 pairs (95 % interval) | digest |')
print('|---|---|--:|--:|--:|--:|--:|--:|---|')
for p in progs:
    for b in ['before', 'after']:
        fn = f'{D}/pairs-{b}-{p}_1M.json'
        if not os.path.exists(fn): continue
        f = json.load(open(fn)); d = entry(f, 'default'); c = entry(f, C)
        if not d or not c or not d['runs'] or not c['runs']: continue
        hd, hc = med(d, 'peak_heap_bytes') / 2**20, med(c, 'peak_heap_bytes') / 2**20
        est, lo, hi = paired(d, c)
        iv = f'{est:.2f}x ({lo:.2f}-{hi:.2f})' if lo else f'{est:.2f}x'
        dig = {r['proof_sha3'][:8] for r in d['runs'] + c['runs']}
        print(f'| {p}_1M | {b} | {hd:,.1f} MiB | {hc:,.1f} MiB | {hc/hd:.2f}x | {med(d,"prove_seconds"):.2f} | {med(c,"prove_seconds"):.2f} | {iv} | {",".join(sorted(dig))} |')
