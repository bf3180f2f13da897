#!/usr/bin/env bash
# The /bench path locally: a plan with base and head (here the same commit: an A/A), each of
# 3 shards running `bench ab` from prebuilt binaries (.github/scripts/prebuilt.sh, as the
# workflow's shards do) under its own machine override, then the merge job's script making
# the one comment. No instruction counts: they need a second, x86-64-v3 build (valgrind
# cannot run this machine's AVX-512 build). Run from the repository root after a commit.
set -euo pipefail
B=${BENCH:-$PWD/target/release/bench}
D=reports/scale-out/bench-ab
rm -rf "$D"; mkdir -p "$D/shards"
SHA=$(git rev-parse HEAD)
export PREBUILT=$PWD/target/prebuilt
mkdir -p "$PREBUILT/$SHA"
cp "$B" "$PREBUILT/$SHA/bench"
$B plan --fixture fib_iterative_64k --modes default,stream-lde,leaf-drop --runs 2 --shards 3 \
  --base "$SHA" --head "$SHA" --out $D/plan.json > /dev/null
: > $D/times.txt
for k in 1 2 3; do
  s=$(date +%s.%N)
  status=0
  for fixture in $(jq -r --argjson k "$k" '[.work[] | select(.shard == $k) | .entries[].fixture] | unique | .[]' $D/plan.json); do
    modes=$(jq -r --argjson k "$k" --arg f "$fixture" '[.work[] | select(.shard == $k) | .entries[] | select(.fixture == $f) | .mode] | join(",")' $D/plan.json)
    BENCH_MACHINE_OVERRIDE="local shard $k" $B ab --base "$SHA" --head "$SHA" --fixture "$fixture" \
      --modes "$modes" --pairs 2 --table-parallelism 1 --format markdown \
      --build-cmd "$PWD/.github/scripts/prebuilt.sh" >> "$D/shards/shard-$k.md" 2>> "$D/shards/shard-$k.err" || status=$?
  done
  echo "$status" > "$D/shards/status-$k.txt"
  e=$(date +%s.%N)
  echo "shard $k: $(echo "$e - $s" | bc) s" >> $D/times.txt
done
(cd $D && PLAN=plan.json SHARDS=shards "$OLDPWD/.github/scripts/bench-comment-merge.sh")
