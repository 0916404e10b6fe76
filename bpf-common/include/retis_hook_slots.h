/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Hook slots of a generic probe program (docs/bpf-hooks.md).
 *
 * Each slot is a __weak global function that does nothing. Linking a hook
 * object whose strong function bears the slot's name replaces it; a slot is
 * called only when core gave it an owner id (hook_owner[N] != 0), which the
 * verifier knows from the frozen rodata, so unused slots cost nothing.
 * Included by probe programs only.
 */
#ifndef __RETIS_HOOK_SLOTS_H__
#define __RETIS_HOOK_SLOTS_H__

#include "retis_common_defs.h"
#include "retis_hook.h"

#define RETIS_HOOK_MAX	10

/* Section owner id per slot, 0 for an empty slot. Set by core before load. */
const volatile u8 hook_owner[RETIS_HOOK_MAX] = {};

#define RETIS_HOOK_SLOT(n)						\
	__weak __noinline int retis_hook_slot##n(RETIS_HOOK_ARGS)	\
	{								\
		return 0;						\
	}

RETIS_HOOK_SLOT(0)
RETIS_HOOK_SLOT(1)
RETIS_HOOK_SLOT(2)
RETIS_HOOK_SLOT(3)
RETIS_HOOK_SLOT(4)
RETIS_HOOK_SLOT(5)
RETIS_HOOK_SLOT(6)
RETIS_HOOK_SLOT(7)
RETIS_HOOK_SLOT(8)
RETIS_HOOK_SLOT(9)

#define __RETIS_CALL_SLOT(n)						\
	if (hook_owner[n] &&						\
	    retis_hook_slot##n(ctx, event, hook_owner[n]) == -RETIS_ENOMSG) \
		return -RETIS_ENOMSG;

/* Runs the hooks in slot order; -RETIS_ENOMSG when one discards the event. */
static __always_inline int retis_call_hooks(struct retis_context *ctx,
					    struct retis_raw_event *event)
{
	__RETIS_CALL_SLOT(0)
	__RETIS_CALL_SLOT(1)
	__RETIS_CALL_SLOT(2)
	__RETIS_CALL_SLOT(3)
	__RETIS_CALL_SLOT(4)
	__RETIS_CALL_SLOT(5)
	__RETIS_CALL_SLOT(6)
	__RETIS_CALL_SLOT(7)
	__RETIS_CALL_SLOT(8)
	__RETIS_CALL_SLOT(9)
	return 0;
}

#endif /* __RETIS_HOOK_SLOTS_H__ */
