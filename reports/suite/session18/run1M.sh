#!/usr/bin/env bash
# Session 18 at 1M, after run8M.sh: per suite program (nine: ecdsa_verify has no 1M size),
# one pair of default and the combination with every run started cold (--prepare
# 'sleep 30') and one with every run started warm (--prepare 'touch 4': 4 GiB touched and
# freed just before), by turns which state first; prover settings as session 17's run1M.sh.
set -u
cd /work/main
C=stream-lde+leaf-drop+trace-retire
D=/work/campaign18
while ! grep -q DONE $D/8M/progress 2>/dev/null; do sleep 20; done
i=0
for p in interpreter quicksort json regex hashmap sha256_chain keccak_chain bigint_modexp merkle_paths; do
  if [ $((i % 2)) = 0 ]; then conds="cold warm"; else conds="warm cold"; fi
  for c in $conds; do
    if [ $c = cold ]; then prep="sleep 30"; else prep="$D/touch 4"; fi
    $D/bench run --fixture ${p}_1M --modes default,$C --runs 1 \
      --prepare "$prep" --out $D/1M/$c-$p.json > $D/1M/$c-$p.txt 2> $D/1M/$c-$p.err
    echo "$(date -u +%H:%M:%S) $p $c" >> $D/1M/progress
  done
  i=$((i + 1))
done
echo "$(date -u +%H:%M:%S) DONE" >> $D/1M/progress
