/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Filling retis_context.args from a probe program's own context. Included by
 * probe programs only.
 *
 * The verifier refuses context reads at offsets it cannot check, so
 * arguments are read one by one at constant offsets, each guarded by the
 * frozen `nargs` rodata of the program: reads past the probed function's or
 * tracepoint's arguments are pruned as dead code, and one object loads for
 * any argument count.
 */
#ifndef __RETIS_PROBE_ARGS_H__
#define __RETIS_PROBE_ARGS_H__

#include "retis_common_defs.h"
#include "retis_context.h"
#include <bpf/bpf_tracing.h>

/* dst: struct retis_context; src: an array of u64 arguments (raw
 * tracepoint args, fentry/fexit context); n: the frozen argument count. */
#define __RETIS_READ_ARG(dst, src, n, i)				\
	if ((i) < (n))							\
		(dst).args[i] = (src)[i]

#define RETIS_READ_ARGS(dst, src, n)					\
	do {								\
		__RETIS_READ_ARG(dst, src, n, 0);			\
		__RETIS_READ_ARG(dst, src, n, 1);			\
		__RETIS_READ_ARG(dst, src, n, 2);			\
		__RETIS_READ_ARG(dst, src, n, 3);			\
		__RETIS_READ_ARG(dst, src, n, 4);			\
		__RETIS_READ_ARG(dst, src, n, 5);			\
		__RETIS_READ_ARG(dst, src, n, 6);			\
		__RETIS_READ_ARG(dst, src, n, 7);			\
		__RETIS_READ_ARG(dst, src, n, 8);			\
		__RETIS_READ_ARG(dst, src, n, 9);			\
		__RETIS_READ_ARG(dst, src, n, 10);			\
		__RETIS_READ_ARG(dst, src, n, 11);			\
		(dst).num = (n) < RETIS_MAX_ARGS ? (n) : RETIS_MAX_ARGS; \
	} while (0)

/*
 * Registers a kprobe can read arguments from (reference §7.3): the first
 * five, so an argument at index 5 or above is out of reach.
 */
#define RETIS_KPROBE_ARGS	5

static __always_inline void retis_kprobe_read_args(struct retis_context *ctx,
						   struct pt_regs *regs)
{
	ctx->args[0] = PT_REGS_PARM1(regs);
	ctx->args[1] = PT_REGS_PARM2(regs);
	ctx->args[2] = PT_REGS_PARM3(regs);
	ctx->args[3] = PT_REGS_PARM4(regs);
	ctx->args[4] = PT_REGS_PARM5(regs);
	ctx->num = RETIS_KPROBE_ARGS;
}

#endif /* __RETIS_PROBE_ARGS_H__ */
