#!/usr/bin/env python3
"""Session 19, `interpreter_1M` in the combination, four rounds of three binaries in turn
(run.sh, each run after `touch 4`): fab034f (before), new (Round 2's spares, 9bdeaaa), new2
(an experiment, not committed: the same with the CPU fetch into a buffer without the
huge-page advice, as fab034f's was). Mean and spread of the prove and of Phases C and 2.

    python3 reports/suite/session19/1M-ab/summarize.py"""
import glob, json, os

D = os.path.dirname(os.path.abspath(__file__))
for b in ['fab034f', 'new', 'new2']:
    rs = [json.load(open(f)) for f in sorted(glob.glob(f'{D}/{b}-*.json'))]
    ph = lambda r, n: next(p['seconds'] for p in r['phases'] if p['name'] == n)
    cols = {'prove': [r['prove_seconds'] for r in rs],
            'aux_commit': [ph(r, 'aux_commit') for r in rs],
            'composition': [ph(r, 'composition') for r in rs]}
    print(f'{b:8} ' + '  '.join(f'{k} {sum(v) / len(v):.2f} s ({min(v):.2f}-{max(v):.2f})'
                                 for k, v in cols.items())
          + f'  heap {rs[0]["peak_heap_bytes"] / 2**20:.1f} MiB')
