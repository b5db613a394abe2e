# SPDX-License-Identifier: GPL-2.0-or-later
"""AUTH and TLS as real mail software does them, captured on loopback by
tools/capture-auth-tls.sh (see tests/captures/SOURCES.tsv):

  postfix_sasl.pcapng           postfix + Dovecot SASL on 587 without TLS; swaks
                                AUTH LOGIN, PLAIN, CRAM-MD5, LOGIN with a wrong password
  aiosmtpd_auth.pcapng          python3-aiosmtpd on 2525; swaks LOGIN, msmtp PLAIN
                                (initial response), curl PLAIN (after an empty 334),
                                swaks PLAIN with a wrong password
  exim4_ehlo.pcapng             exim 4.96 on 2526 (not an smtpx port: -d); swaks AUTH LOGIN
  postfix_starttls_keys.pcapng  postfix on 587, STARTTLS, AUTH only after TLS; curl
                                AUTH PLAIN; TLS 1.3 secrets embedded (editcap --inject-secrets)
  postfix_smtps465_keys.pcapng  postfix smtps on 465 (implicit TLS); curl AUTH LOGIN; secrets embedded
  tls_*.pcapng                  scripted dialogues with real TLS (tools/capture-tls-script.sh,
                                tests/tls_scripts/); secrets embedded

The test user is student / hessovs!. Every test runs in the four modes (one
pass and -2, with and without -V). test_live_aiosmtpd makes a fresh aiosmtpd
capture when it can."""

import base64
import functools
import hashlib
import hmac
import os
import re
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

import smtpx_tshark as ts

CAPTURES = ts.REPO / "tests" / "captures"
POSTFIX_SASL = CAPTURES / "postfix_sasl.pcapng"
AIOSMTPD = CAPTURES / "aiosmtpd_auth.pcapng"
EXIM = CAPTURES / "exim4_ehlo.pcapng"
STARTTLS = CAPTURES / "postfix_starttls_keys.pcapng"
SMTPS = CAPTURES / "postfix_smtps465_keys.pcapng"
CAPTURE_AUTH_TLS = ts.REPO / "tools" / "capture-auth-tls.sh"

# exim listened on 2526, which smtpx does not claim: decode it as a user would
DECODE_AS = {EXIM: ("-d", "tcp.port==2526,smtpx")}

USER, PASSWORD = "student", "hessovs!"
POSTFIX_EHLO_KEYWORDS = ["PIPELINING", "SIZE", "VRFY", "ETRN", "AUTH", "ENHANCEDSTATUSCODES",
                         "8BITMIME", "DSN", "SMTPUTF8", "CHUNKING"]
AIOSMTPD_EHLO_KEYWORDS = ["SIZE", "8BITMIME", "SMTPUTF8", "AUTH", "HELP"]
EXIM_EHLO_KEYWORDS = ["SIZE", "8BITMIME", "PIPELINING", "PIPECONNECT", "AUTH", "CHUNKING", "SMTPUTF8", "HELP"]
CLEARTEXT = "smtpx.analysis.cleartext_auth"
SERIOUS = "smtpx.analysis.serious_reply"
VERSION = "smtpx.analysis.version_disclosed"

# ---- helpers ----------------------------------------------------------------------

def rows(cap, fields, display_filter="smtpx", two_pass=False, verbose=False):
    """ts.rows, with exim's capture decoded as smtpx (DECODE_AS)."""
    return ts.rows(cap, fields, display_filter, two_pass, verbose, DECODE_AS.get(Path(cap), ()))


def by_frame(cap, field, display_filter=None, **passes):
    """{frame: [occurrences]} for the frames matching DISPLAY_FILTER (default: that have FIELD)."""
    return {r[0]: r[1] for r in rows(cap, [field], display_filter or field, **passes)}


def flat(cap, field, display_filter="smtpx", **passes):
    return [v for r in rows(cap, [field], display_filter, **passes) for v in r[1]]


def frames(cap, display_filter, **passes):
    return [r[0] for r in rows(cap, [], display_filter, **passes)]


@functools.lru_cache(maxsize=None)
def experts(cap, two_pass, verbose):
    """[(frame, abbrev)] of every smtpx expert item."""
    out = []
    for pkt in ts.json(cap, two_pass=two_pass, verbose=verbose, extra=DECODE_AS.get(Path(cap), ())):
        layers = pkt["_source"]["layers"]
        frame = int(layers["frame"]["frame.number"])
        out += [(frame, a) for a in ts._expert_abbrevs(layers) if a.startswith("smtpx.")]
    return out


def sessions(cap, **passes):
    """Per TCP connection, in order: (requests, replies), where requests are the
    client's PDUs (command verb, "step" for an AUTH exchange line, "." for the
    end of data) and replies the reply codes, each as (frame, value)."""
    got = {}
    for frame, stream, cmds, steps, eod, codes in rows(
            cap, ["tcp.stream", "smtpx.req.command", "smtpx.auth.step", "smtpx.data.eod", "smtpx.rsp.code"],
            **passes):
        reqs, reps = got.setdefault(int(stream[0]), ([], []))
        reqs += [(frame, c) for c in cmds] + [(frame, "step")] * len(steps) + [(frame, ".")] * len(eod)
        reps += [(frame, int(c)) for c in codes]
    return [got[s] for s in sorted(got)]


def values(pairs):
    return [v for _, v in pairs]


def credentials(cap):
    """(frame, user name, info) per line of `tshark -q -z credentials`."""
    out = ts.tshark(["-r", ts.capture_path(cap), "-q", "-z", "credentials", *DECODE_AS.get(Path(cap), ())]).stdout
    return [(int(l[0]), l[2], " ".join(l[3:])) for l in (line.split() for line in out.splitlines())
            if l and l[0].isdigit()]


def check_session_names(cap, server, **passes):
    """Every smtpx frame knows the server's name (from the greeting), and from
    the connection's EHLO on the client's too."""
    ehlo = {}
    got = set()
    for frame, stream, cmds, servers, clients in rows(
            cap, ["tcp.stream", "smtpx.req.command", "smtpx.session.server_name", "smtpx.session.client_name"],
            **passes):
        if "EHLO" in cmds:
            ehlo.setdefault(stream[0], frame)
        got.add((frame >= ehlo.get(stream[0], frame + 1), tuple(servers), tuple(clients)))
    assert got == {(False, (server,), ()), (True, (server,), ("client.smtpx.test",))}


def check_steps_decode(cap, **passes):
    """Each AUTH step's base64, decoded here, holds the user name / password /
    CRAM-MD5 answer that smtpx shows for it."""
    for frame, steps, users, passwords, digests in rows(
            cap, ["smtpx.auth.step", "smtpx.auth.username", "smtpx.auth.password", "smtpx.auth.digest"],
            "smtpx.auth.step", **passes):
        assert len(steps) == 1, (frame, steps)
        raw = base64.b64decode(steps[0]).decode()
        assert raw in [*users, *passwords, "\0".join(["", *users, *passwords]),
                       " ".join([*users, *digests])], (frame, raw, users, passwords, digests)


def cram_md5(challenge):
    return hmac.new(PASSWORD.encode(), challenge.encode(), hashlib.md5).hexdigest()


SWAKS_LINES = [r"Date: \w{3}, \d{1,2} \w{3} \d{4} \d\d:\d\d:\d\d [+-]\d{4}", re.escape("To: root@smtpx.test"),
               re.escape("From: alice@smtpx.test"), None, r"Message-Id: <[^>]+>",
               r"X-Mailer: swaks v\S+ jetmore\.org/john/code/swaks/", "", "This is a test mailing", "", ""]


def swaks_lines(subject):
    return [re.escape(f"Subject: {subject}") if p is None else p for p in SWAKS_LINES]


def curl_lines(subject, mech, client="curl"):
    """The message tools/capture-auth-tls.sh gives curl and msmtp."""
    return [re.escape(line) for line in [
        "From: <alice@smtpx.test>", "To: <root@smtpx.test>", f"Subject: {subject}",
        f"Message-ID: <{client}-{mech.lower()}@client.smtpx.test>", "", f"Sent by {client} with AUTH {mech}."]]


def fullmatch_all(patterns, got):
    assert len(got) == len(patterns), got
    for pattern, value in zip(patterns, got):
        assert re.fullmatch(pattern, value), (pattern, value)


def message_lines(cap, **passes):
    """Per TCP connection, the smtpx.data.line values, in order."""
    got = {}
    for _, stream, lines in rows(cap, ["tcp.stream", "smtpx.data.line"], "smtpx.data.line", **passes):
        got.setdefault(int(stream[0]), []).extend(lines)
    return [got[s] for s in sorted(got)]


# ---- postfix + Dovecot SASL, no TLS ----------------------------------------------

def test_postfix_sasl_dialogues(passes):
    got = sessions(POSTFIX_SASL, **passes)
    assert [values(reqs) for reqs, _ in got] == [
        ["EHLO", "AUTH", "step", "step", "MAIL", "RCPT", "DATA", ".", "QUIT"],   # LOGIN
        ["EHLO", "AUTH", "MAIL", "RCPT", "DATA", ".", "QUIT"],                   # PLAIN, initial response
        ["EHLO", "AUTH", "step", "MAIL", "RCPT", "DATA", ".", "QUIT"],           # CRAM-MD5
        ["EHLO", "AUTH", "step", "step", "QUIT"]]                                # LOGIN, wrong password
    assert [values(reps) for _, reps in got] == [
        [220, 250, 334, 334, 235, 250, 250, 354, 250, 221],
        [220, 250, 235, 250, 250, 354, 250, 221],
        [220, 250, 334, 235, 250, 250, 354, 250, 221],
        [220, 250, 334, 334, 535, 221]]
    assert [frame for frame, _ in got[0][0]] == [6, 9, 11, 13, 15, 17, 19, 21, 23]
    assert [frame for frame, _ in got[3][1]] == [79, 83, 85, 87, 90, 93]


def test_postfix_sasl_ehlo(passes):
    ehlo_replies = [8, 35, 58, 83]
    assert by_frame(POSTFIX_SASL, "smtpx.ehlo.keyword", **passes) == {f: POSTFIX_EHLO_KEYWORDS for f in ehlo_replies}
    assert by_frame(POSTFIX_SASL, "smtpx.ehlo.auth_mech", **passes) == {
        f: ["PLAIN", "LOGIN", "CRAM-MD5"] for f in ehlo_replies}
    assert by_frame(POSTFIX_SASL, "smtpx.ehlo.size", **passes) == {f: ["10240000"] for f in ehlo_replies}
    check_session_names(POSTFIX_SASL, "mx.smtpx.test", **passes)


def test_postfix_sasl_auth_fields(passes):
    cap = POSTFIX_SASL
    assert by_frame(cap, "smtpx.auth.mechanism", **passes) == {
        9: ["LOGIN"], 36: ["PLAIN"], 59: ["CRAM-MD5"], 84: ["LOGIN"]}
    assert by_frame(cap, "smtpx.auth.username", **passes) == {
        11: [USER], 36: [USER], 61: [USER], 86: [USER]}
    assert by_frame(cap, "smtpx.auth.password", **passes) == {
        13: [PASSWORD], 36: [PASSWORD], 88: ["wrong-password"]}
    assert by_frame(cap, "smtpx.auth.authzid", **passes) == {}      # swaks sends an empty one
    assert by_frame(cap, "smtpx.auth.step", **passes) == {
        11: ["c3R1ZGVudA=="], 13: ["aGVzc292cyE="],
        61: ["c3R1ZGVudCBmMDZkZDk2ZDI0MWZiMjJkODMwNzU4OGJiMmZlOGE0Yw=="],
        86: ["c3R1ZGVudA=="], 88: ["d3JvbmctcGFzc3dvcmQ="]}
    challenges = by_frame(cap, "smtpx.auth.challenge", **passes)
    assert challenges == {10: ["Username:"], 12: ["Password:"], 60: ["<3605198578606765.1795469062@vm>"],
                          85: ["Username:"], 87: ["Password:"]}
    # the digest is HMAC-MD5(password, challenge): check it against the challenge smtpx decoded
    assert by_frame(cap, "smtpx.auth.digest", **passes) == {61: [cram_md5(challenges[60][0])]}
    assert by_frame(cap, "smtpx.auth.result", **passes) == {
        14: ["success"], 37: ["success"], 62: ["success"], 90: ["failure"]}
    got = rows(cap, ["smtpx.rsp.code", "smtpx.rsp.enhanced"], "smtpx.auth.result", **passes)
    assert got == [[14, ["235"], ["2.7.0"]], [37, ["235"], ["2.7.0"]], [62, ["235"], ["2.7.0"]],
                   [90, ["535"], ["5.7.8"]]]
    check_steps_decode(cap, **passes)


def test_postfix_sasl_cleartext_experts(passes):
    """Every password sent without TLS (LOGIN's second step, PLAIN, also the
    wrong one) is reported; CRAM-MD5 sends a digest, not the secret."""
    assert experts(POSTFIX_SASL, **passes) == [(13, CLEARTEXT), (36, CLEARTEXT), (88, CLEARTEXT), (90, SERIOUS)]


def test_postfix_sasl_messages(passes):
    lines = message_lines(POSTFIX_SASL, **passes)
    assert len(lines) == 3
    for got, mech in zip(lines, ["LOGIN", "PLAIN", "CRAM-MD5"]):
        fullmatch_all(swaks_lines(f"smtpx AUTH {mech} test"), got)
    assert by_frame(POSTFIX_SASL, "imf.subject", **passes) == {
        21: ["smtpx AUTH LOGIN test"], 44: ["smtpx AUTH PLAIN test"], 69: ["smtpx AUTH CRAM-MD5 test"]}


def test_postfix_sasl_credentials_tap():
    assert credentials(POSTFIX_SASL) == [(13, USER, "AUTH LOGIN"), (36, USER, "AUTH PLAIN"),
                                         (88, USER, "AUTH LOGIN")]


# ---- aiosmtpd ---------------------------------------------------------------------

def check_aiosmtpd(cap, two_pass, verbose):
    """What tools/capture-auth-tls.sh aiosmtpd must capture, whatever the frame numbers."""
    passes = dict(two_pass=two_pass, verbose=verbose)
    got = sessions(cap, **passes)
    assert [values(reqs) for reqs, _ in got] == [
        ["EHLO", "AUTH", "step", "step", "MAIL", "RCPT", "DATA", ".", "QUIT"],   # swaks LOGIN
        ["EHLO", "AUTH", "MAIL", "RCPT", "DATA", ".", "QUIT"],                   # msmtp PLAIN + initial response
        ["EHLO", "AUTH", "step", "MAIL", "RCPT", "DATA", ".", "QUIT"],           # curl PLAIN after "334 "
        ["EHLO", "AUTH", "QUIT"]]                                                # swaks PLAIN, wrong password
    assert [values(reps) for _, reps in got] == [
        [220, 250, 334, 334, 235, 250, 250, 354, 250, 221],
        [220, 250, 235, 250, 250, 354, 250, 221],
        [220, 250, 334, 235, 250, 250, 354, 250, 221],
        [220, 250, 535, 221]]
    assert set(flat(cap, "smtpx.rsp.parameter", "smtpx.rsp.code == 220", **passes)) == {
        "aiosmtpd.smtpx.test Python SMTP 1.4.3"}
    ehlo = [reps[1][0] for _, reps in got]
    assert by_frame(cap, "smtpx.ehlo.keyword", **passes) == {f: AIOSMTPD_EHLO_KEYWORDS for f in ehlo}
    assert by_frame(cap, "smtpx.ehlo.auth_mech", **passes) == {f: ["LOGIN", "PLAIN"] for f in ehlo}
    assert by_frame(cap, "smtpx.ehlo.size", **passes) == {f: ["33554432"] for f in ehlo}

    auth = [next(f for f, v in reqs if v == "AUTH") for reqs, _ in got]
    assert by_frame(cap, "smtpx.auth.mechanism", **passes) == dict(zip(auth, [["LOGIN"], ["PLAIN"], ["PLAIN"],
                                                                             ["PLAIN"]]))
    login_user, login_pass = [f for f, v in got[0][0] if v == "step"]
    curl_step = next(f for f, v in got[2][0] if v == "step")
    assert by_frame(cap, "smtpx.auth.username", **passes) == {
        login_user: [USER], auth[1]: [USER], curl_step: [USER], auth[3]: [USER]}
    assert by_frame(cap, "smtpx.auth.password", **passes) == {
        login_pass: [PASSWORD], auth[1]: [PASSWORD], curl_step: [PASSWORD], auth[3]: ["wrong-password"]}
    assert by_frame(cap, "smtpx.auth.authzid", **passes) == {}
    assert by_frame(cap, "smtpx.auth.digest", **passes) == {}
    # aiosmtpd's LOGIN prompts end in a NUL byte ("User Name\0", "Password\0");
    # curl's empty "334 " challenge has no text to show
    challenges = [f for f, c in got[0][1] if c == 334]
    assert by_frame(cap, "smtpx.auth.challenge", **passes) == {
        challenges[0]: ["User Name\\000"], challenges[1]: ["Password\\000"]}
    results = [next(f for f, c in reps if c in (235, 535)) for _, reps in got]
    assert by_frame(cap, "smtpx.auth.result", **passes) == dict(zip(results, [["success"]] * 3 + [["failure"]]))
    assert flat(cap, "smtpx.rsp.enhanced", "smtpx.auth.result", **passes) == ["2.7.0"] * 3 + ["5.7.8"]
    check_steps_decode(cap, **passes)
    check_session_names(cap, "aiosmtpd.smtpx.test", **passes)

    greetings = [reps[0][0] for _, reps in got]     # "Python SMTP 1.4.3": a version given away
    assert experts(cap, **passes) == sorted([(f, VERSION) for f in greetings] + [
        (login_pass, CLEARTEXT), (auth[1], CLEARTEXT), (curl_step, CLEARTEXT), (auth[3], CLEARTEXT),
        (results[3], SERIOUS)])
    lines = message_lines(cap, **passes)
    assert len(lines) == 3
    fullmatch_all(swaks_lines("smtpx aiosmtpd AUTH LOGIN test"), lines[0])
    # msmtp adds a Date header
    fullmatch_all([SWAKS_LINES[0]] + curl_lines("smtpx aiosmtpd msmtp test", "PLAIN", "msmtp"), lines[1])
    fullmatch_all(curl_lines("smtpx aiosmtpd curl test", "PLAIN"), lines[2])
    assert flat(cap, "imf.subject", "imf", **passes) == [
        "smtpx aiosmtpd AUTH LOGIN test", "smtpx aiosmtpd msmtp test", "smtpx aiosmtpd curl test"]


def test_aiosmtpd(passes):
    check_aiosmtpd(AIOSMTPD, **passes)


def test_aiosmtpd_frames(passes):
    assert by_frame(AIOSMTPD, "smtpx.auth.challenge", **passes) == {16: ["User Name\\000"], 18: ["Password\\000"]}
    assert by_frame(AIOSMTPD, "smtpx.auth.password", **passes) == {
        19: [PASSWORD], 50: [PASSWORD], 86: [PASSWORD], 118: ["wrong-password"]}
    # aiosmtpd writes each EHLO line in its own segment: one reply, reassembled
    assert by_frame(AIOSMTPD, "smtpx.response_to", **passes)[13] == ["6"]
    assert frames(AIOSMTPD, "tcp.stream == 0 && tcp.len > 0 && tcp.srcport == 2525 && frame.number < 14",
                  **passes) == [4, 8, 9, 10, 11, 12, 13]


def test_aiosmtpd_credentials_tap():
    assert credentials(AIOSMTPD) == [(19, USER, "AUTH LOGIN"), (50, USER, "AUTH PLAIN"), (86, USER, "AUTH PLAIN"),
                                     (118, USER, "AUTH PLAIN")]


# ---- exim -------------------------------------------------------------------------

def test_exim_greeting_ehlo_and_replies(passes):
    (reqs, reps), = sessions(EXIM, **passes)
    assert reqs == [(6, "EHLO"), (8, "AUTH"), (10, "step"), (12, "step"), (14, "MAIL"), (16, "RCPT"),
                    (18, "DATA"), (21, "."), (23, "QUIT")]
    assert reps == [(4, 220), (7, 250), (9, 334), (11, 334), (13, 235), (15, 250), (17, 250), (20, 354),
                    (22, 250), (25, 221)]
    fullmatch_all([r"exim\.smtpx\.test ESMTP Exim 4\.96 \w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d [+-]\d{4}",
                   r"exim\.smtpx\.test Hello client\.smtpx\.test \[127\.0\.0\.1\]", "SIZE 52428800", "8BITMIME",
                   "PIPELINING", "PIPECONNECT", "AUTH PLAIN LOGIN CRAM-MD5", "CHUNKING", "SMTPUTF8", "HELP",
                   "VXNlcm5hbWU6", "UGFzc3dvcmQ6", "Authentication succeeded", "OK", "Accepted",
                   'Enter message, ending with "." on a line by itself', r"OK id=[0-9A-Za-z]{6}-[0-9A-Za-z]{6,}-[0-9A-Za-z]{2,}",
                   r"exim\.smtpx\.test closing connection"],
                  flat(EXIM, "smtpx.rsp.parameter", **passes))
    assert by_frame(EXIM, "smtpx.ehlo.keyword", **passes) == {7: EXIM_EHLO_KEYWORDS}
    assert by_frame(EXIM, "smtpx.ehlo.auth_mech", **passes) == {7: ["PLAIN", "LOGIN", "CRAM-MD5"]}
    assert by_frame(EXIM, "smtpx.ehlo.size", **passes) == {7: ["52428800"]}
    # exim does not offer ENHANCEDSTATUSCODES and sends none
    assert by_frame(EXIM, "smtpx.rsp.enhanced", **passes) == {}
    check_session_names(EXIM, "exim.smtpx.test", **passes)
    fullmatch_all(swaks_lines("smtpx exim AUTH LOGIN test"), flat(EXIM, "smtpx.data.line", **passes))


def test_exim_auth(passes):
    assert by_frame(EXIM, "smtpx.auth.mechanism", **passes) == {8: ["LOGIN"]}
    assert by_frame(EXIM, "smtpx.auth.challenge", **passes) == {9: ["Username:"], 11: ["Password:"]}
    assert by_frame(EXIM, "smtpx.auth.username", **passes) == {10: [USER]}
    assert by_frame(EXIM, "smtpx.auth.password", **passes) == {12: [PASSWORD]}
    assert by_frame(EXIM, "smtpx.auth.result", **passes) == {13: ["success"]}
    check_steps_decode(EXIM, **passes)
    assert experts(EXIM, **passes) == [(4, VERSION), (12, CLEARTEXT)]
    assert credentials(EXIM) == [(12, USER, "AUTH LOGIN")]


# ---- STARTTLS and port 465, decrypted with the embedded secrets ------------------

def check_inside_tls(cap, first_tls_frame, two_pass, verbose):
    """Every smtpx PDU from FIRST_TLS_FRAME on was decrypted by TLS and handed back to smtpx."""
    passes = dict(two_pass=two_pass, verbose=verbose)
    protos = {r[0]: r[1][0] for r in rows(cap, ["frame.protocols"], "smtpx", **passes)}
    inside = {f for f, p in protos.items() if ":tls:smtpx" in p}
    assert inside == {f for f in protos if f >= first_tls_frame}
    assert frames(cap, "smtpx.tls_data", **passes) == []        # nothing left undecrypted
    # no secret went out in cleartext, and nothing else is wrong either
    assert experts(cap, **passes) == []


def test_starttls_before_tls(passes):
    (reqs, reps), = sessions(STARTTLS, **passes)
    assert reqs[:2] == [(6, "EHLO"), (9, "STARTTLS")]
    assert reps[:3] == [(4, 220), (8, 250), (10, 220)]
    # smtpd_tls_auth_only=yes: STARTTLS but no AUTH before TLS, AUTH but no STARTTLS after
    kw = by_frame(STARTTLS, "smtpx.ehlo.keyword", **passes)
    assert kw[8] == [k if k != "AUTH" else "STARTTLS" for k in POSTFIX_EHLO_KEYWORDS]
    assert kw[17] == POSTFIX_EHLO_KEYWORDS
    assert by_frame(STARTTLS, "smtpx.ehlo.auth_mech", **passes) == {17: ["PLAIN", "LOGIN", "CRAM-MD5"]}
    assert by_frame(STARTTLS, "smtpx.rsp.enhanced", **passes)[10] == ["2.0.0"]
    assert flat(STARTTLS, "smtpx.rsp.parameter", "frame.number == 10", **passes) == ["2.0.0 Ready to start TLS"]
    # the TLS handshake follows the 220 and is TLS's, not smtpx's
    hs = frames(STARTTLS, "tls.handshake", **passes)
    assert hs[:3] == [11, 12, 13] and not set(hs) & set(frames(STARTTLS, "smtpx", **passes))


def test_starttls_decrypted_session(passes):
    (reqs, reps), = sessions(STARTTLS, **passes)
    assert reqs[2:] == [(14, "EHLO"), (19, "AUTH"), (21, "step"), (23, "MAIL"), (25, "RCPT"), (27, "DATA"),
                        (30, "."), (33, "QUIT")]
    assert reps[3:] == [(17, 250), (20, 334), (22, 235), (24, 250), (26, 250), (28, 354), (32, 250), (34, 221)]
    assert by_frame(STARTTLS, "smtpx.auth.mechanism", **passes) == {19: ["PLAIN"]}
    assert by_frame(STARTTLS, "smtpx.auth.username", **passes) == {21: [USER]}
    assert by_frame(STARTTLS, "smtpx.auth.password", **passes) == {21: [PASSWORD]}
    assert by_frame(STARTTLS, "smtpx.auth.step", **passes) == {21: ["AHN0dWRlbnQAaGVzc292cyE="]}
    assert by_frame(STARTTLS, "smtpx.auth.challenge", **passes) == {}        # "334 " (empty)
    assert by_frame(STARTTLS, "smtpx.auth.result", **passes) == {22: ["success"]}
    assert by_frame(STARTTLS, "smtpx.envelope.sender", **passes) == {23: ["alice@smtpx.test"]}
    assert by_frame(STARTTLS, "smtpx.envelope.recipient", **passes) == {25: ["root@smtpx.test"]}
    assert flat(STARTTLS, "smtpx.rsp.enhanced", "frame.number > 10", **passes) == [
        "2.7.0", "2.1.0", "2.1.5", "2.0.0", "2.0.0"]
    fullmatch_all(curl_lines("smtpx STARTTLS test", "PLAIN"), flat(STARTTLS, "smtpx.data.line", **passes))
    assert by_frame(STARTTLS, "imf.subject", **passes) == {30: ["smtpx STARTTLS test"]}
    assert by_frame(STARTTLS, "imf.message_id", **passes) == {30: ["<curl-plain@client.smtpx.test>"]}
    check_session_names(STARTTLS, "mx.smtpx.test", **passes)
    check_inside_tls(STARTTLS, 11, **passes)


def test_starttls_credentials_tap():
    assert credentials(STARTTLS) == [(21, USER, "AUTH PLAIN")]


def test_smtps_465_decrypted_session(passes):
    (reqs, reps), = sessions(SMTPS, **passes)
    assert reqs == [(13, "EHLO"), (15, "AUTH"), (17, "step"), (19, "step"), (21, "MAIL"), (23, "RCPT"),
                    (25, "DATA"), (28, "."), (31, "QUIT")]
    assert reps == [(11, 220), (14, 250), (16, 334), (18, 334), (20, 235), (22, 250), (24, 250), (26, 354),
                    (30, 250), (32, 221)]
    assert by_frame(SMTPS, "smtpx.ehlo.keyword", **passes) == {14: POSTFIX_EHLO_KEYWORDS}
    assert by_frame(SMTPS, "smtpx.ehlo.auth_mech", **passes) == {14: ["PLAIN", "LOGIN", "CRAM-MD5"]}
    assert by_frame(SMTPS, "smtpx.auth.mechanism", **passes) == {15: ["LOGIN"]}
    assert by_frame(SMTPS, "smtpx.auth.challenge", **passes) == {16: ["Username:"], 18: ["Password:"]}
    assert by_frame(SMTPS, "smtpx.auth.username", **passes) == {17: [USER]}
    assert by_frame(SMTPS, "smtpx.auth.password", **passes) == {19: [PASSWORD]}
    assert by_frame(SMTPS, "smtpx.auth.result", **passes) == {20: ["success"]}
    check_steps_decode(SMTPS, **passes)
    assert flat(SMTPS, "smtpx.rsp.enhanced", **passes) == ["2.7.0", "2.1.0", "2.1.5", "2.0.0", "2.0.0"]
    fullmatch_all(curl_lines("smtpx SMTPS test", "LOGIN"), flat(SMTPS, "smtpx.data.line", **passes))
    assert by_frame(SMTPS, "imf.subject", **passes) == {28: ["smtpx SMTPS test"]}
    check_session_names(SMTPS, "mx.smtpx.test", **passes)
    # implicit TLS: smtpx sees nothing before the handshake, everything after it decrypted
    assert frames(SMTPS, "tls.handshake", **passes)[:3] == [4, 6, 8]
    check_inside_tls(SMTPS, 1, **passes)


def test_smtps_465_credentials_tap():
    assert credentials(SMTPS) == [(19, USER, "AUTH LOGIN")]


def test_hide_passwords_hides_them_everywhere(passes):
    """With smtpx.hide_passwords the password is ********, and no other item
    of the tree (e.g. "Decoded") shows it in clear either."""
    hide = ["-o", "smtpx.hide_passwords:TRUE"]
    for cap, frames_with_password in ((POSTFIX_SASL, [13, 36, 88]), (STARTTLS, [21])):
        got = ts.fields(cap, ["frame.number", "smtpx.auth.password", "smtpx.auth.decoded"], "smtpx.auth.password",
                        extra=hide, **passes)
        assert [(int(f), p) for f, p, _ in got] == [(f, "********") for f in frames_with_password]
        leaks = [(cap.name, int(f), d) for f, _, d in got if PASSWORD in d or "wrong-password" in d]
        assert leaks == []


# ---- all captures -----------------------------------------------------------------

@pytest.mark.parametrize("two_pass", [False, True], ids=["1pass", "2pass"])
def test_info_column_without_tree(two_pass):
    """Plain `tshark -r` (no tree) must show the same Info as with a tree."""
    wrong = {}
    for cap in (POSTFIX_SASL, AIOSMTPD, EXIM, STARTTLS, SMTPS):
        wrong.update(ts.info_mismatches(cap, two_pass, verbose=True, extra=DECODE_AS.get(cap, ())))
    assert wrong == {}


def test_info_column(passes):
    info = {f: v[0] for f, v in by_frame(STARTTLS, "_ws.col.Info", "smtpx", **passes).items()}
    assert [info[f] for f in (9, 10, 14, 19, 20, 21, 22, 30)] == [
        "C: STARTTLS", "S: 220 2.0.0 Ready to start TLS", "C: EHLO client.smtpx.test", "C: AUTH PLAIN", "S: 334 ",
        "C: AUTH PLAIN step 1: AHN0dWRlbnQAaGVzc292cyE=", "S: 235 2.7.0 Authentication successful",
        "C: . (end of data)"]
    info = {f: v[0] for f, v in by_frame(AIOSMTPD, "_ws.col.Info", "smtpx", **passes).items()}
    assert info[13] == "S: 250-aiosmtpd.smtpx.test (+5 lines)"
    assert info[16] == "S: 334 VXNlciBOYW1lAA=="


# ---- live -------------------------------------------------------------------------

def _live_aiosmtpd_skip_reason():
    if os.geteuid() != 0:
        return "needs root: tools/capture-auth-tls.sh captures on lo"
    path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    missing = [t for t in ("swaks", "msmtp", "curl", "dumpcap", "editcap", "setpriv")
               if not shutil.which(t, path=path)]
    if subprocess.run(["/usr/bin/python3", "-c", "import aiosmtpd"], capture_output=True).returncode:
        missing.append("python3-aiosmtpd")
    if missing:
        return f"not installed: {', '.join(missing)} (apt-get install python3-aiosmtpd msmtp curl swaks tshark)"
    with socket.socket() as sock:
        if sock.connect_ex(("127.0.0.1", 2525)) == 0:
            return "port 2525 is in use"
    return None


def test_live_aiosmtpd(tmp_path):
    """A fresh capture of swaks, msmtp and curl against aiosmtpd, checked like the committed one."""
    reason = _live_aiosmtpd_skip_reason()
    if reason:
        pytest.skip(reason)
    cap = tmp_path / "live.pcapng"
    ts.run_capture_script(CAPTURE_AUTH_TLS, ["aiosmtpd"], cap, timeout=300)
    for passes in ts.PASSES:
        check_aiosmtpd(cap, **passes)


# Scripted dialogues with real TLS (tools/capture-tls-script.sh, scripts in
# tests/tls_scripts/; keys embedded).
INJECTION_DISCARDED = CAPTURES / "tls_starttls_injection_discarded.pcapng"
AUTH_BEFORE_TLS = CAPTURES / "tls_auth_before_starttls.pcapng"


def test_commands_pipelined_after_starttls_are_discarded(passes):
    """A NOOP sent in the STARTTLS segment is discarded by the server (RFC
    3207 4.2), so each reply inside TLS answers its own command (they were
    once each taken for the one before: EHLO's for the NOOP's, QUIT's for a
    failed AUTH)."""
    links = {r[0]: r[1] for r in rows(INJECTION_DISCARDED, ["smtpx.response_to"], "smtpx.rsp", **passes)}
    assert {f: links[f] for f in (12, 25, 29, 33)} == {12: ["10"], 25: ["23"], 29: ["27"], 33: ["31"]}
    assert by_frame(INJECTION_DISCARDED, "smtpx.auth.result", **passes) == {29: ["success"]}
    assert experts(INJECTION_DISCARDED, **passes) == [(10, "smtpx.analysis.starttls_injection")]


def test_login_before_starttls_is_forgotten(passes):
    """STARTTLS makes the server forget a login (RFC 3207 4.2): a foreign
    recipient accepted inside TLS is an open relay, and the AUTH inside TLS
    is not a second AUTH (it was once auth_repeated, and the relay unseen)."""
    assert experts(AUTH_BEFORE_TLS, **passes) == [(10, "smtpx.analysis.cleartext_auth"),
                                                  (37, "smtpx.analysis.open_relay")]
    assert by_frame(AUTH_BEFORE_TLS, "smtpx.auth.result", **passes) == {12: ["success"], 49: ["success"]}


def test_login_before_starttls_not_in_the_transactions_log():
    out = ts.tshark(["-r", str(AUTH_BEFORE_TLS), "-q", "-z", "smtpx,transactions,tsv"]).stdout
    head, row = [line.split("\t") for line in out.splitlines() if line][:2]
    got = dict(zip(head, row))
    assert (got["auth"], got["user"]) == ("-", "-")
