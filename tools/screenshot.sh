#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Take the screenshot in docs/screenshot.png: the Wireshark GUI under Xvfb
# with the "SMTP Classroom" profile, the "Ilon Mask" lab capture
# (tests/captures/lab5_ilon_mask.pcap) filtered on smtpx, and frame 153 (the
# header block of the forged message: header From, display name, Subject and
# the spoofed_from finding) selected with its smtpx tree expanded.
#
#   usage: tools/screenshot.sh [OUT.png]      (default: docs/screenshot.png)
#
# Environment:
#   SMTPX_PLUGIN   built smtpx.so (default: <repo>/build/smtpx.so)
#   SMTPX_FRAME    frame to show (default: 153; 51 is MAIL FROM without brackets)
#
# Needs the Debian packages wireshark-qt, xvfb, xdotool and imagemagick
# (pngquant, if installed, makes the PNG about three times smaller).
#
# Wireshark ignores personal plugins when run as root, so as root the GUI runs
# as uid/gid 65534 (setpriv); either way it gets a private, world-readable
# HOME holding the plugin in ~/.local/lib/wireshark/plugins/4.0/epan/ and the
# profile, and WIRESHARK_PLUGIN_DIR points at an empty folder so that a
# system-wide smtpx.so cannot shadow the build. Nothing outside a temporary
# folder is touched except OUT.png; Xvfb and Wireshark are stopped on exit.
set -euo pipefail
trap 'echo "screenshot.sh: failed at line $LINENO: $BASH_COMMAND" >&2' ERR

die() { echo "screenshot.sh: $*" >&2; exit 1; }

[ $# -le 1 ] || { sed -n '10,14p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
repo=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$repo/docs/screenshot.png}
plugin=${SMTPX_PLUGIN:-$repo/build/smtpx.so}
frame=${SMTPX_FRAME:-153}
capture=$repo/tests/captures/lab5_ilon_mask.pcap
profile="SMTP Classroom"
width=1600 height=1000
# Height of the packet list pane: the 19 smtpx packets of the capture fit.
upper_pane=370
# A point on the third row of the packet details pane (just below the packet
# list) for the layout above: clicking any of the protocol rows focuses the
# tree; End then selects the last one, smtpx.
click_x=300 click_y=505

case $frame in ''|*[!0-9]*) die "SMTPX_FRAME must be a frame number" ;; esac
for tool in Xvfb wireshark xdotool import; do
    command -v "$tool" >/dev/null ||
        die "$tool is not installed (apt-get install wireshark-qt xvfb xdotool imagemagick)"
done
[ -f "$plugin" ] || die "smtpx plugin not found at $plugin: build it (cmake --build build) or set SMTPX_PLUGIN"
[ -f "$capture" ] || die "capture not found: $capture"
mkdir -p "$(dirname "$out")"
out=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")

priv=()
[ "$(id -u)" -eq 0 ] && priv=(setpriv --reuid=65534 --regid=65534 --clear-groups)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/smtpx-screenshot.XXXXXX")
xvfb_pid='' ws_pid=''
cleanup() {
    [ -n "$ws_pid" ] && kill "$ws_pid" 2>/dev/null
    [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null
    wait 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

# ---- private HOME: plugin, profile, window layout ---------------------------
home=$tmp/home
plugdir=$home/.local/lib/wireshark/plugins/4.0/epan
confdir=$home/.config/wireshark
mkdir -p "$plugdir" "$confdir/profiles" "$tmp/no-global-plugins"
cp "$plugin" "$plugdir/smtpx.so"
cp -r "$repo/profiles/$profile" "$confdir/profiles/"
cp "$capture" "$tmp/"
cat >"$confdir/recent_common" <<EOF
gui.geometry_main_x: 0
gui.geometry_main_y: 0
gui.geometry_main_width: $width
gui.geometry_main_height: $height
gui.geometry_main_maximized: FALSE
privs.warn_if_elevated: FALSE
EOF
# Packet list and details only (no bytes pane), column widths for 1600 pixels.
cat >"$confdir/profiles/$profile/recent" <<EOF
gui.byte_view_show: FALSE
gui.packet_diagram_show: FALSE
gui.geometry_main_upper_pane: $upper_pane
column.width:
	%m, 55,
	%t, 80,
	%s, 120,
	%d, 120,
	%p, 80,
	"%Cus:smtpx.req.command", 80,
	"%Cus:smtpx.rsp.code", 170,
	"%Cus:smtpx.rsp.enhanced", 70,
	"%Cus:smtpx.auth.username", 80,
	"%Cus:smtpx.envelope.sender", 125,
	"%Cus:smtpx.header.from", 120,
	%i, 480
EOF
mkdir "$home/runtime"   # XDG_RUNTIME_DIR: Qt wants it private to the user
chmod -R a+rX "$tmp"
chmod 700 "$home/runtime"
[ ${#priv[@]} -eq 0 ] || chown -R 65534:65534 "$home"
# uid 65534 must reach every folder above the private HOME
[ ${#priv[@]} -eq 0 ] || "${priv[@]}" test -r "$plugdir/smtpx.so" ||
    die "$tmp is not reachable by uid 65534; set TMPDIR=/tmp"

run_as_user() {
    "${priv[@]}" env -u XAUTHORITY HOME="$home" XDG_RUNTIME_DIR="$home/runtime" \
        WIRESHARK_PLUGIN_DIR="$tmp/no-global-plugins" "$@"
}

if command -v tshark >/dev/null; then
    protocols=$(run_as_user tshark -G protocols 2>/dev/null | cut -f3)
    grep -qx smtpx <<<"$protocols" ||
        die "Wireshark does not load $plugin (built for another Wireshark version?)"
fi

# ---- X server ---------------------------------------------------------------
# -displayfd: Xvfb picks a free display number and writes it to fd 3.
# Local clients only (-nolisten tcp); -ac so that uid 65534 may connect.
Xvfb -displayfd 3 -screen 0 "${width}x${height}x24" -nolisten tcp -ac \
    3>"$tmp/display" >"$tmp/xvfb.log" 2>&1 &
xvfb_pid=$!
for _ in $(seq 100); do
    [ -s "$tmp/display" ] && break
    kill -0 "$xvfb_pid" 2>/dev/null || die "Xvfb did not start: $(cat "$tmp/xvfb.log")"
    sleep 0.1
done
[ -s "$tmp/display" ] || die "Xvfb did not start within 10 s"
DISPLAY=:$(tr -dc 0-9 <"$tmp/display")
export DISPLAY

# Wait until the screen has not changed for a second (at most $1 half-seconds).
settle() {
    local prev='' cur same=0
    for _ in $(seq "$1"); do
        sleep 0.5
        cur=$(import -window root rgb:- 2>/dev/null | md5sum)
        if [ "$cur" = "$prev" ]; then
            same=$((same + 1))
            [ "$same" -ge 2 ] && return 0
        else
            same=0
        fi
        prev=$cur
    done
    echo "screenshot.sh: warning: the screen was still changing" >&2
}

# ---- Wireshark ----------------------------------------------------------------
run_as_user DISPLAY="$DISPLAY" wireshark -C "$profile" \
    -o gui.ask_unsaved:FALSE \
    -r "$tmp/$(basename "$capture")" -Y smtpx -g "$frame" \
    >"$tmp/wireshark.log" 2>&1 &
ws_pid=$!
name=$(basename "$capture")
win=''
for _ in $(seq 120); do
    win=$(xdotool search --name "$name" 2>/dev/null | head -n1) && [ -n "$win" ] && break
    kill -0 "$ws_pid" 2>/dev/null || die "wireshark exited: $(tail -n5 "$tmp/wireshark.log")"
    sleep 0.5
done
[ -n "$win" ] || die "no Wireshark window with $name after 60 s"
xdotool windowmove --sync "$win" 0 0 windowsize --sync "$win" "$width" "$height" 2>/dev/null || true
settle 20

# Expand the smtpx tree of the selected packet: focus the details tree, select
# its last top-level item (smtpx), View > Expand Subtrees (Shift+Right).
xdotool windowfocus --sync "$win" 2>/dev/null || true
xdotool mousemove "$click_x" "$click_y" click 1
sleep 0.3
xdotool key End
sleep 0.3
xdotool key shift+Right
xdotool mousemove "$((width - 1))" "$((height - 1))"   # no hover highlight
settle 20

import -window root "$tmp/shot.png"
if command -v pngquant >/dev/null; then
    pngquant --force --strip --output "$tmp/small.png" 256 "$tmp/shot.png"
    mv "$tmp/small.png" "$tmp/shot.png"
else
    convert "$tmp/shot.png" -strip "$tmp/shot.png"
fi
cp "$tmp/shot.png" "$out"
chmod 644 "$out"
echo "screenshot.sh: wrote $out ($(stat -c %s "$out") bytes)"
