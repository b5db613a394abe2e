#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Time tshark over CAPTURE with smtpx, with Wireshark's built-in smtp
# dissector, and with SMTP not dissected at all (the floor: built-in smtp
# disabled, smtpx not loaded; and the payload of ports 25 and 587 decoded as
# plain data, which also spares TCP its heuristic dissectors), each in
# one-pass summary mode (tshark -r CAP)
# and with -V, output to /dev/null; print wall time and peak RSS side by side
# with the ratios smtpx / built-in.
#
# Usage: bench/run.sh CAPTURE
# Environment:
#   SMTPX_PLUGIN  smtpx.so to test (default: build/smtpx.so)
#   BENCH_RUNS    runs per measurement; the fastest time and the smallest
#                 peak RSS are reported (default 3)
#   BENCH_PAIRED  1: run smtpx and the built-in dissector at the same time,
#                 one per core (default: one after the other, run for run);
#                 either way the median of the pairs' time ratios is printed
#   BENCH_CPU     run every tshark on this CPU only (taskset), e.g. 1: on a
#                 VM whose CPUs differ in speed, pairs then meet the same CPU
# Needs /usr/bin/time (Debian package time) and, as root, setpriv.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
[ $# -eq 1 ] || { echo "usage: $0 CAPTURE" >&2; exit 2; }
[ -f "$1" ] || { echo "no capture at $1" >&2; exit 2; }
plugin=${SMTPX_PLUGIN:-$here/../build/smtpx.so}
runs=${BENCH_RUNS:-3}
bench_setup "$plugin"
trap 'rm -rf "$BENCH_TMP"' EXIT
cap=$(bench_readable "$1")

declare -A T M PAIRS
# Keeps the best time and the smallest peak RSS of NAME; fails on a tshark
# failure or a dissector problem (BENCH_TAG selects the files of bench_time).
record() {      # NAME
    local name=$1
    if [ "$BRC" -ne 0 ]; then
        echo "$name: tshark failed (status $BRC):" >&2; tail -20 "$BENCH_TMP/stderr${BENCH_TAG:-}" >&2; exit 1
    fi
    if [ -n "$(bench_problems)" ]; then
        echo "$name: problem reported on stderr:" >&2; bench_problems >&2; exit 1
    fi
    if [ -z "${T[$name]:-}" ] || awk "BEGIN {exit !($BT < ${T[$name]})}"; then T[$name]=$BT; fi
    if [ -z "${M[$name]:-}" ] || [ "$BM" -lt "${M[$name]}" ]; then M[$name]=$BM; fi
}

show() { printf '  %-16s %8.2f s %9d kB\n' "$1" "${T[$1]}" "${M[$1]}" >&2; }

measure() {     # NAME HOME ARGS...
    local name=$1 home=$2; shift 2
    for ((i = 0; i < runs; i++)); do
        bench_time "$home" "$@"
        record "$name"
    done
    show "$name"
}

# One run of a pair, its result in $BENCH_TMP/r.TAG (a subshell, so that
# both runs of a pair may go at once).
pair_run() {    # TAG HOME ARGS...
    (BENCH_TAG=.$1; bench_time "${@:2}"; echo "$BT $BM $BRC" >"$BENCH_TMP/r.$1")
}

# smtpx and the built-in dissector run for run, one after the other, or at
# the same time, one per core (BENCH_PAIRED=1; needs two idle cores), so
# that each pair meets the same machine.
measure_pair() {    # MODE ARGS...
    local mode=$1; shift
    for ((i = 0; i < runs; i++)); do
        if [ "${BENCH_PAIRED:-0}" = 1 ]; then
            pair_run a "$TMPHOME" "$@" & pair_run b "$BAREHOME" "$@" & wait
        else
            pair_run a "$TMPHOME" "$@"; pair_run b "$BAREHOME" "$@"
        fi
        read -r BT BM BRC <"$BENCH_TMP/r.a"; BENCH_TAG=.a record "smtpx/$mode"
        local smtpx_t=$BT
        read -r BT BM BRC <"$BENCH_TMP/r.b"; BENCH_TAG=.b record "builtin/$mode"
        PAIRS[$mode]+="$(awk "BEGIN {printf \"%.3f\", $smtpx_t / $BT}") "
    done
    show "smtpx/$mode"; show "builtin/$mode"
}

frames=$(capinfos -c -M "$cap" 2>/dev/null | awk -F: '/Number of packets/ {gsub(/ /, "", $2); print $2}')
echo "capture: $1 ($(du -h "$cap" | cut -f1), ${frames:-?} frames); plugin: $plugin; best of $runs" >&2
for mode in summary verbose; do
    extra=()
    [ $mode = verbose ] && extra=(-V)
    measure_pair "$mode" -r "$cap" "${extra[@]}"
    measure "floor/$mode" "$BAREHOME" -r "$cap" --disable-protocol smtp "${extra[@]}"
    measure "data/$mode" "$BAREHOME" -r "$cap" -d tcp.port==25,data -d tcp.port==587,data "${extra[@]}"
done

ratio() { awk "BEGIN {if ($2 > 0) printf \"%.2f\", $1 / $2; else printf \"n/a\"}"; }
net() { awk "BEGIN {d = $2 - $3; if (d > 0) printf \"%.2f\", ($1 - $3) / d; else printf \"n/a\"}"; }
echo
printf '%-8s | %17s | %17s | %17s | %17s | %13s | %4s\n' "" "smtpx" "built-in smtp" "floor (no smtp)" "payload as data" \
    "smtpx/built-in" "net"
printf '%-8s | %7s %9s | %7s %9s | %7s %9s | %7s %9s | %6s %6s | %4s\n' mode "time s" "RSS kB" "time s" "RSS kB" \
    "time s" "RSS kB" "time s" "RSS kB" time RSS time
for mode in summary verbose; do
    s=smtpx/$mode b=builtin/$mode f=floor/$mode d=data/$mode
    printf '%-8s | %7.2f %9d | %7.2f %9d | %7.2f %9d | %7.2f %9d | %6s %6s | %4s\n' "$mode" \
        "${T[$s]}" "${M[$s]}" "${T[$b]}" "${M[$b]}" "${T[$f]}" "${M[$f]}" "${T[$d]}" "${M[$d]}" \
        "$(ratio "${T[$s]}" "${T[$b]}")" "$(ratio "${M[$s]}" "${M[$b]}")" "$(net "${T[$s]}" "${T[$b]}" "${T[$d]}")"
done
cat <<'EOT'
summary = tshark -r CAP; verbose = tshark -r CAP -V (output to /dev/null); best of BENCH_RUNS runs.
floor = --disable-protocol smtp, smtpx not loaded (TCP then tries every heuristic dissector on the payload);
payload as data = -d tcp.port==25,data -d tcp.port==587,data, smtpx not loaded (no SMTP, no heuristics).
net = (smtpx - payload as data) / (built-in - payload as data), in time.
EOT
# Each pair met the same machine: the median of their ratios is steadier
# than the ratio of two best times.
for mode in "${!PAIRS[@]}"; do
    echo "$mode: time ratio of each pair (smtpx / built-in): $(echo ${PAIRS[$mode]} | tr ' ' '\n' | sort -n |
        awk '{r[NR] = $1} END {m = NR % 2 ? r[(NR + 1) / 2] : (r[NR / 2] + r[NR / 2 + 1]) / 2;
             printf "median %.2f, range %.2f-%.2f over %d pairs", m, r[1], r[NR], NR}')"
done
