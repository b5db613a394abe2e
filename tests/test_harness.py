# SPDX-License-Identifier: GPL-2.0-or-later
"""Self-tests of the test harness and tools/transcript2pcap.py (no smtpx fields used)."""

import subprocess
import sys

import pytest

import smtpx_tshark as ts

BASIC = r"""
# comment, then a blank line

S: 220 mx.example ESMTP
C: EHLO c.example
S: 250-mx.example
S+ 250 PIPELINING
C: MAIL FROM:<a@b.example>
C+ RCPT TO:<c@d.example>
S: 250 ok
"""
TCP_FIELDS = ["ip.src", "tcp.srcport", "tcp.flags", "tcp.seq", "tcp.ack", "tcp.len"]


def build(tmp_path, text, name="t"):
    return ts.text_pcap(tmp_path, text, name)


def payloads(cap):
    return [bytes.fromhex(r[0]) for r in ts.fields(cap, ["tcp.payload"], "tcp.len > 0")]


def test_tcp_handshake_data_and_fin(tmp_path):
    cap = build(tmp_path, BASIC)
    c, s = ["10.0.0.2", "40000"], ["10.0.0.1", "25"]
    assert ts.fields(cap, TCP_FIELDS) == [
        c + ["0x0002", "0", "0", "0"],
        s + ["0x0012", "0", "1", "0"],
        c + ["0x0010", "1", "1", "0"],
        s + ["0x0018", "1", "1", "22"],
        c + ["0x0018", "1", "23", "16"],
        s + ["0x0018", "23", "17", "32"],
        c + ["0x0018", "17", "55", "48"],
        s + ["0x0018", "55", "65", "8"],
        s + ["0x0011", "63", "65", "0"],
        c + ["0x0011", "65", "64", "0"],
        s + ["0x0010", "64", "66", "0"],
    ]
    assert payloads(cap)[2] == b"250-mx.example\r\n250 PIPELINING\r\n"
    checks = ["-o", "tcp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE"]
    assert {tuple(r) for r in ts.fields(cap, ["ip.checksum.status", "tcp.checksum.status"], extra=checks)} == {("1", "1")}
    assert ts.frames_matching(cap, "tcp.analysis.flags") == []


def test_timestamps_and_determinism(tmp_path):
    cap = build(tmp_path, BASIC, "a")
    assert cap.read_bytes() == build(tmp_path, BASIC, "b").read_bytes()
    times = [r[0] for r in ts.fields(cap, ["frame.time_epoch"])]
    assert times[:3] == ["1613217600.000000000", "1613217600.010000000", "1613217600.020000000"]
    cap = build(tmp_path, "@start 2008-01-15T21:03:00Z\n" + BASIC, "c")
    assert [r[0] for r in ts.fields(cap, ["frame.time_epoch"])][:2] == ["1200430980.000000000", "1200430980.010000000"]


def test_one_byte_and_split_segments(tmp_path):
    cap = build(tmp_path, "C1: QUIT\nCsplit 4: abcdefghij\nS1: 2\\\n")
    assert payloads(cap) == [bytes([b]) for b in b"QUIT\r\n"] + [b"abcd", b"efgh", b"ij\r\n", b"2"]


def test_escapes(tmp_path):
    cap = build(tmp_path, "C: hello\\n\\\nC: a\\tb\\\\c\\x00\\xff\u00e9\nC:\nC: no crlf\\\n")
    assert payloads(cap) == [b"hello\n", b"a\tb\\c\x00\xff\xc3\xa9\r\n", b"\r\n", b"no crlf"]


def test_endpoints_and_nohandshake(tmp_path):
    cap = build(tmp_path, "@nohandshake\n@sport 587\n@cport 1234\n@client 192.0.2.5\n"
                          "@server 198.51.100.7\nC: EHLO x\nS: 250 y\n")
    assert ts.frames_matching(cap, "tcp.flags.syn == 1") == []
    rows = ts.fields(cap, ["ip.src", "tcp.srcport", "ip.dst", "tcp.dstport", "tcp.seq_raw", "tcp.len"])
    assert rows[0] == ["192.0.2.5", "1234", "198.51.100.7", "587", rows[0][4], "8"]
    assert int(rows[0][4]) != 0
    assert rows[1][:4] == ["198.51.100.7", "587", "192.0.2.5", "1234"]


@pytest.mark.parametrize("text", ["C+ orphan\n", "C: x\nS+ wrong direction\n", "C: x\n@sport 1\n",
                                  "@bogus\n", "X: what\n", "C: bad \\q escape\n"])
def test_bad_transcripts_rejected(tmp_path, text):
    (tmp_path / "bad.txt").write_text(text)
    res = subprocess.run([sys.executable, str(ts.TRANSCRIPT2PCAP), str(tmp_path / "bad.txt"),
                          str(tmp_path / "bad.pcap")], capture_output=True, text=True)
    assert res.returncode != 0 and "line " in res.stderr


def test_transcript_pcap_and_passes(tmp_path, monkeypatch, passes):
    monkeypatch.setattr(ts, "TRANSCRIPTS", tmp_path)
    (tmp_path / "harness-selftest.txt").write_text(BASIC)
    cap = ts.transcript_pcap("harness-selftest")
    assert ts.transcript_pcap("harness-selftest") == cap and cap.read_bytes()
    rows = ts.fields(cap, ["frame.number", "tcp.len"], "tcp.len > 0", **passes)
    assert rows == [["4", "22"], ["5", "16"], ["6", "32"], ["7", "48"], ["8", "8"]]


def test_json_and_experts(tmp_path):
    cap = build(tmp_path, BASIC)
    pkts = ts.json(cap, "tcp.flags.syn == 1")
    assert [p["_source"]["layers"]["frame"]["frame.number"] for p in pkts] == ["1", "2"]
    experts = ts.experts(cap, prefix="tcp.connection.")
    assert (1, "tcp.connection.syn") in experts and (9, "tcp.connection.fin") in experts
