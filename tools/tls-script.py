#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Play a scripted SMTP dialogue between two sockets on 127.0.0.1, with a
real TLS handshake where the script says so, and log the TLS keys.

Usage: tls-script.py PORT SCRIPT KEYLOG   (tools/capture-tls-script.sh
captures it and puts the keys in the pcapng)

Script lines: `S: text` / `C: text` (one write by server / client) and
`S+ text` / `C+ text` (appended to the write before), with the escapes of
transcripts (tests/transcripts/README.md, read by transcript2pcap.py), `TLS`
(both sides start TLS with what they have written so far), `#` comments. A
self-signed certificate is made for the run with openssl.
"""

import os
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from transcript2pcap import LINE_RE, unescape  # noqa: E402  (the transcripts' line syntax)


def segment(line):
    """(side, bytes, appended to the write before?) of a script line."""
    side, plus, _, _, text = LINE_RE.fullmatch(line).groups()
    data, crlf = unescape(text)
    return side, data + (b"\r\n" if crlf else b""), bool(plus)


def drain(sock):
    sock.settimeout(0.05)
    try:
        while sock.recv(65536):
            pass
    except (socket.timeout, ssl.SSLError, OSError):
        pass


def contexts(keylog, tmp):
    cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=mx.example.org", "-keyout", key, "-out", cert], check=True, capture_output=True)
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(cert, key)
    client = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    client.check_hostname = False
    client.verify_mode = ssl.CERT_NONE
    client.keylog_filename = keylog
    return server, client


def main():
    port, script, keylog = int(sys.argv[1]), open(sys.argv[2]).read().splitlines(), sys.argv[3]
    with tempfile.TemporaryDirectory() as tmp:
        sctx, cctx = contexts(keylog, tmp)
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(1)
    ends = {"C": socket.create_connection(("127.0.0.1", port))}
    ends["S"], _ = listener.accept()
    for sock in ends.values():
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    pending = None

    def flush():
        if pending:
            ends[pending[0]].sendall(pending[1])
            time.sleep(0.03)
            drain(ends["C" if pending[0] == "S" else "S"])

    for line in script:
        if not line.strip() or line.startswith("#"):
            continue
        if line == "TLS":
            flush()
            pending = None
            drain(ends["S"])
            drain(ends["C"])
            done = {}
            t = threading.Thread(target=lambda: done.update(s=sctx.wrap_socket(ends["S"], server_side=True)))
            t.start()
            ends["C"] = cctx.wrap_socket(ends["C"])
            t.join()
            ends["S"] = done["s"]
            time.sleep(0.03)
            continue
        side, data, more = segment(line)
        if more:
            pending = (side, pending[1] + data)
            continue
        flush()
        pending = (side, data)
    flush()
    time.sleep(0.05)
    for sock in ends.values():
        sock.close()


if __name__ == "__main__":
    main()
