#!/usr/bin/env python3
"""Session 21: per program at 8M (run8M.sh), default twice and the combination twice with
each binary (new: Rounds 3 and 4 with spare buffers; old: before), interleaved. Per
program: the seconds, new / default and old / default (geometric means of each binary's
two runs over default's two), new / old (the geometric mean of the two pairs); over the
programs: geometric means with 95 % Student-t intervals (programs as the unit for the
ratios to default, pairs for new / old); mean seconds per phase; digests and heaps. A
program with a run missing is left out (the campaign was stopped before `interpreter_8M`).

    python3 reports/suite/session21/summarize.py [DIR]"""
import json, math, os, sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..'))
from stats import geo_mean_ci  # noqa: E402

D = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, '8M')
PROGRAMS = ['json', 'bigint_modexp', 'regex', 'ecdsa_verify', 'sha256_chain', 'quicksort',
            'interpreter']
PHASES = ['main_commit', 'aux_commit', 'composition', 'out_of_domain', 'fri', 'queries']
TAGS = ['default-1', 'default-2', 'new-1', 'new-2', 'base-1', 'base-2']


def load(name):
    fn = os.path.join(D, name + '.json')
    if not os.path.exists(fn) or os.path.getsize(fn) == 0:
        return None
    return json.load(open(fn))


def gm(xs):
    return math.exp(sum(math.log(x) for x in xs) / len(xs))


def main():
    per_new, per_old, new_old, digests_ok, runs_of = [], [], [], True, {'new': [], 'base': []}
    print('| program | default s | comb. new s | comb. old s | new / default | '
          'old / default | new / old | heap default / comb. new / comb. old |')
    print('|---|--:|--:|--:|--:|--:|--:|--:|')
    for p in PROGRAMS:
        r = {t: load(f'{p}-{t}') for t in TAGS}
        if not all(r.values()):
            continue
        sec = {t: r[t]['prove_seconds'] for t in TAGS}
        d = gm([sec['default-1'], sec['default-2']])
        n = gm([sec['new-1'], sec['new-2']])
        b = gm([sec['base-1'], sec['base-2']])
        per_new.append(n / d)
        per_old.append(b / d)
        pairs = [sec[f'new-{i}'] / sec[f'base-{i}'] for i in (1, 2)]
        new_old += pairs
        runs_of['new'] += [r['new-1'], r['new-2']]
        runs_of['base'] += [r['base-1'], r['base-2']]
        digests_ok &= len({x['proof_sha3'] for x in r.values()}) == 1
        mib = lambda t: r[t]['peak_heap_bytes'] / 2**20
        two = lambda a, b_: f'{sec[a]:.1f}, {sec[b_]:.1f}'
        print(f'| {p}_8M | {two("default-1", "default-2")} | {two("new-1", "new-2")} | '
              f'{two("base-1", "base-2")} | {n / d:.2f}x | {b / d:.2f}x | {gm(pairs):.3f} | '
              f'{mib("default-1"):,.1f} / {mib("new-1"):,.1f} / {mib("base-1"):,.1f} MiB |')
    if not per_new:
        return
    print()
    for label, xs, unit in [('comb. new / default', per_new, 'programs'),
                            ('comb. old / default', per_old, 'programs'),
                            ('comb. new / comb. old', new_old, 'pairs')]:
        g, lo, hi = geo_mean_ci(xs)
        print(f'{label}: geometric mean {g:.3f}x (95 % interval {lo:.3f}-{hi:.3f}x, '
              f'{len(xs)} {unit})')
    print(f'digests {"match" if digests_ok else "DIFFER"} within every program')
    print()
    print('| binary | ' + ' | '.join(PHASES) + ' | prove |')
    print('|---|' + '--:|' * (len(PHASES) + 1))
    for name, rs in runs_of.items():
        cells = [sum(next(x['seconds'] for x in q['phases'] if x['name'] == ph) for q in rs)
                 / len(rs) for ph in PHASES]
        cells.append(sum(q['prove_seconds'] for q in rs) / len(rs))
        print(f'| {name} | ' + ' | '.join(f'{c:.1f}' for c in cells) + ' |')


if __name__ == '__main__':
    main()
