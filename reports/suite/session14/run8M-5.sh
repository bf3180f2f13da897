#!/usr/bin/env bash
# Session 14 at 8M (final code): five suite programs, default then the combination adjacent
# (one pair each), table parallelism 1, --max-memory 22; then the memory model's prediction of
# both modes for all ten.
set -u
cd /work/main
while [ ! -f /tmp/bench-final.ready ]; do sleep 5; done
C=stream-lde+leaf-drop+trace-retire
D=/work/campaign
/tmp/bench-final run --fixture interpreter_8M,keccak_chain_8M,hashmap_8M,json_8M,bigint_modexp_8M --modes default,$C --runs 1 --table-parallelism 1 --max-memory 22 --out $D/suite-8M-five.json > $D/suite-8M-five.txt 2> $D/suite-8M-five.err
for p in interpreter quicksort json regex hashmap sha256_chain keccak_chain bigint_modexp ecdsa_verify merkle_paths; do
  /tmp/bench-final predict --fixture ${p}_8M --modes default,$C --table-parallelism 1 --json > $D/predict-${p}_8M.json 2>> $D/predict-8M.err
done
echo 8M DONE > $D/done8M
