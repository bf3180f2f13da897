#!/usr/bin/env bash
# Session 14 campaign at 1M: (1) every mode once (heap exact) with the new binary;
# (2) default and the combination, 3 interleaved rounds each, before (9b36faa) and after
# (c7ff66a) binaries alternating per program.
set -u
cd /work/main
C=stream-lde+leaf-drop+trace-retire
D=/work/campaign
/tmp/bench-after run --suite --size 1M --modes default,stream-lde,leaf-drop,trace-retire,verify-and-drop,$C --runs 1 --out $D/suite-1M-modes.json > $D/suite-1M-modes.txt 2> $D/suite-1M-modes.err
i=0
for p in interpreter quicksort json regex hashmap sha256_chain keccak_chain bigint_modexp merkle_paths; do
  if [ $((i % 2)) -eq 0 ]; then order="before after"; else order="after before"; fi
  for b in $order; do
    /tmp/bench-$b run --fixture ${p}_1M --modes default,$C --runs 3 --out $D/pairs-$b-${p}_1M.json > $D/pairs-$b-${p}_1M.txt 2> $D/pairs-$b-${p}_1M.err
  done
  i=$((i+1))
done
echo CAMPAIGN DONE > $D/done
