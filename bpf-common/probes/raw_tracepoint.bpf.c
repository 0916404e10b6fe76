// SPDX-License-Identifier: GPL-2.0-only
/*
 * Generic raw tracepoint probe. One program serves every tracepoint: core
 * attaches it with the probe id as cookie, and links in the enabled
 * collectors' hooks beforehand.
 *
 * The kernel refuses to attach a raw tracepoint program whose context reads
 * go past the tracepoint's arguments (max_ctx_offset). The program therefore
 * loads from its context only the `nargs` arguments every tracepoint it
 * serves has (core sets the smallest count); the chain copies the others
 * with one bpf_probe_read_kernel once the probe's config gives their number,
 * and only when the event needs them.
 */
#include "retis_chain.h"

/* Probe id when raw tracepoint cookies are not available (one program per
 * tracepoint then); 0 to use bpf_get_attach_cookie(). */
const volatile u64 ksym = 0;
/* Arguments every tracepoint of this program has, 0..12: loaded from the
 * context. A frozen value: only the loads below it are verified. */
const volatile u32 nargs = 0;

#define LOAD_ARG(i)							\
	if (nargs > (i))						\
		rctx.args[i] = ctx->args[i]

SEC("retis/raw_tracepoint")
int probe_raw_tracepoint(struct bpf_raw_tracepoint_args *ctx)
{
	u64 id = ksym ? ksym : bpf_get_attach_cookie(ctx);
	const struct retis_probe_config *cfg = retis_probe_active(id);
	struct retis_context rctx;

	if (!cfg)
		return 0;
	__builtin_memset(&rctx, 0, sizeof(rctx));
	rctx.ksym = id;
	rctx.probe_type = RETIS_PROBE_TYPE_RAW_TRACEPOINT;

	LOAD_ARG(0);
	LOAD_ARG(1);
	LOAD_ARG(2);
	LOAD_ARG(3);
	LOAD_ARG(4);
	LOAD_ARG(5);
	LOAD_ARG(6);
	LOAD_ARG(7);
	LOAD_ARG(8);
	LOAD_ARG(9);
	LOAD_ARG(10);
	LOAD_ARG(11);

	return retis_chain_cfg(ctx, &rctx, cfg, ctx->args, nargs < RETIS_MAX_ARGS ? nargs : RETIS_MAX_ARGS);
}

char LICENSE[] SEC("license") = "GPL";
