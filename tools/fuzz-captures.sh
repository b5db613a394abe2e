#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Run smtpx built with AddressSanitizer + UBSan over every test capture and
# over mutated copies of them; fail on any crash, sanitizer report or
# "Dissector bug".
#
# Usage: tools/fuzz-captures.sh [ROUNDS]   (mutation rounds per capture; default 3)
#
# 1. Builds the plugin in build-asan/ with -fsanitize=address,undefined.
# 2. tshark (not sanitized itself) runs as uid/gid 65534 with the sanitized
#    smtpx.so in a private HOME and LD_PRELOAD=libasan.so (ASan must be the
#    first library loaded), ASAN_OPTIONS=detect_leaks=0:abort_on_error=1.
#    G_SLICE=always-malloc and WIRESHARK_DEBUG_WMEM_OVERRIDE=simple give every
#    GLib/wmem allocation its own malloc block, so ASan sees overruns of them.
# 3. Captures: tests/captures/*.pcap* and tests/transcripts/*.txt (through
#    tools/transcript2pcap.py); each is read one-pass and two-pass (-2), with
#    and without -V, and twice with preferences that take rarer paths
#    (smtpx.max_line:64 with hide_passwords; no TCP reassembly).
# 4. Each round mutates every capture twice with editcap -E 0.02 (payload
#    bytes only: -o 54; and whole frames, truncated with -s to a random snap
#    length), with a seed per mutant, and runs the same four ways under
#    WIRESHARK_DEBUG_WMEM_OVERRIDE=strict (canaries checked on free) and
#    MALLOC_CHECK_=3 (set as asked; glibc ignores it here, since ASan's
#    allocator replaces glibc's malloc).
# LD_PRELOAD of ASan into Debian's tshark works as uid 65534 (tshark is not
# setuid); only `tshark -G plugins` must be avoided: it starts the extcap
# helpers and androiddump hangs under ASan, so the probe uses -G protocols.
# Failing inputs and their stderr are kept in build-asan/fuzz-failures/.
# Environment: JOBS (parallel tshark runs, default nproc), SEED (base, default 1).
set -euo pipefail

cd "$(dirname "$0")/.."
REPO=$PWD
ROUNDS=${1:-3}
JOBS=${JOBS:-$(nproc)}
SEED=${SEED:-1}
case $ROUNDS in ''|*[!0-9]*) echo "usage: $0 [ROUNDS]" >&2; exit 2 ;; esac

san="-fsanitize=address,undefined"
cmake -S . -B build-asan -DBUILD_TESTING=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_FLAGS="$san -fno-omit-frame-pointer" \
    -DCMAKE_SHARED_LINKER_FLAGS="$san" -DCMAKE_MODULE_LINKER_FLAGS="$san" >/dev/null
cmake --build build-asan --target smtpx -j"$(nproc)" >/dev/null
LIBASAN=$(gcc -print-file-name=libasan.so)
[ -f "$LIBASAN" ] || { echo "libasan.so not found (gcc -print-file-name=libasan.so)" >&2; exit 2; }

work=$(mktemp -d /tmp/smtpx-fuzzcap.XXXXXX)
trap 'rm -rf "$work"' EXIT
home=$work/home
mkdir -p "$home/.local/lib/wireshark/plugins/4.0/epan" "$work/no-plugins" "$work/caps" "$work/results"
cp build-asan/smtpx.so "$home/.local/lib/wireshark/plugins/4.0/epan/smtpx.so"
failures_dir=$REPO/build-asan/fuzz-failures
rm -rf "$failures_dir"
mkdir -p "$failures_dir"

# tshark ARGS... as uid 65534 with the sanitized plugin; extra env in $EXTRA_ENV
cat >"$work/tshark-asan" <<EOS
#!/usr/bin/env bash
priv=()
[ "\$(id -u)" -eq 0 ] && priv=(setpriv --reuid=65534 --regid=65534 --clear-groups)
exec "\${priv[@]}" env -i PATH=/usr/bin:/bin HOME="$home" WIRESHARK_PLUGIN_DIR="$work/no-plugins" \\
    TZ=UTC LC_ALL=C.UTF-8 LD_PRELOAD="$LIBASAN" G_SLICE=always-malloc \\
    ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:symbolize=1 \\
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \\
    \${EXTRA_ENV:-WIRESHARK_DEBUG_WMEM_OVERRIDE=simple} tshark "\$@"
EOS
chmod -R a+rX "$work"
chmod 755 "$work/tshark-asan"

# Does tshark come up with ASan preloaded, and does it register the sanitized
# smtpx (which cannot load without the ASan runtime)? -G protocols, not
# -G plugins: the latter starts the extcap helpers, and androiddump hangs
# under LD_PRELOAD=libasan.so.
probe=$(timeout 120 "$work/tshark-asan" -G protocols 2>"$work/probe.err") \
    || { echo "tshark with LD_PRELOAD=$LIBASAN failed:" >&2; head -20 "$work/probe.err" >&2; exit 1; }
echo "$probe" | awk -F'\t' '$3 == "smtpx"' | grep -q . \
    || { echo "the sanitized smtpx.so did not register smtpx:" >&2; head -20 "$work/probe.err" >&2; exit 1; }

# Inputs: real captures and transcripts
for f in tests/captures/*.pcap*; do cp "$f" "$work/caps/"; done
for t in tests/transcripts/*.txt; do
    python3 tools/transcript2pcap.py "$t" "$work/caps/transcript-$(basename "$t" .txt).pcap"
done
originals=("$work"/caps/*)

# Mutants: two per round and capture
mkdir -p "$work/mut"
frames_mutated=0
n=0
for f in "${originals[@]}"; do
    base=$(basename "$f"); base=${base%%.*}
    # editcap 4.0 cannot rewrite a pcapng whose decryption secrets block comes
    # before the interface block; tshark -w writes it in an order editcap takes.
    src=$f
    if ! editcap "$f" "$work/probe.pcapng" 2>/dev/null; then
        src=$work/norm-$base.pcapng
        tshark -r "$f" -F pcapng -w "$src" 2>/dev/null
    fi
    for ((r = 0; r < ROUNDS; r++)); do
        s1=$((SEED + 2 * r)) s2=$((SEED + 2 * r + 1))
        snap=$((60 + (s2 * 7919 + n) % 1400))
        editcap -E 0.02 -o 54 --seed "$s1" "$src" "$work/mut/$base.payload-s$s1.pcapng"
        editcap -E 0.02 -s "$snap" --seed "$s2" "$src" "$work/mut/$base.frame-s$s2-snap$snap.pcapng"
        n=$((n + 1))
    done
done
mutants=("$work"/mut/*)
for m in "${mutants[@]}"; do
    frames_mutated=$((frames_mutated + $(capinfos -c -M "$m" | awk -F: '/Number of packets/ {gsub(/ /, "", $2); print $2}')))
done
chmod -R a+rX "$work"

# One tshark run: CAPTURE KIND(original|mutant) FLAGS...
run_one() {
    local cap=$1 kind=$2; shift 2
    local tag
    tag="$(basename "$cap")$(printf '_%s' "$@" | tr -d ' -')"
    local err=$work/results/$tag.err env_extra=""
    [ "$kind" = mutant ] && env_extra="WIRESHARK_DEBUG_WMEM_OVERRIDE=strict MALLOC_CHECK_=3"
    local rc=0
    EXTRA_ENV=$env_extra timeout -s KILL 600 "$work/tshark-asan" -r "$cap" "$@" >/dev/null 2>"$err" || rc=$?
    local why=""
    [ $rc -ne 0 ] && why="exit status $rc"
    grep -qE "ERROR: AddressSanitizer|runtime error:|SUMMARY: (Address|Undefined)|Dissector bug|\*\* \(tshark:[0-9]+\).*(CRITICAL|ERROR)" "$err" \
        && why="${why:+$why; }report on stderr"
    if [ -n "$why" ]; then
        echo "FAIL $tag: $why" >"$work/results/$tag.fail"
        cp "$cap" "$failures_dir/"
        cp "$err" "$failures_dir/$tag.stderr"
        echo "FAIL tshark -r $(basename "$cap") $* ($why)" >&2
    fi
    echo ok >"$work/results/$tag.done"
}
export -f run_one
export work failures_dir

# Each capture is read the four ways, and twice more with preferences that
# send most lines down rarer paths: lines cut at 64 bytes with passwords
# hidden, and TCP reassembly switched off (lines cut at every segment end).
flag_sets=("" "-2" "-V" "-2 -V" "-2 -V -o smtpx.max_line:64 -o smtpx.hide_passwords:TRUE"
           "-V -o tcp.desegment_tcp_streams:FALSE")
jobs_file=$work/jobs
: >"$jobs_file"
for f in "${originals[@]}"; do
    for flags in "${flag_sets[@]}"; do echo "$f original${flags:+ $flags}" >>"$jobs_file"; done
done
for f in "${mutants[@]}"; do
    for flags in "${flag_sets[@]}"; do echo "$f mutant${flags:+ $flags}" >>"$jobs_file"; done
done
runs=$(wc -l <"$jobs_file")
echo "captures: ${#originals[@]} originals, ${#mutants[@]} mutants ($frames_mutated frames); $runs tshark runs, $JOBS at a time" >&2
# (no line ends in a blank: xargs -L would join it with the next one)
xargs -P "$JOBS" -L 1 bash -c 'run_one "$@"' _ <"$jobs_file"

done_runs=$(find "$work/results" -name '*.done' | wc -l)
failed=$(find "$work/results" -name '*.fail' | wc -l)
if [ "$failed" -gt 0 ]; then
    # one line per distinct report: the sanitizer's summary and the first frame in the plugin
    echo "distinct reports (runs):"
    for e in "$failures_dir"/*.stderr; do
        sum=$(grep -m1 -oE "SUMMARY: [A-Za-z]+: [a-z-]+|runtime error: .*|Dissector bug.*" "$e" | head -c 120 || true)
        frame=$(grep -m1 -oE "in [A-Za-z_0-9]+ [^ ]*/plugin/[^ ]+" "$e" || true)
        echo "${sum:-exit status only} | ${frame:-no plugin frame}"
    done | sort | uniq -c | sort -rn
fi
echo "frames mutated: $frames_mutated; runs: $done_runs of $runs; failures: $failed"
[ "$failed" -eq 0 ] && [ "$done_runs" -eq "$runs" ] || { echo "failing inputs and stderr: $failures_dir" >&2; exit 1; }
rmdir "$failures_dir" 2>/dev/null || true
