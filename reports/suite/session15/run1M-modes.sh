#!/usr/bin/env bash
# Session 15: every mode once over the suite at 1M with the final binary (heap exact; times
# one sample each, indicative), after the 8M run.
set -u
cd /work/main
C=stream-lde+leaf-drop+trace-retire
D=/work/campaign15
while [ ! -f $D/done8M ]; do sleep 5; done
/tmp/bench-after run --suite --size 1M --modes default,stream-lde,leaf-drop,trace-retire,verify-and-drop,$C --runs 1 --out $D/suite-1M-modes.json > $D/suite-1M-modes.txt 2> $D/suite-1M-modes.err
echo MODES DONE > $D/doneModes
