# SPDX-License-Identifier: GPL-2.0-or-later
"""Issue 6: the expert items a teacher, mail admin or analyst must see."""

import smtpx_tshark as ts


def found(name, passes, kind=None):
    got = ts.experts(ts.transcript_pcap(name), passes["two_pass"])
    return [f for f, a in got if a == kind] if kind else got


def messages(name, display_filter, **passes):
    return [r[0] for r in ts.fields(ts.transcript_pcap(name), ["_ws.expert.message"], display_filter, **passes)]


def in_captures(names, display_filter, **passes):
    """The real captures of tests/captures/NAME.pcapng with a packet matching DISPLAY_FILTER."""
    return [n for n in names
            if ts.frames_matching(ts.REPO / "tests" / "captures" / f"{n}.pcapng", display_filter, **passes)]


# ---- the classroom labs ----

def test_lab_ilon_mask(passes):
    got = found("lab5_ilon_mask", passes)
    assert (153, "smtpx.analysis.spoofed_from") in got
    assert (51, "smtpx.analysis.missing_brackets") in got and (87, "smtpx.analysis.missing_brackets") in got
    # EHLO with the server's own address, unbracketed
    assert [e for e in got if e[0] == 24] == [(24, "smtpx.analysis.missing_brackets"),
                                              (24, "smtpx.analysis.forged_helo")]
    assert messages("lab5_ilon_mask", "frame.number == 24", **passes) == [
        '"194.87.96.192" is an address, not a name: RFC 5321 wants an address written as a literal, '
        '[194.87.96.192],EHLO 194.87.96.192 gives the server\'s own address as the client\'s identity, but the '
        'client connects from 192.168.1.172: nobody verifies the HELO name, and claiming another host\'s '
        'identity is a spam and phishing trick']
    assert (88, "smtpx.analysis.open_relay") in got
    msg = messages("lab5_ilon_mask", "smtpx.analysis.spoofed_from", **passes)
    assert msg == ['Header From <mask@tesla.com> cannot be checked against the envelope sender "194.87.96.192", '
                   'which is not an address: the sender is not authenticated']


def test_body_without_blank_line(passes):
    """Body text where a header or the empty line after the headers should
    be: the header block ends there, so a Subject: typed after it is body
    (the message summary has none); a folded header and a colon in the body
    are fine."""
    assert found("missing_blank_line", passes) == [(9, "smtpx.analysis.missing_blank_line"),
                                                   (9, "smtpx.analysis.missing_from"),
                                                   (13, "smtpx.analysis.missing_blank_line")]
    assert messages("missing_blank_line", "smtpx.analysis.missing_blank_line", **passes) == [
        '"Hello who are you?" is not a header field (Name: value): the message has no header at all, its body '
        'begins here (RFC 5322: the headers, an empty line, then the body),The message has no From header '
        '(RFC 5322 requires one)',
        '"Hello Bob," is not a header field (Name: value), and no empty line came before it: the header block '
        'ends here and the body begins (RFC 5322), so a header typed after it (Subject:...) is only text of the '
        'body']
    assert ts.fields(ts.transcript_pcap("missing_blank_line"), ["frame.number", "smtpx.msg.subject"], "smtpx.msg",
                     **passes) == [["9", ""], ["13", ""], ["17", "fine, folded"]]


def test_lab_postfix_helo_with_email(passes):
    assert found("lab_postfix_auth_login", passes, "smtpx.analysis.missing_brackets") == [5]
    # no empty line before the body: "Hellom" ends the headers (the To: line was wrapped on screen only)
    assert found("lab_postfix_auth_login", passes, "smtpx.analysis.missing_blank_line") == [25]
    msg = messages("lab_postfix_auth_login", "smtpx.analysis.missing_brackets", **passes)
    assert msg == ['"raphael.cardoso@students.hevs.ch" is not a domain name or an address literal such as '
                   '[192.0.2.1]: HELO/EHLO names the client host, not an email address']
    # HELO, not EHLO: AUTH was never advertised, and the message says why
    assert "the session began with HELO" in messages("lab_postfix_auth_login", "smtpx.analysis.unadvertised",
                                                     **passes)[0]


def test_unknown_command_suggests_the_verb_meant(passes):
    got = ts.fields(ts.transcript_pcap("command_typos"), ["frame.number", "_ws.expert.message"],
                    "smtpx.analysis.unknown_command", **passes)
    tail = "; a server answers 500 or 502"
    assert got == [["5", 'Unknown command "HELLO"' + tail + " (did you mean HELO?)"],
                   ["7", 'Unknown command "HLO"' + tail + " (did you mean HELO or EHLO?)"],
                   ["13", 'Unknown command "RCTP"' + tail + " (did you mean RCPT?)"],
                   ["15", 'Unknown command "VERFY"' + tail + " (did you mean VRFY?)"],
                   ["17", 'Unknown command "SMOL"' + tail + " (did you mean SOML?)"],
                   ["19", 'Unknown command "QUEUE"' + tail],
                   ["21", 'Unknown command "STARTLS"' + tail + " (did you mean STARTTLS?)"],
                   ["23", 'Unknown command "MAILFROM:<A@EXAMPLE.COM>"' + tail +
                    " (did you mean MAIL FROM:, with a space after the verb?)"],
                   ["25", 'Unknown command "VERIFY"' + tail + " (did you mean VRFY?)"],
                   ["27", 'Unknown command "EXIT"' + tail + " (did you mean QUIT?)"],
                   ["29", 'Unknown command "LOGIN"' + tail + " (did you mean AUTH?)"]]
    # the 502 to a typo: the server does not offer it, whatever the RFC keeps 502 for
    note = ts.fields(ts.transcript_pcap("command_typos"), ["smtpx.note"], "frame.number == 6", **passes)[0][0]
    assert note.startswith("502: the server does not offer this command (RFC 5321 keeps 502 for a known one and "
                           "500 for an unknown one")
    # a HELO with no name: no quotes around nothing
    assert messages("command_typos", "smtpx.analysis.missing_brackets", **passes) == [
        "HELO names no host: RFC 5321 (4.1.1.1) wants the client's domain name or an address literal such as "
        "[192.0.2.1]"]


# ---- sender authenticity ----

def test_forged_helo(passes):
    """HELO/EHLO that gives the server's own name (in any case) or address,
    or a public address that is not the client's; not the client's own
    address, a private one (a NAT may hide it), one of the other family, or
    a name."""
    assert found("forged_helo", passes) == [(5, "smtpx.analysis.forged_helo"), (7, "smtpx.analysis.forged_helo"),
                                            (9, "smtpx.analysis.forged_helo")]
    tail = (" as the client's identity, but the client connects from 203.0.113.9: nobody verifies the HELO name, "
            "and claiming another host's identity is a spam and phishing trick")
    assert messages("forged_helo", "smtpx.analysis.forged_helo", **passes) == [
        "EHLO MX.example.org gives the server's own name" + tail,
        "EHLO [198.51.100.25] gives the server's own address" + tail,
        "HELO [192.0.2.77] gives another host's address" + tail]


def test_forged_helo_behind_nat(passes):
    """Captured inside a NAT (the client has a private address), a public
    address in EHLO may be the NAT's: only the server's own address is
    forged."""
    assert found("forged_helo_nat", passes) == [(7, "smtpx.analysis.missing_brackets"),
                                                (7, "smtpx.analysis.forged_helo")]


def test_forged_helo_not_on_one_host(passes):
    """Client and server on one host (a loopback capture) share its name."""
    assert ts.fields(ts.transcript_pcap("forged_helo_loopback"), ["smtpx.session.client_name"],
                     "smtpx.req.command == \"EHLO\"", **passes) == [["mx.example.org"]]
    assert found("forged_helo_loopback", passes) == []


def test_cleartext_mail(passes):
    """The server offered STARTTLS, the client sends mail without it: once
    per session (two transactions in the first), also when its STARTTLS was
    refused (454); not when no STARTTLS was offered, nor after STARTTLS."""
    got = found("cleartext_mail", passes)
    assert [e for e in got if e[1] == "smtpx.analysis.cleartext_mail"] == [
        (7, "smtpx.analysis.cleartext_mail"), (28, "smtpx.analysis.cleartext_mail")]
    assert messages("cleartext_mail", "frame.number == 7", **passes) == [
        "The server offered STARTTLS, but the client sends its mail without TLS: anyone on the path can read the "
        "message and its addresses"]
    assert found("starttls", passes) == []


def test_spoofing_cases(passes):
    got = found("spoofing", passes)
    kinds = {f: sorted(a for g, a in got if g == f) for f, _ in got}
    assert 13 not in kinds                                   # mail.example.co.uk aligns with example.co.uk
    assert kinds[21] == ["smtpx.analysis.spoofed_from"]      # foo.co.uk vs bar.co.uk
    assert kinds[29] == ["smtpx.analysis.display_name_spoof"]
    assert kinds[37] == ["smtpx.analysis.multiple_from", "smtpx.analysis.reply_to_mismatch",
                         "smtpx.analysis.spoofed_from"]
    assert kinds[45] == ["smtpx.analysis.missing_from"]
    assert 53 not in kinds                                   # a bounce (<>) is not compared
    msg = messages("spoofing", "frame.number == 21 && smtpx.analysis", **passes)
    assert msg == ["Header From <y@bar.co.uk> (domain bar.co.uk) is not aligned with the envelope sender "
                   "<x@foo.co.uk> (domain foo.co.uk)"]


def test_duplicate_headers(passes):
    """A header RFC 5322 allows once, written twice (any case; a folded
    line is no second one): one finding per header, in DATA and BDAT
    messages; not for a well-formed message, nor for the labs and
    captures of real servers."""
    kind = "smtpx.analysis.duplicate_header"
    assert found("duplicate_headers", passes) == [(13, kind), (13, kind), (19, kind)]   # none in frame 27
    tail = " headers: RFC 5322 allows one, and a filter and a mail program may each read a different one"
    assert messages("duplicate_headers", kind, **passes) == [
        "The message has 2 Subject" + tail + ",The message has 2 Message-ID" + tail, "The message has 2 To" + tail]
    # both copies are fields, so a filter finds the second one too
    got = ts.fields(ts.transcript_pcap("duplicate_headers"), ["frame.number", "smtpx.header.subject",
                                                               "smtpx.header.to"], "smtpx.header", **passes)
    assert got[:2] == [["13", "Monthly newsletter,You won a prize", "bob@example.org"],
                       ["19", "Hi", "bob@example.org,carol@example.org"]]
    for other in ("spoofing", "lab5_ilon_mask", "bdat_content", "mime_malformed"):
        assert found(other, passes, kind) == [], other


DATED = ["postfix_swaks_basic", "postfix_relay", "postfix_lmtp_dovecot", "aiosmtpd_auth"]    # real Date headers


def test_bad_dates(passes):
    """A Date header that is no RFC 5322 date-time, whose day of the week
    is not the date's, or whose day does not exist: one finding each. Not a
    date with a comment, folded, or in the obsolete form (two-digit year,
    GMT); nor the dates of the labs and real servers' captures."""
    kind = "smtpx.analysis.bad_date"
    assert found("dates", passes, kind) == [21, 29, 37]
    assert messages("dates", kind, **passes) == [
        'Date header "today" is not written as RFC 5322 wants (Mon, 7 Dec 2026 10:00:00 +0100): mail programs may '
        'sort or show it wrongly',
        'Date header "Sun, 13 Feb 2021 10:00:00 +0000" says Sunday, but that date is a Saturday: RFC 5322 wants the '
        'day the date falls on (a date typed by hand or made up)',
        'Date header "31 Feb 2021 10:00:00 +0000" names a day, time or time zone that does not exist']
    for other in ("spoofing", "lab5_ilon_mask", "message_headers", "duplicate_headers"):
        assert found(other, passes, kind) == [], other
    assert in_captures(DATED, kind, **passes) == []


def test_date_far_from_the_capture(passes):
    """A real date more than a week before the capture (the lab's example
    of 2008, copied) or more than a day after it: named with the capture's
    day. Not the dates near it (the lab's example, captured in 2008), nor
    those of real servers' captures."""
    kind = "smtpx.analysis.date_far_off"
    assert found("dates", passes, kind) == [61, 69]
    tail = ": a date copied or made up, or a clock gone wrong; mail programs sort the message by it"
    assert messages("dates", kind, **passes) == [
        'Date header "Tue, 15 Jan 2008 16:02:43 -0500" is 4777.6 days before this capture (2021-02-13)' + tail,
        'Date header "Mon, 15 Feb 2021 12:00:00 -0500" is 2.2 days after this capture (2021-02-13)' + tail]
    for other in ("message_headers", "duplicate_headers"):     # dated on the capture's day
        assert found(other, passes, kind) == [], other
    # the Date as a time (UTC), for filters; none for "today" nor 31 Feb
    cap = ts.transcript_pcap("dates")
    assert ts.fields(cap, ["frame.number", "smtpx.header.date.time"], "smtpx.header.date.time", **passes) == [
        ["13", "Feb 13, 2021 09:00:00.000000000 UTC"], ["29", "Feb 13, 2021 10:00:00.000000000 UTC"],
        ["45", "Feb 13, 2021 10:00:00.000000000 UTC"], ["53", "Feb 13, 2021 10:00:00.000000000 UTC"],
        ["61", "Jan 15, 2008 21:02:43.000000000 UTC"], ["69", "Feb 15, 2021 17:00:00.000000000 UTC"]]
    assert ts.frames_matching(cap, 'smtpx.header.date.time < "2010-01-01 00:00:00Z"', **passes) == [61]
    assert in_captures(DATED, kind, **passes) == []


def test_trace_out_of_time_order(passes):
    """A Received header dated hours after the one above it (a relay the
    message reached later), or a top one dated hours after the capture: one
    finding per message, naming the hop and its date. Not relays twenty
    minutes apart, nor the traces of other transcripts and real servers'
    captures."""
    kind = "smtpx.analysis.trace_order"
    assert found("trace_forged", passes, kind) == [13, 29]
    assert messages("trace_forged", kind, **passes) == [
        "Received header 2 (Sat, 13 Feb 2021 17:28:00 +0100) is dated 4.5 hours after header 1 above it, which the "
        "message reached later: a trace header written by hand (forged) or a relay's clock gone wrong",
        "Received header 1 (Sat, 13 Feb 2021 20:30:00 +0000) is dated 8.5 hours after this capture of the message "
        "(2021-02-13 12:00 UTC), when no relay can have received it yet: a trace header written by hand (forged) "
        "or a relay's clock gone wrong"]
    for other in ("received_trace", "message_headers", "spoofing"):
        assert found(other, passes, kind) == [], other
    assert in_captures(["postfix_relay", "postfix_lmtp_dovecot"], kind, **passes) == []


def test_trace_top_not_written_by_the_client(passes):
    """The client writes the top Received header when it takes a message,
    naming itself after "by" as in its HELO: a top header naming another
    organisation's host is a finding. Not one naming this server (a message
    back from a content filter), nor the real servers' traces, where the
    names are the same."""
    kind = "smtpx.analysis.trace_top"
    assert found("trace_forged", passes) == [(13, "smtpx.analysis.trace_order"), (29, "smtpx.analysis.trace_order"),
                                             (37, kind)]
    assert messages("trace_forged", kind, **passes) == [
        "The top Received header says mail.bank.example received the message last, but the client calls itself "
        "relay.example.net, of another organisation, and it is the client that writes that header: forged, or the "
        "client relays for another host"]
    for other in ("received_trace", "message_headers", "auth_results", "dkim_checks"):
        assert found(other, passes, kind) == [], other
    assert in_captures(["postfix_relay", "postfix_lmtp_dovecot", "postfix_dkim"], kind, **passes) == []


def test_return_path_on_its_way(passes):
    """A Return-Path header in a message on its way (only the final delivery
    writes one): once per message, naming the envelope's sender when it
    names another. Not a message without one, nor LMTP (the final delivery),
    nor the real captures."""
    kind = "smtpx.analysis.return_path"
    assert found("return_path", passes) == [(13, kind), (21, kind)]
    head = " in a message on its way: only the final delivery writes it (RFC 5321 4.4), from MAIL FROM, so it was " \
           "copied or written by the sender"
    assert messages("return_path", kind, **passes) == [
        "Return-Path header <Alice@example.net>" + head,
        "Return-Path header <security@bank.example>" + head + "; the envelope's sender is <bulk@mailer.example>"]
    for other in ("lmtp", "spoofing", "received_trace"):
        assert found(other, passes, kind) == [], other
    assert in_captures(["postfix_relay", "postfix_lmtp_dovecot"], kind, **passes) == []


def test_capture_without_a_real_clock(passes, tmp_path):
    """A capture stamped in 1970 (made by hand, or by a machine without a
    clock) is no time to measure dates against: no date_far_off, and no
    top Received header after it; the order of the trace is still
    checked."""
    for name in ("dates", "trace_forged"):
        text = "@start 1970-01-01T00:00:00Z\n" + (ts.REPO / "tests" / "transcripts" / f"{name}.txt").read_text()
        got = ts.experts(ts.text_pcap(tmp_path, text, name), passes["two_pass"])
        assert [f for f, a in got if a == "smtpx.analysis.date_far_off"] == [], name
        want = [13] if name == "trace_forged" else []      # the order of the trace is still checked
        assert [f for f, a in got if a == "smtpx.analysis.trace_order"] == want, name


def test_dkim_checks(passes):
    """What of each DKIM signature a capture can check, on messages dkimpy
    signed. The body hash (bh=) against the body without its dot-stuffing,
    relaxed and simple, SHA-256 and SHA-1, DATA and BDAT: a footer added
    after signing does not match; a body l= signs only in part matches, but
    is a finding too. A signature whose h= lacks From, or that expired (x=)
    before the capture, or was made (t=) after it. A forwarder's
    ARC-Message-Signature is checked the same way. The signatures of dkim_signatures match, and one
    whose bh= is no digest (bh=x) gets no verdict."""
    kind = "smtpx.analysis.dkim"
    cap = ts.transcript_pcap("dkim_checks")
    assert ts.fields(cap, ["frame.number", "smtpx.msg.dkim_body", "smtpx.msg.dkim_body.hash"], "smtpx.msg.dkim_body",
                     **passes) == [
        ["13", "1", "J8oxm87F0ffFh03/o711Vf6NU61gsKHpPKo1nBLbzko="],
        ["21", "0", "jQSxDT+m6bPwErKg4HqwVr69p5fxVogL/9dUc0y3O8g="],
        ["29", "1", "JQEqv3WDNh6bm+El2Q24mxO6oQatAkbT4PTerG86Qv0="],
        ["37", "1", "BqPZGcDfI3m+R23XsUFs+iFnc7o="],
        ["43", "1", "ISg5C++bhFrgF6V6GIQiOpCtkeZ3+XFTNsS5nNDbS9A="],
        ["51", "1", "rLG+ylSn5KuLTErUnQeN/p7Dpq8Rb+P+WspJ1qK0KQs="],
        ["59", "1", "Rz5gLptvBEylsq3sTl+WtYzI+XfpSCEtuiHvQUHwUF0="],
        ["67", "1", "ab50Olj6eQoe2NQmB+TZhipxEiQzojJ8Tndn+yosj4M="],
        ["75", "0", "LuCNWXdxpXa+Ustnh4tbWBUaovl6/G5f6JFJULf17Mg="],
        ["83", "1", "+YGvtxjGXDn+tA9dmD9GqAO0Xr8DQrPzGKSi0t439GU="]]
    assert found("dkim_checks", passes) == [(21, kind), (29, kind), (51, kind), (59, kind), (75, kind), (83, kind)]
    assert messages("dkim_checks", kind, **passes) == [
        "The body does not match the DKIM signature of lists.example (s=sel2): it was changed after signing (a "
        "list's footer, a filter's disclaimer), so the signature fails, or it was copied from another message",
        "The DKIM signature of bank.example (s=sel3) signs only the first 26 of the body's 61 bytes (l=): text added "
        "after them still passes DKIM",
        "The DKIM signature of mailer.example (s=sel6) does not sign the From header (h=to : subject): RFC 6376 "
        "requires it, verifiers fail the signature, and anyone may change From",
        "The DKIM signature of shop.example (s=sel7) expired on 2020-09-13 12:26 UTC (x=), before this capture of "
        "the message (2026-12-07 12:00 UTC): verifiers fail it; an old signed message sent again",
        "The body does not match the ARC message signature i=1 of forwarder.example (s=arc): it was changed after "
        "signing (a list's footer, a filter's disclaimer), so the signature fails, or it was copied from another "
        "message",
        "The DKIM signature of shop.example (s=sel10) was made on 2030-03-17 17:46 UTC (t=), 28709.8 hours after "
        "this capture of the message (2026-12-07 12:00 UTC): the signer's clock is wrong, or the signature made up"]
    assert ts.frames_matching(cap, "smtpx.msg.dkim_body == 0", **passes) == [21, 75]
    # a teaching note under the first signature's verdict of each message
    note = ("DKIM: the signer hashed the body (bh=) and signed that hash and some headers with its key; the body "
            "hash needs no key, so it is checked here: a match means the body is as signed")
    assert ts.frames_matching(cap, f'smtpx.note == "{note}"', **passes) == [13, 21, 29, 37, 43, 51, 59, 67, 75, 83]
    sigs = ts.transcript_pcap("dkim_signatures")
    assert ts.fields(sigs, ["frame.number", "smtpx.msg.dkim_body"], "smtpx.msg.dkim_body", **passes) == [
        ["13", "1,1"]]
    assert found("dkim_signatures", passes, kind) == []


def test_arc_chain(passes):
    """The structure of an ARC chain (RFC 8617 5.2), which needs no key, on
    chains dkimpy sealed: two intact sets; a seal saying cv=fail after a
    footer broke the first set's body hash; a set without its results
    header; a first seal with cv=pass; an instance used twice; a results
    header without i=. Each verdict agrees with dkimpy's arc_verify."""
    kind = "smtpx.analysis.dkim"
    cap = ts.transcript_pcap("arc_chain")
    assert ts.fields(cap, ["frame.number", "smtpx.msg.arc", "smtpx.msg.arc.sets", "smtpx.msg.dkim_body"],
                     "smtpx.msg.arc", **passes) == [
        ["13", "intact", "2", "1,1"], ["21", "failed", "2", "1,0"], ["29", "broken", "2", "1,1"],
        ["37", "broken", "1", "1"], ["45", "broken", "1", "1,1"], ["53", "broken", "1", "1"]]
    assert found("arc_chain", passes) == [(21, kind), (21, kind), (29, kind), (37, kind), (45, kind), (53, kind)]
    broken = "the chain is broken, verifiers fail it"
    assert messages("arc_chain", kind, **passes) == [
        "The body does not match the ARC message signature i=1 of lists.example (s=arc): it was changed after "
        "signing (a list's footer, a filter's disclaimer), so the signature fails, or it was copied from another "
        "message,The ARC-Seal i=2 says cv=fail: the forwarder that added set 2 found the chain it received broken, "
        "so the chain fails",
        "Set i=2 of 2 in the ARC chain has no ARC-Authentication-Results header (each forwarder adds one seal, one "
        "signature, one results): " + broken,
        "The ARC-Seal i=1 has cv=pass where the chain needs cv=none (no chain comes before the first set): " + broken,
        "Set i=1 of 1 in the ARC chain has more than one ARC-Seal header (each forwarder adds one seal, one "
        "signature, one results): " + broken,
        "An ARC-Authentication-Results header has no instance i= from 1 to 50: " + broken]
    note = ("ARC: each forwarder adds a set numbered i= (seal, signature, the checks it saw); seal 1 has cv=none, "
            "later seals cv=pass; a missing set or cv=fail breaks the chain")
    assert ts.frames_matching(cap, f'smtpx.note == "{note}"', **passes) == [13, 21, 29, 37, 45, 53]
    assert found("dkim_signatures", passes, kind) == [] and ts.frames_matching(
        ts.transcript_pcap("dkim_signatures"), "smtpx.msg.arc", **passes) == []
    # each set's results header, with its instance (none for the one without i=)
    assert ts.fields(cap, ["frame.number", "smtpx.header.arc_auth_results.instance"],
                     "smtpx.header.arc_auth_results", **passes) == [
        ["13", "2,1"], ["21", "2,1"], ["29", "1"], ["37", "1"], ["45", "1,1"], ["53", ""]]


def test_arc_authentication_results(passes):
    """ARC-Authentication-Results is read like Authentication-Results, with
    its instance, and the first forwarder's has a teaching note. When a
    receiving server says the sender failed a check that ARC set i=1 says
    it passed (a list's subject tag and footer broke DKIM and DMARC; a
    forwarder's host fails SPF), the finding says forwarding may explain
    it; a failure only an ARC set reports is a finding like any other."""
    cap = ts.transcript_pcap("arc_results")
    assert ts.fields(cap, ["frame.number", "smtpx.header.arc_auth_results.instance",
                           "smtpx.header.auth_results.server", "smtpx.header.auth_results.result"],
                     "smtpx.header.arc_auth_results", **passes) == [
        ["13", "1", "mx.example.org,lists.example,lists.example",
         "spf=pass,dkim=fail,dmarc=fail,arc=pass,spf=pass,dkim=pass,dmarc=pass,spf=pass,dkim=pass,dmarc=pass"],
        ["21", "1", "lists.example", "spf=pass,dmarc=fail"],
        ["29", "1", "mx.example.org,fwd.example,fwd.example",
         "spf=fail,dkim=pass,dmarc=pass,arc=pass,spf=pass,dkim=pass,spf=pass,dkim=pass"]]
    kind = "smtpx.analysis.sender_check_failed"
    assert found("arc_results", passes, kind) == [13, 21, 29]
    forwarding = "pass: forwarding may explain it, if its ARC seal verifies"
    assert messages("arc_results", kind, **passes) == [
        "Authentication-Results of mx.example.org says dkim=fail, dmarc=fail (header.from=origin.example), but "
        "ARC-Authentication-Results i=1 of lists.example says dmarc=" + forwarding + ",Header From "
        "<alice@origin.example> (domain origin.example) is not aligned with the envelope sender "
        "<team-bounces@lists.example> (domain lists.example); a DKIM signature of d=origin.example would align it "
        "if valid (not verified),The body does not match the DKIM signature of origin.example (s=sel): it was "
        "changed after signing (a list's footer, a filter's disclaimer), so the signature fails, or it was copied "
        "from another message",
        "ARC-Authentication-Results i=1 of lists.example says dmarc=fail (header.from=bank.example): the From "
        "domain is not authenticated, so From may be forged. Trust it where your own server wrote it (a sender "
        "can add one),Header From <security@bank.example> (domain bank.example) is not aligned with the envelope "
        "sender <team-bounces@lists.example> (domain lists.example)",
        "Authentication-Results of mx.example.org says spf=fail (smtp.mailfrom=alice@origin.example), but "
        "ARC-Authentication-Results i=1 of fwd.example says spf=" + forwarding]
    note = ("ARC-Authentication-Results i=1: what the first forwarder (a mailing list) found of the sender before "
            "changing the message; a server trusting it may accept what now fails DMARC")
    assert ts.frames_matching(cap, f'smtpx.note == "{note}"', **passes) == [13, 21, 29]
    out = ts.tshark(["-r", ts.capture_path(cap), *["-2"] * passes["two_pass"], "-V", "-Y", "frame.number == 13"]).stdout
    assert "[ARC-Authentication-Results i=1 of lists.example: spf=pass, dkim=pass, dmarc=pass]" in out


def test_dkim_signature_named_in_spoofed_from(passes):
    """A From not aligned with the envelope is still reported when a DKIM
    signature is of the From domain (signatures are not verified, and a
    forger can add one), but the finding names it: a mailing service's
    newsletter would pass DMARC with it. A signature of another domain is
    not named."""
    assert found("dkim_signatures", passes) == [(13, "smtpx.analysis.spoofed_from"),
                                                (21, "smtpx.analysis.spoofed_from")]
    assert messages("dkim_signatures", "smtpx.analysis.spoofed_from", **passes) == [
        "Header From <news@brand.example> (domain brand.example) is not aligned with the envelope sender "
        "<bounce-42@mailer.example.net> (domain example.net); a DKIM signature of d=news.brand.example would "
        "align it if valid (not verified)",
        "Header From <ceo@brand.example> (domain brand.example) is not aligned with the envelope sender "
        "<x@evil.example> (domain evil.example)"]


def test_sender_check_failed(passes):
    """A receiving server's verdict that the sender failed SPF, DKIM or
    DMARC (fail, softfail): once per message, for the first header that says
    so, listing its failures and explaining DMARC's first; not for pass or
    none, nor for a message without such headers."""
    kind = "smtpx.analysis.sender_check_failed"
    assert found("auth_results", passes, kind) == [21, 27, 35]
    assert messages("auth_results", kind, **passes) == [
        "Authentication-Results of mx.example.org says spf=softfail, dmarc=fail (header.from=bank.example): the "
        "From domain is not authenticated, so From may be forged. Trust it where your own server wrote it (a "
        "sender can add one),Header From <security@bank.example> (domain bank.example) is not aligned with the "
        "envelope sender <billing@bank-secure.example> (domain bank-secure.example)",
        "Received-SPF says spf=fail: the envelope sender's domain does not allow the host that sent it. Trust it "
        "where your own server wrote it (a sender can add one)",
        "Authentication-Results says spf=fail (smtp.mailfrom=x@forged.example): the envelope sender's domain does "
        "not allow the host that sent it. Trust it where your own server wrote it (a sender can add one)"]
    assert found("dkim_signatures", passes, kind) == []


def test_guessing_passwords_and_addresses(passes):
    """Rejected AUTH attempts and refused addresses are counted over the
    session: one finding when the third 535 (PLAIN, or LOGIN after two
    steps) and the fifth refused address (RCPT 5xx, VRFY 550) arrive, none
    for the ones after, and none for an accepted recipient."""
    kinds = ("smtpx.analysis.auth_guessing", "smtpx.analysis.address_probing")
    assert [(f, a) for f, a in found("guessing", passes) if a in kinds] == [(16, kinds[0]), (32, kinds[1])]
    assert messages("guessing", "smtpx.analysis.auth_guessing || smtpx.analysis.address_probing", **passes) == [
        "535: 5.7.8 Authentication credentials invalid (permanent: do not retry as is),3 AUTH attempts rejected "
        "(535) in this session, the last for root: someone is guessing passwords, or a user has forgotten one",
        "550: 5.1.1 Bad destination mailbox address (permanent: do not retry as is),5 addresses refused in this "
        "session (RCPT 5xx, VRFY 550/551/553), the last <ada@example.org>: the client may be guessing which "
        "mailboxes exist (directory harvest)"]


def test_guessing_over_sessions(passes):
    """A guesser that opens a new connection every few tries: no session
    reaches the counts, the client's address does over its three sessions
    (the third refused AUTH, the fifth refused address); once per address."""
    kinds = ("smtpx.analysis.auth_guessing", "smtpx.analysis.address_probing")
    assert [(f, a) for f, a in found("guessing_sessions", passes) if a in kinds] == [(46, kinds[0]),
                                                                                       (50, kinds[1])]
    got = messages("guessing_sessions", "smtpx.analysis.auth_guessing || smtpx.analysis.address_probing", **passes)
    assert [m.split(",", 1)[1] for m in got] == [
        "3 AUTH attempts from 10.0.0.2 refused over 3 sessions (the first in frame 8): someone guessing passwords, "
        "who opens a new connection every few tries to stay under the count of one session",
        "5 addresses from 10.0.0.2 refused over 3 sessions (the first in frame 12): someone guessing which "
        "mailboxes exist, who opens a new connection every few tries to stay under the count of one session"]
    # within one session the per-session count speaks, not this one
    assert len(messages("guessing", "smtpx.analysis.auth_guessing || smtpx.analysis.address_probing",
                        **passes)) == 2


# ---- syntax as typed ----

def test_telnet_edits(passes):
    cap = ts.transcript_pcap("typed_by_hand")
    got = ts.fields(cap, ["frame.number", "smtpx.req.edited"], "smtpx.req.edited", **passes)
    assert got == [["61", "HELO client.example.com"], ["101", "MAIL FROM:<a@example.com>"]]
    assert found("typed_by_hand", passes, "smtpx.analysis.telnet_edit") == [61, 101]


def test_telnet_edits_in_message_lines(passes):
    """Backspace and Delete typed in message lines stay in the message."""
    msgs = messages("typed_message", "smtpx.analysis.telnet_edit", **passes)
    assert msgs == [
        'Edit keys (Backspace/Delete) in a message line: the screen showed "Subject: Hello", but telnet sends the '
        'keys as bytes, and the message keeps them: mail programs show them as they are',
        'Edit keys (Backspace/Delete) in a message line: the screen showed "I am typing this.", but telnet sends '
        'the keys as bytes, and the message keeps them: mail programs show them as they are']
    assert found("typed_message", passes, "smtpx.analysis.telnet_edit") == [32, 80]
    assert ts.fields(ts.transcript_pcap("typed_message"), ["smtpx.msg.subject"], "smtpx.msg", **passes) == [
        ["Helo\\b\\bllo"]]
    # the same bytes sent by a program, in 40-byte segments, were typed by nobody
    assert found("message_control_bytes_split", passes, "smtpx.analysis.telnet_edit") == []


def test_telnet_iac_and_cr_nul(passes):
    assert found("typed_by_hand", passes, "smtpx.analysis.telnet_iac") == [113, 115]


def test_telnet_negotiation_is_not_a_typed_command(passes):
    """PuTTY's Telnet mode: the negotiation bytes are the client program's,
    not an unknown command; the finding names the verb typed after them."""
    assert found("putty_telnet", passes) == [(26, "smtpx.analysis.telnet_iac"), (27, "smtpx.analysis.error_reply")]
    assert messages("putty_telnet", "smtpx.analysis.telnet_iac", **passes) == [
        'Telnet negotiation (21 bytes the telnet client sent, not typed) before "HELO": the server reads them in '
        'the line and refuses it; use a raw connection (PuTTY: Raw)']
    cap = ts.REPO / "tests" / "captures" / "postfix_telnet_typed.pcapng"
    assert [a for f, a in ts.experts(cap, passes["two_pass"]) if f == 8] == ["smtpx.analysis.telnet_iac"]


def test_missing_address_and_limits(passes):
    assert found("typed_by_hand", passes, "smtpx.analysis.missing_brackets") == [107]
    assert found("typed_by_hand", passes, "smtpx.analysis.limit_exceeded") == [109, 111, 111, 121]


def test_order_of_commands(passes):
    assert found("typed_by_hand", passes, "smtpx.analysis.bad_sequence") == [31, 65, 105, 125]
    msgs = messages("typed_by_hand", "smtpx.analysis.bad_sequence", **passes)
    assert msgs == ["MAIL before HELO/EHLO: the client must introduce itself first",
                    "RCPT before an accepted MAIL: the server answers 503",
                    "MAIL inside an open mail transaction: finish it or send RSET first",
                    "NOOP after QUIT"]
    assert found("data_rejected", passes, "smtpx.analysis.bad_sequence") == [11]   # DATA, recipient refused


def test_pipelining_behind_hello(passes):
    """MAIL, RCPT and DATA sent with HELO in one segment: one finding each."""
    assert found("pipelined_after_hello", passes, "smtpx.analysis.unadvertised") == [5, 5, 5]
    assert messages("pipelined_after_hello", "smtpx.analysis.unadvertised", **passes)[0].startswith(
        "Command sent before the reply to HELO (frame 5): a client may pipeline only once the EHLO reply "
        "advertised PIPELINING, and a hello ends a group (RFC 2920 3.1)")


def test_message_typed_after_refused_data(passes):
    msgs = messages("data_refused_typed", "smtpx.analysis.unknown_command", **passes)
    assert msgs == [f"{m}: the server refused DATA (frame 12), so it reads the message lines typed after it as "
                    "commands" for m in ('Unknown command "FROM:"', 'Unknown command "SUBJECT:"', "Empty command line",
                                          'Unknown command "HELLO"', 'Unknown command "."')]
    assert found("data_refused_typed", passes, "smtpx.analysis.unknown_command") == [13, 15, 17, 19, 21]


def test_message_lines_meant_as_its_end(passes):
    assert found("message_not_ended", passes, "smtpx.analysis.not_end_of_data") == [16, 17]
    assert messages("message_not_ended", "smtpx.analysis.not_end_of_data", **passes) == [
        '" ." is message text: only a line holding "." alone, nothing before or after it, ends the message '
        '(RFC 5321 4.1.1.4)',
        '"QUIT" inside the message is text: the server reads no command until a line holding "." alone ends the '
        'message']


def test_early_talker(passes):
    assert found("early_talker", passes) == [(5, "smtpx.analysis.bad_sequence")]


def test_unknown_command_flagged_once_per_line(passes):
    assert found("typed_by_hand", passes, "smtpx.analysis.unknown_command") == [61]   # (113: telnet_iac)


def test_typing_slips_named_rightly(passes):
    """Blanks before the verb are named, and the session goes on as the
    server took it; a space before the colon, a blank in the domain, a
    display name in the envelope, bytes that are not UTF-8; no suggestion
    that is itself wrong (a control byte, a list) or a verb RFC 5321 dropped."""
    cap = ts.transcript_pcap("typing_slips")
    got = ts.fields(cap, ["frame.number", "_ws.expert.message"], "smtpx.req && _ws.expert", **passes)
    assert got == [
        [f, "Blanks before the verb: an SMTP command starts with its verb (RFC 5321 4.1.1); Postfix and Sendmail "
            "skip them, a stricter server answers 500"] for f in ("5", "7")] + [
        ["9", '"RCPT TO :<c@example.org>": RFC 5321 wants RCPT TO:<c@example.org> (no space before the colon); '
              'strict servers answer 501'],
        ["11", "<h@example .org> is no address: a domain name holds no blank or control byte (RFC 5321 4.1.2); a "
               "server answers 501"],
        ["13", '"RCPT TO:<b@exa\\003": RFC 5321 wants RCPT TO:<local-part@domain> (angle brackets); strict '
               'servers answer 501'],
        ["15", '"RCPT TO:a@example.org,c@example.org": RFC 5321 wants RCPT TO:<a@example.org> (angle brackets, one '
               'address per command); strict servers answer 501'],
        ["21", '"MAIL FROM:<Bob Smith <bob@example.com>>": a display name does not belong in the envelope: RFC 5321 '
               'wants MAIL FROM:<bob@example.com>; a server answers 501 or 555'],
        ["23", '"MAIL FROM: Bob Smith <bob@example.com>": a display name does not belong in the envelope: RFC 5321 '
               'wants MAIL FROM:<bob@example.com>; a server answers 501 or 555'],
        ["25", "Address <j\ufffdr\ufffdme@example.org> holds bytes that are not UTF-8: a server refuses it, with "
               "SMTPUTF8 or without"],
        ["27", 'Unknown command "SENT"; a server answers 500 or 502'],
        ["29", 'Unknown command "SAM"; a server answers 500 or 502']]
    assert ts.fields(cap, ["smtpx.req.command", "smtpx.session.client_name"], "frame.number == 7", **passes) == [
        ["MAIL", "pc.example.org"]]
    assert [(r["mail_from"], r["rcpt_to"]) for r in ts.transactions(cap, passes["two_pass"])] == [
        ("a@example.org", "b@example.org")]


def test_message_typed_before_data(passes):
    """Header lines typed before DATA are unknown commands that look like
    lines of the message: the finding says DATA comes first."""
    assert messages("message_before_data", "smtpx.analysis.unknown_command", **passes) == [
        f'Unknown command "{v}": it looks like a line of the message, which goes after DATA and the server\'s 354 '
        'reply' for v in ("FROM:", "SUBJECT:")]


def test_lines_that_look_empty_or_start_with_a_blank(passes):
    """A line holding a space is no empty line: it folds into the header
    before it, and the body has not begun; a first line that starts with a
    blank is no header, so the message has none (Subject is body text)."""
    cap = ts.transcript_pcap("blank_line_slips")
    got = ts.fields(cap, ["frame.number", "_ws.expert.message"], "smtpx.analysis.missing_blank_line", **passes)
    assert [r[0] for r in got] == ["15", "16", "25"]
    assert got[0][1] == ("A line of blanks is no empty line: it continues the header before it (RFC 5322 folding), "
                         "so the body has not begun")
    assert got[2][1].startswith('" From: a@example.org" is not a header field (Name: value): the message has no '
                                'header at all')
    assert [[r["header_from"], r["subject"]] for r in ts.transactions(cap, passes["two_pass"])] == [
        ["a@example.org", "hi"], ["-", "-"]]


def test_arrow_keys_and_ctrl_c_typed_over_telnet(passes):
    """Arrow keys stay in a typed command or message line as bytes; Ctrl-C
    in the message does not stop it, and before a command it is named as
    Ctrl-C, not as negotiation."""
    got = dict(ts.fields(ts.transcript_pcap("telnet_keys"), ["frame.number", "_ws.expert.message"],
                         "smtpx.analysis.telnet_edit || smtpx.analysis.telnet_iac", **passes))
    arrows = ("Arrow keys in {}: they moved the cursor on the screen, but telnet sends each as three bytes "
              "(ESC [ A to D), which stay in the line")
    assert sorted(got) == ["30", "62", "64", "67"]
    assert got["30"].startswith(arrows.format("the line") + ",") and got["62"] == arrows.format("a message line")
    assert got["64"].endswith(",Ctrl-C in a message line, sent by telnet as Interrupt Process (IAC IP, IAC DO "
                              'TIMING-MARK): it does not stop the message; its bytes go into it, and only a line '
                              'holding "." alone ends it')
    assert got["67"] == ('Ctrl-C, which telnet sends as Interrupt Process, IAC IP (5 bytes in all) before "QUIT": the '
                         'server reads them in the line and refuses it; use a raw connection (PuTTY: Raw)')


def test_line_end_style_needs_every_line(passes):
    """A client is taken to end its lines with a bare LF only if it never
    sent CRLF: one NOOP ending in LF does not hide the smuggling of a client
    whose other lines end in CRLF; netcat's empty message (".\\n" right
    after DATA) is its own end of data."""
    assert ts.frames_matching(ts.transcript_pcap("smuggling_after_one_lf"), "smtpx.analysis.smuggling",
                              **passes) == [15, 16]
    cap = ts.transcript_pcap("netcat_empty_message")
    assert ts.frames_matching(cap, "smtpx.analysis.smuggling", **passes) == []
    assert messages("netcat_empty_message", "frame.number == 13", **passes)[0].startswith(
        "End of data written <LF>.<LF>, as this client ends all its lines: a server that takes that line end ends "
        "the message here, a strict one waits for <CRLF>.<CRLF>,")


def test_ctrl_c_in_a_message_after_8bit_text(passes):
    """Ctrl-C as telnet sends it is named in a message line even when an
    earlier line of the message held the first 8-bit byte."""
    assert ts.frames_matching(ts.transcript_pcap("ctrl_c_after_8bit"), "smtpx.analysis.telnet_iac", **passes) == [15]


def test_line_ends_of_hand_made_sessions(passes):
    """CR NUL and bare LF line ends: the end of data is named as sent; a
    client that ends all its lines with LF (netcat) or CR NUL (Telnet NVT)
    ends its message so, no smuggling; a "." typed after Backspace is not
    the end of data."""
    cap = ts.transcript_pcap("line_end_slips")
    got = ts.fields(cap, ["frame.number", "_ws.expert.message"], "smtpx.analysis.bare_lf || smtpx.analysis.smuggling"
                    " || smtpx.analysis.telnet_edit", **passes)
    assert got == [
        ["13", "Bare CR (CR NUL ends the line, as a Telnet client in NVT mode sends) inside the message: RFC 5321 "
               "allows CR and LF only together as CRLF"],
        ["16", "End of data written <CR><NUL>.<CR><NUL>, as this client ends all its lines: a server that takes "
               "that line end ends the message here, a strict one waits for <CRLF>.<CRLF>"],
        ["25", "Command ends with a bare LF, not CRLF (RFC 5321 2.3.8), as netcat without -C sends: many servers "
               "accept it, strict ones do not"],
        ["33", "Bare LF inside the message: RFC 5321 allows CR and LF only together as CRLF"],
        ["36", "End of data written <LF>.<LF>, as this client ends all its lines: a server that takes that line end "
               "ends the message here, a strict one waits for <CRLF>.<CRLF>"],
        ["60", 'Edit keys (Backspace/Delete) in a message line: the screen showed ".", but telnet sends the keys as '
               'bytes, and the message keeps them: the line is not "." alone, so the message has not ended']]
    assert [(r["frame"], r["reply"], r["queue_id"]) for r in ts.transactions(cap, passes["two_pass"])] == [
        ("17", "250", "X1"), ("37", "250", "X2"), ("61", "421", "-")]


# ---- relaying ----

def test_open_relay(passes):
    assert found("open_relay", passes, "smtpx.analysis.open_relay") == [12, 14]


def test_open_relay_address_literals(passes):
    msgs = ts.fields(ts.transcript_pcap("open_relay_literals"), ["frame.number", "_ws.expert.message"],
                     "smtpx.analysis.open_relay", **passes)
    assert [[f, m.split(", not the server's own")[0]] for f, m in msgs] == [
        ["12", "The server relays mail for anyone: RCPT TO:<bob@[192.0.2.7]> accepted (250) without authentication, "
               "for domain [192.0.2.7]"],
        ["14", "The server relays mail for anyone: RCPT TO:<carol@[IPv6:2001:db8::7]> accepted (250) without "
               "authentication, for domain [ipv6:2001:db8::7]"]]


def test_open_relay_local_domains_preference():
    cap = ts.transcript_pcap("open_relay")
    got = ts.fields(cap, ["frame.number"], "smtpx.analysis.open_relay",
                    extra=["-o", "smtpx.local_domains:partner.example,other.example"])
    assert got == [["12"]]
    msg = ts.fields(cap, ["_ws.expert.message"], "smtpx.analysis.open_relay",
                    extra=["-o", "smtpx.local_domains:partner.example"])
    assert "not in the local_domains preference" in msg[0][0]


# ---- replies ----

def test_error_replies(passes):
    got = found("typed_by_hand", passes)
    assert (32, "smtpx.analysis.error_reply") in got
    assert (114, "smtpx.analysis.error_reply") in got
    assert [f for f, a in found("auth_mechanisms", passes) if a == "smtpx.analysis.serious_reply"][:1] == [8]
    msg = messages("data_rejected", "smtpx.rsp.code == 554 && smtpx.analysis", **passes)
    # not by its enhanced code 5.5.1, which says less ("Invalid command")
    assert msg == ["554: Transaction failed (or no SMTP service here) (permanent: do not retry as is)"]


# ---- every check can be switched off; -Y smtpx.analysis lists problems ----

def test_checks_can_be_switched_off():
    cap = ts.transcript_pcap("lab5_ilon_mask")
    off = ["-o", "smtpx.check_spoofed_from:FALSE", "-o", "smtpx.check_open_relay:FALSE",
           "-o", "smtpx.check_forged_helo:FALSE"]
    assert ts.fields(cap, ["frame.number"], "smtpx.analysis.spoofed_from || smtpx.analysis.open_relay || "
                     "smtpx.analysis.forged_helo", extra=off) == []
    assert ts.fields(cap, ["frame.number"], "smtpx.analysis.missing_brackets", extra=off) == [["24"], ["51"],
                                                                                              ["87"]]


def test_analysis_field_marks_each_pdu_with_a_finding(passes):
    cap = ts.transcript_pcap("lab5_ilon_mask")
    frames = [int(r[0]) for r in ts.fields(cap, ["frame.number"], "smtpx.analysis", **passes)]
    assert frames == sorted({f for f, _ in ts.experts(cap, passes["two_pass"])})


def test_authenticated_user_sending_as_another_domain(passes):
    assert found("auth_sender", passes, "smtpx.analysis.auth_sender_mismatch") == [13]
    assert messages("auth_sender", "smtpx.analysis.auth_sender_mismatch", **passes) == [
        'User "alice@example.org" logged in (domain example.org) but sends as <ceo@bank.example> '
        '(domain bank.example)']


def test_utf8_address_without_smtputf8(passes):
    """RFC 6531: a non-ASCII address needs SMTPUTF8 on the transaction's MAIL;
    a RCPT knows it from that MAIL, and a new MAIL forgets it."""
    assert found("utf8_addresses", passes, "smtpx.analysis.utf8_address") == [7, 17]
    assert messages("utf8_addresses", "smtpx.analysis.utf8_address", **passes) == [
        "Non-ASCII address <\u00e9l\u00e8ve@\u00e9cole.example> without SMTPUTF8 on MAIL: RFC 6531 needs it, "
        "and a server answers 553 (5.6.7)",
        "Non-ASCII address <jos\u00e9@example.org> without SMTPUTF8 on MAIL: RFC 6531 needs it, "
        "and a server answers 553 (5.6.7)"]


def test_risky_attachments(passes):
    """A program (behind a document's extension or not), a disk image, a
    macro-enabled document, a file whose first bytes are a program whatever
    its name, an encrypted ZIP archive, a name with a right-to-left override;
    not a PDF, an unencrypted ZIP, a text file or a plain message. Checked in the reassembled message, so not without it,
    and each can be switched off."""
    kind = "smtpx.analysis.risky_attachment"
    assert [f for f, a in found("attachments", passes) if a == kind] == [13, 13, 19, 19, 19, 27]
    assert messages("attachments", kind, **passes) == [
        'Attachment "invoice.pdf.exe" is a program (.exe) behind a document\'s extension: opening it runs it,'
        'Attachment "invoice_<U+202E>fdp.scr" is a program (.scr): opening it runs it; has a bidirectional control '
        "in its name: on screen its letters show in another order, hiding its real extension",
        'Attachment "logo.png" is a Windows program (MZ), whatever its name says,'
        'Attachment "docs.iso" is a disk image (.iso): mail filters do not look inside one,'
        'Attachment "report.zip" is an encrypted ZIP archive: mail filters cannot look inside it (the password is '
        'usually in the message)',
        'Attachment "budget.xlsm" is a macro-enabled Office document (.xlsm)']
    cap = ts.transcript_pcap("attachments")
    for off in ("smtpx.reassemble:FALSE", "smtpx.check_risky_attachment:FALSE"):
        assert kind not in [a for f, a in ts.experts(cap, extra=["-o", off])]


def test_mime_malformed(passes):
    """A message whose MIME structure programs read differently: a byte
    that is no base64 in an attachment, base64 after the padding, a
    multipart without its closing delimiter, without a boundary, or with a
    boundary over 70 characters, nesting deeper than smtpx looks: one
    finding for each.
    Not a well-formed message (base64 lines with trailing blanks), nor the
    messages of the other transcripts with files; it can be switched off."""
    kind = "smtpx.analysis.mime_malformed"
    assert found("mime_malformed", passes, kind) == [13, 13, 21, 29, 37, 45]
    assert messages("mime_malformed", kind, **passes) == [
        'The base64 of "invoice.pdf" has "!" at byte 12 of its body, which is no base64: decoders skip it or stop '
        'there, so a filter may not see the file the reader gets,The base64 of "tail.bin" goes on after its '
        'padding "=" (byte 8 of its body): decoders stop there or go on, so a filter may not see the file the '
        'reader gets',
        "A multipart of the message has no closing delimiter (--boundary--): programs differ on where its last "
        "part ends",
        "A multipart of the message has no boundary: its parts cannot be told apart, and smtpx reads it as one part",
        "A multipart boundary is longer than the 70 characters RFC 2046 allows: programs that keep to it, smtpx "
        "among them, read that multipart as one part and miss its files",
        "More than 8 nested multiparts or 128 parts in the message: smtpx does not check the parts beyond (a way to "
        "hide a file from filters)"]
    for other in ("attachments", "links", "bounce", "bdat_headers"):
        assert found(other, passes, kind) == [], other
    cap = ts.transcript_pcap("mime_malformed")
    assert kind not in [a for f, a in ts.experts(cap, extra=["-o", "smtpx.check_mime_malformed:FALSE"])]


def test_homographs(passes):
    """A sender domain in Cyrillic letters that look like Latin ones (an
    internationalised name, xn--): in the envelope, at its address, and in
    the From header, with its Unicode form and what it reads as; a label
    that mixes one such letter into a Latin word too, in any case; so is an
    EHLO name, and a message's link hosts (once per message, counting the
    URLs). Not a real word of another script (bücher.de, in a sender or a
    link), nor an ASCII domain."""
    kind = "smtpx.analysis.homograph"
    assert found("homograph", passes, kind) == [5, 7, 13, 13, 21]
    tail = ": letters of another script that look like Latin ones (a homograph, a phishing trick)"
    apple = "xn--80ak6aa92e.com is \u0430\u0440\u0440\u04cf\u0435.com in Unicode, which reads as apple.com"
    assert messages("homograph", kind, **passes) == [
        "The EHLO domain mail.xn--80ak6aa92e.com is mail.\u0430\u0440\u0440\u04cf\u0435.com in Unicode, which "
        "reads as mail.apple.com" + tail,
        "The envelope sender domain " + apple + tail,
        "The From domain " + apple + tail + ",The link host " + apple + tail + "; 2 such links in this message",
        "Header From <support@XN--EXMPLE-4NF.org> (domain xn--exmple-4nf.org) is not aligned with the envelope "
        "sender <news@xn--bcher-kva.de> (domain xn--bcher-kva.de),The From domain XN--EXMPLE-4NF.org is "
        "ex\u0430mple.org in Unicode, which reads as example.org" + tail]
    for other in ("spoofing", "lab5_ilon_mask", "utf8_addresses", "links"):
        assert found(other, passes, kind) == [], other


def test_homograph_links_counted_up_to_a_cap(tmp_path):
    """Thousands of homograph links in one message: one finding, the first
    named, the count of distinct links kept to a bounded list."""
    urls = "".join(f"C+ see http://xn--pypal-4ve.com/{i} and https://xn--bcher-kva.de/{i}\n" for i in range(3000))
    cap = ts.text_pcap(tmp_path, "S: 220 mx\nC: EHLO c.example\nS: 250 mx\nC: MAIL FROM:<a@b.example>\nS: 250 ok\n"
                       "C: RCPT TO:<c@d.example>\nS: 250 ok\nC: DATA\nS: 354 go\nC: From: a@b.example\nC+\n" + urls +
                       "C+ .\nS: 250 ok\n")
    assert ts.fields(cap, ["_ws.expert.message"], "smtpx.analysis.homograph") == [
        ["The link host xn--pypal-4ve.com is p\u0430ypal.com in Unicode, which reads as paypal.com: letters of "
         "another script that look like Latin ones (a homograph, a phishing trick); 100 or more such links in this "
         "message"]]


def test_deceptive_links(passes):
    """An HTML link whose text shows a site of another organisation than
    the one it goes to (public suffix list): once per message, naming the
    first and counting them; not a link to the same organisation, nor
    "Click here", nor a mailto link, nor plain text."""
    kind = "smtpx.analysis.deceptive_link"
    assert [f for f, a in found("links", passes) if a == kind] == [13]
    assert messages("links", kind, **passes) == [
        "Link text shows www.bank.example but the link goes to evil.example (http://evil.example/login?id=42); "
        "2 such links in this message"]
    assert kind not in [a for f, a in ts.experts(ts.transcript_pcap("links"),
                                                 extra=["-o", "smtpx.check_deceptive_link:FALSE"])]


# ---- bytes that are not SMTP ----

def test_tls_spoken_to_cleartext_smtp(passes):
    """A ClientHello sent to port 25 (TLS at once, as on 465) is one finding
    per session, not a run of unknown commands: the record's bytes are
    shown as TLS up to its LF byte and after it, and the server's 502 to
    the line it read answers them. The second session began TLS after the
    server refused STARTTLS."""
    cap = ts.transcript_pcap("foreign_tls")
    got = ts.fields(cap, ["frame.number", "_ws.expert.message"], "smtpx.analysis.foreign_protocol", **passes)
    assert got == [
        ["5", "Not SMTP but a TLS handshake (a ClientHello): the client began TLS at once, as on port 465, but "
              "this port speaks cleartext SMTP first (STARTTLS, then TLS)"],
        ["19", "Not SMTP but a TLS handshake (a ClientHello): the server refused STARTTLS, yet the client "
               "began TLS"]]
    rows = ts.fields(cap, ["frame.number", "smtpx.foreign", "_ws.col.Info", "smtpx.response_to",
                           "tls.handshake.extensions_server_name", "_ws.col.Protocol"], "smtpx", **passes)
    # Wireshark's TLS dissector reads the record (the server name asked for); the columns stay smtpx's
    assert rows[1] == ["5", "TLS,TLS", "C: [not SMTP: TLS, 14 bytes] | C: [not SMTP: TLS, 62 bytes]", "",
                       "mx.example.org", "SMTP"]
    assert rows[2][0] == "6" and rows[2][3] == "5"
    assert ts.frames_matching(cap, "smtpx.analysis.unknown_command || smtpx.analysis.unsolicited_reply",
                              **passes) == []
    assert ts.info_mismatches(cap, passes["two_pass"]) == {}


def test_tls_begun_before_the_220_to_starttls(passes):
    cap = ts.transcript_pcap("tls_before_220")
    got = ts.fields(cap, ["frame.number", "_ws.expert.message"], "smtpx.analysis.foreign_protocol", **passes)
    assert got == [["8", "Not SMTP but a TLS handshake (a ClientHello): the client began TLS before the server's "
                         "reply to its STARTTLS (RFC 3207 4: it must wait for the 220)"]]
    assert ts.fields(cap, ["smtpx.response_to"], "frame.number == 9", **passes) == [["7"]]


def test_http_and_binary_spoken_to_smtp(passes):
    """An HTTP request to the mail port: its header lines and the empty line
    are more of it, and Postfix's 221 answers it. Binary bytes before a
    Sendmail greeting: each line the server read gets its 500, and the HELO
    that follows is a command again."""
    cap = ts.transcript_pcap("foreign_http")
    got = ts.fields(cap, ["frame.number", "_ws.expert.message"], "smtpx.analysis.foreign_protocol", **passes)
    assert [r[0] for r in got] == ["5", "13"]
    assert got[0][1].startswith("Not SMTP but an HTTP request: a web client, or a cross-protocol attack")
    assert got[1][1].startswith("Not SMTP but binary data: another protocol, a scanner or a broken client")
    rows = {r[0]: r[1:] for r in ts.fields(cap, ["frame.number", "smtpx.foreign", "smtpx.response_to",
                                                  "smtpx.req.command"], "smtpx", **passes)}
    assert rows["5"] == ["HTTP,HTTP,HTTP,HTTP,HTTP", "", ""]
    assert rows["6"][1] == "5"
    assert rows["13"][0] == "binary,binary" and rows["15"][1] == "13" and rows["16"][1] == "13"
    assert rows["17"] == ["", "", "HELO"]
    assert ts.frames_matching(cap, "smtpx.analysis.unknown_command || smtpx.analysis.telnet_iac || "
                                   "smtpx.analysis.unsolicited_reply", **passes) == []
    assert ts.info_mismatches(cap, passes["two_pass"]) == {}
    # typed sessions, with their typos, edit keys and telnet negotiation, are SMTP
    for typed in (ts.transcript_pcap("lab5_ilon_mask"), ts.transcript_pcap("typed_by_hand"),
                  ts.transcript_pcap("command_typos"), ts.REPO / "tests" / "captures" / "postfix_telnet_typed.pcapng"):
        assert ts.frames_matching(typed, "smtpx.foreign", **passes) == [], typed


def test_proxy_header(passes):
    """A load balancer's PROXY header (version 1 text, version 2 binary)
    names the real client: Wireshark's PROXY dissector shows its parts, no
    early talker or unknown command is reported, and the HELO check
    compares with the real client, not the balancer."""
    cap = ts.transcript_pcap("proxy_header")
    rows = {r[0]: r[1:] for r in ts.fields(cap, ["frame.number", "smtpx.proxy", "proxy.src.ipv4", "_ws.col.Info"],
                                           "smtpx.proxy", **passes)}
    assert rows == {"4": ["203.0.113.7 port 56324", "203.0.113.7", "C: [PROXY v1: client 203.0.113.7 port 56324]"],
                    "16": ["203.0.113.8 port 49152", "203.0.113.8", "C: [PROXY v2: client 203.0.113.8 port 49152]"]}
    got = ts.fields(cap, ["frame.number", "_ws.expert.message"], "smtpx.analysis", **passes)
    assert got == [["18", "EHLO [198.51.100.99] gives another host's address as the client's identity, but the "
                          "client connects from 203.0.113.8: nobody verifies the HELO name, and claiming another "
                          "host's identity is a spam and phishing trick"]]
    assert ts.info_mismatches(cap, passes["two_pass"]) == {}
    # every PDU after the header names the real client, for filters and on the session line
    real = ts.fields(cap, ["frame.number", "smtpx.session.real_client"], "smtpx", **passes)
    assert real == [[f, "203.0.113.7"] for f in ("4", "5", "6", "7", "8", "9")] + \
                   [[f, "203.0.113.8"] for f in ("16", "17", "18", "19", "20", "21")]
    args = ["-r", ts.capture_path(cap), *["-2"] * passes["two_pass"], "-V", "-Y", "frame.number in {4, 6}"]
    out = ts.tshark(args).stdout
    assert "[Session: client 203.0.113.7 (via a proxy)]" in out
    assert "[Session: client [203.0.113.7] (203.0.113.7 via a proxy), server mx.example.org (Postfix)]" in out
    assert "Real client:" not in out
    note = ("PROXY protocol: a load balancer passes on the real client's address before SMTP begins; the server "
            "must expect it (Postfix: smtpd_upstream_proxy_protocol) or it answers 500")
    assert ts.fields(cap, ["frame.number", "smtpx.note"], "smtpx.proxy", **passes) == [["4", note], ["16", note]]


def test_bad_parameters(passes):
    """MAIL and RCPT parameters checked against RFC 5321 and their
    extension's RFC: well-formed ones (with xtext escapes) give nothing; a
    value the extension does not define, a DSN parameter on the other
    command, bad xtext, an address in place of a parameter and REQUIRETLS
    without TLS each give bad_param, at the parameter itself. So do
    XCLIENT's and XFORWARD's attributes against Postfix's grammar."""
    name = "param_syntax"
    assert found(name, passes, "smtpx.analysis.bad_param") == [13, 13, 13, 15, 15, 17, 17, 17, 19, 38, 38,
                                                                55, 55, 55, 55, 57, 57, 57]
    assert messages(name, "smtpx.analysis.bad_param", **passes) == [
        '"SIZE=12k": SIZE wants the message size in octets, a decimal number (RFC 1870),'
        '"BODY=9BIT": BODY wants 7BIT, 8BITMIME or BINARYMIME (RFC 6152, RFC 3030),'
        '"NOTIFY=NEVER" on MAIL FROM: NOTIFY belongs to RCPT TO (RFC 3461)',
        '"ENVID=a+2b": ENVID is xtext (RFC 3461), which writes "+", "=", spaces and controls as "+" and two '
        'upper-case hex digits ("+2B"),"SMTPUTF8=yes": SMTPUTF8 wants no value (RFC 6531)',
        '"NOTIFY=NEVER,SUCCESS": NOTIFY wants NEVER, or a comma-separated list of SUCCESS, FAILURE and DELAY '
        '(RFC 3461),"ORCPT=bogus": ORCPT wants an address type, ";" and the address in xtext '
        '(rfc822;user@example.com), at most 500 characters (RFC 3461),'
        '"RET=HDRS" on RCPT TO: RET belongs to MAIL FROM (RFC 3461)',
        '"<c@example.org>" is no parameter: RFC 5321 wants KEYWORD or KEYWORD=value, the keyword of letters, '
        'digits and hyphens, the value without spaces, "=" or control characters',
        'REQUIRETLS on a session without TLS: RFC 8689 allows it only under TLS (after STARTTLS), and the server '
        'must refuse the message,"MT-PRIORITY=12": MT-PRIORITY wants a priority from -9 to 9 (RFC 6710)',
        '"PORT=70000": PORT wants a TCP port from 0 to 65535, or [UNAVAILABLE] (Postfix XCLIENT_README, '
        'XFORWARD_README),"SOURCE=ELSEWHERE": SOURCE wants LOCAL or REMOTE, or [UNAVAILABLE] (Postfix '
        'XFORWARD_README),"LOGIN=bob" on XFORWARD: LOGIN belongs to XCLIENT (Postfix XCLIENT_README),'
        '"HELO=a+2b": HELO is xtext (RFC 3461), which writes "+", "=", spaces and controls as "+" and two '
        'upper-case hex digits ("+2B")',
        '"ADDR=mail.example.com": ADDR wants an IPv4 address, IPV6: and an IPv6 address, or [UNAVAILABLE] '
        '(Postfix XCLIENT_README, XFORWARD_README),"FOO=1": XCLIENT has no such attribute (NAME, ADDR, PORT, '
        'PROTO, HELO, REVERSE_NAME, LOGIN, DESTADDR, DESTPORT); Postfix answers 501,"NAME" is no attribute: '
        'XCLIENT wants NAME=value, the value in xtext; Postfix answers 501']
    # well-formed parameters elsewhere, and the labs typed by hand, give none
    for other in ("all_verbs", "unadvertised_params", "pipelining", "typed_by_hand", "lab5_ilon_mask"):
        assert found(other, passes, "smtpx.analysis.bad_param") == [], other


def test_xclient_attribute_not_listed(passes):
    """An attribute the server's EHLO reply does not list after XCLIENT or
    XFORWARD (an older Postfix) is unadvertised, at the attribute, naming
    those listed. Not when the list has it, nor in a server's captures."""
    kind = "smtpx.analysis.unadvertised"
    assert found("xclient_unlisted", passes, kind) == [7, 7, 9]
    tail = ": a server answers 501 to an attribute it does not list (an older Postfix knows fewer)"
    assert messages("xclient_unlisted", kind, **passes) == [
        "XCLIENT attribute LOGIN, but the server's EHLO reply lists only NAME, ADDR, PROTO, HELO after XCLIENT" +
        tail + ",XCLIENT attribute DESTPORT, but the server's EHLO reply lists only NAME, ADDR, PROTO, HELO after "
        "XCLIENT" + tail,
        "XFORWARD attribute IDENT, but the server's EHLO reply lists only NAME, ADDR after XFORWARD" + tail]
    cap = ts.transcript_pcap("xclient_unlisted")
    assert ts.fields(cap, ["frame.number", "_ws.expert.message"], "smtpx.xclient.attribute == \"IDENT=4XyZ\"",
                     **passes)[0][0] == "9"
    for other in ("xclient", "param_syntax"):
        assert found(other, passes, kind) == [], other
    assert in_captures(["postfix_xclient"], kind, **passes) == []


def test_xclient_names_the_real_client(passes):
    """XCLIENT from a proxy (nginx's mail proxy): its attributes are shown,
    and once the server answers 220 the session is the real client's, logged
    in as its LOGIN: its EHLO with its own address is no forged HELO, and
    its relayed recipient no open relay (both were before)."""
    cap = ts.transcript_pcap("xclient")
    rows = {r[0]: r[1:] for r in ts.fields(cap, ["frame.number", "smtpx.xclient.attribute", "smtpx.xclient.addr",
                                                  "smtpx.xclient.login", "smtpx.session.real_client"], "smtpx",
                                           **passes)}
    assert rows["7"] == ["ADDR=203.0.113.7,NAME=[UNAVAILABLE],LOGIN=alice", "203.0.113.7", "alice", ""]
    assert [f for f, r in rows.items() if r[3] == "203.0.113.7"] == [str(f) for f in range(8, 17)]
    assert ts.frames_matching(cap, "smtpx.analysis", **passes) == []
    log = ts.log_rows(cap, "sessions", passes["two_pass"])
    assert [(r["client"], r["real_client"], r["user"]) for r in log] == [("192.0.2.10", "203.0.113.7", "alice")]


def test_from_parsing_and_sender_checks(passes):
    """From, Sender and Reply-To read as RFC 5322 writes them: quoted-pairs
    in a display name or a comment, a comment before the address, a display
    name over 1000 bytes, several From addresses (each checked), a group, an
    RFC 2047 display name (checked as shown), an IDN written as xn-- and as
    UTF-8, a root dot, a lone "@" that is no address, a From that is no
    address at all, and the obsolete "From :". Each of these was read wrong once (tests/transcripts/
    from_parsing.txt has the cases, one per Subject)."""
    cap = ts.transcript_pcap("from_parsing")
    # every mailbox of a From that names several is a field (frame 61: x@evil.example, ceo@bank.example)
    assert ts.fields(cap, ["smtpx.header.from"], "frame.number == 61", **passes) == [
        ["x@evil.example,ceo@bank.example"]]
    rows = ts.fields(cap, ["frame.number", "smtpx.header.subject", "smtpx.header.from"], "smtpx.header", **passes)
    got = {int(f): (subject, sender) for f, subject, sender in rows}
    kinds = ("smtpx.analysis.spoofed_from", "smtpx.analysis.display_name_spoof", "smtpx.analysis.reply_to_mismatch")
    found = {}
    for frame, kind in ts.experts(cap, passes["two_pass"]):
        if kind in kinds:
            found.setdefault(frame, []).append(kind.split(".")[-1])
    spoof, display, reply_to = (k.split(".")[-1] for k in kinds)
    expected = {
        13: ("c1", "ceo@bank.example", [spoof, display]), 21: ("c2", "ceo@bank.example", [spoof]),
        29: ("c3", "ceo@bank.example", [spoof]), 37: ("c4", "x@evil.example", [display]),
        45: ("c5", "b@b.example.co.uk", []), 53: ("c6", "a@mail.google.com", [spoof]),
        61: ("c8", "x@evil.example,ceo@bank.example", [spoof]), 69: ("c9", "bob@EXAMPLE.com", []),
        77: ("c10", "b@bücher.de", []), 85: ("c11", "bob@example.com", []),
        93: ("c12", "ceo@bank.example", [spoof]), 101: ("c13", "bob@example.com", [reply_to]),
        109: ("c14", "ceo@bank.example.", []), 117: ("c15", "ceo@bank.example", [spoof, display]),
        125: ("c16", "bob@example.com", []), 133: ("École", "bob@example.com", []),
        141: ("c18", "You'll-never-know-for-sure", [spoof]), 149: ("c19", "bob@example.com", []),
        157: ("c20", "ceo@bank.example", [spoof]),
    }
    assert {f: (s, a, found.get(f, [])) for f, (s, a) in got.items()} == expected
    messages = dict(ts.fields(cap, ["frame.number", "_ws.expert.message"], "smtpx.analysis.spoofed_from", **passes))
    assert messages["61"].startswith("Header From <ceo@bank.example> (domain bank.example) is not aligned")
    assert messages["141"].startswith("Header From \"You'll-never-know-for-sure\" is no address")
    assert ts.fields(cap, ["smtpx.header.from_display"], "frame.number == 133", **passes) == [["Élise"]]
    assert ts.fields(cap, ["smtpx.msg.received.ip"], "frame.number == 149", **passes) == [["203.0.113.9"]]


def test_what_is_not_an_address(passes):
    """MAIL FROM:<194.87.96.192> and RCPT TO:<student> are no addresses
    (RCPT TO:<Postmaster> may be); the fix suggested for a path without
    brackets is local-part@domain, not the IP again; a From without one is
    said to be none. One Delete erases "é" whole, and the Delete byte in the
    open-relay text is written as \\177 (it was raw, and a terminal ate it)."""
    cap = ts.transcript_pcap("not_an_address")
    got = ts.fields(cap, ["frame.number", "_ws.expert.message"], "smtpx.analysis.missing_brackets", **passes)
    assert got == [[f, f"<{a}> is no address: RFC 5321 wants local-part@domain (only RCPT TO:<Postmaster> may go "
                       "without one); a server refuses it, or adds its own domain"]
                   for f, a in (("7", "194.87.96.192"), ("9", "student"))]
    assert ts.fields(cap, ["smtpx.req.edited"], "smtpx.req.edited", **passes) == [["RCPT TO:<rene@hevs.ch>"]]
    edit = ts.fields(cap, ["_ws.expert.message"], "smtpx.analysis.telnet_edit", **passes)[0][0]
    assert edit.split(",Non-ASCII address")[0] == ('Edit keys (Backspace/Delete) in the line: the screen showed "RCPT TO:<rene@hevs.ch>", but '
                    'telnet sends the keys as bytes and the server gets them in the line: it may refuse it, or take '
                    'other text')
    relay = ts.fields(cap, ["_ws.expert.message"], "smtpx.analysis.open_relay", **passes)[0][0]
    assert relay.startswith("The server relays mail for anyone: RCPT TO:<rené\\177e@hevs.ch> accepted")
    assert ts.fields(cap, ["_ws.expert.message"], "smtpx.analysis.spoofed_from", **passes) == [[
        'Header From "Ilon Mask" is no address (RFC 5322 3.6.2 wants a mailbox, name@domain): mail programs show '
        'it as the sender, and nothing ties it to one']]
    lab5 = ts.fields(ts.transcript_pcap("lab5_ilon_mask"), ["_ws.expert.message"], "frame.number == 51", **passes)
    assert lab5[0][0].startswith('"MAIL FROM: 194.87.96.192": RFC 5321 wants MAIL FROM:<local-part@domain> '
                                 '(angle brackets, no space after the colon)')
    assert messages("space_after_colon", "smtpx.analysis.missing_brackets", **passes) == [
        '"MAIL FROM: <rafael@example.org>": RFC 5321 wants MAIL FROM:<rafael@example.org> (no space after the '
        'colon); strict servers answer 501',
        '"RCPT TO:bob@example.org": RFC 5321 wants RCPT TO:<bob@example.org> (angle brackets); strict servers '
        'answer 501']


def test_notes_of_rfc_821_commands(passes):
    cap = ts.transcript_pcap("all_verbs")
    notes = dict(ts.fields(cap, ["smtpx.req.command", "smtpx.note"],
                           'smtpx.req.command == "TURN" || smtpx.req.command == "SAML"', **passes))
    assert notes["TURN"].startswith("TURN (RFC 821): asked the server to swap roles")
    assert notes["SAML"] == ("SAML (RFC 821): to the user's terminal and the mailbox; RFC 5321 dropped it, "
                             "and servers answer 502")
