/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Sections written by the generic probe programs (owners 1 and 2). Layouts
 * are naturally aligned with explicit padding; the TypeScript decoders are
 * checked against the BTF of the built probe objects.
 */
#ifndef __RETIS_CORE_UAPI_H__
#define __RETIS_CORE_UAPI_H__

#include "retis_common_defs.h"

/* Owner RETIS_OWNER_COMMON */
#define COMMON_SECTION_CORE	0
#define COMMON_SECTION_TASK	1
/* Owner RETIS_OWNER_KERNEL */
#define KERNEL_SECTION_CORE	0
/* Return probes only (kretprobe, fexit): the function's return value. */
#define KERNEL_SECTION_RETVAL	1

#define RETIS_COMM_LEN	64

struct common_event {
	/* bpf_ktime_get_ns(): CLOCK_MONOTONIC. */
	u64 timestamp;
	u32 smp_id;
	u32 pad;
};

struct common_task_event {
	/* pid (thread id) in the low 32 bits, tgid in the high 32 bits. */
	u64 pid_tgid;
	char comm[RETIS_COMM_LEN];
};

struct kernel_event {
	/* Probe id (retis_context.ksym). */
	u64 symbol;
	/* stack_map id, or negative when no stack was collected. */
	s64 stack_id;
	/* RETIS_PROBE_TYPE_* */
	u8 type;
	u8 pad[7];
};

/*
 * The raw return value (the return register, or fexit's last context slot).
 * Userspace knows the function's BTF return type and decodes it; void
 * functions get one too, which userspace ignores.
 */
struct kernel_retval_event {
	u64 retval;
};

_Static_assert(sizeof(struct common_event) == 16, "common_event layout");
_Static_assert(sizeof(struct common_task_event) == 72, "common_task_event layout");
_Static_assert(sizeof(struct kernel_event) == 24, "kernel_event layout");
_Static_assert(sizeof(struct kernel_retval_event) == 8, "kernel_retval_event layout");

#endif /* __RETIS_CORE_UAPI_H__ */
