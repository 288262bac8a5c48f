#!/usr/bin/env bash
# Clean-build and rebuild times of the SDK (`mistral-workflows`), for BENCHMARKS.md.
#
# Builds in a fresh, temporary target directory, so that the shared `target/` is neither
# wiped nor reused: the clean build compiles every dependency from scratch. Then touches
# `openapi.yaml`, which the generator's build script watches, and times the rebuild that
# follows (the generated client and the facade, nothing else), with and without incremental
# compilation. Reports; never fails on a time.
#
# Usage: scripts/build-times.sh [--release] [extra cargo flags...]
set -euo pipefail
# A failed build inside `$(...)` must stop the script rather than report a time.
shopt -s inherit_errexit

cd "$(dirname "$0")/.."

profile_flags=()
if [[ "${1:-}" == "--release" ]]; then
    profile_flags=(--release)
    shift
fi

target_dir="$(mktemp -d)"
cleanup() { rm -rf "$target_dir"; }
trap cleanup EXIT
export CARGO_TARGET_DIR="$target_dir"

# Fetch first, so that the timings hold compiling only, not downloading.
cargo fetch --quiet

# Runs a command; prints how long it took, in seconds with one decimal.
seconds() {
    local start end
    start=$(date +%s%N)
    "$@" >&2
    end=$(date +%s%N)
    local tenths=$(((end - start) / 100000000))
    echo "$((tenths / 10)).$((tenths % 10))"
}

build() {
    cargo build --quiet -p mistral-workflows "${profile_flags[@]}" "$@"
}

cargo clean --quiet
clean=$(seconds build "$@")

# The generator's build script reruns when the spec's modification time changes.
spec=openapi.yaml
touch "$spec"
rebuild=$(seconds build "$@")

# Unchanged: what a no-op build costs (fingerprints only).
noop=$(seconds build "$@")

# Touched again and built without incremental compilation, as CI builds usually run: the
# generated client and the facade are compiled in full, what the generated code costs.
touch "$spec"
full=$(CARGO_INCREMENTAL=0 seconds build "$@")

jobs=$(nproc)
echo "machine: $jobs cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "rustc: $(rustc -V)"
echo "profile: ${profile_flags[*]:-dev}"
echo "clean build of mistral-workflows: $clean s"
echo "rebuild after touching $spec: $rebuild s"
echo "rebuild after touching $spec, CARGO_INCREMENTAL=0: $full s"
echo "no-op build: $noop s"
