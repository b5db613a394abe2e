# SPDX-License-Identifier: GPL-2.0-or-later
"""Issue 2: registration, ports, line reassembly, commands, replies, session
state, request/response tracking and the Info column, in all four modes
(one-pass and -2, with and without -V)."""

import re

import pytest

import smtpx_tshark as ts


def rows(name, fields, display_filter="smtpx", **passes):
    return ts.fields(ts.transcript_pcap(name), fields, display_filter, **passes)


def info(name, **passes):
    return {int(r[0]): r[1] for r in rows(name, ["frame.number", "_ws.col.Info"], **passes)}


# ---- registration -------------------------------------------------------

def test_protocol_registered_as_smtpx():
    out = ts.tshark(["-G", "protocols"]).stdout.splitlines()
    assert "Simple Mail Transfer Protocol (smtpx)\tSMTPX\tsmtpx" in out


def test_ports_and_tls_port_table():
    decodes = ts.tshark(["-G", "decodes"]).stdout.splitlines()
    for entry in ("tcp.port\t25\tsmtpx", "tcp.port\t587\tsmtpx", "tcp.port\t2525\tsmtpx",
                  "tls.port\t465\tsmtpx"):
        assert entry in decodes


def test_every_field_is_under_smtpx():
    out = ts.tshark(["-G", "fields"]).stdout.splitlines()
    ours = [line.split("\t") for line in out if "\tsmtpx\t" in line or line.endswith("\tsmtpx")]
    abbrevs = [f[2] for f in ours if f[0] == "F"]
    assert len(abbrevs) > 40
    assert all(a.startswith("smtpx.") for a in abbrevs)


def test_every_finding_is_in_the_readme():
    """The README's table of expert items names each finding smtpx
    registers (smtpx.analysis.NAME), and no other."""
    out = ts.tshark(["-G", "fields"]).stdout.splitlines()
    registered = {f[2].removeprefix("smtpx.analysis.") for f in (line.split("\t") for line in out)
                  if f[0] == "F" and f[2].startswith("smtpx.analysis.")}
    rows = [line.split("|")[1] for line in (ts.REPO / "README.md").read_text().splitlines() if line.startswith("| `")]
    documented = set(re.findall(r"`([a-z0-9_]+)`", " ".join(rows)))
    assert len(registered) > 50
    assert registered == documented


def test_ports_587_and_2525(passes):
    assert rows("all_verbs", ["tcp.srcport"], "smtpx.rsp.code == 220 && !smtpx.response_to", **passes) == [["587"]]
    assert rows("data_rejected", ["tcp.srcport"], "smtpx.rsp.code == 220", **passes) == [["2525"]]


def test_decode_as_other_port():
    """Decode As (-d) gives a port to smtpx, also with the heuristic off."""
    cap = ts.transcript_pcap("custom_port")
    off = ["--disable-heuristic", "smtpx_tcp"]
    assert ts.fields(cap, ["smtpx.req.command"], "smtpx.req", extra=off) == []
    got = ts.fields(cap, ["smtpx.req.command", "smtpx.rsp.code"], "smtpx",
                    extra=off + ["-d", "tcp.port==10025,smtpx"])
    assert got == [["", "220"], ["NOOP", ""], ["", "250"]]


def test_heuristic_other_ports(passes):
    """On a port no dissector claims, the segment that opens a session gives
    the conversation to smtpx (heuristic smtpx_tcp): a greeting that names
    SMTP (the server is its sender), or, in a capture that starts after the
    greeting, the client's EHLO (the server is its receiver). An FTP
    server's 220 names no SMTP and stays TCP."""
    got = rows("custom_port", ["frame.number", "smtpx.req.command", "smtpx.rsp.code"], **passes)
    assert got == [["4", "", "220"], ["5", "NOOP", ""], ["6", "", "250"]]
    got = rows("heuristic_hello", ["frame.number", "smtpx.req.command", "smtpx.rsp.code", "tcp.dstport"],
               "smtpx.req", **passes)
    assert got == [["1", "EHLO", "", "10026"], ["3", "MAIL", "", "10026"], ["5", "QUIT", "", "10026"]]
    assert rows("heuristic_hello", ["smtpx.session.server_name"], "frame.number == 4",
                **passes) == [["mx.example.org"]]
    assert rows("not_smtp_ftp", ["frame.number"], "smtpx", **passes) == []


def test_protocol_column_reads_smtp(passes):
    got = rows("pipelining", ["frame.number", "_ws.col.Protocol"], **passes)
    assert {r[1] for r in got if r[0] != "9"} == {"SMTP"}
    assert [r[1] for r in got if r[0] == "9"] == ["SMTP/IMF"]      # the message is handed to IMF


# ---- line reassembly ------------------------------------------------------

def test_one_byte_per_segment(passes):
    got = rows("lab5_ilon_mask", ["frame.number", "smtpx.req.command", "smtpx.req.parameter"],
               "smtpx.req", **passes)
    assert [r[1:] for r in got] == [
        ["EHLO", "194.87.96.192"],
        ["MAIL", "FROM: 194.87.96.192"],
        ["RCPT", "TO: maratmingazovr@gmail.com"],
        ["DATA", ""],
        ["QUIT", ""],
    ]
    # EHLO is typed over 20 segments: the command is shown in the last one
    assert got[0][0] == "24"


def test_typed_pieces_show_the_line_so_far(passes):
    """A line typed one key per segment is kept by smtpx, not TCP: each piece
    is an smtpx frame showing the line so far; the frame where the line ends
    dissects it whole and says how many segments made it and where the first
    was; in two passes (and the GUI) every piece links to that frame."""
    got = rows("lab5_ilon_mask", ["frame.number", "_ws.col.Info", "smtpx.line.piece", "smtpx.line.ends_in",
                                  "smtpx.line.segments", "smtpx.line.first_frame"],
               "frame.number >= 5 && frame.number <= 24", **passes)
    assert [r[0] for r in got] == [str(n) for n in range(5, 25)]
    ends_in = "24" if passes["two_pass"] else ""
    assert got[0][1:] == ["C: [unfinished line] E", "E", ends_in, "", ""]
    assert got[6][1:] == ["C: [unfinished line] EHLO 19", "9", ends_in, "", ""]
    assert got[18][1:] == ["C: [unfinished line] EHLO 194.87.96.192\\r", "\\r", ends_in, "", ""]
    assert got[19][1:] == ["C: EHLO 194.87.96.192", "", "", "20", "5"]
    # TCP reassembles none of the client's bytes
    assert ts.frames_matching(ts.transcript_pcap("lab5_ilon_mask"), "tcp.dstport == 25 && tcp.segments", **passes) == []


def test_pieces_cr_nul_pipelined_cut_overlong_and_starttls(passes):
    """CR NUL cut between two segments ends the line; a line cut after
    pipelined commands is joined in the next segment; a typed line reaching
    max_line is dissected as far as it goes (overlong: its verb is known, so
    the reply answers it) and the rest shown as fragments; a piece left when
    STARTTLS is accepted is dropped, never joined to TLS bytes."""
    cap = ts.transcript_pcap("typed_pieces")
    opt = ["-o", "smtpx.max_line:32", "--disable-protocol", "tls"]
    got = {int(r[0]): r[1:] for r in ts.fields(cap, ["frame.number", "_ws.col.Info", "smtpx.line.segments",
                                                     "smtpx.req.command", "smtpx.line.ends_in"],
                                               "smtpx", extra=opt, **passes)}
    two = passes["two_pass"]
    assert got[9] == ["C: [unfinished line] NOOP\\r", "", "", "10" if two else ""]
    assert got[10] == ["C: NOOP", "6", "NOOP", ""]
    assert got[12] == ["C: MAIL FROM:<a@example.com> | C: [unfinished line] RC", "", "MAIL", "13" if two else ""]
    assert got[13] == ["C: RCPT TO:<b@example.org>", "2", "RCPT", ""]
    assert got[45][0] == "C: [unfinished line] NOOP 01234567890123456789012345"
    assert got[46] == ["C: NOOP 012345678901234567890123456", "32", "NOOP", ""]
    assert got[47] == ["C: [line fragment, 1 bytes]", "", "", ""]
    assert ts.fields(cap, ["smtpx.response_to"], "smtpx.rsp.code == 500", extra=opt, **passes) == [["46"]]
    assert got[63] == ["C: STARTTLS | C: [unfinished line] EH", "", "STARTTLS", ""]
    assert got[65] == ["C: [data after STARTTLS]", "", "", ""]
    assert [e for e in ts.experts(cap, **passes, prefix="smtpx.analysis", extra=opt) if e[0] in (10, 46, 63)] == [
        (10, "smtpx.analysis.telnet_iac"), (46, "smtpx.analysis.line_too_long"),
        (63, "smtpx.analysis.starttls_injection")]


def test_overlong_lines_dissected_as_far_as_they_go(passes):
    """The head of a line beyond max_line is a command, an AUTH step or a
    reply as far as it goes (its argument is not parsed), the rest is shown
    as fragments, and every reply still answers its own request."""
    cap = ts.transcript_pcap("overlong_lines")
    opt = ["-o", "smtpx.max_line:64"]
    got = {int(r[0]): r[1:] for r in ts.fields(cap, ["frame.number", "smtpx.req.command", "smtpx.auth.mechanism",
                                                     "smtpx.auth.step", "smtpx.rsp.code", "smtpx.response_to",
                                                     "smtpx.envelope.sender", "smtpx.auth.password"],
                                               "smtpx", extra=opt, **passes)}
    assert got[8][:2] == ["AUTH", "PLAIN"] and got[8][5:] == ["", ""]    # cut: not decoded
    assert got[9] == [""] * 7                                           # its tail
    assert got[10][3:5] == ["535", "8"]
    assert got[14][2].startswith("dXNlcnVzZXJ1") and got[16][3:5] == ["535", "14"]
    assert got[18][0] == "MAIL" and got[18][5] == "" and got[20][3:5] == ["501", "18"]
    assert got[23][3:5] == ["250", "21"] and got[24][3] == ""           # the cut reply, then its tail
    assert got[25][5] == "a@example.com" and got[26][3:5] == ["250", "25"]
    assert got[28][0] == "\\001\\002" + ("GARBAGE-" * 10)[:78]              # the 80 bytes held: one word
    assert got[30][3:5] == ["500", "28"] and got[32][3:5] == ["221", "31"]
    assert ts.experts(cap, **passes, prefix="smtpx.analysis", extra=opt) == [
        (8, "smtpx.analysis.line_too_long"), (10, "smtpx.analysis.serious_reply"),
        (14, "smtpx.analysis.line_too_long"), (16, "smtpx.analysis.serious_reply"),
        (18, "smtpx.analysis.line_too_long"),
        (20, "smtpx.analysis.error_reply"), (23, "smtpx.analysis.line_too_long"),
        (28, "smtpx.analysis.unknown_command"), (28, "smtpx.analysis.line_too_long"),
        (30, "smtpx.analysis.error_reply")]


def test_overlong_auth_lines_hidden(passes):
    """With hide_passwords, a cut AUTH line is hidden whole, its head and the
    parts that follow: it cannot be decoded to tell whether it holds a
    secret. Other cut lines still show their bytes."""
    cap = ts.transcript_pcap("overlong_lines")
    opt = ["-o", "smtpx.max_line:64"]
    hide = opt + ["-o", "smtpx.hide_passwords:TRUE"]
    got = ts.fields(cap, ["frame.number", "_ws.col.Info"], "frame.number == 8 || frame.number == 14",
                    extra=hide, **passes)
    assert got == [["8", "C: AUTH PLAIN ********"], ["14", "C: AUTH LOGIN step 1: ********"]]

    def tails(extra):
        packets = ts.json(cap, "smtpx.data.continuation", extra=extra + ["-O", "smtpx"], **passes)
        return {int(p["_source"]["layers"]["frame"]["frame.number"]):
                p["_source"]["layers"]["smtpx"]["smtpx.data.continuation"].replace(":", "") for p in packets}

    shown = tails(opt)
    assert shown[9].startswith("48427763") and shown[15].startswith("64584e6c")     # "HBwc", "dXNl"
    assert tails(hide) == {**shown, 9: "", 15: ""}
    verbose = ts.tshark(["-r", ts.capture_path(cap), *["-2"] * passes["two_pass"], "-V",
                         "-Y", "frame.number == 9 || frame.number == 15", *hide]).stdout
    assert verbose.count("Continuation of an overlong line: ********") == 2
    assert "HBwc" not in verbose and "dXNl" not in verbose


def test_one_byte_per_segment_message(passes):
    got = rows("lab5_ilon_mask", ["smtpx.data.line"], "smtpx.data", **passes)
    assert [r[0] for r in got] == [
        "From: Ilon Mask <mask@tesla.com>", "Subject: Hello Marat", "",
        "Hi Marat! I'm Ilon Mask and I want to buy your startup company. "
        "Could you please organize a product presentation?",
        "Best,", "Ilon Mask"]
    assert len(rows("lab5_ilon_mask", ["frame.number"], "smtpx.data.eod", **passes)) == 1


def test_bulk_message_lines_cut_at_segment_ends(passes):
    """Message data sent in bulk is not reassembled line by line: a line cut
    at a segment end is shown in parts. Cuts that could change the meaning
    (after a dot, between CR and LF, inside "." CRLF) are held and joined
    with the next segment, the held piece shown in its own frame."""
    got = rows("bulk_cuts", ["frame.number", "smtpx.data.line", "_ws.col.Info"], "smtpx.data || smtpx.data.eod",
               **passes)
    held = "C: [unfinished line] "
    assert [(r[0], r[2]) for r in got] == [
        ("13", "C: DATA fragment, 4 lines, 599 bytes | " + held + "."),
        ("14", "C: DATA fragment, 1 line, 11 bytes | "       # "..stuffed" joined after the cut dot
               + held + "\u2026" + "c" * 63 + "\\r"),        # the c-line waits after its CR
        ("15", "C: DATA fragment, 1 line, 1190 bytes"),      # CR|LF joined; the d-line begins
        ("16", "C: DATA fragment, 0 lines, 600 bytes"),      # the middle of the d-line
        ("17", "C: DATA fragment, 2 lines, 599 bytes | " + held + "."),  # its end, the e-line; "." waits
        ("18", "C: . (end of data)")]
    lines = [r[1] for r in got]
    assert lines[0] == "From: a@example.com,Subject: cuts,," + "b" * 559
    assert lines[1:6] == [".stuffed", "c" * 589 + "," + "d" * 599, "d" * 600, "d" * 301 + "," + "e" * 294, ""]
    assert ts.experts(ts.transcript_pcap("bulk_cuts"), **passes, prefix="smtpx.analysis") == [
        (16, "smtpx.analysis.line_too_long")]
    assert rows("bulk_cuts", ["smtpx.msg.size", "smtpx.msg.lines", "imf.subject"], "smtpx.msg", **passes) == [
        ["2998", "8", "cuts"]]


def test_reply_over_cap_goes_on_segment_by_segment(passes):
    """A reply beyond 4 x max_line is not reassembled further: one finding,
    then each segment on its own (cut lines as fragments, no more findings),
    and the final line still answers the request."""
    cap = ts.transcript_pcap("reply_over_cap")
    opt = ["-o", "smtpx.max_line:64"]
    got = ts.fields(cap, ["frame.number", "_ws.col.Info"], "smtpx.rsp.code == 214", extra=opt, **passes)
    assert [int(r[0]) for r in got] == list(range(8, 19))
    assert got[0][1] == "S: 214-2.0.0 help line 01 of a long reply (+6 lines) | S: [line fragment, 20 bytes]"
    assert got[1][1] == "S: [line fragment, 20 bytes] | S: 214-2.0.0 help line 09 of a long reply (+1 line)"
    assert ts.experts(cap, **passes, prefix="smtpx.analysis", extra=opt) == [(8, "smtpx.analysis.reply_too_long")]
    assert ts.fields(cap, ["frame.number", "smtpx.response_to"], "smtpx.rsp.code == 214 && smtpx.response_to",
                     extra=opt, **passes)[-1] == ["18", "5"]


@pytest.mark.parametrize("name, opt, end, quit", [
    ("reply_cut_final_split", ["-o", "smtpx.max_line:64"], 12, 13),
    ("reply_tiny_segments", [], 4589, 4590)])
def test_reply_beyond_its_cap_still_ends(passes, name, opt, end, quit):
    """A reply cut at its cap (or, sent a byte per segment, at 64 times a
    frame's length) goes on segment by segment, but a line that may be its
    last ("214 ...") is put together, so the reply is seen to end and the
    next reply answers QUIT (the final line once stayed a fragment, and
    QUIT's reply was taken for HELP's)."""
    cap = ts.transcript_pcap(name)
    got = ts.fields(cap, ["frame.number", "smtpx.rsp.code", "smtpx.response_to", "_ws.col.Info"],
                    "smtpx.rsp.code == 214 || smtpx.rsp.code == 221", extra=opt, **passes)
    assert got[-2:] == [[str(end), "214", "5", "S: 214 2.0.0 end of HELP"],
                        [str(end + 2), "221", str(quit), "S: 221 2.0.0 Bye"]]
    assert ts.experts(cap, **passes, extra=opt) == [(int(got[0][0]), "smtpx.analysis.reply_too_long")]


def test_reply_split_mid_line_and_multiline_over_segments(passes):
    got = info("split_lines", **passes)
    assert got[5] == "S: 220 mx.example.org ESMTP ready"
    assert got[14] == "S: 250-mx.example.org (+2 lines)"
    assert 4 not in got and all(n not in got for n in range(7, 14))
    params = rows("split_lines", ["smtpx.rsp.parameter"], "frame.number == 14", **passes)
    assert params == [["mx.example.org,PIPELINING,8BITMIME"]]


def test_command_split_and_bare_lf(passes):
    got = rows("split_lines", ["frame.number", "smtpx.req.command", "smtpx.envelope.sender",
                               "smtpx.envelope.recipient"], "smtpx.req", **passes)
    assert ["18", "MAIL", "", ""] in got
    assert ["20", "RCPT", "", "postmaster@example.org"] in got


def test_pipelining_several_pdus_per_segment(passes):
    got = info("pipelining", **passes)
    assert got[7] == ("C: MAIL FROM:<alice@example.com> SIZE=1234 BODY=8BITMIME | "
                      "C: RCPT TO:<bob@example.org> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;bob@example.org | "
                      "C: RCPT TO:<carol@example.org> | C: DATA")
    assert got[8].startswith("S: 250 2.1.0 Ok | S: 250 2.1.5 Ok | S: 550 5.1.1")
    assert got[8].endswith("| S: 354 End data with <CR><LF>.<CR><LF>")


def test_commands_after_end_of_data_in_same_segment(passes):
    got = info("pipelining", **passes)
    assert got[9] == "C: DATA fragment, 3 lines, 44 bytes | C: . (end of data) | C: QUIT"
    assert rows("pipelining", ["smtpx.req.command"], "frame.number == 9", **passes) == [["QUIT"]]


def test_midstream_capture(passes):
    got = info("midstream", **passes)
    assert got[1] == "S: 250 2.1.5 Ok"
    assert got[2] == "C: RCPT TO:<x@example.org>"
    assert got[6] == "C: DATA fragment, 3 lines, 23 bytes | C: . (end of data)"
    assert rows("midstream", ["smtpx.response_to"], "frame.number == 7", **passes) == [["6"]]
    # the only finding is about the message itself (it has no From header)
    assert ts.experts(ts.transcript_pcap("midstream"), passes["two_pass"]) == [(6, "smtpx.analysis.missing_from")]
    # the RCPT accepted after a MAIL the capture missed counts as accepted, not refused
    rows_ = ts.transactions(ts.transcript_pcap("midstream"), passes["two_pass"])
    assert [(r["rcpt_ok"], r["rcpt_rejected"], r["reply"]) for r in rows_] == [("1", "0", "250")]


def test_capture_begins_inside_message(passes):
    """The first client lines are text before any reply: the rest of a
    message, up to its end of data, whose 250 answers it."""
    got = info("midstream_in_data", **passes)
    assert got[1] == "C: DATA fragment, 3 lines, 55 bytes | C: . (end of data)"
    assert got[3] == "C: MAIL FROM:<bob@example.com>"
    assert rows("midstream_in_data", ["smtpx.data.line"], "frame.number == 1", **passes) == [
        ["quarterly figures attached, see below.,Regards,,Bob"]]
    assert rows("midstream_in_data", ["frame.number", "smtpx.response_to"], "smtpx.response_to", **passes) == [
        ["2", "1"], ["4", "3"], ["6", "5"], ["8", "7"]]
    # no unknown commands, no missing From: one finding says what the capture lacks
    cap = ts.transcript_pcap("midstream_in_data")
    assert ts.experts(cap, passes["two_pass"], passes["verbose"]) == [(1, "smtpx.analysis.not_captured")]
    msg = ts.fields(cap, ["_ws.expert.message"], "smtpx.analysis.not_captured", **passes)[0][0]
    assert msg.startswith("The capture begins inside a message: a line that is no command, before any reply")
    assert ts.fields(cap, ["smtpx.msg.lines", "smtpx.msg.size"], "smtpx.msg", **passes) == [["3", "55"]]
    if passes["verbose"]:
        out = ts.tshark(["-r", ts.capture_path(cap), "-V", "-Y", "smtpx.msg"] + ["-2"] * passes["two_pass"]).stdout
        assert "[Message summary: 55 bytes, 3 lines, from ? (the capture may lack its beginning)]" in out
        assert "Internet Message Format" not in out     # a body without its headers is not given to IMF


@pytest.mark.parametrize("name,frame,text,reply", [
    ("midstream_in_base64", 1, "C: DATA fragment, 4 lines, 166 bytes | C: . (end of data)", 2),
    # taken for a DATA message until the server answers the chunk: no smuggling finding for that reply, the
    # next BDAT is a command, and the message it ends gets no header checks (no missing From)
    ("midstream_in_bdat", 3, "C: BDAT 12 LAST | C: BDAT chunk data, 12 bytes (0 to come)", 4)])
def test_capture_begins_inside_attachment_or_chunk(passes, name, frame, text, reply):
    assert info(name, **passes)[frame] == text
    assert rows(name, ["smtpx.response_to"], f"frame.number == {reply}", **passes) == [[str(reply - 1)]]
    assert ts.experts(ts.transcript_pcap(name), passes["two_pass"]) == [(1, "smtpx.analysis.not_captured")]


def test_capture_begins_with_mistyped_command(passes):
    """A typo of a verb and a lone base64 line stay commands."""
    got = info("midstream_typo", **passes)
    assert got[1] == "C: HLEO client.example.com"
    assert got[3] == "C: dXNlcm5hbWU="
    assert rows("midstream_typo", ["smtpx.req.command"], "smtpx.req", **passes) == [["HLEO"], ["DXNLCM5HBWU="],
                                                                                    ["QUIT"]]
    assert not ts.frames_matching(ts.transcript_pcap("midstream_typo"), "smtpx.data", passes["two_pass"])


def test_stream_gap_inside_a_typed_line(passes):
    cap = ts.transcript_pcap("held_line_gap")
    got = ts.fields(cap, ["frame.number", "_ws.col.Info", "smtpx.req.command", "smtpx.envelope.sender"], "smtpx.req",
                    **passes)
    assert got[1] == ["31", "C: MAIL FROM:<alample.com> [bytes missing inside]", "MAIL", ""]
    assert got[2][:3] == ["33", "C: RCPT TO:<bob@example.org>", "RCPT"]
    assert ts.experts(cap, passes["two_pass"]) == [(20, "smtpx.analysis.stream_gap")]
    msg = ts.fields(cap, ["_ws.expert.message"], "smtpx.analysis.stream_gap", **passes)[0][0]
    assert msg.endswith("6 bytes the client sent before this segment are missing from the capture (not captured, "
                        "or in a retransmission TCP did not pass on): the line being typed lacks them, so its "
                        "parameters are not read")
    # the next line is read whole again
    assert rows("held_line_gap", ["smtpx.envelope.recipient"], "frame.number == 33", **passes) == [
        ["bob@example.org"]]


def test_lost_replies_keep_later_links(passes):
    """A reply missing from the capture does not shift the later ones: the
    client's acknowledgement of the lost bytes, or a reply only one verb gets
    (354), says which request it was for."""
    cap = ts.transcript_pcap("lost_replies")
    got = dict(ts.fields(cap, ["frame.number", "smtpx.response_to"], "smtpx.response_to", **passes))
    assert got == {"6": "5", "9": "8", "11": "10", "13": "12",     # 250 to MAIL lost
                   "15": "14", "16": "14", "18": "17",             # pipelined: 250 to MAIL lost (15 answers MAIL)
                   "20": "19", "22": "21", "25": "24", "27": "26"}  # 354 lost
    rows = ts.transactions(cap, passes["two_pass"])
    assert [[r[k] for k in ("rcpt_to", "reply", "queue_id")] for r in rows] == [
        ["bob@example.org", "250", "Q1"], ["carol@example.org", "250", "Q2"], ["dave@example.org", "250", "Q3"]]
    kinds = {a for _, a in ts.experts(cap, passes["two_pass"])}
    assert kinds == {"smtpx.analysis.not_captured", "smtpx.analysis.stream_gap"}   # no sent-early message


def test_lost_end_of_data(passes):
    """The segment with the client's "." is lost: the 250 that acknowledges
    those bytes answers the end of data, not an earlier line (no smuggling
    finding); the row keeps its reply and queue id, the message its summary,
    and the reply links to no frame and gets no response time."""
    cap = ts.transcript_pcap("lost_end_of_data")
    rows = ts.transactions(cap, passes["two_pass"])
    assert [[r[k] for k in ("frame", "subject", "size", "reply", "queue_id")] for r in rows] == [
        ["14", "lost end", "48", "250", "LD2"]]
    assert {a for _, a in ts.experts(cap, passes["two_pass"])} == {"smtpx.analysis.not_captured",
                                                                 "smtpx.analysis.stream_gap"}
    assert ts.fields(cap, ["smtpx.msg.queue_id", "smtpx.response_to"], "frame.number == 14", **passes) == [
        ["LD2,LD2", ""]]      # (the reply's and the message summary's)
    assert "Response: 250 2.0.0 Ok: queued as LD2 [answers an end of data the capture lacks]" in ts.tshark(
        ["-r", ts.capture_path(cap), "-V", "-Y", "frame.number == 14"] + ["-2"] * passes["two_pass"]).stdout
    srt = ts.tshark(["-r", ts.capture_path(cap), "-q", "-z", "smtpx,srt"]).stdout
    assert "end of data" not in srt and "DATA" in srt


def test_lost_auth_replies(passes):
    """The 235 of AUTH LOGIN, then of AUTH PLAIN with commands pipelined
    behind it, missing: the next lines are commands, each reply answers its own."""
    cap = ts.transcript_pcap("lost_replies_auth")
    got = dict(ts.fields(cap, ["frame.number", "smtpx.response_to"], "smtpx.response_to", **passes))
    assert got == {"6": "5", "8": "7", "10": "9", "13": "12", "15": "14", "17": "16",
                   "26": "25", "29": "28,28", "31": "30"}
    assert rows("lost_replies_auth", ["frame.number", "smtpx.req.command"], "smtpx.req.command", **passes) == [
        ["5", "EHLO"], ["7", "AUTH"], ["12", "MAIL"], ["14", "RCPT"], ["16", "QUIT"],
        ["25", "EHLO"], ["27", "AUTH"], ["28", "MAIL,RCPT"], ["30", "QUIT"]]
    assert {a for _, a in ts.experts(cap, passes["two_pass"])} == {
        "smtpx.analysis.cleartext_auth", "smtpx.analysis.not_captured", "smtpx.analysis.stream_gap"}


def test_client_side_only_esmtp(passes):
    """The EHLO reply is not captured: the extensions are unknown, so
    nothing is unadvertised, and lost replies leave nothing pending (only
    the password sent in cleartext is reported, with what the capture lacks)."""
    cap = ts.transcript_pcap("one_side_client_esmtp")
    assert ts.experts(cap, passes["two_pass"]) == [(5, "smtpx.analysis.not_captured"),
                                                   (5, "smtpx.analysis.cleartext_auth")]
    assert rows("one_side_client_esmtp", ["frame.number", "_ws.col.Info"], "frame.number == 8", **passes) == [
        ["8", "C: DATA fragment, 4 lines, 48 bytes | C: . (end of data)"]]


def test_not_read_as_the_rest_of_a_message(passes):
    """Junk before the greeting of a session whose handshake is captured, and
    a vendor verb first in a capture without its start, are commands."""
    assert info("early_talker_junk", **passes)[4] == "C: Hi there"
    assert ts.experts(ts.transcript_pcap("early_talker_junk"), passes["two_pass"])[:2] == [
        (4, "smtpx.analysis.unknown_command"), (5, "smtpx.analysis.bad_sequence")]
    assert info("midstream_vendor_verb", **passes)[1] == "C: XSHADOW 7f3c1a2b"
    got = dict(ts.fields(ts.transcript_pcap("midstream_vendor_verb"), ["frame.number", "smtpx.response_to"],
                         "smtpx.response_to", **passes))
    assert got == {"2": "1", "4": "3", "6": "5", "8": "7", "10": "9", "12": "11"}


def test_stream_gap(passes):
    """Two client segments are not in the capture: a line of the message and
    an RSET. The next client segment says what is missing and what that means
    for the message or the session; the message holds what was captured."""
    cap = ts.transcript_pcap("stream_gap")
    got = ts.fields(cap, ["frame.number", "_ws.expert.message"], "smtpx.analysis.stream_gap", **passes)
    assert [f for f, _ in got] == ["14", "17"]
    assert got[0][1].startswith("Previous segment(s) not captured")       # TCP's own, then smtpx's
    assert ("11 bytes the client sent before this segment are missing from the capture (not captured, or in a "
            "retransmission TCP did not pass on): the message lacks them, so its size, summary, IMF and exported "
            "file are incomplete") in got[0][1]
    assert "6 bytes the client sent before this segment are missing" in got[1][1]
    assert "replies may not match their requests" in got[1][1]
    got = ts.fields(cap, ["frame.number", "smtpx.msg.size", "smtpx.msg.lines", "smtpx.msg.missing"], "smtpx.msg",
                    **passes)
    assert got == [["14", "60", "5", "11"]]
    text = ts.tshark(["-r", ts.capture_path(cap), *["-2"] * passes["two_pass"], "-V", "-Y", "smtpx.msg"]).stdout
    assert "from a@example.com (incomplete: 11 bytes missing from the capture)]" in text   # the summary's label


def test_stream_gap_reply_answers_missing_command(passes):
    """The server's reply to the lost RSET acknowledges its 6 bytes: it is
    said to answer a command the capture lacks, not to answer nothing."""
    cap = ts.transcript_pcap("stream_gap")
    got = ts.fields(cap, ["frame.number", "_ws.expert.message"], "smtpx.analysis.not_captured", **passes)
    assert [r[0] for r in got] == ["16"]
    assert got[0][1].endswith(",This segment acknowledges 6 bytes the client sent that smtpx did not get "
                              "(server's side captured only, frames lost, or a retransmission TCP kept back): the "
                              "commands in them are not shown, so the replies to them answer nothing here")
    assert ts.frames_matching(cap, "smtpx.analysis.unsolicited_reply", **passes) == []


def test_one_side_captured(passes):
    """A capture of one direction only: one finding, from the other side's
    acknowledgements, instead of a warning at every reply that answers
    nothing, or a message called early because its 354 is not there."""
    server_side = ts.transcript_pcap("one_side_server")
    got = ts.fields(server_side, ["frame.number", "_ws.expert.message"], "smtpx.analysis.not_captured", **passes)
    assert [r[0] for r in got] == ["5"]
    assert ",This segment acknowledges 25 bytes the client sent that smtpx did not get" in got[0][1]
    assert ts.experts(server_side, passes["two_pass"]) == [(5, "smtpx.analysis.not_captured"),
                                                          (7, "smtpx.analysis.serious_reply")]
    client_side = ts.transcript_pcap("one_side_client")
    got = ts.fields(client_side, ["frame.number", "_ws.expert.message"], "smtpx.analysis.not_captured", **passes)
    assert got == [["5", "This segment acknowledges 20 bytes the server sent that smtpx did not get (client's side "
                         "captured only, frames lost, or a retransmission TCP kept back): the replies in them are "
                         "not shown, so commands go unanswered here"]]
    assert ts.experts(client_side, passes["two_pass"]) == [(5, "smtpx.analysis.not_captured")]
    assert ts.fields(client_side, ["frame.number", "smtpx.msg.size"], "smtpx.msg", **passes) == [["8", "48"]]
    # keys typed while a reply is on its way acknowledge its first part, which TCP holds for reassembly:
    # smtpx saw it, so nothing is missing
    in_flight = ts.transcript_pcap("reply_in_flight")
    assert ts.experts(in_flight, passes["two_pass"]) == []
    assert ts.fields(in_flight, ["frame.number", "smtpx.response_to"], "smtpx.rsp", **passes)[1:3] == [
        ["13", "5"], ["14", "12"]]


# Fields that follow from the state a call starts from. The second pass
# rebuilds that state from the first pass's snapshots (smtpx_session.c: a
# key snapshot every 32, deltas between), so it must give the same values.
REPLAYED_FIELDS = ["_ws.col.Info", "smtpx.req.command", "smtpx.rsp.code", "smtpx.session.client_name",
                   "smtpx.session.server_name", "smtpx.note", "smtpx.line.segments", "smtpx.data.line",
                   "smtpx.envelope.sender", "smtpx.auth.username", "_ws.expert.message"]


@pytest.mark.parametrize("verbose", [False, True])
@pytest.mark.parametrize("cap", ["postfix_telnet_typed.pcapng", "typed_by_hand"])
def test_second_pass_rebuilds_every_state(cap, verbose):
    path = ts.REPO / "tests" / "captures" / cap if cap.endswith(".pcapng") else ts.transcript_pcap(cap)
    one = ts.rows(path, ["tcp.stream", *REPLAYED_FIELDS], "smtpx", two_pass=False, verbose=verbose)
    two = ts.rows(path, ["tcp.stream", *REPLAYED_FIELDS], "smtpx", two_pass=True, verbose=verbose)
    # long enough for a state rebuilt from several key snapshots and chains
    assert sum(r[1] == one[0][1] for r in one) > 3 * 32
    assert two == one


@pytest.mark.parametrize("name", ["regress_nul_in_header", "regress_replay_no_record"])
def test_mutated_captures_that_once_failed(passes, name):
    """Mutated captures tools/fuzz-captures.sh once failed on (how and why:
    tests/captures/SOURCES.tsv) dissect in every mode: tshark exits 0 and
    reports no dissector bug (ts.tshark checks both)."""
    cap = ts.REPO / "tests" / "captures" / f"{name}.pcapng"
    assert ts.fields(cap, ["frame.number", "_ws.col.Info"], "smtpx", **passes)


@pytest.mark.parametrize("seq", ["relative", "absolute"])
def test_port_reuse_starts_a_new_session(passes, seq):
    """The same endpoints again after a session closed inside DATA: the new
    connection is a new session (greeting, commands, its own server name),
    whether TCP shows relative or absolute sequence numbers."""
    extra = ["-o", "tcp.relative_sequence_numbers:FALSE"] if seq == "absolute" else []
    got = rows("port_reuse", ["frame.number", "tcp.stream", "_ws.col.Info", "smtpx.session.server_name"],
               "smtpx && tcp.stream == 1", extra=extra, **passes)
    assert got == [["20", "1", "S: 220 second.example.org ESMTP", "second.example.org"],
                   ["21", "1", "C: EHLO two.example", "second.example.org"],
                   ["22", "1", "S: 250 second.example.org", "second.example.org"],
                   ["23", "1", "C: QUIT", "second.example.org"],
                   ["24", "1", "S: 221 2.0.0 Bye", "second.example.org"]]
    assert rows("port_reuse", ["smtpx.response_to"], "frame.number == 22", extra=extra, **passes) == [["21"]]
    cut = [(13, "smtpx.analysis.message_incomplete")] if passes["two_pass"] else []
    assert ts.experts(ts.transcript_pcap("port_reuse"), passes["two_pass"], extra=extra) == cut


# ---- commands ---------------------------------------------------------------

def test_every_verb_recognised(passes):
    got = rows("all_verbs", ["smtpx.req.command"], "smtpx.req", **passes)
    assert [r[0] for r in got] == [
        "HELO", "EHLO", "VRFY", "EXPN", "HELP", "NOOP", "TURN", "ETRN", "ATRN", "SEND", "SOML",
        "SAML", "XCLIENT", "EHLO", "XFORWARD", "XEXCH50", "X-EXPS", "X-LINK2STATE", "MAIL", "RCPT", "RSET",
        "BDAT", "DATA", "MAIL", "AUTH", "FOOBAR", "STARTTLS", "QUIT"]


def test_unknown_command_expert(passes):
    cap = ts.transcript_pcap("all_verbs")
    unknown = [f for f, a in ts.experts(cap, passes["two_pass"]) if a == "smtpx.analysis.unknown_command"]
    assert unknown == ts.frames_matching(cap, 'smtpx.req.command == "FOOBAR"')
    assert len(unknown) == 1
    msg = ts.fields(cap, ["_ws.expert.message"], "smtpx.analysis.unknown_command", **passes)
    assert msg == [['Unknown command "FOOBAR"; a server answers 500 or 502']]


def test_envelope_and_esmtp_parameters(passes):
    got = rows("all_verbs", ["smtpx.envelope.sender", "smtpx.envelope.param.size",
                             "smtpx.envelope.param.body", "smtpx.envelope.param.smtputf8",
                             "smtpx.envelope.param.ret", "smtpx.envelope.param.envid",
                             "smtpx.envelope.param.auth", "smtpx.envelope.param"],
               'smtpx.req.command == "MAIL"', **passes)
    assert got[0] == ["", "12345", "8BITMIME", "1", "HDRS", "QQ314159", "<>",
                      "SIZE=12345,BODY=8BITMIME,SMTPUTF8,RET=HDRS,ENVID=QQ314159,AUTH=<>"]
    assert got[1][0] == "a@example.com"
    rcpt = rows("all_verbs", ["smtpx.envelope.recipient", "smtpx.envelope.param.notify",
                              "smtpx.envelope.param.orcpt"], 'smtpx.req.command == "RCPT"', **passes)
    assert rcpt == [["bob@example.org", "SUCCESS,DELAY", "rfc822;bob@example.org"]]


def test_xtext_values_are_decoded(passes):
    """ENVID, AUTH=, ORCPT's address and XCLIENT's LOGIN are xtext (RFC
    3461): "+2B" is "+", "+3D" is "="; their fields hold the decoded text,
    and ORCPT is split into its address type and address."""
    got = rows("param_syntax", ["frame.number", "smtpx.envelope.param.envid", "smtpx.envelope.param.auth",
                                "smtpx.envelope.param.orcpt", "smtpx.envelope.param.orcpt.type",
                                "smtpx.envelope.param.orcpt.address", "smtpx.xclient.login"],
               "smtpx.envelope.param.envid or smtpx.envelope.param.orcpt or smtpx.xclient.login", **passes)
    assert got == [["7", "QQ+1=2", "e=mc2@example.com", "", "", "", ""],
                   ["9", "", "", "rfc822;bob+2Bold@example.org", "rfc822", "bob+old@example.org", ""],
                   ["15", "a+2b", "<>", "", "", "", ""],
                   ["17", "", "", "bogus", "", "", ""],
                   ["23", "", "", "", "", "", "j.doe+mail"],
                   ["55", "", "", "", "", "", "bob"]]
    log = ts.log_rows(ts.transcript_pcap("param_syntax"), "sessions", passes["two_pass"])
    assert [(r["real_client"], r["user"]) for r in log] == [("203.0.113.7", "j.doe+mail"), ("-", "-"), ("-", "-")]


def test_empty_reverse_path_is_filterable(passes):
    got = rows("all_verbs", ["frame.number"], 'smtpx.envelope.sender == ""', **passes)
    assert len(got) == 1


def test_bdat_fields_and_chunk(passes):
    got = rows("bdat", ["frame.number", "smtpx.bdat.size", "smtpx.bdat.last", "smtpx.bdat.chunk"],
               "smtpx.bdat.size || smtpx.bdat.chunk", **passes)
    assert got[0][:3] == ["11", "21", "0"]
    assert bytes.fromhex(got[0][3]) == b"Subject: x\r\n\r\nHello"
    assert got[1] == ["12", "0", "1", "0d0a"]


# ---- replies ------------------------------------------------------------------

def test_reply_code_description_and_digits(passes):
    cap = ts.transcript_pcap("data_rejected")
    got = ts.fields(cap, ["smtpx.rsp.code", "smtpx.rsp.code.class", "smtpx.rsp.code.category"],
                    "smtpx.rsp", **passes)
    assert [r[0] for r in got] == ["220", "250", "250", "550", "554", "250", "221"]
    assert got[4] == ["554", "5", "5"]
    if passes["verbose"]:
        text = ts.tshark(["-r", ts.capture_path(cap), "-O", "smtpx", "-V", "-Y", "smtpx.rsp.code == 554"]).stdout
        assert "Response code: Transaction failed (or no SMTP service here) (554)" in text
        assert "Class (first digit): Permanent negative completion (5)" in text
        assert "Category (second digit): Mail system (5)" in text


def test_multiline_reply_lines_and_continuation_code(passes):
    cap = ts.transcript_pcap("unknown_and_enhanced")
    got = ts.fields(cap, ["smtpx.rsp.code", "smtpx.rsp.parameter", "smtpx.rsp.line_code"],
                    "smtpx.rsp.code == 214", **passes)
    assert got == [["214", "2.0.0 Commands: HELO EHLO,2.0.0 end of help", "211"]]
    found = [a for f, a in ts.experts(cap, passes["two_pass"]) if f == 18]
    assert found == ["smtpx.analysis.continuation_code"]


# ---- session state -------------------------------------------------------------

def test_rejected_data_stays_in_command_mode(passes):
    got = rows("data_rejected", ["smtpx.req.command"], "smtpx.req", **passes)
    assert [r[0] for r in got] == ["HELO", "MAIL", "RCPT", "DATA", "RSET", "QUIT"]
    assert rows("data_rejected", ["frame.number"], "smtpx.data", **passes) == []


def test_auth_lines_are_not_commands(passes):
    got = rows("lab_postfix_auth_login", ["smtpx.req.command", "smtpx.auth.step"],
               "smtpx.req || smtpx.auth.step", **passes)
    assert got[1:4] == [["AUTH", ""], ["", "c3R1ZGVudA=="], ["", "aGVzc292cyE="]]
    assert got[4][0] == "MAIL"


def test_auth_cancel_returns_to_commands(passes):
    got = rows("auth_cancel", ["smtpx.req.command", "smtpx.auth.step"], "smtpx.req || smtpx.auth.step",
               **passes)
    assert got == [["EHLO", ""], ["AUTH", ""], ["", "*"], ["AUTH", ""], ["", "AGFsaWNlAHNlY3JldA=="],
                   ["QUIT", ""]]


def test_starttls_hands_over_to_tls(passes):
    cap = ts.transcript_pcap("starttls")
    got = ts.fields(cap, ["frame.number", "frame.protocols"], "tcp.len > 0", **passes)
    assert got[-2][1].endswith(":smtpx")
    assert got[-1][1].endswith(":tls")
    hello = ts.fields(cap, ["tls.handshake.type"], "tls", **passes)
    assert hello == [["1"]]


def test_exchange_verbs(passes):
    """XUSR and X-ANONYMOUSTLS are Exchange commands, not unknown ones; a
    220 to X-ANONYMOUSTLS hands the connection over to TLS, as STARTTLS's."""
    cap = ts.transcript_pcap("exchange_verbs")
    assert [r[0] for r in rows("exchange_verbs", ["smtpx.req.command"], "smtpx.req", **passes)] == [
        "EHLO", "XUSR", "X-ANONYMOUSTLS"]
    assert ts.experts(cap, passes["two_pass"]) == []
    got = ts.fields(cap, ["frame.number", "frame.protocols"], "tcp.len > 0", **passes)
    assert got[-1] == ["11", "eth:ethertype:ip:tcp:tls"]
    assert ts.fields(cap, ["tls.handshake.type"], "tls", **passes) == [["1"]]


def test_cleartext_after_accepted_starttls(passes):
    """What follows the 220 to STARTTLS is SMTP, not TLS: it is dissected
    as commands again, with one finding, and the transaction is logged."""
    cap = ts.transcript_pcap("starttls_cleartext")
    assert [r[0] for r in rows("starttls_cleartext", ["smtpx.req.command"], "smtpx.req", **passes)] == [
        "EHLO", "STARTTLS", "EHLO", "MAIL", "RCPT", "DATA", "QUIT"]
    assert ts.experts(cap, passes["two_pass"]) == [(9, "smtpx.analysis.cleartext_after_starttls")]
    assert ts.fields(cap, ["smtpx.tls_data"], "smtpx.tls_data", **passes) == []
    assert [[r[k] for k in ("mail_from", "header_from", "tls")] for r in ts.transactions(cap, passes["two_pass"])] == [
        ["alice@example.com", "alice@example.com", "yes"]]


def test_tls_in_pieces_is_not_cleartext(passes):
    """TLS bytes cut anywhere (a ClientHello in 10-byte segments, a record
    body that reads as text) are no cleartext SMTP, with the TLS dissector
    or without it."""
    cap = ts.transcript_pcap("starttls_tls_pieces")
    for extra in ((), ("--disable-protocol", "tls")):
        assert ts.experts(cap, passes["two_pass"], extra=extra) == [], extra
        assert ts.fields(cap, ["smtpx.req.command"], "smtpx.req", extra=extra, **passes) == [["EHLO"], ["STARTTLS"]]


def test_starttls_refused_stays_cleartext(passes):
    got = rows("split_lines", ["smtpx.req.command"], "smtpx && frame.number > 23", **passes)
    assert got == [["QUIT"], [""]]


# ---- request/response tracking ---------------------------------------------------

def test_response_to_and_time(passes):
    got = rows("lab_postfix_auth_login", ["frame.number", "smtpx.response_to", "smtpx.time"],
               "smtpx.rsp", **passes)
    assert got[0] == ["4", "", ""]                      # the greeting answers nothing
    for frame, req, delta in got[1:]:
        assert int(req) == int(frame) - 1
        assert float(delta) == 0.01


def test_response_in_two_pass():
    got = rows("lab_postfix_auth_login", ["frame.number", "smtpx.response_in"],
               "smtpx.req || smtpx.auth.step || smtpx.data.eod", two_pass=True)
    assert all(int(rsp) == int(frame) + 1 for frame, rsp in got)
    assert len(got) == 10


def test_pipelined_replies_match_in_order():
    got = rows("pipelining", ["frame.number", "smtpx.response_in"], "frame.number == 7", two_pass=True)
    assert got == [["7", "8,8,8,8"]]
    got = rows("pipelining", ["smtpx.response_to"], "frame.number == 10")
    assert got == [["9,9"]]


# ---- Info column ------------------------------------------------------------------

def test_info_column_classroom_lab(passes):
    got = info("lab_postfix_auth_login", **passes)
    assert got[4] == "S: 220 profbox.domain.local ESMTP Postfix"
    assert got[5] == "C: HELO raphael.cardoso@students.hevs.ch"
    assert got[13] == "C: MAIL FROM:<rafael.cardoso@students.hevs.ch>"
    assert got[14] == "S: 250 2.1.0 Ok"
    assert got[21] == "C: DATA fragment, 1 line, 58 bytes"
    assert got[28] == "C: . (end of data)"


def test_port_range_preference():
    cap = ts.transcript_pcap("custom_port")
    got = ts.fields(cap, ["smtpx.req.command"], "smtpx.req", extra=["-o", "smtpx.tcp.port:25,10025"])
    assert got == [["NOOP"]]


def test_reply_in_one_byte_segments_is_shown_in_parts(tmp_path):
    """A multi-line reply sent a byte per segment (a hostile server): TCP
    copies all it gathered for each new segment, so smtpx gathers only up to
    64 times the frame's length (at least 2 KiB) and shows the rest segment
    by segment, as beyond 4 x max_line; both passes cut it at the same
    frame, and the session's commands go on."""
    lines = "".join(f"S1: 214-help line {i:03d} of a reply sent a byte at a time\n" for i in range(100))
    cap = ts.text_pcap(tmp_path, "S: 220 mx ESMTP\nC: HELP\n" + lines + "S1: 214 end\nC: QUIT\nS: 221 bye\n")
    for two_pass in (False, True):
        cut = ts.fields(cap, ["frame.number", "_ws.expert.message"], "smtpx.analysis.reply_too_long",
                        two_pass=two_pass)
        assert len(cut) == 1 and cut[0][1].startswith("Reply 214 continues beyond this part (")
        shown = ts.fields(cap, ["frame.number", "_ws.col.Info"], "smtpx.rsp.code == 214", two_pass=two_pass)
        assert shown[0][0] == cut[0][0] and shown[-1][1] == "S: 214 end"    # (the final line put together)
        assert 3000 < int(cut[0][0]) < 4000     # about 64 frames' length: 55 bytes each
        assert ts.fields(cap, ["smtpx.req.command"], "smtpx.req", two_pass=two_pass)[-1] == ["QUIT"]


def test_heuristic_takes_the_session_from_its_frame_on():
    """A conversation smtpx's heuristic finds (port 465, a cleartext
    server) is smtpx's from that frame on: the ClientHello before it stays
    TLS's in two passes as in one, and the findings and logs agree."""
    cap = ts.transcript_pcap("cleartext_on_465")
    one, two = (ts.fields(cap, ["frame.number", "_ws.col.Protocol", "smtpx.response_to", "_ws.expert.message"],
                          "frame.number >= 4 && frame.number <= 6", two_pass=p) for p in (False, True))
    assert one == two and [r[1] for r in one] == ["TLSv1", "SMTP", "SMTP"]
    assert [ts.log_rows(cap, "sessions", p)[0]["findings"] for p in (False, True)] == ["2", "2"]


def _pcap_with_copy(src, dst, frame, after):
    """dst: the classic pcap src with a copy of FRAME (1-based) put after frame AFTER."""
    data = src.read_bytes()
    head, pos, records = data[:24], 24, []
    while pos < len(data):
        caplen = int.from_bytes(data[pos + 8:pos + 12], "little")
        records.append(data[pos:pos + 16 + caplen])
        pos += 16 + caplen
    records.insert(after, records[frame - 1])
    dst.write_bytes(head + b"".join(records))
    dst.chmod(0o644)
    return dst


def test_retransmission_passed_on_is_not_dissected_again(passes, tmp_path):
    """With -o tcp.analyze_sequence_numbers:FALSE, TCP passes a retransmitted
    segment on: smtpx shows it as a retransmission and dissects it no more
    (it was dissected from the state after the original: the AUTH LOGIN
    password again, despite hide_passwords, and findings that were false)."""
    orig = ts.transcript_pcap("auth_mechanisms")
    cap = _pcap_with_copy(orig, tmp_path / "retransmitted.pcap", 15, 16)
    opt = ["-o", "tcp.analyze_sequence_numbers:FALSE", "-o", "smtpx.hide_passwords:TRUE"]
    out = ts.tshark(["-r", str(ts.capture_path(cap)), "-V", *opt] + ["-2"] * passes["two_pass"]).stdout
    assert "d29uZGVybGFuZA" not in out and "wonderland" not in out
    assert ts.fields(cap, ["_ws.col.Info", "smtpx.auth.step"], "frame.number == 17 && smtpx.retransmission",
                     extra=opt, **passes) == [["C: [retransmission]", ""]]
    shifted = [(f + (f > 16), k) for f, k in ts.experts(orig, passes["two_pass"], extra=opt)]
    assert ts.experts(cap, passes["two_pass"], extra=opt) == shifted


def test_refused_hello_keeps_the_client_name(passes):
    """A HELO/EHLO names the client from its frame on; a refusal (no name,
    another name) gives back the name before it."""
    cap = ts.transcript_pcap("hello_refused")
    got = {f: n for f, n in rows("hello_refused", ["frame.number", "smtpx.session.client_name"], **passes)}
    assert {got[f] for f in ("5", "10", "12", "18")} == {"client.example.com"}
    assert got["11"] == "other.example"         # from the command on, until the server refuses it
    assert got["19"] == got["20"] == got["22"] == "new.example"
    assert ts.transactions(cap, passes["two_pass"])[0]["helo"] == "client.example.com"
