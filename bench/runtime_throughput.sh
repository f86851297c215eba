#!/bin/sh
# Builds Sluice in Release and runs the runtime throughput benchmark.
#   bench/runtime_throughput.sh [rows]     (BUILD_DIR overrides the build directory)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-"$root/build-release"}
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" --target bench_runtime_throughput -j"$(nproc)" >/dev/null
exec "$build/bench/bench_runtime_throughput" "$@"
