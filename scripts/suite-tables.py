#!/usr/bin/env python3
"""Prints the suite's per-table audit (markdown) for reports/suite/: for each suite program at
SIZE (default 1M and 8M), each zkVM table's fill (used rows over padded rows) and its trace
bytes per cycle (padded rows x (main + 2 x aux) limbs x 8 B / cycles), from `bench execute
--json` (rows) and one `bench prove --json` of a small fixture (the tables' widths, the same
at every size).

    scripts/suite-tables.py [SIZE ...]        (BENCH=path/to/bench to use another binary)
"""
import json
import os
import subprocess
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
BENCH = os.environ.get("BENCH", os.path.join(ROOT, "target/release/bench"))


def bench(*args):
    out = subprocess.run([BENCH, *args], capture_output=True, text=True, cwd=ROOT, check=True)
    return json.loads(out.stdout)


def main(sizes):
    widths = {
        t["name"]: t["main_columns"] + 2 * t["aux_columns"]
        for t in bench("prove", "--fixture", "bytesort_small", "--json")["tables"]
    }
    names = [f["name"] for f in bench("fixtures", "--json") if f.get("group") == "suite"]
    for size in sizes:
        programs = [n for n in names if n.endswith("_" + size)]
        print(f"\n**{size}**: per table, fill (used / padded rows) and trace bytes per cycle\n")
        header, rows = None, []
        for name in programs:
            d = bench("execute", "--fixture", name, "--json")
            cycles = d["cycles"]
            header = [t["table"] for t in d["tables"]]
            cells, total = [], 0.0
            for t in d["tables"]:
                per_cycle = t["rows"] * widths[t["table"]] * 8 / cycles
                total += per_cycle
                used = t.get("used")
                fill = "fixed" if used is None else ("unused" if used == 0 else f"{100 * used / t['rows']:.0f}%")
                cells.append(f"{fill}, {per_cycle:.0f}")
            rows.append(f"| {name} | {total:.0f} | " + " | ".join(cells) + " |")
        print("| program | trace B/cycle | " + " | ".join(header) + " |")
        print("|---|--:|" + "--:|" * len(header))
        print("\n".join(rows))


if __name__ == "__main__":
    main(sys.argv[1:] or ["1M", "8M"])
