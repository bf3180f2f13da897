#!/bin/bash
# page faults and system time of one combination prove, old and new binary, interpreter_1M
cd /work/main
for i in 1 2; do
for b in fab034f new; do
  /work/c19/touch 4 >/dev/null
  perf stat -x, -e page-faults,task-clock -o /work/c19/faults-$b-$i.txt /usr/bin/time -f "%e s wall %U s user %S s sys" -o /work/c19/time-$b-$i.txt \
    /work/c19/bench-$b prove --fixture interpreter_1M --mode stream-lde+leaf-drop+trace-retire --table-parallelism 1 > /dev/null 2>&1
done; done
