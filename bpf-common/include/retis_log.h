/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Debug messages to the kernel trace pipe (bpftool prog tracelog), emitted
 * only when the probe was loaded with a high enough log_level. Nothing on the
 * event path depends on them: lost events are counted, not logged.
 */
#ifndef __RETIS_LOG_H__
#define __RETIS_LOG_H__

#include "retis_common_defs.h"

/* `current` is the level the probe runs with: the log_level rodata in a
 * probe, ctx->log_level in a hook. */
#define retis_log(current, level, fmt, ...)				\
	do {								\
		if ((current) >= (level))				\
			bpf_printk("retis: " fmt, ##__VA_ARGS__);	\
	} while (0)

#endif /* __RETIS_LOG_H__ */
