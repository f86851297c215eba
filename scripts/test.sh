#!/usr/bin/env bash
# The whole test suite, from a fresh Debian 12 machine: install what is missing, build, run every
# test under ctest, then build again with AddressSanitizer + UndefinedBehaviorSanitizer and run
# everything once more.   Usage: scripts/test.sh [ctest args, e.g. -L unit]
set -euo pipefail
. "$(dirname "$0")/common.sh"
cd "$SLUICE_ROOT"

start=$(date +%s)
install_packages
install_web_test_deps

build_tree build/test -DCMAKE_BUILD_TYPE=Release
log "ctest (Release)"
(cd build/test && ctest --output-on-failure -j "$SLUICE_JOBS" "$@")

build_tree build/asan -DCMAKE_BUILD_TYPE=Debug -DSLUICE_SANITIZE=ON
log "ctest (ASan + UBSan)"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
(cd build/asan && ctest --output-on-failure -j "$SLUICE_JOBS" "$@")

log "all tests passed in $(( $(date +%s) - start ))s"
