// SPDX-License-Identifier: GPL-2.0-only
/*
 * skb-drop collector hook (reference §2.2): reports the drop reason argument
 * of probes that have one (skb:kfree_skb), when the filters all passed.
 */
#include "retis_hook.h"
#include "skb_drop_uapi.h"

RETIS_BTF_EXPORT(skb_drop_event)

DEFINE_HOOK(F_AND, RETIS_ALL_FILTERS,
	struct skb_drop_event *e;
	s8 idx = ctx->offsets.skb_drop_reason;

	if (idx < 0)
		return 0;

	e = get_event_section(event, owner, SKB_DROP_SECTION_REASON, sizeof(*e));
	if (!e)
		return 0;
	/* Drop reason enums are int-sized. */
	e->drop_reason = (s32)retis_get_arg(ctx, idx);
	return 0;
)
