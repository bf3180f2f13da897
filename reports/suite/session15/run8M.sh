#!/usr/bin/env bash
# Session 15 at 8M: the five programs session 14 measured, default and the combination once
# each (adjacent), with the binary after the packed aux build; heap exact, the time ratio one
# pair (indicative). Files land in $D; copies are committed beside this script.
set -u
cd /work/main
C=stream-lde+leaf-drop+trace-retire
D=/work/campaign15
/tmp/bench-after run --fixture interpreter_8M,keccak_chain_8M,hashmap_8M,json_8M,bigint_modexp_8M \
  --modes default,$C --runs 1 --table-parallelism 1 --max-memory 22 \
  --out $D/suite-8M-five.json > $D/suite-8M-five.txt 2> $D/suite-8M-five.err
echo 8M DONE > $D/done8M
