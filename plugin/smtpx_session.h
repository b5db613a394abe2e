/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Session state of one SMTP conversation.
 *
 * The state machine runs on every pass. On the first pass it advances the
 * conversation's live state; each call of the dissector first stores a copy
 * of the state it starts from (keyed by frame and TCP sequence number), and
 * later passes replay the same machine from that copy. Records that outlive
 * a call (commands and their replies) are made on the first pass only. */
#ifndef SMTPX_SESSION_H
#define SMTPX_SESSION_H

#include <wireshark.h>
#include <epan/packet.h>

struct tcpinfo;

/* Kinds of pending request beyond the smtp_cmd_t verbs. */
#define SMTPX_KIND_AUTH_STEP 200   /* a client line inside an AUTH exchange */
#define SMTPX_KIND_EOD       201   /* the end of a DATA message */

/* The first end of data of a message that only some servers take
 * (<LF>.<LF>: SMTP smuggling), and the message up to it. */
typedef struct {
    guint32 frame;                /* 0: none */
    guint32 lines;
    guint64 bytes;
    nstime_t time;
    gboolean meant;               /* the end of data of a client that ends all its lines so (<LF>.<LF>
                                     from netcat): no smuggling */
} smtpx_early_end_t;

/* Header values of a message for the transactions log (read only when it
 * is asked for). */
typedef struct {
    const char *to, *cc, *reply_to, *date, *in_reply_to, *user_agent, *originating_ip;
    const char *auth_results;   /* the newest verdicts: "spf=pass dkim=pass dmarc=fail" */
} smtpx_log_headers_t;

/* What a message says of itself: for its summary and the transactions log. */
typedef struct {
    const char *from;                /* header From address */
    const char *subject;
    const char *message_id;
    const smtpx_log_headers_t *log;  /* for the transactions log (NULL: none read) */
    const char *path;                /* Received: the sending hosts' addresses, top first (for the tap) */
    const char *attachments;         /* file names of the attachments (for the tap) */
    const char *dkim;                /* each DKIM signature's domain and verdict (for the tap) */
} smtpx_msg_facts_t;

/* A message (DATA or BDAT) of the session; file scope. */
typedef struct {
    guint32 id;                   /* frame that opened it (354, first BDAT, a line sent before 354) */
    guint32 reassembly_id;        /* its own: two messages may open and end in one frame */
    guint32 end_frame;            /* frame with the end of data (0: not seen) */
    guint32 last_frame;           /* last frame with message data */
    const struct smtpx_cmd_rec *mail;   /* MAIL of its transaction */
    gboolean server_ended;        /* the transaction ended before the message did */
    gboolean sent_early;          /* DATA: the client sent it before the reply to DATA */
    gboolean refused;             /* ... and the server refused DATA: it read the lines as commands */
    gboolean start_unseen;        /* the capture begins inside it (smtpx_message_unseen_start), or may
                                     (a BDAT, in a capture begun after the session's start, MAIL and RCPT) */
    guint32 lines;                /* lines before its end of data (set there) */
    guint64 bytes;                /* its size (set there) */
    const smtpx_msg_facts_t *facts; /* what it said of itself (set there): the next message may be sent
                                       before the reply to its end */
    guint64 missing;              /* bytes of it the capture lacks (stream gaps) */
    guint64 gap_at;               /* its bytes before the first of them */
    gboolean header_gap;          /* some in its header block: To, Cc... may be lost, no blind copies told */
    const struct smtpx_cmd_rec *lmtp_first; /* LMTP: the end of data's request for its first recipient */
    smtpx_early_end_t early_end;  /* the server may answer it (a reply during DATA) */
    guint32 fragments;            /* given to reassembly so far (first pass) */
    guint32 pending_len;          /* bytes kept in pending, to be given as one fragment */
    guint8 *pending;              /* (smtpx_data.c: add_fragment) */
} smtpx_msg_rec_t;

/* A client request waiting for (or matched to) its reply; file scope. */
typedef struct smtpx_cmd_rec {
    struct smtpx_cmd_rec *next;   /* next request of the conversation */
    guint32 req_frame;
    guint32 rsp_frame;            /* 0 until the reply is seen */
    nstime_t req_time;
    guint16 kind;                 /* smtp_cmd_t or SMTPX_KIND_* */
    guint16 rsp_code;             /* code of the reply, once seen */
    guint8 last;                  /* BDAT: the LAST chunk */
    guint8 early_taken;           /* end of data: one only the server saw (it answered during DATA) */
    guint8 lmtp_more;             /* LMTP end of data: more replies, for the next recipients, follow this one's */
    guint8 host_alarm;            /* 1 << smtpx_host_kind_t: its reply brought its client's refusals to a count */
    const char *arg;              /* MAIL/RCPT address; HELO/EHLO: the client's name before it; XCLIENT: its
                                     attributes; LMTP end of data: the recipient its reply is for */
    const struct smtpx_cmd_rec *rcpt; /* LMTP end of data: the RCPT of that recipient */
    const char *queue_id;         /* EOD/BDAT LAST: from the reply */
    smtpx_msg_rec_t *msg;         /* DATA, first BDAT: the message it opened; end of data, LAST: the one it ended */
} smtpx_cmd_rec_t;

/* Immutable pieces of text chained backwards (header block, recipients),
 * so that a snapshot of the state stays valid while the chain grows. */
typedef struct smtpx_chunk {
    const struct smtpx_chunk *prev;
    guint32 len;
    char data[];
} smtpx_chunk_t;

/* A client line that arrives in pieces (smtpx_pieces.c); file scope. Its
 * bytes are only appended to, so a length names the same prefix forever. */
typedef struct smtpx_held {
    struct smtpx_held *next;      /* the record of the next held line */
    guint8 *bytes;
    guint32 cap;
    guint32 first_frame;          /* frame of the first piece */
    guint32 pieces;               /* segments held (first pass) */
    guint32 done_in;              /* frame where the line ended (0: not yet) */
} smtpx_held_t;

smtpx_held_t *smtpx_held_new(void);

typedef enum {
    SMTPX_MODE_COMMAND = 0,
    SMTPX_MODE_DATA,      /* after 354: message lines until "." */
    SMTPX_MODE_BDAT,      /* chunk bytes of a BDAT command */
    SMTPX_MODE_AUTH,      /* client lines answer 334 challenges */
    SMTPX_MODE_TLS        /* after 220 to STARTTLS */
} smtpx_mode_t;

/* smtpx_state_t.long_line: the line being received was cut */
#define SMTPX_LINE_OVERLONG 1   /* at max_line, or where reassembly was impossible: never reassembled further */
#define SMTPX_LINE_FOLLOWS  2   /* at a segment end on purpose (bulk message data); its end may be reassembled */

/* Session flags */
#define SMTPX_F_GREETING   0x0001u  /* server greeting seen */
#define SMTPX_F_ANY_REPLY  0x0002u  /* some reply seen */
#define SMTPX_F_HELLO      0x0008u  /* HELO/EHLO accepted */
#define SMTPX_F_MAIL       0x0010u  /* MAIL accepted: transaction open */
#define SMTPX_F_RCPT       0x0020u  /* at least one RCPT accepted */
#define SMTPX_F_AUTHED     0x0040u  /* AUTH succeeded */
#define SMTPX_F_QUIT       0x0080u  /* QUIT accepted */
#define SMTPX_F_TLS        0x0100u  /* STARTTLS accepted */
#define SMTPX_F_EHLO       0x0200u  /* the last hello was EHLO */
#define SMTPX_F_AUTH_CANCEL 0x0400u /* the client sent "*" */
#define SMTPX_F_AUTH_ENDED 0x0800u  /* the previous reply ended an AUTH exchange */
#define SMTPX_F_BDAT_LAST  0x1000u  /* BDAT LAST sent in this transaction */
#define SMTPX_F_CHUNK_END  0x2000u  /* a BDAT chunk just ended: a command must follow */
#define SMTPX_F_SECRET_CUT 0x4000u  /* the client line being received is a cut AUTH line hidden at its head */
#define SMTPX_F_SMTPUTF8   0x8000u  /* the transaction's MAIL has SMTPUTF8 */
#define SMTPX_F_LMTP       0x10000u /* the client sent LHLO: LMTP (RFC 2033) */
#define SMTPX_F_CLEAR_MAIL 0x20000u /* mail without the TLS the server offered: reported */
#define SMTPX_F_FOREIGN    0x40000u /* the client spoke another protocol: reported */
#define SMTPX_F_REAL_CLIENT 0x80000u /* a PROXY header or an accepted XCLIENT named the real client
                                     * (smtpx_conv_t.real_client, when it gave an address) */
#define SMTPX_F_UNSEEN_CLIENT 0x100000u /* the server acknowledged client bytes the capture lacks: reported */
#define SMTPX_F_UNSEEN_SERVER 0x200000u /* the client acknowledged server bytes the capture lacks: reported */
#define SMTPX_F_HELD_GAP   0x400000u /* the client line being held lacks bytes (a stream gap): its argument is not read */
#define SMTPX_F_HELLO_UNSEEN 0x800000u /* a hello answered in bytes the capture lacks: extensions unknown, not checked */
#define SMTPX_F_AUTH_UNSEEN 0x1000000u /* an AUTH ended in bytes the capture lacks: logged in or not, unknown */
#define SMTPX_F_LOGGED     0x2000000u /* the open transaction has its row in the logs (a refused DATA) */
#define SMTPX_F_LF_CLIENT  0x4000000u /* the client ends its commands with a bare LF (netcat): reported */
#define SMTPX_F_CRNUL_CLIENT 0x8000000u /* ... with CR NUL (a Telnet client in NVT mode) */
#define SMTPX_F_CRLF_CLIENT 0x20000000u /* the client ended a command or message line with CRLF: a bare LF or
                                           CR NUL end of data is no line end of its own */
#define SMTPX_F_NEXT_TXN   0x10000000u /* a MAIL was pipelined behind the open transaction's end: the client's
                                          findings from it on are the next one's (next_txn_findings) */

/* Message flags: what was reported once per message, body type */
#define SMTPX_MSG_8BIT_OK     0x01u  /* BODY=8BITMIME or BINARYMIME */
#define SMTPX_MSG_8BIT_SEEN   0x02u
#define SMTPX_MSG_SIZE_SEEN   0x04u
#define SMTPX_MSG_TOO_BIG     0x08u  /* beyond the reassembly limit */
#define SMTPX_MSG_BARE_SEEN   0x10u
#define SMTPX_MSG_HDR_KEPT    0x20u  /* the current header is kept for analysis */
#define SMTPX_MSG_CHUNKED     0x40u  /* BDAT: its headers are read in the reassembled message, at its end */
#define SMTPX_MSG_BINARY      0x80u  /* BODY=BINARYMIME: any bytes, BDAT only (RFC 3030) */

/* Where a piece of BDAT chunk data ended: at a line end, inside a line, or
 * inside a line just after a CR (the LF of its CRLF may start the next piece). */
#define SMTPX_CHUNK_AT_LINE_START 0
#define SMTPX_CHUNK_OPEN          1
#define SMTPX_CHUNK_OPEN_CR       2

/* Extensions the server advertised (EHLO reply). */
#define SMTPX_EXT_PIPELINING  0x0001u
#define SMTPX_EXT_SIZE        0x0002u
#define SMTPX_EXT_AUTH        0x0004u
#define SMTPX_EXT_STARTTLS    0x0008u
#define SMTPX_EXT_8BITMIME    0x0010u
#define SMTPX_EXT_CHUNKING    0x0020u
#define SMTPX_EXT_ENHANCED    0x0040u
#define SMTPX_EXT_SMTPUTF8    0x0080u
#define SMTPX_EXT_DSN         0x0100u
#define SMTPX_EXT_BINARYMIME  0x0200u
#define SMTPX_EXT_XCLIENT     0x0400u
#define SMTPX_EXT_XFORWARD    0x0800u

/* Kinds whose pending requests are counted, so that checks stay O(1) even
 * with thousands of pipelined commands: HELO, EHLO, MAIL, RCPT, QUIT. */
#define SMTPX_PENDING_KINDS 5

typedef struct {
    smtpx_cmd_rec_t *last_queued;    /* newest request */
    smtpx_cmd_rec_t *last_answered;  /* newest request that got its reply */
    smtpx_cmd_rec_t *open_reply;     /* request of a reply still open (over the cap) */
    const char *server_name;         /* from the greeting */
    const char *server_software;     /* the greeting names it: "Exim 4.96" */
    const char *auth_others;         /* offered by AUTH, unknown to smtpx: " SCRAM-SHA-512 X " (NULL: none) */
    const char *client_name;         /* from HELO/EHLO */
    const char *auth_user;           /* user of the current or last AUTH */
    const char *login_user;          /* user the session is logged in as (SMTPX_F_AUTHED; NULL: not known) */
    smtpx_msg_rec_t *msg;            /* message being transferred */
    smtpx_cmd_rec_t *mail_rec;       /* MAIL command of the current transaction */
    smtpx_cmd_rec_t *open_mail_rec;  /* ... of the open one, when the next MAIL was pipelined behind its end */
    const smtpx_chunk_t *headers;    /* header block of the message so far */
    smtpx_msg_facts_t facts;         /* of the message being transferred, or the last one */
    smtpx_held_t *held;              /* the client line being held, or the next one's record */
    guint64 msg_bytes;               /* message size after unstuffing */
    guint64 bdat_remaining;
    guint64 size_limit;              /* advertised SIZE (0: none) */
    /* Below, fields that change in the same call share a 64-bit word: a
     * snapshot stores the words that changed (smtpx_session.c), so a
     * segment of message text costs three words, not five. */
    guint32 flags;
    guint32 ext;
    guint32 auth_mechs;              /* 1 << smtp_sasl_mech_t offered by AUTH (bit 0: more unknown ones than
                                        auth_others keeps) */
    guint32 held_len;                /* bytes of the client line held so far */
    guint32 msg_lines;
    guint32 msg_line_len;            /* bytes of a message line cut in parts, so far */
    guint32 headers_len;
    guint32 lines_as_commands;       /* lines of a refused message sent early whose replies are still due */
    guint32 lines_frame;             /* ... the frame that began sending them */
    guint32 auth_user_frame;         /* frame that carried auth_user */
    guint32 data_refused;            /* the reply that refused DATA, until the client sends a known verb: the
                                        lines typed meanwhile are the message, read as commands (0: none) */
    guint8 long_line[2];             /* [is_client]: inside a line begun earlier (SMTPX_LINE_*) */
    guint8 in_headers;               /* message: still in the header block */
    guint8 prev_eol;                 /* message: how the previous line ended (smtp_eol_t) */
    guint16 rcpt_ok, rcpt_bad;
    guint16 rcpt_cmds;               /* RCPT commands in the transaction */
    guint16 txn_findings;            /* findings since the transaction's MAIL (or the last transaction's end) */
    guint16 next_txn_findings;       /* ... of the next one, pipelined behind (SMTPX_F_NEXT_TXN) */
    guint32 pending[SMTPX_PENDING_KINDS]; /* requests waiting for a reply, by kind (see smtpx_pending_index) */
    guint16 open_reply_code;         /* code of a multi-line reply still open */
    guint8 mode;                     /* smtpx_mode_t, client side */
    guint8 bdat_last;
    guint8 auth_mech;                /* smtp_sasl_mech_t of the AUTH exchange */
    guint8 login_mech;               /* ... of the exchange that logged the session in */
    guint8 auth_step;                /* client lines sent in the exchange */
    guint8 msg_flags;                /* SMTPX_MSG_* */
    guint8 chunk_open;               /* BDAT: where the last piece of chunk data ended (SMTPX_CHUNK_*) */
    guint8 auth_rejected;            /* AUTH attempts answered 535 in the session (stops at 255) */
    guint8 addr_refused;             /* RCPT refused (5xx), VRFY unknown, in the session (stops at 255) */
    guint8 early_end_next;           /* message: a line may follow an end of data only some servers take */
    guint8 foreign;                  /* smtp_foreign_t of the client's lines that are not SMTP, until a command */
    guint16 listed_attrs[2];         /* the attributes the EHLO reply lists after XCLIENT [0] and XFORWARD [1]:
                                        1 << smtp_param_rank (0: no list) */
} smtpx_state_t;

/* The session line's text, and the names it was made of (packet-smtpx.c). */
typedef struct {
    const char *client, *server, *software;
    const address *real;            /* the real client behind a proxy (NULL: none) */
    const char *text;
} smtpx_session_label_t;

/* How far a side's bytes are accounted for: seen by smtpx, or acknowledged
 * by the other side (a TCP sequence number; first pass). */
typedef struct {
    guint32 upto;
    gboolean known;
} smtpx_seen_t;

typedef struct {
    smtpx_state_t live;              /* advanced on the first pass */
    wmem_array_t *calls;             /* every call of the first pass, in order (smtpx_session.c) */
    wmem_array_t *snaps;             /* the states they start from, as 64-bit words (smtpx_session.c) */
    guint32 last_snap;               /* index of the newest snapshot in snaps, and the state it holds */
    guint64 last_words[(sizeof(smtpx_state_t) + 7) / 8];
    smtpx_cmd_rec_t head;            /* sentinel: first request is head.next */
    address server_addr;
    guint32 server_port;
    guint32 next_seq[2];             /* [is_client]: next new TCP sequence number */
    gboolean seq_known[2];
    smtpx_seen_t seen[2];            /* [is_client] */
    gboolean lmtp;                   /* the first pass saw an LHLO: later passes name the session LMTP from its start */
    smtpx_session_label_t label;     /* first pass: made again only when a name changes */
    address real_client;             /* the real client a PROXY header or XCLIENT named (AT_NONE: none) */
    smtpx_msg_rec_t *unseen_msg;     /* the message the capture begins inside (NULL: none) */
} smtpx_conv_t;

typedef enum {
    SMTPX_LIVE = 0,     /* first pass: make records */
    SMTPX_REPLAY,       /* later pass: walk the records made on the first */
    SMTPX_RETRANSMIT    /* data seen before: touch no record */
} smtpx_replay_t;

typedef struct {
    smtpx_state_t *st;
    smtpx_replay_t replay;
    int start;          /* first byte not seen before */
    guint32 gap;        /* bytes of the stream missing before this segment */
    guint32 unseen;     /* bytes of the other side this segment acknowledges that never reached smtpx */
} smtpx_call_t;

/* The smtpx conversation of this call; tcpinfo may be NULL (inside TLS). */
smtpx_conv_t *smtpx_conv_get(packet_info *pinfo, tvbuff_t *tvb, const struct tcpinfo *tcpinfo);

/* smtpx_conv_cache.c: the conversation of a segment that continues its TCP
 * stream exactly, without a conversation look-up (NULL: look it up). */
smtpx_conv_t *smtpx_conv_cache_get(const packet_info *pinfo, const struct tcpinfo *tcpinfo);
void smtpx_conv_cache_put(const packet_info *pinfo, smtpx_conv_t *conv);
void smtpx_conv_cache_register(void);

gboolean smtpx_is_client(const smtpx_conv_t *conv, const packet_info *pinfo);

/* First pass: the segment's bytes reached smtpx (also one it asks TCP to
 * reassemble further); tcpinfo may be NULL (inside TLS). */
void smtpx_seen_segment(smtpx_conv_t *conv, gboolean is_client, const struct tcpinfo *tcpinfo, tvbuff_t *tvb);

/* Chooses the state this call advances; tcpinfo may be NULL (inside TLS). */
void smtpx_call_begin(smtpx_call_t *call, packet_info *pinfo, smtpx_conv_t *conv,
                      gboolean is_client, const struct tcpinfo *tcpinfo, tvbuff_t *tvb);
/* Records how far the stream was consumed (first pass). */
void smtpx_call_end(smtpx_call_t *call, smtpx_conv_t *conv, gboolean is_client,
                    const struct tcpinfo *tcpinfo, int consumed);

/* Request queue: push on a client request, pop on a final reply. May return NULL. */
smtpx_cmd_rec_t *smtpx_queue_push(smtpx_call_t *call, packet_info *pinfo, guint16 kind);
/* The same for a request sent in an earlier frame (an end of data the server
 * answers only now). */
smtpx_cmd_rec_t *smtpx_queue_push_at(smtpx_call_t *call, guint16 kind, guint32 frame, const nstime_t *time);
smtpx_cmd_rec_t *smtpx_queue_pop(smtpx_call_t *call, packet_info *pinfo);
/* The oldest request waiting got a reply the capture lacks: it waits no more,
 * with no reply frame. */
void smtpx_queue_lose(smtpx_call_t *call);
/* TCP's data on the conversation of the packet (stream number, SYN time), or NULL. */
struct tcp_analysis *smtpx_tcp_data(packet_info *pinfo);
/* The server drops the requests still waiting (RFC 3207 4.2, after STARTTLS):
 * none of them gets a reply. */
void smtpx_queue_discard(smtpx_state_t *st);
/* Envelope sender of the current transaction (MAIL sent, not refused), or NULL. */
const char *smtpx_envelope_sender(const smtpx_state_t *st);
/* At the final reply to `rec` (end of data, BDAT): the MAIL of the transaction
 * it ends (the state may hold a MAIL pipelined behind it), NULL if refused. */
const smtpx_cmd_rec_t *smtpx_txn_mail(const smtpx_state_t *st, const smtpx_cmd_rec_t *rec);
/* Calls fn for each RCPT of the transaction opened by `mail`, up to the
 * newest request, that was accepted or is still waiting for its reply,
 * oldest first. */
void smtpx_foreach_recipient(const smtpx_state_t *st, const smtpx_cmd_rec_t *mail,
                             void (*fn)(const smtpx_cmd_rec_t *rec, void *data), void *data);

/* Does the request end a message (its end-of-data line, or the LAST chunk)? */
static inline gboolean smtpx_rec_ends_message(const smtpx_cmd_rec_t *rec)
{
    return rec->kind == SMTPX_KIND_EOD || (rec->kind == SMTP_CMD_BDAT && rec->last);
}

/* LMTP: is the request an end of message whose reply is for one recipient? */
static inline gboolean smtpx_rec_for_recipient(const smtpx_cmd_rec_t *rec)
{
    return smtpx_rec_ends_message(rec) && rec->arg;
}

/* Is a message sent with BDAT open (its LAST chunk not sent yet)? */
static inline gboolean smtpx_in_chunks(const smtpx_state_t *st)
{
    return st->msg && (st->msg_flags & SMTPX_MSG_CHUNKED) && !(st->flags & SMTPX_F_BDAT_LAST);
}

/* LMTP: was the request counted for a recipient whose RCPT, still waiting
 * then, the server refused? It gets no reply (RFC 2033 4.2). */
static inline gboolean smtpx_rec_for_refused(const smtpx_cmd_rec_t *rec)
{
    return rec->rcpt && rec->rcpt->rsp_code && rec->rcpt->rsp_code / 100 != 2;
}

/* LMTP: the request for the next accepted recipient of the same end of data, or NULL. */
static inline const smtpx_cmd_rec_t *smtpx_rec_next_recipient(const smtpx_cmd_rec_t *rec)
{
    while (rec->lmtp_more) {
        rec = rec->next;
        if (!smtpx_rec_for_refused(rec))
            return rec;
    }
    return NULL;
}

/* LMTP: the request for the first accepted recipient of an end of data, or NULL. */
static inline const smtpx_cmd_rec_t *smtpx_rec_first_recipient(const smtpx_cmd_rec_t *first)
{
    return smtpx_rec_for_refused(first) ? smtpx_rec_next_recipient(first) : first;
}

/* Is the request a DATA whose message the client sent before its reply? */
static inline gboolean smtpx_rec_sent_early(const smtpx_cmd_rec_t *rec)
{
    return rec->kind == SMTP_CMD_DATA && rec->msg && rec->msg->sent_early;
}

/* The newest request, or NULL. */
smtpx_cmd_rec_t *smtpx_queue_last(const smtpx_state_t *st);
/* Is a request of this kind (HELO, EHLO, MAIL, RCPT or QUIT) waiting for its reply? */
gboolean smtpx_queue_has_pending(const smtpx_state_t *st, guint16 kind);
/* The oldest request without a reply, or NULL. */
smtpx_cmd_rec_t *smtpx_queue_peek(const smtpx_state_t *st);

/* Adds text to a chain (file scope on the first pass, else pinfo->pool). */
const smtpx_chunk_t *smtpx_chunk_add(const smtpx_call_t *call, packet_info *pinfo, const smtpx_chunk_t *prev,
                                     const char *text, gsize len);
/* The chain's text, oldest first, in pinfo->pool (NUL-terminated). */
char *smtpx_chunk_join(packet_info *pinfo, const smtpx_chunk_t *last, const char *sep);

/* Allocates (zeroed) in the scope that outlives the state being advanced. */
void *smtpx_state_alloc0(const smtpx_call_t *call, packet_info *pinfo, gsize size);
/* Copies a string into the scope that outlives the state being advanced. */
const char *smtpx_state_strdup(const smtpx_call_t *call, packet_info *pinfo, const char *s, gsize len);

#endif
