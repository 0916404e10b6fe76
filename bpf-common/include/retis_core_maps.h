/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Maps of the generic probe programs. All __weak: a hook that needs one
 * includes this header and the static linker keeps a single copy.
 */
#ifndef __RETIS_CORE_MAPS_H__
#define __RETIS_CORE_MAPS_H__

#include "retis_common_defs.h"
#include "retis_context.h"
#include "retis_events.h"

/* config_map capacity: probes per collection. */
#define RETIS_PROBE_MAX		1024
/* Ring buffer: 8192 events of the maximum size. */
#define RETIS_EVENTS_MAP_SIZE	(RETIS_EVENT_MAX_SIZE * 8192)
/* stack_map geometry. */
#define RETIS_STACK_MAX		256
#define RETIS_STACK_DEPTH	127
/*
 * Scratch events per CPU. A probe can be interrupted on its CPU by another
 * probe (softirq over task, hardirq over softirq, NMI), each needing its own
 * buffer while the interrupted one is half written.
 */
#define RETIS_SCRATCH_DEPTH	4

struct retis_global_config {
	/* Set by core once every probe is attached; nothing runs before. */
	u8 enabled;
};

struct retis_counters_key {
	/* Probe id (retis_context.ksym). */
	u64 ksym;
	/* Process id for userspace probes, 0 for kernel probes. */
	u32 pid;
	u32 pad;
};

struct retis_counters {
	/* Events the ring buffer (or the scratch buffers) could not take. */
	u64 dropped_events;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct retis_global_config);
} global_config_map SEC(".maps") __weak;

/* Indexed by the probe id (ids are small and dense): an array lookup is
 * inlined by the verifier, a hash lookup is a call and a hash per event. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, RETIS_PROBE_MAX);
	__type(key, u32);
	__type(value, struct retis_probe_config);
} config_map SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, RETIS_EVENTS_MAP_SIZE);
} events_map SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, RETIS_PROBE_MAX);
	__type(key, struct retis_counters_key);
	__type(value, struct retis_counters);
} counters_map SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, RETIS_STACK_MAX);
	__uint(key_size, sizeof(u32));
	__uint(value_size, RETIS_STACK_DEPTH * sizeof(u64));
} stack_map SEC(".maps") __weak;

/* Events are built here, then copied to events_map at their exact size. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, RETIS_SCRATCH_DEPTH);
	__type(key, u32);
	__type(value, struct retis_raw_event);
} event_scratch_map SEC(".maps") __weak;

/* Scratch buffers in use on this CPU (nesting depth). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u32);
} event_scratch_depth SEC(".maps") __weak;

#endif /* __RETIS_CORE_MAPS_H__ */
