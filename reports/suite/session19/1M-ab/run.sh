#!/bin/bash
cd /work/main
mkdir -p /work/c19/thp1M
for i in 1 2 3 4; do
 for b in fab034f new new2; do
  /work/c19/touch 4 >/dev/null
  /work/c19/bench-$b prove --fixture interpreter_1M --mode stream-lde+leaf-drop+trace-retire --table-parallelism 1 --json > /work/c19/thp1M/$b-$i.json 2>/dev/null
 done
done
