# SPDX-License-Identifier: GPL-2.0-or-later
# Shared by bench/run.sh and bench/run-hostile.sh (sourced, not run).
#
# tshark runs as uid/gid 65534 when we are root (root's tshark ignores
# personal plugins) with a private HOME: $TMPHOME has smtpx.so in
# ~/.local/lib/wireshark/plugins/4.0/epan/, $BAREHOME has no plugin.
# WIRESHARK_PLUGIN_DIR points at an empty folder, so a system-wide smtpx.so
# is never loaded.

# bench_setup PLUGIN: makes $BENCH_TMP, $TMPHOME, $BAREHOME and the wrapper
# $BENCH_TMP/tshark-as HOME ARGS... (exec's tshark, so /usr/bin/time measures
# tshark itself); checks that only $TMPHOME loads the plugin.
bench_setup() {
    local plugin=$1
    [ -f "$plugin" ] || { echo "smtpx plugin not found at $plugin (build it, or set SMTPX_PLUGIN)" >&2; return 2; }
    [ -x /usr/bin/time ] || { echo "/usr/bin/time missing: apt-get install time" >&2; return 2; }
    BENCH_TMP=$(mktemp -d /tmp/smtpx-bench.XXXXXX)
    TMPHOME=$BENCH_TMP/home
    BAREHOME=$BENCH_TMP/bare
    mkdir -p "$TMPHOME/.local/lib/wireshark/plugins/4.0/epan" "$BAREHOME" "$BENCH_TMP/no-plugins"
    cp "$plugin" "$TMPHOME/.local/lib/wireshark/plugins/4.0/epan/smtpx.so"
    cat >"$BENCH_TMP/tshark-as" <<EOS
#!/usr/bin/env bash
home=\$1; shift
priv=()
[ "\$(id -u)" -eq 0 ] && priv=(setpriv --reuid=65534 --regid=65534 --clear-groups)
exec "\${priv[@]}" env -i PATH=/usr/bin:/bin HOME="\$home" WIRESHARK_PLUGIN_DIR="$BENCH_TMP/no-plugins" \\
    TZ=UTC LC_ALL=C.UTF-8 \${BENCH_ENV:-} tshark "\$@"
EOS
    chmod -R a+rX "$BENCH_TMP"
    chmod 755 "$BENCH_TMP/tshark-as"

    local want=$TMPHOME/.local/lib/wireshark/plugins/4.0/epan/smtpx.so got
    got=$(bench_loaded "$TMPHOME")
    [ "$got" = "$want" ] || { echo "tshark did not load $want (got: ${got:-nothing})" >&2; return 1; }
    got=$(bench_loaded "$BAREHOME")
    [ -z "$got" ] || { echo "smtpx.so is loaded without the plugin HOME, from $got: remove that copy" >&2; return 1; }
}

# Path of every smtpx.so tshark loads with HOME=$1.
bench_loaded() {
    "$BENCH_TMP/tshark-as" "$1" -G plugins 2>/dev/null |
        awk -F'\t' '{n = $1; sub(/ +$/, "", n)} n == "smtpx.so" {print $NF}'
}

# A path of FILE that uid 65534 can read (a copy under $BENCH_TMP if needed).
bench_readable() {
    local f
    f=$(readlink -f "$1")
    if [ "$(id -u)" -eq 0 ] && ! setpriv --reuid=65534 --regid=65534 --clear-groups test -r "$f"; then
        cp "$f" "$BENCH_TMP/$(basename "$f")" && chmod 644 "$BENCH_TMP/$(basename "$f")"
        f=$BENCH_TMP/$(basename "$f")
    fi
    echo "$f"
}

# bench_time HOME ARGS...: runs tshark once, stdout to /dev/null, stderr to
# $BENCH_TMP/stderr; sets BT (wall seconds), BM (peak RSS kB) and BRC (exit
# status: 124 on timeout after ${BENCH_TIMEOUT:-0} seconds, 0 = none).
# With BENCH_CPU set, tshark runs on that CPU only (taskset).
# With BENCH_TAG set, its files are $BENCH_TMP/time$BENCH_TAG and
# $BENCH_TMP/stderr$BENCH_TAG, so that two runs can go at once.
bench_time() {
    local home=$1; shift
    local to=() tf=$BENCH_TMP/time${BENCH_TAG:-}
    [ "${BENCH_TIMEOUT:-0}" -gt 0 ] && to=(timeout -s KILL "$BENCH_TIMEOUT")
    [ -n "${BENCH_CPU:-}" ] && to+=(taskset -c "$BENCH_CPU")
    BRC=0
    "${to[@]}" /usr/bin/time -f "%e %M" -o "$tf" "$BENCH_TMP/tshark-as" "$home" "$@" \
        >/dev/null 2>"$BENCH_TMP/stderr${BENCH_TAG:-}" || BRC=$?
    if [ -s "$tf" ]; then
        read -r BT BM < <(tail -1 "$tf")
    else
        BT=0 BM=0
    fi
    # a tshark killed by a signal: /usr/bin/time says "Command terminated by signal N"
    if grep -q "terminated by signal" "$tf" 2>/dev/null; then
        [ "$BRC" -ne 0 ] || BRC=128
    fi
    rm -f "$tf"
    return 0
}

# Lines of the last run's stderr that show a dissector problem.
bench_problems() {
    grep -E "Dissector bug|\*\* \(tshark:[0-9]+\).*(CRITICAL|ERROR)|AddressSanitizer|runtime error" \
        "$BENCH_TMP/stderr${BENCH_TAG:-}" | head -5 || true
}
