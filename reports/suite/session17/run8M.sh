#!/usr/bin/env bash
# Session 17 at 8M: default against the combination, three interleaved rounds each, at the
# two programs whose single pairs read highest in session 16 (bigint_modexp_8M 1.19x,
# hashmap_8M 1.16x), the final binary, one instance in flight, machine otherwise idle.
set -u
cd /work/main
C=stream-lde+leaf-drop+trace-retire
D=/work/campaign17
for p in bigint_modexp hashmap; do
  $D/bench-after run --fixture ${p}_8M --modes default,$C --runs 3 --table-parallelism 1 --max-memory 22 --out $D/pairs-8M-${p}.json > $D/pairs-8M-${p}.txt 2> $D/pairs-8M-${p}.err
done
echo 8M DONE >> $D/progress
