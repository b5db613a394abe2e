#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Fresh Debian 12 machine: install the packages, build smtpx, install it and
# show it dissecting a classroom capture. Root installs system-wide (root's
# tshark ignores personal plugins); other users get ~/.local/lib/wireshark.
set -euo pipefail
cd "$(dirname "$0")/.."
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo -E"

export DEBIAN_FRONTEND=noninteractive
echo "postfix postfix/main_mailer_type select Local only" | $sudo debconf-set-selections
echo "postfix postfix/mailname string smtpx.test" | $sudo debconf-set-selections
echo "wireshark-common wireshark-common/install-setuid boolean false" | $sudo debconf-set-selections
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends $(grep -v '^#' tools/debian-packages.txt) >/dev/null

cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)"
if [ -z "$sudo" ]; then
    cmake --install build
else
    cmake --build build --target install-user
fi
tshark -G plugins 2>/dev/null | grep smtpx

echo
echo "== tests/captures/lab5_ilon_mask.pcap: the 'Ilon Mask' lab typed over telnet =="
tshark -r tests/captures/lab5_ilon_mask.pcap -Y smtpx 2>/dev/null
echo
echo "== the forged message's MAIL FROM, as smtpx decodes it =="
tshark -r tests/captures/lab5_ilon_mask.pcap -Y 'smtpx.req.command == "MAIL"' -O smtpx -V 2>/dev/null |
    sed -n '/Simple Mail Transfer Protocol (smtpx)/,$p'
