/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Sections of the ct collector, shared with its TypeScript decoder (checked
 * against the BTF of ct_hook.bpf.o). Naturally aligned, padding explicit.
 */
#ifndef __CT_UAPI_H__
#define __CT_UAPI_H__

#include "retis_common_defs.h"

/* Section data types (the reference's numbers). */
#define CT_SECTION_META		0
#define CT_SECTION_BASE_CONN	1
#define CT_SECTION_PARENT_CONN	2

/* ct_conn_event.flags: zone direction, address family and protocol. */
#define CT_FLAG_DIR_ORIG	(1 << 0)
#define CT_FLAG_DIR_REPLY	(1 << 1)
#define CT_FLAG_IPV4		(1 << 2)
#define CT_FLAG_IPV6		(1 << 3)
#define CT_FLAG_TCP		(1 << 4)
#define CT_FLAG_UDP		(1 << 5)
#define CT_FLAG_ICMP		(1 << 6)
#define CT_FLAG_SCTP		(1 << 7)

/* The skb's conntrack info (skb->_nfct & 7, enum ip_conntrack_info). */
struct ct_meta_event {
	u8 state;
};

/* One end of a tuple. */
struct ct_endpoint {
	/* Network order; an IPv4 address uses the first 4 bytes. */
	u8 addr[16];
	/*
	 * Per-protocol data: the port (network order) for TCP, UDP and SCTP;
	 * for ICMP, the id (network order) at the source and
	 * type << 8 | code (host order) at the destination.
	 */
	u16 data;
	u8 pad[2];
};

struct ct_tuple {
	struct ct_endpoint src;
	struct ct_endpoint dst;
};

/* A connection: the skb's (BASE_CONN) or its master's (PARENT_CONN). */
struct ct_conn_event {
	struct ct_tuple orig;
	struct ct_tuple reply;
	/* ct->status (IPS_* bits). */
	u64 status;
	/* CT_FLAG_* */
	u32 flags;
	/* ct->mark, 0 on kernels without CONFIG_NF_CONNTRACK_MARK. */
	u32 mark;
	/* Conntrack labels, as the kernel's unsigned long bits[2]. */
	u8 labels[16];
	/* SCTP verification tags (network order), original then reply. */
	u32 sctp_vtag[2];
	u16 zone_id;
	/* TCP or SCTP conntrack state (enum tcp_conntrack / sctp_conntrack). */
	u8 proto_state;
	u8 pad[5];
};

#endif /* __CT_UAPI_H__ */
