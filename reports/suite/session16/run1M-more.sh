#!/usr/bin/env bash
# Session 16, after the campaign: the "after" files (binary of 8cc7544) continued to six
# interleaved rounds per program with --resume (copies of run1M.sh's files; the "before"
# files keep their three rounds).
set -u
cd /work/main
C=stream-lde+leaf-drop+trace-retire
D=/work/campaign16x
for p in interpreter quicksort json regex hashmap sha256_chain keccak_chain bigint_modexp merkle_paths; do
  /tmp/bench-after16 run --fixture ${p}_1M --modes default,$C --runs 6 --resume --out $D/pairs-after-${p}_1M.json > $D/pairs-after-${p}_1M.txt 2> $D/pairs-after-${p}_1M.err
done
echo MORE DONE > $D/done
