#!/usr/bin/env python3
"""Session 18's tables: per suite program, one pair started cold and one started warm
(run8M.sh, run1M.sh), default against the combination; then each state's ratio over the
programs.

Usage: python3 summarize.py DIR   (DIR holds cold-P.json and warm-P.json files)
Ratio = comb / default of one pair; over programs: geometric mean with a 95 % Student-t
interval of ln(ratio) across programs (that is the suite's typical ratio, not any one
program's)."""
import glob
import json
import math
import os
import sys

COMB = "stream-lde+leaf-drop+trace-retire"
T95 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262, 10: 2.228}


def runs(path):
    d = json.load(open(path))
    out = {}
    for e in d["entries"]:
        if e["runs"]:
            out[e["mode"]] = e["runs"][0]
    return out


def phase(r, name):
    return next(p["seconds"] for p in r["phases"] if p["name"] == name)


def interval(logs):
    n = len(logs)
    m = sum(logs) / n
    if n < 2:
        return math.exp(m), float("nan"), float("nan")
    sd = math.sqrt(sum((x - m) ** 2 for x in logs) / (n - 1))
    h = T95.get(n - 1, 1.96) * sd / math.sqrt(n)
    return math.exp(m), math.exp(m - h), math.exp(m + h)


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else "."
    programs = sorted({os.path.basename(f).split("-", 1)[1][:-5] for f in glob.glob(f"{d}/*-*.json")})
    print("| program | state | default s | comb. s | comb./default | default main commit s | default heap | comb. heap | heap ratio | digest |")
    print("|---|---|--:|--:|--:|--:|--:|--:|--:|---|")
    logs = {"cold": [], "warm": []}
    for p in programs:
        for state in ("cold", "warm"):
            f = f"{d}/{state}-{p}.json"
            if not os.path.exists(f):
                continue
            r = runs(f)
            if "default" not in r or COMB not in r:
                print(f"| {p} | {state} | (incomplete) |")
                continue
            a, b = r["default"], r[COMB]
            assert a["proof_sha3"] == b["proof_sha3"], p
            ratio = b["prove_seconds"] / a["prove_seconds"]
            logs[state].append(math.log(ratio))
            ha, hb = a["peak_heap_bytes"] / 2**20, b["peak_heap_bytes"] / 2**20
            print(
                f"| {a['fixture']} | {state} | {a['prove_seconds']:.1f} | {b['prove_seconds']:.1f} | {ratio:.2f}x | "
                f"{phase(a, 'main_commit'):.1f} | {ha:,.1f} MiB | {hb:,.1f} MiB | {hb / ha:.3f}x | {a['proof_sha3'][:8]} |"
            )
    print()
    for state, xs in logs.items():
        if xs:
            g, lo, hi = interval(xs)
            print(
                f"{state}: {len(xs)} programs, ratios {math.exp(min(xs)):.2f}-{math.exp(max(xs)):.2f}x, "
                f"geometric mean {g:.3f}x (95 % over programs {lo:.3f}-{hi:.3f}x)"
            )


if __name__ == "__main__":
    main()
