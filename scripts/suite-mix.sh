#!/usr/bin/env bash
# Prints the suite's instruction-mix table (markdown) for the README: one row per suite
# program at SIZE (default 1M; ecdsa_verify at its smallest size, 2800k, where SIZE has no
# entry of it), each class's share of the cycles, from `bench execute --json`.
#   scripts/suite-mix.sh [SIZE]
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-1M}
bench=${BENCH:-target/release/bench}
[ -x "$bench" ] || cargo build --release -q -p harness
programs=$("$bench" fixtures --json | jq -r '.[] | select(.group == "suite") | .name' \
  | sed -E 's/_[0-9]+[kM]$//' | awk '!seen[$0]++')
echo "| program (size) | cycles | ALU | shifts | MUL | DIV | loads b/h/w | stores b/h/w | branches | jumps | LUI/AUIPC |"
echo "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
for p in $programs; do
  name="${p}_$size"
  if ! "$bench" fixtures --json | jq -e --arg n "$name" 'any(.[]; .name == $n)' > /dev/null; then
    name=$("$bench" fixtures --json | jq -r --arg p "$p" '[.[] | select(.group == "suite" and (.name | startswith($p + "_")))] | min_by(.cycles) | .name')
  fi
  "$bench" execute --fixture "$name" --json | jq -r --arg n "$name" '
    (.mix | map({(.class): .share_pct}) | add) as $s
    | def f(x): (x * 10 | round / 10 | tostring);
    "| `\($n)` | \(.cycles) | \(f($s.alu)) | \(f($s.shift)) | \(f($s.mul)) | \(f($s.div)) | \(f($s.load_byte)) / \(f($s.load_half)) / \(f($s.load_word)) | \(f($s.store_byte)) / \(f($s.store_half)) / \(f($s.store_word)) | \(f($s.branch)) | \(f($s.jump)) | \(f($s.upper)) |"'
done
