#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Capture real SMTP AUTH and TLS sessions between real mail software on the
# loopback interface (companion of tools/capture-real.sh, same approach).
#
#   usage (as root): tools/capture-auth-tls.sh SCENARIO OUT.pcapng
#
# Scenarios:
#   postfix-sasl     postfix (Dovecot SASL) on 127.0.0.1:587, no TLS; swaks
#                    --auth LOGIN, PLAIN, CRAM-MD5, then LOGIN with a wrong
#                    password (535): four sessions in one capture
#   aiosmtpd         python3-aiosmtpd on 127.0.0.1:2525 (AUTH LOGIN/PLAIN
#                    without TLS): swaks LOGIN, msmtp PLAIN, curl PLAIN, swaks
#                    PLAIN with a wrong password
#   aiosmtpd-slam    the same server; a raw client sends MAIL, DATA (no RCPT),
#                    the message, its "." and QUIT in one segment without
#                    waiting: aiosmtpd refuses DATA (503), reads each line of
#                    the message as a command (500) and hangs up at the "."
#                    (502 too many unrecognized commands)
#   exim4            exim 4.96 (Debian's exim4-daemon-light binary, unpacked,
#                    not installed) on 127.0.0.1:2526: one swaks session with
#                    AUTH LOGIN (port 2526 is not an smtpx port: read the capture
#                    with -d tcp.port==2526,smtpx)
#   starttls-keylog  postfix on 127.0.0.1:587 with STARTTLS (self-signed
#                    certificate) and AUTH only after TLS; curl --ssl-reqd with
#                    AUTH=PLAIN and SSLKEYLOGFILE; the TLS secrets are embedded
#                    in OUT.pcapng (editcap --inject-secrets), so it decrypts
#                    without a key log preference
#   smtps-465        the same over implicit TLS: postfix smtps service on
#                    127.0.0.1:465 (smtpd_tls_wrappermode=yes), curl smtps://
#                    with AUTH=LOGIN
# The test user is student / hessovs! everywhere.
#
# Debian packages used: postfix swaks tshark (dumpcap, editcap) python3 curl
# openssl, and per scenario dovecot-core (postfix-sasl, starttls-keylog,
# smtps-465), python3-aiosmtpd msmtp (aiosmtpd); they are installed with
# apt-get when missing. exim4-daemon-light cannot be installed beside postfix
# (both are the mail-transport-agent): its .deb is fetched with
# `apt-get download` and unpacked into /var/lib/smtpx-test/exim4.
#
# What it does to the machine (idempotent, safe to re-run):
#   * postfix: the same main.cf settings as tools/capture-real.sh (port 25 is
#     left exactly as capture-real.sh wants it: no AUTH, no STARTTLS); everything
#     for AUTH and TLS goes into master.cf -o overrides of a "submission"
#     (127.0.0.1:587) service, rewritten for the scenario that ran last, and of
#     an "smtps" (127.0.0.1:465) service; postfix is started (restarted if the
#     configuration changed) and LEFT RUNNING (stop it with `postfix stop`);
#   * /etc/postfix/smtpx-test.pem: a self-signed key and certificate for
#     mx.smtpx.test, made once;
#   * dovecot (SASL only, no IMAP/POP3) runs from its own configuration
#     /etc/dovecot/smtpx-test.conf with the user file
#     /etc/dovecot/smtpx-test.passwd, base_dir /run/dovecot-smtpx, log
#     /var/log/dovecot-smtpx.log, and serves /var/spool/postfix/private/auth;
#     it is LEFT RUNNING (stop it with
#     `doveadm -c /etc/dovecot/smtpx-test.conf stop`); Debian's own
#     /etc/dovecot/dovecot.conf is not touched;
#   * aiosmtpd and exim are started for the capture and stopped afterwards;
#     exim needs the system user Debian-exim, which is created if missing;
#     its spool and logs are under /var/lib/smtpx-test/exim4.
# Mail for root is delivered by postfix to /var/mail/root; aiosmtpd and exim
# discard it.
set -euo pipefail
# shellcheck source=tools/lib-postfix.sh
. "$(dirname "$0")/lib-postfix.sh"

CAPTURE_FILTER='tcp port 25 or tcp port 587 or tcp port 465 or tcp port 2525 or tcp port 2526'
CLIENT_NAME=client.smtpx.test
SERVER=127.0.0.1
AUTH_USER=student
AUTH_PASS='hessovs!'
STATE=/var/lib/smtpx-test
PEM=/etc/postfix/smtpx-test.pem
DOVECOT_CONF=/etc/dovecot/smtpx-test.conf
DOVECOT_PASSWD=/etc/dovecot/smtpx-test.passwd
DOVECOT_BASE=/run/dovecot-smtpx
EXIM_DIR=$STATE/exim4
EXIM_PORT=2526
AIOSMTPD_PORT=2525

die() { echo "capture-auth-tls.sh: $*" >&2; exit 1; }
say() { echo "capture-auth-tls.sh: $*" >&2; }

usage() {
    sed -n '4,34p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

[ $# -eq 2 ] || usage
scenario=$1
out=$2
case $scenario in
    postfix-sasl|aiosmtpd|aiosmtpd-slam|exim4|starttls-keylog|smtps-465) ;;
    *) usage ;;
esac
[ "$(id -u)" -eq 0 ] || die "must be run as root (it configures servers and captures on lo)"
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
PYTHON=/usr/bin/python3  # Debian's, which has python3-aiosmtpd

ensure_packages() {
    local missing=() p
    for p in "$@"; do
        dpkg-query -W -f '${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    say "installing ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2 ||
        die "apt-get install ${missing[*]} failed"
}

ensure_packages postfix swaks tshark python3 curl openssl
case $scenario in
    postfix-sasl|starttls-keylog|smtps-465) ensure_packages dovecot-core ;;
    aiosmtpd|aiosmtpd-slam) ensure_packages python3-aiosmtpd msmtp ;;
esac
for tool in postconf postfix newaliases dumpcap tshark editcap swaks python3 curl openssl; do
    command -v "$tool" >/dev/null || die "$tool is not installed"
done

tmp=$(mktemp -d)
chmod 0755 "$tmp"
dumpcap_pid=
server_pid=
cleanup() {
    stop_process INT "$dumpcap_pid"
    stop_process TERM "$server_pid"
    rm -rf "$tmp"
}
trap cleanup EXIT

# wait_banner PORT [tls]: until a 220 greeting arrives (over TLS if asked)
wait_banner() {
    local _
    for _ in $(seq 150); do
        if "$PYTHON" - "$SERVER" "$1" "${2:-}" <<'PY' 2>/dev/null; then return 0; fi
import socket, ssl, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2)
if sys.argv[3] == "tls":
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    s = ctx.wrap_socket(s)
ok = s.recv(512).startswith(b"220 ")
s.sendall(b"QUIT\r\n")
s.recv(512)
s.close()
sys.exit(0 if ok else 1)
PY
        sleep 0.1
    done
    return 1
}

# ---- dovecot (SASL for postfix) -------------------------------------------------

dovecot_pid() {
    local pid
    pid=$(cat "$DOVECOT_BASE/master.pid" 2>/dev/null) || return 1
    kill -0 "$pid" 2>/dev/null && echo "$pid"
}

configure_dovecot() {
    install -m 0640 -o root -g dovecot /dev/stdin "$DOVECOT_PASSWD" <<EOF
$AUTH_USER:{PLAIN}$AUTH_PASS::::::
EOF
    cat >"$DOVECOT_CONF" <<EOF
# smtpx tests (tools/capture-auth-tls.sh): SASL for postfix only
protocols =
base_dir = $DOVECOT_BASE/
log_path = /var/log/dovecot-smtpx.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login cram-md5
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $DOVECOT_PASSWD
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=/nonexistent
}
service auth {
  unix_listener /var/spool/postfix/private/auth {
    mode = 0660
    user = postfix
    group = postfix
  }
}
EOF
    if dovecot_pid >/dev/null; then
        doveadm -c "$DOVECOT_CONF" reload
    else
        # the daemon must not keep our stdout/stderr open (a pipe reading them would never end)
        dovecot -c "$DOVECOT_CONF" </dev/null >/dev/null 2>"$tmp/dovecot.err" ||
            { cat "$tmp/dovecot.err" >&2; die "dovecot does not start (see /var/log/dovecot-smtpx.log)"; }
    fi
    local _
    for _ in $(seq 50); do
        [ -S /var/spool/postfix/private/auth ] && return 0
        sleep 0.1
    done
    die "dovecot did not create /var/spool/postfix/private/auth"
}

# ---- postfix -------------------------------------------------------------------


make_certificate() {
    [ -s "$PEM" ] && return 0
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj /CN=mx.smtpx.test \
        -addext subjectAltName=DNS:mx.smtpx.test \
        -keyout "$tmp/key.pem" -out "$tmp/cert.pem" 2>/dev/null
    install -m 0600 /dev/null "$PEM"
    cat "$tmp/key.pem" "$tmp/cert.pem" >"$PEM"
}

# set_service NAME "master.cf fields" param=value...: (re)define a service
set_service() {
    local name=$1 fields=$2 p
    shift 2
    postconf -MX "$name/inet" 2>/dev/null || true
    postconf -M "$name/inet=$name $fields"
    for p in "$@"; do
        postconf -P "$name/inet/$p"
    done
}

# shellcheck disable=SC2054  # the comma is inside one postfix value
SASL_OPTS=(syslog_name=postfix/submission smtpd_sasl_auth_enable=yes smtpd_sasl_type=dovecot
           smtpd_sasl_path=private/auth smtpd_client_restrictions=
           smtpd_recipient_restrictions=permit_sasl_authenticated,reject)

configure_postfix() {
    local before after
    before=$(postconf -n; postconf -M)
    # the same main.cf as tools/capture-real.sh: port 25 stays as it wants it
    postfix_base_config
    local tls=(smtpd_tls_chain_files="$PEM" smtpd_tls_cert_file= smtpd_tls_key_file=)
    case $scenario in
        postfix-sasl)
            set_service submission "inet n - y - - smtpd" "${SASL_OPTS[@]}" \
                smtpd_tls_security_level=none smtpd_tls_auth_only=no ;;
        starttls-keylog)
            set_service submission "inet n - y - - smtpd" "${SASL_OPTS[@]}" "${tls[@]}" \
                smtpd_tls_security_level=may smtpd_tls_auth_only=yes ;;
        smtps-465)
            set_service smtps "inet n - y - - smtpd" "${SASL_OPTS[@]/submission/smtps}" "${tls[@]}" \
                smtpd_tls_wrappermode=yes smtpd_tls_security_level=encrypt ;;
    esac
    after=$(postconf -n; postconf -M)
    postfix_apply "$before" "$after"
}

# ---- aiosmtpd ------------------------------------------------------------------

start_aiosmtpd() {
    cat >"$tmp/aiosmtpd_server.py" <<'PY'
import signal, sys, threading
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Sink
from aiosmtpd.smtp import AuthResult, LoginPassword

host, port, user, password = sys.argv[1], int(sys.argv[2]), sys.argv[3].encode(), sys.argv[4].encode()


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data == (user, password)
    return AuthResult(success=ok, handled=False)  # False: aiosmtpd answers 535 itself


controller = Controller(Sink(), hostname=host, port=port, server_hostname="aiosmtpd.smtpx.test",
                        authenticator=authenticator, auth_require_tls=False)
controller.start()
stop = threading.Event()
signal.signal(signal.SIGTERM, lambda *_: stop.set())
print("ready", flush=True)
stop.wait()
controller.stop()
PY
    chmod 0644 "$tmp/aiosmtpd_server.py"
    setpriv --reuid=65534 --regid=65534 --clear-groups \
        "$PYTHON" "$tmp/aiosmtpd_server.py" "$SERVER" "$AIOSMTPD_PORT" "$AUTH_USER" "$AUTH_PASS" \
        >"$tmp/server.log" 2>&1 &
    server_pid=$!
    wait_banner "$AIOSMTPD_PORT" || { cat "$tmp/server.log" >&2; die "aiosmtpd does not answer"; }
}

# ---- exim ----------------------------------------------------------------------

start_exim() {
    local exim=$EXIM_DIR/root/usr/sbin/exim4
    mkdir -p "$EXIM_DIR/deb" "$EXIM_DIR/spool" "$EXIM_DIR/log"
    if [ ! -x "$exim" ]; then
        ( cd "$EXIM_DIR/deb" && rm -f ./*.deb && apt-get download exim4-daemon-light ) >&2 ||
            die "apt-get download exim4-daemon-light failed"
        dpkg-deb -x "$EXIM_DIR"/deb/exim4-daemon-light_*.deb "$EXIM_DIR/root"
    fi
    getent passwd Debian-exim >/dev/null ||
        useradd --system --user-group --home-dir /var/spool/exim4 --no-create-home \
            --shell /usr/sbin/nologin Debian-exim
    chown -R Debian-exim:Debian-exim "$EXIM_DIR/spool" "$EXIM_DIR/log"
    cat >"$EXIM_DIR/exim4.conf" <<EOF
# smtpx tests (tools/capture-auth-tls.sh): accept mail for smtpx.test, discard it
primary_hostname = exim.smtpx.test
daemon_smtp_ports = $EXIM_PORT
local_interfaces = $SERVER
spool_directory = $EXIM_DIR/spool
log_file_path = $EXIM_DIR/log/%slog
pid_file_path = $EXIM_DIR/exim.pid
domainlist local_domains = smtpx.test : localhost
keep_environment =
host_lookup =
rfc1413_hosts =
tls_advertise_hosts =
acl_smtp_rcpt = acl_check_rcpt

begin acl
acl_check_rcpt:
  accept domains = +local_domains
  deny message = relay not permitted

begin routers
discard:
  driver = redirect
  data = :blackhole:

begin authenticators
PLAIN:
  driver = plaintext
  public_name = PLAIN
  server_prompts = :
  server_condition = \${if and {{eq{\$auth2}{$AUTH_USER}}{eq{\$auth3}{$AUTH_PASS}}}}
  server_set_id = \$auth2
LOGIN:
  driver = plaintext
  public_name = LOGIN
  server_prompts = Username:: : Password::
  server_condition = \${if and {{eq{\$auth1}{$AUTH_USER}}{eq{\$auth2}{$AUTH_PASS}}}}
  server_set_id = \$auth1
CRAM_MD5:
  driver = cram_md5
  public_name = CRAM-MD5
  server_secret = \${if eq{\$auth1}{$AUTH_USER}{$AUTH_PASS}fail}
  server_set_id = \$auth1
EOF
    chmod 0644 "$EXIM_DIR/exim4.conf"
    "$exim" -C "$EXIM_DIR/exim4.conf" -bV >/dev/null || die "exim rejects $EXIM_DIR/exim4.conf"
    "$exim" -C "$EXIM_DIR/exim4.conf" -bdf >"$tmp/server.log" 2>&1 &
    server_pid=$!
    wait_banner "$EXIM_PORT" || { cat "$tmp/server.log" "$EXIM_DIR"/log/* >&2; die "exim does not answer"; }
}

# ---- clients -------------------------------------------------------------------

swaks_to() {  # swaks_to PORT [swaks options]
    local port=$1
    shift
    swaks --server "$SERVER" --port "$port" --helo "$CLIENT_NAME" \
        --from alice@smtpx.test --to root@smtpx.test "$@"
}

swaks_auth() {  # swaks_auth PORT MECH PASSWORD SUBJECT
    swaks_to "$1" --auth "$2" --auth-user "$AUTH_USER" --auth-password "$3" \
        --header "Subject: $4"
}

swaks_auth_fails() {  # the same, expecting 535
    if swaks_auth "$@" >"$tmp/fail.log" 2>&1; then
        cat "$tmp/fail.log"
        die "AUTH with a wrong password was accepted"
    fi
    cat "$tmp/fail.log"
    grep -q '^<\*\* 535' "$tmp/fail.log" || die "AUTH with a wrong password was not answered 535"
}

message() {  # message SUBJECT BODY-LINE: a complete message with CRLF line ends
    printf '%s\r\n' "From: <alice@smtpx.test>" "To: <root@smtpx.test>" "Subject: $1" \
        "Message-ID: <$2@client.smtpx.test>" "" "$3"
}

curl_send() {  # curl_send URL MECH SUBJECT [curl options]
    local url=$1 mech=$2 subject=$3
    shift 3
    message "$subject" "curl-${mech,,}" "Sent by curl with AUTH $mech." >"$tmp/msg.txt"
    curl -sS --url "$url/$CLIENT_NAME" --mail-from alice@smtpx.test --mail-rcpt root@smtpx.test \
        --upload-file "$tmp/msg.txt" --user "$AUTH_USER:$AUTH_PASS" --login-options "AUTH=$mech" "$@"
}

msmtp_send() {  # msmtp_send PORT MECH SUBJECT
    cat >"$tmp/msmtprc" <<EOF
account smtpx
host $SERVER
port $1
tls off
auth ${2,,}
user $AUTH_USER
password $AUTH_PASS
domain $CLIENT_NAME
from alice@smtpx.test
EOF
    chmod 0600 "$tmp/msmtprc"
    message "$3" "msmtp-${2,,}" "Sent by msmtp with AUTH $2." |
        msmtp -C "$tmp/msmtprc" -a smtpx root@smtpx.test
}

# slam PORT: MAIL, DATA without RCPT, the message, "." and QUIT in one segment;
# reads the replies until the server closes
slam() {
    "$PYTHON" - "$SERVER" "$1" <<'PY'
import socket, sys

sock = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=10)
sock.recv(4096)
sock.sendall(b"EHLO client.smtpx.test\r\n")
sock.recv(4096)
sock.sendall(b"MAIL FROM:<alice@smtpx.test>\r\n"
             b"DATA\r\n"
             b"From: <alice@smtpx.test>\r\n"
             b"To: <root@smtpx.test>\r\n"
             b"Subject: smtpx slam test\r\n"
             b"\r\n"
             b"This message was sent before the server's reply to DATA.\r\n"
             b".\r\n"
             b"QUIT\r\n")
while sock.recv(4096):
    pass
sock.close()
PY
}

# run_scenario: the client sessions; prints how many there were
run_scenario() {
    case $scenario in
        postfix-sasl)
            swaks_auth 587 LOGIN "$AUTH_PASS" 'smtpx AUTH LOGIN test'
            swaks_auth 587 PLAIN "$AUTH_PASS" 'smtpx AUTH PLAIN test'
            swaks_auth 587 CRAM-MD5 "$AUTH_PASS" 'smtpx AUTH CRAM-MD5 test'
            swaks_auth_fails 587 LOGIN 'wrong-password' 'smtpx AUTH failure test'
            echo 4 >"$tmp/sessions" ;;
        aiosmtpd)
            swaks_auth "$AIOSMTPD_PORT" LOGIN "$AUTH_PASS" 'smtpx aiosmtpd AUTH LOGIN test'
            msmtp_send "$AIOSMTPD_PORT" PLAIN 'smtpx aiosmtpd msmtp test'
            curl_send "smtp://$SERVER:$AIOSMTPD_PORT" PLAIN 'smtpx aiosmtpd curl test'
            swaks_auth_fails "$AIOSMTPD_PORT" PLAIN 'wrong-password' 'smtpx aiosmtpd AUTH failure test'
            echo 4 >"$tmp/sessions" ;;
        aiosmtpd-slam)
            slam "$AIOSMTPD_PORT"
            echo 1 >"$tmp/sessions" ;;
        exim4)
            swaks_auth "$EXIM_PORT" LOGIN "$AUTH_PASS" 'smtpx exim AUTH LOGIN test'
            echo 1 >"$tmp/sessions" ;;
        starttls-keylog)
            SSLKEYLOGFILE=$tmp/keylog curl_send "smtp://$SERVER:587" PLAIN 'smtpx STARTTLS test' \
                --ssl-reqd --insecure
            echo 1 >"$tmp/sessions" ;;
        smtps-465)
            SSLKEYLOGFILE=$tmp/keylog curl_send "smtps://$SERVER:465" LOGIN 'smtpx SMTPS test' --insecure
            echo 1 >"$tmp/sessions" ;;
    esac
}

# ---- servers -------------------------------------------------------------------

case $scenario in
    postfix-sasl)
        configure_dovecot
        configure_postfix
        wait_banner 587 || die "postfix does not answer on 587 (see /var/log/postfix.log)" ;;
    starttls-keylog)
        make_certificate
        configure_dovecot
        configure_postfix
        wait_banner 587 || die "postfix does not answer on 587 (see /var/log/postfix.log)" ;;
    smtps-465)
        make_certificate
        configure_dovecot
        configure_postfix
        wait_banner 465 tls || die "postfix does not answer on 465 (see /var/log/postfix.log)" ;;
    aiosmtpd|aiosmtpd-slam)
        start_aiosmtpd ;;
    exim4)
        start_exim ;;
esac

# ---- capture -------------------------------------------------------------------

# closed_count FILE: TCP connections in FILE that are over (both FINs, or a
# reset: curl resets the connection when the server's TLS close_notify
# arrives after it closed its side)
closed_count() {
    tshark -r "$1" -Y 'tcp.flags.fin == 1 || tcp.flags.reset == 1' \
        -T fields -e tcp.stream -e tcp.flags.fin -e tcp.flags.reset 2>/dev/null |
        awk '{ if ($3 == 1 || $3 == "True") rst[$1] = 1; else fin[$1]++ }
             END { n = 0; for (s in fin) if (fin[s] >= 2 && !(s in rst)) n++; for (s in rst) n++; print n }' ||
        echo 0
}

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

(run_scenario) >"$tmp/client.log" 2>&1 || { cat "$tmp/client.log" >&2; die "scenario $scenario failed"; }
sessions=$(cat "$tmp/sessions")

for _ in $(seq 50); do
    [ "$(closed_count "$cap")" -ge "$sessions" ] && break
    sleep 0.2
done
sleep 1
kill -INT "$dumpcap_pid"
wait "$dumpcap_pid" || true
dumpcap_pid=
closed=$(closed_count "$cap")
[ "$closed" -ge "$sessions" ] || die "$closed of $sessions TCP connections were closed in the capture"

case $scenario in
    aiosmtpd|aiosmtpd-slam|exim4)
        kill -TERM "$server_pid"
        wait "$server_pid" 2>/dev/null || true
        server_pid= ;;
    starttls-keylog|smtps-465)
        grep -q '^CLIENT_TRAFFIC_SECRET_0 \|^CLIENT_RANDOM ' "$tmp/keylog" ||
            die "curl wrote no TLS secrets to SSLKEYLOGFILE"
        editcap --inject-secrets "tls,$tmp/keylog" "$cap" "$tmp/with-keys.pcapng"
        cap=$tmp/with-keys.pcapng ;;
esac

mkdir -p "$(dirname "$out")"
cp "$cap" "$out"
chmod 0644 "$out"
echo "capture-auth-tls.sh: $scenario -> $out ($(tshark -r "$out" 2>/dev/null | wc -l) packets, $sessions sessions)"
