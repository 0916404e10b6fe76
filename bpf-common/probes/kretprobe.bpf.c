// SPDX-License-Identifier: GPL-2.0-only
/*
 * Generic kretprobe (reference §7.3): a kprobe on the function's entry saves
 * its arguments, which are gone from the registers when it returns; the
 * return probe picks them up, adds the return value and runs the chain.
 *
 * Entry and return of one call run on the same kernel stack, and a stack
 * runs one call of a given function at a time (recursion aside), so the
 * saved arguments are keyed by (stack base, probe id): the probe id keeps
 * nested calls of two probed functions apart.
 *
 * As in kprobe.bpf.c, core loads either the kprobe.multi pair or the legacy
 * pair, and attaches both programs of the pair to every function with the
 * probe id as cookie.
 */
#include "retis_chain.h"
#include "retis_probe_args.h"

/* The kernel's THREAD_SIZE (stacks are THREAD_SIZE-aligned); set by core
 * from kallsyms before load. */
const volatile u64 retis_thread_size = 16384;

struct retis_kret_key {
	u64 stack_base;
	u64 ksym;
};

struct retis_kret_args {
	u64 args[RETIS_KPROBE_ARGS];
};

/* Calls in flight between their entry and their return. LRU: an entry whose
 * return never fires (a probe detached in between) ages out by itself. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct retis_kret_key);
	__type(value, struct retis_kret_args);
} kret_args_map SEC(".maps");

static __always_inline void retis_kret_key(struct pt_regs *ctx, struct retis_kret_key *key)
{
	key->stack_base = PT_REGS_SP(ctx) & ~(retis_thread_size - 1);
	key->ksym = bpf_get_attach_cookie(ctx);
}

static __always_inline int retis_kret_entry(struct pt_regs *ctx)
{
	struct retis_kret_args saved;
	struct retis_kret_key key;

	retis_kret_key(ctx, &key);
	saved.args[0] = PT_REGS_PARM1(ctx);
	saved.args[1] = PT_REGS_PARM2(ctx);
	saved.args[2] = PT_REGS_PARM3(ctx);
	saved.args[3] = PT_REGS_PARM4(ctx);
	saved.args[4] = PT_REGS_PARM5(ctx);
	bpf_map_update_elem(&kret_args_map, &key, &saved, BPF_ANY);
	return 0;
}

static __always_inline int retis_kret_return(struct pt_regs *ctx)
{
	struct retis_context rctx = {};
	struct retis_kret_args *saved;
	struct retis_kret_key key;

	retis_kret_key(ctx, &key);
	saved = bpf_map_lookup_elem(&kret_args_map, &key);
	if (!saved)
		return 0;

	rctx.ksym = key.ksym;
	rctx.probe_type = RETIS_PROBE_TYPE_KRETPROBE;
	rctx.args[0] = saved->args[0];
	rctx.args[1] = saved->args[1];
	rctx.args[2] = saved->args[2];
	rctx.args[3] = saved->args[3];
	rctx.args[4] = saved->args[4];
	rctx.num = RETIS_KPROBE_ARGS;
	rctx.retval = PT_REGS_RC(ctx);
	bpf_map_delete_elem(&kret_args_map, &key);

	return retis_chain(ctx, &rctx);
}

SEC("retis/kprobe")
int probe_kret_entry(struct pt_regs *ctx)
{
	return retis_kret_entry(ctx);
}

SEC("retis/kretprobe")
int probe_kretprobe(struct pt_regs *ctx)
{
	return retis_kret_return(ctx);
}

SEC("retis/kprobe.multi")
int probe_kret_entry_multi(struct pt_regs *ctx)
{
	return retis_kret_entry(ctx);
}

SEC("retis/kprobe.multi")
int probe_kretprobe_multi(struct pt_regs *ctx)
{
	return retis_kret_return(ctx);
}

char LICENSE[] SEC("license") = "GPL";
