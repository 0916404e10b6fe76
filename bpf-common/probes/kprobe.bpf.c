// SPDX-License-Identifier: GPL-2.0-only
/*
 * Generic kprobe. One object serves every kprobe of a collection, the probe
 * id being the attach cookie. Core loads one of the two programs: the
 * kprobe.multi one when the kernel has kprobe.multi links (every function in
 * one attach, which is what makes hundreds of probes attach in seconds), the
 * other one with one legacy kprobe per function otherwise.
 */
#include "retis_chain.h"
#include "retis_probe_args.h"

static __always_inline int retis_kprobe(struct pt_regs *ctx)
{
	u64 id = bpf_get_attach_cookie(ctx);
	const struct retis_probe_config *cfg = retis_probe_active(id);
	struct retis_context rctx;

	if (!cfg)
		return 0;
	__builtin_memset(&rctx, 0, sizeof(rctx));
	rctx.ksym = id;
	rctx.probe_type = RETIS_PROBE_TYPE_KPROBE;
	retis_kprobe_read_args(&rctx, ctx);

	return retis_chain_cfg(ctx, &rctx, cfg, NULL, 0);
}

SEC("retis/kprobe")
int probe_kprobe(struct pt_regs *ctx)
{
	return retis_kprobe(ctx);
}

SEC("retis/kprobe.multi")
int probe_kprobe_multi(struct pt_regs *ctx)
{
	return retis_kprobe(ctx);
}

char LICENSE[] SEC("license") = "GPL";
