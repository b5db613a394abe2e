#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Generate a large, realistic SMTP capture (pcap) for benchmarks.

Usage: gen_capture.py [options] OUT.pcap

Each session is its own TCP connection (distinct client address and port;
three-way handshake, correct per-direction seq/ack numbers, delayed ACKs,
FIN exchange) carrying a Postfix-like exchange: greeting, EHLO and its
multi-line reply, optionally AUTH LOGIN with its two 334 challenges, MAIL,
one to three RCPT, then DATA with a message of about --message-size bytes
(headers, text lines, now and then a dot-stuffed line) in ~1400-byte
segments, or BDAT ... LAST; "250 2.0.0 Ok: queued as ...", QUIT, 221.
Some sessions pipeline MAIL/RCPT/DATA in one segment (RFC 2920); some are
typed by hand over telnet, one byte per segment, with a short message.
Up to --concurrency sessions are in progress at once, their packets
interleaved as on a busy mail server. Deterministic for a given --seed.

Python standard library only; the frames are written with struct.
"""

import argparse
import array
import heapq
import random
import struct
import sys

FIN, SYN, PSH, ACK = 0x01, 0x02, 0x08, 0x10
SERVER_MAC = bytes.fromhex("020000000001")
CLIENT_MAC = bytes.fromhex("020000000002")
MSS = 1448
SERVER_NAME = "mail.example.org"
WORDS = ("the quick brown fox jumps over lazy dog meeting agenda report invoice attached "
         "please find below regards thanks project status update budget quarter review "
         "schedule tomorrow morning office team customer order shipment delivery price "
         "question answer server backup network change request approved pending").split()


def checksum(data):
    """RFC 1071 Internet checksum (summed in C by array, then byte-swapped)."""
    if len(data) % 2:
        data += b"\0"
    a = array.array("H", data)
    if sys.byteorder == "little":
        a.byteswap()
    s = sum(a)
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


class PcapWriter:
    """Classic pcap (microsecond timestamps, Ethernet link type)."""

    def __init__(self, path):
        self.f = open(path, "wb")
        self.f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        self.frames = 0
        self.bytes = 0

    def write(self, ts_us, frame):
        self.f.write(struct.pack("<IIII", ts_us // 1000000, ts_us % 1000000, len(frame), len(frame)))
        self.f.write(frame)
        self.frames += 1
        self.bytes += len(frame)

    def close(self):
        self.f.close()


class TcpConn:
    """One TCP connection; send() returns complete Ethernet frames."""

    def __init__(self, client_ip, client_port, server_ip, server_port, rng):
        self.ip = {"C": client_ip, "S": server_ip}
        self.port = {"C": client_port, "S": server_port}
        self.seq = {"C": rng.getrandbits(32), "S": rng.getrandbits(32)}
        self.ipid = {"C": rng.getrandbits(16), "S": rng.getrandbits(16)}
        self.unacked = {"C": 0, "S": 0}     # data segments the peer has not ACKed yet

    def send(self, d, flags, payload=b""):
        peer = "S" if d == "C" else "C"
        ack = self.seq[peer] if flags & ACK else 0
        tcp = struct.pack("!HHIIBBHHH", self.port[d], self.port[peer], self.seq[d], ack,
                          5 << 4, flags, 64240 if d == "C" else 65160, 0, 0) + payload
        pseudo = self.ip[d] + self.ip[peer] + struct.pack("!BBH", 0, 6, len(tcp))
        tcp = tcp[:16] + struct.pack("!H", checksum(pseudo + tcp)) + tcp[18:]
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), self.ipid[d], 0x4000,
                         64, 6, 0, self.ip[d], self.ip[peer])
        ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
        self.ipid[d] = (self.ipid[d] + 1) & 0xFFFF
        self.seq[d] = (self.seq[d] + len(payload) + bool(flags & (SYN | FIN))) & 0xFFFFFFFF
        if flags & ACK:
            self.unacked[peer] = 0
        if payload:
            self.unacked[d] += 1
        macs = (SERVER_MAC + CLIENT_MAC) if d == "C" else (CLIENT_MAC + SERVER_MAC)
        return macs + b"\x08\x00" + ip + tcp


def ip4(n):
    return bytes((n >> 24 & 255, n >> 16 & 255, n >> 8 & 255, n & 255))


def b64(data):
    import base64
    return base64.b64encode(data).decode()


def queue_id(rng):
    return "".join(rng.choice("0123456789ABCDEF") for _ in range(10))


def text_line(rng, width):
    words, n = [], 0
    while n < width:
        w = rng.choice(WORDS)
        words.append(w)
        n += len(w) + 1
    return " ".join(words)


def message(rng, size, sender, rcpts, n, stuff_share=0.03, bdat=False):
    """An RFC 5322 message of about `size` bytes, dot-stuffed for DATA unless bdat."""
    qid = queue_id(rng)
    head = [
        f"Received: from client{n}.example.com (client{n}.example.com [203.0.113.{n % 250 + 1}])",
        f"\tby {SERVER_NAME} (Postfix) with ESMTPSA id {qid}",
        f"\tfor <{rcpts[0]}>; Mon, 15 Jan 2024 09:{n // 60 % 60:02d}:{n % 60:02d} +0100 (CET)",
        f"From: User {n} <{sender}>",
        f"To: {', '.join(f'<{r}>' for r in rcpts)}",
        f"Subject: {text_line(rng, 30).capitalize()}",
        f"Date: Mon, 15 Jan 2024 09:{n // 60 % 60:02d}:{n % 60:02d} +0100",
        f"Message-ID: <{qid}.{n}@client{n}.example.com>",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: 8bit",
        "",
    ]
    lines, total = head, sum(len(h) + 2 for h in head)
    while total < size:
        if rng.random() < stuff_share:
            line = "." + text_line(rng, rng.randint(5, 60))      # a line a client must dot-stuff
        elif rng.random() < 0.1:
            line = ""
        else:
            line = text_line(rng, rng.randint(40, 72))
        lines.append(line)
        total += len(line) + 2
    if not bdat:
        lines = ["." + l if l.startswith(".") else l for l in lines]
    return ("\r\n".join(lines) + "\r\n").encode()


def ehlo_reply(auth):
    ext = ["PIPELINING", "SIZE 10240000", "VRFY", "ETRN"]
    if auth:
        ext += ["AUTH PLAIN LOGIN", "AUTH=PLAIN LOGIN"]
    ext += ["ENHANCEDSTATUSCODES", "8BITMIME", "DSN", "SMTPUTF8", "CHUNKING"]
    lines = [SERVER_NAME] + ext
    return "".join(f"250{'-' if i < len(lines) - 1 else ' '}{l}\r\n" for i, l in enumerate(lines)).encode()


def session_events(n, opts, rng):
    """The exchange of session n as (direction, bytes, mode) with mode 'line', 'bulk' or 'typed'."""
    telnet = rng.random() < opts.telnet_share
    auth = rng.random() < opts.auth_share
    pipelining = not telnet and rng.random() < opts.pipelining_share
    bdat = not telnet and rng.random() < opts.bdat_share
    user = f"user{n}"
    sender = f"{user}@example.com"
    rcpts = [f"rcpt{n}.{k}@example.org" for k in range(rng.randint(1, 3))]
    size = min(opts.message_size, 300) if telnet else max(200, int(rng.gauss(opts.message_size, opts.message_size / 5)))
    body = message(rng, size, sender, rcpts, n, bdat=bdat)
    qid = queue_id(rng)
    c = "typed" if telnet else "line"
    ev = [("S", f"220 {SERVER_NAME} ESMTP Postfix (Debian/GNU)\r\n".encode(), "line"),
          ("C", f"EHLO client{n}.example.com\r\n".encode(), c),
          ("S", ehlo_reply(auth), "line")]
    if auth:
        ev += [("C", b"AUTH LOGIN\r\n", c), ("S", b"334 VXNlcm5hbWU6\r\n", "line"),
               ("C", (b64(user.encode()) + "\r\n").encode(), c), ("S", b"334 UGFzc3dvcmQ6\r\n", "line"),
               ("C", (b64(f"pw-{n}-secret".encode()) + "\r\n").encode(), c),
               ("S", b"235 2.7.0 Authentication successful\r\n", "line")]
    mail = f"MAIL FROM:<{sender}> SIZE={len(body)}{' BODY=8BITMIME' if rng.random() < 0.5 else ''}\r\n"
    rcpt_cmds = [f"RCPT TO:<{r}>\r\n" for r in rcpts]
    mail_ok, rcpt_ok = "250 2.1.0 Ok\r\n", "250 2.1.5 Ok\r\n"
    queued = f"250 2.0.0 Ok: queued as {qid}\r\n".encode()
    if bdat:
        head = mail + "".join(rcpt_cmds)
        chunk = f"BDAT {len(body)} LAST\r\n".encode() + body
        if pipelining:
            ev += [("C", head.encode() + chunk, "bulk"), ("S", (mail_ok + rcpt_ok * len(rcpts)).encode() + queued, "line")]
        else:
            ev += [("C", mail.encode(), c), ("S", mail_ok.encode(), "line")]
            for r in rcpt_cmds:
                ev += [("C", r.encode(), c), ("S", rcpt_ok.encode(), "line")]
            ev += [("C", chunk, "bulk"), ("S", queued, "line")]
    else:
        go = "354 End data with <CR><LF>.<CR><LF>\r\n"
        if pipelining:
            ev += [("C", (mail + "".join(rcpt_cmds) + "DATA\r\n").encode(), c),
                   ("S", (mail_ok + rcpt_ok * len(rcpts) + go).encode(), "line")]
        else:
            ev += [("C", mail.encode(), c), ("S", mail_ok.encode(), "line")]
            for r in rcpt_cmds:
                ev += [("C", r.encode(), c), ("S", rcpt_ok.encode(), "line")]
            ev += [("C", b"DATA\r\n", c), ("S", go.encode(), "line")]
        ev += [("C", body + b".\r\n", "typed" if telnet else "bulk"), ("S", queued, "line")]
    ev += [("C", b"QUIT\r\n", c), ("S", b"221 2.0.0 Bye\r\n", "line")]
    return ev


def session_packets(n, opts, rng):
    """Yields (delay in microseconds, frame) for session n, as a TCP connection would carry it."""
    cip = ip4(0x0A000000 + 2 + n)                       # 10.0.0.2, 10.0.0.3, ...
    cport = 1024 + (n * 7919) % 64000
    auth_port = 587 if rng.random() < 0.5 else 25
    conn = TcpConn(cip, cport, ip4(0xC6336419), 25, rng)   # server 198.51.100.25
    events = session_events(n, opts, rng)
    if any(d == "C" and data.startswith(b"AUTH") for d, data, _ in events):
        conn.port["S"] = auth_port
    rtt = rng.randint(200, 30000)
    yield 0, conn.send("C", SYN)
    yield rtt // 2, conn.send("S", SYN | ACK)
    yield rtt // 2, conn.send("C", ACK)
    for d, data, mode in events:
        peer = "S" if d == "C" else "C"
        if mode == "typed":
            for i in range(len(data)):
                yield rng.randint(60000, 300000), conn.send(d, PSH | ACK, data[i:i + 1])
                yield rtt // 2, conn.send(peer, ACK)                 # the server ACKs each keystroke
        elif mode == "bulk":
            for off in range(0, len(data), MSS):
                seg = data[off:off + MSS]
                yield 50 if off else rng.randint(100, 2000), conn.send(d, (PSH | ACK) if off + MSS >= len(data) else ACK, seg)
                if conn.unacked[d] >= 2:
                    yield 40, conn.send(peer, ACK)                   # delayed ACK every second segment
        else:
            for off in range(0, len(data), MSS):
                yield (rtt // 2 + rng.randint(50, 500)) if off == 0 else 20, conn.send(d, PSH | ACK, data[off:off + MSS])
    yield rtt // 2, conn.send("S", FIN | ACK)       # Postfix closes after 221
    yield rtt // 2, conn.send("C", FIN | ACK)
    yield rtt // 2, conn.send("S", ACK)


def generate(opts, out):
    """Writes the capture; sessions overlap, their packets in time order."""
    rng = random.Random(opts.seed)
    pcap = PcapWriter(out)
    start = 1705305600 * 1000000        # 2024-01-15 08:00:00 UTC
    heap, started, last = [], 0, 0

    def begin(at):
        nonlocal started
        gen = session_packets(started, opts, random.Random(rng.getrandbits(64)))
        started += 1
        delay, frame = next(gen)
        heapq.heappush(heap, (at + delay, started, frame, gen))

    for _ in range(min(opts.concurrency, opts.sessions)):
        begin(start + rng.randint(0, 100000))
    while heap:
        due, key, frame, gen = heapq.heappop(heap)
        last = max(last + 1, due)            # strictly increasing timestamps
        pcap.write(last, frame)
        nxt = next(gen, None)
        if nxt:
            heapq.heappush(heap, (due + nxt[0], key, nxt[1], gen))
        elif started < opts.sessions:
            begin(due + rng.randint(100, 20000))   # the next client connects
    pcap.close()
    return pcap


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("out", help="pcap file to write")
    p.add_argument("--sessions", type=int, default=1000, help="SMTP sessions (TCP connections)")
    p.add_argument("--message-size", type=int, default=8000, help="mean message size in bytes")
    p.add_argument("--telnet-share", type=float, default=0.01, help="share of sessions typed one byte per segment")
    p.add_argument("--auth-share", type=float, default=0.3, help="share of sessions with AUTH LOGIN")
    p.add_argument("--pipelining-share", type=float, default=0.5, help="share of sessions pipelining MAIL/RCPT/DATA")
    p.add_argument("--bdat-share", type=float, default=0.1, help="share of sessions sending BDAT instead of DATA")
    p.add_argument("--concurrency", type=int, default=16, help="sessions in progress at once")
    p.add_argument("--seed", type=int, default=1)
    opts = p.parse_args(argv)
    if opts.sessions < 1 or opts.sessions > 16000000 or opts.concurrency < 1:
        p.error("--sessions must be 1..16000000 and --concurrency at least 1")
    for k in ("telnet_share", "auth_share", "pipelining_share", "bdat_share"):
        if not 0 <= getattr(opts, k) <= 1:
            p.error(f"--{k.replace('_', '-')} must be between 0 and 1")
    pcap = generate(opts, opts.out)
    print(f"{opts.out}: {opts.sessions} sessions, {pcap.frames} frames, {pcap.bytes} bytes of frames",
          file=sys.stderr)


if __name__ == "__main__":
    main()
