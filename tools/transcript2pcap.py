#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Turn a readable SMTP transcript into a pcap of one TCP connection (or several
in turn on the same endpoints, with @reconnect).

Usage: transcript2pcap.py IN.txt OUT.pcap

The transcript format is documented in tests/transcripts/README.md.

text2pcap's own dummy TCP header (-T) can neither emit SYN/FIN nor ACK the
peer, so this script builds complete Ethernet/IPv4/TCP frames (with correct
checksums and per-direction seq/ack numbers) itself and uses text2pcap only to
turn their hexdump, with timestamps and I/O markers, into a pcap file.
"""

import ipaddress
import os
import re
import struct
import subprocess
import sys
import tempfile
from datetime import datetime, timedelta, timezone

START = datetime(2021, 2, 13, 12, 0, 0, tzinfo=timezone.utc)
STEP = timedelta(milliseconds=10)
MAX_PAYLOAD = 65535 - 40
ISN = {"C": 1000000, "S": 2000000}
MAC = {"C": bytes.fromhex("020000000002"), "S": bytes.fromhex("020000000001")}
FIN, SYN, PSH, ACK = 0x01, 0x02, 0x08, 0x10
ROUTER = ipaddress.IPv4Address("10.0.0.254").packed

LINE_RE = re.compile(r"([CS])(?:(\+):?|(1):|split\s*(\d+):|:) ?(.*)", re.S)
ESCAPES = {"r": b"\r", "n": b"\n", "t": b"\t", "\\": b"\\"}


class TranscriptError(Exception):
    pass


def unescape(text):
    """Return (bytes, crlf) for a segment text; a lone trailing backslash means no CRLF."""
    out, i = bytearray(), 0
    while i < len(text):
        c = text[i]
        if c != "\\":
            out += c.encode("utf-8")
            i += 1
            continue
        if i + 1 == len(text):
            return bytes(out), False
        e = text[i + 1]
        if e in ESCAPES:
            out += ESCAPES[e]
            i += 2
        elif e == "x" and re.fullmatch(r"[0-9A-Fa-f]{2}", text[i + 2:i + 4]):
            out.append(int(text[i + 2:i + 4], 16))
            i += 4
        else:
            raise TranscriptError(f"bad escape \\{text[i + 1:i + 4]}")
    return bytes(out), True


def parse(lines):
    """Return (settings, chunks); a chunk is [direction, bytearray, bytes per segment or 0]."""
    cfg = {"client": "10.0.0.2", "server": "10.0.0.1", "cport": 40000, "sport": 25,
           "handshake": True, "fin": True, "start": START}
    chunks = []
    for no, line in enumerate(lines, 1):
        line = line.rstrip("\r\n")
        try:
            if not line.strip() or line.startswith("#"):
                continue
            if line == "@reconnect":
                if not chunks or not cfg["handshake"]:
                    raise TranscriptError("@reconnect needs a handshake and a segment before it")
                chunks.append(["reconnect", None, 0])
                continue
            if line == "@drop":
                chunks.append(["drop", None, 0])
                continue
            if line == "@icmp-quote":
                if not chunks or chunks[-1][0] not in ("C", "S"):
                    raise TranscriptError("@icmp-quote needs a segment before it")
                chunks.append(["icmp", None, 0])
                continue
            if line.startswith("@"):
                if chunks:
                    raise TranscriptError("@ directives must come before any segment")
                key, _, val = line[1:].partition(" ")
                val = val.strip()
                if key in ("cport", "sport"):
                    cfg[key] = int(val)
                elif key in ("client", "server"):
                    cfg[key] = str(ipaddress.IPv4Address(val))
                elif key == "start":
                    cfg["start"] = datetime.strptime(val, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
                elif key in ("nohandshake", "nofin") and not val:
                    cfg["handshake" if key == "nohandshake" else "fin"] = False
                else:
                    raise TranscriptError(f"unknown directive {line!r}")
                continue
            m = LINE_RE.fullmatch(line)
            if not m:
                raise TranscriptError(f"cannot parse {line!r}")
            direction, plus, one, split, text = m.groups()
            data, crlf = unescape(text)
            data += b"\r\n" if crlf else b""
            if plus:
                if not chunks or chunks[-1][0] != direction:
                    raise TranscriptError(f"{direction}+ does not follow a {direction} segment")
                chunks[-1][1] += data
                continue
            size = 1 if one else int(split) if split else 0
            if split and size < 1:
                raise TranscriptError("split size must be at least 1")
            chunks.append([direction, bytearray(data), size])
        except (TranscriptError, ValueError) as exc:
            raise TranscriptError(f"line {no}: {exc}") from None
    for i, chunk in enumerate(chunks):
        if chunk[0] == "drop" and (i + 1 == len(chunks) or chunks[i + 1][0] not in ("C", "S")):
            raise TranscriptError("@drop must come before a segment")
    return cfg, chunks


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


class Connection:
    def __init__(self, cfg):
        self.ip = {d: ipaddress.IPv4Address(cfg[k]).packed for d, k in (("C", "client"), ("S", "server"))}
        self.port = {"C": cfg["cport"], "S": cfg["sport"]}
        self.seq = dict(ISN)
        self.ipid = {"C": 0x1000, "S": 0x2000}
        self.frames = []

    def send(self, d, flags, payload=b""):
        peer = "S" if d == "C" else "C"
        ack = self.seq[peer] if flags & ACK else 0
        tcp = struct.pack("!HHIIBBHHH", self.port[d], self.port[peer], self.seq[d], ack,
                          5 << 4, flags, 65535, 0, 0) + payload
        pseudo = self.ip[d] + self.ip[peer] + struct.pack("!BBH", 0, 6, len(tcp))
        tcp = tcp[:16] + struct.pack("!H", checksum(pseudo + tcp)) + tcp[18:]
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), self.ipid[d], 0x4000,
                         64, 6, 0, self.ip[d], self.ip[peer])
        ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
        self.ipid[d] += 1
        self.seq[d] = (self.seq[d] + len(payload) + bool(flags & (SYN | FIN))) & 0xFFFFFFFF
        self.frames.append((d, MAC[peer] + MAC[d] + b"\x08\x00" + ip + tcp))

    def icmp_quote(self):
        """A router's ICMP error (fragmentation needed) to the sender of the
        last frame, quoting its IP packet up to 576 bytes in all (RFC 1812)."""
        d, frame = self.frames[-1]
        peer = "S" if d == "C" else "C"
        icmp = struct.pack("!BBHHH", 3, 4, 0, 0, 1280) + frame[14:14 + 548]
        icmp = icmp[:2] + struct.pack("!H", checksum(icmp)) + icmp[4:]
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0xC0, 20 + len(icmp), 0x3000, 0, 255, 1, 0,
                         ROUTER, self.ip[d])
        ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
        self.frames.append((peer, MAC[d] + MAC[peer] + b"\x08\x00" + ip + icmp))


def handshake(conn, isn):
    conn.seq = {d: n - 1 for d, n in isn.items()}
    conn.send("C", SYN)
    conn.send("S", SYN | ACK)
    conn.send("C", ACK)


def close(conn):
    conn.send("S", FIN | ACK)
    conn.send("C", FIN | ACK)
    conn.send("S", ACK)


def build_frames(cfg, chunks):
    conn = Connection(cfg)
    isn = dict(ISN)
    if cfg["handshake"]:
        handshake(conn, isn)
    drop = False
    for d, data, size in chunks:
        if d == "drop":     # the next segment is sent (its bytes count) but not captured
            drop = True
            continue
        if d == "icmp":
            conn.icmp_quote()
            continue
        if d == "reconnect":    # the same endpoints again: TCP port reuse, new ISNs
            close(conn)
            isn = {k: (n + 0x10000000) & 0xFFFFFFFF for k, n in isn.items()}
            handshake(conn, isn)
            continue
        size = min(size or MAX_PAYLOAD, MAX_PAYLOAD)
        captured = len(conn.frames)
        for off in range(0, max(len(data), 1), size):
            conn.send(d, PSH | ACK, bytes(data[off:off + size]))
        if drop:
            del conn.frames[captured:]
            drop = False
    if cfg["fin"]:
        close(conn)
    return conn.frames


def hexdump(frames, start):
    out = []
    for n, (d, frame) in enumerate(frames):
        ts = (start + n * STEP).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        out.append(f"{'O' if d == 'C' else 'I'} {ts}")
        for off in range(0, len(frame), 16):
            out.append(f"{off:06x}  " + frame[off:off + 16].hex(" "))
    return "\n".join(out) + "\n"


def main(argv):
    if len(argv) != 3:
        sys.exit(f"usage: {os.path.basename(argv[0])} IN.txt OUT.pcap")
    try:
        with open(argv[1], encoding="utf-8") as f:
            cfg, chunks = parse(f)
        frames = build_frames(cfg, chunks)
    except TranscriptError as exc:
        sys.exit(f"{argv[1]}: {exc}")
    with tempfile.NamedTemporaryFile("w", suffix=".txt") as dump:
        dump.write(hexdump(frames, cfg["start"]))
        dump.flush()
        res = subprocess.run(["text2pcap", "-q", "-F", "pcap", "-D", "-t", "ISO", dump.name, argv[2]],
                             env=dict(os.environ, TZ="UTC"), capture_output=True, text=True)
    if res.returncode:
        sys.exit(f"text2pcap failed:\n{res.stderr}")


if __name__ == "__main__":
    main(sys.argv)
