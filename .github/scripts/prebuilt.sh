#!/usr/bin/env bash
# `bench ab --build-cmd` for the /bench shards: instead of building the revision checked
# out in this worktree, copy the binary the build job made of it (built once per revision,
# handed to every shard as an artifact). `bench ab` runs this in the revision's worktree with
# CARGO_TARGET_DIR set, and RUSTFLAGS set for the valgrind (x86-64-v3) variant.
#
# Environment: PREBUILT (folder with SHA/bench and SHA/bench-x86-64-v3).
set -euo pipefail
: "${PREBUILT:?}" "${CARGO_TARGET_DIR:?}"
sha=$(git rev-parse HEAD)
name=bench
case "${RUSTFLAGS:-}" in *x86-64-v3*) name=bench-x86-64-v3 ;; esac
if [ ! -f "$PREBUILT/$sha/$name" ]; then
  echo "no prebuilt $name for $sha under $PREBUILT" >&2
  exit 1
fi
mkdir -p "$CARGO_TARGET_DIR/release"
cp "$PREBUILT/$sha/$name" "$CARGO_TARGET_DIR/release/bench"
chmod +x "$CARGO_TARGET_DIR/release/bench"
