#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Capture a scripted SMTP dialogue with real TLS (tools/tls-script.py) on the
# loopback interface, with its TLS keys put in the pcapng (editcap
# --inject-secrets), so tshark decrypts it with no key file.
#
#   usage (as root): tools/capture-tls-script.sh SCRIPT.txt OUT.pcapng [PORT]
#   (scripts: tests/tls_scripts/; PORT default 2525)
set -euo pipefail

script=$(realpath "$1") out=$2 port=${3:-2525}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dumpcap -q -i lo -f "tcp port $port" -w "$work/raw.pcapng" 2>/dev/null &
cap=$!
sleep 1.5
python3 "$here/tls-script.py" "$port" "$script" "$work/keys"
sleep 0.5
kill "$cap"
wait "$cap" 2>/dev/null || true
editcap --inject-secrets "tls,$work/keys" "$work/raw.pcapng" "$out"
chmod a+r "$out"
