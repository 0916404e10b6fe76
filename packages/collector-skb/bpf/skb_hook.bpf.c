// SPDX-License-Identifier: GPL-2.0-only
/*
 * skb collector hook: packet bytes and sk_buff metadata (reference §2.1).
 * Runs on every probe with an skb whose filters all passed; each section is
 * enabled by its bit in skb_config_map.
 */
#include "retis_hook.h"
#include "retis_skb.h"
#include "skb_uapi.h"

#define ETH_HLEN	14
#define ETH_ALEN	6
#define ETH_P_IP	0x0800
#define ETH_P_IPV6	0x86dd
#define VLAN_PRIO_MASK	0xe000
#define VLAN_PRIO_SHIFT	13
#define VLAN_CFI_MASK	0x1000
#define VLAN_CFI_SHIFT	12
#define VLAN_VID_MASK	0x0fff

/* Set by core: which sections to emit. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct skb_config);
} skb_config_map SEC(".maps");

RETIS_BTF_EXPORT(skb_packet_event)
RETIS_BTF_EXPORT(skb_vlan_event)
RETIS_BTF_EXPORT(skb_meta_event)
RETIS_BTF_EXPORT(skb_data_ref_event)
RETIS_BTF_EXPORT(skb_gso_event)

/* sk_buff members of older kernels, for CO-RE existence checks. */
struct sk_buff___retis_old {
	__u8 vlan_present: 1;
} __attribute__((preserve_access_index));

struct skb_shared_info___retis_old {
	__u8 flags;
} __attribute__((preserve_access_index));

/*
 * Ethertype of an skb without link-layer data: skb->protocol, else guessed
 * from the IP version nibble when the transport header sits right after a
 * header of the minimal IPv4 or IPv6 size. Network order; 0 when unknown.
 */
static __always_inline __be16 skb_guess_ethertype(struct sk_buff *skb, unsigned char *head,
						  const struct retis_skb_headers *h)
{
	__be16 etype = BPF_CORE_READ(skb, protocol);
	u8 first;
	u16 hlen;

	if (etype || !retis_transport_valid(h))
		return etype;

	if (bpf_probe_read_kernel(&first, sizeof(first), head + h->network))
		return 0;

	hlen = h->transport - h->network;
	if (hlen == 20 && (first >> 4) == 4)
		return bpf_htons(ETH_P_IP);
	if (hlen == 40 && (first >> 4) == 6)
		return bpf_htons(ETH_P_IPV6);
	return 0;
}

/*
 * Copies the start of the linear data: from the mac header when valid, else
 * from the network header behind a fake Ethernet header (zero addresses, the
 * ethertype) so that the capture always starts at layer 2.
 */
static __always_inline void skb_emit_packet(struct retis_raw_event *event, u8 owner,
					    struct sk_buff *skb)
{
	struct retis_skb_headers h;
	struct skb_packet_event *e;
	unsigned char *head;
	long headroom, offset, avail;
	u32 len, linear, cap;
	__be16 etype;
	u16 start;

	len = BPF_CORE_READ(skb, len);
	linear = len - BPF_CORE_READ(skb, data_len);
	if (!linear)
		return;

	head = BPF_CORE_READ(skb, head);
	headroom = (long)BPF_CORE_READ(skb, data) - (long)head;
	retis_skb_read_headers(skb, &h);

	if (retis_mac_valid(&h)) {
		start = h.mac;
		/* Offset of the mac header from skb->data (negative on rx). */
		offset = (long)start - headroom;
		avail = (long)linear - offset;
		if (avail <= 0)
			return;

		e = get_event_section(event, owner, SKB_SECTION_PACKET, sizeof(*e));
		if (!e)
			return;

		cap = avail > SKB_PACKET_CAPTURE_MAX ? SKB_PACKET_CAPTURE_MAX : avail;
		/* Identity after the clamp; states the bound for the verifier. */
		cap &= 0xff;
		e->len = len - offset;
		e->capture_len = cap;
		e->pad = 0;
		bpf_probe_read_kernel(e->packet, cap, head + start);
		return;
	}

	if (!retis_network_valid(&h))
		return;

	etype = skb_guess_ethertype(skb, head, &h);
	if (!etype)
		return;

	start = h.network;
	offset = (long)start - headroom;
	avail = (long)linear - offset;
	if (avail <= 0)
		return;

	e = get_event_section(event, owner, SKB_SECTION_PACKET, sizeof(*e));
	if (!e)
		return;

	cap = avail > SKB_PACKET_CAPTURE_MAX - ETH_HLEN ?
	      SKB_PACKET_CAPTURE_MAX - ETH_HLEN : avail;
	cap &= 0xff;
	__builtin_memset(e->packet, 0, 2 * ETH_ALEN);
	__builtin_memcpy(&e->packet[2 * ETH_ALEN], &etype, sizeof(etype));
	e->len = len - offset + ETH_HLEN;
	e->capture_len = cap + ETH_HLEN;
	e->pad = 0;
	bpf_probe_read_kernel(&e->packet[ETH_HLEN], cap, head + start);
}

/* Hardware-accelerated tag only: a tag in the packet shows in the capture. */
static __always_inline void skb_emit_vlan(struct retis_raw_event *event, u8 owner,
					  struct sk_buff *skb)
{
	struct sk_buff___retis_old *old = (void *)skb;
	struct skb_vlan_event *e;
	bool present;
	u16 tci;

	tci = BPF_CORE_READ(skb, vlan_tci);
	if (bpf_core_field_exists(old->vlan_present))
		present = BPF_CORE_READ_BITFIELD_PROBED(old, vlan_present);
	else if (bpf_core_field_exists(skb->vlan_all))
		present = BPF_CORE_READ(skb, vlan_all) != 0;
	else
		present = tci & VLAN_CFI_MASK;
	if (!present)
		return;

	e = get_event_section(event, owner, SKB_SECTION_VLAN, sizeof(*e));
	if (!e)
		return;
	e->proto = bpf_ntohs(BPF_CORE_READ(skb, vlan_proto));
	e->pcp = (tci & VLAN_PRIO_MASK) >> VLAN_PRIO_SHIFT;
	e->dei = (tci & VLAN_CFI_MASK) >> VLAN_CFI_SHIFT;
	e->vid = tci & VLAN_VID_MASK;
}

static __always_inline void skb_emit_meta(struct retis_raw_event *event, u8 owner,
					  struct sk_buff *skb)
{
	struct skb_meta_event *e;

	e = get_event_section(event, owner, SKB_SECTION_META, sizeof(*e));
	if (!e)
		return;
	e->len = BPF_CORE_READ(skb, len);
	e->data_len = BPF_CORE_READ(skb, data_len);
	e->hash = BPF_CORE_READ(skb, hash);
	e->csum = BPF_CORE_READ(skb, csum);
	e->priority = BPF_CORE_READ(skb, priority);
	e->ip_summed = BPF_CORE_READ_BITFIELD_PROBED(skb, ip_summed);
	e->csum_level = BPF_CORE_READ_BITFIELD_PROBED(skb, csum_level);
	e->pad[0] = 0;
	e->pad[1] = 0;
}

static __always_inline void skb_emit_data_ref(struct retis_raw_event *event, u8 owner,
					      struct sk_buff *skb)
{
	struct skb_shared_info *shinfo = retis_skb_shinfo(skb);
	struct skb_data_ref_event *e;

	e = get_event_section(event, owner, SKB_SECTION_DATA_REF, sizeof(*e));
	if (!e)
		return;
	e->nohdr = BPF_CORE_READ_BITFIELD_PROBED(skb, nohdr);
	e->cloned = BPF_CORE_READ_BITFIELD_PROBED(skb, cloned);
	e->fclone = BPF_CORE_READ_BITFIELD_PROBED(skb, fclone);
	e->users = BPF_CORE_READ(skb, users.refs.counter);
	e->dataref = BPF_CORE_READ(shinfo, dataref.counter);
}

static __always_inline void skb_emit_gso(struct retis_raw_event *event, u8 owner,
					 struct sk_buff *skb)
{
	struct skb_shared_info *shinfo = retis_skb_shinfo(skb);
	struct skb_shared_info___retis_old *old = (void *)shinfo;
	struct skb_gso_event *e;
	u16 gso_size;

	gso_size = BPF_CORE_READ(shinfo, gso_size);
	if (!gso_size)
		return;

	e = get_event_section(event, owner, SKB_SECTION_GSO, sizeof(*e));
	if (!e)
		return;
	e->gso_size = gso_size;
	e->gso_segs = BPF_CORE_READ(shinfo, gso_segs);
	e->gso_type = BPF_CORE_READ(shinfo, gso_type);
	e->flags = bpf_core_field_exists(old->flags) ? BPF_CORE_READ(old, flags) : 0;
	e->nr_frags = BPF_CORE_READ(shinfo, nr_frags);
	e->pad[0] = 0;
	e->pad[1] = 0;
}

#define SKB_WANTS(cfg, section)	((cfg)->sections & (1ULL << (section)))

DEFINE_HOOK(F_AND, RETIS_ALL_FILTERS,
	struct sk_buff *skb = retis_get_sk_buff(ctx);
	struct skb_config *cfg;
	u32 zero = 0;

	if (!skb)
		return 0;
	cfg = bpf_map_lookup_elem(&skb_config_map, &zero);
	if (!cfg)
		return 0;

	if (SKB_WANTS(cfg, SKB_SECTION_PACKET))
		skb_emit_packet(event, owner, skb);
	if (SKB_WANTS(cfg, SKB_SECTION_VLAN))
		skb_emit_vlan(event, owner, skb);
	if (SKB_WANTS(cfg, SKB_SECTION_META))
		skb_emit_meta(event, owner, skb);
	if (SKB_WANTS(cfg, SKB_SECTION_DATA_REF))
		skb_emit_data_ref(event, owner, skb);
	if (SKB_WANTS(cfg, SKB_SECTION_GSO))
		skb_emit_gso(event, owner, skb);

	return 0;
)
