/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What a generic probe knows about the current call, handed to every hook.
 *
 * Hooks are global BPF functions: the verifier checks them on their own and
 * only accepts pointer arguments to structs made of scalars. Kernel pointers
 * are therefore carried as u64 and must be read with CO-RE helpers
 * (BPF_CORE_READ and friends, which use bpf_probe_read_kernel).
 */
#ifndef __RETIS_CONTEXT_H__
#define __RETIS_CONTEXT_H__

#include "retis_common_defs.h"

#define RETIS_MAX_ARGS	12

/* Filter result flags (ctx->filters_ret). */
#define RETIS_F_PACKET_PASS	(1 << 0)
#define RETIS_F_META_PASS	(1 << 1)
#define RETIS_F_STACK_PASS	(1 << 2)
#define RETIS_ALL_FILTERS	(RETIS_F_PACKET_PASS | RETIS_F_META_PASS)

/* How a hook combines its required filter flags. */
#define F_AND	0
#define F_OR	1

/*
 * Index in the raw arguments of the first parameter of each known type, or
 * -1 when the probe has none. Filled by core per probe.
 */
struct retis_probe_offsets {
	s8 sk_buff;
	s8 skb_drop_reason;
	s8 net_device;
	s8 net;
	s8 nft_pktinfo;
	s8 nft_traceinfo;
	s8 pad[2];
};

/* config_map value, keyed by the probe id. */
struct retis_probe_config {
	struct retis_probe_offsets offsets;
	/* Collect a stack id for each event. */
	u8 stack_trace;
	/* Tracking: the probe frees the skb (end tracking after the hooks). */
	u8 free;
	/* Tracking: a free conditioned on the second argument (kprobes). */
	u8 partial_free;
	/* Tracking: the probe invalidates skb->head (kprobes). */
	u8 inv_head;
	/* Tracking: never start tracking a new skb here. */
	u8 no_tracking;
	/* RETIS_PROBE_TYPE_* of the probe, as set by core. */
	u8 probe_type;
	/*
	 * The probe only serves tracking (e.g. a free tracepoint the user did
	 * not ask for): no filtering, no event, no hook; tracking ends there.
	 */
	u8 tracking_only;
	/* Arguments the probed function or tracepoint has (BTF): bounds
	 * ctx->num, whatever the program could read. */
	u8 nargs;
};

/* Tracking state of the probe's skb, as computed by core tracking. */
struct retis_tracking_ctx {
	/* skb->head when the skb was first seen. */
	u64 orig_head;
	/* Time (bpf_ktime_get_ns) of that first sighting. */
	u64 timestamp;
	/* 1 when the skb is tracked: orig_head and timestamp are valid. */
	u8 tracked;
	u8 pad[7];
};

struct retis_context {
	/* Probe id chosen by core, non-zero (config_map key); Retis uses the
	 * symbol address. */
	u64 ksym;
	/* bpf_ktime_get_ns() of this event (common section timestamp). */
	u64 timestamp;
	/* Raw arguments of the probed function or tracepoint; num are valid. */
	u64 args[RETIS_MAX_ARGS];
	/* Return value, for return probes only. */
	u64 retval;
	/* Kernel objects found in the arguments, 0 when absent. */
	u64 skb;		/* struct sk_buff * */
	u64 net_device;		/* struct net_device * */
	u64 net;		/* struct net * */
	struct retis_tracking_ctx tracking;
	struct retis_probe_offsets offsets;
	u32 num;
	/* RETIS_F_* flags the filters gave this event. */
	u32 filters_ret;
	/* RETIS_PROBE_TYPE_* */
	u8 probe_type;
	/* RETIS_LOG_* level the probe was loaded with. */
	u8 log_level;
	/* skb_snap_map index of the skb's snapshot plus one, 0 when none
	 * (retis_skb_snapshot.h). */
	u8 skb_snap;
	u8 pad[5];
};

/* Raw argument `idx`, or 0 when it is out of range (e.g. an offset of -1). */
static __always_inline u64 retis_get_arg(const struct retis_context *ctx, s32 idx)
{
	if (idx < 0 || idx >= RETIS_MAX_ARGS || (u32)idx >= ctx->num)
		return 0;
	return ctx->args[idx];
}

static __always_inline struct sk_buff *retis_get_sk_buff(const struct retis_context *ctx)
{
	return (struct sk_buff *)ctx->skb;
}

static __always_inline struct net_device *retis_get_net_device(const struct retis_context *ctx)
{
	return (struct net_device *)ctx->net_device;
}

static __always_inline struct net *retis_get_net(const struct retis_context *ctx)
{
	return (struct net *)ctx->net;
}

static __always_inline bool retis_filters_passed(const struct retis_context *ctx,
						 u32 mode, u32 flags)
{
	if (mode == F_OR)
		return ctx->filters_ret & flags;
	return (ctx->filters_ret & flags) == flags;
}

#endif /* __RETIS_CONTEXT_H__ */
