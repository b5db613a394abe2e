# SPDX-License-Identifier: GPL-2.0-or-later
"""Messages sent by real clients to the Debian postfix package on loopback,
made by tools/capture-real.sh (see tests/captures/SOURCES.tsv):

  postfix_attachment.pcapng    swaks --attach of 200 KiB of pseudo-random bytes:
                               a message of many TCP segments; postfix_attachment.eml
                               is the message as postfix received it (written by
                               the script from the bytes swaks sent, not by tshark)
  postfix_curl_barelf.pcapng   curl --upload-file of a message with bare LF line ends
  postfix_bdat_pipelined.pcapng  raw client: MAIL, RCPT and "BDAT n LAST" + chunk in
                               one segment; then a second message whose chunk is split
                               mid-line across two segments
  postfix_forged_from.pcapng   swaks --from alice@smtpx.test with a header
                               "From: CEO <ceo@bank.example>"
  postfix_lmtp_dovecot.pcapng  swaks to bob, carol and nobody@lmtp.smtpx.test; postfix
                               delivers over LMTP to Dovecot on port 24, which knows
                               bob and carol only

Most tests run in the four modes (one-pass and -2, with and without -V)."""

import re

import pytest

import smtpx_tshark as ts

CAPTURES = ts.REPO / "tests" / "captures"
ATTACHMENT = CAPTURES / "postfix_attachment.pcapng"
ATTACHMENT_EML = CAPTURES / "postfix_attachment.eml"
BARELF = CAPTURES / "postfix_curl_barelf.pcapng"
BDAT_PIPELINED = CAPTURES / "postfix_bdat_pipelined.pcapng"
FORGED_FROM = CAPTURES / "postfix_forged_from.pcapng"
RELAY = CAPTURES / "postfix_relay.pcapng"
DKIM = CAPTURES / "postfix_dkim.pcapng"
LMTP = CAPTURES / "postfix_lmtp_dovecot.pcapng"

QUEUED_ID = "98D8010603D"        # postfix_relay: the queue id of the first leg
SWAKS = "swaks v20201014.0 jetmore.org/john/code/swaks/"
QUEUED = re.compile(r"2\.0\.0 Ok: (?:\d+ bytes )?queued as ([0-9A-F]+)")
rows = ts.rows


def by_frame(cap, field, display_filter="smtpx", **passes):
    """{frame: [occurrences of FIELD]} for the packets matching DISPLAY_FILTER."""
    return {r[0]: r[1] for r in rows(cap, [field], display_filter, **passes)}


def payloads(cap, display_filter):
    """{frame: TCP payload bytes} (read from the TCP layer, not from smtpx)."""
    got = by_frame(cap, "tcp.payload", f"tcp.len > 0 && ({display_filter})")
    return {f: bytes.fromhex(v[0].replace(":", "")) for f, v in got.items()}


def export_imf(capture, two_pass=False):
    """The IMF objects tshark exports, in the order they were written."""
    return [data for _, data in ts.export_objects(capture, "imf", two_pass)]


def expert_messages(cap, abbrev, **passes):
    """{frame: [expert messages]} of the frames that carry the expert ABBREV."""
    return by_frame(cap, "_ws.expert.message", abbrev, **passes)


# ---- postfix_attachment: swaks --attach, 280 KB over many segments ----------------

def attachment_eml():
    return ATTACHMENT_EML.read_bytes()


def test_attachment_eml_is_what_swaks_sent():
    """The premise: the .eml next to the capture is the message on the wire
    (swaks' DATA text, unstuffed, without the final ".")."""
    eml = attachment_eml()
    eod = ts.frames_matching(ATTACHMENT, "smtpx.data.eod")[0]
    data_frames = payloads(ATTACHMENT, f"tcp.dstport == 25 && frame.number > 14 && frame.number <= {eod}")
    wire = b"".join(data_frames.values())
    assert wire.endswith(b"\r\n.\r\n")
    assert re.sub(rb"(?m)^\.", b"", wire[:-3]) == eml
    assert len(eml) > 200 * 1024 and eml.count(b"\r\n") == len(eml.split(b"\r\n")) - 1
    assert b"Content-Disposition: attachment; filename=\"random.bin\"\r\n" in eml


@pytest.mark.parametrize("two_pass", [False, True], ids=["1pass", "2pass"])
def test_attachment_imf_export_is_byte_identical(two_pass):
    assert export_imf(ATTACHMENT, two_pass) == [attachment_eml()]


def test_attachment_summary(passes):
    eml = attachment_eml()
    eod = ts.frames_matching(ATTACHMENT, "smtpx.data.eod", **passes)
    assert len(eod) == 1
    got = rows(ATTACHMENT, ["smtpx.msg.size", "smtpx.msg.lines", "smtpx.msg.sender", "smtpx.msg.recipient",
                            "smtpx.msg.from", "smtpx.msg.subject", "imf.subject"], "smtpx.msg", **passes)
    assert got == [[eod[0], [str(len(eml))], [str(eml.count(b"\r\n"))], ["alice@smtpx.test"],
                    ["root@smtpx.test"], ["alice@smtpx.test"], ["smtpx attachment test"],
                    ["smtpx attachment test"]]]


def test_attachment_queue_id(passes):
    """The 250 reply names the queue id; with -2 the summary on the end of data has it too."""
    replies = by_frame(ATTACHMENT, "smtpx.rsp.parameter", "smtpx.rsp.code == 250 && frame.number > 14", **passes)
    queued = {f: QUEUED.fullmatch(v[0]).group(1) for f, v in replies.items() if QUEUED.fullmatch(v[0])}
    assert len(queued) == 1
    (reply_frame, queue_id), = queued.items()
    assert by_frame(ATTACHMENT, "smtpx.msg.queue_id", "smtpx.rsp && smtpx.msg.queue_id", **passes) == {
        reply_frame: [queue_id]}
    if passes["two_pass"]:
        eod = ts.frames_matching(ATTACHMENT, "smtpx.data.eod", **passes)
        assert rows(ATTACHMENT, ["smtpx.msg.queue_id", "smtpx.msg.reply_code"], "smtpx.msg", **passes) == [
            [eod[0], [queue_id], ["250"]]]


def strip_tcp_analysis(info):
    """Info without the "[TCP Window Full] " style prefixes the TCP layer puts first."""
    return re.sub(r"^(?:\[TCP [^\]]*\] )+", "", info)


DATA_INFO = re.compile(r"C: DATA fragment, (\d+) lines?, (\d+) bytes( \| C: \. \(end of data\))?")


def test_attachment_data_lines_and_info(passes):
    """Message data is shown segment by segment: a line cut by the end of a
    segment is shown in two parts, not reassembled; the parts, in order, are
    the message, and each Info counts the lines completed and bytes used."""
    eml_lines = attachment_eml().decode("ascii").split("\r\n")[:-1]
    eod = ts.frames_matching(ATTACHMENT, "smtpx.data.eod", **passes)[0]
    stream = b"".join(payloads(ATTACHMENT, f"tcp.dstport == 25 && frame.number >= 15 && frame.number <= {eod}").values())
    got = rows(ATTACHMENT, ["smtpx.data.line", "_ws.col.Info"], "smtpx.data.line", **passes)
    assert len(got) >= 5, "the message should span many segments"
    done, pending, cuts, total = 0, "", 0, 0
    for frame, items, info in got:
        m = DATA_INFO.fullmatch(strip_tcp_analysis(info[0]))
        assert m, (frame, info)
        assert (frame, bool(m[3])) == (frame, frame == eod)
        completed = 0
        for item in items:
            part = pending + item
            if part == eml_lines[done]:
                done, pending, completed = done + 1, "", completed + 1
            else:
                assert (frame, eml_lines[done].startswith(part)) == (frame, True)
                pending, cuts = part, cuts + 1
        assert (frame, completed) == (frame, int(m[1]))
        total += int(m[2])
    assert (done, pending) == (len(eml_lines), "")
    assert cuts >= 5, "lines cut at segment ends should be shown in parts"
    assert total == len(stream) - len(b".\r\n")


def test_attachment_no_analysis_expert(passes):
    assert ts.experts(ATTACHMENT, **passes, prefix="smtpx.analysis") == []


def test_attachment_file_matches_pythons_email_parser(passes):
    """The file swaks attached, as Python's own MIME parser decodes it from
    the .eml: the same name, type, size and hashes (an independent
    implementation of base64 and of the MIME structure)."""
    import email
    import hashlib
    msg = email.message_from_bytes(attachment_eml())
    files = [p for p in msg.walk() if p.get_filename()]
    assert len(files) == 1
    data = files[0].get_payload(decode=True)
    assert len(data) == 200 * 1024
    got = rows(ATTACHMENT, ["smtpx.msg.attachment", "smtpx.msg.attachment.type", "smtpx.msg.attachment.size",
                            "smtpx.msg.attachment.sha256", "smtpx.msg.attachment.md5"], "smtpx.msg.attachment",
               **passes)
    assert [r[1:] for r in got] == [[[files[0].get_filename()], [files[0].get_content_type()], [str(len(data))],
                                      [hashlib.sha256(data).hexdigest()], [hashlib.md5(data).hexdigest()]]]


@pytest.mark.parametrize("two_pass", [False, True], ids=["1pass", "2pass"])
def test_attachment_exported_as_pythons_email_parser_decodes_it(two_pass):
    import email
    part = [p for p in email.message_from_bytes(attachment_eml()).walk() if p.get_filename()][0]
    assert ts.export_objects(ATTACHMENT, "smtpx", two_pass) == [(part.get_filename(), part.get_payload(decode=True))]


# ---- postfix_curl_barelf: curl --upload-file without --crlf ------------------------

BARELF_LINES = ["From: alice@smtpx.test", "To: root@smtpx.test", "Subject: smtpx bare LF test", "",
                "Every line of this message ends in a bare LF:",
                "curl sends the file as it is without --crlf."]


def test_barelf_on_the_wire():
    """The premise: curl sent the file's bare LFs inside DATA, then CRLF . CRLF."""
    wire = payloads(BARELF, "tcp.dstport == 25 && frame.number >= 15 && frame.number <= 16")
    assert wire == {15: "".join(f"{line}\n" for line in BARELF_LINES).encode(), 16: b"\r\n.\r\n"}


def test_barelf_expert(passes):
    assert ts.experts(BARELF, **passes, prefix="smtpx.analysis") == [(15, "smtpx.analysis.bare_lf")]
    assert expert_messages(BARELF, "smtpx.analysis.bare_lf", **passes) == {
        15: ["Bare LF inside the message: RFC 5321 allows CR and LF only together as CRLF"]}


def test_barelf_message(passes):
    # frame 16 holds one empty line (the CRLF before the "."): one empty occurrence
    assert by_frame(BARELF, "smtpx.data.line", "smtpx.data.line", **passes) == {15: BARELF_LINES, 16: []}
    assert ts.fields(BARELF, ["smtpx.data.line"], "frame.number == 16 && smtpx.data.line == \"\"",
                     **passes) == [[""]]
    assert ts.frames_matching(BARELF, "smtpx.data.eod", **passes) == [16]
    got = rows(BARELF, ["smtpx.msg.size", "smtpx.msg.sender", "smtpx.msg.recipient", "smtpx.msg.subject"],
               "smtpx.msg", **passes)
    # the 163 bytes of the file and the CRLF curl puts before the "."
    assert got == [[16, ["165"], ["alice@smtpx.test"], ["root@smtpx.test"], ["smtpx bare LF test"]]]
    # postfix 3.7 accepts it (smtpd_forbid_bare_newline is off by default)
    assert by_frame(BARELF, "smtpx.rsp.code", "frame.number == 18", **passes) == {18: ["250"]}


# ---- postfix_bdat_pipelined: PIPELINING + CHUNKING from a raw client ---------------

BDATP_CHUNK = (b"From: <alice@smtpx.test>\r\nTo: <root@smtpx.test>\r\n"
               b"Subject: smtpx pipelined bdat test\r\n\r\n"
               b"MAIL, RCPT and this BDAT LAST chunk came in one segment.\r\n")
BDATP_PART1 = (b"From: <alice@smtpx.test>\r\nTo: <root@smtpx.test>\r\n"
               b"Subject: smtpx split bdat chunk\r\n\r\nThis line is split across two TCP seg")
BDATP_PART2 = b"ments in the middle of a word.\r\n"


def test_bdat_pipelined_on_the_wire():
    """The premise: each transaction's commands and chunk start in one segment."""
    wire = payloads(BDAT_PIPELINED, "tcp.dstport == 25 && frame.number >= 9 && frame.number <= 14")
    assert wire == {
        9: b"MAIL FROM:<alice@smtpx.test>\r\nRCPT TO:<root@smtpx.test>\r\nBDAT 145 LAST\r\n" + BDATP_CHUNK,
        11: b"MAIL FROM:<alice@smtpx.test>\r\nRCPT TO:<root@smtpx.test>\r\nBDAT 153 LAST\r\n" + BDATP_PART1,
        14: BDATP_PART2}
    assert len(BDATP_CHUNK) == 145 and len(BDATP_PART1 + BDATP_PART2) == 153


def test_bdat_pipelined_commands_and_chunks(passes):
    assert by_frame(BDAT_PIPELINED, "smtpx.req.command", "smtpx.req", **passes) == {
        6: ["EHLO"], 9: ["MAIL", "RCPT", "BDAT"], 11: ["MAIL", "RCPT", "BDAT"], 17: ["QUIT"]}
    got = rows(BDAT_PIPELINED, ["smtpx.bdat.size", "smtpx.bdat.last", "smtpx.bdat.chunk"],
               "smtpx.bdat.size || smtpx.bdat.chunk", **passes)
    assert got == [[9, ["145"], ["1"], [BDATP_CHUNK.hex()]],
                   [11, ["153"], ["1"], [BDATP_PART1.hex()]],
                   [14, [], [], [BDATP_PART2.hex()]]]


def test_bdat_pipelined_links(passes):
    """Replies answer the pipelined requests in order: MAIL, RCPT and BDAT of
    frame 9 are answered in frame 10; the second MAIL and RCPT in frame 12, its
    BDAT (whose chunk ends in frame 14) in frame 15."""
    assert by_frame(BDAT_PIPELINED, "smtpx.response_to", "smtpx.rsp", **passes) == {
        4: [], 8: ["6"], 10: ["9", "9", "9"], 12: ["11", "11"], 15: ["11"], 18: ["17"]}
    if passes["two_pass"]:
        assert by_frame(BDAT_PIPELINED, "smtpx.response_in", "smtpx.req", **passes) == {
            6: ["8"], 9: ["10", "10", "10"], 11: ["12", "12", "15"], 17: ["18"]}


def test_bdat_pipelined_imf_export_is_the_chunks():
    assert export_imf(BDAT_PIPELINED) == [BDATP_CHUNK, BDATP_PART1 + BDATP_PART2]


def test_bdat_pipelined_imf(passes):
    assert by_frame(BDAT_PIPELINED, "imf.subject", "imf", **passes) == {
        9: ["smtpx pipelined bdat test"], 14: ["smtpx split bdat chunk"]}


def test_bdat_pipelined_summary_and_queue_ids(passes):
    replies = by_frame(BDAT_PIPELINED, "smtpx.rsp.parameter", "smtpx.rsp", **passes)
    queue_ids = [m.group(1) for v in replies.values() for m in map(QUEUED.fullmatch, v) if m]
    assert len(queue_ids) == 2
    got = rows(BDAT_PIPELINED, ["smtpx.msg.size", "smtpx.msg.sender", "smtpx.msg.recipient",
                                "smtpx.msg.queue_id"], "smtpx.msg", **passes)
    if passes["two_pass"]:
        assert got == [[9, ["145"], ["alice@smtpx.test"], ["root@smtpx.test"], [queue_ids[0]]],
                       [14, ["153"], ["alice@smtpx.test"], ["root@smtpx.test"], [queue_ids[1]]]]
    else:
        # one pass: no reply has come when frame 9 ends the first message, so
        # only its size is certain; the second's MAIL and RCPT were answered
        # (frame 12) before its chunk ended (frame 14)
        assert [r[:2] + r[4:] for r in got] == [[9, ["145"], []], [14, ["153"], []]]
        assert got[1] == [14, ["153"], ["alice@smtpx.test"], ["root@smtpx.test"], []]


def test_bdat_pipelined_no_unadvertised(passes):
    """postfix advertises PIPELINING and CHUNKING: nothing to report."""
    keywords = by_frame(BDAT_PIPELINED, "smtpx.ehlo.keyword", "smtpx.ehlo.keyword", **passes)
    assert {"PIPELINING", "CHUNKING"} <= set(keywords[8])
    found = ts.experts(BDAT_PIPELINED, **passes, prefix="smtpx.analysis")
    assert [e for e in found if e[1] == "smtpx.analysis.unadvertised"] == []
    assert found == []


# ---- postfix_forged_from: header From in another domain than MAIL FROM --------------

def test_forged_from(passes):
    assert ts.experts(FORGED_FROM, **passes, prefix="smtpx.analysis") == [(15, "smtpx.analysis.spoofed_from")]
    messages = expert_messages(FORGED_FROM, "smtpx.analysis.spoofed_from", **passes)[15]
    spoofed = [m for m in messages if "ceo@bank.example" in m and "alice@smtpx.test" in m]
    assert len(spoofed) == 1, messages
    got = rows(FORGED_FROM, ["smtpx.header.from", "smtpx.header.from_display", "smtpx.header.to",
                             "smtpx.header.subject"], "smtpx.header", **passes)
    assert got == [[15, ["ceo@bank.example"], ["CEO"], ["root@smtpx.test"], ["smtpx forged From test"]]]
    got = rows(FORGED_FROM, ["smtpx.msg.sender", "smtpx.msg.from"], "smtpx.msg", **passes)
    assert got == [[15, ["alice@smtpx.test"], ["ceo@bank.example"]]]
    # the data line as swaks sent it
    assert "From: CEO <ceo@bank.example>" in by_frame(FORGED_FROM, "smtpx.data.line", "smtpx.data.line",
                                                      **passes)[15]


# ---- postfix_relay: postfix relays the message to the next hop, with its trace ---------

def test_relay_trace(passes):
    """On the second leg, the message carries the Received header Postfix
    added; its id is the queue id Postfix gave in the first leg, and the
    trace links to that reply (frame 16)."""
    got = rows(RELAY, ["smtpx.msg.queue_id", "smtpx.msg.received.from", "smtpx.msg.received.ip",
                       "smtpx.msg.received.by", "smtpx.msg.received.with", "smtpx.msg.received.id",
                       "smtpx.msg.received.for", "smtpx.msg.received.queued_in"],
               "smtpx.msg.queue_id || smtpx.msg.received", **passes)
    queued = [r for r in got if r[0] == 16][0][1]
    assert queued == [QUEUED_ID]
    assert [r for r in got if r[0] == 36][0][2:] == [["client.smtpx.test"], ["127.0.0.1"], ["mx.smtpx.test"],
                                                     ["ESMTP"], [QUEUED_ID], ["<bob@relay.smtpx.test>"], ["16"]]


def test_relay_transactions_log():
    """Both legs in the log: swaks's X-Mailer is the mail program of both,
    and the second leg's path is the address Postfix recorded."""
    keys = ["helo", "rcpt_to", "user_agent", "path", "queue_id"]
    assert [[r[k] for k in keys] for r in ts.transactions(RELAY)] == [
        ["client.smtpx.test", "bob@relay.smtpx.test", SWAKS, "-", QUEUED_ID],
        ["mx.smtpx.test", "bob@relay.smtpx.test", SWAKS, "127.0.0.1", "NEXT1"]]


def test_dkim_of_opendkim(passes):
    """OpenDKIM, Postfix's milter, signs the message (relaxed/relaxed): on
    the second leg the body, with blanks and a tab at a line's end, two
    blanks inside, a dot-stuffed line and empty lines at its end, hashes to
    the signature's bh=. No finding on either leg."""
    got = rows(DKIM, ["smtpx.header.dkim_domain", "smtpx.msg.dkim_body", "smtpx.msg.dkim_body.hash"],
               "smtpx.msg.dkim_body", **passes)
    assert got == [[38, ["smtpx.test"], ["1"], ["/1LXdcDGBPHp7Nk4zN+IP1yk77ppV2cvjb+4SJEFTlY="]]]
    wire = payloads(DKIM, "frame.number == 38")[38]
    assert b"c=relaxed/relaxed" in wire and b"bh=/1LXdcDGBPHp7Nk4zN+IP1yk77ppV2cvjb+4SJEFTlY=" in wire
    assert ts.frames_matching(DKIM, "smtpx.analysis", **passes) == []


# ---- postfix_lmtp_dovecot: postfix delivers over LMTP to Dovecot ------------------------

LMTP_SAVED = re.compile(r"2\.0\.0 <(\w+)@lmtp\.smtpx\.test> ([\w+/]+(?::R2)?) Saved")


def test_lmtp_postfix_to_dovecot(passes):
    """Postfix's LMTP client pipelines MAIL, three RCPT and DATA; Dovecot
    refuses nobody, and after the end of data answers once for bob and once
    for carol: both replies link to the end of data, name their recipient,
    and give Dovecot's session id as queue id. The message's trace links to
    the first leg, where Postfix queued it."""
    got = rows(LMTP, ["_ws.col.Protocol", "smtpx.req.command", "smtpx.rsp.code"], "tcp.stream == 1 && smtpx",
               **passes)
    assert [(f, p[0]) for f, p, _, _ in got] == [(29, "LMTP" if passes["two_pass"] else "SMTP")] + [
        (f, "LMTP/IMF" if f == 42 else "LMTP") for f, _, _, _ in got[1:]]      # (IMF on the end of data)
    assert [c for _, _, cmds, _ in got for c in cmds] == ["LHLO", "MAIL", "RCPT", "RCPT", "RCPT", "DATA", "QUIT"]
    assert [c for _, _, _, codes in got for c in codes] == ["220", "250", "250", "250", "250", "550", "354",
                                                            "250", "250", "221"]
    eod = ts.frames_matching(LMTP, "smtpx.data.eod && tcp.stream == 1", **passes)
    assert eod == [42]
    got = rows(LMTP, ["smtpx.response_to", "smtpx.rsp.recipient", "smtpx.rsp.parameter"], "smtpx.rsp.recipient",
               **passes)
    assert len(got) == 1 and got[0][1] == ["42", "42"]
    assert got[0][2] == ["bob@lmtp.smtpx.test", "carol@lmtp.smtpx.test"]
    saved = [LMTP_SAVED.fullmatch(p) for p in got[0][3]]
    assert [m.group(1) for m in saved] == ["bob", "carol"]
    assert by_frame(LMTP, "smtpx.msg.queue_id", "smtpx.rsp.recipient", **passes)[got[0][0]] == [
        m.group(2) for m in saved]
    if passes["two_pass"]:
        # the end of data's two replies, then QUIT's (pipelined behind it)
        assert by_frame(LMTP, "smtpx.response_in", "frame.number == 42", **passes) == {42: ["44", "44", "45"]}
    if passes["two_pass"]:
        assert by_frame(LMTP, "smtpx.msg.reply_code", "frame.number == 42", **passes) == {42: ["250", "250"]}
    row = ts.transactions(LMTP, passes["two_pass"])[1]
    assert (row["rcpt_to"], row["reply"], row["queue_id"]) == (
        "bob@lmtp.smtpx.test,carol@lmtp.smtpx.test", "250,250", ",".join(m.group(2) for m in saved))
    trace = rows(LMTP, ["smtpx.msg.received.queued_in"], "smtpx.msg.received && tcp.stream == 1", **passes)
    assert [r[1] for r in trace] == [["20"]]
    assert ts.experts(LMTP, **passes) == [(39, "smtpx.analysis.serious_reply")]
