# SPDX-License-Identifier: GPL-2.0-or-later
"""Issue 3: enhanced status codes, EHLO extensions, what the server promised
and the session facts."""

import re
from pathlib import Path

import pytest

import smtpx_tshark as ts


def fields(name, f, flt, **passes):
    return ts.fields(ts.transcript_pcap(name), f, flt, **passes)


def test_enhanced_code_fields(passes):
    got = fields("message_headers", ["smtpx.rsp.code", "smtpx.rsp.enhanced", "smtpx.rsp.enhanced.class",
                                     "smtpx.rsp.enhanced.subject", "smtpx.rsp.enhanced.detail",
                                     "smtpx.rsp.enhanced.meaning"], "smtpx.rsp.code == 550", **passes)
    assert got == [["550", "5.1.1", "5", "1", "1", "Bad destination mailbox address"]]


def test_error_reply_explained_by_its_enhanced_code(passes):
    got = ts.fields(ts.transcript_pcap("enhanced_meaning"), ["frame.number", "_ws.expert.message"],
                    "smtpx.analysis.error_reply || smtpx.analysis.serious_reply", **passes)
    assert got == [
        ["10", "452: 4.5.3 Too many recipients (temporary: the client may try again later)"],
        ["12", "550: 5.1.1 Bad destination mailbox address (permanent: do not retry as is)"],
        ["14", "451: Requested action aborted: local error in processing (temporary: the client may try again "
               "later)"],
        ["18", "503: Bad sequence of commands (permanent: do not retry as is)"]]


def test_enhanced_meaning_text_in_tree():
    cap = ts.capture_path(ts.transcript_pcap("message_headers"))
    text = ts.tshark(["-r", cap, "-O", "smtpx", "-V", "-Y", "smtpx.rsp.code == 550"]).stdout
    assert "Enhanced status code: 5.1.1 (Bad destination mailbox address)" in text
    assert "Class: Permanent failure (5)" in text
    assert "Subject: Addressing status (1)" in text


def test_each_line_of_a_multiline_reply_gets_its_code(passes):
    got = fields("unknown_and_enhanced", ["smtpx.rsp.enhanced"], "smtpx.rsp.code == 214", **passes)
    assert got == [["2.0.0,2.0.0"]]


def test_unregistered_but_well_formed_code(tmp_path):
    cap = ts.text_pcap(tmp_path, "S: 220 mx\nC: NOOP\nS: 250 2.9.99 odd\n")
    got = ts.fields(cap, ["smtpx.rsp.enhanced", "smtpx.rsp.enhanced.meaning"], "smtpx.rsp.enhanced")
    assert got == [["2.9.99", "Unregistered code"]]
    assert ts.experts(cap) == []


def test_line_without_code_inside_a_reply(tmp_path):
    """A line without a code inside a multi-line reply is reported as such,
    once, and the reply goes on after it; it is no reply too long."""
    cap = ts.text_pcap(tmp_path, "S: 220 mx\nC: EHLO c\nS: 250-mx\nS+ 250-SIZE 1000\nS+ oops\nS+ 250-8BITMIME\n"
                                 "S+ 250 HELP\nC: QUIT\nS: 221 bye\n")
    for two_pass in (False, True):
        assert [a for _, a in ts.experts(cap, two_pass)] == ["smtpx.analysis.not_a_reply"]
        assert ts.fields(cap, ["_ws.col.Info"], "frame.number == 6", two_pass=two_pass) == [
            ["S: 250-mx (+1 line) | S: oops | S: 250-8BITMIME (+1 line)"]]


def test_enhanced_code_findings(passes):
    found = ts.experts(ts.transcript_pcap("unknown_and_enhanced"), passes["two_pass"])
    assert (12, "smtpx.analysis.enhanced_class_mismatch") in found      # 250 5.1.1
    assert (14, "smtpx.analysis.enhanced_malformed") in found           # 2.01.5
    assert (16, "smtpx.analysis.enhanced_missing") in found             # 550 without a code
    assert not any(a == "smtpx.analysis.enhanced_missing" and f in (4, 6) for f, a in found)  # greeting, EHLO


def test_ehlo_keywords(passes):
    got = fields("ehlo_extensions", ["smtpx.ehlo.keyword"], "smtpx.ehlo.keyword", **passes)
    assert got == [["PIPELINING,SIZE,ETRN,AUTH,AUTH,ENHANCEDSTATUSCODES,8BITMIME,DSN,SMTPUTF8,DELIVERBY,"
                    "MT-PRIORITY,REQUIRETLS,LIMITS,X-EXPS,XCLIENT"]]


def test_closing_ok_of_an_ehlo_reply_is_no_extension(passes):
    """Microsoft ends its EHLO reply with "250 OK": text, not an extension."""
    got = fields("lab5_ilon_mask", ["smtpx.ehlo.keyword"], "smtpx.ehlo.keyword", **passes)
    assert got == [["TURN,SIZE,ETRN,PIPELINING,DSN,ENHANCEDSTATUSCODES,8BITMIME,BINARYMIME,CHUNKING,VRFY"]]


def test_ehlo_size_and_auth_mechanisms(passes):
    got = fields("ehlo_extensions", ["smtpx.ehlo.size", "smtpx.ehlo.auth_mech", "smtpx.ehlo.param"],
                 "smtpx.ehlo.keyword", **passes)
    assert got[0][0] == "1000"
    assert got[0][1] == "PLAIN,LOGIN,PLAIN,LOGIN"          # both the AUTH and the old AUTH= line
    assert "RCPTMAX=100" in got[0][2].split(",")


def test_ehlo_descriptions():
    cap = ts.capture_path(ts.transcript_pcap("ehlo_extensions"))
    text = ts.tshark(["-r", cap, "-O", "smtpx", "-V", "-Y", "smtpx.ehlo.keyword"]).stdout
    assert "Extension: PIPELINING (Command pipelining, RFC 2920)" in text
    assert "Extension: X-EXPS (" in text


def test_masked_extension(passes):
    """A firewall on the path masks extensions in the EHLO reply (XXXXXXXA
    over STARTTLS): each masked keyword is a finding, the eight-letter one
    said to be where STARTTLS would be; a vendor keyword (XCLIENT) is not
    a masked one (the unit tests add XEXCH50 and X-EXPS)."""
    got = ts.fields(ts.transcript_pcap("starttls_masked"), ["frame.number", "_ws.expert.message"],
                    "smtpx.analysis.masked_extension", **passes)
    assert [r[0] for r in got] == ["6"]
    assert got[0][1].split(",The EHLO reply")[0] == (
        "The EHLO reply offers \"XXXXXXXA\": an extension masked by a firewall on the path (Cisco ASA's ESMTP "
        "inspection writes XXXXXXXA over STARTTLS), so the client cannot use it; where it is STARTTLS (eight "
        "letters), mail goes without TLS")
    assert ts.frames_matching(ts.transcript_pcap("ehlo_extensions"), "smtpx.analysis.masked_extension",
                              **passes) == []


def test_masked_banner(passes):
    """The same firewall masks the banner by default: asterisks over all
    but '2', '0' and blanks. A note, no server name or software taken from
    it; the name then comes from the reply to EHLO. An ordinary greeting
    is not masked."""
    cap = ts.transcript_pcap("starttls_masked")
    got = ts.fields(cap, ["frame.number", "_ws.expert.message"], "smtpx.analysis.masked_banner", **passes)
    assert got == [["4", "The greeting's text is asterisks: a firewall on the path masked the banner (Cisco ASA's "
                    "ESMTP inspection does by default), so the server's name and software are hidden; it may also "
                    "mask EHLO extensions such as STARTTLS"]]
    assert ts.fields(cap, ["frame.number", "smtpx.session.server_name", "smtpx.rsp.software"], "smtpx",
                     **passes)[:4] == [["4", "", ""], ["5", "", ""], ["6", "mx.example.org", ""],
                                       ["7", "mx.example.org", ""]]
    assert ts.frames_matching(ts.transcript_pcap("ehlo_extensions"), "smtpx.analysis.masked_banner",
                              **passes) == []


def test_promises_are_checked(passes):
    cap = ts.transcript_pcap("ehlo_extensions")
    unadv = [f for f, a in ts.experts(cap, passes["two_pass"]) if a == "smtpx.analysis.unadvertised"]
    assert unadv == [7, 9, 11, 13]           # SIZE=5000 > 1000, CRAM-MD5, BDAT, STARTTLS
    msgs = [r[0] for r in ts.fields(cap, ["_ws.expert.message"], "smtpx.analysis.unadvertised",
                                                **passes)]
    assert "SIZE=5000 is larger than the 1000 bytes the server advertised" in msgs[0]
    assert "AUTH CRAM-MD5, but the server did not advertise the mechanism CRAM-MD5 in its EHLO reply" in msgs[1]
    assert "BDAT, but the server did not advertise CHUNKING in its EHLO reply" in msgs[2]


def test_parameters_without_advertisement(passes):
    """MAIL and RCPT parameters of extensions the server did not advertise:
    one finding per extension and command (RET and ENVID both need DSN);
    SIZE was advertised, BODY=7BIT needs nothing; after HELO nothing was."""
    cap = ts.transcript_pcap("unadvertised_params")
    assert ts.experts(cap, passes["two_pass"]) == [(7, "smtpx.analysis.unadvertised")] * 4 + [
        (9, "smtpx.analysis.unadvertised"), (26, "smtpx.analysis.unadvertised")]
    got = [m for r in ts.rows(cap, ["_ws.expert.message"], "smtpx.analysis.unadvertised", **passes) for m in r[1]]
    no_ext = "but the server did not advertise {} in its EHLO reply"
    assert got == [f"MAIL parameter BODY=8BITMIME, {no_ext.format('8BITMIME')}",
                   f"MAIL parameter SMTPUTF8, {no_ext.format('SMTPUTF8')}",
                   f"MAIL parameter AUTH=<>, {no_ext.format('AUTH')}",
                   f"MAIL parameter RET=HDRS, {no_ext.format('DSN')}",
                   f"RCPT parameter NOTIFY=NEVER, {no_ext.format('DSN')}",
                   "MAIL parameter SIZE=100, but the session began with HELO, so the server advertised no "
                   "extension (SIZE needs EHLO)"]


def test_reply_no_command_waits_for(passes):
    """A second reply to one EHLO answers no command; the 421 of a server
    that times out does not need one (RFC 5321 3.8): its finding is the
    serious reply only, and its note says the server closes."""
    cap = ts.transcript_pcap("server_timeout")
    assert ts.experts(cap, passes["two_pass"]) == [(7, "smtpx.analysis.unsolicited_reply"),
                                                   (8, "smtpx.analysis.serious_reply")]
    got = ts.fields(cap, ["_ws.expert.message"], "frame.number == 7", **passes)
    assert got == [["Reply 250 answers no command of the client"]]
    got = ts.fields(cap, ["smtpx.response_to", "smtpx.note"], "frame.number == 8", **passes)
    assert got == [["", "421: the service is not available; the server closes the connection (try later)"]]


def test_lmtp_one_reply_per_recipient(passes):
    """LMTP (RFC 2033): LHLO is its EHLO, and the end of a message gets one
    reply per accepted recipient, in RCPT order: each is linked to the end of
    data and names its recipient; the end of data links to all of them. The
    Protocol column says LMTP from the LHLO on."""
    cap = ts.transcript_pcap("lmtp")
    got = ts.fields(cap, ["frame.number", "_ws.col.Protocol", "smtpx.response_to", "smtpx.rsp.recipient",
                          "smtpx.rsp.code"], "smtpx.rsp && frame.number >= 10", **passes)
    assert got == [["10", "LMTP", "9", "bob@example.org", "250"],
                   ["11", "LMTP", "9", "carol@example.org", "452"],
                   ["13", "LMTP", "12,12,12,12,12", "bob@example.org,carol@example.org", "250,250,250,250,250"],
                   ["15", "LMTP", "14", "", "221"]]
    assert ts.fields(cap, ["_ws.col.Protocol", "smtpx.req.command"], "frame.number == 5", **passes) == [
        ["LMTP", "LHLO"]]
    # the greeting, before the LHLO: LMTP once the first pass has seen it
    assert ts.fields(cap, ["_ws.col.Protocol"], "frame.number == 4", **passes) == [
        ["LMTP" if passes["two_pass"] else "SMTP"]]
    assert ts.fields(cap, ["smtpx.ehlo.keyword", "smtpx.note"], "frame.number == 6", **passes) == [
        ["8BITMIME,CHUNKING,ENHANCEDSTATUSCODES,PIPELINING",
         "250: the server greets the client; the lines after the first list its extensions"]]
    if passes["two_pass"]:
        assert ts.fields(cap, ["smtpx.response_in"], "smtpx.data.eod", **passes) == [["10,11"]]
    # the refused recipient and the full mailbox stand out; a recipient of
    # another domain is no open relay: LMTP delivers into local mailboxes
    assert ts.experts(cap, passes["two_pass"]) == [(8, "smtpx.analysis.serious_reply"),
                                                   (11, "smtpx.analysis.error_reply"),
                                                   (12, "smtpx.analysis.missing_from")]
    notes = ts.fields(cap, ["smtpx.note"], "frame.number == 10 || frame.number == 11", **passes)
    lmtp = "an LMTP server answers the end of a message once per accepted recipient, in RCPT order (RFC 2033)"
    assert notes == [[f"250 for bob@example.org: the message is stored in that recipient's mailbox; {lmtp}"],
                     [f"452: not enough storage on the server (try later); for carol@example.org only: {lmtp}"]]


def test_lmtp_transactions_log(passes):
    """One row per transaction, at the reply for its last recipient; the
    reply and queue id columns give each recipient's, in RCPT order, so a
    failed delivery is not hidden behind a later recipient's success (or
    the other way round). A message delivered to any recipient counts as
    accepted in -z smtpx,tree."""
    cap = ts.transcript_pcap("lmtp")
    rows = ts.transactions(cap, passes["two_pass"])
    keys = ["frame", "helo", "rcpt_to", "rcpt_ok", "rcpt_rejected", "reply", "queue_id"]
    assert [[r[k] for k in keys] for r in rows] == [
        ["11", "mx.example.org", "bob@example.org,carol@example.org", "2", "1", "250,452", "eG8pB3vQM2W0AQAA,-"],
        ["13", "mx.example.org", "bob@example.org,carol@example.org", "2", "0", "250,250",
         "iB1hC3vQM2W0AQAA,iB1hC3vQM2W0AQAA"]]
    tree = ts.tshark(["-r", ts.capture_path(cap), "-q", "-z", "smtpx,tree"] + ["-2"] * passes["two_pass"]).stdout
    assert re.search(r"^ accepted +2 ", tree, re.M) and " refused " not in tree


def test_lmtp_summary_gives_each_recipient_its_reply(passes):
    """The message summary lists the recipients with the reply each got at
    the end of data (two passes: the replies come after it), in the label
    and as smtpx.msg.reply_code and .queue_id; in one pass only the names,
    as unanswered where the RCPTs still wait for their replies."""
    cap = ts.transcript_pcap("lmtp")
    got = ts.fields(cap, ["frame.number", "smtpx.msg.recipient", "smtpx.msg.reply_code", "smtpx.msg.queue_id"],
                    "smtpx.msg", **passes)
    if passes["two_pass"]:
        assert got == [["9", "bob@example.org,carol@example.org", "250,452", "eG8pB3vQM2W0AQAA"],
                       ["12", "bob@example.org,carol@example.org", "250,250", "iB1hC3vQM2W0AQAA,iB1hC3vQM2W0AQAA"]]
    else:   # (BDAT LAST pipelined with its RCPTs: they have no reply yet)
        assert got == [["9", "bob@example.org,carol@example.org", "", ""], ["12", "", "", ""]]
        assert ts.fields(cap, ["smtpx.msg.recipient_unanswered"], "frame.number == 12", **passes) == [
            ["bob@example.org,carol@example.org"]]
    if passes["two_pass"] and passes["verbose"]:
        out = ts.tshark(["-r", ts.capture_path(cap), "-2", "-V", "-Y", "frame.number == 9"]).stdout
        blind = "(blind copy: the message has no To or Cc)"
        assert f"[Accepted recipient: bob@example.org {blind} (final reply 250 in frame 10)]\n" \
               "            [Queue id: eG8pB3vQM2W0AQAA]\n" \
               f"        [Accepted recipient: carol@example.org {blind} (final reply 452 in frame 11)]\n" in out
        assert "[Final reply:" not in out       # (hidden: the label says it)


def test_hello_reply_names_the_client_address(passes):
    """Exchange, Sendmail and Exim name the address they see the client
    connect from in the reply to HELO/EHLO: in the Ilon Mask lab, captured
    behind a NAT, the server sees another address than the packets show."""
    cap = ts.transcript_pcap("lab5_ilon_mask")
    assert ts.fields(cap, ["frame.number", "smtpx.rsp.client_ip"], "smtpx.rsp.client_ip", **passes) == [
        ["25", "176.52.33.174"]]
    cap = ts.transcript_pcap("forged_helo")
    assert ts.fields(cap, ["frame.number", "smtpx.rsp.client_ip", "smtpx.rsp.client_ipv6"],
                     "smtpx.rsp.client_ip || smtpx.rsp.client_ipv6", **passes) == [
        ["12", "203.0.113.9", ""], ["16", "", "2001:db8::1"]]
    if passes["verbose"]:
        out = ts.tshark(["-r", ts.capture_path(ts.transcript_pcap("lab5_ilon_mask")), "-V", "-Y",
                         "frame.number == 25"] + ["-2"] * passes["two_pass"]).stdout
        assert ("Client address the server sees: 176.52.33.174 (the capture shows 192.168.1.172: a NAT or proxy "
                "between them translates it)") in out
        out = ts.tshark(["-r", ts.capture_path(cap), "-V", "-Y", "frame.number == 12"]).stdout
        assert "Client address the server sees: 203.0.113.9\n" in out


def test_refusal_reasons(passes):
    """The reason a 4xx/5xx reply gives in its words: greylisting, relay
    denied, SPF (on the second line of Gmail's reply), TLS required, and a
    blocklist with its name; never on a positive reply. Counted in
    -z smtpx,tree."""
    cap = ts.transcript_pcap("refusal_reasons")
    got = ts.fields(cap, ["frame.number", "smtpx.rsp.reason", "smtpx.rsp.blocklist"], "smtpx.rsp", **passes)
    assert [r for r in got if r[1] or r[2]] == [
        ["10", "greylisting", ""], ["12", "relay denied", ""], ["14", "SPF", ""], ["18", "TLS required", ""],
        ["27", "blocklist", "zen.spamhaus.org"]]
    assert len(got) == 11
    if passes["verbose"]:
        out = ts.tshark(["-r", ts.capture_path(cap), "-V", "-Y", "frame.number == 10"] +
                        ["-2"] * passes["two_pass"]).stdout
        assert ("Reason: greylisting: the server turns away the first attempt of an unknown sender on purpose; a "
                "real mail server tries again later, most spam software does not") in out
    tree = ts.tshark(["-r", ts.capture_path(cap), "-q", "-z", "smtpx,tree"] + ["-2"] * passes["two_pass"]).stdout
    assert re.search(r"^Refusal reasons +5 ", tree, re.M)
    assert re.search(r"^ blocklist +1 ", tree, re.M) and re.search(r"^ greylisting +1 ", tree, re.M)
    # a greeting that refuses the client is explained as such, not as a failed transaction
    assert ts.fields(cap, ["smtpx.note"], "frame.number == 27", **passes) == [
        ["554: the server refuses this client at once: no mail service for it here (often its address is on a "
         "blocklist); it still answers QUIT (RFC 5321 3.1)"]]


CAPTURES = Path(__file__).resolve().parent / "captures"


def test_server_software_from_the_greeting(passes):
    """The greeting names the mail software and often its version: a real
    Exim 4.96 (not fooled by its host name exim.smtpx.test), aiosmtpd, the
    Ilon Mask lab's Windows server; Postfix and Dovecot give no version. A
    version given away is a finding; every later PDU carries the software."""
    exim = ts.fields(CAPTURES / "exim4_ehlo.pcapng", ["frame.number", "smtpx.rsp.software",
                     "smtpx.rsp.software_version", "smtpx.session.server_software"], "smtpx",
                     extra=["-d", "tcp.port==2526,smtpx"], **passes)
    assert exim[0] == ["4", "Exim", "4.96", "Exim 4.96"]
    assert len(exim) > 10 and all(r[1:] == ["", "", "Exim 4.96"] for r in exim[1:])
    wanted = {"lab5_ilon_mask": ["4", "Microsoft IIS SMTP", "10.0.14393.0"],
              "lab_postfix_auth_login": ["4", "Postfix", ""], "lmtp": ["4", "Dovecot", ""],
              "all_verbs": []}
    for name, row in wanted.items():
        got = fields(name, ["frame.number", "smtpx.rsp.software", "smtpx.rsp.software_version"],
                     "smtpx.rsp.software", **passes)
        assert got == ([row] if row else []), name
    aiosmtpd = ts.fields(CAPTURES / "aiosmtpd_auth.pcapng", ["smtpx.rsp.software_version"], "smtpx.rsp.software",
                         **passes)
    assert aiosmtpd == [["1.4.3"]] * 4
    found = ts.experts(ts.transcript_pcap("lab5_ilon_mask"), passes["two_pass"])
    assert [e for e in found if e[1] == "smtpx.analysis.version_disclosed"] == [
        (4, "smtpx.analysis.version_disclosed")]
    assert "smtpx.analysis.version_disclosed" not in {e[1] for e in
                                                      ts.experts(ts.transcript_pcap("lab_postfix_auth_login"),
                                                                 passes["two_pass"])}
    if passes["verbose"]:
        out = ts.tshark(["-r", ts.capture_path(ts.transcript_pcap("lab5_ilon_mask")), "-V", "-Y",
                         "frame.number == 4"] + ["-2"] * passes["two_pass"]).stdout
        assert "        Server software: Microsoft IIS SMTP\n        Software version: 10.0.14393.0\n" in out
        assert ("The greeting gives away the server software and its version (Microsoft IIS SMTP 10.0.14393.0): "
                "anyone can look up that version's known flaws") in out
        assert "[Session: server WIN-BKLR90FGWRQ (Microsoft IIS SMTP 10.0.14393.0)]" in out


@pytest.mark.parametrize("greeting,name", [
    ("220 2.0.0 mx.example.org ESMTP ready", "mx.example.org"),
    ("554 5.7.1 mx.example.org Service unavailable; client blocked using zen.example", "mx.example.org"),
    ("421 4.3.2 Service not available", ""),      # a refusal's first word need not be the name
    ("554 No SMTP service here", ""),
])
def test_server_name_after_the_enhanced_code(greeting, name, tmp_path):
    cap = ts.text_pcap(tmp_path, f"S: {greeting}\nC: QUIT\nS: 221 bye\n")
    for two_pass in (False, True):
        assert ts.fields(cap, ["smtpx.session.server_name"], "smtpx.req", two_pass=two_pass) == [[name]]


@pytest.mark.parametrize("two_pass", [False, True], ids=["1pass", "2pass"])
def test_server_software_counted_and_logged(two_pass):
    """-z smtpx,tree counts the greetings by software and version ("not
    named" when it names none); the sessions log has a column for it."""
    args = ["-q", "-z", "smtpx,tree", "-z", "smtpx,sessions,tsv"] + ["-2"] * two_pass
    out = ts.tshark(["-r", ts.capture_path(CAPTURES / "aiosmtpd_auth.pcapng"), *args]).stdout
    assert re.search(r"^Server software +4 ", out, re.M)
    assert re.search(r"^ Python aiosmtpd +4 .*\n  1\.4\.3 +4 ", out, re.M)
    lines = [line.split("\t") for line in out.splitlines() if "\t" in line]
    assert [dict(zip(lines[0], r))["software"] for r in lines[1:]] == ["Python aiosmtpd 1.4.3"] * 4
    out = ts.tshark(["-r", ts.capture_path(ts.transcript_pcap("all_verbs")), *args]).stdout
    assert re.search(r"^Server software +1 .*\n not named +1 ", out, re.M)
    lines = [line.split("\t") for line in out.splitlines() if "\t" in line]
    assert [dict(zip(lines[0], r))["software"] for r in lines[1:]] == ["-"]


def test_pipelining_without_advertisement(passes):
    found = ts.experts(ts.transcript_pcap("starttls_injection"), passes["two_pass"])
    assert (7, "smtpx.analysis.unadvertised") in found
    assert ts.experts(ts.transcript_pcap("pipelining"), passes["two_pass"]) == [
        (8, "smtpx.analysis.serious_reply"), (9, "smtpx.analysis.missing_from")]


def test_session_facts_on_every_later_pdu(passes):
    got = fields("lab_postfix_auth_login", ["frame.number", "smtpx.session.server_name", "smtpx.session.client_name"],
                 "smtpx", **passes)
    assert got[0] == ["4", "profbox.domain.local", ""]
    assert all(r[1:] == ["profbox.domain.local", "raphael.cardoso@students.hevs.ch"] for r in got[1:])
    assert len(fields("lab_postfix_auth_login", ["frame.number"],
                      'smtpx.session.server_name == "profbox.domain.local"', **passes)) == len(got)


@pytest.mark.parametrize("two_pass", [False, True], ids=["1pass", "2pass"])
def test_printed_tree_says_each_thing_once(two_pass):
    """-V shows the session names as one line and no item repeating its
    parent's label (note phase, header name and value): those are hidden
    fields, still there for filters."""
    cap = ts.capture_path(ts.transcript_pcap("lab_postfix_auth_login"))
    out = ts.tshark(["-r", cap, *["-2"] * two_pass, "-V", "-Y", "frame.number == 6"]).stdout
    assert "[Session: client raphael.cardoso@students.hevs.ch, server profbox.domain.local (Postfix)]" in out
    assert "[Teaching note: [greeting and EHLO]" in out
    assert "Server name:" not in out and "[Phase:" not in out and "Server software:" not in out
    greeting = ts.tshark(["-r", cap, *["-2"] * two_pass, "-V", "-Y", "frame.number == 4"]).stdout
    assert "[Session: server profbox.domain.local (Postfix)]" in greeting
    assert fields("lab_postfix_auth_login", ["smtpx.note.phase"], "frame.number == 6",
                  two_pass=two_pass) == [["greeting and EHLO"]]


@pytest.mark.parametrize("two_pass", [False, True], ids=["1pass", "2pass"])
def test_printed_tree_hides_what_the_label_says(two_pass):
    """An enhanced code's label ends with its meaning, a message summary's
    label gives size and lines, and the typed item of a SIZE or AUTH
    parameter shows the same bytes as the generic one: those items are
    hidden from -V, and still there for -T fields."""
    cap = ts.capture_path(ts.transcript_pcap("ehlo_extensions"))
    out = ts.tshark(["-r", cap, *["-2"] * two_pass, "-V", "-O", "smtpx"]).stdout
    assert "Maximum message size: 1000" in out and "Extension parameter: 1000" not in out
    assert out.count("AUTH mechanism: PLAIN") == 2 and "Extension parameter: PLAIN" not in out
    assert "Extension parameter: 3600" in out           # DELIVERBY: no typed item
    assert "Enhanced status code: 5.3.4 (Message too big for system)" in out
    assert "[Meaning:" not in out
    assert fields("ehlo_extensions", ["smtpx.rsp.enhanced.meaning"], "smtpx.rsp.code == 552",
                  two_pass=two_pass) == [["Message too big for system"]]
    assert fields("ehlo_extensions", ["smtpx.ehlo.param"], "smtpx.rsp.code == 250", two_pass=two_pass) == [
        ["1000,PLAIN,LOGIN,PLAIN,LOGIN,3600,MIXER,RCPTMAX=100,MAILMAX=10,GSSAPI,NTLM,NAME,ADDR"]]
    summary = ts.tshark(["-r", ts.capture_path(ts.transcript_pcap("lab5_ilon_mask")), *["-2"] * two_pass,
                         "-V", "-Y", "smtpx.msg"]).stdout
    assert "[Message summary: " in summary and "[Size:" not in summary and "[Lines:" not in summary
    assert "191 bytes, 6 lines" in summary
    assert fields("lab5_ilon_mask", ["smtpx.msg.size", "smtpx.msg.lines"], "smtpx.msg",
                  two_pass=two_pass) == [["191", "6"]]


def test_lmtp_recipient_refused_after_its_end_of_data(passes):
    """A RCPT pipelined with BDAT LAST and refused afterwards gets no reply
    after the chunk (RFC 2033 4.2): two replies for bob and carol, then
    NOOP's reply answers NOOP (carol's reply was once taken for nobody's,
    NOOP's for carol's). In one pass the summary lists the recipients as
    unanswered; with two, the accepted ones."""
    cap = ts.transcript_pcap("lmtp_refused_pipelined")
    got = ts.fields(cap, ["frame.number", "smtpx.response_to", "smtpx.rsp.recipient"], "smtpx.rsp", **passes)
    assert got[-3:] == [["8", "7,7,7,7,7,7", "bob@example.org,carol@example.org"], ["10", "9", ""],
                        ["12", "11", ""]]
    summary = ts.fields(cap, ["smtpx.msg.recipient", "smtpx.msg.recipient_unanswered"], "smtpx.msg", **passes)
    assert summary == ([["bob@example.org,carol@example.org", ""]] if passes["two_pass"] else
                       [["", "bob@example.org,nobody@example.org,carol@example.org"]])
    keys = ["frame", "rcpt_to", "rcpt_rejected", "reply", "queue_id"]
    assert [[r[k] for k in keys] for r in ts.transactions(cap, passes["two_pass"])] == [
        ["8", "bob@example.org,carol@example.org", "1", "250,250", "AAAA,BBBB"]]


def test_refused_lhlo_leaves_the_session_smtp(passes):
    """An SMTP server refuses LHLO and the client says EHLO: one reply to
    the end of data, QUIT's reply answers QUIT, the Protocol column says
    SMTP after the refusal, and the open-relay check is on (a junk LHLO once
    turned it off)."""
    cap = ts.transcript_pcap("lhlo_refused")
    got = ts.fields(cap, ["frame.number", "_ws.col.Protocol", "smtpx.response_to"], "smtpx.rsp.code && frame.number > 6",
                    **passes)
    assert got[-2:] == [["18", "SMTP", "17"], ["20", "SMTP", "19"]]
    assert ts.experts(cap, passes["two_pass"]) == [(6, "smtpx.analysis.error_reply"),
                                                   (14, "smtpx.analysis.open_relay")]


def test_lmtp_on_port_24_from_mid_session(passes):
    """A capture of port 24 that starts after the LHLO: the end of data gets
    a reply per recipient (carol's once answered nothing)."""
    cap = ts.transcript_pcap("lmtp_midsession")
    got = ts.fields(cap, ["frame.number", "smtpx.response_to", "smtpx.rsp.recipient"], "smtpx.rsp.recipient",
                    **passes)
    assert got == [["10", "9", "bob@example.org"], ["11", "9", "carol@example.org"]]
    keys = ["frame", "reply", "queue_id"]
    assert [[r[k] for k in keys] for r in ts.transactions(cap, passes["two_pass"])] == [["11", "250,250", "AAAA,AAAA"]]
