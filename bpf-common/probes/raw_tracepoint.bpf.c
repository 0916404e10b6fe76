// SPDX-License-Identifier: GPL-2.0-only
/*
 * Generic raw tracepoint probe. One program serves every tracepoint: core
 * attaches it with the probe id as cookie, and links in the enabled
 * collectors' hooks beforehand.
 *
 * The kernel refuses to attach a raw tracepoint program whose context reads
 * go past the tracepoint's arguments (max_ctx_offset). The arguments are
 * therefore copied with one bpf_probe_read_kernel instead of context loads:
 * no context offset is read, and one load serves any argument count. The
 * chain copies them once the probe's config gives their number (nargs).
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

	return retis_chain_args(ctx, &rctx, ctx->args);
}

char LICENSE[] SEC("license") = "GPL";
