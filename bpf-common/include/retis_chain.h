/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The body shared by every generic probe program (reference §7.4, chain()).
 * A probe program fills the raw arguments and the probe identity of a
 * retis_context, then calls retis_chain(); a program that has something to
 * save while the probe is idle looks up the probe first (retis_probe_active)
 * and calls retis_chain_cfg():
 *
 *   active? -> config_map[ksym] -> context from the arguments -> filters and
 *   core skb tracking -> common, task and kernel sections -> hooks -> send
 *   if the hooks added bytes -> end of tracking.
 *
 * Nothing here depends on the probe kind. Included by probe programs only.
 */
#ifndef __RETIS_CHAIN_H__
#define __RETIS_CHAIN_H__

#include "retis_common_defs.h"
#include "retis_context.h"
#include "retis_core_maps.h"
#include "retis_core_uapi.h"
#include "retis_events.h"
#include "retis_filters.h"
#include "retis_hook_slots.h"
#include "retis_log.h"
#include "retis_skb.h"
#include "retis_skb_snapshot.h"
#include "retis_tracking.h"

/* RETIS_LOG_* level; set by core before load. */
const volatile u8 log_level = 0;

RETIS_BTF_EXPORT(common_event)
RETIS_BTF_EXPORT(common_task_event)
RETIS_BTF_EXPORT(kernel_event)
RETIS_BTF_EXPORT(kernel_retval_event)
RETIS_BTF_EXPORT(retis_raw_event_section_header)

/* Counts an event that could not be delivered, so that no loss is silent. */
static __always_inline void retis_count_lost(u64 ksym)
{
	struct retis_counters_key key = { .ksym = ksym };
	struct retis_counters init = { .dropped_events = 1 };
	struct retis_counters *counters;

	counters = bpf_map_lookup_elem(&counters_map, &key);
	if (!counters) {
		if (!bpf_map_update_elem(&counters_map, &key, &init, BPF_NOEXIST))
			return;
		/* Another CPU created it meanwhile. */
		counters = bpf_map_lookup_elem(&counters_map, &key);
		if (!counters)
			return;
	}
	__sync_fetch_and_add(&counters->dropped_events, 1);
}

/*
 * Takes this CPU's next free scratch event, NULL when all are in use. *depth
 * is set when a buffer was taken and must then be given back with
 * retis_scratch_put(); *idx is its index, shared by the skb snapshot.
 */
static __always_inline struct retis_raw_event *retis_scratch_get(u32 **depth, u32 *idx)
{
	u32 zero = 0;
	u32 *in_use;

	*depth = NULL;
	in_use = bpf_map_lookup_elem(&event_scratch_depth, &zero);
	if (!in_use)
		return NULL;
	*idx = *in_use;
	if (*idx >= RETIS_SCRATCH_DEPTH)
		return NULL;
	*in_use = *idx + 1;
	*depth = in_use;
	return bpf_map_lookup_elem(&event_scratch_map, idx);
}

static __always_inline void retis_scratch_put(u32 *depth)
{
	if (*depth)
		*depth -= 1;
}

/*
 * The config of the probe with this id, or NULL when it has nothing to do:
 * the collection is not enabled, there is no such probe, or the probe only
 * serves tracking and no skb is tracked. The latter is every free of a busy
 * machine traced with a filter that matches little: probes ask before they
 * build their context, and such a free then costs three table loads.
 */
static __always_inline const struct retis_probe_config *retis_probe_active(u64 id)
{
	const struct retis_probe_config *cfg;
	struct retis_global_config *global;
	u32 zero = 0, key = id;

	global = bpf_map_lookup_elem(&global_config_map, &zero);
	if (!global || !global->enabled)
		return NULL;
	cfg = bpf_map_lookup_elem(&config_map, &key);
	if (!cfg || (cfg->tracking_only && !retis_tracking_any()))
		return NULL;
	return cfg;
}

/*
 * Raw tracepoint arguments: the program loaded the first `loaded` from its
 * context; the others, up to the probe's own count (ctx->num), are still at
 * args_src. One bpf_probe_read_kernel copies exactly those.
 */
static __always_inline void retis_read_more_args(struct retis_context *ctx,
						 const void *args_src, u32 loaded)
{
	u32 n = ctx->num;

	if (n > loaded && n <= RETIS_MAX_ARGS)
		bpf_probe_read_kernel(&ctx->args[loaded], (n - loaded) * sizeof(u64),
				      (const u64 *)args_src + loaded);
}

/*
 * args_src, when not NULL, is where a raw tracepoint's arguments still are
 * (see retis_read_more_args). Returns true when reading them was deferred:
 * the skb is among the loaded ones, and the others are only needed once the
 * event is certain (retis_complete_context); a filtered-out packet never
 * pays for them.
 */
static __always_inline bool retis_fill_context(struct retis_context *ctx,
					       const struct retis_probe_config *cfg,
					       const void *args_src, u32 loaded)
{
	bool deferred = false;

	ctx->offsets = cfg->offsets;
	ctx->log_level = log_level;
	if (args_src) {
		ctx->num = cfg->nargs < RETIS_MAX_ARGS ? cfg->nargs : RETIS_MAX_ARGS;
		deferred = cfg->offsets.sk_buff >= 0 && cfg->offsets.sk_buff < (s32)loaded &&
			   !cfg->partial_free;
		if (!deferred)
			retis_read_more_args(ctx, args_src, loaded);
	} else if (cfg->nargs < ctx->num) {
		ctx->num = cfg->nargs;
	}
	ctx->skb = retis_get_arg(ctx, cfg->offsets.sk_buff);
	return deferred;
}

/* The arguments left to read, and the objects found in them. */
static __always_inline void retis_complete_context(struct retis_context *ctx,
						   const struct retis_probe_config *cfg,
						   const void *args_src, u32 loaded,
						   bool deferred)
{
	if (deferred)
		retis_read_more_args(ctx, args_src, loaded);
	ctx->net_device = retis_get_arg(ctx, cfg->offsets.net_device);
	ctx->net = retis_get_arg(ctx, cfg->offsets.net);
}

/* Common (owner 1) and kernel (owner 2) sections. */
static __always_inline void retis_write_core_sections(void *prog_ctx,
						      struct retis_context *ctx,
						      const struct retis_probe_config *cfg,
						      struct retis_raw_event *event)
{
	struct common_task_event *task;
	struct common_event *common;
	struct kernel_event *kernel;

	common = get_event_section(event, RETIS_OWNER_COMMON, COMMON_SECTION_CORE,
				   sizeof(*common));
	if (common) {
		common->timestamp = ctx->timestamp;
		common->smp_id = bpf_get_smp_processor_id();
		common->pad = 0;
	}

	task = get_event_section(event, RETIS_OWNER_COMMON, COMMON_SECTION_TASK,
				 sizeof(*task));
	if (task) {
		task->pid_tgid = bpf_get_current_pid_tgid();
		bpf_get_current_comm(task->comm, sizeof(task->comm));
	}

	kernel = get_event_section(event, RETIS_OWNER_KERNEL, KERNEL_SECTION_CORE,
				   sizeof(*kernel));
	if (kernel) {
		kernel->symbol = ctx->ksym;
		kernel->stack_id = cfg->stack_trace ?
			bpf_get_stackid(prog_ctx, &stack_map, BPF_F_FAST_STACK_CMP) : -1;
		kernel->type = ctx->probe_type;
		__builtin_memset(kernel->pad, 0, sizeof(kernel->pad));
	}

	if (ctx->probe_type == RETIS_PROBE_TYPE_KRETPROBE ||
	    ctx->probe_type == RETIS_PROBE_TYPE_FEXIT) {
		struct kernel_retval_event *ret;

		ret = get_event_section(event, RETIS_OWNER_KERNEL, KERNEL_SECTION_RETVAL,
					sizeof(*ret));
		if (ret)
			ret->retval = ctx->retval;
	}
}

/*
 * The reader is woken up once per this much data produced while it is not
 * keeping up: a wakeup per event costs an irq_work (a self-IPI, a VM exit on
 * a guest) on the packet path and a reader wakeup per record. Power of two.
 * The reader also polls on a short period, so a lone event is not held long.
 */
#define RETIS_WAKEUP_BYTES	(256 * 1024)

/*
 * Wakes the reader only when the data waiting crosses a multiple of
 * RETIS_WAKEUP_BYTES: once per 256 KiB, however far behind the reader is.
 * Waking on every event above a threshold would send an IPI per event for as
 * long as the reader takes to wake up. Producers on other CPUs race on the
 * query; a crossing missed that way is followed by the next one 256 KiB later.
 */
static __always_inline u64 retis_wakeup_flags(u32 size)
{
	u64 avail = bpf_ringbuf_query(&events_map, BPF_RB_AVAIL_DATA);

	return (avail / RETIS_WAKEUP_BYTES) != ((avail + size) / RETIS_WAKEUP_BYTES) ?
		BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

/* Copies the event to the ring buffer at its exact size. */
static __always_inline void retis_send_event(struct retis_context *ctx,
					     struct retis_raw_event *event)
{
	u32 size = event->size + sizeof(event->size);

	/* Never true (get_event_section keeps the bound); tells the verifier. */
	if (size > sizeof(*event))
		return;
	if (bpf_ringbuf_output(&events_map, event, size, retis_wakeup_flags(size))) {
		retis_log(log_level, RETIS_LOG_DEBUG, "ring buffer full, event of %llx lost", ctx->ksym);
		retis_count_lost(ctx->ksym);
	}
}

/*
 * prog_ctx is the program's own context (needed by bpf_get_stackid); cfg is
 * the probe's, from retis_probe_active(); ctx has ksym and probe_type set,
 * and the arguments: all of them (num) when args_src is NULL, else the first
 * `loaded`, the others being at args_src.
 */
static __always_inline int retis_chain_cfg(void *prog_ctx, struct retis_context *ctx,
					   const struct retis_probe_config *cfg,
					   const void *args_src, u32 loaded)
{
	struct retis_tracking_lookup tracking = {};
	const struct sk_buff *snap = NULL;
	struct retis_raw_event *event;
	struct retis_skb_headers h;
	struct sk_buff *skb;
	bool deferred;
	u16 core_size;
	u32 *depth;
	u32 idx;
	int ret;

	deferred = retis_fill_context(ctx, cfg, args_src, loaded);

	skb = retis_get_sk_buff(ctx);
	if (cfg->tracking_only) {
		if (skb)
			retis_track_skb_only(ctx, cfg, skb);
		return 0;
	}

	/* Taken before filtering: the skb snapshot uses the same index. */
	event = retis_scratch_get(&depth, &idx);
	if (!event) {
		retis_log(log_level, RETIS_LOG_DEBUG, "no scratch event left, event of %llx lost", ctx->ksym);
		retis_count_lost(ctx->ksym);
		goto release;
	}

	if (skb) {
		snap = retis_skb_snapshot_take(ctx, skb, idx);
		/* Not a readable sk_buff: nothing to filter, track or report. */
		if (!snap)
			goto release;

		retis_tracking_lookup(skb, snap, &tracking);
		if (tracking.found) {
			ctx->filters_ret = RETIS_ALL_FILTERS;
		} else {
			retis_skb_read_headers(skb, snap, &h);
			ctx->filters_ret = retis_filter_skb(skb, snap, &h);
		}

		/*
		 * An skb that did not pass the filters and is not tracked is
		 * never reported (the hooks that run regardless of filters
		 * only report tracked skbs): skip building its event. A
		 * filtered-out packet then costs the filters and the tracking
		 * lookup, not even a clock read.
		 */
		if (ctx->filters_ret != RETIS_ALL_FILTERS)
			goto release;
	}

	if (skb && !retis_skb_snapshot_complete(snap, skb))
		goto release;
	retis_complete_context(ctx, cfg, args_src, loaded, deferred);
	/* Read once the event is certain: the common section and tracking
	 * share it. */
	ctx->timestamp = bpf_ktime_get_ns();
	if (skb)
		retis_track_skb_start(ctx, &tracking,
				      !cfg->no_tracking &&
				      ctx->probe_type != RETIS_PROBE_TYPE_KRETPROBE &&
				      ctx->probe_type != RETIS_PROBE_TYPE_FEXIT,
				      cfg->inv_head);

	event->size = 0;
	retis_write_core_sections(prog_ctx, ctx, cfg, event);
	core_size = event->size;

	ret = retis_call_hooks(ctx, event);
	if (ret != -RETIS_ENOMSG && event->size > core_size)
		retis_send_event(ctx, event);

	if (skb)
		retis_track_skb_end(ctx, cfg, snap, &tracking);
release:
	if (depth)
		retis_scratch_put(depth);
	return 0;
}

/* The arguments are already in ctx->args (ctx->num of them). */
static __always_inline int retis_chain(void *prog_ctx, struct retis_context *ctx)
{
	const struct retis_probe_config *cfg = retis_probe_active(ctx->ksym);

	return cfg ? retis_chain_cfg(prog_ctx, ctx, cfg, NULL, 0) : 0;
}

#endif /* __RETIS_CHAIN_H__ */
