#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Fuzz the epan-free protocol core with libFuzzer (ASan + UBSan).
#
# Usage: tools/fuzz.sh [SECONDS]   (per target; default 30)
#
# Configures build-fuzz/ with clang and -DSMTPX_FUZZ=ON (cmake/SmtpxFuzz.cmake),
# builds tests/fuzz/fuzz_*.c, then runs each target for SECONDS on a copy of
# its seed corpus (tests/fuzz/corpus/<target>/; the committed seeds are never
# written to). Fails on any crash, sanitizer report, contract violation or
# timeout; the input that did it is kept in build-fuzz/artifacts/.
# Needs the Debian packages clang and libclang-rt-14-dev.
set -euo pipefail

cd "$(dirname "$0")/.."
SECONDS_PER_TARGET=${1:-30}
TARGETS=(fuzz_lines fuzz_grammar fuzz_sasl fuzz_imf fuzz_mime)
BUILD=build-fuzz

case $SECONDS_PER_TARGET in
    ''|*[!0-9]*|0) echo "usage: $0 [SECONDS]  (a positive whole number)" >&2; exit 2 ;;
esac
command -v clang >/dev/null || { echo "clang not found: apt-get install clang libclang-rt-14-dev" >&2; exit 2; }

CC=clang cmake -S . -B "$BUILD" -DSMTPX_FUZZ=ON -DBUILD_TESTING=OFF >"$BUILD.configure.log" 2>&1 \
    || { cat "$BUILD.configure.log" >&2; exit 1; }
rm -f "$BUILD.configure.log"
cmake --build "$BUILD" --target "${TARGETS[@]}" -j"$(nproc)" >/dev/null

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$BUILD/artifacts"
failed=0
declare -A execs rate status
for t in "${TARGETS[@]}"; do
    mkdir -p "$work/$t"
    cp tests/fuzz/corpus/"$t"/* "$work/$t/"
    log="$BUILD/artifacts/$t.log"
    echo "== $t: ${SECONDS_PER_TARGET}s" >&2
    set +e
    "$BUILD/fuzz/$t" -max_len=4096 -max_total_time="$SECONDS_PER_TARGET" -timeout=10 \
        -print_final_stats=1 -artifact_prefix="$BUILD/artifacts/$t-" "$work/$t" >"$log" 2>&1
    rc=$?
    set -e
    n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    execs[$t]=${n:-?}
    rate[$t]=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    if [ "$rc" -ne 0 ] || grep -qE '^(==[0-9]+==ERROR|SUMMARY: )|runtime error:|contract broken' "$log"; then
        status[$t]=FAIL
        failed=1
        echo "$t FAILED (exit $rc); log: $log" >&2
        grep -E 'ERROR|SUMMARY|runtime error|contract broken|Test unit written|Base64:' "$log" >&2 || true
    else
        status[$t]=ok
    fi
done

printf '\n%-14s %14s %12s %10s  %s\n' target executions "execs/s" corpus result
for t in "${TARGETS[@]}"; do
    printf '%-14s %14s %12s %10s  %s\n' "$t" "${execs[$t]}" "${rate[$t]:-?}" \
        "$(find "$work/$t" -type f | wc -l)" "${status[$t]}"
done
exit "$failed"
