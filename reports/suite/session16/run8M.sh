#!/usr/bin/env bash
# Session 16 at 8M: default and the combination, one adjacent pair per program (the method
# of sessions 14 and 15), five programs, final binary.
set -u
cd /work/main
D=/work/campaign16
/tmp/bench-final16 run --fixture interpreter_8M,keccak_chain_8M,hashmap_8M,json_8M,bigint_modexp_8M --modes default,stream-lde+leaf-drop+trace-retire --runs 1 --table-parallelism 1 --max-memory 22 --out $D/suite-8M-five.json > $D/suite-8M-five.txt 2> $D/suite-8M-five.err
echo 8M DONE > $D/8m-done
