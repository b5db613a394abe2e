#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Count the instructions tshark executes over CAPTURE with smtpx and with
# Wireshark's built-in smtp dissector (valgrind's cachegrind, no cache
# simulation): one-pass summary, summary with a display filter (what the GUI
# does with colouring rules), and -V. Unlike wall time, the counts do not
# depend on the machine's load, so a few per cent can be compared. Use a
# small capture: valgrind runs tshark about 50 times slower (500 generated
# sessions: about 5 minutes in all).
#
# Usage: bench/instructions.sh CAPTURE
# Environment: SMTPX_PLUGIN (default build/smtpx.so). Needs valgrind.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
[ $# -eq 1 ] || { echo "usage: $0 CAPTURE" >&2; exit 2; }
[ -f "$1" ] || { echo "no capture at $1" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "valgrind missing: apt-get install valgrind" >&2; exit 2; }
bench_setup "${SMTPX_PLUGIN:-$here/../build/smtpx.so}"
trap 'rm -rf "$BENCH_TMP"' EXIT
cap=$(bench_readable "$1")

# Instructions of one tshark run as HOME ($1) with tshark arguments $2...
# (valgrind goes in through BENCH_ENV: the wrapper's env runs it, after the
# switch to uid 65534, with tshark as its program).
count() {
    local home=$1; shift
    local err=$BENCH_TMP/vg.err
    if ! BENCH_ENV="valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null" \
        "$BENCH_TMP/tshark-as" "$home" "$@" >/dev/null 2>"$err"; then
        echo "tshark under valgrind failed:" >&2; tail -20 "$err" >&2; exit 1
    fi
    awk '/I +refs:/ {gsub(",", "", $NF); print $NF}' "$err"
}

echo "capture: $1; instructions (valgrind --tool=cachegrind --cache-sim=no)" >&2
printf '%-8s | %15s | %15s | %7s\n' mode smtpx built-in ratio
for mode in summary filter verbose; do
    case $mode in
        summary) args=(-r "$cap") ;;
        filter)  args=(-r "$cap" -Y "frame.len > 0") ;;
        verbose) args=(-r "$cap" -V) ;;
    esac
    s=$(count "$TMPHOME" "${args[@]}")
    b=$(count "$BAREHOME" "${args[@]}")
    awk -v m="$mode" -v s="$s" -v b="$b" 'BEGIN {printf "%-8s | %13.1f M | %13.1f M | %7.3f\n", m, s / 1e6, b / 1e6, s / b}'
done
