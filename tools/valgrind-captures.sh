#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Run tshark with smtpx under valgrind memcheck over a few test captures and
# report the invalid reads/writes, uses of uninitialised values and definite
# leaks whose stack passes through smtpx.so. Fails if there is any.
#
# Usage: tools/valgrind-captures.sh [CAPTURE...]
#   (default: a few of tests/captures and tests/transcripts, two-pass with -V,
#   attachments saved as Export Objects, and the statistics tree,
#   transactions log and service response time)
# Environment: SMTPX_PLUGIN (default build/smtpx.so, the normal build)
#
# valgrind runs as uid/gid 65534 (tshark ignores personal plugins as root)
# with --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,
# and --keep-debuginfo=yes: Wireshark unloads its plugins before memcheck
# reports leaks, and without it a block smtpx left allocated at exit has no
# smtpx.so frame.
# G_SLICE=always-malloc and WIRESHARK_DEBUG_WMEM_OVERRIDE=simple make every
# GLib and wmem allocation a malloc block of its own, so memcheck can tell
# where one ends. Errors inside libwireshark/GLib with no smtpx.so frame are
# counted and shown separately: they are not ours.
# tools/valgrind-stats-tree.supp suppresses one leak that is tshark's: it
# never frees a -z NAME,tree statistics tree (Wireshark's own trees too), and
# memcheck may name a node smtpx ticked as the head of that lost tree.
set -euo pipefail

cd "$(dirname "$0")/.."
plugin=${SMTPX_PLUGIN:-$PWD/build/smtpx.so}
[ -f "$plugin" ] || { echo "smtpx plugin not found at $plugin (build it, or set SMTPX_PLUGIN)" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "valgrind missing: apt-get install valgrind" >&2; exit 2; }

work=$(mktemp -d /tmp/smtpx-valgrind.XXXXXX)
trap 'rm -rf "$work"' EXIT
home=$work/home
mkdir -p "$home/.local/lib/wireshark/plugins/4.0/epan" "$work/no-plugins" "$work/caps" "$work/logs"
cp "$plugin" "$home/.local/lib/wireshark/plugins/4.0/epan/smtpx.so"
cp tools/valgrind-stats-tree.supp "$work/"

if [ $# -gt 0 ]; then
    for f in "$@"; do cp "$f" "$work/caps/"; done
else
    cp tests/captures/postfix_swaks_pipelining.pcapng tests/captures/lab_postfix_auth_login.pcap \
       tests/captures/postfix_bdat.pcapng tests/captures/aiosmtpd_slam.pcapng \
       tests/captures/tls_starttls_injection_discarded.pcapng "$work/caps/"
    for t in split_lines typed_by_hand auth_mechanisms auth_empty_response message_headers smuggling \
             data_interrupted starttls attachments links log_escaping icmp_quote stream_gap data_before_354 lmtp \
             refusal_reasons forged_helo missing_blank_line slam_lines_as_commands guessing_sessions \
             auth_results bounce heuristic_hello starttls_masked foreign_tls foreign_http proxy_header \
             one_side_server one_side_client param_syntax mime_malformed homograph dates duplicate_headers trace_forged \
             xclient_unlisted return_path dkim_checks arc_chain arc_results lmtp_refused_pipelined lhlo_refused \
             bdat_refusals bdat_syntax bdat_refused_midchunk bdat_bare_cr reply_tiny_segments tls_before_220 \
             midstream_in_data midstream_in_bdat held_line_gap lost_replies bdat_pipelined_two data_pipelined_two \
             auth_login_pipelined nested_mail typed_message txn_findings auth_gaps auth_again hello_refused \
             starttls_cleartext exchange_verbs smtputf8_headers enhanced_meaning open_relay_literals \
             txn_abandoned txn_abandoned_pipelined auth_typed_in_clear typing_slips line_end_slips \
             lost_end_of_data lost_end_pipelined header_gap telnet_keys nested_mail_pipelined; do
        [ -f "tests/transcripts/$t.txt" ] &&
            python3 tools/transcript2pcap.py "tests/transcripts/$t.txt" "$work/caps/transcript-$t.pcap"
    done
fi
chmod -R a+rX "$work"
chmod 777 "$work/logs"

priv=()
[ "$(id -u)" -eq 0 ] && priv=(setpriv --reuid=65534 --regid=65534 --clear-groups)
total_ours=0 total_other=0 failed=0
for cap in "$work"/caps/*; do
    name=$(basename "$cap")
    xml=$work/logs/$name.xml
    rc=0
    "${priv[@]}" env -i PATH=/usr/bin:/bin HOME="$home" WIRESHARK_PLUGIN_DIR="$work/no-plugins" \
        TZ=UTC LC_ALL=C.UTF-8 G_SLICE=always-malloc WIRESHARK_DEBUG_WMEM_OVERRIDE=simple \
        valgrind --tool=memcheck --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite --keep-debuginfo=yes \
            --show-leak-kinds=definite --num-callers=40 --suppressions="$work/valgrind-stats-tree.supp" \
            --xml=yes --xml-file="$xml" \
        tshark -r "$cap" -2 -V --export-objects "smtpx,$work/logs/$name.files" \
            -z smtpx,tree -z smtpx,transactions -z smtpx,sessions -z "smtpx,sessions,smtpx.rsp.code >= 400" \
            -z smtpx,srt >/dev/null \
        2>"$work/logs/$name.stderr" || rc=$?
    # Sort memcheck's errors into those with a smtpx.so frame and the rest.
    read -r ours other other_kinds < <(python3 - "$xml" "$work/logs/$name.ours" <<'PY'
import sys
import xml.etree.ElementTree as ET

import collections
ours, other, out = 0, 0, []
kinds = collections.Counter()
for err in ET.parse(sys.argv[1]).getroot().iter("error"):
    kind = err.findtext("kind")
    frames = [(f.findtext("obj") or "", f.findtext("fn") or "?", f.findtext("file") or "", f.findtext("line") or "")
              for f in err.iter("frame")]
    if any(obj.endswith("/smtpx.so") for obj, *_ in frames):
        ours += 1
        what = err.findtext("what") or (err.find("xwhat").findtext("text") if err.find("xwhat") is not None else kind)
        out.append(f"{kind}: {what}")
        for obj, fn, file, line in frames[:15]:
            out.append(f"    {fn} ({file}:{line})" if file else f"    {fn} ({obj})")
    else:
        other += 1
        kinds[kind] += 1
open(sys.argv[2], "w").write("\n".join(out) + ("\n" if out else ""))
print(ours, other, ",".join(f"{k}:{n}" for k, n in sorted(kinds.items())) or "-")
PY
)
    total_ours=$((total_ours + ours)) total_other=$((total_other + other))
    status=ok
    if [ "$ours" -gt 0 ]; then
        status="FAIL ($ours errors through smtpx.so)"
        failed=1
    elif [ "$rc" -ne 0 ] && ! { [ "$rc" -eq 1 ] && [ "$other" -gt 0 ]; }; then
        status="FAIL (exit status $rc)"
        failed=1
    fi
    printf '%-36s smtpx.so: %3d  elsewhere: %3d (%s)  %s\n' "$name" "$ours" "$other" "$other_kinds" "$status"
    [ "$ours" -gt 0 ] && cat "$work/logs/$name.ours"
    if grep -q "Dissector bug" "$work/logs/$name.stderr"; then
        echo "  Dissector bug on stderr:"; grep -m3 "Dissector bug" "$work/logs/$name.stderr"; failed=1
    fi
done
echo "memcheck errors through smtpx.so: $total_ours; in Wireshark/GLib without a smtpx.so frame: $total_other"
exit "$failed"
