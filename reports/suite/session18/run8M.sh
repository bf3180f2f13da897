#!/usr/bin/env bash
# Session 18 at 8M: default against the combination for every suite program, one pair with
# every run started cold (--prepare 'sleep 30': memory freed by the run before has gone back
# to the VM's host) and one pair with every run started warm (--prepare 'touch 16': 16 GiB
# touched and freed just before, so the run's first touches find memory the host backs);
# the cold pair first for even-numbered programs, the warm one first for odd; one instance
# in flight, --max-memory 22, machine otherwise idle. Binary of 25337a1.
set -u
cd /work/main
C=stream-lde+leaf-drop+trace-retire
D=/work/campaign18
i=0
for p in ecdsa_verify merkle_paths quicksort regex sha256_chain interpreter json keccak_chain bigint_modexp hashmap; do
  if [ $((i % 2)) = 0 ]; then conds="cold warm"; else conds="warm cold"; fi
  for c in $conds; do
    if [ $c = cold ]; then prep="sleep 30"; else prep="$D/touch 16"; fi
    $D/bench run --fixture ${p}_8M --modes default,$C --runs 1 --table-parallelism 1 --max-memory 22 \
      --prepare "$prep" --out $D/8M/$c-$p.json > $D/8M/$c-$p.txt 2> $D/8M/$c-$p.err
    echo "$(date -u +%H:%M:%S) $p $c rc=$?" >> $D/8M/progress
  done
  i=$((i + 1))
done
echo "$(date -u +%H:%M:%S) DONE" >> $D/8M/progress
