/* SPDX-License-Identifier: GPL-2.0-only */
/* Section of the skb-tracking collector, shared with its TypeScript decoder. */
#ifndef __SKB_TRACKING_UAPI_H__
#define __SKB_TRACKING_UAPI_H__

#include "retis_common_defs.h"

#define SKB_TRACKING_SECTION	1

struct skb_tracking_event {
	/* Identity of the packet: (orig_head, timestamp). */
	u64 orig_head;
	u64 timestamp;
	/* This sk_buff's address, to tell clones apart. */
	u64 skb;
};

#endif /* __SKB_TRACKING_UAPI_H__ */
