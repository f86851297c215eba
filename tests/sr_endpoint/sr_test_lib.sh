# sr_test_lib.sh: sourced by the shell tests that run the sr-endpoint program (a StarRocks test
# double): a work dir removed on success, starting and stopping the program on free ports, and
# the check / contains assertions that count FAILS. Bash only.
#
#   BIN=path/to/sr-endpoint
#   . tests/sr_endpoint/sr_test_lib.sh
#   sr_test_init sr-http-test pw-secret   # WORK, PID, FAILS, the EXIT trap, $WORK/pw
#   sr_start --data-dir "$WORK/data"      # PID; dies with the log when the program does not start
#   FE=$(sr_port fe_http)
#   sr_stop "clean exit on SIGTERM"       # a check that the program exits 0

# Makes the work dir "$TMPDIR/<name>.XXXXXX" (kept when a check failed or SLUICE_KEEP_TMP is
# set) and writes the password file $WORK/pw.
sr_test_init() { # name password
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
    PID=
    FAILS=0
    trap sr_cleanup EXIT
    printf '%s' "$2" >"$WORK/pw"
}
sr_cleanup() {
    if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then kill -TERM "$PID"; wait "$PID"; fi
    if [ "$FAILS" -eq 0 ] && [ -z "${SLUICE_KEEP_TMP:-}" ]; then rm -rf "$WORK"; else echo "kept $WORK"; fi
}
# Starts $BIN with the caller's options, every port 0 (the kernel picks), the password file and
# the log $WORK/log; returns once it has written $WORK/ports.
sr_start() { # options...
    rm -f "$WORK/ports"
    "$BIN" "$@" --fe-http-port 0 --be-http-port 0 --query-port 0 \
        --password-file "$WORK/pw" --ports-file "$WORK/ports" >>"$WORK/log" 2>&1 &
    PID=$!
    for _ in $(seq 100); do [ -s "$WORK/ports" ] && break; sleep 0.05; done
    [ -s "$WORK/ports" ] || { echo "sr-endpoint did not start"; cat "$WORK/log"; exit 1; }
}
sr_port() { # fe_http | be_http | query
    python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$WORK/ports" "$1"
}
sr_stop() { # check name
    kill -TERM "$PID"
    wait "$PID"
    local rc=$?
    PID=
    check "$1" "$rc" 0
}
check() { # name actual expected
    if [ "$2" == "$3" ]; then echo "ok     $1"; else echo "FAIL   $1: got [$2] want [$3]"; FAILS=$((FAILS + 1)); fi
}
contains() { # name haystack needle
    if [[ "$2" == *"$3"* ]]; then echo "ok     $1"; else echo "FAIL   $1: [$2] lacks [$3]"; FAILS=$((FAILS + 1)); fi
}
