/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A small cache in front of find_or_create_conversation, which costs about a
 * thousand instructions a call: the smtpx conversation last used on each pair
 * of endpoints (per direction). An entry is used only on the first pass and
 * only for a segment that continues its direction's byte stream exactly (its
 * TCP sequence number is the next one expected). Everything else is looked up
 * the usual way: the first segment each way, retransmissions and gaps, later
 * passes, TLS, and a new connection on the same endpoints (TCP port reuse: new
 * sequence numbers). */
#include "smtpx.h"

#include <epan/dissectors/packet-tcp.h>

#define CACHE_SLOTS 256     /* direct-mapped; a collision only costs a look-up */
#define CACHE_ADDR_MAX 16   /* IPv4 and IPv6 */

typedef struct {
    smtpx_conv_t *conv;     /* NULL: empty */
    int addr_type, addr_len;
    guint8 src[CACHE_ADDR_MAX], dst[CACHE_ADDR_MAX];
    guint32 srcport, destport;
} cache_entry_t;

static cache_entry_t cache[CACHE_SLOTS];

static void cache_clear(void)
{
    memset(cache, 0, sizeof cache);     /* the conversations of the previous file are gone */
}

void smtpx_conv_cache_register(void)
{
    register_init_routine(cache_clear);
}

static gboolean cacheable(const packet_info *pinfo)
{
    return pinfo->src.type == pinfo->dst.type && pinfo->src.len == pinfo->dst.len &&
           pinfo->src.len > 0 && pinfo->src.len <= CACHE_ADDR_MAX && !pinfo->use_conv_addr_port_endpoints &&
           !pinfo->conv_elements;
}

static cache_entry_t *slot(const packet_info *pinfo)
{
    const guint8 *s = (const guint8 *)pinfo->src.data, *d = (const guint8 *)pinfo->dst.data;
    int n = pinfo->src.len;
    guint h = pinfo->srcport * 31u + pinfo->destport + s[n - 1] * 7u + d[n - 1];

    return &cache[h % CACHE_SLOTS];
}

static gboolean same_endpoints(const cache_entry_t *e, const packet_info *pinfo)
{
    return e->srcport == pinfo->srcport && e->destport == pinfo->destport && e->addr_type == (int)pinfo->src.type &&
           e->addr_len == pinfo->src.len && memcmp(e->src, pinfo->src.data, (size_t)e->addr_len) == 0 &&
           memcmp(e->dst, pinfo->dst.data, (size_t)e->addr_len) == 0;
}

smtpx_conv_t *smtpx_conv_cache_get(const packet_info *pinfo, const struct tcpinfo *tcpinfo)
{
    if (!tcpinfo || PINFO_FD_VISITED(pinfo) || !cacheable(pinfo))
        return NULL;
    const cache_entry_t *e = slot(pinfo);
    if (!e->conv || !same_endpoints(e, pinfo))
        return NULL;
    gboolean is_client = smtpx_is_client(e->conv, pinfo);
    if (!e->conv->seq_known[is_client] || e->conv->next_seq[is_client] != tcpinfo->seq)
        return NULL;
    return e->conv;
}

void smtpx_conv_cache_put(const packet_info *pinfo, smtpx_conv_t *conv)
{
    if (PINFO_FD_VISITED(pinfo) || !cacheable(pinfo))
        return;
    cache_entry_t *e = slot(pinfo);
    e->conv = conv;
    e->addr_type = (int)pinfo->src.type;
    e->addr_len = pinfo->src.len;
    memcpy(e->src, pinfo->src.data, (size_t)e->addr_len);
    memcpy(e->dst, pinfo->dst.data, (size_t)e->addr_len);
    e->srcport = pinfo->srcport;
    e->destport = pinfo->destport;
}
