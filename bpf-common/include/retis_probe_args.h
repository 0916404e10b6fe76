/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Filling retis_context.args from a probe program's own context. Included by
 * probe programs only.
 *
 * Every probe kind hands the chain plain numbers: core and the hooks treat
 * arguments as addresses (hashing them, for one), which the verifier refuses
 * on the typed pointers a tracing program's context loads yield.
 */
#ifndef __RETIS_PROBE_ARGS_H__
#define __RETIS_PROBE_ARGS_H__

#include "retis_common_defs.h"
#include "retis_context.h"
#include <bpf/bpf_tracing.h>

/*
 * dst: struct retis_context; src: an array of u64 arguments (the fentry or
 * fexit context); n: the frozen argument count (rodata, a constant for the
 * verifier). One bpf_probe_read_kernel of exactly the n arguments: a copy
 * through a helper is untyped, where loads from the context would keep
 * pointer arguments typed.
 */
#define RETIS_READ_ARGS(dst, src, n)					\
	do {								\
		u32 __n = (n) < RETIS_MAX_ARGS ? (n) : RETIS_MAX_ARGS;	\
		if (__n)						\
			bpf_probe_read_kernel((dst).args,		\
					      __n * sizeof(u64), (src)); \
		(dst).num = __n;					\
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
