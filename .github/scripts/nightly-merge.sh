#!/usr/bin/env bash
# The nightly's merge job, after every shard job: merge the shards that came back, append
# one night per fixture to its history, draw the charts (`bench nightly --results`), and
# write the summary with every shard's status. The only writer of the history.
#
# Environment: BENCH (the bench binary), PLAN (plan.json), SHARDS (the folder of the shard
# artifacts: shard-K.json and status-K.txt), HISTORY (the history checkout's root).
# Writes summary.md; prints `status=N` for GITHUB_OUTPUT: 3 when a fixture regressed,
# else 5 (no verdict, as `bench nightly`'s own status) when a run failed or a shard failed
# or is missing, else 0. An error of `bench merge` or `bench nightly` (their status 1:
# nothing appended) ends the script with that status.
set -euo pipefail
: "${BENCH:?}" "${PLAN:?}" "${SHARDS:?}" "${HISTORY:?}"
script_dir=$(cd "$(dirname "$0")" && pwd)
status=0
worst() { if [ "$1" = 3 ] || [ "$status" = 3 ]; then status=3; elif [ "$1" != 0 ]; then status=5; fi; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$script_dir/shard-status.sh" "$PLAN" "$SHARDS" > "$tmp/shards.md" 2> "$tmp/count.txt"
not_ok=$(sed -n 's/^not-ok=//p' "$tmp/count.txt")
shopt -s nullglob
files=("$SHARDS"/shard-*.json)
{
  echo "## Nightly: plan $(jq -r .hash "$PLAN"), $(jq -r .shards "$PLAN") shard(s)"
  echo
  cat "$tmp/shards.md"
  echo
} > summary.md
if [ "${#files[@]}" = 0 ]; then
  echo "No shard came back: nothing to record." >> summary.md
  echo "status=5"
  exit 0
fi
"$BENCH" merge --allow-missing "${files[@]}" --out merged.json
[ "$not_ok" = 0 ] || worst 5
for fixture in $(jq -r '[.work[].entries[].fixture] | unique | .[]' "$PLAN"); do
  if ! jq -e --arg f "$fixture" '.entries | any(.fixture == $f)' merged.json > /dev/null; then
    echo "**$fixture**: no shard of it came back; nothing appended." >> summary.md
    continue
  fi
  s=0
  "$BENCH" nightly --fixture "$fixture" --results merged.json \
    --history "$HISTORY/reports/nightly/$fixture.jsonl" > "$tmp/night.md" || s=$?
  # 0: fine, 3: a regression, 5: some run failed (recorded in the history); 1 is an
  # error (nothing appended).
  case "$s" in 0|3|5) worst "$s" ;; *) echo "bench nightly failed for $fixture (exit $s)" >&2; exit "$s" ;; esac
  { cat "$tmp/night.md"; echo; } >> summary.md
done
echo "status=$status"
