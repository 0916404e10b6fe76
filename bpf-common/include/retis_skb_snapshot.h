/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A copy of the event's sk_buff, taken once per event by core (one
 * bpf_probe_read_kernel of the fields filters need, then one of the whole
 * struct once the event is certain) and shared with the hooks.
 * Reading a field is then a plain load at its CO-RE offset instead of a
 * helper call: an event reads some twenty sk_buff fields.
 *
 * The copy lives in a per-CPU array indexed like the scratch events (a probe
 * may run nested in another one on the same CPU). ctx->skb_snap holds that
 * index plus one, 0 when there is no copy.
 */
#ifndef __RETIS_SKB_SNAPSHOT_H__
#define __RETIS_SKB_SNAPSHOT_H__

#include "retis_common_defs.h"
#include "retis_context.h"
#include "retis_core_maps.h"

/* Above sizeof(struct sk_buff) on every kernel (about 240 bytes). */
#define RETIS_SKB_SNAP_SIZE	512
/*
 * Bytes of the packet a packet filter gets copied (retis_filters.h): enough
 * for the headers filters test, IPv6 and a VLAN tag included. Keep in sync
 * with PACKET_PREFETCH (filters/packet/translate.ts).
 */
#define RETIS_SKB_SNAP_PACKET	64

struct retis_skb_snap {
	/* Address of the skb copied in data. */
	u64 skb;
	u8 data[RETIS_SKB_SNAP_SIZE];
	/* The first packet bytes, for the packet filter. */
	u8 packet[RETIS_SKB_SNAP_PACKET];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, RETIS_SCRATCH_DEPTH);
	__type(key, u32);
	__type(value, struct retis_skb_snap);
} skb_snap_map SEC(".maps") __weak;

/*
 * The part of the sk_buff filtering and the tracking lookup read (len,
 * mac_len, the cloned bit, the header offsets, head): from len to data, at
 * the same offsets as in the whole copy. A packet the filters reject costs
 * this much copying only.
 */
#define RETIS_SKB_SNAP_FILTER_START	bpf_core_field_offset(struct sk_buff, len)
#define RETIS_SKB_SNAP_FILTER_END	(bpf_core_field_offset(struct sk_buff, data) + sizeof(void *))

/*
 * Copies the filtering part of the skb into slot idx; NULL when it cannot be
 * read. retis_skb_snapshot_complete() copies the rest once the event is
 * certain. Core only.
 */
static __always_inline const struct sk_buff *retis_skb_snapshot_take(struct retis_context *ctx,
								     struct sk_buff *skb, u32 idx)
{
	u32 start = RETIS_SKB_SNAP_FILTER_START, end = RETIS_SKB_SNAP_FILTER_END;
	struct retis_skb_snap *snap;

	snap = bpf_map_lookup_elem(&skb_snap_map, &idx);
	if (!snap || end > RETIS_SKB_SNAP_SIZE || start >= end)
		return NULL;
	if (bpf_probe_read_kernel(snap->data + start, end - start, (u8 *)skb + start))
		return NULL;
	snap->skb = (u64)skb;
	ctx->skb_snap = idx + 1;
	return (const struct sk_buff *)snap->data;
}

/* Copies the whole skb over its snapshot s; false when it cannot be read. */
static __always_inline bool retis_skb_snapshot_complete(const struct sk_buff *s,
							 struct sk_buff *skb)
{
	u32 size = bpf_core_type_size(struct sk_buff);

	if (size > RETIS_SKB_SNAP_SIZE)
		size = RETIS_SKB_SNAP_SIZE;
	return !bpf_probe_read_kernel((void *)s, size, skb);
}

/* The packet buffer of a snapshot taken by retis_skb_snapshot_take. */
static __always_inline u8 *retis_skb_snapshot_packet(const struct sk_buff *s)
{
	return (u8 *)s - offsetof(struct retis_skb_snap, data) +
	       offsetof(struct retis_skb_snap, packet);
}

/*
 * The snapshot of ctx's skb, for hooks; NULL when there is none. Fields are
 * read with plain member accesses (s->len) and BPF_CORE_READ_BITFIELD, never
 * through pointers it holds (s->dev is a kernel address: BPF_CORE_READ it).
 */
static __always_inline const struct sk_buff *retis_skb_snapshot(const struct retis_context *ctx)
{
	struct retis_skb_snap *snap;
	u32 idx;

	if (!ctx->skb_snap || !ctx->skb)
		return NULL;
	idx = ctx->skb_snap - 1;
	snap = bpf_map_lookup_elem(&skb_snap_map, &idx);
	if (!snap || snap->skb != ctx->skb)
		return NULL;
	return (const struct sk_buff *)snap->data;
}

#endif /* __RETIS_SKB_SNAPSHOT_H__ */
