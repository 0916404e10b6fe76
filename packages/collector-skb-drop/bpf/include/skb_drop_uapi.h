/* SPDX-License-Identifier: GPL-2.0-only */
/* Section of the skb-drop collector, shared with its TypeScript decoder. */
#ifndef __SKB_DROP_UAPI_H__
#define __SKB_DROP_UAPI_H__

#include "retis_common_defs.h"

#define SKB_DROP_SECTION_REASON	1

struct skb_drop_event {
	/* Raw drop reason: subsystem in the high 16 bits; -1 if unknown. */
	s32 drop_reason;
};

#endif /* __SKB_DROP_UAPI_H__ */
