/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Base definitions every retis BPF object includes: kernel types, libbpf
 * helpers and the few constants shared by the wire format and the hooks.
 *
 * Rule for every header under bpf-common/include: no strong global
 * definition. Helpers are static __always_inline and shared maps are __weak,
 * so that a probe object and any number of hook objects can be statically
 * linked together (bpftool gen object) with exactly one copy of each map.
 */
#ifndef __RETIS_COMMON_DEFS_H__
#define __RETIS_COMMON_DEFS_H__

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

/* vmlinux.h carries no errno values. A hook returns -RETIS_ENOMSG to discard
 * the whole event. */
#define RETIS_ENOMSG 42

/* Owner ids of the sections written by core (reference FactoryId). Collector
 * owner ids are assigned at collect time and handed to each hook. */
#define RETIS_OWNER_COMMON	1
#define RETIS_OWNER_KERNEL	2
#define RETIS_OWNER_USERSPACE	3

/* Probe types, as reported in the kernel section. 0-2 are the reference's;
 * fentry and fexit are this tool's additions. */
#define RETIS_PROBE_TYPE_KPROBE		0
#define RETIS_PROBE_TYPE_KRETPROBE	1
#define RETIS_PROBE_TYPE_RAW_TRACEPOINT	2
#define RETIS_PROBE_TYPE_FENTRY		3
#define RETIS_PROBE_TYPE_FEXIT		4

/* Log levels, compared with the probe's log_level rodata. */
#define RETIS_LOG_ERROR	1
#define RETIS_LOG_WARN	2
#define RETIS_LOG_INFO	3
#define RETIS_LOG_DEBUG	4

/*
 * clang only emits BTF for the types reachable from functions, globals and
 * CO-RE relocations; a section struct that is only written through a local
 * pointer would be missing. Userspace decoders are checked against the BTF of
 * the built objects, so each exported struct gets an unused static function
 * taking it: a one-instruction subprogram libbpf never loads.
 */
#define RETIS_BTF_EXPORT(type)						\
	__attribute__((used)) static void __retis_btf_##type(struct type *p) \
	{								\
		(void)p;						\
	}

#endif /* __RETIS_COMMON_DEFS_H__ */
