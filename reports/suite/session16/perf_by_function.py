#!/usr/bin/env python3
"""Session 16: where a prove's CPU time goes, by the innermost `prover::` function of each
sample (a sample with no prover frame is keyed by its leaf symbol, prefixed `?`).

    perf record -F 149 --call-graph dwarf,16384 -o P.data \\
        target/release/bench prove --fixture interpreter_1M --mode MODE
    perf script -i P.data -F comm,tid,time,ip,sym > P.txt
    python3 reports/suite/session16/perf_by_function.py P.txt [TOP]

Two such files (default and the combination) compared key by key gave the session's
"where the combination's time went" list (reports/suite/README.md)."""
import collections
import re
import sys


def samples(path):
    for block in open(path).read().split('\n\n'):
        lines = block.strip().split('\n')
        if len(lines) < 2:
            continue
        key = None
        for line in lines[1:]:
            m = re.search(r'(prover::[A-Za-z0-9_:<>,]+)', line)
            if m:
                key = m.group(1)[:90]
                break
        if key is None:
            key = '? ' + ' '.join(lines[1].split()[1:])[:80]
        yield key


def main():
    counts = collections.Counter(samples(sys.argv[1]))
    total = sum(counts.values())
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 40
    for key, n in counts.most_common(top):
        print(f'{100 * n / total:5.1f}% {n:6d} {key}')
    print(total, 'samples')


if __name__ == '__main__':
    main()
