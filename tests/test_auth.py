# SPDX-License-Identifier: GPL-2.0-or-later
"""Issue 4: AUTH exchanges decoded by default, cleartext credentials, the
credentials tap, STARTTLS command injection."""

import pytest

import smtpx_tshark as ts

AUTH_FIELDS = ["frame.number", "smtpx.auth.mechanism", "smtpx.auth.authzid", "smtpx.auth.username",
               "smtpx.auth.password", "smtpx.auth.token", "smtpx.auth.digest"]


def auth_rows(name, display_filter, **passes):
    return ts.fields(ts.transcript_pcap(name), AUTH_FIELDS, display_filter, **passes)


def by_frame(rows):
    return {int(r[0]): r[1:] for r in rows}


def test_every_mechanism_decoded(passes):
    got = by_frame(auth_rows("auth_mechanisms", "smtpx.auth.username || smtpx.auth.password", **passes))
    assert got[7] == ["PLAIN", "", "tim", "tanstaaftanstaaf", "", ""]           # initial response
    assert got[11] == ["", "admin", "tim", "secret2", "", ""]                   # after an empty 334
    assert got[13] == ["LOGIN", "", "alice", "", "", ""]                         # LOGIN initial response
    assert got[15] == ["", "", "", "wonderland", "", ""]
    assert got[19] == ["", "", "tim", "", "", "3dbc88f0624776a737b39093f6eb6427"]  # CRAM-MD5
    assert got[21] == ["XOAUTH2", "", "someuser@example.com", "",
                       "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg", ""]
    assert got[23] == ["OAUTHBEARER", "", "user@example.com", "",
                       "vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg==", ""]
    assert got[25] == ["SCRAM-SHA-256", "", "user", "", "", ""]


def test_scram_names_unescaped(passes):
    # n,a=ad=2Cmin,n=us=3Der=2Cx,r=...: the escapes are decoded, the rest kept
    got = auth_rows("auth_scram_escaped", "smtpx.auth.username", **passes)
    assert [r[1:4] for r in got] == [["SCRAM-SHA-1", "ad,min", "us=er,x"]]


def test_login_lab_session(passes):
    got = by_frame(auth_rows("lab_postfix_auth_login", "smtpx.auth.mechanism || smtpx.auth.step", **passes))
    assert got[7][0] == "LOGIN"
    assert got[9][2] == "student" and got[11][3] == "hessovs!"
    ch = ts.fields(ts.transcript_pcap("lab_postfix_auth_login"), ["smtpx.auth.challenge", "smtpx.auth.base64",
                                                                 "smtpx.auth.decoded"],
                   "smtpx.auth.challenge || smtpx.auth.base64", **passes)
    assert ch == [["Username:", "", ""], ["", "c3R1ZGVudA==", "student"], ["Password:", "", ""],
                  ["", "aGVzc292cyE=", "hessovs!"]]


def test_challenges_and_results(passes):
    cap = ts.transcript_pcap("auth_mechanisms")
    ch = ts.fields(cap, ["frame.number", "smtpx.auth.challenge"], "smtpx.auth.challenge", **passes)
    assert [r[1] for r in ch] == ["Password:", "<1896.697170952@postoffice.example.net>", "Username:", "Username:"]
    res = ts.fields(cap, ["smtpx.rsp.code", "smtpx.auth.result"], "smtpx.auth.result", **passes)
    assert ["235", "success"] in res and ["501", "cancelled"] in res and ["501", "failure"] in res
    assert res.count(["535", "failure"]) == 8


def test_cancel_is_not_a_password(passes):
    cap = ts.transcript_pcap("auth_cancel")
    assert ts.fields(cap, ["smtpx.auth.password"], "smtpx.auth.password", **passes) == [["secret"]]
    assert ts.fields(cap, ["smtpx.auth.result"], "smtpx.auth.result", **passes) == [["cancelled"], ["failure"]]


def test_empty_auth_response(passes):
    """An empty line answering 334 is an empty response: shown as one, no
    bad-base64 finding, no GLib assertion (g_base64_decode_inplace wants at
    least 2 bytes; the harness fails on its CRITICAL)."""
    cap = ts.transcript_pcap("auth_empty_response")
    got = ts.fields(cap, ["frame.number", "_ws.col.Info"], "smtpx.auth.step || smtpx.req", **passes)
    assert got == [["5", "C: EHLO c.example.com"], ["7", "C: AUTH PLAIN"],
                   ["9", "C: AUTH PLAIN step 1: (empty response)"], ["11", "C: QUIT"]]
    assert ts.experts(cap, passes["two_pass"]) == [(10, "smtpx.analysis.serious_reply")]
    # hide_passwords decodes it too, to see whether it carries a secret
    assert ts.fields(cap, ["frame.number"], "smtpx.auth.step", extra=["-o", "smtpx.hide_passwords:TRUE"],
                     **passes) == [["9"]]


def test_ntlm_handed_to_ntlmssp(passes):
    got = ts.fields(ts.transcript_pcap("auth_mechanisms"), ["frame.number", "ntlmssp.messagetype"], "ntlmssp",
                    **passes)
    assert got == [["27", "0x00000001"]]


def test_cleartext_auth_expert(passes):
    cap = ts.transcript_pcap("auth_mechanisms")
    frames = [f for f, a in ts.experts(cap, passes["two_pass"]) if a == "smtpx.analysis.cleartext_auth"]
    assert frames == [7, 11, 15, 21, 23, 37]
    msg = ts.fields(cap, ["_ws.expert.message"], "frame.number == 15", **passes)
    assert msg == [['AUTH LOGIN sends the secret of user "alice" without TLS: anyone on the path can read it']]


def test_bad_base64_late_step_and_repeated_auth(passes):
    found = ts.experts(ts.transcript_pcap("auth_mechanisms"), passes["two_pass"])
    assert (31, "smtpx.analysis.bad_base64") in found
    assert (39, "smtpx.analysis.auth_late_step") in found
    assert (39, "smtpx.analysis.unknown_command") not in found
    assert (41, "smtpx.analysis.auth_repeated") in found


def test_auth_lines_are_steps_not_commands(passes):
    got = ts.fields(ts.transcript_pcap("auth_mechanisms"), ["frame.number"], "smtpx.auth.step", **passes)
    assert [int(r[0]) for r in got] == [11, 15, 19, 31, 35]


def test_hide_passwords_preference():
    cap = ts.transcript_pcap("lab_postfix_auth_login")
    got = ts.fields(cap, ["smtpx.auth.password"], "smtpx.auth.password",
                    extra=["-o", "smtpx.hide_passwords:TRUE"])
    assert got == [["********"]]


def test_hide_passwords_hides_typed_pieces(passes):
    """AUTH typed a key per segment: without hide_passwords each piece shows
    the line so far, secrets included; with it no piece, Info or password
    item shows a byte of the user's secrets."""
    cap = ts.transcript_pcap("typed_auth")
    secrets = ("c2VjcmV0", "AGFsaWNlAHNlY3JldA")     # LOGIN password, PLAIN initial response

    def shown(extra):
        got = ts.fields(cap, ["_ws.col.Info", "smtpx.line.piece", "smtpx.auth.password"], "smtpx", extra=extra,
                        **passes)
        return "\n".join("\t".join(r) for r in got)

    plain = shown(())
    assert all(s in plain for s in secrets)
    hidden = shown(["-o", "smtpx.hide_passwords:TRUE"])
    assert [s for s in secrets if s[:4] in hidden] == []
    assert "C: [unfinished line] ********" in hidden and "\t********" in hidden


def test_hide_passwords_hides_secrets_typed_in_clear(passes):
    """A password that is no base64 (typed in clear, or base64 without its
    padding) where the exchange expects the secret: hidden with
    hide_passwords in the Info column, the tree and the finding's text, and
    reported as a cleartext secret; the user name and "*" stay visible."""
    cap = ts.transcript_pcap("auth_typed_in_clear")
    secrets = ("hessovs", "aGVzc292cyE", "AHN0dWRlbnQAaGVzc292cyE")
    opt = ["-o", "smtpx.hide_passwords:TRUE"]
    verbose = ts.tshark(["-r", ts.capture_path(cap), "-V", *opt] + ["-2"] * passes["two_pass"]).stdout
    assert "student" in verbose and not [s for s in secrets if s in verbose]
    got = ts.fields(cap, ["frame.number", "_ws.col.Info"], "smtpx.auth.step", extra=opt, **passes)
    assert [r[1].rsplit(": ", 1)[1] for r in got] == [
        "student", "********", "c3R1ZGVudA==", "********", "********", "* (AUTH cancelled)"]
    cleartext = ts.frames_matching(cap, "smtpx.analysis.cleartext_auth", **passes)
    assert cleartext == [11, 17, 19, 23]
    assert all(s in ts.tshark(["-r", ts.capture_path(cap), "-V"]).stdout for s in secrets)


def test_credentials_tap():
    out = ts.tshark(["-r", ts.capture_path(ts.transcript_pcap("auth_mechanisms")), "-q", "-z", "credentials"]).stdout
    lines = [line.split() for line in out.splitlines() if line[:1].isdigit()]
    assert [(l[0], l[2], l[-1]) for l in lines] == [
        ("7", "tim", "PLAIN"), ("11", "tim", "PLAIN"), ("15", "alice", "LOGIN"),
        ("21", "someuser@example.com", "XOAUTH2"), ("23", "user@example.com", "OAUTHBEARER"),
        ("37", "bob", "PLAIN")]


def test_unadvertised_auth_mechanism_and_extensions(passes):
    found = ts.experts(ts.transcript_pcap("all_verbs"), passes["two_pass"])
    unadv = [f for f, a in found if a == "smtpx.analysis.unadvertised"]
    # after an EHLO that offered nothing: XCLIENT, XFORWARD, five MAIL parameters (SIZE,
    # BODY=8BITMIME, SMTPUTF8, RET and ENVID of DSN once, AUTH=), a RCPT's DSN parameters once,
    # BDAT, AUTH, STARTTLS
    assert unadv == [29, 33] + [41] * 5 + [43, 47, 53, 57]
    assert ts.fields(ts.transcript_pcap("all_verbs"), ["_ws.expert.message"], "frame.number == 29",
                     **passes) == [["XCLIENT (it asks the server to take another client's address and login), but the "
                                    "server did not advertise XCLIENT in its EHLO reply"]]
    assert [f for f, a in ts.experts(ts.transcript_pcap("auth_mechanisms"), passes["two_pass"])
            if a == "smtpx.analysis.unadvertised"] == []


def test_unknown_mechanism_advertised_by_name(passes):
    """Mechanisms smtpx has no decoder for are told apart by name: one the
    EHLO reply names is advertised (in any case), another is not, and a
    new EHLO reply replaces the list. Past 128 bytes of such names any
    unknown one counts as advertised, so the list stays bounded."""
    got = ts.fields(ts.transcript_pcap("auth_unknown_mechanisms"), ["frame.number", "_ws.expert.message"],
                    "smtpx.analysis.unadvertised", **passes)
    assert got == [["9", "AUTH CRAM-SHA1, but the server did not advertise the mechanism CRAM-SHA1 in its EHLO reply"],
                   ["15", "AUTH SCRAM-SHA-512, but the server did not advertise the mechanism SCRAM-SHA-512 in its "
                          "EHLO reply"]]
    # the transactions log and the sessions log name the mechanism as -z smtpx,tree does
    cap = ts.transcript_pcap("auth_unknown_mechanisms")
    assert [(r["auth"], r["rcpt_ok"]) for r in ts.transactions(cap, passes["two_pass"])] == [("(other)", "1")]
    assert [(r["auth"], r["auth_ok"]) for r in ts.log_rows(cap, "sessions", passes["two_pass"])] == [("(other)", "1")]


def test_starttls_injection(passes):
    cap = ts.transcript_pcap("starttls_injection")
    assert (7, "smtpx.analysis.starttls_injection") in ts.experts(cap, passes["two_pass"])
    assert ts.fields(cap, ["smtpx.req.command"], "frame.number == 7", **passes) == [["STARTTLS,RSET"]]
    assert ts.experts(ts.transcript_pcap("starttls"), passes["two_pass"]) == []


def test_gssapi_handed_to_gssapi(passes):
    got = ts.fields(ts.transcript_pcap("gssapi_and_long"), ["frame.number", "smtpx.auth.mechanism", "gss-api.OID"],
                    "gss-api", **passes)
    assert got == [["7", "GSSAPI", "1.2.840.113554.1.2.2"]]


@pytest.mark.parametrize("name", ["auth_gaps", "auth_midstream"])
def test_auth_login_with_bytes_the_capture_lacks(passes, name):
    """AUTH LOGIN when the capture lacks the user name line, the server's
    "Username:" prompt, or the AUTH itself (it starts at "Password:"): the
    prompts say which line is the password, a base64 line sent while AUTH
    waits is an AUTH step (the server reads it so), and with hide_passwords
    the password shows nowhere (it was once the user name, or a command)."""
    cap = ts.transcript_pcap(name)
    opt = ["-o", "smtpx.hide_passwords:TRUE"]
    out = ts.tshark(["-r", ts.capture_path(cap), "-V", *opt] + ["-2"] * passes["two_pass"]).stdout
    assert "c2VjcmV0" not in out and '"secret"' not in out and ": secret" not in out
    steps = ts.fields(cap, ["frame.number", "smtpx.auth.username", "_ws.col.Info"], "smtpx.auth.step", extra=opt,
                      **passes)
    if name == "auth_gaps":
        assert steps == [["10", "", "[TCP Previous segment not captured] C: AUTH LOGIN step 2: ********"],
                         ["26", "alice", "[TCP ACKed unseen segment] C: AUTH LOGIN step 1: YWxpY2U="],
                         ["28", "", "[TCP ACKed unseen segment] C: AUTH LOGIN step 2: ********"]]
        assert [r[0] for r in ts.fields(cap, ["smtpx.req.command"], 'smtpx.req.command == "MAIL"', extra=opt,
                                        **passes)] == ["MAIL", "MAIL"]
        # the reply lost with the "Username:" prompt shifts no later reply, and invents no failed AUTH
        assert ts.fields(cap, ["frame.number", "smtpx.response_to"], "frame.number in {27, 29, 31, 33}", **passes) == [
            ["27", "26"], ["29", "28"], ["31", "30"], ["33", "32"]]
        assert [(r["auth_ok"], r["auth_failed"]) for r in ts.log_rows(cap, "sessions", passes["two_pass"])] == [
            ("1", "0"), ("1", "0")]
    else:
        assert steps == [["2", "", "C: AUTH LOGIN step 2: ********"]]
        assert ts.experts(cap, passes["two_pass"], extra=opt) == [(2, "smtpx.analysis.cleartext_auth")]


def test_commands_pipelined_behind_auth_login(passes):
    cap = ts.transcript_pcap("auth_login_pipelined")
    got = ts.fields(cap, ["smtpx.req.command", "smtpx.envelope.sender", "smtpx.envelope.recipient"],
                    "frame.number == 7", **passes)
    assert got == [["AUTH,MAIL,RCPT", "alice@example.com", "bob@example.net"]]
    assert ts.fields(cap, ["smtpx.auth.result", "smtpx.response_to"], "frame.number == 8", **passes) == [
        ["success", "7,7,7,7,7"]]
    assert [f for f, a in ts.experts(cap, passes["two_pass"]) if a == "smtpx.analysis.bad_sequence"] == [7, 7]
    assert not [f for f, a in ts.experts(cap, passes["two_pass"]) if a == "smtpx.analysis.bad_base64"]
    session = ts.log_rows(cap, "sessions", passes["two_pass"])[0]
    assert (session["auth_ok"], session["auth_failed"]) == ("1", "0")


def test_auth_refused_after_login_keeps_the_login(passes):
    """A second AUTH refused with 503 (RFC 4954 4) is "refused", not a
    failed login: the logs keep PLAIN and bob, who logged in."""
    cap = ts.transcript_pcap("auth_again")
    assert ts.fields(cap, ["frame.number", "smtpx.auth.result"], "smtpx.auth.result", **passes) == [
        ["8", "success"], ["10", "refused"]]
    session = ts.log_rows(cap, "sessions", passes["two_pass"])[0]
    assert [session[k] for k in ("auth", "user", "auth_ok", "auth_failed")] == ["PLAIN", "bob", "1", "0"]
    txn = ts.transactions(cap, passes["two_pass"])[0]
    assert [txn[k] for k in ("auth", "user")] == ["PLAIN", "bob"]
    assert [f for f, a in ts.experts(cap, passes["two_pass"]) if a == "smtpx.analysis.auth_repeated"] == [9]
    assert 'AUTH after a successful AUTH as "bob"' in ts.fields(cap, ["_ws.expert.message"], "frame.number == 9",
                                                                  **passes)[0][0]


def test_auth_refused_before_any_check(passes):
    """530 (STARTTLS first), 454 (temporary) and 502 (not implemented)
    judge no credentials: "refused", and no failed login in the logs."""
    cap = ts.transcript_pcap("auth_refused_codes")
    assert ts.fields(cap, ["frame.number", "smtpx.auth.result"], "smtpx.auth.result", **passes) == [
        ["8", "refused"], ["10", "refused"], ["12", "refused"]]
    session = ts.log_rows(cap, "sessions", passes["two_pass"])[0]
    assert [session[k] for k in ("auth_ok", "auth_failed")] == ["0", "0"]
