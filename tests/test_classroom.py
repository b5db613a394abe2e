# SPDX-License-Identifier: GPL-2.0-or-later
"""Issue 7: teaching notes, statistics, the transaction log, annotated
captures and the SMTP Classroom profile."""

import json
import re
from decimal import Decimal, ROUND_HALF_UP
import shutil
import subprocess
import shlex
from pathlib import Path

import pytest

import smtpx_tshark as ts

REPO = Path(__file__).resolve().parent.parent


def test_every_pdu_has_a_note(passes):
    cap = ts.transcript_pcap("lab_postfix_auth_login")
    pdus = ts.frames_matching(cap, "smtpx.req || smtpx.rsp || smtpx.auth.step || smtpx.data || smtpx.data.eod",
                              **passes)
    assert ts.frames_matching(cap, "smtpx.note", **passes) == pdus


def test_notes_and_phases(passes):
    got = ts.fields(ts.transcript_pcap("lab_postfix_auth_login"), ["frame.number", "smtpx.note.phase", "smtpx.note"],
                    "smtpx", **passes)
    by = {int(r[0]): r[1:] for r in got}
    assert by[4] == ["connection establishment", "220: the server is ready: its greeting, naming itself"]
    assert by[5][0] == "greeting and EHLO"
    assert by[9][0] == "authentication"
    assert by[13][0] == "mail transaction: envelope"
    assert by[20] == ["mail transaction: message transfer",
                      '354: the server is ready for the message; end it with a line holding only "."']
    assert by[21][0] == "mail transaction: message transfer"
    assert by[31][0] == "connection termination"


def test_notes_are_not_findings(passes):
    cap = REPO / "tests/captures/postfix_swaks_basic.pcapng"      # a clean session
    notes = ts.frames_matching(cap, "smtpx.note", **passes)
    assert len(notes) == 13 and notes == ts.frames_matching(cap, "smtpx", **passes)
    assert ts.frames_matching(cap, "smtpx.analysis", **passes) == []


def test_notes_fit_in_a_label():
    """Wireshark cuts an item's label at 239 characters: every note of the
    tables, with its phase (a reply's: the longest) and its frame numbers
    at 7 digits, fits in "Teaching note: [phase] note", and none is cut in
    the -V output of the transcripts with the longest ones."""
    src = re.sub(r'"\s*\n\s*"', "", (REPO / "plugin" / "smtpx_notes.c").read_text())   # as C joins literals
    phases = dict(re.findall(r'\[(SMTPX_PHASE_\w+)\] = "([^"]+)"', src))
    notes = re.findall(r'(?:(SMTPX_PHASE_\w+), )?"((?:[^"\\]|\\.)*)"', src)
    notes = [(phases.get(p, max(phases.values(), key=len)), n) for p, n in notes
             if n not in phases.values() and len(n) > 40]     # a reply's phase is its request's: the longest
    assert len(notes) > 60
    too_long = [n for p, n in notes
                if len(f"Teaching note: [{p}] " + n.replace("%u:", "250:").replace("%u", "1234567")
                       .replace('\\"', '"')) > 239]
    assert too_long == []
    for name in ("smuggling", "dkim_checks", "arc_chain", "arc_results", "xclient", "lmtp", "data_before_354"):
        out = ts.tshark(["-r", ts.capture_path(ts.transcript_pcap(name)), "-V"]).stdout
        assert "Teaching note:" in out and "[truncated]Teaching note" not in out, name


def test_note_on_an_end_only_the_server_saw(passes):
    """The server answers the <LF>.<LF> of frame 21 and the <CR>.<CR> of
    frame 29 (SMTP smuggling): the note on its reply explains that, where a
    reply to a real end of data (frame 14) says the message was accepted."""
    got = ts.fields(ts.transcript_pcap("smuggling"), ["frame.number", "smtpx.note.phase", "smtpx.note"],
                    "frame.number in {14, 22, 30}", **passes)
    taken = ('250: the server ended the message at the "." of frame {}, though only <CRLF>.<CRLF> ends it (RFC '
             '5321): it reads what follows as commands, how SMTP smuggling hides another message')
    phase = "mail transaction: message transfer"
    assert got == [["14", phase, "250: the server accepted the message; it is now responsible for delivering it"],
                   ["22", phase, taken.format(21)], ["30", phase, taken.format(29)]]


def test_note_on_hello_inside_a_transaction(passes):
    """EHLO inside a transaction cancels it (RFC 5321 4.1.4): its note says
    so, the first EHLO's does not."""
    got = ts.fields(ts.transcript_pcap("ehlo_resets"), ["frame.number", "smtpx.note"], "smtpx.req.command == EHLO",
                    **passes)
    plain = "EHLO: the client gives its host name and asks which extensions (ESMTP) the server offers"
    assert got == [["5", plain],
                   ["11", plain + "; mid-transaction it also cancels the transaction, as RSET does (RFC 5321 4.1.4)"]]


def test_note_on_starttls_inside_a_transaction(tmp_path):
    """STARTTLS shares the hello's phase, not its RSET effect: no such note."""
    cap = ts.text_pcap(tmp_path, "S: 220 mx\nC: EHLO c.example\nS: 250-mx\nS+ 250 STARTTLS\nC: MAIL FROM:<a@c.example>\n"
                       "S: 250 ok\nC: STARTTLS\nS: 454 4.7.0 TLS not available\n")
    assert ts.fields(cap, ["smtpx.note"], 'smtpx.req.command == "STARTTLS"') == [
        ["STARTTLS: the client asks to encrypt the connection with TLS from now on"]]


def test_notes_can_be_switched_off():
    cap = ts.transcript_pcap("lab_postfix_auth_login")
    assert ts.fields(cap, ["frame.number"], "smtpx.note", extra=["-o", "smtpx.teaching_notes:FALSE"]) == []


def z(capture, arg, two_pass=False, extra=()):
    return ts.tshark(["-r", ts.capture_path(capture), "-q", "-z", arg, *extra] + (["-2"] if two_pass else [])).stdout


def test_stats_tree():
    out = z(ts.transcript_pcap("message_headers"), "smtpx,tree")
    rows = {line.split()[0]: line.split()[1] for line in out.splitlines()
            if line.strip() and not line.startswith(("=", "-", "Topic", "SMTP"))}
    assert rows["Commands"] == "10" and rows["RCPT"] == "4" and rows["MAIL"] == "2"
    assert rows["Replies"] == "13" and rows["5xx"] == "1" and rows["550"] == "1" and rows["354"] == "2"
    assert rows["5.1.x"] == "1"
    assert rows["accepted"] == "2"
    assert rows["smtpx.analysis.serious_reply"] == "1"
    # the domains of MAIL FROM and RCPT TO (refused ones too: a harvest shows)
    assert re.search(r"^Sender domains \(MAIL FROM\) +2 .*\n mail\.example\.com +2 ", out, re.M)
    assert re.search(r"^Recipient domains \(RCPT TO\) +4 .*\n example\.org +4 ", out, re.M)
    bounce = z(ts.transcript_pcap("all_verbs"), "smtpx,tree")
    assert re.search(r"^ \(null sender: a bounce\) +1 ", bounce, re.M)
    # an empty RCPT TO (typed by hand) is no bounce's sender
    typed = z(ts.transcript_pcap("typed_by_hand"), "smtpx,tree")
    assert re.search(r"^ \(empty address\) +1 ", typed, re.M) and "null sender" not in typed
    auth = z(ts.transcript_pcap("auth_mechanisms"), "smtpx,tree")
    arows = [line.split() for line in auth.splitlines()]
    assert ["LOGIN", "4"] == [r for r in arows if r and r[0] == "LOGIN"][0][:2]
    assert any(r[:2] == ["success", "1"] for r in arows if r)
    # a 501 is "cancelled" only after the client's "*" (frame 36), as smtpx.auth.result says; the 501 to
    # bad base64 (frame 32) is a failure; the 503 to an AUTH after the login is "refused", no failure
    login = [r[:2] for r in arows[[r[:1] for r in arows].index(["LOGIN"]) + 1:][:3]]
    assert sorted(login) == [["cancelled", "1"], ["failure", "2"], ["refused", "1"]]
    assert [[r[k] for k in ("auth", "user", "auth_ok", "auth_failed")]
            for r in sessions(ts.transcript_pcap("auth_mechanisms"))] == [["PLAIN", "bob", "1", "9"]]
    # an exchange whose AUTH the capture lacks counts under its mechanism, from its outcome
    mid = [line.split()[:2] for line in z(ts.transcript_pcap("auth_midstream"), "smtpx,tree").splitlines()]
    at = mid.index(["AUTH", "1"])
    assert mid[at + 1:at + 3] == [["LOGIN", "1"], ["success", "1"]]
    assert [(r["auth"], r["auth_ok"]) for r in sessions(ts.transcript_pcap("auth_midstream"))] == [("LOGIN", "1")]


def test_stats_tree_counts_deferred_messages_apart(tmp_path):
    """A message answered 4xx is deferred (the client tries again), not
    refused: mail admins count them apart."""
    msg = "C: MAIL FROM:<a@b.example>\nS: 250 ok\nC: RCPT TO:<c@d.example>\nS: 250 ok\nC: DATA\nS: 354 go\n" \
          "C: Subject: x\nC+\nC+ x\nC+ .\nS: {}\n"
    cap = ts.text_pcap(tmp_path, "S: 220 mx\nC: EHLO c.example\nS: 250 mx\n" + "".join(
        msg.format(r) for r in ("250 2.0.0 queued", "451 4.3.0 try later", "552 5.3.4 too big", "452 4.3.1 full")))
    for two_pass in (False, True):
        rows = [line.split()[:2] for line in z(cap, "smtpx,tree", two_pass).splitlines()]
        messages = rows[rows.index(["Messages", "4"]) + 1:][:3]
        assert sorted(messages) == [["accepted", "1"], ["deferred", "2"], ["refused", "1"]]


def test_stats_tree_names_at_most_1000_children(tmp_path):
    """A top node names at most 1000 children; the rest count as one
    "(others)", so a recipient per domain stays linear in time."""
    rcpts = "".join(f"C: RCPT TO:<a@d{i}.example>\nS: 250 ok\n" for i in range(1003))
    cap = ts.text_pcap(tmp_path, "S: 220 mx\nC: EHLO c\nS: 250 mx\nC: MAIL FROM:<a@b.example>\nS: 250 ok\n" + rcpts)
    out = z(cap, "smtpx,tree")
    assert re.search(r"^Recipient domains \(RCPT TO\) +1003 ", out, re.M)
    assert re.search(r"^ \(others\) +3 ", out, re.M) and re.search(r"^ d999\.example +1 ", out, re.M)
    assert not re.search(r"^ d1000\.example ", out, re.M)


def srt_rows(out):
    """{command: (calls, min, max)} of a -z smtpx,srt table (times in seconds, as printed)."""
    rows = {}
    for line in out.splitlines():
        m = re.match(r"\s*\d+\s+(.+?)\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s+[\d.]+\s+[\d.]+$", line)
        if m:
            rows[m[1]] = (int(m[2]), m[3], m[4])
    return rows


@pytest.mark.parametrize("capture", ["postfix_attachment.pcapng", "postfix_sasl.pcapng"])
def test_service_response_time(capture, passes):
    """-z smtpx,srt: per command, the replies and the min and max time from
    the request, as smtpx.time gives them on each reply (rounded to the
    microsecond, as tshark prints them); the greeting from the client's SYN."""
    capture = ts.REPO / "tests" / "captures" / capture
    commands = {int(f): c or (". (end of data)" if eod else "AUTH step") for f, c, eod in
                ts.fields(capture, ["frame.number", "smtpx.req.command", "smtpx.data.eod"], "smtpx")}
    times = {}
    for req, t in ts.fields(capture, ["smtpx.response_to", "smtpx.time"], "smtpx.time"):
        times.setdefault(commands[int(req)], []).append(Decimal(t))
    syn = {st: Decimal(t) for st, t in ts.fields(capture, ["tcp.stream", "frame.time_epoch"],
                                                   "tcp.flags.syn == 1 && tcp.flags.ack == 0")}
    for st, t in ts.fields(capture, ["tcp.stream", "frame.time_epoch"], "smtpx.rsp.code == 220 && !smtpx.response_to"):
        times.setdefault("(greeting, from SYN)", []).append(Decimal(t) - syn[st])
    us = Decimal("0.000001")
    want = {c: (len(t), str(min(t).quantize(us, ROUND_HALF_UP)), str(max(t).quantize(us, ROUND_HALF_UP)))
            for c, t in times.items()}
    assert srt_rows(z(capture, "smtpx,srt", passes["two_pass"])) == want
    assert {"EHLO", "MAIL", "RCPT", "DATA", ". (end of data)", "QUIT", "(greeting, from SYN)"} <= want.keys()


def test_service_response_time_smuggled_end():
    """The end of data the server took (<LF>.<LF>, <CR>.<CR>) is timed from its frame."""
    got = srt_rows(z(ts.transcript_pcap("smuggling"), "smtpx,srt"))
    assert got[". (end of data)"] == (3, "0.010000", "0.010000")


def test_stats_tree_attachments():
    out = z(ts.transcript_pcap("attachments"), "smtpx,tree")
    rows = {line.split()[0]: line.split()[1] for line in out.splitlines()
            if line.strip() and not line.startswith(("=", "-", "Topic", "SMTP"))}
    assert rows["Attachments"] == "9" and rows["application/octet-stream"] == "3" and rows["application/zip"] == "2"
    assert rows["application/pdf"] == rows["image/png"] == rows["text/plain"] == "1"
    assert rows["smtpx.analysis.risky_attachment"] == "6"


def test_transactions_log(passes):
    rows = ts.transactions(ts.transcript_pcap("message_headers"), passes["two_pass"])
    assert list(rows[0])[:5] == ["frame", "stream", "client", "real_client", "server"]
    assert len(rows) == 2
    assert rows[0] | {} == {**rows[0], "helo": "client.example.com", "tls": "no", "mail_from": "alice@mail.example.com",
                            "rcpt_to": "bob@example.org,carol@example.org", "rcpt_ok": "2", "rcpt_rejected": "1",
                            "header_from": "alice@example.com", "subject": "Café crème plan",
                            "message_id": "<20080115160243.1234@example.com>", "size": "439", "reply": "250",
                            "queue_id": "4BF8C1080B0", "findings": "2"}    # the refused RCPT, the Return-Path
    assert rows[1]["subject"] == "second" and rows[1]["findings"] == "0" and rows[1]["message_id"] == "-"


def test_transactions_log_escapes_packet_text(passes):
    """What the client sent is printed as Wireshark shows it: bytes that are
    not UTF-8 as U+FFFD, a tab as \\t (a TSV row keeps its columns), valid
    UTF-8 as itself; a lone lead byte is not read past."""
    out = ts.tshark(["-r", ts.capture_path(ts.transcript_pcap("log_escaping")), "-q", "-z",
                     "smtpx,transactions,tsv"] + (["-2"] if passes["two_pass"] else []), raw=True).stdout
    lines = [l.split("\t") for l in out.decode("utf-8").splitlines() if "\t" in l]     # strict UTF-8
    assert len(lines) == 2 and len(lines[1]) == len(lines[0])
    row = dict(zip(lines[0], lines[1]))
    assert [row[k] for k in ["helo", "mail_from", "rcpt_to", "header_from", "subject", "user_agent", "queue_id"]] == [
        "c\ufffd.example.com", "a\ufffd@example.com", "b\ufffd@example.com", "x\ufffd@example.com",
        "caf\ufffd\\tcr\u00e8me", "\ufffd", "Q\ufffd"]


def test_json_and_ek_output_is_utf8(passes):
    """Fields made of what the client sent (HELO name, envelope, header
    values, the queue id) hold U+FFFD for bytes that are not UTF-8, as the
    logs do, so -T ek and -T json output parses as JSON."""
    cap = ts.capture_path(ts.transcript_pcap("log_escaping"))
    two = ["-2"] if passes["two_pass"] else []
    ek = ts.tshark(["-r", cap, "-T", "ek"] + two, raw=True).stdout.decode("utf-8")       # strict UTF-8
    docs = [json.loads(line) for line in ek.splitlines() if line.strip()]
    assert any("smtpx_smtpx_session_client_name" in d.get("layers", {}).get("smtpx", {}) for d in docs)
    whole = json.loads(ts.tshark(["-r", cap, "-T", "json"] + two, raw=True).stdout.decode("utf-8"))
    names = [p["_source"]["layers"]["smtpx"].get("smtpx.session", {}) for p in whole
             if "smtpx" in p["_source"]["layers"]]
    assert {"smtpx.session.client_name": "c\ufffd.example.com"}.items() <= names[-1].items()
    # bad bytes in every field (an audit's generator): a finding longer than Wireshark's 240-byte limit is cut
    # at a character, not inside one
    junk = ts.REPO / "tests" / "captures" / "regress_utf8_cut.pcap"
    whole = json.loads(ts.tshark(["-r", str(junk), "-T", "json"] + two, raw=True).stdout.decode("utf-8"))
    assert sum("smtpx" in p["_source"]["layers"] for p in whole) > 50


def test_transactions_log_smuggled_message(passes):
    """A message the server ended at <LF>.<LF> (its reply came during DATA)
    has its row, with the size up to that line."""
    rows = ts.transactions(ts.transcript_pcap("smuggling"), passes["two_pass"])
    keys = ["frame", "mail_from", "header_from", "size", "reply", "queue_id"]
    assert [[r[k] for k in keys] for r in rows] == [
        ["14", "a@example.com", "a@example.com", "65", "250", "1111"],
        ["22", "a@example.com", "a@example.com", "28", "250", "2222"],
        ["30", "a@example.com", "a@example.com", "28", "250", "3333"]]


def test_transactions_log_bdat_and_pipelined(passes):
    """BDAT headers come from the reassembled message; the row of a transaction
    keeps its own envelope when the next MAIL was pipelined behind its LAST chunk."""
    rows = ts.transactions(ts.transcript_pcap("bdat_headers"), passes["two_pass"])
    keys = ["frame", "mail_from", "rcpt_to", "header_from", "subject", "message_id", "queue_id", "findings"]
    assert [[r[k] for k in keys] for r in rows] == [
        ["14", "mallory@attacker.example", "bob@example.org", "ceo@bank.example", "urgent transfer",
         "<42@bank.example>", "B1", "1"],
        ["18", "alice@example.org", "carol@example.org", "alice@example.org", "second", "-", "B2", "0"]]


def test_transactions_log_user_agent_and_path(passes):
    """The mail program (User-Agent, else X-Mailer) and the path, the
    senders' addresses of the Received headers top first (as Zeek's
    smtp.log has them); none without a trace, and no path without
    reassembly (nor any header of a BDAT message)."""
    cap = ts.transcript_pcap("received_trace")
    keys = ["frame", "user_agent", "in_reply_to", "originating_ip", "path"]
    for extra, paths in [([], ["203.0.113.5,2001:db8::7,10.1.2.3", "192.0.2.9"]),
                         (["-o", "smtpx.reassemble:FALSE"], ["-", "-"])]:
        rows = ts.transactions(cap, passes["two_pass"], extra)
        assert [[r[k] for k in keys] for r in rows] == [
            ["20", "Thunderbird 115.3", "<1234@example.org>", "[203.0.113.5]", paths[0]],
            ["28", "Mutt/2.2.9", "-", "-", "-"], ["34", "-", "-", "-", paths[1]]]


def test_transactions_log_attachments(passes):
    """The names of each message's files, as Zeek's files.log and Suricata's
    fileinfo name them; none for a plain message or without reassembly."""
    cap = ts.transcript_pcap("attachments")
    for extra, names in [([], ["invoice.pdf,invoice.pdf.exe,notes.txt,invoice_<U+202E>fdp.scr",
                               "logo.png,docs.iso,(no name),report.zip", "budget.xlsm", "-"]),
                         (["-o", "smtpx.reassemble:FALSE"], ["-"] * 4)]:
        rows = ts.transactions(cap, passes["two_pass"], extra)
        assert [[r["frame"], r["attachments"]] for r in rows] == [[str(f), n] for f, n in zip([14, 20, 28, 36], names)]
        if not extra:
            assert [r["findings"] for r in rows] == ["2", "3", "1", "0"]


def test_transactions_log_findings_start_with_mail(passes):
    """A transaction counts the findings from its MAIL on: not the refused
    MAIL before it; its message's missing From even though the next MAIL is
    pipelined behind its end of data."""
    cap = ts.transcript_pcap("txn_findings")
    assert [[r["subject"], r["findings"]] for r in ts.transactions(cap, passes["two_pass"])] == [
        ["one", "1"], ["two", "0"]]
    assert ts.log_rows(cap, "sessions", passes["two_pass"])[0]["findings"] == "3"


def test_transactions_log_findings_of_a_pipelined_mail(passes):
    """A MAIL pipelined behind the end of data brings its findings to its own
    transaction's row: the first row has none, the second its bad SIZE and
    its refused recipient."""
    cap = ts.transcript_pcap("txn_findings_pipelined")
    assert [[r["queue_id"], r["findings"]] for r in ts.transactions(cap, passes["two_pass"])] == [
        ["ONE", "0"], ["TWO", "2"]]


def test_transactions_log_refused_mail_pipelined_inside(passes):
    """A second MAIL pipelined inside an open transaction and refused (503)
    leaves the transaction its envelope and its message's findings."""
    rows = ts.transactions(ts.transcript_pcap("nested_mail_pipelined"), passes["two_pass"])
    assert [[r[k] for k in ("mail_from", "rcpt_to", "findings")] for r in rows] == [
        ["a@example.com", "b@example.org", "5"]]


def test_transactions_log_lost_end_with_pipelined_commands(passes):
    """The lost segment held the end of a message and the next envelope: the
    row keeps its queue id, and `missing` counts the bytes lost but for the
    end of data (at most what the message lacks)."""
    rows = ts.transactions(ts.transcript_pcap("lost_end_pipelined"), passes["two_pass"])
    assert [[r[k] for k in ("frame", "size", "missing", "reply", "queue_id")] for r in rows][0] == [
        "10", "39", "64", "250", "AAA"]


@pytest.mark.parametrize("name,frame", [("bdat_pipelined_two", "7"), ("data_pipelined_two", "7")])
def test_transactions_log_pipelined_messages_keep_their_headers(name, frame, passes):
    """The next message, sent before the reply to the end of the first one,
    does not lend the first row its headers or size; two messages that end
    in one frame are each reassembled and given to IMF, in both passes."""
    cap = ts.transcript_pcap(name)
    rows = ts.transactions(cap, passes["two_pass"])
    size = "70" if name.startswith("bdat") else "45"
    assert [[r[k] for k in ("queue_id", "header_from", "subject", "size", "bcc")] for r in rows] == [
        ["AAA", "alice@example.com", "one", "45", "bob@example.org"],
        ["BBB", "carol@example.com", "two", size, "-" if name.startswith("bdat") else "dave@example.org"]]
    assert ts.fields(cap, ["imf.subject"], f"frame.number == {frame}", **passes) == [["one,two"]]


def test_transactions_log_nested_mail_and_reply_during_data(passes):
    """A refused nested MAIL leaves the transaction its envelope; a reply
    during DATA (552, or 250 to an end of data the capture lacks) ends a
    transaction with a row of its own."""
    rows = ts.transactions(ts.transcript_pcap("nested_mail"), passes["two_pass"])
    assert [(r["mail_from"], r["rcpt_to"], r["rcpt_ok"], r["reply"]) for r in rows] == [
        ("alice@example.com", "carol@example.org", "1", "250")]
    assert ts.fields(ts.transcript_pcap("nested_mail"), ["smtpx.msg.sender", "smtpx.msg.recipient"], "smtpx.msg",
                     **passes) == [["alice@example.com", "carol@example.org"]]
    cap = ts.transcript_pcap("data_interrupted")
    rows = ts.transactions(cap, passes["two_pass"])
    assert [(r["frame"], r["mail_from"], r["reply"]) for r in rows] == [("14", "a@example.com", "552"),
                                                                        ("22", "a@example.com", "250")]
    session = ts.log_rows(cap, "sessions", passes["two_pass"])[0]
    assert (session["mails"], session["accepted"]) == ("2", "1")


def test_transactions_log_transactions_given_up(passes):
    """A transaction given up before a reply to a message (RSET, a new EHLO,
    QUIT, a 421 shutdown) has a row with reply "-" and no message columns: a
    sender verification probe, a recipient harvest. A refused DATA keeps its
    one row (the RSET after it adds none); none of them counts as a message."""
    cap = ts.transcript_pcap("txn_abandoned")
    keys = ["frame", "mail_from", "rcpt_to", "rcpt_ok", "rcpt_rejected", "header_from", "size", "reply"]
    assert [[r[k] for k in keys] for r in ts.transactions(cap, passes["two_pass"])] == [
        ["12", "<>", "alice@example.org", "1", "0", "-", "0", "-"],
        ["20", "harvest@spam.example", "-", "0", "2", "-", "0", "-"],
        ["24", "c@spam.example", "-", "0", "0", "-", "0", "554"],
        ["32", "d@spam.example", "bob@example.org", "1", "0", "-", "0", "-"]]
    session = ts.log_rows(cap, "sessions", passes["two_pass"])[0]
    assert (session["mails"], session["accepted"]) == ("4", "0")
    tree = z(cap, "smtpx,tree")
    assert re.search(r"^Messages +1 ", tree, re.M) and re.search(r"^ refused +1 ", tree, re.M)
    rows = ts.transactions(ts.transcript_pcap("txn_abandoned_pipelined"), passes["two_pass"])
    assert [[r[k] for k in keys] for r in rows] == [
        ["8", "a@example.com", "x@example.org", "1", "0", "-", "0", "-"],
        ["10", "b@example.com", "y@example.org", "1", "1", "-", "0", "-"]]


def test_transactions_log_aligned_with_utf8():
    """Columns line up in characters: "été" is padded as 3 characters, not 5 bytes."""
    lines = z(ts.transcript_pcap("utf8_subject_short"), "smtpx,transactions").splitlines()
    col = lines[1].index("message_id")
    assert [line[col - 2:col + 1] for line in lines[2:4]] == ["  -", "  -"]


def test_logs_take_a_display_filter():
    """-z smtpx,<log>[,tsv][,filter]: rows of the frames the filter keeps, in either format."""
    cap = ts.transcript_pcap("return_path")

    def first_cells(arg):
        return [line.split()[0] for line in z(cap, arg).splitlines() if line and not line.startswith("===")]

    assert first_cells("smtpx,transactions,tsv") == ["frame", "14", "22", "30", "49"]
    assert first_cells("smtpx,transactions,tsv,tcp.stream == 1") == ["frame", "49"]
    assert first_cells("smtpx,transactions,tcp.stream == 1") == ["frame", "49"]   # aligned: a title first
    assert z(cap, "smtpx,transactions,tcp.stream == 1").startswith("=== SMTP transactions (smtpx) ===\n")
    assert [line.split("\t")[1] for line in z(cap, "smtpx,sessions,tsv,tcp.stream == 0").splitlines()] == [
        "stream", "0"]


def test_transactions_log_aligned_with_auth():
    out = z(ts.transcript_pcap("lab_postfix_auth_login"), "smtpx,transactions")
    lines = out.splitlines()
    assert lines[0] == "=== SMTP transactions (smtpx) ==="
    assert lines[1].split() == ["frame", "stream", "client", "real_client", "server", "helo", "tls", "auth", "user",
                                "mail_from", "rcpt_to", "rcpt_ok", "rcpt_rejected", "header_from", "to", "cc", "bcc",
                                "reply_to", "date", "subject", "message_id", "in_reply_to", "user_agent",
                                "originating_ip", "auth_results", "dkim", "path", "attachments", "size", "missing",
                                "reply", "queue_id", "findings"]
    row = lines[2].split()
    assert row[3] == "-" and row[6:10] == ["no", "LOGIN", "student", "rafael.cardoso@students.hevs.ch"]
    assert row[-2:] == ["768C8CD60", "1"]    # no empty line; not those before MAIL, which are the session's:
    session = ts.log_rows(ts.transcript_pcap("lab_postfix_auth_login"), "sessions")[0]
    assert session["findings"] == "4"       # HELO with an address, AUTH after HELO, cleartext AUTH, no empty line


def test_sender_checks_in_log_and_tree(passes):
    """The newest verdicts of each message (its top Authentication-Results,
    else its Received-SPF) in the transactions log and under "Sender checks"
    in -z smtpx,tree, by method and result; the sender's own header below the
    MX's is not counted; none for a message without them."""
    rows = ts.transactions(ts.transcript_pcap("auth_results"), passes["two_pass"])
    assert [[r["frame"], r["auth_results"]] for r in rows] == [
        ["14", "spf=pass dkim=pass dmarc=pass"], ["22", "spf=softfail dkim=none dmarc=fail"], ["28", "spf=fail"],
        ["36", "spf=fail"]]
    assert [r["auth_results"] for r in ts.transactions(ts.transcript_pcap("dkim_signatures"))] == ["-", "-"]
    # each DKIM signature's domain and the worst of what its checks found
    assert [r["dkim"] for r in ts.transactions(ts.transcript_pcap("dkim_checks"), passes["two_pass"])] == [
        "shop.example=ok", "lists.example=altered", "bank.example=partial", "legacy.example=ok", "shop.example=ok",
        "mailer.example=no-from", "shop.example=expired", "arc:forwarder.example=ok,arc-chain=intact",
        "arc:forwarder.example=altered,arc-chain=intact", "shop.example=future"]
    assert [r["dkim"] for r in ts.transactions(ts.transcript_pcap("arc_chain"), passes["two_pass"])] == [
        "arc:relay.example=ok,arc:lists.example=ok,arc-chain=intact",
        "arc:relay.example=ok,arc:lists.example=altered,arc-chain=failed",
        "arc:relay.example=ok,arc:lists.example=ok,arc-chain=broken", "arc:lists.example=ok,arc-chain=broken",
        "arc:relay.example=ok,arc:lists.example=ok,arc-chain=broken", "arc:lists.example=ok,arc-chain=broken"]
    assert [r["dkim"] for r in ts.transactions(ts.transcript_pcap("dkim_signatures"))] == [
        "mailer.example.net=ok,news.brand.example=ok", "evil.example=unchecked"]
    top = "DKIM signatures (what needs no key)"
    assert tree_children(z(ts.transcript_pcap("dkim_checks"), "smtpx,tree", passes["two_pass"]), top) == {
        (top, "12"), ("ok", "4"), ("ok/shop.example", "2"), ("ok/legacy.example", "1"),
        ("ok/arc:forwarder.example", "1"), ("intact", "2"), ("intact/arc-chain", "2"),
        ("altered", "2"), ("altered/lists.example", "1"),
        ("altered/arc:forwarder.example", "1"), ("partial", "1"), ("partial/bank.example", "1"), ("no-from", "1"),
        ("no-from/mailer.example", "1"), ("expired", "1"), ("expired/shop.example", "1"), ("future", "1"),
        ("future/shop.example", "1")}
    out = z(ts.transcript_pcap("auth_results"), "smtpx,tree", passes["two_pass"])
    assert tree_children(out, "Sender checks (Authentication-Results, Received-SPF)") == {
        ("Sender checks (Authentication-Results, Received-SPF)", "8"),
        ("spf", "4"), ("spf/fail", "2"), ("spf/softfail", "1"), ("spf/pass", "1"),
        ("dmarc", "2"), ("dmarc/pass", "1"), ("dmarc/fail", "1"),
        ("dkim", "2"), ("dkim/pass", "1"), ("dkim/none", "1")}


def tree_children(out, top):
    """{(name, count)} of a top node of -z smtpx,tree and the nodes below it
    (a grandchild as "child/name"), whatever order equal counts come in."""
    got, child, inside = set(), None, False
    for line in out.splitlines():
        m = re.match(r"( *)(.+?) {2,}(\d+) ", line)
        if not m:
            continue
        depth, name, count = len(m[1]), m[2], m[3]
        if depth == 0:
            inside = name == top
            if inside:
                got.add((name, count))
        elif inside and depth == 1:
            child = name
            got.add((name, count))
        elif inside:
            got.add((child + "/" + name, count))
    return got


def test_stats_tree_delivery_reports(passes):
    """Delivery reports counted by action, then status."""
    out = z(ts.transcript_pcap("bounce"), "smtpx,tree", passes["two_pass"])
    top = "Delivery reports (bounces)"
    assert tree_children(out, top) == {(top, "2"), ("failed", "1"), ("failed/5.1.1", "1"), ("delayed", "1"),
                                       ("delayed/4.4.1", "1")}
    assert tree_children(z(ts.transcript_pcap("auth_results"), "smtpx,tree"), top) == {(top, "0")}


def test_transactions_log_headers(passes):
    """The header columns of Zeek's smtp.log (To, Cc, Reply-To, Date,
    In-Reply-To, the mail program, X-Originating-IP), and the blind copies:
    envelope recipients that To and Cc do not name."""
    keys = ["frame", "header_from", "to", "cc", "bcc", "reply_to", "date", "message_id", "in_reply_to"]
    rows = ts.transactions(ts.transcript_pcap("message_headers"), passes["two_pass"])
    assert [[r[k] for k in keys] for r in rows] == [
        ["23", "alice@example.com", "Bob <bob@example.org>, Carol <carol@example.org>", "team@example.org", "-",
         "alice@example.com", "Tue, 15 Jan 2008 16:02:43 -0500", "<20080115160243.1234@example.com>", "-"],
        ["31", "alice@example.com", "-", "-", "bob@example.org", "-", "-", "-", "-"]]
    rows = ts.transactions(ts.transcript_pcap("lab5_ilon_mask"), passes["two_pass"])
    assert [r["bcc"] for r in rows] == ["maratmingazovr@gmail.com"]


def test_transactions_log_refused_data_has_no_message(passes):
    """A DATA refused before any message: the row has no headers, size or
    blind copies, not those of the session's previous message."""
    keys = ["frame", "rcpt_to", "to", "bcc", "subject", "size", "reply", "queue_id"]
    rows = ts.transactions(ts.transcript_pcap("second_data_refused"), passes["two_pass"])
    assert [[r[k] for k in keys] for r in rows] == [
        ["14", "b@example.org", "b@example.org", "-", "first", "41", "250", "ABC"],
        ["20", "c@example.org", "-", "-", "-", "0", "554", "-"]]


def sessions(capture, two_pass=False):
    return ts.log_rows(capture, "sessions", two_pass)


def test_sessions_log(passes):
    """One row per TCP session, with or without mail: the password guesser
    sent no message (four failed AUTH, the last user it tried; its harvest
    of recipients is one transaction); a session cut in
    DATA and the one that reused its ports are two sessions."""
    keys = ["frame", "stream", "client", "server", "server_name", "helo", "tls", "auth", "user", "auth_ok",
            "auth_failed", "mails", "accepted", "findings", "last_reply", "duration"]
    rows = sessions(ts.transcript_pcap("guessing"), passes["two_pass"])
    assert [[r[k] for k in keys] for r in rows] == [
        ["4", "0", "10.0.0.2", "10.0.0.1", "mx.example.org", "scanner.example.net", "no", "PLAIN", "root", "0", "4",
         "1", "0", "16", "221", "0.320"]]
    rows = sessions(ts.transcript_pcap("port_reuse"), passes["two_pass"])
    assert [[r[k] for k in ("frame", "stream", "server_name", "helo", "mails", "findings", "last_reply")]
            for r in rows] == [
        ["4", "0", "first.example.org", "one.example", "0", "1" if passes["two_pass"] else "0", "354"],
        ["20", "1", "second.example.org", "two.example", "0", "0", "221"]]
    rows = sessions(ts.transcript_pcap("lmtp"), passes["two_pass"])
    assert [[r[k] for k in ("auth", "mails", "accepted", "last_reply")] for r in rows] == [["-", "2", "2", "221"]]


def test_sessions_log_filter_picks_whole_sessions(passes):
    """A display filter picks the sessions with a frame it keeps; each row
    still counts the whole session (its failed and its good login, both
    messages, its last reply and duration), not only the matching frames."""
    cap = ts.transcript_pcap("auth_sessions")
    keys = ["frame", "user", "auth_ok", "auth_failed", "mails", "accepted", "last_reply", "duration"]
    for flt, want in [('smtpx.auth.result == "failure"', [["4", "bob", "1", "1", "2", "2", "221", "0.340"]]),
                      ('smtpx.auth.result == "nothing"', [])]:
        lines = [line.split("\t") for line in z(cap, f"smtpx,sessions,tsv,{flt}", passes["two_pass"]).splitlines()]
        assert [[dict(zip(lines[0], r))[k] for k in keys] for r in lines[1:]] == want


def test_sessions_log_aligned():
    lines = z(ts.transcript_pcap("lab_postfix_auth_login"), "smtpx,sessions").splitlines()
    assert lines[0] == "=== SMTP sessions (smtpx) ==="
    assert lines[1].split() == ["frame", "stream", "client", "real_client", "server", "server_name", "software",
                                "helo", "tls", "auth", "user", "auth_ok", "auth_failed", "mails", "accepted",
                                "findings", "last_reply", "duration"]
    assert lines[2].split()[3:14] == ["-", "10.130.25.239", "profbox.domain.local", "Postfix",
                                      "raphael.cardoso@students.hevs.ch", "no", "LOGIN", "student", "1", "0", "1"]
    assert lines[1].index("server_name") == lines[2].index("profbox.domain.local")


def annotate(src, dst):
    tshark = shlex.join(ts.command([]))
    return subprocess.run(["python3", str(REPO / "tools/smtpx-annotate"), str(src), str(dst), "--tshark", tshark],
                          capture_output=True, text=True)


def test_annotated_capture(tmp_path):
    tmp_path.chmod(0o777)
    src = Path(ts.capture_path(ts.transcript_pcap("lab5_ilon_mask")))
    out = tmp_path / "annotated.pcapng"
    res = annotate(src, out)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == f"smtpx-annotate: wrote {out}: 19 SMTP packets annotated"
    # any Wireshark shows the comments, with or without smtpx: read them with smtpx disabled
    got = ts.fields(out, ["frame.number", "frame.comment"], "frame.comment", extra=["--disable-protocol", "smtpx"])
    comments = {int(f): c for f, c in got}
    assert len(comments) == 19
    assert comments[24].startswith("[greeting and EHLO] EHLO: the client gives its host name and asks which "
                                   "extensions (ESMTP) the server offers | Problem: \"194.87.96.192\" is an address")
    assert "| Problem: EHLO 194.87.96.192 gives the server's own address" in comments[24]
    assert "Problem: Header From <mask@tesla.com> cannot be checked" in comments[153]


def test_annotate_without_the_plugin(tmp_path):
    """A tshark without smtpx (root's, or none installed) gets a message
    that says so, not a Python traceback."""
    tmp_path.chmod(0o777)
    out = tmp_path / "annotated.pcapng"
    # the tests' tshark, with an empty HOME: no personal plugin, and the harness keeps global ones out
    tshark = [f"HOME={tmp_path}" if a.startswith("HOME=") else a for a in ts.command([])]
    res = subprocess.run(["python3", str(REPO / "tools/smtpx-annotate"),
                          ts.capture_path(ts.transcript_pcap("lab5_ilon_mask")), str(out),
                          "--tshark", shlex.join(tshark)], capture_output=True, text=True)
    assert res.returncode == 1 and "Traceback" not in res.stderr and not out.exists()
    assert res.stderr.startswith("smtpx-annotate: ") and "(is the smtpx plugin loaded?" in res.stderr


def test_annotate_refuses_to_overwrite_its_input(tmp_path):
    tmp_path.chmod(0o777)
    src = tmp_path / "lab.pcap"
    shutil.copy(ts.capture_path(ts.transcript_pcap("lab5_ilon_mask")), src)
    src.chmod(0o644)
    before = src.read_bytes()
    res = annotate(src, src)
    assert res.returncode != 0 and "refusing to overwrite" in res.stderr
    assert src.read_bytes() == before


def test_classroom_profile():
    home = ts.setup()
    dest = home / ".config/wireshark/profiles/SMTP Classroom"
    if not dest.exists():
        shutil.copytree(REPO / "profiles/SMTP Classroom", dest)
        for p in [home / ".config", *(home / ".config").rglob("*")]:
            p.chmod(0o755 if p.is_dir() else 0o644)
    cap = ts.capture_path(ts.transcript_pcap("lab_postfix_auth_login"))
    out = ts.tshark(["-C", "SMTP Classroom", "-r", cap, "-Y", "frame.number in {11,13,14}"]).stdout.splitlines()
    assert "student" not in out[0] and "MAIL" in out[1] and "rafael.cardoso@students.hevs.ch" in out[1]
    assert "250" in out[2] and "2.1.0" in out[2]
    colors = (REPO / "profiles/SMTP Classroom/colorfilters").read_text()
    assert "smtpx.analysis.spoofed_from" in colors and "smtpx.analysis.cleartext_auth" in colors
    att = ts.capture_path(ts.transcript_pcap("attachments"))
    rules = ts.tshark(["-C", "SMTP Classroom", "--color", "-r", att, "-T", "fields", "-e", "frame.number",
                       "-e", "frame.coloring_rule.name"]).stdout
    assert [l.split("\t")[0] for l in rules.splitlines() if l.endswith("\tDangerous content")] == ["13", "19", "27"]
    hom = ts.capture_path(ts.transcript_pcap("homograph"))     # lookalike EHLO, sender, From and links
    rules = ts.tshark(["-C", "SMTP Classroom", "--color", "-r", hom, "-T", "fields", "-e", "frame.number",
                       "-e", "frame.coloring_rule.name"]).stdout
    assert [l.split("\t")[0] for l in rules.splitlines() if l.endswith("\tSpoofed sender")] == ["5", "7", "13", "21"]
    for name, frames in (("dkim_checks", ["21", "29", "51", "59", "75", "83"]), ("trace_forged", ["13", "29", "37"]),
                         ("arc_chain", ["21", "29", "37", "45", "53"])):
        rules = ts.tshark(["-C", "SMTP Classroom", "--color", "-r", ts.capture_path(ts.transcript_pcap(name)), "-T",
                           "fields", "-e", "frame.number", "-e", "frame.coloring_rule.name"]).stdout
        assert [l.split("\t")[0] for l in rules.splitlines() if l.endswith("\tSpoofed sender")] == frames, name
