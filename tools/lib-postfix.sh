# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# Shared by tools/capture-real.sh and tools/capture-auth-tls.sh (sourced):
# the loopback Postfix both capture scripts talk to.

postfix_running() { postfix status >/dev/null 2>&1; }

# The main.cf settings of the test server (127.0.0.1:25, mx.smtpx.test).
postfix_base_config() {
    # shellcheck disable=SC2016  # $myhostname is for postfix to expand
    postconf -e \
        'inet_interfaces=loopback-only' \
        'inet_protocols=ipv4' \
        'mydestination=smtpx.test localhost' \
        'myhostname=mx.smtpx.test' \
        'smtpd_banner=$myhostname ESMTP Postfix' \
        'smtpd_tls_security_level=none' \
        'smtpd_peername_lookup=no' \
        'smtpd_recipient_restrictions=' \
        'smtpd_upstream_proxy_protocol=' \
        'smtpd_authorized_xclient_hosts=' \
        'smtpd_milters=' \
        'maillog_file=/var/log/postfix.log'
}

# postfix_apply BEFORE AFTER: prepare and start Postfix, restart it when the
# configuration changed (BEFORE/AFTER: postconf output), else reload it.
postfix_apply() {
    newaliases
    # Debian's postfix@.service runs this before starting: it copies
    # /etc/hosts, resolv.conf, ... into the chroot of smtpd and friends.
    if [ -x /usr/lib/postfix/configure-instance.sh ]; then
        /usr/lib/postfix/configure-instance.sh - >/dev/null
    fi
    postfix check
    if ! postfix_running; then
        postfix start >/dev/null 2>&1 || { postfix start; exit 1; }
    elif [ "$1" != "$2" ]; then
        # inet_interfaces/inet_protocols changes need a full restart
        postfix stop >/dev/null 2>&1
        for _ in $(seq 50); do postfix_running || break; sleep 0.1; done
        postfix start >/dev/null 2>&1 || { postfix start; exit 1; }
    else
        postfix reload >/dev/null 2>&1
    fi
}

# stop_process SIGNAL PID: stop a background process of ours if it still runs.
stop_process() {
    if [ -n "$2" ] && kill -0 "$2" 2>/dev/null; then
        kill "-$1" "$2" 2>/dev/null || true
        wait "$2" 2>/dev/null || true
    fi
}
