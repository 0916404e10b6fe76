/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sk_buff helpers shared by core (filtering, tracking) and the collectors:
 * header validity rules (reference §6.1) and shared info access.
 *
 * Each helper takes the skb and, optionally, a snapshot of it (`s`, see
 * retis_skb_snapshot.h): with a snapshot a field is a plain load, without
 * one it is a bpf_probe_read_kernel. Inlined with a constant NULL snapshot,
 * the snapshot branch disappears.
 */
#ifndef __RETIS_SKB_H__
#define __RETIS_SKB_H__

#include "retis_common_defs.h"

/* A field of the skb, from its snapshot when there is one. */
#define retis_skb_field(s, skb, field)					\
	((s) ? (s)->field : BPF_CORE_READ((skb), field))
#define retis_skb_bitfield(s, skb, field)				\
	((s) ? BPF_CORE_READ_BITFIELD((s), field) :			\
	       BPF_CORE_READ_BITFIELD_PROBED((skb), field))

/* An unset header offset (the kernel's (typeof(skb->mac_header))~0U). */
#define RETIS_SKB_HDR_UNSET	0xffff
/* Low bits of shinfo->dataref: references to the whole head. */
#define RETIS_SKB_DATAREF_MASK	0xffff

/* Header offsets of an skb, read once and reused by every rule below. */
struct retis_skb_headers {
	u16 mac;
	u16 network;
	u16 transport;
	u16 mac_len;
};

static __always_inline void retis_skb_read_headers(struct sk_buff *skb,
						   const struct sk_buff *s,
						   struct retis_skb_headers *h)
{
	h->mac = retis_skb_field(s, skb, mac_header);
	h->network = retis_skb_field(s, skb, network_header);
	h->transport = retis_skb_field(s, skb, transport_header);
	h->mac_len = retis_skb_field(s, skb, mac_len);
}

/* Raw "is set" tests, before the cross-checks between mac and network. */
static __always_inline bool __retis_mac_set(const struct retis_skb_headers *h)
{
	return h->mac != RETIS_SKB_HDR_UNSET;
}

static __always_inline bool __retis_network_set(const struct retis_skb_headers *h)
{
	return h->network != 0 && h->network != RETIS_SKB_HDR_UNSET;
}

/*
 * A reset mac header points at the network header with mac_len 0: there is
 * no link-layer data then, whatever mac_header says.
 */
static __always_inline bool retis_mac_valid(const struct retis_skb_headers *h)
{
	return __retis_mac_set(h) &&
	       !(__retis_network_set(h) && h->network == h->mac && h->mac_len == 0);
}

/* A network header equal to a real mac header was not set yet. */
static __always_inline bool retis_network_valid(const struct retis_skb_headers *h)
{
	return __retis_network_set(h) &&
	       !(__retis_mac_set(h) && h->mac == h->network && h->mac_len != 0);
}

static __always_inline bool retis_transport_valid(const struct retis_skb_headers *h)
{
	return h->transport != 0 && h->transport != RETIS_SKB_HDR_UNSET &&
	       h->transport != h->network;
}

static __always_inline struct skb_shared_info *retis_skb_shinfo(struct sk_buff *skb,
								 const struct sk_buff *s)
{
	/* skb->end is an offset from head on 64-bit kernels. */
	return (struct skb_shared_info *)(retis_skb_field(s, skb, head) +
					  retis_skb_field(s, skb, end));
}

/*
 * Whether releasing this skb also frees its head: the head is shared by
 * clones until the last reference to it goes.
 */
static __always_inline bool retis_skb_frees_head(struct sk_buff *skb,
						 const struct sk_buff *s)
{
	struct skb_shared_info *shinfo;
	u32 dataref;

	if (!retis_skb_bitfield(s, skb, cloned))
		return true;

	shinfo = retis_skb_shinfo(skb, s);
	dataref = BPF_CORE_READ(shinfo, dataref.counter);
	return (dataref & RETIS_SKB_DATAREF_MASK) == 1;
}

#endif /* __RETIS_SKB_H__ */
