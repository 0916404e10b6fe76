/* SPDX-License-Identifier: GPL-2.0-only */
/* Section of the dev collector, shared with its TypeScript decoder. */
#ifndef __DEV_UAPI_H__
#define __DEV_UAPI_H__

#include "retis_common_defs.h"

#define DEV_SECTION		1
#define DEV_NAME_LEN		16

struct dev_event {
	/* NUL-terminated unless the name fills the array. */
	u8 dev_name[DEV_NAME_LEN];
	u32 ifindex;
	/* skb->skb_iif, 0 when unknown or without an skb. */
	u32 iif;
};

#endif /* __DEV_UAPI_H__ */
