#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Capture a real SMTP session between real mail software on the loopback
# interface: the Debian postfix package as the server, swaks (or, for the
# dialogues swaks refuses to produce, a small raw-socket client below) as the
# client.
#
#   usage (as root): tools/capture-real.sh SCENARIO OUT.pcapng
#
# Scenarios:
#   basic       swaks, one message to root@smtpx.test
#   pipelining  the same with swaks --pipeline (MAIL/RCPT/DATA in one segment)
#   rejected    raw client: RCPT to an unknown local user (550 5.1.1), DATA
#               anyway (554 5.5.1 no valid recipients), RSET, QUIT
#   bdat        raw client: CHUNKING, "BDAT n" + chunk in one segment, then
#               "BDAT n LAST" + chunk + a pipelined NOOP in one segment, QUIT
#   dotstuff    swaks with a body whose lines start with '.' (swaks dot-stuffs)
#   attachment  swaks --attach of 200 KiB of pseudo-random bytes (a message of
#               many TCP segments); also writes the message as the server
#               receives it (unstuffed, CRLF) next to the capture: OUT.eml
#   barelf      curl uploading a message whose lines end in a bare LF (no --crlf)
#   bdat-pipelined
#               raw client: MAIL, RCPT and "BDAT n LAST" + chunk in one segment
#               (PIPELINING + CHUNKING); then a second message whose chunk is
#               split mid-line across two segments; QUIT
#   forged-from swaks --from alice@smtpx.test with a header
#               "From: CEO <ceo@bank.example>" (header From in another domain)
#   telnet      the telnet client in character mode, typed a key at a time
#               with Backspace corrections (tools/telnet-typist.py; needs the
#               telnet package)
#   relay       swaks sends to bob@relay.smtpx.test; postfix relays it to a
#               small SMTP server of this script on 127.0.0.1:2525, adding
#               its Received header: two sessions, the second one postfix's
#               (as client) with a real trace
#   slam        raw client: MAIL, RCPT, DATA, the message and its "." in one
#               segment, without waiting for the 354 (postfix takes it, and
#               logs "improper command pipelining after DATA")
#   slam-refused
#               the same, with smtpd_forbid_unauth_pipelining=yes: postfix
#               answers 554 5.5.0 (SMTP protocol synchronization) and closes
#   slam-unknown
#               the slam to an unknown recipient: postfix refuses RCPT (550)
#               and DATA (554 no valid recipients), and closes the connection
#               at the message's first line ("221 2.7.0 Error: I can break
#               rules, too")
#   greylist    swaks, with postfix asking postgrey (a greylisting policy
#               server, on 127.0.0.1:10023) about each recipient: the RCPT of
#               a sender never seen before gets 450 4.2.0 "Greylisted"; needs
#               postgrey
#   lmtp        swaks sends one message to bob, carol and nobody at
#               lmtp.smtpx.test; postfix delivers it over LMTP to Dovecot on
#               127.0.0.1:24, which knows bob and carol only: two sessions,
#               the second LMTP (LHLO, RCPT refused for nobody, one reply per
#               accepted recipient after the end of data); needs
#               dovecot-lmtpd
#   not-smtp    other protocols sent to port 25: curl's HTTP request (postfix
#               answers "221 2.7.0 Error: I can break rules, too" and closes),
#               then openssl s_client's TLS ClientHello (sent at once, before
#               the greeting, which openssl then cannot read as TLS); needs
#               curl and openssl
#   proxy       with smtpd_upstream_proxy_protocol=haproxy: raw client as a
#               load balancer, a PROXY header naming the real client
#               203.0.113.7 port 56324 before the greeting, then one message
#   xclient     with smtpd_authorized_xclient_hosts=127.0.0.0/8: raw client as
#               nginx's mail proxy, "XCLIENT ADDR=203.0.113.7 LOGIN=alice"
#               after EHLO (220: the session starts again), EHLO, one message
#   dkim        the relay scenario with OpenDKIM as postfix's milter, signing
#               mail from smtpx.test (c=relaxed/relaxed, a throwaway key): the
#               relayed copy carries a real DKIM-Signature; the body has
#               blanks at line ends, a line that starts with "." and empty
#               lines at its end; needs opendkim and opendkim-tools
#
# What it does to the machine (idempotent, safe to re-run):
#   * postconf -e: postfix listens on 127.0.0.1:25 only (IPv4), accepts mail
#     for smtpx.test and localhost, calls itself mx.smtpx.test, no STARTTLS
#     (smtpd_tls_security_level=none), logs to /var/log/postfix.log (no syslog
#     needed), does no reverse DNS lookup of the client;
#   * postconf -e: mail for relay.smtpx.test is relayed to [127.0.0.1]:2525
#     (the relay scenario), without TLS and without connection caching; mail
#     for lmtp.smtpx.test goes over LMTP to 127.0.0.1:24 (the lmtp scenario);
#     smtpd_forbid_unauth_pipelining is yes for slam-refused, no otherwise;
#     smtpd_upstream_proxy_protocol is haproxy for proxy, and
#     smtpd_authorized_xclient_hosts 127.0.0.0/8 for xclient (both emptied
#     again by every other scenario);
#     smtpd_recipient_restrictions asks postgrey for greylist (and is
#     emptied again by every other scenario);
#   * greylist: postgrey started for the capture (its own pid file), stopped
#     after it;
#   * lmtp: Dovecot as an LMTP server only, from its own configuration
#     /etc/dovecot/smtpx-lmtp.conf (users in /etc/dovecot/smtpx-lmtp.passwd,
#     mailboxes in /var/lib/smtpx-test/lmtp-mail), stopped after the capture;
#   * newaliases; prepares the chroot like Debian's systemd unit does;
#   * starts postfix with `postfix start` (no systemd needed), or restarts it
#     if the configuration changed, and LEAVES IT RUNNING afterwards
#     (stop it with `postfix stop`).
# Mail is delivered locally to root (/var/mail/root).
#
# The capture is taken with dumpcap on "lo" and written world-readable to
# OUT.pcapng once both sides' FIN segments are in it.
set -euo pipefail
trap 'echo "capture-real.sh: failed at line $LINENO: $BASH_COMMAND" >&2' ERR

CAPTURE_FILTER='tcp port 24 or tcp port 25 or tcp port 587 or tcp port 2525'
CLIENT_NAME=client.smtpx.test
SERVER=127.0.0.1
PORT=25

die() { echo "capture-real.sh: $*" >&2; exit 1; }

usage() {
    sed -n '4,57p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

[ $# -eq 2 ] || usage
scenario=$1
out=$2
case $scenario in
    basic|pipelining|rejected|bdat|dotstuff|attachment|barelf|bdat-pipelined|forged-from|telnet|relay|slam|\
    slam-refused|slam-unknown|lmtp|greylist|not-smtp|proxy|xclient|dkim) ;;
    *) usage ;;
esac
[ "$(id -u)" -eq 0 ] || die "must be run as root (it configures and starts postfix, and captures on lo)"
for tool in postconf postfix newaliases dumpcap tshark swaks python3; do
    command -v "$tool" >/dev/null || die "$tool is not installed (apt-get install postfix swaks tshark python3)"
done
if [ "$scenario" = barelf ] || [ "$scenario" = not-smtp ]; then
    command -v curl >/dev/null || die "curl is not installed (apt-get install curl)"
fi
if [ "$scenario" = not-smtp ]; then
    command -v openssl >/dev/null || die "openssl is not installed (apt-get install openssl)"
fi
if [ "$scenario" = telnet ]; then
    command -v telnet >/dev/null || die "telnet is not installed (apt-get install telnet)"
fi
if [ "$scenario" = lmtp ]; then
    [ -x /usr/lib/dovecot/lmtp ] || die "dovecot's LMTP server is not installed (apt-get install dovecot-lmtpd)"
fi
if [ "$scenario" = greylist ]; then
    command -v postgrey >/dev/null || die "postgrey is not installed (apt-get install postgrey)"
fi
if [ "$scenario" = dkim ]; then
    for tool in opendkim opendkim-genkey; do
        command -v "$tool" >/dev/null || die "$tool is not installed (apt-get install opendkim opendkim-tools)"
    done
fi

# ---- postfix ---------------------------------------------------------------

# shellcheck source=tools/lib-postfix.sh
. "$(dirname "$0")/lib-postfix.sh"

configure_postfix() {
    local before after
    before=$(postconf -n)
    postfix_base_config
    # relay: mail for relay.smtpx.test goes on to the receiver on port 2525
    # lmtp: mail for lmtp.smtpx.test goes to Dovecot's LMTP server on port 24
    postconf -e 'relay_domains=relay.smtpx.test lmtp.smtpx.test' \
        'transport_maps=inline:{relay.smtpx.test=smtp:[127.0.0.1]:2525, lmtp.smtpx.test=lmtp:inet:127.0.0.1:24}' \
        'smtp_tls_security_level=none' 'smtp_connection_cache_on_demand=no' \
        'lmtp_connection_cache_on_demand=no'
    # slam-refused: a client that does not wait for a reply it must wait for is cut off
    postconf -e "smtpd_forbid_unauth_pipelining=$([ "$scenario" = slam-refused ] && echo yes || echo no)"
    # greylist: every recipient goes past postgrey first (the base configuration empties it)
    [ "$scenario" = greylist ] && postconf -e 'smtpd_recipient_restrictions=check_policy_service inet:127.0.0.1:10023'
    # proxy: every session starts with a PROXY header (HAProxy's version 1; the base configuration empties it)
    [ "$scenario" = proxy ] && postconf -e 'smtpd_upstream_proxy_protocol=haproxy'
    # xclient: the loopback client may name another client
    [ "$scenario" = xclient ] && postconf -e 'smtpd_authorized_xclient_hosts=127.0.0.0/8'
    # dkim: OpenDKIM signs what smtpd receives (the base configuration empties it)
    [ "$scenario" = dkim ] && postconf -e 'smtpd_milters=inet:127.0.0.1:8891' 'milter_default_action=accept'
    after=$(postconf -n)
    postfix_apply "$before" "$after"
    # wait for the 220 banner
    for _ in $(seq 100); do
        if python3 - "$SERVER" "$PORT" "$scenario" <<'PY' 2>/dev/null; then return 0; fi
import socket, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2)
if sys.argv[3] == "proxy":
    s.sendall(b"PROXY TCP4 127.0.0.1 127.0.0.1 1 25\r\n")
ok = s.recv(512).startswith(b"220 ")
s.sendall(b"QUIT\r\n")
s.recv(512)
s.close()
sys.exit(0 if ok else 1)
PY
        sleep 0.1
    done
    die "postfix does not answer on $SERVER:$PORT (see /var/log/postfix.log)"
}

# ---- the relay's next hop ------------------------------------------------------

# receiver: the next hop, one SMTP session on 127.0.0.1:2525 (what postfix
# relays); exits after QUIT.
receiver() {
    python3 - <<'PY'
import socket

srv = socket.create_server(("127.0.0.1", 2525))
srv.settimeout(60)
conn, _ = srv.accept()
f = conn.makefile("rb")
conn.sendall(b"220 next.relay.smtpx.test ESMTP\r\n")
while True:
    line = f.readline()
    if not line:
        break
    verb = line[:4].upper()
    if verb in (b"EHLO", b"HELO"):
        conn.sendall(b"250-next.relay.smtpx.test\r\n250 8BITMIME\r\n")
    elif verb == b"DATA":
        conn.sendall(b"354 End data with <CR><LF>.<CR><LF>\r\n")
        while f.readline() not in (b".\r\n", b""):
            pass
        conn.sendall(b"250 2.0.0 Ok: queued as NEXT1\r\n")
    elif verb == b"QUIT":
        conn.sendall(b"221 2.0.0 Bye\r\n")
        break
    else:
        conn.sendall(b"250 2.0.0 Ok\r\n")
conn.close()
PY
}

# ---- the DKIM signer ------------------------------------------------------------

DKIM_PID=/run/opendkim-smtpx.pid
DKIM_DIR=/var/lib/smtpx-test/dkim

# OpenDKIM on 127.0.0.1:8891, signing mail from smtpx.test with a key made
# for the capture (in a folder only root reads: OpenDKIM refuses others);
# stopped after it.
start_dkim() {
    install -d -m 0700 "$DKIM_DIR"
    rm -f "$DKIM_DIR"/smtpx.*
    opendkim-genkey -b 1024 -D "$DKIM_DIR" -d smtpx.test -s smtpx
    chmod 0600 "$DKIM_DIR/smtpx.private"
    cat >"$DKIM_DIR/opendkim.conf" <<CONF
Syslog no
Socket inet:8891@127.0.0.1
PidFile $DKIM_PID
Domain smtpx.test
Selector smtpx
KeyFile $DKIM_DIR/smtpx.private
Mode s
Canonicalization relaxed/relaxed
InternalHosts 127.0.0.1
CONF
    opendkim -x "$DKIM_DIR/opendkim.conf" || die "opendkim does not start"
    for _ in $(seq 50); do
        python3 -c 'import socket; socket.create_connection(("127.0.0.1", 8891), timeout=1)' 2>/dev/null && return 0
        sleep 0.1
    done
    die "opendkim does not answer on 127.0.0.1:8891"
}

stop_dkim() {
    [ -f "$DKIM_PID" ] && kill "$(cat "$DKIM_PID")" 2>/dev/null || true
    rm -f "$DKIM_PID"
}

# ---- the LMTP server ------------------------------------------------------------

LMTP_BASE=/run/dovecot-smtpx-lmtp
LMTP_CONF=/etc/dovecot/smtpx-lmtp.conf
LMTP_MAIL=/var/lib/smtpx-test/lmtp-mail

# Dovecot as an LMTP server only, on 127.0.0.1:24, from a configuration of
# its own (Debian's /etc/dovecot is not used): mailboxes for bob and carol
# under $LMTP_MAIL. Started for the capture, stopped after it.
start_lmtp() {
    install -d -o nobody -g nogroup "$LMTP_MAIL"
    printf '%s\n' 'bob:{PLAIN}-::::::' 'carol:{PLAIN}-::::::' |
        install -m 0644 /dev/stdin /etc/dovecot/smtpx-lmtp.passwd
    cat >"$LMTP_CONF" <<CONF
# smtpx tests (tools/capture-real.sh lmtp): an LMTP server only
protocols = lmtp
base_dir = $LMTP_BASE/
log_path = /var/log/dovecot-smtpx-lmtp.log
ssl = no
auth_username_format = %n
mail_location = maildir:$LMTP_MAIL/%n
passdb {
  driver = passwd-file
  args = /etc/dovecot/smtpx-lmtp.passwd
}
userdb {
  driver = passwd-file
  args = /etc/dovecot/smtpx-lmtp.passwd
  default_fields = uid=nobody gid=nogroup home=$LMTP_MAIL/%n
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = 24
  }
}
CONF
    dovecot -c "$LMTP_CONF" </dev/null >/dev/null 2>"$tmp/dovecot.err" ||
        { cat "$tmp/dovecot.err" >&2; die "dovecot does not start (see /var/log/dovecot-smtpx-lmtp.log)"; }
}

stop_lmtp() {
    doveadm -c "$LMTP_CONF" stop 2>/dev/null || true
}

GREYLIST_PID=/run/postgrey-smtpx.pid

# postgrey on 127.0.0.1:10023, for the capture only.
start_greylist() {
    postgrey --inet=127.0.0.1:10023 --pidfile="$GREYLIST_PID" --daemonize ||
        die "postgrey does not start"
    for _ in $(seq 50); do
        python3 -c 'import socket; socket.create_connection(("127.0.0.1", 10023), timeout=1)' 2>/dev/null &&
            return 0
        sleep 0.1
    done
    die "postgrey does not answer on 127.0.0.1:10023"
}

stop_greylist() {
    [ -f "$GREYLIST_PID" ] && kill "$(cat "$GREYLIST_PID")" 2>/dev/null || true
}

# ---- clients -----------------------------------------------------------------

swaks_common=(--server "$SERVER" --port "$PORT" --helo "$CLIENT_NAME"
              --from alice@smtpx.test --to root@smtpx.test)

raw_client() {
    # A client speaking SMTP over a plain socket, one send() per segment shown
    # below, waiting for the replies it expects before sending on.
    python3 - "$1" "$SERVER" "$PORT" "$CLIENT_NAME" <<'PY'
import socket, sys, time

scenario, host, port, helo = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
sock = socket.create_connection((host, port), timeout=10)
sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
buf = b""


def reply():
    """Read one (possibly multi-line) reply; return (code, [lines])."""
    global buf
    lines = []
    while True:
        while b"\r\n" not in buf:
            data = sock.recv(4096)
            if not data:
                sys.exit(f"connection closed, got {lines!r}")
            buf += data
        line, buf = buf.split(b"\r\n", 1)
        lines.append(line.decode())
        if len(line) < 4 or line[3:4] != b"-":
            return int(line[:3]), lines


def expect(code):
    got, text = reply()
    if got != code:
        sys.exit(f"expected {code}, got {text!r}")
    return text


def send(data):
    sock.sendall(data)


if scenario == "proxy":                    # a load balancer names the real client first
    send(b"PROXY TCP4 203.0.113.7 127.0.0.1 56324 25\r\n")
expect(220)
send(f"EHLO {helo}\r\n".encode())
ehlo = expect(250)
if scenario == "rejected":
    send(b"MAIL FROM:<alice@smtpx.test>\r\n")
    expect(250)
    send(b"RCPT TO:<nobody-here@smtpx.test>\r\n")
    expect(550)
    send(b"DATA\r\n")                      # all recipients were rejected
    expect(554)
    send(b"RSET\r\n")
    expect(250)
elif scenario in ("proxy", "xclient"):
    if scenario == "xclient":              # as nginx's mail proxy: the session starts again
        send(b"XCLIENT ADDR=203.0.113.7 NAME=[UNAVAILABLE] LOGIN=alice\r\n")
        expect(220)
        send(f"EHLO {helo}\r\n".encode())
        expect(250)
    send(b"MAIL FROM:<alice@smtpx.test>\r\n")
    expect(250)
    send(b"RCPT TO:<root@smtpx.test>\r\n")
    expect(250)
    send(b"DATA\r\n")
    expect(354)
    send(b"From: <alice@smtpx.test>\r\nTo: <root@smtpx.test>\r\nSubject: smtpx " + scenario.encode() +
         b" test\r\n\r\nSent through a proxy.\r\n.\r\n")
    expect(250)
elif scenario == "bdat":
    if not any(l[4:].upper() == "CHUNKING" for l in ehlo):
        sys.exit(f"server does not offer CHUNKING: {ehlo!r}")
    chunk1 = (b"From: <alice@smtpx.test>\r\n"
              b"To: <root@smtpx.test>\r\n"
              b"Subject: smtpx bdat test\r\n"
              b"\r\n"
              b"The first chunk ends in the mid")
    chunk2 = (b"dle of this line.\r\n"
              b"QUIT\r\n"
              b".\r\n"
              b"Neither the QUIT nor the dot above are commands.\r\n")
    send(f"MAIL FROM:<alice@smtpx.test> SIZE={len(chunk1) + len(chunk2)}\r\n".encode())
    expect(250)
    send(b"RCPT TO:<root@smtpx.test>\r\n")
    expect(250)
    send(f"BDAT {len(chunk1)}\r\n".encode() + chunk1)
    expect(250)
    # the last chunk, followed by a pipelined command in the same segment
    send(f"BDAT {len(chunk2)} LAST\r\n".encode() + chunk2 + b"NOOP\r\n")
    expect(250)
    expect(250)
elif scenario == "bdat-pipelined":
    if not {"PIPELINING", "CHUNKING"} <= {l[4:].upper() for l in ehlo}:
        sys.exit(f"server does not offer PIPELINING and CHUNKING: {ehlo!r}")
    chunk = (b"From: <alice@smtpx.test>\r\n"
             b"To: <root@smtpx.test>\r\n"
             b"Subject: smtpx pipelined bdat test\r\n"
             b"\r\n"
             b"MAIL, RCPT and this BDAT LAST chunk came in one segment.\r\n")
    # the whole transaction in one segment, then its three replies
    send(b"MAIL FROM:<alice@smtpx.test>\r\n"
         b"RCPT TO:<root@smtpx.test>\r\n"
         + f"BDAT {len(chunk)} LAST\r\n".encode() + chunk)
    expect(250)
    expect(250)
    expect(250)
    # a second message: its chunk is split in the middle of a line
    part1 = (b"From: <alice@smtpx.test>\r\n"
             b"To: <root@smtpx.test>\r\n"
             b"Subject: smtpx split bdat chunk\r\n"
             b"\r\n"
             b"This line is split across two TCP seg")
    part2 = b"ments in the middle of a word.\r\n"
    send(b"MAIL FROM:<alice@smtpx.test>\r\n"
         b"RCPT TO:<root@smtpx.test>\r\n"
         + f"BDAT {len(part1) + len(part2)} LAST\r\n".encode() + part1)
    time.sleep(0.3)                        # let the first part leave on its own
    send(part2)
    expect(250)
    expect(250)
    expect(250)
elif scenario in ("slam", "slam-refused", "slam-unknown"):
    # the whole transaction in one segment: the message does not wait for 354
    rcpt = b"nobody-here" if scenario == "slam-unknown" else b"root"
    send(b"MAIL FROM:<alice@smtpx.test>\r\n"
         b"RCPT TO:<" + rcpt + b"@smtpx.test>\r\n"
         b"DATA\r\n"
         b"From: <alice@smtpx.test>\r\n"
         b"To: <root@smtpx.test>\r\n"
         b"Subject: smtpx slam test\r\n"
         b"\r\n"
         b"This message was sent before the server's 354.\r\n"
         b".\r\n")
    expect(250)
    if scenario == "slam-unknown":
        expect(550)
        expect(554)                        # no valid recipients
        expect(221)                        # at the message's first line, and closes
        while sock.recv(4096):
            pass
        sock.close()
        sys.exit(0)
    expect(250)
    if scenario == "slam-refused":
        expect(554)                        # and the server closes the connection
        while sock.recv(4096):
            pass
        sock.close()
        sys.exit(0)
    expect(354)
    expect(250)
else:
    sys.exit(f"unknown raw scenario {scenario}")
send(b"QUIT\r\n")
expect(221)
# wait for the server's FIN before closing our side
while sock.recv(4096):
    pass
sock.close()
PY
}

run_scenario() {
    case $scenario in
        basic)
            swaks "${swaks_common[@]}" --header 'Subject: smtpx test' ;;
        pipelining)
            swaks "${swaks_common[@]}" --header 'Subject: smtpx pipelining test' --pipeline ;;
        dotstuff)
            swaks "${swaks_common[@]}" --header 'Subject: smtpx dot-stuffing test' \
                --body "$(printf '%s\n' \
                    'Lines starting with a dot follow.' \
                    '.hidden' \
                    '..two dots' \
                    '.' \
                    '. a dot and a space' \
                    'The lone dot above was not the end.')" ;;
        attachment)
            swaks "${swaks_common[@]}" --data @"$tmp/data.txt" --no-data-fixup ;;
        barelf)
            curl --silent --show-error "smtp://$SERVER:$PORT/$CLIENT_NAME" \
                --mail-from alice@smtpx.test --mail-rcpt root@smtpx.test \
                --upload-file "$tmp/barelf.eml" ;;
        forged-from)
            swaks "${swaks_common[@]}" --header 'Subject: smtpx forged From test' \
                --header 'From: CEO <ceo@bank.example>' ;;
        rejected|bdat|bdat-pipelined|slam|slam-refused|slam-unknown|proxy|xclient)
            raw_client "$scenario" ;;
        not-smtp)
            curl --silent --max-time 10 "http://$SERVER:$PORT/" || true
            timeout 10 openssl s_client -connect "$SERVER:$PORT" -servername mx.smtpx.test </dev/null || true ;;
        telnet)
            python3 "$(dirname "$0")/telnet-typist.py" "$SERVER" "$PORT" ;;
        greylist)
            # a sender postgrey has not seen, so that every run is greylisted;
            # swaks fails on the 450, as a client that must retry later
            swaks --server "$SERVER" --port "$PORT" --helo "$CLIENT_NAME" \
                --from "newcomer-$(date +%s)@smtpx.test" --to root@smtpx.test \
                --header 'Subject: smtpx greylist test' || true ;;
        lmtp)
            swaks --server "$SERVER" --port "$PORT" --helo "$CLIENT_NAME" --from alice@smtpx.test \
                --to bob@lmtp.smtpx.test,carol@lmtp.smtpx.test,nobody@lmtp.smtpx.test \
                --header 'Subject: smtpx lmtp test'
            postqueue -f ;;
        dkim)
            receiver &
            receiver_pid=$!
            sleep 0.5
            swaks --server "$SERVER" --port "$PORT" --helo "$CLIENT_NAME" --from alice@smtpx.test \
                --to bob@relay.smtpx.test --header 'Subject: smtpx dkim test' \
                --body "$(printf 'Signed by OpenDKIM.  Blanks at the end:  \t\n. A line that starts with a dot.\n\n')"
            postqueue -f
            wait "$receiver_pid" ;;
        relay)
            receiver &
            receiver_pid=$!
            sleep 0.5
            swaks --server "$SERVER" --port "$PORT" --helo "$CLIENT_NAME" --from alice@smtpx.test \
                --to bob@relay.smtpx.test --header 'Subject: smtpx relay test'
            postqueue -f
            wait "$receiver_pid" ;;
    esac
}

# Files the clients send, made before the capture starts.
prepare_scenario() {
    case $scenario in
        attachment)
            # 200 KiB of pseudo-random bytes, the same on every run
            python3 -c 'import random, sys; sys.stdout.buffer.write(random.Random(1).randbytes(200 * 1024))' \
                >"$tmp/random.bin"
            # swaks builds the MIME message (base64 attachment) and prints what
            # it would send in DATA: CRLF line ends, dot-stuffed, then "\r\n."
            # with its final "\n." cut off. Sending that text back with
            # --no-data-fixup puts exactly these bytes on the wire, so the
            # message the server receives is known.
            swaks "${swaks_common[@]}" --header 'Subject: smtpx attachment test' \
                --attach @"$tmp/random.bin" --dump-mail >"$tmp/dump.txt"
            python3 - "$tmp/dump.txt" "$tmp/data.txt" "$tmp/message.eml" <<'PY'
import re, sys

dump = open(sys.argv[1], "rb").read()
if not dump.endswith(b"\r\n\r") or b"\n" in dump.replace(b"\r\n", b""):
    sys.exit("unexpected swaks --dump-mail output")
stuffed = dump[:-1]                    # the DATA text before the final "\r\n."
open(sys.argv[2], "wb").write(stuffed + b"\r\n.")   # swaks adds the last CRLF
# what the server keeps: every line up to the ".", with the stuffed dot removed
message = re.sub(rb"(?m)^\.", b"", stuffed + b"\r\n")
open(sys.argv[3], "wb").write(message)
PY
            ;;
        barelf)
            printf '%s\n' \
                'From: alice@smtpx.test' \
                'To: root@smtpx.test' \
                'Subject: smtpx bare LF test' \
                '' \
                'Every line of this message ends in a bare LF:' \
                'curl sends the file as it is without --crlf.' >"$tmp/barelf.eml" ;;
    esac
}

# ---- capture -----------------------------------------------------------------

tmp=$(mktemp -d)
dumpcap_pid=
cleanup() {
    stop_process INT "$dumpcap_pid"
    [ "$scenario" = lmtp ] && stop_lmtp
    [ "$scenario" = greylist ] && stop_greylist
    [ "$scenario" = dkim ] && stop_dkim
    rm -rf "$tmp"
}
trap cleanup EXIT

fin_count() {
    tshark -r "$1" -Y 'tcp.flags.fin == 1' -T fields -e frame.number 2>/dev/null | wc -l || true
}

configure_postfix
prepare_scenario
[ "$scenario" = lmtp ] && start_lmtp
[ "$scenario" = greylist ] && start_greylist
[ "$scenario" = dkim ] && start_dkim

cap=$tmp/capture.pcapng
dumpcap -i lo -f "$CAPTURE_FILTER" -w "$cap" 2>"$tmp/dumpcap.log" &
dumpcap_pid=$!
for _ in $(seq 100); do
    grep -q '^Capturing on' "$tmp/dumpcap.log" 2>/dev/null && break
    kill -0 "$dumpcap_pid" 2>/dev/null || { cat "$tmp/dumpcap.log" >&2; die "dumpcap failed"; }
    sleep 0.1
done
grep -q '^Capturing on' "$tmp/dumpcap.log" || { cat "$tmp/dumpcap.log" >&2; die "dumpcap did not start"; }
sleep 0.5

run_scenario >"$tmp/client.log" 2>&1 || { cat "$tmp/client.log" >&2; die "scenario $scenario failed"; }

# both FINs (client's and server's) of every session must be in the file before we stop
want_fins=2
# relay: postfix's client sends QUIT and FIN without waiting for the 221
# (smtp_skip_quit_response), and answers the 221 with RST: one FIN more
{ [ "$scenario" = relay ] || [ "$scenario" = dkim ]; } && want_fins=3
[ "$scenario" = lmtp ] && want_fins=4
[ "$scenario" = not-smtp ] && want_fins=4
for _ in $(seq 50); do
    [ "$(fin_count "$cap")" -ge "$want_fins" ] && break
    sleep 0.2
done
sleep 1
kill -INT "$dumpcap_pid"
wait "$dumpcap_pid" || true
dumpcap_pid=
fins=$(fin_count "$cap")
[ "$fins" -ge "$want_fins" ] || die "the capture has $fins FIN segments, expected $want_fins"

mkdir -p "$(dirname "$out")"
cp "$cap" "$out"
chmod 0644 "$out"
if [ -f "$tmp/message.eml" ]; then
    cp "$tmp/message.eml" "${out%.*}.eml"
    chmod 0644 "${out%.*}.eml"
    echo "capture-real.sh: the message as the server received it -> ${out%.*}.eml"
fi
echo "capture-real.sh: $scenario -> $out ($(tshark -r "$out" 2>/dev/null | wc -l) packets)"
