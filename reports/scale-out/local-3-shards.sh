#!/usr/bin/env bash
# A local 3-shard run of the nightly path: plan, each shard alone (one after another, so
# that no two share the 2 cores), merge, then the unsharded run of the same plan, and the
# comparison of the two. Wall times go to times.txt. Run from the repository root.
set -euo pipefail
B=target/release/bench
D=reports/scale-out/local
rm -rf "$D"; mkdir -p "$D"
FIX=fib_iterative_64k
$B plan --fixture $FIX --modes all --runs 3 --shards 3 --out $D/plan.json > /dev/null
: > $D/times.txt
for k in 1 2 3; do
  s=$(date +%s.%N)
  BENCH_MACHINE_OVERRIDE="local shard $k" $B run --plan $D/plan.json --shard $k --out $D/shard-$k.json > $D/shard-$k.txt
  e=$(date +%s.%N)
  echo "shard $k: $(echo "$e - $s" | bc) s" >> $D/times.txt
done
$B merge $D/shard-1.json $D/shard-2.json $D/shard-3.json --out $D/merged.json 2> $D/merge.txt
s=$(date +%s.%N)
$B run --fixture $FIX --modes all --runs 3 --table-parallelism 1 --out $D/unsharded.json > $D/unsharded.txt
e=$(date +%s.%N)
echo "unsharded: $(echo "$e - $s" | bc) s" >> $D/times.txt
$B compare $D/unsharded.json $D/merged.json --format markdown > $D/compare-unsharded-vs-merged.md
