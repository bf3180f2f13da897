#!/usr/bin/env bash
# Regenerates the README's example outputs from real runs of this checkout: every block
# between `<!-- readme-example: NAME -->` and `<!-- /readme-example -->` is replaced by
# the command's output, verbatim (stdout only: progress goes to stderr).
#
#   run      `bench run` (the main command: fib_iterative_64k, every mode, 3 runs)
#   execute  `bench execute --fixture fib_iterative_64k` (cycles, mix, table rows)
#
# The deterministic parts of these blocks (peak heaps, heap per cycle, peak phases, proof
# digests, what holds each peak, cycles, outputs, the mix and the table rows; never times)
# are checked against a real run by harness/tests/readme.rs, so a change that moves them
# fails CI until this script is run again and the README committed.
#
# Heap depends on the table parallelism, whose automatic choice is one instance per 4
# threads of the rayon pool (at least one): the README's numbers, and the test, are at 1,
# the automatic choice below 8 threads. On a larger machine the script refuses to run.
set -euo pipefail
cd "$(dirname "$0")/.."

threads=${RAYON_NUM_THREADS:-$(nproc)}
if [ "$threads" -ge 8 ]; then
    echo "error: $threads threads: the automatic table parallelism would be $((threads / 4)), the README's is 1;" >&2
    echo "       run with RAYON_NUM_THREADS=4 (or on a machine with fewer than 8 threads)" >&2
    exit 1
fi

cargo build --release -p harness
bench=target/release/bench
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# The main command, as a user types it (its results file under target/bench/).
{
    echo '```console'
    echo '$ cargo run --release -p harness -- run'
    echo '...'
    "$bench" run
    echo '```'
} > "$out/run"

{
    echo '```console'
    echo '$ cargo run --release -p harness -- execute --fixture fib_iterative_64k'
    "$bench" execute --fixture fib_iterative_64k
    echo '```'
} > "$out/execute"

# Replace each marked block's body with its fresh output.
python3 - "$out" README.md <<'PY'
import re, sys, pathlib
out, readme = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
text = readme.read_text()
pattern = re.compile(r"(<!-- readme-example: (\w+) -->\n)(.*?)(<!-- /readme-example -->)", re.S)
seen = []
def fresh(m):
    seen.append(m.group(2))
    return m.group(1) + (out / m.group(2)).read_text() + m.group(4)
text = pattern.sub(fresh, text)
missing = {"run", "execute"} - set(seen)
if missing:
    sys.exit(f"README.md has no block for {sorted(missing)}")
readme.write_text(text)
print("README.md: refreshed", ", ".join(seen))
PY
