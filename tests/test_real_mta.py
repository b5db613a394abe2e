# SPDX-License-Identifier: GPL-2.0-or-later
"""Captures of real mail software: the Debian postfix package talking to swaks
(or to a raw-socket client for dialogues swaks will not produce) on loopback,
made by tools/capture-real.sh (see tests/captures/SOURCES.tsv). Every test runs
in the four modes (one-pass and -2, with and without -V); the live test makes
a fresh capture with postfix and swaks when it can."""

import os
import re
import shutil

import pytest

import smtpx_tshark as ts

CAPTURES = ts.REPO / "tests" / "captures"
BASIC = CAPTURES / "postfix_swaks_basic.pcapng"
PIPELINING = CAPTURES / "postfix_swaks_pipelining.pcapng"
REJECTED = CAPTURES / "postfix_rejected.pcapng"
BDAT = CAPTURES / "postfix_bdat.pcapng"
DOTSTUFF = CAPTURES / "postfix_dotstuff.pcapng"
TELNET = CAPTURES / "postfix_telnet_typed.pcapng"
SLAM = CAPTURES / "postfix_slam.pcapng"
SLAM_REFUSED = CAPTURES / "postfix_slam_refused.pcapng"
SLAM_UNKNOWN = CAPTURES / "postfix_slam_unknown.pcapng"
AIOSMTPD_SLAM = CAPTURES / "aiosmtpd_slam.pcapng"
GREYLIST = CAPTURES / "postfix_greylist.pcapng"
NOT_SMTP = CAPTURES / "postfix_not_smtp.pcapng"
PROXY = CAPTURES / "postfix_proxy.pcapng"
XCLIENT = CAPTURES / "postfix_xclient.pcapng"
CAPTURE_REAL = ts.REPO / "tools" / "capture-real.sh"

# What Debian 12's postfix 3.7 says in EHLO with capture-real.sh's configuration
POSTFIX_EHLO_KEYWORDS = ["PIPELINING", "SIZE", "VRFY", "ETRN", "ENHANCEDSTATUSCODES",
                         "8BITMIME", "DSN", "SMTPUTF8", "CHUNKING"]
POSTFIX_EHLO_LINES = ["mx.smtpx.test", "PIPELINING", "SIZE 10240000", "VRFY", "ETRN",
                      "ENHANCEDSTATUSCODES", "8BITMIME", "DSN", "SMTPUTF8", "CHUNKING"]
QUEUED = r"2\.0\.0 Ok: queued as [0-9A-F]+"

rows = ts.rows


def by_frame(cap, field, display_filter="smtpx", **passes):
    """{frame: [occurrences of FIELD]} for the packets matching DISPLAY_FILTER."""
    return {r[0]: r[1] for r in rows(cap, [field], display_filter, **passes)}


def flat(cap, field, display_filter="smtpx", **passes):
    """All occurrences of FIELD, in capture order."""
    return [v for r in rows(cap, [field], display_filter, **passes) for v in r[1]]


def info(cap, **passes):
    return {f: v[0] for f, v in by_frame(cap, "_ws.col.Info", **passes).items()}


def pdus(cap, **passes):
    """(requests, replies): [(frame, verb)] with '.' for an end of data, and
    [(frame, code)], one element per PDU, in capture order."""
    eod = set(ts.frames_matching(cap, "smtpx.data.eod", **passes))
    requests, replies = [], []
    for frame, cmds, codes in rows(cap, ["smtpx.req.command", "smtpx.rsp.code"], **passes):
        requests += [(frame, ".")] * (frame in eod) + [(frame, c) for c in cmds]
        replies += [(frame, int(c)) for c in codes]
    return requests, replies


def check_links(cap, two_pass, verbose):
    """Reply k (after the banner) answers request k: response_to/response_in agree."""
    passes = dict(two_pass=two_pass, verbose=verbose)
    requests, replies = pdus(cap, **passes)
    assert replies[0][1] == 220 and len(replies) == len(requests) + 1
    response_to = [int(v) for v in flat(cap, "smtpx.response_to", "smtpx.rsp", **passes)]
    assert response_to == [f for f, _ in requests]
    # each reply measures its time since the request
    times = flat(cap, "smtpx.time", "smtpx.rsp", **passes)
    assert len(times) == len(requests) and all(float(t) >= 0 for t in times)
    response_in = [int(v) for v in flat(cap, "smtpx.response_in", "smtpx.req || smtpx.data.eod",
                                        **passes)]
    if two_pass:
        assert response_in == [f for f, _ in replies[1:]]


def fullmatch_all(patterns, values):
    assert len(values) == len(patterns), values
    for pattern, value in zip(patterns, values):
        assert re.fullmatch(pattern, value), (pattern, value)


def swaks_message_lines(subject, body):
    """Regexes for the lines swaks 20201014.0 sends with --header Subject and --body."""
    return [r"Date: \w{3}, \d{1,2} \w{3} \d{4} \d\d:\d\d:\d\d [+-]\d{4}",
            re.escape("To: root@smtpx.test"), re.escape("From: alice@smtpx.test"),
            re.escape(f"Subject: {subject}"), r"Message-Id: <[^>]+>",
            r"X-Mailer: swaks v\S+ jetmore\.org/john/code/swaks/", ""] + \
        [re.escape(line) for line in body] + ["", ""]


def check_swaks_session(cap, two_pass, verbose, subject, body, data_info):
    """What any clean swaks -> postfix session must look like; DATA_INFO is the
    Info regex of the frame carrying the message and its end."""
    passes = dict(two_pass=two_pass, verbose=verbose)
    requests, replies = pdus(cap, **passes)
    assert [v for _, v in requests] == ["EHLO", "MAIL", "RCPT", "DATA", ".", "QUIT"]
    assert [c for _, c in replies] == [220, 250, 250, 250, 354, 250, 221]
    assert flat(cap, "smtpx.req.parameter", **passes) == [
        "client.smtpx.test", "FROM:<alice@smtpx.test>", "TO:<root@smtpx.test>"]
    fullmatch_all([re.escape("mx.smtpx.test ESMTP Postfix")] +
                  [re.escape(line) for line in POSTFIX_EHLO_LINES] +
                  [r"2\.1\.0 Ok", r"2\.1\.5 Ok", re.escape("End data with <CR><LF>.<CR><LF>"),
                   QUEUED, r"2\.0\.0 Bye"],
                  flat(cap, "smtpx.rsp.parameter", **passes))
    assert flat(cap, "smtpx.rsp.enhanced", **passes) == ["2.1.0", "2.1.5", "2.0.0", "2.0.0"]
    assert [flat(cap, f"smtpx.rsp.enhanced.{part}", **passes)
            for part in ("class", "subject", "detail")] == [
        ["2", "2", "2", "2"], ["1", "1", "0", "0"], ["0", "5", "0", "0"]]
    check_links(cap, **passes)

    ehlo_reply = replies[1][0]
    assert by_frame(cap, "smtpx.ehlo.keyword", "smtpx.ehlo.keyword", **passes) == {
        ehlo_reply: POSTFIX_EHLO_KEYWORDS}
    assert by_frame(cap, "smtpx.ehlo.size", "smtpx.ehlo.size", **passes) == {ehlo_reply: ["10240000"]}

    mail = next(f for f, v in requests if v == "MAIL")
    rcpt = next(f for f, v in requests if v == "RCPT")
    assert by_frame(cap, "smtpx.envelope.sender", "smtpx.envelope.sender", **passes) == {
        mail: ["alice@smtpx.test"]}
    assert by_frame(cap, "smtpx.envelope.recipient", "smtpx.envelope.recipient", **passes) == {
        rcpt: ["root@smtpx.test"]}

    ehlo = requests[0][0]
    names = rows(cap, ["smtpx.session.server_name", "smtpx.session.client_name"],
                 f"smtpx && frame.number >= {ehlo}", **passes)
    assert {(tuple(s), tuple(c)) for _, s, c in names} == {(("mx.smtpx.test",), ("client.smtpx.test",))}

    eod = [f for f, v in requests if v == "."]
    data = [f for f, v in requests if v == "DATA"]
    lines = rows(cap, ["smtpx.data.line"], "smtpx.data.line", **passes)
    assert all(data[0] < f <= eod[0] for f, _ in lines)
    fullmatch_all(swaks_message_lines(subject, body), [v for _, vs in lines for v in vs])

    assert ts.experts(cap, **passes) == []

    # Info column last, so that the checks above run even if it is wrong
    got = info(cap, **passes)
    assert re.fullmatch(data_info, got[eod[0]]), got[eod[0]]
    per_frame = {}
    for frame, verb in requests:
        per_frame.setdefault(frame, []).append(verb)
    params = {"EHLO": " client.smtpx.test", "MAIL": " FROM:<alice@smtpx.test>",
              "RCPT": " TO:<root@smtpx.test>", "DATA": "", "QUIT": ""}
    for frame, verbs in per_frame.items():
        if len(verbs) == 1 and verbs[0] in params:
            assert got[frame] == f"C: {verbs[0]}{params[verbs[0]]}"
    assert got[replies[0][0]] == "S: 220 mx.smtpx.test ESMTP Postfix"
    assert got[ehlo_reply] == "S: 250-mx.smtpx.test (+9 lines)"
    assert re.fullmatch("S: 250 " + QUEUED, got[replies[-2][0]])
    assert got[replies[-1][0]] == "S: 221 2.0.0 Bye"


# ---- postfix_swaks_basic --------------------------------------------------------

BASIC_BODY = ["This is a test mailing"]


def test_basic_swaks_session(passes):
    check_swaks_session(BASIC, **passes, subject="smtpx test", body=BASIC_BODY,
                        data_info=re.escape("C: DATA fragment, 10 lines, 233 bytes | C: . (end of data)"))


def test_basic_frames(passes):
    requests, replies = pdus(BASIC, **passes)
    assert requests == [(6, "EHLO"), (9, "MAIL"), (11, "RCPT"), (13, "DATA"), (15, "."), (17, "QUIT")]
    assert replies == [(4, 220), (8, 250), (10, 250), (12, 250), (14, 354), (16, 250), (18, 221)]
    assert by_frame(BASIC, "smtpx.response_to", "smtpx.rsp", **passes) == {
        4: [], 8: ["6"], 10: ["9"], 12: ["11"], 14: ["13"], 16: ["15"], 18: ["17"]}
    if passes["two_pass"]:
        assert by_frame(BASIC, "smtpx.response_in", "smtpx.req || smtpx.data", **passes) == {
            6: ["8"], 9: ["10"], 11: ["12"], 13: ["14"], 15: ["16"], 17: ["18"]}
    assert info(BASIC, **passes) == {
        4: "S: 220 mx.smtpx.test ESMTP Postfix",
        6: "C: EHLO client.smtpx.test",
        8: "S: 250-mx.smtpx.test (+9 lines)",
        9: "C: MAIL FROM:<alice@smtpx.test>",
        10: "S: 250 2.1.0 Ok",
        11: "C: RCPT TO:<root@smtpx.test>",
        12: "S: 250 2.1.5 Ok",
        13: "C: DATA",
        14: "S: 354 End data with <CR><LF>.<CR><LF>",
        15: "C: DATA fragment, 10 lines, 233 bytes | C: . (end of data)",
        16: "S: 250 2.0.0 Ok: queued as B38141080B0",
        17: "C: QUIT",
        18: "S: 221 2.0.0 Bye",
    }


@pytest.mark.parametrize("two_pass", [False, True], ids=["1pass", "2pass"])
def test_info_column_without_tree(two_pass):
    """Plain `tshark -r` (no tree) must show the same Info as with a tree."""
    wrong = {}
    for cap in (BASIC, PIPELINING, DOTSTUFF, REJECTED, BDAT):
        wrong.update(ts.info_mismatches(cap, two_pass))
    assert wrong == {}


# ---- postfix_swaks_pipelining ---------------------------------------------------

def test_pipelining_swaks_session(passes):
    check_swaks_session(PIPELINING, **passes, subject="smtpx pipelining test", body=BASIC_BODY,
                        data_info=re.escape("C: DATA fragment, 10 lines, 244 bytes | C: . (end of data)"))


def test_pipelining_frames(passes):
    requests, replies = pdus(PIPELINING, **passes)
    # swaks --pipeline sends MAIL, RCPT and DATA in one segment, postfix answers in one
    assert requests == [(6, "EHLO"), (9, "MAIL"), (9, "RCPT"), (9, "DATA"), (11, "."), (13, "QUIT")]
    assert replies == [(4, 220), (8, 250), (10, 250), (10, 250), (10, 354), (12, 250), (14, 221)]
    assert by_frame(PIPELINING, "smtpx.response_to", "smtpx.rsp", **passes) == {
        4: [], 8: ["6"], 10: ["9", "9", "9"], 12: ["11"], 14: ["13"]}
    if passes["two_pass"]:
        assert by_frame(PIPELINING, "smtpx.response_in", "smtpx.req || smtpx.data", **passes) == {
            6: ["8"], 9: ["10", "10", "10"], 11: ["12"], 13: ["14"]}
    assert by_frame(PIPELINING, "smtpx.rsp.enhanced", "frame.number == 10", **passes) == {
        10: ["2.1.0", "2.1.5"]}
    got = info(PIPELINING, **passes)
    assert got[9] == "C: MAIL FROM:<alice@smtpx.test> | C: RCPT TO:<root@smtpx.test> | C: DATA"
    assert got[10] == "S: 250 2.1.0 Ok | S: 250 2.1.5 Ok | S: 354 End data with <CR><LF>.<CR><LF>"


# ---- postfix_rejected -------------------------------------------------------------

def test_rejected_recipient_and_data(passes):
    requests, replies = pdus(REJECTED, **passes)
    assert requests == [(6, "EHLO"), (9, "MAIL"), (11, "RCPT"), (13, "DATA"), (15, "RSET"), (17, "QUIT")]
    assert replies == [(4, 220), (8, 250), (10, 250), (12, 550), (14, 554), (16, 250), (18, 221)]
    check_links(REJECTED, **passes)
    assert by_frame(REJECTED, "smtpx.rsp.parameter", "smtpx.rsp.code >= 300", **passes) == {
        12: ["5.1.1 <nobody-here@smtpx.test>: Recipient address rejected: "
             "User unknown in local recipient table"],
        14: ["5.5.1 Error: no valid recipients"]}
    got = rows(REJECTED, ["smtpx.rsp.enhanced", "smtpx.rsp.enhanced.class", "smtpx.rsp.enhanced.subject",
                          "smtpx.rsp.enhanced.detail"], "smtpx.rsp.enhanced", **passes)
    assert got == [[10, ["2.1.0"], ["2"], ["1"], ["0"]],
                   [12, ["5.1.1"], ["5"], ["1"], ["1"]],
                   [14, ["5.5.1"], ["5"], ["5"], ["1"]],
                   [16, ["2.0.0"], ["2"], ["0"], ["0"]],
                   [18, ["2.0.0"], ["2"], ["0"], ["0"]]]
    assert by_frame(REJECTED, "smtpx.envelope.recipient", "smtpx.envelope.recipient", **passes) == {
        11: ["nobody-here@smtpx.test"]}
    # Postfix's words say why: "no valid recipients" names no reason
    assert by_frame(REJECTED, "smtpx.rsp.reason", "smtpx.rsp.code >= 400", **passes) == {
        12: ["unknown recipient"], 14: []}
    assert by_frame(REJECTED, "smtpx.envelope.sender", "smtpx.envelope.sender", **passes) == {
        9: ["alice@smtpx.test"]}
    # the rejections stand out, and DATA after the only recipient was refused is out of order
    assert ts.experts(REJECTED, **passes) == [(12, "smtpx.analysis.serious_reply"),
                                              (13, "smtpx.analysis.bad_sequence"),
                                              (14, "smtpx.analysis.serious_reply")]


def test_rejected_data_stays_in_command_mode(passes):
    """DATA answered 554: no message follows, RSET and QUIT are commands."""
    assert ts.frames_matching(REJECTED, "smtpx.data || smtpx.data.line || smtpx.data.eod", **passes) == []
    got = info(REJECTED, **passes)
    assert [got[f] for f in (13, 14, 15, 16, 17, 18)] == [
        "C: DATA", "S: 554 5.5.1 Error: no valid recipients", "C: RSET", "S: 250 2.0.0 Ok",
        "C: QUIT", "S: 221 2.0.0 Bye"]
    assert by_frame(REJECTED, "smtpx.req.command", "frame.number > 14 && smtpx", **passes) == {
        15: ["RSET"], 16: [], 17: ["QUIT"], 18: []}


# ---- postfix_greylist: postgrey asked about each recipient ----------------------------

def test_greylisted_recipient(passes):
    """Postgrey has not seen the sender: Postfix answers the RCPT 450
    "Greylisted"; smtpx names the reason and explains it, the client gives
    up with QUIT, and the session shows in the sessions log with that one
    transaction, given up, and no message accepted."""
    requests, replies = pdus(GREYLIST, **passes)
    assert [v for _, v in requests] == ["EHLO", "MAIL", "RCPT", "QUIT"]
    assert [c for _, c in replies] == [220, 250, 250, 450, 221]
    assert by_frame(GREYLIST, "smtpx.rsp.reason", "smtpx.rsp.code == 450", **passes) == {12: ["greylisting"]}
    assert ts.experts(GREYLIST, **passes) == [(12, "smtpx.analysis.error_reply")]
    if passes["verbose"]:
        out = ts.tshark(["-r", str(GREYLIST), "-V", "-Y", "frame.number == 12"] + ["-2"] * passes["two_pass"]).stdout
        assert "Reason: greylisting: the server turns away the first attempt of an unknown sender" in out
    tree = ts.tshark(["-r", str(GREYLIST), "-q", "-z", "smtpx,tree"] + ["-2"] * passes["two_pass"]).stdout
    assert re.search(r"^ greylisting +1 ", tree, re.M)
    log = ts.tshark(["-r", str(GREYLIST), "-q", "-z", "smtpx,sessions,tsv"] + ["-2"] * passes["two_pass"]).stdout
    head, row = [line.split("\t") for line in log.splitlines() if "\t" in line]
    assert [dict(zip(head, row))[k] for k in ("helo", "mails", "accepted", "findings", "last_reply")] == [
        "client.smtpx.test", "1", "0", "1", "221"]


# ---- postfix_slam, postfix_slam_refused: the message before the 354 -------------------

SLAM_LINES = ["From: <alice@smtpx.test>", "To: <root@smtpx.test>", "Subject: smtpx slam test", "",
              "This message was sent before the server's 354."]
SLAM_EARLY = ("Message sent before the server's reply to DATA (frame 9): the client must wait for 354 "
              "(RFC 2920); shown as the message, as a server that answers 354 reads it")


def test_message_before_354_taken(passes):
    """MAIL, RCPT, DATA, the message and its "." in one segment: postfix
    answers 354 and queues the message, so its lines are the message."""
    requests, replies = pdus(SLAM, **passes)      # (pdus lists a frame's end of data first)
    assert requests == [(6, "EHLO"), (9, "."), (9, "MAIL"), (9, "RCPT"), (9, "DATA"), (11, "QUIT")]
    assert [c for _, c in replies] == [220, 250, 250, 250, 354, 250, 221]
    check_links(SLAM, **passes)
    assert flat(SLAM, "smtpx.data.line", **passes) == SLAM_LINES
    got = rows(SLAM, ["smtpx.msg.from", "smtpx.msg.subject", "smtpx.msg.size"], "smtpx.msg", **passes)
    assert got == [[9, ["alice@smtpx.test"], ["smtpx slam test"], ["125"]]]
    assert ts.experts(SLAM, **passes) == [(9, "smtpx.analysis.bad_sequence")]
    assert flat(SLAM, "_ws.expert.message", "smtpx.analysis", **passes) == [SLAM_EARLY]


def test_message_before_354_refused(passes):
    """The same with smtpd_forbid_unauth_pipelining=yes: postfix refuses DATA
    with 554 5.5.0 and closes; the finding on the 554 says the message was
    not taken."""
    requests, replies = pdus(SLAM_REFUSED, **passes)
    assert requests == [(6, "EHLO"), (9, "."), (9, "MAIL"), (9, "RCPT"), (9, "DATA")]
    assert replies == [(4, 220), (8, 250), (10, 250), (10, 250), (10, 554)]
    assert flat(SLAM_REFUSED, "smtpx.rsp.parameter", "frame.number == 10", **passes)[-1] == \
        "5.5.0 Error: SMTP protocol synchronization"
    assert ts.experts(SLAM_REFUSED, **passes) == [(9, "smtpx.analysis.bad_sequence"),
                                                  (10, "smtpx.analysis.serious_reply"),
                                                  (10, "smtpx.analysis.bad_sequence")]
    assert ("Reply 554 refuses DATA, but the client sent the message (from frame 9) without waiting: the server "
            "did not take it, and reads those lines as commands unless it closes the connection"
            ) in flat(SLAM_REFUSED, "_ws.expert.message", "frame.number == 10", **passes)


LINE_REPLY = ("{}: the server refused DATA, but the client had sent the message (from frame 9) without waiting: the "
              "server reads each of its lines as a command, and this reply answers one of them")


def test_refused_message_lines_read_as_commands(passes):
    """aiosmtpd refuses a DATA sent without RCPT (503), then reads each line
    of the message the client sent with it as a command and answers it: each
    reply links to the line's frame, with a note, not as a reply to nothing;
    the "." gets the last reply (too many unknown commands, goodbye), and the
    one transaction has one row in the log."""
    requests, replies = pdus(AIOSMTPD_SLAM, **passes)
    assert requests == [(6, "EHLO"), (9, "."), (9, "MAIL"), (9, "DATA"), (9, "QUIT")]
    assert [c for _, c in replies] == [220, 250, 250, 503, 500, 500, 500, 500, 500, 502]
    got = rows(AIOSMTPD_SLAM, ["smtpx.response_to", "smtpx.note"], "frame.number >= 20 && smtpx.rsp", **passes)
    assert [r[1] for r in got] == [["9"]] * 6
    assert [r[2] for r in got] == [[LINE_REPLY.format(500)]] * 5 + [[LINE_REPLY.format(502)]]
    assert "(a line of the message sent before the reply to DATA, read as a command)" in ts.tshark(
        ["-r", ts.capture_path(AIOSMTPD_SLAM), "-V", "-Y", "frame.number == 20"] + ["-2"] * passes["two_pass"]).stdout
    if passes["two_pass"]:      # the "." was answered by the goodbye; QUIT never was
        assert by_frame(AIOSMTPD_SLAM, "smtpx.response_in", "frame.number == 9", **passes) == {9: ["17", "19", "28"]}
    assert "smtpx.analysis.unsolicited_reply" not in {a for _, a in ts.experts(AIOSMTPD_SLAM, **passes)}
    log = ts.transactions(AIOSMTPD_SLAM, passes["two_pass"])
    assert [[r["frame"], r["reply"], r["size"]] for r in log] == [["19", "503", "135"]]


def test_refused_message_server_hangs_up(passes):
    """Postfix refuses RCPT and DATA (no valid recipients), and at the
    message's first line closes the connection (221 "I can break rules,
    too"): the 221 says so; the transactions log has one row."""
    requests, replies = pdus(SLAM_UNKNOWN, **passes)
    assert requests == [(6, "EHLO"), (9, "."), (9, "MAIL"), (9, "RCPT"), (9, "DATA")]
    assert [c for _, c in replies] == [220, 250, 250, 550, 554, 221]
    assert flat(SLAM_UNKNOWN, "smtpx.response_to", "frame.number == 10", **passes) == ["9"] * 4
    assert flat(SLAM_UNKNOWN, "smtpx.note", "frame.number == 10", **passes)[-1] == (
        "221: the server refused DATA, but the client had sent the message (from frame 9) without waiting: rather "
        "than read its lines as commands, the server closes the connection")
    log = ts.transactions(SLAM_UNKNOWN, passes["two_pass"])
    assert [[r["frame"], r["reply"], r["rcpt_rejected"]] for r in log] == [["10", "554", "1"]]


# ---- postfix_bdat -----------------------------------------------------------------

BDAT_CHUNK1 = (b"From: <alice@smtpx.test>\r\nTo: <root@smtpx.test>\r\n"
               b"Subject: smtpx bdat test\r\n\r\nThe first chunk ends in the mid")
BDAT_CHUNK2 = (b"dle of this line.\r\nQUIT\r\n.\r\n"
               b"Neither the QUIT nor the dot above are commands.\r\n")


def test_bdat_chunks(passes):
    requests, replies = pdus(BDAT, **passes)
    # frame 15: "BDAT 78 LAST", the chunk, then a pipelined NOOP, all in one segment
    assert requests == [(6, "EHLO"), (9, "MAIL"), (11, "RCPT"), (13, "BDAT"), (15, "BDAT"),
                        (15, "NOOP"), (17, "QUIT")]
    assert replies == [(4, 220), (8, 250), (10, 250), (12, 250), (14, 250), (16, 250), (16, 250),
                       (18, 221)]
    check_links(BDAT, **passes)
    assert by_frame(BDAT, "smtpx.response_to", "smtpx.rsp", **passes)[16] == ["15", "15"]
    got = rows(BDAT, ["smtpx.req.parameter", "smtpx.bdat.size", "smtpx.bdat.last", "smtpx.bdat.chunk"],
               "smtpx.bdat.size", **passes)
    assert got == [[13, ["108"], ["108"], ["0"], [BDAT_CHUNK1.hex()]],
                   [15, ["78 LAST"], ["78"], ["1"], [BDAT_CHUNK2.hex()]]]
    assert len(BDAT_CHUNK1) == 108 and len(BDAT_CHUNK2) == 78
    # the chunk's "QUIT" and "." lines are message content, not commands or data lines
    assert ts.frames_matching(BDAT, "smtpx.data || smtpx.data.eod", **passes) == []
    # the chunks are shown as text, a line cut between them on both sides
    assert by_frame(BDAT, "smtpx.data.line", "smtpx.data.line", **passes) == {
        13: ["From: <alice@smtpx.test>", "To: <root@smtpx.test>", "Subject: smtpx bdat test", "",
             "The first chunk ends in the mid"],
        15: ["dle of this line.", "QUIT", ".", "Neither the QUIT nor the dot above are commands."]}
    assert by_frame(BDAT, "smtpx.envelope.param.size", "smtpx.envelope.param.size", **passes) == {
        9: ["186"]}
    fullmatch_all([r"2\.0\.0 Ok: 108 bytes", r"2\.0\.0 Ok: 186 bytes queued as [0-9A-F]+", r"2\.0\.0 Ok"],
                  flat(BDAT, "smtpx.rsp.parameter", "frame.number == 14 || frame.number == 16", **passes))
    text = info(BDAT, **passes)
    assert text[13].startswith("C: BDAT 108 | ")
    assert text[15].startswith("C: BDAT 78 LAST | ") and text[15].endswith(" | C: NOOP")
    assert text[16] == "S: 250 2.0.0 Ok: 186 bytes queued as CB4621080B2 | S: 250 2.0.0 Ok"
    assert text[17] == "C: QUIT"
    assert ts.experts(BDAT, **passes) == []


# ---- postfix_dotstuff -------------------------------------------------------------

DOTSTUFF_BODY = ["Lines starting with a dot follow.", ".hidden", "..two dots", ".",
                 ". a dot and a space", "The lone dot above was not the end."]


def test_dotstuffed_lines_are_data(passes):
    """swaks doubles every leading dot on the wire ('..hidden', '..' for a lone
    dot); smtpx.data.line is the message line with that dot removed, and the
    stuffed lone dot does not end the message."""
    raw = bytes.fromhex(flat(DOTSTUFF, "tcp.payload", "frame.number == 15", **passes)[0].replace(":", ""))
    assert b"\r\n..hidden\r\n...two dots\r\n..\r\n.. a dot and a space\r\n" in raw
    assert raw.endswith(b"\r\n.\r\n")
    check_swaks_session(DOTSTUFF, **passes, subject="smtpx dot-stuffing test", body=DOTSTUFF_BODY,
                        data_info=re.escape("C: DATA fragment, 15 lines, 343 bytes | C: . (end of data)"))
    assert ts.frames_matching(DOTSTUFF, "smtpx.data.eod", **passes) == [15]
    lines = flat(DOTSTUFF, "smtpx.data.line", "smtpx.data.line", **passes)
    assert lines[7:13] == DOTSTUFF_BODY
    assert by_frame(DOTSTUFF, "smtpx.req.command", "frame.number >= 17 && smtpx.req", **passes) == {
        17: ["QUIT"]}


# ---- live -------------------------------------------------------------------------

def _live_skip_reason():
    if os.geteuid() != 0:
        return "needs root: tools/capture-real.sh configures and starts postfix and captures on lo"
    path = os.environ.get("PATH", "") + ":/usr/sbin:/sbin"
    missing = [t for t in ("postfix", "swaks", "dumpcap") if not shutil.which(t, path=path)]
    if missing:
        return f"not installed: {', '.join(missing)} (apt-get install postfix swaks tshark)"
    return None


def test_real_telnet_typed_by_hand(passes):
    """The telnet client in character mode, one keystroke per segment
    (tools/telnet-typist.py): every command is put together from its
    segments, and what a teacher must point out is flagged."""
    got = {r[0]: r[1:] for r in rows(TELNET, ["smtpx.req.command", "smtpx.req.edited", "smtpx.line.segments"],
                                     "smtpx.req", **passes)}
    assert sorted(got) == [8, 72, 129, 194, 247, 258, 458]
    assert got[72] == [["HELO"], ["helo client.smtpx.test"], ["31"]]    # "helo cleint" + 4 DEL + "ient..."
    assert got[194] == [["RCPT"], ["rcpt to:<root@smtpx.test>"], ["32"]]
    assert got[247] == [["RCPT"], [], ["26"]] and got[458] == [["QUIT"], [], ["5"]]
    # Postfix applies no Backspace: the edited RCPT is refused, the retyped one accepted
    codes = by_frame(TELNET, "smtpx.rsp.code", **passes)
    assert codes[196] == ["501"] and codes[249] == ["250"]
    assert ts.experts(TELNET, passes["two_pass"], passes["verbose"]) == [
        (8, "smtpx.analysis.telnet_iac"),  # "mode character" negotiation (not an unknown command)
        (10, "smtpx.analysis.error_reply"),
        (72, "smtpx.analysis.telnet_edit"),     # (not missing_brackets: the name as typed, edits applied, is one)
        (129, "smtpx.analysis.missing_brackets"),                                  # mail from: alice@...
        (194, "smtpx.analysis.telnet_edit"), (196, "smtpx.analysis.error_reply"),
        (373, "smtpx.analysis.spoofed_from")]                                      # From: CEO <ceo@bank.example>


def test_other_protocols_sent_to_postfix(passes):
    """curl's HTTP request and openssl's ClientHello, sent to Postfix on
    port 25: one finding each, their lines shown as HTTP and TLS, and the
    replies Postfix gave them (221 to the request line, 500 to three lines
    of the record) answer them."""
    got = ts.fields(NOT_SMTP, ["frame.number", "smtpx.foreign", "_ws.expert.message"],
                    "smtpx.analysis.foreign_protocol", **passes)
    assert [r[:2] for r in got] == [["4", "HTTP,HTTP,HTTP,HTTP,HTTP"], ["14", "TLS,TLS,TLS,TLS,TLS"]]
    assert got[0][2].startswith("Not SMTP but an HTTP request") and got[1][2].startswith("Not SMTP but a TLS")
    replies = {r[0]: r[1:] for r in ts.fields(NOT_SMTP, ["frame.number", "smtpx.rsp.code", "smtpx.response_to"],
                                              "smtpx.rsp", **passes)}
    assert replies["6"] == ["220,221", "4"] and replies["18"] == ["500,500,500", "14,14,14"]
    assert ts.frames_matching(NOT_SMTP, "smtpx.analysis.unknown_command", **passes) == []
    assert ts.info_mismatches(NOT_SMTP, passes["two_pass"]) == {}
    # the ClientHello as Wireshark's TLS dissector reads it: the name openssl asked for, its JA3
    hello = ts.fields(NOT_SMTP, ["tls.handshake.extensions_server_name", "tls.handshake.ja3"], "tls", **passes)
    assert len(hello) == 1 and hello[0][0] == "mx.smtpx.test" and len(hello[0][1]) == 32


def test_proxy_header_before_postfix(passes):
    """A PROXY header to Postfix with smtpd_upstream_proxy_protocol=haproxy:
    the real client (which Postfix logs and puts in its Received header) is
    on every PDU, and the header is neither an early talker nor a command."""
    got = ts.fields(PROXY, ["frame.number", "smtpx.proxy", "proxy.src.ipv4", "smtpx.session.real_client"],
                    "smtpx", **passes)
    assert got[0] == ["4", "203.0.113.7 port 56324", "203.0.113.7", "203.0.113.7"]
    assert len(got) == 14 and all(r[3] == "203.0.113.7" for r in got)
    assert ts.frames_matching(PROXY, "smtpx.analysis", **passes) == []
    txn = ts.transactions(PROXY, passes["two_pass"])
    assert [(t["client"], t["real_client"]) for t in txn] == [("127.0.0.1", "203.0.113.7")]
    assert ts.info_mismatches(PROXY, passes["two_pass"]) == {}


def test_xclient_to_postfix(passes):
    """XCLIENT to Postfix with smtpd_authorized_xclient_hosts: Postfix
    answers with a new 220 greeting (no enhanced code expected there), and
    from it on the session is 203.0.113.7's, logged in as alice."""
    got = ts.fields(XCLIENT, ["frame.number", "smtpx.rsp.code", "smtpx.response_to", "smtpx.session.real_client"],
                    "smtpx", **passes)
    assert got[3:5] == [["9", "", "", ""], ["10", "220", "9", "203.0.113.7"]]
    assert all(r[3] == "203.0.113.7" for r in got[4:])
    assert ts.frames_matching(XCLIENT, "smtpx.analysis", **passes) == []
    # the logs name the proxy (the connecting host) and the real client
    txn = ts.transactions(XCLIENT, passes["two_pass"])
    assert [(t["client"], t["real_client"], t["user"]) for t in txn] == [("127.0.0.1", "203.0.113.7", "alice")]


def test_live_postfix_swaks(tmp_path):
    """A fresh capture of swaks -> postfix, made now, checked like the committed one."""
    reason = _live_skip_reason()
    if reason:
        pytest.skip(reason)
    cap = tmp_path / "live.pcapng"
    env = dict(os.environ, PATH=os.environ.get("PATH", "/usr/bin:/bin") + ":/usr/sbin:/sbin")
    ts.run_capture_script(CAPTURE_REAL, ["basic"], cap, timeout=180, env=env)
    for passes in ts.PASSES:
        check_swaks_session(cap, **passes, subject="smtpx test", body=BASIC_BODY,
                            data_info=r"C: DATA fragment, 10 lines, \d+ bytes \| C: \. \(end of data\)")
    for two_pass in (False, True):
        assert ts.info_mismatches(cap, two_pass) == {}
