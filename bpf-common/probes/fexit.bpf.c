// SPDX-License-Identifier: GPL-2.0-only
/*
 * Generic fexit probe: as fentry.bpf.c, on the function's return. The
 * arguments are still in the context then, and the return value follows
 * them (context slot `nargs`).
 */
#include "retis_chain.h"
#include "retis_probe_args.h"

/* Arguments of the target function (BTF parameters), 0..12. */
const volatile u32 nargs = 0;
/* Probe id: one program per probe, no cookie needed. */
const volatile u64 ksym = 0;

/* The return value's slot is read at a constant offset too: only the branch
 * of the frozen nargs survives verification. */
#define READ_RETVAL(i)							\
	if (nargs == (i))						\
		rctx.retval = ctx[i]

SEC("retis/fexit")
int probe_fexit(unsigned long long *ctx)
{
	struct retis_context rctx = {};

	rctx.ksym = ksym;
	rctx.probe_type = RETIS_PROBE_TYPE_FEXIT;
	RETIS_READ_ARGS(rctx, ctx, nargs);

	READ_RETVAL(0);
	READ_RETVAL(1);
	READ_RETVAL(2);
	READ_RETVAL(3);
	READ_RETVAL(4);
	READ_RETVAL(5);
	READ_RETVAL(6);
	READ_RETVAL(7);
	READ_RETVAL(8);
	READ_RETVAL(9);
	READ_RETVAL(10);
	READ_RETVAL(11);
	READ_RETVAL(12);

	return retis_chain(ctx, &rctx);
}

char LICENSE[] SEC("license") = "GPL";
