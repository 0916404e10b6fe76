// SPDX-License-Identifier: GPL-2.0-only
/*
 * skb-tracking collector hook (reference §2.3): reports the identity core
 * tracking gave the probe's skb. Tracking itself is done by the probe.
 */
#include "retis_hook.h"
#include "skb_tracking_uapi.h"

RETIS_BTF_EXPORT(skb_tracking_event)

DEFINE_HOOK(F_AND, RETIS_ALL_FILTERS,
	struct skb_tracking_event *e;

	if (!ctx->tracking.tracked)
		return 0;

	e = get_event_section(event, owner, SKB_TRACKING_SECTION, sizeof(*e));
	if (!e)
		return 0;
	e->orig_head = ctx->tracking.orig_head;
	e->timestamp = ctx->tracking.timestamp;
	e->skb = ctx->skb;
	return 0;
)
