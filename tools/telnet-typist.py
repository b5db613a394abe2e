#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Type an SMTP session by hand into the real telnet client, as students do:
character mode (one keystroke per TCP segment), typos corrected with
Backspace (DEL), MAIL FROM without angle brackets, a forged From: header.

usage: telnet-typist.py HOST PORT   (used by tools/capture-real.sh telnet)
"""
import os, pty, select, sys, time

if len(sys.argv) != 3:
    sys.exit(__doc__)
host, port = sys.argv[1], sys.argv[2]
pid, fd = pty.fork()
if pid == 0:
    os.execvp("telnet", ["telnet", host, port])
seen = b""      # everything the terminal showed
pos = 0         # where the last awaited token ended


def wait_for(token, timeout=10):
    """Read the terminal until `token` shows up after the last awaited one."""
    global seen, pos
    end = time.time() + timeout
    while (found := seen.find(token, pos)) < 0:
        r, _, _ = select.select([fd], [], [], max(0, end - time.time()))
        if not r:
            sys.exit(f"timed out waiting for {token!r}; terminal: {seen[-300:]!r}")
        try:
            data = os.read(fd, 4096)
        except OSError:
            data = b""
        if not data:
            sys.exit(f"telnet ended before {token!r}; terminal: {seen[-300:]!r}")
        seen += data
    pos = found + len(token)


def escape(command):
    os.write(fd, b"\x1d")                 # Ctrl-]: the telnet> prompt
    wait_for(b"telnet> ")
    os.write(fd, command + b"\n")
    time.sleep(0.2)


def type_line(keys, reply):
    for k in keys:
        os.write(fd, bytes([k]))
        time.sleep(0.04)                  # one keystroke per TCP segment
    os.write(fd, b"\r")
    if reply:
        wait_for(reply)


wait_for(b"220 ")
escape(b"toggle crlf")                    # Enter sends CR LF, not CR NUL
escape(b"mode character")
# "mode character" negotiates telnet options (IAC bytes) with a server that
# speaks no telnet: Enter ends that garbage line, and Postfix refuses it.
type_line(b"", b"500 ")
DEL = b"\x7f"
type_line(b"helo cleint" + DEL * 4 + b"ient.smtpx.test", b"250 ")
type_line(b"mail from: alice@smtpx.test", b"250 ")
# the server never applies Backspace: this corrected line reaches it with
# the DEL bytes in it and is refused; the student types it again
type_line(b"rcpt to:<root@smtpx.tset" + DEL * 3 + b"est>", b"501 ")
type_line(b"rcpt to:<root@smtpx.test>", b"250 ")
type_line(b"data", b"354 ")
type_line(b"From: CEO <ceo@bank.example>", None)
type_line(b"Subject: typed over telnet", None)
type_line(b"", None)
type_line(b"Typed by hand, one key per segment.", None)
type_line(b".", b"250 ")
type_line(b"quit", b"221 ")
wait_for(b"closed", 5)
os.waitpid(pid, 0)
