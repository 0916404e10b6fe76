// SPDX-License-Identifier: GPL-2.0-only
/*
 * Generic raw tracepoint probe. One object serves every tracepoint: core sets
 * the rodata below before load, attaches the program with the probe id as
 * cookie, and links in the enabled collectors' hooks beforehand.
 */
#include "retis_chain.h"

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

#define READ_ARG(i)						\
	if ((i) < nargs)					\
		rctx.args[i] = ctx->args[i]

SEC("retis/raw_tracepoint")
int probe_raw_tracepoint(struct bpf_raw_tracepoint_args *ctx)
{
	struct retis_context rctx = {};

	rctx.ksym = ksym ? ksym : bpf_get_attach_cookie(ctx);
	rctx.num = nargs < RETIS_MAX_ARGS ? nargs : RETIS_MAX_ARGS;
	rctx.probe_type = RETIS_PROBE_TYPE_RAW_TRACEPOINT;

	READ_ARG(0);
	READ_ARG(1);
	READ_ARG(2);
	READ_ARG(3);
	READ_ARG(4);
	READ_ARG(5);
	READ_ARG(6);
	READ_ARG(7);
	READ_ARG(8);
	READ_ARG(9);
	READ_ARG(10);
	READ_ARG(11);

	return retis_chain(ctx, &rctx);
}

char LICENSE[] SEC("license") = "GPL";
