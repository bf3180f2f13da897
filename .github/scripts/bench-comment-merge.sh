#!/usr/bin/env bash
# The `/bench` merge job: one comment from every shard's `bench ab` markdown (each shard ran
# base and head interleaved on its own machine, so each section's time is judged there),
# with the shard list: a failed or missing shard is named, never dropped.
#
# Environment: PLAN (plan.json), SHARDS (shard-K.md, status-K.txt per shard).
# Writes comment.md, whose first line is the marker the comment job edits in place.
set -euo pipefail
: "${PLAN:?}" "${SHARDS:?}"
script_dir=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$script_dir/shard-status.sh" "$PLAN" "$SHARDS" > "$tmp/shards.md" 2> /dev/null
fixtures=$(jq -r '[.work[].entries[].fixture] | unique | join("+")' "$PLAN")
{
  echo "<!-- bench:$fixtures -->"
  first=1
  for k in $(seq 1 "$(jq -r .shards "$PLAN")"); do
    f="$SHARDS/shard-$k.md"
    [ -f "$f" ] || continue
    [ "$first" = 1 ] || echo
    first=0
    # Each shard's own marker line goes: the comment has one.
    grep -v '^<!-- bench:' "$f"
  done
  echo
  echo "<details><summary>Shards of plan $(jq -r .hash "$PLAN") (base $(jq -r .revisions.base "$PLAN" | cut -c1-7), head $(jq -r .revisions.head "$PLAN" | cut -c1-7))</summary>"
  echo
  cat "$tmp/shards.md"
  echo
  echo "</details>"
} > comment.md
