/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A copy of the event's sk_buff, taken once per event by core (one
 * bpf_probe_read_kernel of the whole struct) and shared with the hooks.
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

struct retis_skb_snap {
	/* Address of the skb copied in data. */
	u64 skb;
	u8 data[RETIS_SKB_SNAP_SIZE];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, RETIS_SCRATCH_DEPTH);
	__type(key, u32);
	__type(value, struct retis_skb_snap);
} skb_snap_map SEC(".maps") __weak;

/* Copies the skb into slot idx; NULL when it cannot be read. Core only. */
static __always_inline const struct sk_buff *retis_skb_snapshot_take(struct retis_context *ctx,
								     struct sk_buff *skb, u32 idx)
{
	struct retis_skb_snap *snap;
	u32 size = bpf_core_type_size(struct sk_buff);

	snap = bpf_map_lookup_elem(&skb_snap_map, &idx);
	if (!snap)
		return NULL;
	if (size > RETIS_SKB_SNAP_SIZE)
		size = RETIS_SKB_SNAP_SIZE;
	if (bpf_probe_read_kernel(snap->data, size, skb))
		return NULL;
	snap->skb = (u64)skb;
	ctx->skb_snap = idx + 1;
	return (const struct sk_buff *)snap->data;
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
