#!/usr/bin/env bash
# The demo, from a fresh Debian 12 machine: install what is missing, build, and run the bundled
# example job (datagen -> print), then a million rows through a channel into a blackhole.
set -euo pipefail
. "$(dirname "$0")/common.sh"
cd "$SLUICE_ROOT"

install_packages
build_tree build/release -DCMAKE_BUILD_TYPE=Release
sluice=build/release/runtime/cli/sluice

log "the physical plan of jobs/examples/datagen-print.json"
"$sluice" plan jobs/examples/datagen-print.json
log "running it: every change as one JSON line"
"$sluice" run jobs/examples/datagen-print.json
log "1,000,000 rows across a channel into a blackhole"
time "$sluice" run jobs/examples/datagen-blackhole.json
