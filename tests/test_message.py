# SPDX-License-Identifier: GPL-2.0-or-later
"""Issue 5: DATA and BDAT line by line, the message reassembled, unstuffed
and handed to IMF, header fields, the summary, and the checks on message
bytes."""


import pytest

import smtpx_tshark as ts


def fields(name, f, flt, **passes):
    return ts.fields(ts.transcript_pcap(name), f, flt, **passes)


def export_imf(capture):
    return dict(ts.export_objects(capture, "imf"))


def test_data_lines_and_info(passes):
    got = fields("message_headers", ["frame.number", "smtpx.data.line", "_ws.col.Info"], "smtpx.data", **passes)
    assert got[0] == ["17", "Return-Path: <alice@mail.example.com>,From: =?UTF-8?B?QWxpY2Ugw4lsaXNl?= "
                      "<alice@example.com>,To: Bob <bob@example.org>,", "C: DATA fragment, 3 lines, 123 bytes"]
    # the folded To line is typed in 9-byte segments: one line, shown once
    assert got[1] == ["21", " Carol <carol@example.org>", "C: DATA fragment, 1 line, 28 bytes"]
    assert got[2][2] == "C: DATA fragment, 12 lines, 291 bytes | C: . (end of data)"
    assert got[2][1].endswith(",Hello Bob.,.this line starts with a dot,.,..,Bye")


def test_header_lines(passes):
    got = fields("message_headers", ["smtpx.data.header.name"], "frame.number == 22", **passes)
    assert got == [["Cc,Subject,Date,Message-ID,Reply-To,Sender"]]
    assert fields("message_headers", ["frame.number"], 'smtpx.data.header contains "Reply-To"',
                  **passes) == [["22"]]
    # the folded rest of a value is a value too: a filter finds words on it
    assert fields("received_trace", ["frame.number"], 'smtpx.data.header.value contains "ESMTPSA"',
                  **passes) == [["13"]]


@pytest.mark.parametrize("two_pass", [False, True], ids=["1pass", "2pass"])
def test_header_lines_printed_once(two_pass):
    """A header line is printed once, as a message line; smtpx.data.header
    and its name and value are hidden fields (filters, -T fields)."""
    cap = ts.capture_path(ts.transcript_pcap("message_headers"))
    out = ts.tshark(["-r", cap, *["-2"] * two_pass, "-V", "-Y", "frame.number == 22"]).stdout
    smtpx = out.split("Simple Mail Transfer Protocol (smtpx)")[1].split("Internet Message Format")[0]
    shown = [line.strip() for line in smtpx.splitlines() if line.strip().endswith(": alice@example.com")]
    assert shown == ["Line: Reply-To: alice@example.com"]
    assert "Header:" not in smtpx


def test_header_fields_on_the_frame_that_ends_the_header_block(passes):
    names = ["from", "from_display", "to", "cc", "subject", "date", "message_id", "reply_to", "sender",
             "return_path"]
    got = fields("message_headers", ["frame.number"] + [f"smtpx.header.{n}" for n in names], "smtpx.header",
                 **passes)
    assert got[0] == ["22", "alice@example.com", "Alice Élise", "Bob <bob@example.org>, Carol <carol@example.org>",
                      "team@example.org", "Café crème plan", "Tue, 15 Jan 2008 16:02:43 -0500",
                      "<20080115160243.1234@example.com>", "alice@example.com", "alice@mail.example.com",
                      "<alice@mail.example.com>"]
    assert got[1][:2] == ["30", "alice@example.com"]


def found(node, key):
    """Every value of KEY anywhere in a -T json layer tree."""
    if isinstance(node, list):
        return [v for item in node for v in found(item, key)]
    if not isinstance(node, dict):
        return []
    return [v for k, child in node.items() for v in ([child] if k == key else []) + found(child, key)]


TRACE_NOTE = ("Received: each server on the way adds one on top, so read the path bottom-up; only those added by "
              "servers you trust are reliable, the ones below can be forged")


def test_received_trace(passes):
    """The message summary holds every Received header of the reassembled
    message, top (newest) first, each with its own clauses: Postfix folded
    with tabs, Exim with an IPv6 literal and nested comments, Exchange with a
    bare address and a ';' inside a comment. The header block is cut inside
    the second one. The top one has a teaching note. A message without a
    trace has none. A BDAT message has one too; its header names this
    server and the queue id it gave the message before, and links to that
    reply (frame 28)."""
    pkts = ts.json(ts.transcript_pcap("received_trace"), "smtpx.msg", **passes)
    assert [int(p["_source"]["layers"]["frame"]["frame.number"]) for p in pkts] == [19, 27, 33]
    values = found(pkts[0]["_source"]["layers"]["smtpx"], "smtpx.msg.received")
    assert values == [[
        "from pc.example.net (pc.example.net [203.0.113.5]) by relay.example.net (Postfix) with ESMTPSA "
        "id 4A1B2C3D for <bob@example.org>; Tue, 15 Jan 2008 16:02:43 -0500",
        "from [IPv6:2001:db8::7] (helo=laptop (the (old) one)) by pc.example.net with esmtp (Exim 4.96) "
        "id 1q2w3e-0001; Tue, 15 Jan 2008 16:01:00 -0500",
        "from EX01.corp.example (10.1.2.3) by EX02.corp.example (10.1.2.4) with Microsoft SMTP Server "
        "(version=TLS1_2; cipher=X) id 15.1.2507.23; Tue, 15 Jan 2008 21:00:00 +0000"]]
    hops = found(pkts[0]["_source"]["layers"]["smtpx"], "smtpx.msg.received_tree")[0]
    assert hops == [
        {"smtpx.msg.received.hop": "1", "smtpx.note": TRACE_NOTE,
         "smtpx.note.phase": "mail transaction: message transfer",
         "smtpx.msg.received.from": "pc.example.net",
         "smtpx.msg.received.ip": "203.0.113.5",
         "smtpx.msg.received.by": "relay.example.net", "smtpx.msg.received.with": "ESMTPSA",
         "smtpx.msg.received.id": "4A1B2C3D", "smtpx.msg.received.for": "<bob@example.org>",
         "smtpx.msg.received.date": "Tue, 15 Jan 2008 16:02:43 -0500"},
        {"smtpx.msg.received.hop": "2", "smtpx.msg.received.from": "[IPv6:2001:db8::7]",
         "smtpx.msg.received.ipv6": "2001:db8::7", "smtpx.msg.received.by": "pc.example.net",
         "smtpx.msg.received.with": "esmtp", "smtpx.msg.received.id": "1q2w3e-0001",
         "smtpx.msg.received.date": "Tue, 15 Jan 2008 16:01:00 -0500"},
        {"smtpx.msg.received.hop": "3", "smtpx.msg.received.from": "EX01.corp.example",
         "smtpx.msg.received.ip": "10.1.2.3",
         "smtpx.msg.received.by": "EX02.corp.example", "smtpx.msg.received.with": "Microsoft",
         "smtpx.msg.received.id": "15.1.2507.23", "smtpx.msg.received.date": "Tue, 15 Jan 2008 21:00:00 +0000"}]
    assert found(pkts[1]["_source"]["layers"]["smtpx"], "smtpx.msg.received") == []
    assert found(pkts[2]["_source"]["layers"]["smtpx"], "smtpx.msg.received_tree") == [
        {"smtpx.msg.received.hop": "1", "smtpx.note": TRACE_NOTE,
         "smtpx.note.phase": "mail transaction: message transfer",
         "smtpx.msg.received.from": "[192.0.2.9]", "smtpx.msg.received.ip": "192.0.2.9",
         "smtpx.msg.received.by": "mx.example.org", "smtpx.msg.received.with": "ESMTP",
         "smtpx.msg.received.id": "1A2B3C4D5E", "smtpx.msg.received.date": "Tue, 15 Jan 2008 16:00:00 -0500",
         "smtpx.msg.received.queued_in": "28"}]


def test_received_addresses_filter(passes):
    """The senders' addresses are address fields: subnets and IPv6 match."""
    cap = ts.transcript_pcap("received_trace")
    for flt in ["smtpx.msg.received.ip == 10.1.2.0/24", "smtpx.msg.received.ipv6 == 2001:db8::7",
                'smtpx.msg.received.with == "ESMTPSA" && smtpx.msg.received.hop == 1']:
        assert ts.frames_matching(cap, flt, **passes) == [19], flt
    assert ts.frames_matching(cap, "smtpx.msg.received.ip == 10.1.2.4", **passes) == []     # a "by" address
    assert ts.frames_matching(cap, "smtpx.msg.received.queued_in == 28", **passes) == [33]
    # read in the reassembled message: none without reassembly
    assert ts.fields(cap, ["frame.number"], "smtpx.msg.received", extra=["-o", "smtpx.reassemble:FALSE"],
                     **passes) == []


def test_origin_headers(passes):
    """The headers that tell where a message came from: the mail program
    (X-Mailer or User-Agent), In-Reply-To, X-Originating-IP."""
    got = fields("received_trace", ["frame.number", "smtpx.header.user_agent", "smtpx.header.in_reply_to",
                                    "smtpx.header.originating_ip"], "smtpx.header", **passes)
    assert got == [["19", "Thunderbird 115.3", "<1234@example.org>", "[203.0.113.5]"],
                   ["27", "Mutt/2.2.9", "", ""], ["33", "", "", ""]]


def test_dkim_signers(passes):
    """Every DKIM signature's domain and selector, a folded one too."""
    got = fields("dkim_signatures", ["frame.number", "smtpx.header.dkim_domain", "smtpx.header.dkim_selector"],
                 "smtpx.header", **passes)
    assert got == [["13", "mailer.example.net,news.brand.example", "m1,2024a"], ["21", "evil.example", "k"]]


def test_authentication_results(passes):
    """Authentication-Results (RFC 8601) and Received-SPF (RFC 7208), read
    with the headers (folded, comments skipped; BDAT: in the reassembled
    message): who checked, each result as method=result with its parts."""
    got = fields("auth_results", ["frame.number", "smtpx.header.auth_results.server",
                                  "smtpx.header.auth_results.result", "smtpx.header.received_spf"],
                 "smtpx.header", **passes)
    assert got == [["13", "mx.example.org,trust-me.example", "spf=pass,dkim=pass,dmarc=pass,dmarc=pass", "pass"],
                   ["21", "mx.example.org", "spf=softfail,dkim=none,dmarc=fail", "softfail"],
                   ["27", "", "", "fail"], ["35", "", "spf=fail,dkim=fail", ""]]
    got = fields("auth_results", ["smtpx.header.auth_results.method", "smtpx.header.auth_results.verdict",
                                  "smtpx.header.auth_results.reason", "smtpx.header.auth_results.property"],
                 "frame.number == 21", **passes)
    assert got == [["spf,dkim,dmarc", "softfail,none,fail", "no aligned identifier",
                    "smtp.mailfrom=billing@bank-secure.example,header.d=none,header.from=bank.example"]]
    assert ts.frames_matching(ts.transcript_pcap("auth_results"),
                              'smtpx.header.auth_results.result == "dmarc=fail"', **passes) == [21]


@pytest.mark.parametrize("two_pass", [False, True], ids=["1pass", "2pass"])
def test_authentication_results_tree(two_pass):
    """The header's label names who checked and the verdicts; each result's
    label what was checked; the top one has a teaching note."""
    out = ts.tshark(["-r", ts.capture_path(ts.transcript_pcap("auth_results")), "-V", "-Y", "frame.number == 21"]
                    + (["-2"] if two_pass else [])).stdout
    assert "[Authentication-Results of mx.example.org: spf=softfail, dkim=none, dmarc=fail]" in out
    assert "[Result: dmarc=fail (header.from=bank.example)]" in out
    assert "Authentication-Results: how a receiving server judged the sender" in out


def test_delivery_report(passes):
    """A bounce (RFC 3464): the message/delivery-status part read under the
    summary, with who reports and, per recipient, the action, the status
    (its meaning in the label), the remote server and its words (folding
    squeezed to one space)."""
    got = fields("bounce", ["frame.number", "smtpx.msg.sender", "smtpx.msg.dsn.reporting_mta",
                            "smtpx.msg.dsn.recipient", "smtpx.msg.dsn.action", "smtpx.msg.dsn.status",
                            "smtpx.msg.dsn.remote_mta", "smtpx.msg.dsn.diagnostic"], "smtpx.msg", **passes)
    assert got == [["13", "", "mx.example.org", "bob@example.net,carol@example.net", "failed,delayed", "5.1.1,4.4.1",
                    "mx.example.net", "550 5.1.1 <bob@example.net>: Recipient address rejected: User unknown in "
                    "virtual mailbox table,connect to mx2.example.net[192.0.2.8]:25: Connection timed out"]]
    assert fields("message_headers", ["frame.number"], "smtpx.msg.dsn", **passes) == []
    if passes["verbose"]:
        out = ts.tshark(["-r", ts.capture_path(ts.transcript_pcap("bounce")), "-V", "-Y", "smtpx.msg"]
                        + ["-2"] * passes["two_pass"]).stdout
        assert "[Message summary: 1074 bytes, 40 lines, from <> (null sender: a bounce)]" in out
        assert "[Delivery report from mx.example.org]" in out
        assert "[Recipient: bob@example.net: failed, 5.1.1 (Bad destination mailbox address)]" in out
        assert "[Recipient: carol@example.net: delayed, 4.4.1 (No answer from host)]" in out


def test_summary_one_pass(passes):
    got = fields("message_headers", ["frame.number", "smtpx.msg.sender", "smtpx.msg.recipient", "smtpx.msg.from",
                                     "smtpx.msg.subject", "smtpx.msg.size", "smtpx.msg.lines"], "smtpx.msg",
                 **passes)
    assert got == [["22", "alice@mail.example.com", "bob@example.org,carol@example.org", "alice@example.com",
                    "Café crème plan", "439", "16"],
                   ["30", "alice@mail.example.com", "bob@example.org", "alice@example.com", "second", "49", "4"]]


def test_summary_final_reply_and_queue_id():
    got = fields("message_headers", ["smtpx.msg.reply_code", "smtpx.msg.queue_id"], "smtpx.msg", two_pass=True)
    assert got == [["250", "4BF8C1080B0"], ["250", "5CA9D1080B1"]]
    got = fields("message_headers", ["frame.number", "smtpx.msg.queue_id"], "smtpx.rsp && smtpx.msg.queue_id")
    assert got == [["23", "4BF8C1080B0"], ["31", "5CA9D1080B1"]]


@pytest.mark.parametrize("text,queue_id", [
    ("Ok: queued as 85155CD43", "85155CD43"),
    ("OK id=1q2w3e-0004Xy-AB", "1q2w3e-0004Xy-AB"),
    ("<WIN-BKLR90FGWRQJ46000000001@WIN-BKLR90FGWRQ> Queued mail for delivery",
     "WIN-BKLR90FGWRQJ46000000001@WIN-BKLR90FGWRQ"),
    ("2.6.0 <m7@ex.test> [InternalId=12345, Hostname=EX01] Queued mail for delivery", "m7@ex.test"),
    ("2.0.0 x1234567 Message accepted for delivery", "x1234567"),
    ("OK id=1q2w3e-0004Xy-AB, thanks", "1q2w3e-0004Xy-AB"),
    # no id: the phrase alone (aiosmtpd), a word in parentheses
    ("2.0.0 Message accepted for delivery", None),
    ("Message accepted for delivery", None),
    ("2.0.0 Ok: queued as (deferred)", None),
])
def test_queue_id_forms(text, queue_id, tmp_path):
    cap = ts.text_pcap(tmp_path, f"S: 220 mx\nC: MAIL FROM:<a@b.example>\nS: 250 ok\nC: RCPT TO:<c@d.example>\n"
                       f"S: 250 ok\nC: DATA\nS: 354 go\nC: From: a@b.example\nC+\nC+ x\nC+ .\nS: 250 {text}\n")
    assert ts.fields(cap, ["smtpx.msg.queue_id"], "smtpx.msg.queue_id") == ([[queue_id]] if queue_id else [])
    assert ts.fields(cap, ["smtpx.msg.reply_code"], "smtpx.msg.reply_code", two_pass=True) == [["250"]]


def test_imf_export_is_the_unstuffed_message():
    got = export_imf(ts.transcript_pcap("message_headers"))
    bodies = list(got.values())
    assert len(bodies) == 2
    first = bodies[0]
    assert first.startswith(b"Return-Path: <alice@mail.example.com>\r\nFrom: =?UTF-8?B?")
    assert b"To: Bob <bob@example.org>,\r\n Carol <carol@example.org>\r\n" in first
    assert first.endswith(b"\r\n\r\nHello Bob.\r\n.this line starts with a dot\r\n.\r\n..\r\nBye\r\n")
    assert bodies[1] == b"From: alice@example.com\r\nSubject: second\r\n\r\ntwo\r\n"


def test_message_of_many_segments(passes, tmp_path):
    """A message in over 1,000 segments: the first 256 fragments are a
    segment each, later segments are joined into fragments of up to 64 KB
    (Wireshark's reassembly costs the square of a message's fragments).
    The message is whole: its size and the exported IMF object."""
    body = "".join(f"line {i:05d} " + "x" * 40 + "\\r\\n" for i in range(1200))
    message = "From: <a@b.example>\\r\\nSubject: long\\r\\n\\r\\n" + body
    cap = ts.text_pcap(tmp_path, "S: 220 mx\nC: MAIL FROM:<a@b.example>\nS: 250 ok\nC: RCPT TO:<c@d.example>\n"
                       "S: 250 ok\nC: DATA\nS: 354 go\nCsplit 58: " + message + "\\\nC: .\nS: 250 ok\n")
    want = message.replace("\\r\\n", "\r\n").encode()
    assert len(ts.frames_matching(cap, "smtpx.data", **passes)) > 1000
    [[size, count]] = ts.fields(cap, ["smtpx.msg.size", "smtpx.msg.fragment.count"], "smtpx.msg", **passes)
    assert size == str(len(want)) and 256 < int(count) <= 256 + -(-len(want) // 65536)
    assert list(ts.export_objects(cap, "imf", passes["two_pass"]))[0][1] == want


def test_imf_fields(passes):
    got = fields("message_headers", ["frame.number", "imf.from", "imf.subject"], "imf", **passes)
    assert [r[0] for r in got] == ["22", "30"]
    assert got[1][1:] == ["alice@example.com", "second"]


def test_bdat_message_to_imf():
    got = export_imf(ts.transcript_pcap("bdat"))
    assert list(got.values()) == [b"Subject: x\r\n\r\nHello\r\n"]
    imf = fields("bdat", ["frame.number", "imf.subject"], "imf")
    assert imf == [["12", "x"]]


def test_smtputf8_allows_utf8_headers(passes):
    """UTF-8 in the header block of an SMTPUTF8 transaction is no finding;
    8-bit bytes in its body still are (without BODY=8BITMIME)."""
    cap = ts.transcript_pcap("smtputf8_headers")
    assert [(f, a) for f, a in ts.experts(cap, passes["two_pass"]) if a == "smtpx.analysis.eight_bit"] == [
        (21, "smtpx.analysis.eight_bit")]       # the second message's body ("Viele Grüße"); none in frame 13


def test_bare_lf_8bit_long_line_size(passes):
    cap = ts.transcript_pcap("message_checks")
    found = ts.experts(cap, passes["two_pass"])
    assert (14, "smtpx.analysis.bare_lf") in found
    assert (15, "smtpx.analysis.eight_bit") in found
    assert (16, "smtpx.analysis.line_too_long") in found
    assert (16, "smtpx.analysis.size_exceeded") in found
    lines = ts.fields(cap, ["smtpx.data.line"], "frame.number == 14", **passes)
    assert lines == [["bare lf line"]]


def test_capture_ending_inside_data():
    cap = ts.transcript_pcap("message_checks")
    # once, where the capture leaves the message (not on each of its segments)
    assert [(f, a) for f, a in ts.experts(cap, True) if a == "smtpx.analysis.message_incomplete"] == [
        (17, "smtpx.analysis.message_incomplete")]
    got = ts.fields(cap, ["_ws.expert.message"], "smtpx.analysis.message_incomplete", two_pass=True)
    assert got == [['No end of data (a line holding only ".") follows (the message began with the 354 reply in '
                    'frame 12): a server delivers no message that does not end, unless the capture merely stops first']]
    assert ts.frames_matching(cap, "smtpx.msg") == []
    assert ts.fields(cap, ["smtpx.data.line"], "frame.number == 17") == [["the capture ends before the end of data"]]


def test_no_finding_on_clean_messages(passes):
    # the findings are the rejected recipient (550) and the Return-Path the
    # first message kept from a mailbox; nothing else in either message
    assert ts.experts(ts.transcript_pcap("message_headers"), passes["two_pass"]) == [
        (12, "smtpx.analysis.serious_reply"), (22, "smtpx.analysis.return_path")]


def test_segment_quoted_in_an_icmp_error(passes):
    """A router's ICMP error quotes a segment of the message (frame 13, quoted
    in 14) and the QUIT (17, quoted in 18). The quotes are shown as quoted
    lines and kept out of the session: the message holds its lines once,
    the replies answer the end of data and QUIT, and nothing is a finding."""
    cap = ts.transcript_pcap("icmp_quote")
    got = ts.fields(cap, ["frame.number", "smtpx.quoted.line"], "smtpx.quoted", **passes)
    assert got == [["14", "From: a@example.com,Subject: quoted,,first line"], ["18", "QUIT"]]
    assert ts.frames_matching(cap, "icmp && (smtpx.data || smtpx.req || smtpx.note)", **passes) == []
    got = ts.fields(cap, ["frame.number", "smtpx.msg.lines", "smtpx.msg.size", "imf.subject"], "smtpx.msg", **passes)
    assert got == [["15", "5", "65", "quoted"]]
    got = ts.fields(cap, ["frame.number", "smtpx.response_to"], "smtpx.response_to > 13", **passes)
    assert got == [["16", "15"], ["19", "17"]]
    assert ts.experts(cap, passes["two_pass"]) == []


def test_smuggling_rfc_server(passes):
    cap = ts.transcript_pcap("smuggling")
    found = ts.experts(cap, passes["two_pass"])
    assert (13, "smtpx.analysis.smuggling") in found
    got = ts.fields(cap, ["smtpx.data.line", "smtpx.req.command"], "frame.number == 13", **passes)
    assert got == [["From: a@example.com,,innocent,.,MAIL FROM:<admin@example.com>", ""]]


def test_smuggling_server_follows(passes):
    cap = ts.transcript_pcap("smuggling")
    found = ts.experts(cap, passes["two_pass"])
    assert (21, "smtpx.analysis.smuggling") in found
    assert (22, "smtpx.analysis.smuggling") in found          # the server replied: it ended the message
    assert "smtpx.analysis.message_incomplete" not in [a for _, a in found]   # not cut by the capture
    got = ts.fields(cap, ["frame.number", "smtpx.req.command"], "smtpx.req && frame.number > 22", **passes)
    assert got == [["23", "MAIL"], ["25", "RCPT"], ["27", "DATA"], ["31", "QUIT"]]
    assert (29, "smtpx.analysis.smuggling") in found           # <CR>.<CR>
    assert (30, "smtpx.analysis.smuggling") in found


def test_smuggled_commands_named(passes):
    """A transaction command right after an end of data that only some
    servers take (the next line, or the rest of a <CR>.<CR> line) is what
    such a server runs: the finding quotes it. Frame 21's <LF>.<LF> ends
    its segment, and the server answers it: nothing follows to quote."""
    got = ts.fields(ts.transcript_pcap("smuggling"), ["frame.number", "_ws.expert.message"],
                    "smtpx.analysis.smuggling", **passes)
    quoted = [f for f, m in got if 'goes on with the command "MAIL FROM:<admin@example.com>"' in m]
    assert quoted == ["13", "29"]


def test_reply_during_data_without_an_early_end(passes):
    """A reply while the message is still coming, with no end of data a
    server could take: a 552 aborts the transfer (its own finding, no
    smuggling); a 250 means the server took some line for the end. Either
    ends the transaction without a message, and commands follow."""
    cap = ts.transcript_pcap("data_interrupted")
    found = ts.experts(cap, passes["two_pass"])
    assert (14, "smtpx.analysis.error_reply") in found and (14, "smtpx.analysis.smuggling") not in found
    assert (22, "smtpx.analysis.smuggling") in found
    assert [a for _, a in found if a in ("smtpx.analysis.message_incomplete", "smtpx.analysis.bad_sequence")] == []
    assert ts.frames_matching(cap, "smtpx.msg", **passes) == []
    got = ts.fields(cap, ["frame.number", "smtpx.req.command"], "smtpx.req && frame.number > 13", **passes)
    assert got == [["15", "MAIL"], ["17", "RCPT"], ["19", "DATA"], ["23", "QUIT"]]


def test_smuggled_message_ends_where_the_server_took_it(passes):
    """The server's 250 during DATA answers the <LF>.<LF> of frame 21 (and
    then the <CR>.<CR> of frame 29): the message ends there, and is
    summarised, handed to IMF and logged in the reply's frame, with the bytes
    up to that end only."""
    cap = ts.transcript_pcap("smuggling")
    got = ts.fields(cap, ["frame.number", "smtpx.response_to", "smtpx.msg.size", "smtpx.msg.lines", "smtpx.msg.from",
                          "smtpx.msg.reply_code", "smtpx.msg.queue_id", "imf.from", "smtpx.msg.reassembled.length"],
                    "smtpx.msg && frame.number > 13", **passes)
    assert got == [["22", "21", "28", "3", "a@example.com", "250", "2222,2222", "a@example.com", "30"],
                   ["30", "29", "28", "3", "a@example.com", "250", "3333,3333", "a@example.com", "61"]]
    msg = ts.fields(cap, ["_ws.expert.message"], "frame.number == 22 && smtpx.analysis.smuggling", **passes)
    assert 'the server took the lone "." of frame 21 for the end of data (SMTP smuggling)' in msg[0][0]
    eml = [data for _, data in ts.export_objects(cap, "imf", passes["two_pass"])]
    assert b"From: a@example.com\r\n\r\ntext\n" in eml and b"From: a@example.com\r\n\r\nmore\r" in eml


def test_message_sent_before_354(passes):
    """A client that sends its message without waiting for the 354 (spam
    slammers, exploit scripts): the lines after an unanswered DATA are the
    message, as a server that answers 354 reads them, with a finding. When
    the server refuses DATA instead, it did not take them: a finding on the
    refusal; the server's reply to the line it read as a command links to
    it, and the client's next lines are commands again."""
    cap = ts.transcript_pcap("data_before_354")
    got = ts.fields(cap, ["frame.number", "_ws.expert.message"], "smtpx.analysis.bad_sequence", **passes)
    early = ("Message sent before the server's reply to DATA (frame {0}): the client must wait for 354 (RFC 2920); "
             "shown as the message, as a server that answers 354 reads it")
    assert [f for f, _ in got] == ["7", "24", "25", "41"]
    assert got[0][1] == early.format(7) and got[3][1].startswith(early.format(41))
    assert early.format(24) in got[1][1]
    assert ("Reply 554 refuses DATA, but the client sent the message (from frame 24) without waiting: "
            "the server did not take it, and reads those lines as commands unless it closes the connection"
            ) in got[2][1]
    # the message, with its headers, ended by its "." and answered in turn
    got = ts.fields(cap, ["frame.number", "smtpx.msg.lines", "smtpx.msg.size", "smtpx.msg.from", "imf.subject"],
                    "smtpx.msg", **passes)
    assert got == [["7", "4", "69", "alice@example.com", "early"]]
    got = ts.fields(cap, ["frame.number", "smtpx.response_to"], "frame.number == 8", **passes)
    assert got == [["8", "7,7,7,7"]]
    assert ts.frames_matching(cap, "smtpx.analysis.unknown_command", **passes) == []
    note = ts.fields(cap, ["smtpx.note"], "frame.number == 8", **passes)[0][0]
    assert ("354: the server is ready for the message, which the client began to send in frame 7 without waiting "
            "for this reply; the server reads those lines as the message") in note
    # the 500 answers the line the server read as a command, not nothing
    assert ts.fields(cap, ["smtpx.response_to"], "frame.number == 25", **passes) == [["24,24"]]
    assert ts.fields(cap, ["smtpx.note"], "frame.number == 25", **passes)[0][0].endswith(
        "500: the server refused DATA, but the client had sent the message (from frame 24) without waiting: the "
        "server reads each of its lines as a command, and this reply answers one of them")
    assert ts.frames_matching(cap, "smtpx.analysis.unsolicited_reply", **passes) == []
    # after the refusal, QUIT is a command and gets its reply
    assert ts.fields(cap, ["smtpx.req.command"], "frame.number == 26", **passes) == [["QUIT"]]
    assert ts.fields(cap, ["smtpx.response_to"], "frame.number == 27", **passes) == [["26"]]


def test_slam_lines_answered_as_commands(passes):
    """A slammer's whole transaction in one segment, its DATA refused: the
    server answers each line of the message and the "." as commands, then
    QUIT; the notes say which reply answers what."""
    cap = ts.transcript_pcap("slam_lines_as_commands")
    phases = ts.fields(cap, ["smtpx.note.phase"], "frame.number == 8", **passes)[0][0].split(",")
    assert phases == ["mail transaction: envelope"] * 2 + ["mail transaction: message transfer"] * 5 + [
        "connection termination"]
    notes = [r[0] for r in ts.fields(cap, ["smtpx.note"], "frame.number == 8", **passes,
                                     extra=["-E", "aggregator=|"])][0].split("|")
    assert notes[3:7] == ["500: the server refused DATA, but the client had sent the message (from frame 7) "
                          "without waiting: the server reads each of its lines as a command, and this reply "
                          "answers one of them"] * 4
    assert notes[7] == "221: the server says goodbye and closes the connection"
    assert [a for _, a in ts.experts(cap, passes["two_pass"]) if "unsolicited" in a] == []
    if passes["two_pass"]:
        assert ts.fields(cap, ["smtpx.response_in"], "frame.number == 7", **passes) == [["8,8,8,8,8"]]
    # the message has no final reply (the 500 to its "." answers a line read as a command), as in the log
    assert ts.fields(cap, ["smtpx.msg.reply_code"], "smtpx.msg", **passes) == [[""]]
    assert [r["reply"] for r in ts.transactions(cap, passes["two_pass"])] == ["503"]


def test_message_sent_before_354_cut_by_the_capture():
    cap = ts.transcript_pcap("data_before_354")
    got = ts.fields(cap, ["_ws.expert.message"], "smtpx.analysis.message_incomplete", two_pass=True)
    assert got[0][0].endswith(',No end of data (a line holding only ".") follows (the message began with its first '
                              'line, sent before 354, in frame 41): a server delivers no message that does not end, '
                              'unless the capture merely stops first')


def test_recipients_without_a_reply_yet(tmp_path):
    """RCPT pipelined with BDAT LAST: at the end of the message the server
    has answered none of them, so one pass lists them as recipients with no
    reply yet (not as accepted); two passes know that one was refused."""
    cap = ts.text_pcap(tmp_path, "S: 220 mx ESMTP\nC: EHLO c\nS: 250-mx\nS+ 250-PIPELINING\nS+ 250 CHUNKING\n"
                                 "C: MAIL FROM:<alice@example.com>\nC+ RCPT TO:<bob@example.org>\n"
                                 "C+ RCPT TO:<nobody@example.org>\nC+ BDAT 52 LAST\nC+ From: alice@example.com\n"
                                 "C+ To: bob@example.org\nC+\nC+ hi\nS: 250 2.1.0 Ok\nS+ 250 2.1.5 Ok\nS+ 550 5.1.1 unknown\n"
                                 "S+ 250 2.0.0 Ok: queued as XYZ\nC: QUIT\nS: 221 bye\n")
    names = ["smtpx.msg.recipient", "smtpx.msg.recipient_unanswered", "smtpx.msg.bcc"]
    assert ts.fields(cap, names, "smtpx.msg") == [["", "bob@example.org,nobody@example.org", "nobody@example.org"]]
    assert ts.fields(cap, names, "smtpx.msg", two_pass=True) == [["bob@example.org", "", ""]]
    assert [r["rcpt_to"] for r in ts.transactions(cap)] == ["bob@example.org"]


def test_blind_copies(passes):
    """An envelope recipient that To and Cc do not name gets the message as
    a blind copy: the summary says so (smtpx.msg.bcc). A folded To with two
    mailboxes names both; a message with no To names none; in the Ilon Mask
    lab the student's message has no To at all."""
    got = fields("message_headers", ["frame.number", "smtpx.msg.recipient", "smtpx.msg.bcc"], "smtpx.msg", **passes)
    assert got == [["22", "bob@example.org,carol@example.org", ""], ["30", "bob@example.org", "bob@example.org"]]
    assert fields("lab5_ilon_mask", ["smtpx.msg.bcc"], "smtpx.msg", **passes) == [["maratmingazovr@gmail.com"]]
    if passes["verbose"]:
        out = ts.tshark(["-r", ts.capture_path(ts.transcript_pcap("message_headers")), "-V", "-Y",
                         "frame.number == 30"] + ["-2"] * passes["two_pass"]).stdout
        assert "[Accepted recipient: bob@example.org (blind copy: the message has no To or Cc)]" in out
        # a list's message: its To names the list, not the member
        out = ts.tshark(["-r", ts.capture_path(ts.transcript_pcap("arc_results")), "-V", "-Y",
                         "frame.number == 13"] + ["-2"] * passes["two_pass"]).stdout
        assert "[Accepted recipient: bob@example.org (blind copy: To and Cc do not name it)]" in out
        assert "Blind copy:" not in out     # (hidden: the label says it)


def test_header_only_recipients(passes):
    """The other way round: an address To or Cc names that is no accepted
    envelope recipient is not delivered to by the transaction (the headers
    are only text): the summary lists it (smtpx.msg.header_only), once per
    address, whether the header is folded or not."""
    got = fields("message_headers", ["frame.number", "smtpx.msg.header_only"], "smtpx.msg", **passes)
    assert got == [["22", "team@example.org"], ["30", ""]]
    assert fields("auth_results", ["smtpx.msg.header_only"], "smtpx.msg", **passes) == [[""]] * 4
    if passes["verbose"]:
        out = ts.tshark(["-r", ts.capture_path(ts.transcript_pcap("message_headers")), "-V", "-Y",
                         "frame.number == 22"] + ["-2"] * passes["two_pass"]).stdout
        assert ("[Not a recipient: team@example.org (named in Cc, but no accepted RCPT TO: not delivered there by "
                "this transaction)]") in out


def test_rejected_recipient_not_in_summary(passes):
    got = fields("message_headers", ["smtpx.msg.recipient"], "frame.number == 22", **passes)
    assert got == [["bob@example.org,carol@example.org"]]


def test_command_line_over_512(passes):
    found = ts.experts(ts.transcript_pcap("gssapi_and_long"), passes["two_pass"])
    assert (9, "smtpx.analysis.line_too_long") in found


def test_bdat_problems(passes):
    cap = ts.transcript_pcap("bdat_problems")
    bdat = [f for f, a in ts.experts(cap, passes["two_pass"]) if a == "smtpx.analysis.bdat"]
    assert bdat == [11, 13, 19]
    msgs = [r[0] for r in ts.fields(cap, ["_ws.expert.message"], "smtpx.analysis.bdat", **passes)]
    assert msgs[0] == "BDAT 0 LAST with no chunk before: an empty message"
    assert "BDAT after the LAST chunk of this message: a new message needs a new MAIL" in msgs[1]
    assert "Not a command right after a BDAT chunk: the chunk size does not match the data sent" in msgs[2]


def test_rset_discards_bdat_chunks():
    got = sorted(export_imf(ts.transcript_pcap("bdat_problems")).values())
    assert got == [b"Subj", b"Subject: second\n", b"hello"]    # "first\n" was discarded by RSET
    # the server ended that message (RSET): the capture did not cut it
    assert "smtpx.analysis.message_incomplete" not in [a for _, a in ts.experts(ts.transcript_pcap("bdat_problems"), True)]


def test_bdat_headers_read_from_reassembled_message(passes):
    """BDAT chunks are not split into lines: the headers (cut between two chunks)
    are read from the reassembled message, so the summary has From and Subject
    and the forged From is found. The next transaction, pipelined behind the
    LAST chunk, keeps its own envelope."""
    cap = ts.transcript_pcap("bdat_headers")
    assert ts.experts(cap, passes["two_pass"]) == [(13, "smtpx.analysis.spoofed_from")]
    got = ts.fields(cap, ["frame.number", "smtpx.msg.sender", "smtpx.msg.recipient", "smtpx.msg.from",
                          "smtpx.msg.subject", "smtpx.msg.lines"], "smtpx.msg", **passes)
    assert got == [["13", "mallory@attacker.example", "bob@example.org", "ceo@bank.example", "urgent transfer", "6"],
                   ["17", "alice@example.org", "carol@example.org", "alice@example.org", "second", "4"]]
    # without reassembly a BDAT message has no headers read; its lines are counted chunk by chunk
    got = ts.fields(cap, ["frame.number", "smtpx.msg.from", "smtpx.msg.lines", "smtpx.msg.size"], "smtpx.msg",
                    extra=["-o", "smtpx.reassemble:FALSE"], **passes)
    assert got == [["13", "", "6", "132"], ["17", "alice@example.org", "4", "53"]]


def test_capture_ending_inside_bdat(passes):
    cap = ts.transcript_pcap("bdat_cut")
    cut = [(14, "smtpx.analysis.message_incomplete")] if passes["two_pass"] else []    # known after the last frame
    assert ts.experts(cap, passes["two_pass"]) == cut
    if passes["two_pass"]:
        got = ts.fields(cap, ["_ws.expert.message"], "smtpx.analysis.message_incomplete", **passes)
        assert got == [["No complete LAST chunk follows (the message began with its first BDAT in frame 11): a "
                        "server delivers no message that does not end, unless the capture merely stops first"]]
    assert ts.frames_matching(cap, "smtpx.msg") == []


def test_bdat_chunks_checked_as_message_lines(passes):
    """A chunk's bytes get the checks of DATA lines, across chunk ends: a CRLF
    split between two chunks is no bare CR or LF (frame 13), a line cut between
    chunks is measured whole (frame 15). BODY=BINARYMIME allows any bytes
    (frames 21-22); with DATA it is a protocol error (frame 28)."""
    cap = ts.transcript_pcap("bdat_content")
    assert ts.experts(cap, passes["two_pass"]) == [
        (15, "smtpx.analysis.eight_bit"), (15, "smtpx.analysis.line_too_long"), (15, "smtpx.analysis.bare_lf"),
        (28, "smtpx.analysis.bad_sequence"), (29, "smtpx.analysis.error_reply")]
    msgs = ts.fields(cap, ["_ws.expert.message"], "frame.number == 15 || frame.number == 28", **passes)
    assert msgs == [["8-bit byte 0xc3 in a message sent without BODY=8BITMIME,"
                     "Message line of 1207 bytes: RFC 5321 allows 1000 including CRLF,"
                     "Bare LF inside the message: RFC 5321 allows CR and LF only together as CRLF"],
                    ["DATA after MAIL with BODY=BINARYMIME: a binary message must be sent with BDAT (RFC 3030); "
                     "the server answers 503"]]


def test_bdat_chunks_shown_as_lines(passes):
    cap = ts.transcript_pcap("bdat_content")
    got = ts.rows(cap, ["smtpx.data.line", "smtpx.bdat.chunk"], "smtpx.bdat.chunk", **passes)
    assert [(r[0], r[1]) for r in got] == [
        (11, ["From: <a@example.com>", "Subject: x\\r"]), (13, ["", "", "body " + "x" * 600]),
        (15, ["y" * 600, "caf\u00e9 bare"]), (21, ["From: <a@example"]), (22, [".com>", "", "\\000\ufffd", "\\r bin"])]
    assert [len(r[2][0]) // 2 for r in got] == [34, 608, 613, 16, 17]     # the field's value: the chunk's bytes
    # lines counted chunk by chunk, also the last one without a line end, with or without reassembly
    for extra in ([], ["-o", "smtpx.reassemble:FALSE"]):
        assert ts.fields(cap, ["frame.number", "smtpx.msg.lines"], "smtpx.msg", extra=extra, **passes) == [
            ["15", "5"], ["22", "4"]]


@pytest.mark.parametrize("two_pass", [False, True], ids=["1pass", "2pass"])
def test_bdat_chunk_labels_and_notes(two_pass):
    """The tree says where a line is cut, and the notes explain chunks and
    the reply to the LAST chunk (the server's answer to the whole message)."""
    out = ts.tshark(["-r", ts.capture_path(ts.transcript_pcap("bdat_content")), *["-2"] * two_pass, "-V",
                     "-O", "smtpx", "-Y", "smtpx.bdat.chunk"]).stdout
    labels = [ln.strip() for ln in out.splitlines() if ln.strip().startswith(("Chunk data:", "Line:"))]
    assert [ln for ln in labels if "[" in ln and not ln.startswith("[truncated]")] == [
        "Line: Subject: x\\r [continues in the next chunk]",
        "Line:  [rest of a cut line]",
        "Line: caf\u00e9 bare [ends with a bare LF]",
        "Line: From: <a@example [continues in the next segment]",
        "Line: .com> [rest of a cut line]",
        "Line: \\000\ufffd [ends with a bare LF]",
        "Line: \\r bin [the message ends without a line end]"]
    assert [ln for ln in labels if ln.startswith("Chunk data:")] == [
        "Chunk data: 34 bytes", "Chunk data: 608 bytes", "Chunk data: 613 bytes", "Chunk data: 16 bytes",
        "Chunk data: 17 bytes"]
    notes = dict((int(f), n) for f, n in ts.fields(ts.transcript_pcap("bdat_content"), ["frame.number", "smtpx.note"],
                                                     "frame.number in {11,12,16,23}", two_pass=two_pass))
    assert notes[11].endswith(",Bytes of the message, exactly as many as BDAT announced: unlike DATA, "
                              "no dot-stuffing and no \".\" line at the end")
    assert notes[12] == "250: the server received the chunk; the client sends the next one, the last with LAST"
    assert notes[16] == notes[23] == "250: the server accepted the message; it is now responsible for delivering it"


# ---- files in a message ----

PDF = b"%PDF-1.4\n% smtpx attachment test\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"This program cannot be run in DOS mode.\r\n" * 3
NOTES = "Café au lait, soft broken.".encode()
EMPTY_ZIP = b"PK\x05\x06" + bytes(18)
LOCKED_ZIP = b"PK\x03\x04\x14\x00\x01\x00\x08\x00" + bytes(20)
MACRO = b"PK\x03\x04 macro sheet"
ATTACHMENT_NOTE = ("An attachment travels inside the message text as a MIME part (RFC 2045, 2046): a file is sent in "
                   "base64, four characters for every three bytes, so it grows by a third on the way")


def digests(*files):
    import hashlib
    return (",".join(hashlib.sha256(f).hexdigest() for f in files), ",".join(hashlib.md5(f).hexdigest() for f in files))


def test_attachments(passes):
    """The files of each message, read in the reassembled message: names
    (RFC 2231 and RFC 2047 forms decoded, a bidirectional control written
    out), declared types, decoded sizes and hashes (base64 and
    quoted-printable decoded), what the first bytes say (a program, an
    encrypted ZIP archive); a nested
    multipart/alternative's text parts are not files, nor is a plain text
    message; a message whose whole body is a file has one."""
    got = fields("attachments", ["frame.number", "smtpx.msg.attachment", "smtpx.msg.attachment.type",
                                 "smtpx.msg.attachment.encoding", "smtpx.msg.attachment.size",
                                 "smtpx.msg.attachment.sha256", "smtpx.msg.attachment.md5",
                                 "smtpx.msg.attachment.content"], "smtpx.msg", **passes)
    hello = b"hello"
    assert got == [
        ["13", "invoice.pdf,invoice.pdf.exe,notes.txt,invoice_<U+202E>fdp.scr",
         "application/pdf,application/octet-stream,text/plain,application/octet-stream",
         "base64,base64,quoted-printable,base64", f"{len(PDF)},{len(EXE)},{len(NOTES)},5",
         *digests(PDF, EXE, NOTES, hello), "a Windows program (MZ)"],
        ["19", "logo.png,docs.iso,(no name),report.zip",
         "image/png,application/octet-stream,application/zip,application/zip", "base64,base64,base64,base64",
         f"{len(EXE)},5,22,30", *digests(EXE, b"CD001", EMPTY_ZIP, LOCKED_ZIP),
         "a Windows program (MZ),an encrypted ZIP archive"],
        ["27", "budget.xlsm", "application/vnd.ms-excel.sheet.macroenabled.12", "base64", "16",
         *digests(MACRO), ""],
        ["35", "", "", "", "", "", "", ""]]


def test_attachment_tree(passes):
    """Each file is its own subtree; its label gives type, encoding and size
    (hidden fields), the first one has a teaching note."""
    pkts = ts.json(ts.transcript_pcap("attachments"), "frame.number == 19", **passes)
    files = found(pkts[0]["_source"]["layers"]["smtpx"], "smtpx.msg.attachment_tree")[0]
    sha, md5 = digests(EXE)
    assert files[0] == {"smtpx.note": ATTACHMENT_NOTE, "smtpx.note.phase": "mail transaction: message transfer",
                        "smtpx.msg.attachment.type": "image/png", "smtpx.msg.attachment.encoding": "base64",
                        "smtpx.msg.attachment.size": str(len(EXE)), "smtpx.msg.attachment.sha256": sha,
                        "smtpx.msg.attachment.md5": md5, "smtpx.msg.attachment.content": "a Windows program (MZ)"}
    assert "smtpx.note" not in files[1]


@pytest.mark.parametrize("two_pass", [False, True], ids=["1pass", "2pass"])
def test_attachment_printed(two_pass):
    out = ts.tshark(["-r", ts.capture_path(ts.transcript_pcap("attachments")), *["-2"] * two_pass, "-V",
                     "-Y", "frame.number == 13"]).stdout
    shown = [line.strip() for line in out.splitlines() if "Attachment: " in line and "Expert" not in line]
    assert shown == [f"[Attachment: invoice.pdf (application/pdf, base64, {len(PDF)} bytes)]",
                     f"[Attachment: invoice.pdf.exe (application/octet-stream, base64, {len(EXE)} bytes)]",
                     f"[Attachment: notes.txt (text/plain, quoted-printable, {len(NOTES)} bytes)]",
                     "[Attachment: invoice_<U+202E>fdp.scr (application/octet-stream, base64, 5 bytes)]"]
    assert "Transfer encoding:" not in out and "Size:" not in out


def test_attachment_filters(passes):
    cap = ts.transcript_pcap("attachments")
    sha = digests(EXE)[0]
    assert ts.frames_matching(cap, f'smtpx.msg.attachment.sha256 == "{sha}"', **passes) == [13, 19]
    assert ts.frames_matching(cap, 'smtpx.msg.attachment matches "\\\\.(exe|scr)$"', **passes) == [13]
    assert ts.fields(cap, ["frame.number"], "smtpx.msg.attachment", extra=["-o", "smtpx.reassemble:FALSE"]) == []


@pytest.mark.parametrize("two_pass", [False, True], ids=["1pass", "2pass"])
def test_attachments_exported(two_pass):
    """File > Export Objects > SMTPX (tshark --export-objects smtpx,DIR):
    every file decoded, under its name (a bidirectional control written out,
    escaped by Wireshark as it saves), or attachment-<frame>-<n> without one."""
    got = dict(ts.export_objects(ts.transcript_pcap("attachments"), "smtpx", two_pass))
    assert got == {"invoice.pdf": PDF, "invoice.pdf.exe": EXE, "notes.txt": NOTES,
                   "invoice_%3cU+202E%3efdp.scr": b"hello", "logo.png": EXE, "docs.iso": b"CD001",
                   "attachment-19-3": EMPTY_ZIP, "report.zip": LOCKED_ZIP, "budget.xlsm": MACRO}


def test_urls(passes):
    """Every http(s) URL of the text parts, decoded (quoted-printable soft
    breaks and =3D, base64), each once, trailing punctuation left out; not
    mailto links, nor host names without a scheme. The base64 one is the
    URL Suricata's test smtp-url-base64 expects."""
    got = fields("links", ["frame.number", "smtpx.msg.url"], "smtpx.msg", **passes)
    assert got == [["13", "https://www.bank.example/verify,http://evil.example/login,http://evil.example/login?id=42,"
                          "http://203.0.113.9/x,https://www.bank.example/login,https://www.bank.example/help,"
                          "http://news.example/x"],
                   ["21", "http://codashop-free01.duckdns.org/"], ["29", ""]]
    assert ts.fields(ts.transcript_pcap("links"), ["frame.number"], "smtpx.msg.url",
                     extra=["-o", "smtpx.reassemble:FALSE"]) == []


def test_bdat_syntax_error_reads_no_chunk(passes):
    """BDAT with anything but a size and LAST is refused and no chunk is
    read (RFC 3030 2): the MAIL pipelined behind "BDAT 5 X" is a command,
    the transaction is logged once (it was cut in two: a 5-byte chunk
    "MAIL ", then "FROM:<...>" an unknown command)."""
    cap = ts.transcript_pcap("bdat_syntax")
    got = ts.fields(cap, ["frame.number", "smtpx.req.command", "smtpx.envelope.sender"], "smtpx.req", **passes)
    assert got[1:3] == [["7", "BDAT,MAIL,RCPT", "alice@example.com"], ["9", "BDAT", ""]]
    assert [e for e in ts.experts(cap, passes["two_pass"]) if e[1] == "smtpx.analysis.bdat"] == [
        (7, "smtpx.analysis.bdat"), (11, "smtpx.analysis.bdat")]
    assert ts.fields(cap, ["_ws.expert.message"], "frame.number == 11 && smtpx.analysis.bdat", **passes)[0][0] \
        .endswith("Not BDAT <size> [LAST] (RFC 3030), or a size of over 19 digits: the server refuses it and reads no chunk")
    keys = ["frame", "mail_from", "rcpt_to", "reply", "queue_id"]
    assert [[r[k] for k in keys] for r in ts.transactions(cap, passes["two_pass"])] == [
        ["10", "alice@example.com", "bob@example.org", "250", "Q1"]]


def test_bdat_refusals_end_one_transaction(passes):
    """A refused chunk ends its transaction once (the 503 to the chunk after
    it is no second row); DATA inside a message sent with BDAT is a
    bad_sequence and ends nothing; a chunked message given up by QUIT is no
    message the capture lacks (each once gave a row or a finding)."""
    cap = ts.transcript_pcap("bdat_refusals")
    keys = ["frame", "reply", "queue_id"]
    assert [[r[k] for k in keys] for r in ts.transactions(cap, passes["two_pass"])] == [
        ["14", "552", "-"], ["22", "-", "-"], ["32", "250", "Q5"], ["40", "-", "-"]]   # (22, 40: given up)
    found = [e for e in ts.experts(cap, passes["two_pass"]) if e[1] in (
        "smtpx.analysis.bad_sequence", "smtpx.analysis.message_incomplete")]
    assert found == [(7, "smtpx.analysis.bad_sequence"), (29, "smtpx.analysis.bad_sequence")]
    assert ts.fields(cap, ["_ws.col.Info"], "frame.number == 13", **passes) == [[
        "C: BDAT 25 | C: BDAT chunk data, 25 bytes (0 to come) | C: BDAT 7 LAST | C: BDAT chunk data, 7 bytes (0 to come)"]]


def test_bdat_bare_cr_at_a_chunk_end(passes):
    """A CR at the end of a chunk that the next chunk does not follow with
    LF is bare, and so is a CR that ends the message (neither was seen)."""
    cap = ts.transcript_pcap("bdat_bare_cr")
    got = ts.fields(cap, ["frame.number", "_ws.expert.message"], "smtpx.analysis.bare_lf", **passes)
    assert got == [[f, "Bare CR inside the message: RFC 5321 allows CR and LF only together as CRLF"]
                   for f in ("13", "19")]


def test_bdat_refused_while_the_last_chunk_comes(passes):
    """A refusal that comes while the LAST chunk is still sent: the rest of
    the chunk is data, but no message ends (it once got a summary "from ?"
    and a second log row of another size)."""
    cap = ts.transcript_pcap("bdat_refused_midchunk")
    assert ts.fields(cap, ["frame.number", "_ws.col.Info"], "frame.number == 14", **passes) == [
        ["14", "C: BDAT chunk data, 15 bytes (0 to come)"]]
    assert ts.frames_matching(cap, "smtpx.msg", **passes) == []
    keys = ["frame", "mail_from", "size", "reply"]
    assert [[r[k] for k in keys] for r in ts.transactions(cap, passes["two_pass"])] == [
        ["13", "a@example.com", "69", "552"]]


def test_bdat_chunk_with_bytes_the_capture_lacks(passes):
    """The bytes a stream gap takes from a chunk count against its size (the
    next MAIL was once eaten as chunk data), and the message says how many
    bytes it lacks."""
    cap = ts.transcript_pcap("bdat_gap")
    got = ts.fields(cap, ["frame.number", "_ws.col.Info", "smtpx.msg.missing"], "frame.number == 12", **passes)
    assert got == [["12", "[TCP Previous segment not captured] C: BDAT chunk data, 20 bytes (0 to come)", "24"]]
    assert ts.fields(cap, ["frame.number", "smtpx.response_to"], "smtpx.rsp.code && frame.number > 12",
                     **passes)[:2] == [["13", "11"], ["15", "14"]]
    assert ts.frames_matching(cap, "smtpx.analysis.unknown_command || smtpx.analysis.bdat", **passes) == []


def test_header_block_with_a_hole(passes):
    """Bytes missing inside the header block (DATA, BDAT): the headers are
    read as far as the hole, so no Subject is stitched from body text and
    no recipient is called a blind copy for want of the lost To; the log
    names the bytes the message lacks."""
    keys = ["header_from", "to", "bcc", "subject", "size", "missing", "reply", "queue_id"]
    rows = ts.transactions(ts.transcript_pcap("header_gap"), passes["two_pass"])
    assert [[r[k] for k in keys] for r in rows] == [["a@example.com", "-", "-", "-", "63", "37", "250", "G2"]]
    assert ts.fields(ts.transcript_pcap("header_gap"), ["smtpx.msg.recipient", "smtpx.msg.bcc"], "smtpx.msg",
                     **passes) == [["b@example.org", ""]]
    rows = ts.transactions(ts.transcript_pcap("bdat_gap"), passes["two_pass"])
    assert [[r[k] for k in keys] for r in rows][0] == ["-", "-", "-", "-", "30", "24", "250", "Q1"]
