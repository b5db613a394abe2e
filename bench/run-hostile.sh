#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Run smtpx over the hostile captures of bench/hostile.py, at half and at
# full size, and record wall time and peak RSS (one-pass summary and -V; the
# built-in smtp dissector in summary mode for comparison). Fails if tshark
# crashes, times out, or reports "Dissector bug" (or a GLib critical) on
# stderr or in the summary output.
#
# The "growth" columns compare full size with half size after subtracting
# tshark's start-up (time and RSS on a one-session capture): about 2.0 means
# linear in the input; RSS growth near 0 means memory bounded by the
# max_line / max_message preferences rather than by the input.
#
# Usage: bench/run-hostile.sh [DIR]   (captures are made in DIR if missing;
#                                      default /tmp/smtpx-hostile)
# Environment: SMTPX_PLUGIN (default build/smtpx.so),
#              BENCH_TIMEOUT seconds per smtpx run (default 900; past it: failure),
#              HOSTILE_BUILTIN_TIMEOUT seconds per built-in run (default 300; shown as >N),
#              HOSTILE_ONLY "name name..." to run some captures only,
#              HOSTILE_SCALE to scale both sizes (default 1; 0.02 for a quick check).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
dir=${1:-/tmp/smtpx-hostile}
plugin=${SMTPX_PLUGIN:-$here/../build/smtpx.so}
export BENCH_TIMEOUT=${BENCH_TIMEOUT:-900}
builtin_timeout=${HOSTILE_BUILTIN_TIMEOUT:-300}
names=(${HOSTILE_ONLY:-long_line data_no_end tiny_segments tiny_lines tiny_long_lines pipelined_100k reply_1m_lines reply_tiny_segments auth_10mb header_flood mime_flood dkim_flood})

k=${HOSTILE_SCALE:-1}
half=$(awk "BEGIN {print 0.5 * $k}") full=$(awk "BEGIN {print 1 * $k}")

bench_setup "$plugin"
trap 'rm -rf "$BENCH_TMP"' EXIT
for scale in $half $full; do
    mkdir -p "$dir/$scale"
    missing=()
    for n in "${names[@]}"; do [ -f "$dir/$scale/$n.pcap" ] || missing+=("$n"); done
    [ ${#missing[@]} -eq 0 ] || python3 "$here/hostile.py" "$dir/$scale" --scale "$scale" --only "${missing[@]}"
done
chmod -R a+rX "$dir"
python3 "$here/gen_capture.py" --sessions 1 --telnet-share 0 "$BENCH_TMP/one.pcap" 2>/dev/null
chmod 644 "$BENCH_TMP/one.pcap"

failed=0
check() {   # NAME: fails on crash, timeout or a problem on stderr
    local name=$1 why=""
    [ "$BRC" -eq 124 ] || [ "$BRC" -eq 137 ] && why="timeout after ${BENCH_TIMEOUT}s"
    [ -z "$why" ] && [ "$BRC" -ne 0 ] && why="exit status $BRC"
    [ -z "$why" ] && [ -n "$(bench_problems)" ] && why="problem on stderr"
    if [ -n "$why" ]; then
        failed=1
        echo "FAIL $name: $why" >&2
        tail -5 "$BENCH_TMP/stderr" >&2
    fi
}

bench_time "$TMPHOME" -r "$BENCH_TMP/one.pcap"
T0=$BT M0=$BM
echo "start-up (one session): ${T0} s, ${M0} kB" >&2

declare -A T M
for n in "${names[@]}"; do
    for scale in $half $full; do
        cap=$dir/$scale/$n.pcap
        # summary: stdout is searched for "Dissector bug" in the Info column
        set +e
        /usr/bin/time -f "%e %M" -o "$BENCH_TMP/time" "$BENCH_TMP/tshark-as" "$TMPHOME" -r "$cap" \
            2>"$BENCH_TMP/stderr" | grep -F "Dissector bug" | head -3 >"$BENCH_TMP/bugs"
        BRC=${PIPESTATUS[0]}
        set -e
        read -r BT BM < <(tail -1 "$BENCH_TMP/time")
        grep -q "terminated by signal" "$BENCH_TMP/time" && BRC=128
        [ -s "$BENCH_TMP/bugs" ] && cat "$BENCH_TMP/bugs" >>"$BENCH_TMP/stderr"
        check "$n x$scale (summary)"
        T[$n/$scale/s]=$BT M[$n/$scale/s]=$BM
        bench_time "$TMPHOME" -r "$cap" -V
        check "$n x$scale (-V)"
        T[$n/$scale/v]=$BT M[$n/$scale/v]=$BM
        BENCH_TIMEOUT=$builtin_timeout bench_time "$BAREHOME" -r "$cap"
        if [ "$BRC" -ne 0 ]; then BT=">$builtin_timeout" BM="-"; fi    # not ours: recorded, not failed
        T[$n/$scale/b]=$BT M[$n/$scale/b]=$BM
        printf '  %-15s x%-4s smtpx %7.2f s %8d kB | -V %7.2f s %8d kB | built-in %7s s %8s kB\n' "$n" "$scale" \
            "${T[$n/$scale/s]}" "${M[$n/$scale/s]}" "${T[$n/$scale/v]}" "${M[$n/$scale/v]}" "$BT" "$BM" >&2
    done
done

# growth FULL HALF BASE MIN: (FULL - BASE) / (HALF - BASE), or ~0 when HALF - BASE < MIN
growth() { awk "BEGIN {d = $2 - $3; if (d >= $4) printf \"%.2f\", ($1 - $3) / d; else printf \"~0\"}"; }
echo
printf '%-15s %9s | %8s %9s %6s %6s | %8s %9s | %8s %9s\n' "" "" "smtpx" "" "growth" "" "smtpx -V" "" "built-in" ""
printf '%-15s %9s | %8s %9s %6s %6s | %8s %9s | %8s %9s\n' capture "size" "time s" "RSS kB" time RSS "time s" "RSS kB" "time s" "RSS kB"
for n in "${names[@]}"; do
    size=$(du -h "$dir/$full/$n.pcap" | cut -f1)
    printf '%-15s %9s | %8.2f %9d %6s %6s | %8.2f %9d | %8s %9s\n' "$n" "$size" \
        "${T[$n/$full/s]}" "${M[$n/$full/s]}" \
        "$(growth "${T[$n/$full/s]}" "${T[$n/$half/s]}" "$T0" 0.2)" "$(growth "${M[$n/$full/s]}" "${M[$n/$half/s]}" "$M0" 5000)" \
        "${T[$n/$full/v]}" "${M[$n/$full/v]}" "${T[$n/$full/b]}" "${M[$n/$full/b]}"
done
echo "growth = (full - start-up) / (half - start-up): 2.0 is linear; ~0: half size is within 0.2 s / 5 MB of start-up"
[ "$failed" -eq 0 ] && echo "hostile: no crash, timeout or dissector bug" || echo "hostile: FAILED" >&2
exit "$failed"
