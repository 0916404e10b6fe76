/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Core skb tracking (reference §5), in two variants chosen by core before
 * load through the `retis_tracking_kprobes` rodata.
 *
 * An skb is identified by (orig_head, timestamp): its head when first seen
 * and the time of that first event. Entries live in tracking_map, keyed by
 * skb->head (the primary index), and in tracking_addr_map, a direct-mapped
 * table indexed by a hash of the skb address (the secondary index).
 *
 * The secondary index is a cache, not a hash map: finding, refreshing or
 * dropping an entry is a few inlined loads and stores instead of a locked
 * hash map operation, on every packet. A slot holds one skb; two skbs whose
 * addresses share a slot evict each other, which at worst costs a head
 * reallocation its continuity (the packet then starts a new identity).
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
 * then starts a new identity), userspace removes tracking_map entries not
 * seen for 60 s (last_seen), and a secondary entry that old is ignored.
 * While tracking_live_map says there is no entry at all, probes skip the
 * lookups. The functions are for probe programs; a hook may include this
 * header for tracking_map.
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

/* Key: skb->head. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, RETIS_TRACKING_MAX);
	__type(key, u64);
	__type(value, struct tracking_info);
} tracking_map SEC(".maps") __weak;

/* Slots of tracking_addr_map: a power of two, well above the skbs in flight. */
#define RETIS_TRACKING_ADDR_BITS	14
#define RETIS_TRACKING_ADDR_SLOTS	(1 << RETIS_TRACKING_ADDR_BITS)
/* A secondary entry older than this is stale (its skb was freed unseen). */
#define RETIS_TRACKING_ADDR_TTL_NS	(60ULL * 1000000000ULL)

struct tracking_addr_slot {
	/* skb address the slot holds, 0 when free. */
	u64 skb;
	struct tracking_info info;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, RETIS_TRACKING_ADDR_SLOTS);
	__type(key, u32);
	__type(value, struct tracking_addr_slot);
} tracking_addr_map SEC(".maps") __weak;

/*
 * Tables of 16-bit cells, four to a u64 array element: an array map rounds
 * each value up to 8 bytes, and these tables are read for every packet, so
 * they are kept as small as they can be to stay in cache.
 */
static __always_inline u64 *retis_cell_word(void *map, u32 idx, u32 *shift)
{
	u32 word = idx >> 2;

	*shift = (idx & 3) * 16;
	return bpf_map_lookup_elem(map, &word);
}

static __always_inline u16 retis_cell_get(const u64 *word, u32 shift)
{
	return *word >> shift;
}

/* A plain 16-bit store: the other cells of the word are left alone. */
static __always_inline void retis_cell_set(u64 *word, u32 shift, u16 value)
{
	*(u16 *)((u8 *)word + (shift >> 3)) = value;
}

/*
 * A 16-bit tag of the skb each slot holds (0: empty), in a table of its own:
 * 32 KiB, where the slots are 640 KiB. A packet whose tag differs is not
 * indexed, and its slot is never read.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, RETIS_TRACKING_ADDR_SLOTS / 4);
	__type(key, u32);
	__type(value, u64);
} tracking_addr_tags SEC(".maps") __weak;

/*
 * Counts of tracking_map entries per hash of their head, so that a head no
 * entry can have is known without a hash map lookup: most packets of a busy
 * machine are never tracked (filtered out), and this test is one load from a
 * 32 KiB table. A count is raised before its entry is created and lowered
 * when core deletes it; entries the userspace GC deletes leave it high. A
 * count is therefore never below the truth: zero means absent, non-zero means
 * look. A count that reached 0xffff stays there (it only costs lookups).
 */
#define RETIS_TRACKING_HEAD_BITS	14
#define RETIS_TRACKING_COUNT_MAX	0xffff

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, (1 << RETIS_TRACKING_HEAD_BITS) / 4);
	__type(key, u32);
	__type(value, u64);
} tracking_heads_map SEC(".maps") __weak;

/*
 * How many tracking_map entries there may be, so that a probe knows without
 * any lookup that no skb is tracked: the usual case on a busy machine traced
 * with a filter that matches little, where every packet would otherwise pay
 * two table lookups and, on a free, a read of its head. Slot 0 counts the
 * entries probes created and did not delete (raised before creating, lowered
 * after deleting, as the head counts), slot 1 those the userspace GC deleted
 * (written by userspace only). Their difference is never below the number of
 * entries.
 */
#define RETIS_TRACKING_LIVE_PROBES	0
#define RETIS_TRACKING_LIVE_GC		1

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, u32);
	__type(value, u64);
} tracking_live_map SEC(".maps") __weak;

/* False only when no skb can be tracked. */
static __always_inline bool retis_tracking_any(void)
{
	u32 probes = RETIS_TRACKING_LIVE_PROBES, gc = RETIS_TRACKING_LIVE_GC;
	u64 *created = bpf_map_lookup_elem(&tracking_live_map, &probes);
	u64 *collected = bpf_map_lookup_elem(&tracking_live_map, &gc);

	return !created || !collected || *created != *collected;
}

static __always_inline void retis_tracking_live_add(s64 n)
{
	u32 probes = RETIS_TRACKING_LIVE_PROBES;
	u64 *created = bpf_map_lookup_elem(&tracking_live_map, &probes);

	if (created)
		__sync_fetch_and_add(created, n);
}

/*
 * Index of a kernel address in a table of 2^bits slots. Fibonacci hashing:
 * the addresses of sk_buffs and heads differ in their middle bits, which the
 * multiplication spreads into the top ones.
 */
static __always_inline u32 retis_addr_hash(u64 addr, u32 bits)
{
	return (addr * 0x9e3779b97f4a7c15ULL) >> (64 - bits);
}

/* The word holding the head's count, and the count's shift in it. */
static __always_inline u64 *retis_tracking_head_count(u64 head, u32 *shift)
{
	return retis_cell_word(&tracking_heads_map,
			       retis_addr_hash(head, RETIS_TRACKING_HEAD_BITS), shift);
}

/* Creates or overwrites the head entry, counting it first. */
static __always_inline long retis_tracking_put_head(u64 head, const struct tracking_info *info,
						    u64 flags)
{
	u32 shift;
	u64 *word = retis_tracking_head_count(head, &shift);
	bool counted = false;
	long err;

	if (word && retis_cell_get(word, shift) < RETIS_TRACKING_COUNT_MAX) {
		__sync_fetch_and_add(word, 1ULL << shift);
		counted = true;
	}
	retis_tracking_live_add(1);
	err = bpf_map_update_elem(&tracking_map, &head, info, flags);
	if (err) {
		retis_tracking_live_add(-1);
		if (counted)
			__sync_fetch_and_sub(word, 1ULL << shift);
	}
	return err;
}

static __always_inline void retis_tracking_del_head(u64 head)
{
	u64 *word;
	u32 shift;
	u16 count;

	if (bpf_map_delete_elem(&tracking_map, &head))
		return;
	retis_tracking_live_add(-1);
	word = retis_tracking_head_count(head, &shift);
	if (!word)
		return;
	count = retis_cell_get(word, shift);
	if (count && count < RETIS_TRACKING_COUNT_MAX)
		__sync_fetch_and_sub(word, 1ULL << shift);
}

/* Both lookups of an skb, done once per event before filtering. */
struct retis_tracking_lookup {
	u64 skb;
	u64 head;
	struct tracking_info *by_head;
	/* The word of the skb's tag cell in tracking_addr_tags (NULL only if
	 * the map is unusable), and the slot, once read (NULL until then). */
	u64 *tagp;
	struct tracking_addr_slot *slot;
	/* The skb's slot index (low 16 bits) and tag (high 16 bits). Kept
	 * small: probe programs call hooks, and the verifier bounds the
	 * stack of a program and its calls together. */
	u32 addr_cell;
	/* Found in its slot: slot->info is its tracking info. */
	bool by_addr;
	/* by_head was dropped as stale: creating must overwrite it. */
	bool stale_head;
	/* Found by head or by address: the skb is tracked. */
	bool found;
};

static __always_inline u32 retis_slot_idx(const struct retis_tracking_lookup *l)
{
	return l->addr_cell & 0xffff;
}

static __always_inline u16 retis_slot_tag(const struct retis_tracking_lookup *l)
{
	return l->addr_cell >> 16;
}

/* The tag cell's shift in its word (four cells to a word). */
static __always_inline u32 retis_slot_tag_shift(const struct retis_tracking_lookup *l)
{
	return (l->addr_cell & 3) * 16;
}

/* Where the skb would be indexed: slot index, tag and tag cell. */
static __always_inline void retis_tracking_addr_locate(struct retis_tracking_lookup *l)
{
	u64 h = l->skb * 0x9e3779b97f4a7c15ULL;
	u32 idx, shift;

	/* The index takes the top bits of the product, the tag bits the
	 * index does not use; never 0, which marks an empty slot. */
	idx = h >> (64 - RETIS_TRACKING_ADDR_BITS);
	l->addr_cell = (((u32)(h >> 32) | 1) << 16) | idx;
	l->tagp = retis_cell_word(&tracking_addr_tags, idx, &shift);
}

static __always_inline struct tracking_addr_slot *__retis_tracking_read_slot(struct retis_tracking_lookup *l)
{
	u32 idx = retis_slot_idx(l);

	if (!l->slot)
		l->slot = bpf_map_lookup_elem(&tracking_addr_map, &idx);
	return l->slot;
}

/* The skb's slot when its tag says it may hold it, else NULL. */
static __always_inline struct tracking_addr_slot *retis_tracking_addr_slot(struct retis_tracking_lookup *l)
{
	if (!l->tagp || retis_cell_get(l->tagp, retis_slot_tag_shift(l)) != retis_slot_tag(l))
		return NULL;
	return __retis_tracking_read_slot(l);
}

/* s: the skb's snapshot, or NULL (retis_skb.h). */
static __always_inline void retis_tracking_lookup(struct sk_buff *skb,
						  const struct sk_buff *s,
						  struct retis_tracking_lookup *l)
{
	struct tracking_addr_slot *slot;
	u32 shift;
	u64 *count;

	l->skb = (u64)skb;
	l->head = (u64)retis_skb_field(s, skb, head);
	retis_tracking_addr_locate(l);
	if (!retis_tracking_any())
		return;
	count = retis_tracking_head_count(l->head, &shift);
	l->by_head = !count || retis_cell_get(count, shift) ?
		bpf_map_lookup_elem(&tracking_map, &l->head) : NULL;
	/* Only clones share a head; other skbs hit a reused, stale entry. */
	if (l->by_head && l->by_head->skb != l->skb &&
	    !retis_skb_bitfield(s, skb, cloned)) {
		l->by_head = NULL;
		l->stale_head = true;
	}
	/* Kept as a flag: clang would otherwise OR the two pointers, which the
	 * verifier refuses. */
	l->found = l->by_head != NULL;
	if (l->found)
		return;
	/* The skb is checked twice (slot key and info) against a write to the
	 * same slot by another CPU for another skb; the age check against an
	 * skb freed where no probe saw it, its address since reused. */
	slot = retis_tracking_addr_slot(l);
	if (slot && slot->skb == l->skb && slot->info.skb == l->skb &&
	    bpf_ktime_get_ns() - slot->info.last_seen < RETIS_TRACKING_ADDR_TTL_NS) {
		l->by_addr = true;
		l->found = true;
	}
}

/* Refreshes (or creates) the secondary entry from the primary info,
 * evicting whichever skb held the slot. */
static __always_inline void __retis_tracking_index_addr(struct retis_tracking_lookup *l,
							const struct tracking_info *info)
{
	struct tracking_addr_slot *slot;

	if (!l->tagp)
		return;
	slot = __retis_tracking_read_slot(l);
	if (!slot)
		return;
	slot->skb = l->skb;
	slot->info = *info;
	retis_cell_set(l->tagp, retis_slot_tag_shift(l), retis_slot_tag(l));
}

/* Drops the secondary entry, if the slot still holds this skb. */
static __always_inline void __retis_tracking_unindex_addr(struct retis_tracking_lookup *l)
{
	struct tracking_addr_slot *slot = retis_tracking_addr_slot(l);

	if (slot && slot->skb == l->skb) {
		slot->skb = 0;
		retis_cell_set(l->tagp, retis_slot_tag_shift(l), 0);
	}
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

	if (!info && l->by_addr && l->slot) {
		/* The head was reallocated since the last sighting. */
		new = l->slot->info;
		new.last_seen = ctx->timestamp;
		new.skb = l->skb;
		if (retis_tracking_put_head(l->head, &new, BPF_ANY))
			return;
		if (both_keys)
			l->slot->info = new;
		else
			/* The secondary entry was only a bridge to the new head. */
			__retis_tracking_unindex_addr(l);
		info = &new;
	} else if (!info) {
		if (!create)
			return;
		new.timestamp = ctx->timestamp;
		new.last_seen = ctx->timestamp;
		new.orig_head = l->head;
		new.skb = l->skb;
		/* A stale entry is overwritten: already counted. */
		if (l->stale_head ?
		    bpf_map_update_elem(&tracking_map, &l->head, &new, BPF_ANY) :
		    retis_tracking_put_head(l->head, &new, BPF_NOEXIST))
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
		__retis_tracking_index_addr(l, info);

	ctx->tracking.orig_head = info->orig_head;
	ctx->tracking.timestamp = info->timestamp;
	ctx->tracking.tracked = 1;
}

/* Ends tracking after the hooks ran, on probes that free the skb. */
static __always_inline void retis_track_skb_end(const struct retis_context *ctx,
						const struct retis_probe_config *cfg,
						const struct sk_buff *s,
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
		retis_tracking_del_head(l->head);
		return;
	}
	__retis_tracking_unindex_addr(l);
	if (retis_skb_frees_head(skb, s))
		retis_tracking_del_head(l->head);
}

/*
 * A tracking-only probe (one the user did not ask for, kept for tracking),
 * run only while some skb is tracked (retis_probe_active).
 * Tracepoint-only tracking indexes the skbs it tracks by address: on a free,
 * a slot holding this skb proves it tracked and saves the head lookup (the
 * free is then a single delete). Any other slot proves nothing (an unseen
 * clone, an evicted slot): the full lookup decides.
 */
static __always_inline void retis_track_skb_only(struct retis_context *ctx,
						 const struct retis_probe_config *cfg,
						 struct sk_buff *skb)
{
	struct retis_tracking_lookup l = {};

	if (!retis_tracking_kprobes && cfg->free && !cfg->inv_head) {
		l.skb = (u64)skb;
		retis_tracking_addr_locate(&l);
		if (retis_tracking_addr_slot(&l) && l.slot->skb == l.skb) {
			l.head = (u64)BPF_CORE_READ(skb, head);
			ctx->tracking.tracked = 1;
			retis_track_skb_end(ctx, cfg, NULL, &l);
			return;
		}
	}

	retis_tracking_lookup(skb, NULL, &l);
	ctx->tracking.tracked = l.found;
	/* pskb_expand_head: keep the skb findable across its new head. */
	if (l.found && cfg->inv_head) {
		ctx->timestamp = bpf_ktime_get_ns();
		retis_track_skb_start(ctx, &l, false, true);
	}
	retis_track_skb_end(ctx, cfg, NULL, &l);
}

#endif /* __RETIS_TRACKING_H__ */
