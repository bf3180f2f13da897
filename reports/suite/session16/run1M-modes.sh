#!/usr/bin/env bash
# Session 16: every mode once over the suite at 1M with the final binary (heap and digests
# exact; the time columns one run each, indicative only).
set -u
cd /work/main
D=/work/campaign16
/tmp/bench-final16 run --suite --size 1M --modes default,stream-lde,leaf-drop,trace-retire,verify-and-drop,stream-lde+leaf-drop+trace-retire --runs 1 --out $D/suite-1M-modes.json > $D/suite-1M-modes.txt 2> $D/suite-1M-modes.err
echo MODES DONE > $D/modes-done
