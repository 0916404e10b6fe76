// SPDX-License-Identifier: GPL-2.0-only
/*
 * Generic raw tracepoint probe. One object serves every tracepoint: core sets
 * the rodata below before load, attaches the program with the probe id as
 * cookie, and links in the enabled collectors' hooks beforehand.
 */
#include "retis_chain.h"
#include "retis_probe_args.h"

/*
 * Number of tracepoint arguments to read (the BTF prototype's parameters
 * minus __data), 0..12. The kernel refuses to attach a raw tracepoint program
 * that reads past the tracepoint's arguments; reads guarded by this frozen
 * value are pruned by the verifier, so one object loads for any count.
 */
const volatile u32 nargs = 0;
/* Probe id when raw tracepoint cookies are not available (one program per
 * tracepoint then); 0 to use bpf_get_attach_cookie(). */
const volatile u64 ksym = 0;

SEC("retis/raw_tracepoint")
int probe_raw_tracepoint(struct bpf_raw_tracepoint_args *ctx)
{
	struct retis_context rctx = {};

	rctx.ksym = ksym ? ksym : bpf_get_attach_cookie(ctx);
	rctx.probe_type = RETIS_PROBE_TYPE_RAW_TRACEPOINT;
	RETIS_READ_ARGS(rctx, ctx->args, nargs);

	return retis_chain(ctx, &rctx);
}

char LICENSE[] SEC("license") = "GPL";
