/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Sections of the skb collector and its configuration, shared with the
 * TypeScript decoders (checked against the BTF of skb_hook.bpf.o).
 */
#ifndef __SKB_UAPI_H__
#define __SKB_UAPI_H__

#include "retis_common_defs.h"

/* Section data types; bit N of skb_config.sections enables data type N. */
#define SKB_SECTION_PACKET	1
#define SKB_SECTION_VLAN	2
#define SKB_SECTION_META	3
#define SKB_SECTION_DATA_REF	4
#define SKB_SECTION_GSO		5

#define SKB_PACKET_CAPTURE_MAX	255

/* skb_config_map value. */
struct skb_config {
	u64 sections;
};

/* Sent trimmed after the last captured byte (section size 8 + capture_len). */
struct skb_packet_event {
	/* Packet length from the first captured byte (may exceed the capture). */
	u32 len;
	/* Bytes of packet[] in use. */
	u32 capture_len;
	u8 packet[SKB_PACKET_CAPTURE_MAX];
	u8 pad;
};

/* Hardware-accelerated VLAN tag. */
struct skb_vlan_event {
	/* Tag protocol, host order. */
	u16 proto;
	u8 pcp;
	u8 dei;
	u16 vid;
};

struct skb_meta_event {
	u32 len;
	u32 data_len;
	u32 hash;
	u32 csum;
	u32 priority;
	u8 ip_summed;
	u8 csum_level;
	u8 pad[2];
};

struct skb_data_ref_event {
	u8 nohdr;
	u8 cloned;
	u8 fclone;
	/* skb->users, truncated. */
	u8 users;
	/* shinfo->dataref, truncated. */
	u8 dataref;
};

struct skb_gso_event {
	u32 gso_size;
	u32 gso_segs;
	u32 gso_type;
	/* shinfo->flags, 0 on kernels without it. */
	u8 flags;
	u8 nr_frags;
	u8 pad[2];
};

#endif /* __SKB_UAPI_H__ */
