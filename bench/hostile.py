#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Generate hostile SMTP captures: inputs built to exhaust a dissector.

Usage: hostile.py OUTDIR [--scale S] [--only NAME ...]

Writes OUTDIR/NAME.pcap for each of:
  long_line        a 50 MB client line with no line end, over 1448-byte segments
  data_no_end      DATA accepted, then 50 MB of message lines and no end of data
  tiny_segments    200,000 one-byte segments of one line that never ends
  tiny_lines       200,000 one-byte segments of NOOP lines, each one answered
  tiny_long_lines  200,000 one-byte segments of 16,000-byte lines (just under
                   max_line, so each line is reassembled from 16,000 segments)
  pipelined_100k   100,000 pipelined RCPT commands, never answered
  reply_1m_lines   a multi-line reply of 1,000,000 lines
  reply_tiny_segments  200,000 one-byte segments of a multi-line reply
  auth_10mb        AUTH PLAIN with a 10 MB base64 initial response on one line
  header_flood     200 messages, each a 64 KB header block of short From and
                   Received headers (thousands of each)
  mime_flood       100 messages of about 1 MB: half nest multiparts 7 deep and
                   hold 100 small program attachments (Wireshark's MIME dissector
                   fails an assertion past about 120 parts), half one 700 KB base64
                   attachment after 10,000 lines that start like a delimiter

--scale multiplies every size (0.5 for the linearity check). Each capture is
one TCP connection (handshake, greeting, EHLO) built with bench/gen_capture.py.
"""

import argparse
import base64
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_capture import ACK, FIN, MSS, PSH, SYN, PcapWriter, TcpConn, ehlo_reply, ip4  # noqa: E402

import random  # noqa: E402


class Session:
    """A TCP connection written straight to a pcap file, 100 us per frame."""

    def __init__(self, path, seed):
        self.pcap = PcapWriter(path)
        self.conn = TcpConn(ip4(0x0A000002), 40000, ip4(0xC6336419), 25, random.Random(seed))
        self.ts = 1705305600 * 1000000
        self.emit("C", SYN)
        self.emit("S", SYN | ACK)
        self.emit("C", ACK)
        self.send("S", b"220 mail.example.org ESMTP Postfix (Debian/GNU)\r\n")
        self.send("C", b"EHLO hostile.example.com\r\n")
        self.send("S", ehlo_reply(True))

    def emit(self, d, flags, payload=b""):
        self.ts += 100
        self.pcap.write(self.ts, self.conn.send(d, flags, payload))

    def send(self, d, data, seg=MSS, ack_every=8):
        """data in segments of seg bytes; the peer ACKs every ack_every segments."""
        peer = "S" if d == "C" else "C"
        for n, off in enumerate(range(0, len(data), seg), 1):
            self.emit(d, PSH | ACK, data[off:off + seg])
            if ack_every and n % ack_every == 0:
                self.emit(peer, ACK)

    def stream(self, d, chunks, seg=MSS, ack_every=8):
        """Like send() for an iterator of byte strings too large to hold at once."""
        buf = b""
        for c in chunks:
            buf += c
            if len(buf) >= 64 * seg:
                cut = len(buf) - len(buf) % seg
                self.send(d, buf[:cut], seg, ack_every)
                buf = buf[cut:]
        if buf:
            self.send(d, buf, seg, ack_every)

    def close(self):
        self.emit("S", FIN | ACK)
        self.emit("C", FIN | ACK)
        self.emit("S", ACK)
        self.pcap.close()
        return self.pcap


def long_line(s, scale):
    n = int(50 * 1024 * 1024 * scale)
    s.stream("C", [b"MAIL FROM:<"] + [b"a" * 65536] * (n // 65536) + [b"a" * (n % 65536)])


def data_no_end(s, scale):
    s.send("C", b"MAIL FROM:<spam@example.com>\r\nRCPT TO:<victim@example.org>\r\nDATA\r\n")
    s.send("S", b"250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n")
    head = b"From: <spam@example.com>\r\nTo: <victim@example.org>\r\nSubject: endless\r\n\r\n"
    line = b"All work and no play makes Jack a dull boy, all work and no play makes Jack.\r\n"
    n = int(50 * 1024 * 1024 * scale) // len(line)
    s.stream("C", [head] + [line * 800] * (n // 800) + [line * (n % 800)])


def tiny_segments(s, scale):
    n = int(200000 * scale)
    s.send("C", b"MAIL FROM:<" + b"b" * (n - 11), seg=1, ack_every=0)


def tiny_lines(s, scale):
    n = int(200000 * scale) // 6
    for _ in range(n):
        s.send("C", b"NOOP\r\n", seg=1, ack_every=0)
        s.send("S", b"250 2.0.0 Ok\r\n")


def tiny_long_lines(s, scale):
    n = int(200000 * scale)
    line = b"NOOP " + b"x" * 15993 + b"\r\n"
    s.send("C", (line * (n // len(line) + 1))[:n], seg=1, ack_every=0)


def pipelined_100k(s, scale):
    n = int(100000 * scale)
    s.send("C", b"MAIL FROM:<bulk@example.com>\r\n")
    s.send("S", b"250 2.1.0 Ok\r\n")
    s.stream("C", (b"RCPT TO:<user%d@example.org>\r\n" % i for i in range(n)))


def reply_1m_lines(s, scale):
    n = int(1000000 * scale)
    s.send("C", b"HELP\r\n")
    s.stream("S", (b"214-2.0.0 help line %d of a very long reply\r\n" % i for i in range(n - 1)))
    s.send("S", b"214 2.0.0 end of HELP\r\n")


def reply_tiny_segments(s, scale):
    n = int(200000 * scale)
    s.send("C", b"HELP\r\n")
    reply = bytearray()
    while len(reply) < n:
        reply += b"214-2.0.0 help line %d of a reply\r\n" % (len(reply) // 30)
    s.send("S", bytes(reply) + b"214 2.0.0 end of HELP\r\n", seg=1, ack_every=0)
    s.send("C", b"QUIT\r\n")
    s.send("S", b"221 2.0.0 Bye\r\n")


def auth_10mb(s, scale):
    n = int(10 * 1024 * 1024 * scale) // 4 * 4
    raw = (b"\0user\0" + b"p" * n)[: n // 4 * 3]
    s.stream("C", [b"AUTH PLAIN ", base64.b64encode(raw), b"\r\n"])
    s.send("S", b"535 5.7.8 Error: authentication failed: bad protocol / cancel\r\n")


def header_flood(s, scale):
    block = b"".join(b"From: a%d@example.com\r\nReceived: from h%d by mx; 1 Jan 2024 00:00:00 +0000\r\n" % (i, i)
                     for i in range(900))[:65536]
    block = block[:block.rindex(b"\r\n") + 2]
    for _ in range(int(200 * scale)):
        s.send("C", b"MAIL FROM:<flood@example.com>\r\nRCPT TO:<victim@example.org>\r\nDATA\r\n")
        s.send("S", b"250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n")
        s.send("C", block + b"\r\nbody\r\n.\r\n")
        s.send("S", b"250 2.0.0 Ok: queued as 4A1B2C3D\r\n")


def mime_flood(s, scale):
    head = b"From: a@example.net\r\nContent-Type: multipart/mixed; boundary=n0\r\n\r\n"
    nest = b"".join(b"--n%d\r\nContent-Type: multipart/mixed; boundary=n%d\r\n\r\n" % (i, i + 1) for i in range(6))
    part = (b"--n6\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n"
            b"Content-Disposition: attachment; filename=f%d.pdf.exe\r\n\r\nTVqQAAMAAAAEAAAA//8AALgAAAAA\r\n")
    many = head + nest + b"".join(part % i for i in range(100)) + b"--n6--\r\n--n0--\r\n"
    data = base64.encodebytes(random.Random(7).randbytes(700 * 1024)).replace(b"\n", b"\r\n")
    decoys = b"--nX\r\n" * 10000
    big = (head + decoys + b"--n0\r\nContent-Type: application/pdf; name=big.pdf\r\n"
           b"Content-Transfer-Encoding: base64\r\n\r\n" + data + b"--n0--\r\n")
    for i in range(int(100 * scale)):
        s.send("C", b"MAIL FROM:<flood@example.com>\r\nRCPT TO:<victim@example.org>\r\nDATA\r\n")
        s.send("S", b"250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n")
        s.send("C", (many if i % 2 == 0 else big) + b".\r\n")
        s.send("S", b"250 2.0.0 Ok: queued as 4A1B2C3D\r\n")


def dkim_flood(s, scale):
    """Messages of 12 MB with 30 DKIM and 30 ARC message signatures each
    (the first 8 are checked), relaxed and simple, some with l=, over lines
    of runs of blanks: every checked signature hashes the whole body."""
    sigs = b"".join(b"%s: v=1; a=rsa-sha256; c=relaxed/%s; d=s%d.example; s=k;%s h=from; bh=%s; b=x\r\n" % (
        b"DKIM-Signature" if i < 30 else b"ARC-Message-Signature: i=1;", b"relaxed" if i % 2 else b"simple", i,
        b" l=%d;" % (1 << 23) if i % 3 == 0 else b"", base64.b64encode(bytes(32))) for i in range(60))
    line = b"a  \t b" * 12 + b"   \t \r\n"
    body = line * (int(12 * 1024 * 1024 * scale) // len(line))
    for _ in range(4):
        s.send("C", b"MAIL FROM:<flood@example.com>\r\nRCPT TO:<victim@example.org>\r\nDATA\r\n")
        s.send("S", b"250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n")
        s.stream("C", [sigs, b"From: <flood@example.com>\r\n\r\n"] + [body[i:i + 65536] for i in
                                                                       range(0, len(body), 65536)] + [b".\r\n"])
        s.send("S", b"250 2.0.0 Ok: queued as 4A1B2C3D\r\n")


CAPTURES = {f.__name__: f for f in (long_line, data_no_end, tiny_segments, tiny_lines, tiny_long_lines,
                                    pipelined_100k, reply_1m_lines, reply_tiny_segments, auth_10mb, header_flood, mime_flood, dkim_flood)}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("outdir")
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--only", nargs="*", choices=sorted(CAPTURES), default=None)
    opts = p.parse_args()
    os.makedirs(opts.outdir, exist_ok=True)
    for name in opts.only or CAPTURES:
        path = os.path.join(opts.outdir, f"{name}.pcap")
        s = Session(path, seed=len(name))
        CAPTURES[name](s, opts.scale)
        pcap = s.close()
        print(f"{path}: {pcap.frames} frames, {pcap.bytes} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
