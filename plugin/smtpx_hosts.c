/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What one client address does over all its sessions: a password guesser or
 * an address harvester that opens a new connection every few tries stays
 * under the per-session counts (smtpx_analysis.c), so its refusals are also
 * counted per address, over the whole capture. Counted on the first pass;
 * the reply that reaches the count is marked, so later passes report it at
 * the same place. */
#include "smtpx.h"

typedef struct {
    smtpx_host_report_t now;    /* refusals so far, the sessions they came in, the frame of the first */
    smtpx_host_report_t report; /* the same when the count was reached (count 0: not yet) */
    const smtpx_conv_t *last;   /* the session of the newest refusal */
} tally_t;

typedef struct {
    address addr;
    tally_t tally[SMTPX_HOST_KINDS];
} host_t;

static wmem_map_t *hosts;       /* address -> host_t, per file */

static guint host_hash(gconstpointer key)
{
    return add_address_to_hash(0, (const address *)key);
}

static gboolean host_equal(gconstpointer a, gconstpointer b)
{
    return addresses_equal((const address *)a, (const address *)b);
}

void smtpx_hosts_register(void)
{
    hosts = wmem_map_new_autoreset(wmem_epan_scope(), wmem_file_scope(), host_hash, host_equal);
}

static host_t *host_of(const address *client)
{
    host_t *h = (host_t *)wmem_map_lookup(hosts, client);

    if (!h) {
        h = wmem_new0(wmem_file_scope(), host_t);
        copy_address_wmem(wmem_file_scope(), &h->addr, client);
        wmem_map_insert(hosts, &h->addr, h);
    }
    return h;
}

const smtpx_host_report_t *smtpx_host_refused(smtpx_ctx_t *ctx, smtpx_cmd_rec_t *rec, smtpx_host_kind_t kind,
                                              unsigned at)
{
    tally_t *t = &host_of(&ctx->pinfo->dst)->tally[kind];

    if (ctx->call.replay == SMTPX_LIVE) {
        smtpx_host_report_t *now = &t->now;
        if (now->count++ == 0)
            now->first_frame = ctx->pinfo->num;
        now->sessions += t->last != ctx->conv;
        t->last = ctx->conv;
        if (!t->report.count && now->count >= at && now->sessions > 1) {
            t->report = *now;
            rec->host_alarm |= 1u << kind;
        }
    }
    return (rec->host_alarm & (1u << kind)) ? &t->report : NULL;
}
