// SPDX-License-Identifier: GPL-2.0-only
/*
 * Generic fentry probe (a BPF trampoline on a function's entry, cheaper than
 * a kprobe). A tracing program is verified against its target's prototype,
 * so core loads this object once per function, with the target, its argument
 * count and the probe id set before load.
 */
#include "retis_chain.h"
#include "retis_probe_args.h"

/* Arguments of the target function (BTF parameters), 0..12. */
const volatile u32 nargs = 0;
/* Probe id: one program per probe, no cookie needed. */
const volatile u64 ksym = 0;

SEC("retis/fentry")
int probe_fentry(unsigned long long *ctx)
{
	struct retis_context rctx = {};

	rctx.ksym = ksym;
	rctx.probe_type = RETIS_PROBE_TYPE_FENTRY;
	RETIS_READ_ARGS(rctx, ctx, nargs);

	return retis_chain(ctx, &rctx);
}

char LICENSE[] SEC("license") = "GPL";
