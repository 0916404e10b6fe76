/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Packet and meta filters of the generic probes (reference §6.1).
 *
 * The filter bodies are generated at collect time and spliced in before load
 * (bpf-native patchCalls) in place of a `call <magic>` placeholder: each
 * filter_* function below is nothing but that placeholder followed by a
 * return of r0. An unpatched object never loads, since the magic values are
 * no helper ids. Included by probe programs only.
 */
#ifndef __RETIS_FILTERS_H__
#define __RETIS_FILTERS_H__

#include "retis_common_defs.h"
#include "retis_context.h"
#include "retis_skb.h"
#include "retis_skb_snapshot.h"

/* Immediates of the placeholder calls. */
#define RETIS_FILTER_L2_MAGIC	0xdeadbeef
#define RETIS_FILTER_L3_MAGIC	0xdeadc0de
#define RETIS_FILTER_META_MAGIC	0xdeadbeed

/*
 * Filters core spliced in (RETIS_FILTER_*), set before load. Without a
 * packet filter every packet passes it, and its copy of the packet is not
 * made; without a meta filter, the same.
 */
#define RETIS_FILTER_PACKET	(1 << 0)
#define RETIS_FILTER_META	(1 << 1)
const volatile u8 retis_filters __weak = 0;

/*
 * Argument of every filter body (r1). The packet filters get `data`, the
 * kernel address of the packet, and `prefetch`, a copy of its first
 * RETIS_SKB_SNAP_PACKET bytes (NULL when they could not be read): a load
 * within them is a plain load, a load past them a bpf_probe_read_kernel at
 * `data`. The meta filter gets the skb in `data`.
 */
struct retis_packet_filter_ctx {
	char *data;
	unsigned int len;
	const u8 *prefetch;
};

/*
 * The spliced body receives the ctx in r1, may use r0-r9 and the function's
 * stack, and leaves its verdict in r0: 0 = no match, anything else = match.
 * r6-r9 are callee-saved for bpf-to-bpf calls, so the caller is unaffected.
 */
#define RETIS_FILTER_PLACEHOLDER(name, imm)				\
	static __noinline unsigned int name(struct retis_packet_filter_ctx *fctx) \
	{								\
		register struct retis_packet_filter_ctx *r1 asm("r1") = fctx; \
		register unsigned int r0 asm("r0");			\
									\
		asm volatile("call %[magic]"				\
			     : "=r"(r0), "+r"(r1)			\
			     : [magic] "i"((int)(imm))		\
			     : "r2", "r3", "r4", "r5", "memory");	\
		return r0;						\
	}

RETIS_FILTER_PLACEHOLDER(filter_l2, RETIS_FILTER_L2_MAGIC)
RETIS_FILTER_PLACEHOLDER(filter_l3, RETIS_FILTER_L3_MAGIC)
RETIS_FILTER_PLACEHOLDER(filter_meta, RETIS_FILTER_META_MAGIC)

/*
 * Filter flags of an skb that is not tracked (a tracked skb passes without
 * filtering). The L2 filter runs on the mac header when it is valid, else the
 * L3 filter on the network header; with neither, nothing passes and the meta
 * filter is not evaluated.
 */
static __always_inline u32 retis_filter_skb(struct sk_buff *skb,
					    const struct sk_buff *s,
					    const struct retis_skb_headers *h)
{
	struct retis_packet_filter_ctx fctx = {};
	unsigned char *head;
	bool l2;
	u32 ret = 0;

	fctx.len = retis_skb_field(s, skb, len);
	head = retis_skb_field(s, skb, head);

	if (retis_mac_valid(h)) {
		fctx.data = (char *)head + h->mac;
		l2 = true;
	} else if (retis_network_valid(h)) {
		fctx.data = (char *)head + h->network;
		l2 = false;
	} else {
		return 0;
	}

	if (retis_filters & RETIS_FILTER_PACKET) {
		u8 *copy = retis_skb_snapshot_packet(s);

		/* One read for the filter's loads: they mostly fall in the
		 * first bytes. */
		if (!bpf_probe_read_kernel(copy, RETIS_SKB_SNAP_PACKET, fctx.data))
			fctx.prefetch = copy;
		if (l2 ? filter_l2(&fctx) : filter_l3(&fctx))
			ret |= RETIS_F_PACKET_PASS;
	} else {
		ret |= RETIS_F_PACKET_PASS;
	}

	if (retis_filters & RETIS_FILTER_META) {
		fctx.data = (char *)skb;
		fctx.prefetch = NULL;
		if (filter_meta(&fctx))
			ret |= RETIS_F_META_PASS;
	} else {
		ret |= RETIS_F_META_PASS;
	}

	return ret;
}

#endif /* __RETIS_FILTERS_H__ */
