// SPDX-License-Identifier: GPL-2.0-only
/*
 * ct collector hook (reference §2.6): the conntrack entry attached to the
 * skb (skb->_nfct) and its master connection, when the filters all passed.
 * Only IPv4/IPv6 connections of TCP, UDP, ICMP and SCTP are reported, as
 * Retis does.
 *
 * Section order: BASE_CONN, META, then PARENT_CONN when there is a master,
 * so that an event running out of room loses the optional part first.
 */
#include "retis_hook.h"
#include "ct_uapi.h"

RETIS_BTF_EXPORT(ct_meta_event)
RETIS_BTF_EXPORT(ct_conn_event)

/* include/linux/netfilter/nf_conntrack_common.h: skb->_nfct is the nf_conn
 * pointer with the ip_conntrack_info in its low 3 bits. */
#define CT_NFCT_INFOMASK	7UL
#define CT_NFCT_PTRMASK		(~CT_NFCT_INFOMASK)

/* include/linux/netfilter/nf_conntrack_zones_common.h */
#define CT_ZONE_DIR_ORIG	(1 << IP_CT_DIR_ORIGINAL)
#define CT_ZONE_DIR_REPL	(1 << IP_CT_DIR_REPLY)

static __always_inline bool ct_supported(u16 l3num, u8 protonum)
{
	if (l3num != NFPROTO_IPV4 && l3num != NFPROTO_IPV6)
		return false;
	return protonum == IPPROTO_TCP || protonum == IPPROTO_UDP ||
	       protonum == IPPROTO_ICMP || protonum == IPPROTO_SCTP;
}

static __always_inline void ct_read_tuple(struct ct_tuple *out,
					  const struct nf_conntrack_tuple *t,
					  u16 l3num, u8 protonum)
{
	u8 type, code;

	if (l3num == NFPROTO_IPV4) {
		bpf_core_read(out->src.addr, 4, &t->src.u3.ip);
		bpf_core_read(out->dst.addr, 4, &t->dst.u3.ip);
	} else {
		bpf_core_read(out->src.addr, 16, &t->src.u3.ip6);
		bpf_core_read(out->dst.addr, 16, &t->dst.u3.ip6);
	}

	if (protonum == IPPROTO_ICMP) {
		bpf_core_read(&out->src.data, 2, &t->src.u.icmp.id);
		type = BPF_CORE_READ(t, dst.u.icmp.type);
		code = BPF_CORE_READ(t, dst.u.icmp.code);
		out->dst.data = (u16)type << 8 | code;
	} else {
		/* The TCP, UDP and SCTP ports all alias u.all. */
		bpf_core_read(&out->src.data, 2, &t->src.u.all);
		bpf_core_read(&out->dst.data, 2, &t->dst.u.all);
	}
}

/* See ctnetlink_dump_labels(): the labels live in a conntrack extension. */
static __always_inline void ct_read_labels(struct ct_conn_event *e,
					   struct nf_conn *ct)
{
	struct nf_ct_ext *ext;
	u32 idx, base;
	u8 off = 0;

	/* The extension id exists only with CONFIG_NF_CONNTRACK_LABELS. */
	if (!bpf_core_enum_value_exists(enum nf_ct_ext_id, NF_CT_EXT_LABELS))
		return;

	ext = BPF_CORE_READ(ct, ext);
	if (!ext)
		return;

	idx = bpf_core_enum_value(enum nf_ct_ext_id, NF_CT_EXT_LABELS);
	if (idx >= bpf_core_field_size(struct nf_ct_ext, offset))
		return;
	base = bpf_core_field_offset(struct nf_ct_ext, offset);
	if (bpf_probe_read_kernel(&off, sizeof(off), (void *)ext + base + idx) || !off)
		return;

	if (bpf_core_field_size(struct nf_conn_labels, bits) != sizeof(e->labels))
		return;
	bpf_probe_read_kernel(e->labels, sizeof(e->labels),
			      (void *)ext + off +
			      bpf_core_field_offset(struct nf_conn_labels, bits));
}

/* Fills a zeroed section from a connection of a supported protocol. */
static __always_inline void ct_read_conn(struct ct_conn_event *e,
					 struct nf_conn *ct, u16 l3num,
					 u8 protonum)
{
	u8 zone_dir;

	/* Without CONFIG_NF_CONNTRACK_ZONES there is no zone: no direction
	 * flag, which userspace reports as "None". */
	if (bpf_core_field_exists(ct->zone)) {
		zone_dir = BPF_CORE_READ(ct, zone.dir);
		if (zone_dir & CT_ZONE_DIR_ORIG)
			e->flags |= CT_FLAG_DIR_ORIG;
		if (zone_dir & CT_ZONE_DIR_REPL)
			e->flags |= CT_FLAG_DIR_REPLY;
		e->zone_id = BPF_CORE_READ(ct, zone.id);
	}

	if (bpf_core_field_exists(ct->mark))
		e->mark = BPF_CORE_READ(ct, mark);
	e->status = BPF_CORE_READ(ct, status);

	e->flags |= l3num == NFPROTO_IPV4 ? CT_FLAG_IPV4 : CT_FLAG_IPV6;
	ct_read_tuple(&e->orig, &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple,
		      l3num, protonum);
	ct_read_tuple(&e->reply, &ct->tuplehash[IP_CT_DIR_REPLY].tuple,
		      l3num, protonum);

	switch (protonum) {
	case IPPROTO_TCP:
		e->flags |= CT_FLAG_TCP;
		e->proto_state = BPF_CORE_READ(ct, proto.tcp.state);
		break;
	case IPPROTO_UDP:
		e->flags |= CT_FLAG_UDP;
		break;
	case IPPROTO_ICMP:
		e->flags |= CT_FLAG_ICMP;
		break;
	case IPPROTO_SCTP:
		e->flags |= CT_FLAG_SCTP;
		/* proto.sctp exists only with CONFIG_NF_CT_PROTO_SCTP. */
		if (bpf_core_field_exists(ct->proto.sctp)) {
			e->proto_state = BPF_CORE_READ(ct, proto.sctp.state);
			bpf_core_read(e->sctp_vtag, sizeof(e->sctp_vtag),
				      &ct->proto.sctp.vtag);
		}
		break;
	}

	ct_read_labels(e, ct);
}

/* Appends a section for `ct`; 0 when the connection is not reportable. */
static __always_inline int ct_add_conn(struct retis_raw_event *event, u8 owner,
				       u8 data_type, struct nf_conn *ct)
{
	struct ct_conn_event *e;
	u8 protonum;
	u16 l3num;

	l3num = BPF_CORE_READ(ct, tuplehash[IP_CT_DIR_ORIGINAL].tuple.src.l3num);
	protonum = BPF_CORE_READ(ct, tuplehash[IP_CT_DIR_ORIGINAL].tuple.dst.protonum);
	if (!ct_supported(l3num, protonum))
		return 0;

	e = get_event_zsection(event, owner, data_type, sizeof(*e));
	if (!e)
		return 0;
	ct_read_conn(e, ct, l3num, protonum);
	return 1;
}

DEFINE_HOOK(F_AND, RETIS_ALL_FILTERS,
	struct sk_buff *skb = retis_get_sk_buff(ctx);
	struct ct_meta_event *m;
	struct nf_conn *ct;
	unsigned long nfct;

	/* skb->_nfct exists only when the kernel has conntrack. */
	if (!skb || !bpf_core_field_exists(skb->_nfct))
		return 0;

	nfct = BPF_CORE_READ(skb, _nfct);
	ct = (struct nf_conn *)(nfct & CT_NFCT_PTRMASK);
	if (!ct)
		return 0;

	if (!ct_add_conn(event, owner, CT_SECTION_BASE_CONN, ct))
		return 0;

	m = get_event_section(event, owner, CT_SECTION_META, sizeof(*m));
	if (!m)
		return 0;
	m->state = nfct & CT_NFCT_INFOMASK;

	ct = BPF_CORE_READ(ct, master);
	if (ct)
		ct_add_conn(event, owner, CT_SECTION_PARENT_CONN, ct);
	return 0;
)
