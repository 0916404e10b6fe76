// SPDX-License-Identifier: GPL-2.0-only
/*
 * dev collector hook (reference §2.7). Raw: it runs whatever the filters
 * said. With an skb, only tracked skbs are reported (that is their filter)
 * and the device is skb->dev; without one, the net_device argument is used.
 */
#include "retis_hook.h"
#include "dev_uapi.h"

RETIS_BTF_EXPORT(dev_event)

DEFINE_HOOK_RAW(
	struct sk_buff *skb = retis_get_sk_buff(ctx);
	struct net_device *dev;
	struct dev_event *e;
	u32 ifindex, iif = 0;

	if (skb) {
		if (!ctx->tracking.tracked)
			return 0;
		dev = BPF_CORE_READ(skb, dev);
		iif = BPF_CORE_READ(skb, skb_iif);
	} else {
		dev = retis_get_net_device(ctx);
	}
	if (!dev)
		return 0;

	ifindex = BPF_CORE_READ(dev, ifindex);
	if (!ifindex)
		return 0;

	e = get_event_section(event, owner, DEV_SECTION, sizeof(*e));
	if (!e)
		return 0;
	if (BPF_CORE_READ_INTO(&e->dev_name, dev, name))
		__builtin_memset(e->dev_name, 0, sizeof(e->dev_name));
	e->ifindex = ifindex;
	e->iif = iif;
	return 0;
)
