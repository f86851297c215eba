#!/usr/bin/env bash
# Shared by scripts/test.sh and scripts/demo.sh: install missing Debian packages, build a tree.
# Sourced, not run.

SLUICE_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SLUICE_JOBS=${SLUICE_JOBS:-$(nproc 2>/dev/null || echo 2)}

# Packages the build and the tests need on Debian 12.
SLUICE_PACKAGES=(build-essential cmake pkg-config libmariadb-dev libcurl4-openssl-dev
                 librocksdb-dev libjansson-dev libevent-dev zlib1g-dev libzstd-dev
                 mariadb-server mariadb-client curl python3 tzdata libyaml-dev
                 chromium nodejs)

log() { printf '==> %s\n' "$*" >&2; }

# Installs the packages that are missing; runs apt-get update only when something is.
install_packages() {
    local missing=()
    for p in "${SLUICE_PACKAGES[@]}"; do
        dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && { log "packages: all present"; return 0; }
    log "installing: ${missing[*]}"
    local sudo=()
    [ "$(id -u)" -ne 0 ] && sudo=(sudo)
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null
}

# The web console's browser test (tests/e2e/web): playwright-core from npm drives Debian's
# chromium (no browser download). Debian's nodejs ships npm separately; NodeSource's bundles it.
install_web_test_deps() {
    if ! command -v npm >/dev/null 2>&1; then
        log "installing: npm"
        local sudo=()
        [ "$(id -u)" -ne 0 ] && sudo=(sudo)
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null
    fi
    [ -d "$SLUICE_ROOT/tests/e2e/web/node_modules/playwright-core" ] && return 0
    log "npm ci in tests/e2e/web (playwright-core)"
    (cd "$SLUICE_ROOT/tests/e2e/web" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
}

# build_tree DIR [cmake args...]: configure and build everything in DIR; on failure print the
# build log's tail (the whole log stays in DIR/build.log).
build_tree() {
    local dir=$1; shift
    log "building $dir $*"
    mkdir -p "$dir"
    if ! { cmake -S "$SLUICE_ROOT" -B "$dir" "$@" && cmake --build "$dir" -j "$SLUICE_JOBS"; } \
            >"$dir/build.log" 2>&1; then
        tail -n 60 "$dir/build.log" >&2
        log "build failed: see $dir/build.log"
        return 1
    fi
}
