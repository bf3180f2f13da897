#!/usr/bin/env python3
"""Session 17: the mode table's peaks and digests against session 16's, entry by entry,
and each mode's range of heap and one run's time against default.

    python3 reports/suite/session17/compare_modes.py \\
        reports/suite/session16/suite-1M-modes.json reports/suite/session17/suite-1M-modes.json"""
import json, sys


def load(fn):
    return {(e['fixture'], e['mode']): e['runs'][0] for e in json.load(open(fn))['entries']}


def main():
    old, new = load(sys.argv[1]), load(sys.argv[2])
    same_peak = same_digest = 0
    worst = 0.0
    for key, r in new.items():
        o = old[key]
        d = abs(r['peak_heap_bytes'] - o['peak_heap_bytes']) / 2**20
        worst = max(worst, d)
        same_peak += d < 0.1
        same_digest += r['proof_sha3'] == o['proof_sha3']
    print(f'{len(new)} entries: {same_peak} peaks within 0.1 MiB of the old '
          f'(largest difference {worst:.3f} MiB), {same_digest} digests equal')
    modes = sorted({m for _, m in new}, key=lambda m: (m != 'default', m))
    for m in modes:
        heap = [new[(f, m)]['peak_heap_bytes'] / new[(f, 'default')]['peak_heap_bytes']
                for f, mm in new if mm == m]
        time = [new[(f, m)]['prove_seconds'] / new[(f, 'default')]['prove_seconds']
                for f, mm in new if mm == m]
        print(f'  {m}: heap {min(heap):.2f}-{max(heap):.2f}x, one run\'s time '
              f'{min(time):.2f}-{max(time):.2f}x of default\'s')


if __name__ == '__main__':
    main()
