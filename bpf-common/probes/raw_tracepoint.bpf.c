// SPDX-License-Identifier: GPL-2.0-only
/*
 * Generic raw tracepoint probe. One program serves every tracepoint: core
 * attaches it with the probe id as cookie, and links in the enabled
 * collectors' hooks beforehand.
 *
 * The kernel refuses to attach a raw tracepoint program whose context reads
 * go past the tracepoint's arguments (max_ctx_offset). The arguments are
 * therefore copied with one bpf_probe_read_kernel of the twelve slots instead
 * of context loads: no context offset is read, one load serves any argument
 * count, and the slots past the tracepoint's own hold whatever follows on
 * the stack, which the probe config's `nargs` keeps out of reach.
 */
#include "retis_chain.h"

/* Probe id when raw tracepoint cookies are not available (one program per
 * tracepoint then); 0 to use bpf_get_attach_cookie(). */
const volatile u64 ksym = 0;

SEC("retis/raw_tracepoint")
int probe_raw_tracepoint(struct bpf_raw_tracepoint_args *ctx)
{
	struct retis_context rctx = {};

	rctx.ksym = ksym ? ksym : bpf_get_attach_cookie(ctx);
	rctx.probe_type = RETIS_PROBE_TYPE_RAW_TRACEPOINT;
	bpf_probe_read_kernel(rctx.args, sizeof(rctx.args), ctx->args);
	rctx.num = RETIS_MAX_ARGS;

	return retis_chain(ctx, &rctx);
}

char LICENSE[] SEC("license") = "GPL";
