#!/usr/bin/env bash
# The shards of a plan as a markdown list: each one ok, failed (with its exit status) or
# missing (its job died or its artifact never came back). Never skips one silently.
#
#   shard-status.sh PLAN DIR     (DIR holds status-K.txt files: the exit status of shard K)
#
# Prints the list; exits 0. The count of shards not ok goes to stderr as `not-ok=N`.
set -euo pipefail
plan=$1
dir=$2
shards=$(jq -r .shards "$plan")
bad=0
for k in $(seq 1 "$shards"); do
  what=$(jq -r --argjson k "$k" \
    '.work[] | select(.shard == $k) | "\(.runner), \(.entries | length) entr\(if (.entries | length) == 1 then "y" else "ies" end), est. \(.estimated_seconds / 60 | floor) min"' "$plan")
  if [ -f "$dir/status-$k.txt" ]; then
    status=$(tr -dc '0-9' < "$dir/status-$k.txt")
    if [ "${status:-x}" = 0 ]; then
      echo "- shard $k ($what): ok"
    else
      echo "- shard $k ($what): **failed** (exit status ${status:-unknown})"
      bad=$((bad + 1))
    fi
  else
    echo "- shard $k ($what): **missing** (the job died or its results never came back)"
    bad=$((bad + 1))
  fi
done
echo "not-ok=$bad" >&2
