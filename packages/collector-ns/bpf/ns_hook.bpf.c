// SPDX-License-Identifier: GPL-2.0-only
/*
 * ns collector hook (reference §2.8). Raw: it runs whatever the filters said
 * and reports tracked skbs only. The namespace comes from the skb's device,
 * else its socket, else the probe's net or net_device argument.
 */
#include "retis_hook.h"
#include "ns_uapi.h"

RETIS_BTF_EXPORT(ns_event)

static __always_inline struct net *ns_of_skb(const struct retis_context *ctx,
					     struct sk_buff *skb)
{
	struct net_device *dev;
	struct sock *sk;
	struct net *net;

	dev = BPF_CORE_READ(skb, dev);
	if (dev) {
		net = BPF_CORE_READ(dev, nd_net.net);
		if (net)
			return net;
	}

	sk = BPF_CORE_READ(skb, sk);
	if (sk) {
		net = BPF_CORE_READ(sk, __sk_common.skc_net.net);
		if (net)
			return net;
	}

	net = retis_get_net(ctx);
	if (net)
		return net;

	dev = retis_get_net_device(ctx);
	return dev ? BPF_CORE_READ(dev, nd_net.net) : NULL;
}

DEFINE_HOOK_RAW(
	struct sk_buff *skb = retis_get_sk_buff(ctx);
	struct ns_event *e;
	struct net *net;

	if (!skb || !ctx->tracking.tracked)
		return 0;

	net = ns_of_skb(ctx, skb);
	if (!net)
		return 0;

	e = get_event_section(event, owner, NS_SECTION, sizeof(*e));
	if (!e)
		return 0;
	e->cookie = bpf_core_field_exists(net->net_cookie) ?
		    BPF_CORE_READ(net, net_cookie) : 0;
	e->inum = BPF_CORE_READ(net, ns.inum);
	e->pad = 0;
	return 0;
)
