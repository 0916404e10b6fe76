// SPDX-License-Identifier: GPL-2.0-only
/*
 * Empty programs on the tracepoints a filtered collection attaches to: what
 * the kernel costs to run any raw tracepoint program there, the floor no
 * tracer built on them can go under (bench/collect-overhead.js, mode floor).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("raw_tp")
int floor_tp(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
