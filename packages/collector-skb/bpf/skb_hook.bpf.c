// SPDX-License-Identifier: GPL-2.0-only
/*
 * skb collector hook: packet bytes and sk_buff metadata (reference §2.1).
 * Runs on every probe with an skb whose filters all passed; each section is
 * enabled by its bit in skb_config_map. sk_buff fields come from core's
 * snapshot of the skb (`s`): plain loads, not one helper call each.
 */
#include "retis_hook.h"
#include "retis_skb.h"
#include "retis_skb_snapshot.h"
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
static __always_inline __be16 skb_guess_ethertype(const struct sk_buff *s, unsigned char *head,
						  const struct retis_skb_headers *h)
{
	__be16 etype = s->protocol;
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
 * The packet section ends with its last captured byte: a 64-byte frame costs
 * 72 bytes in the ring buffer, not the 264 of the whole capture room.
 */
static __always_inline void skb_trim_packet(struct retis_raw_event *event,
					    struct skb_packet_event *e, u32 capture_len)
{
	retis_event_section_trim(event, e, sizeof(*e),
				 offsetof(struct skb_packet_event, packet) + capture_len);
}

/*
 * Copies the start of the linear data: from the mac header when valid, else
 * from the network header behind a fake Ethernet header (zero addresses, the
 * ethertype) so that the capture always starts at layer 2.
 */
static __always_inline void skb_emit_packet(struct retis_raw_event *event, u8 owner,
					    const struct sk_buff *s)
{
	struct retis_skb_headers h;
	struct skb_packet_event *e;
	unsigned char *head;
	long headroom, offset, avail;
	u32 len, linear, cap;
	__be16 etype;
	u16 start;

	len = s->len;
	linear = len - s->data_len;
	if (!linear)
		return;

	head = s->head;
	headroom = (long)s->data - (long)head;
	retis_skb_read_headers(NULL, s, &h);

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
		bpf_probe_read_kernel(e->packet, cap, head + start);
		skb_trim_packet(event, e, cap);
		return;
	}

	if (!retis_network_valid(&h))
		return;

	etype = skb_guess_ethertype(s, head, &h);
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
	bpf_probe_read_kernel(&e->packet[ETH_HLEN], cap, head + start);
	skb_trim_packet(event, e, cap + ETH_HLEN);
}

/* Hardware-accelerated tag only: a tag in the packet shows in the capture. */
static __always_inline void skb_emit_vlan(struct retis_raw_event *event, u8 owner,
					  const struct sk_buff *s)
{
	const struct sk_buff___retis_old *old = (const void *)s;
	struct skb_vlan_event *e;
	bool present;
	u16 tci;

	tci = s->vlan_tci;
	if (bpf_core_field_exists(old->vlan_present))
		present = BPF_CORE_READ_BITFIELD(old, vlan_present);
	else if (bpf_core_field_exists(s->vlan_all))
		present = s->vlan_all != 0;
	else
		present = tci & VLAN_CFI_MASK;
	if (!present)
		return;

	e = get_event_section(event, owner, SKB_SECTION_VLAN, sizeof(*e));
	if (!e)
		return;
	e->proto = bpf_ntohs(s->vlan_proto);
	e->pcp = (tci & VLAN_PRIO_MASK) >> VLAN_PRIO_SHIFT;
	e->dei = (tci & VLAN_CFI_MASK) >> VLAN_CFI_SHIFT;
	e->vid = tci & VLAN_VID_MASK;
}

static __always_inline void skb_emit_meta(struct retis_raw_event *event, u8 owner,
					  const struct sk_buff *s)
{
	struct skb_meta_event *e;

	e = get_event_section(event, owner, SKB_SECTION_META, sizeof(*e));
	if (!e)
		return;
	e->len = s->len;
	e->data_len = s->data_len;
	e->hash = s->hash;
	e->csum = s->csum;
	e->priority = s->priority;
	e->ip_summed = BPF_CORE_READ_BITFIELD(s, ip_summed);
	e->csum_level = BPF_CORE_READ_BITFIELD(s, csum_level);
	e->pad[0] = 0;
	e->pad[1] = 0;
}

static __always_inline void skb_emit_data_ref(struct retis_raw_event *event, u8 owner,
					      const struct sk_buff *s)
{
	struct skb_shared_info *shinfo = retis_skb_shinfo(NULL, s);
	struct skb_data_ref_event *e;

	e = get_event_section(event, owner, SKB_SECTION_DATA_REF, sizeof(*e));
	if (!e)
		return;
	e->nohdr = BPF_CORE_READ_BITFIELD(s, nohdr);
	e->cloned = BPF_CORE_READ_BITFIELD(s, cloned);
	e->fclone = BPF_CORE_READ_BITFIELD(s, fclone);
	e->users = s->users.refs.counter;
	e->dataref = BPF_CORE_READ(shinfo, dataref.counter);
}

static __always_inline void skb_emit_gso(struct retis_raw_event *event, u8 owner,
					 const struct sk_buff *s)
{
	struct skb_shared_info *shinfo = retis_skb_shinfo(NULL, s);
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
	const struct sk_buff *s = retis_skb_snapshot(ctx);
	struct skb_config *cfg;
	u32 zero = 0;

	/* Core snapshots every skb it reports. */
	if (!s)
		return 0;
	cfg = bpf_map_lookup_elem(&skb_config_map, &zero);
	if (!cfg)
		return 0;

	if (SKB_WANTS(cfg, SKB_SECTION_PACKET))
		skb_emit_packet(event, owner, s);
	if (SKB_WANTS(cfg, SKB_SECTION_VLAN))
		skb_emit_vlan(event, owner, s);
	if (SKB_WANTS(cfg, SKB_SECTION_META))
		skb_emit_meta(event, owner, s);
	if (SKB_WANTS(cfg, SKB_SECTION_DATA_REF))
		skb_emit_data_ref(event, owner, s);
	if (SKB_WANTS(cfg, SKB_SECTION_GSO))
		skb_emit_gso(event, owner, s);

	return 0;
)
