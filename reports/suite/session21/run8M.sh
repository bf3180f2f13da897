#!/bin/bash
# Session 21: at suite programs' 8M size, default once before and once after, and the
# combination with the new binary (Rounds 3 and 4 with spare buffers, 5067310) and the old
# one (e956a15, the prover as 360717f) twice each, interleaved: D B N N B D on odd-numbered
# programs, D N B B N D on even ones, so that each binary follows a default run as often
# as the other (a run right after a default run is ~5 % slower on this VM: session 20).
# Every run after `touch 16` (warm), `--table-parallelism 1 --max-memory 22`. Programs in
# order of session 20's ratio, highest first. Binaries and touch under $BIN (default
# /work/c21: bench-base, bench-r34, touch); results to $OUT.
set -u
BIN=${BIN:-/work/c21}
OUT=${OUT:-/work/c21/campaign}
mkdir -p "$OUT"
cd "$(dirname "$0")/../../.."
COMB=stream-lde+leaf-drop+trace-retire
PROGRAMS=${PROGRAMS:-"json bigint_modexp regex ecdsa_verify sha256_chain quicksort interpreter"}
n=0
for p in $PROGRAMS; do
  n=$((n + 1))
  if [ $((n % 2)) = 1 ]; then
    order="default:bench-r34:default-1 comb:bench-base:base-1 comb:bench-r34:new-1 comb:bench-r34:new-2 comb:bench-base:base-2 default:bench-r34:default-2"
  else
    order="default:bench-r34:default-1 comb:bench-r34:new-1 comb:bench-base:base-1 comb:bench-base:base-2 comb:bench-r34:new-2 default:bench-r34:default-2"
  fi
  for run in $order; do
    IFS=: read -r m bin tag <<< "$run"
    [ "$m" = comb ] && m=$COMB
    "$BIN/touch" 16 >/dev/null
    "$BIN/$bin" prove --fixture "${p}_8M" --mode "$m" --table-parallelism 1 \
      --max-memory 22 --json > "$OUT/$p-$tag.json" 2> "$OUT/$p-$tag.err"
    echo "$(date -u +%T) $p $tag $?"
  done
done
