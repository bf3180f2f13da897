#!/usr/bin/env bash
# Session 17: the suite's mode table at 1M, every mode once, final binary (9675f68's
# prover), machine otherwise idle.
set -u
cd /work/main
D=/work/campaign17
$D/bench-after run --suite --size 1M --modes default,stream-lde,leaf-drop,trace-retire,verify-and-drop,stream-lde+leaf-drop+trace-retire --runs 1 --out $D/suite-1M-modes.json > $D/suite-1M-modes.txt 2> $D/suite-1M-modes.err
echo MODES DONE >> $D/progress
