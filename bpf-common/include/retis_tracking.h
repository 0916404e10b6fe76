/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Core skb tracking (reference §5), in two variants chosen by core before
 * load through the `retis_tracking_kprobes` rodata.
 *
 * An skb is identified by (orig_head, timestamp): its head when first seen
 * and the time of that first event. Entries live in tracking_map, keyed by
 * skb->head (primary) or by the skb address (secondary).
 *
 * With kprobes (the reference's algorithm), core installs tracking-only
 * kprobes on the functions that free or move heads:
 * - skb_free_head ends tracking (the head is freed), kfree_skb_partial too
 *   when the head was stolen;
 * - pskb_expand_head (about to reallocate the head) indexes the entry under
 *   the skb address; the next probe that sees the skb finds it there under
 *   its new head and re-keys it, dropping the secondary entry.
 *
 * Tracepoint-only (the "Tracking without kprobes" note of §13), where head
 * reallocations and most head frees are invisible:
 * - every tracked skb is indexed twice: by head and by skb address; a head
 *   miss with an address hit means the head was reallocated, and the entry
 *   is re-keyed under the new head;
 * - tracking ends on probes flagged `free` (skb:kfree_skb, skb:consume_skb):
 *   the secondary entry always goes (the sk_buff itself is freed), the
 *   primary one only when the head is freed too (last reference).
 *
 * Both: a head entry found with another, non-cloned skb is stale (the packet
 * was freed where no probe saw it and its head reused by a new skb, which
 * then starts a new identity), and userspace removes entries not seen for
 * 60 s (last_seen). The functions are for probe programs; a hook may include
 * this header for tracking_map.
 */
#ifndef __RETIS_TRACKING_H__
#define __RETIS_TRACKING_H__

#include "retis_common_defs.h"
#include "retis_context.h"
#include "retis_skb.h"

#define RETIS_TRACKING_MAX	8192

/*
 * 1 when core installed the tracking kprobes (skb_free_head,
 * kfree_skb_partial, pskb_expand_head): the reference's algorithm. 0 for the
 * tracepoint-only one. Set by core before load. Weak, as tracking_map: a
 * hook including this header for the map links with the probe.
 */
const volatile u8 retis_tracking_kprobes __weak = 0;

struct tracking_info {
	/* Time of the first sighting: second half of the skb identity. */
	u64 timestamp;
	/* Time of the latest sighting, for the userspace garbage collector. */
	u64 last_seen;
	/* skb->head at the first sighting: first half of the skb identity. */
	u64 orig_head;
	/* Address of the skb last seen with this identity. */
	u64 skb;
};

/* Key: skb->head (primary) or the skb address (secondary). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, RETIS_TRACKING_MAX);
	__type(key, u64);
	__type(value, struct tracking_info);
} tracking_map SEC(".maps") __weak;

/* Both lookups of an skb, done once per event before filtering. */
struct retis_tracking_lookup {
	u64 skb;
	u64 head;
	struct tracking_info *by_head;
	struct tracking_info *by_addr;
	/* by_head was dropped as stale: creating must overwrite it. */
	bool stale_head;
	/* Found by head or by address: the skb is tracked. */
	bool found;
};

static __always_inline void retis_tracking_lookup(struct sk_buff *skb,
						  struct retis_tracking_lookup *l)
{
	l->skb = (u64)skb;
	l->head = (u64)BPF_CORE_READ(skb, head);
	l->by_head = bpf_map_lookup_elem(&tracking_map, &l->head);
	/* Only clones share a head; other skbs hit a reused, stale entry. */
	if (l->by_head && l->by_head->skb != l->skb &&
	    !BPF_CORE_READ_BITFIELD_PROBED(skb, cloned)) {
		l->by_head = NULL;
		l->stale_head = true;
	}
	/* Kept as a flag: clang would otherwise OR the two pointers, which the
	 * verifier refuses. */
	l->found = l->by_head != NULL;
	if (!l->found) {
		l->by_addr = bpf_map_lookup_elem(&tracking_map, &l->skb);
		l->found = l->by_addr != NULL;
	}
}

/* Refreshes (or creates) the secondary entry from the primary info. */
static __always_inline void __retis_tracking_index_addr(struct retis_tracking_lookup *l,
							const struct tracking_info *info)
{
	struct tracking_info *by_addr = l->by_addr;

	if (!by_addr)
		by_addr = bpf_map_lookup_elem(&tracking_map, &l->skb);
	if (by_addr)
		*by_addr = *info;
	else
		bpf_map_update_elem(&tracking_map, &l->skb, info, BPF_ANY);
}

/*
 * Starts or continues tracking the skb of a trackable event (its filters all
 * passed) and fills ctx->tracking. `create` is false on probes that must not
 * start tracking (no_tracking, return probes); `inv_head` is set on probes
 * about to reallocate the head (pskb_expand_head).
 */
static __always_inline void retis_track_skb_start(struct retis_context *ctx,
						  struct retis_tracking_lookup *l,
						  bool create, bool inv_head)
{
	bool both_keys = !retis_tracking_kprobes;
	struct tracking_info *info = l->by_head;
	struct tracking_info new = {};

	if (!info && l->by_addr) {
		/* The head was reallocated since the last sighting. */
		new = *l->by_addr;
		new.last_seen = ctx->timestamp;
		new.skb = l->skb;
		if (bpf_map_update_elem(&tracking_map, &l->head, &new, BPF_ANY))
			return;
		if (both_keys)
			*l->by_addr = new;
		else
			/* The secondary entry was only a bridge to the new head. */
			bpf_map_delete_elem(&tracking_map, &l->skb);
		info = &new;
	} else if (!info) {
		if (!create)
			return;
		new.timestamp = ctx->timestamp;
		new.last_seen = ctx->timestamp;
		new.orig_head = l->head;
		new.skb = l->skb;
		if (bpf_map_update_elem(&tracking_map, &l->head, &new,
					l->stale_head ? BPF_ANY : BPF_NOEXIST))
			return;
		if (both_keys)
			__retis_tracking_index_addr(l, &new);
		info = &new;
	} else {
		info->last_seen = ctx->timestamp;
		info->skb = l->skb;
		if (both_keys)
			__retis_tracking_index_addr(l, info);
	}

	/* The head is about to change: the next probe finds the skb by its
	 * address (both_keys already indexed it). */
	if (inv_head && !both_keys)
		bpf_map_update_elem(&tracking_map, &l->skb, info, BPF_ANY);

	ctx->tracking.orig_head = info->orig_head;
	ctx->tracking.timestamp = info->timestamp;
	ctx->tracking.tracked = 1;
}

/* Ends tracking after the hooks ran, on probes that free the skb. */
static __always_inline void retis_track_skb_end(const struct retis_context *ctx,
						const struct retis_probe_config *cfg,
						struct retis_tracking_lookup *l)
{
	struct sk_buff *skb = (struct sk_buff *)l->skb;

	if (!cfg->free || !ctx->tracking.tracked)
		return;
	/* kfree_skb_partial(skb, head_stolen): nothing is freed unless stolen. */
	if (cfg->partial_free && !retis_get_arg(ctx, 1))
		return;

	if (retis_tracking_kprobes) {
		/* skb_free_head: the head goes, the sk_buff may live on (a
		 * head reallocation indexed it by address just before). */
		bpf_map_delete_elem(&tracking_map, &l->head);
		return;
	}
	bpf_map_delete_elem(&tracking_map, &l->skb);
	if (retis_skb_frees_head(skb))
		bpf_map_delete_elem(&tracking_map, &l->head);
}

#endif /* __RETIS_TRACKING_H__ */
