#!/usr/bin/env python3
"""Session 17: the combination's mean seconds per phase, before and after, over every
program's runs in the campaign folder (D=folder), and its Round 2 (composition) phase peak
against the prove's peak: where this session's prover changes show.

    D=reports/suite/session17 python3 reports/suite/session17/phases.py"""
import json, os

C = 'stream-lde+leaf-drop+trace-retire'
D = os.environ.get('D', 'reports/suite/session17')
PROGRAMS = ['interpreter', 'quicksort', 'json', 'regex', 'hashmap', 'sha256_chain',
            'keccak_chain', 'bigint_modexp', 'merkle_paths']
PHASES = ['main_commit', 'aux_commit', 'composition', 'out_of_domain', 'fri', 'queries']


def runs(binary, mode):
    out = []
    for p in PROGRAMS:
        fn = f'{D}/pairs-{binary}-{p}_1M.json'
        if os.path.exists(fn):
            f = json.load(open(fn))
            out += [(p, r) for e in f['entries'] if e['mode'] == mode for r in e['runs']]
    return out


def main():
    for mode in ['default', C]:
        print(f'{mode}: mean seconds per phase over all programs\' runs')
        print('| binary | runs | ' + ' | '.join(PHASES) + ' | prove |')
        print('|---|--:|' + '--:|' * (len(PHASES) + 1))
        for b in ['before', 'after']:
            rs = [r for _, r in runs(b, mode)]
            if not rs:
                continue
            mean = lambda xs: sum(xs) / len(xs)
            cells = [mean([next(p['seconds'] for p in r['phases'] if p['name'] == ph)
                           for r in rs]) for ph in PHASES]
            print(f'| {b} | {len(rs)} | ' + ' | '.join(f'{c:.2f}' for c in cells)
                  + f' | {mean([r["prove_seconds"] for r in rs]):.2f} |')
        print()
    print('The combination\'s composition-phase peak against its prove peak (MiB, after):')
    seen = {}
    for p, r in runs('after', C):
        comp = next(x['peak_heap_bytes'] for x in r['phases'] if x['name'] == 'composition')
        seen.setdefault(p, (comp / 2**20, r['peak_heap_bytes'] / 2**20))
    for p, (c, t) in seen.items():
        print(f'  {p}_1M: composition {c:.1f}, prove {t:.1f}')


if __name__ == '__main__':
    main()
