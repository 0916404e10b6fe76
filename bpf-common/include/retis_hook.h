/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What a collector hook source includes (docs/bpf-hooks.md).
 *
 * A hook object defines exactly one hook with DEFINE_HOOK or DEFINE_HOOK_RAW.
 * The macro emits a strong global function named retis_hook_slotX; when the
 * hook is enabled, core renames it to retis_hook_slot<N> in a copy of the
 * object and statically links it with a generic probe object, where it
 * replaces the __weak placeholder of slot N.
 */
#ifndef __RETIS_HOOK_H__
#define __RETIS_HOOK_H__

#include "retis_common_defs.h"
#include "retis_context.h"
#include "retis_events.h"

/* Signature shared by the placeholders and the hooks. `owner` is the section
 * owner id the hook must use (get_event_section). */
#define RETIS_HOOK_ARGS							\
	struct retis_context *ctx, struct retis_raw_event *event, u8 owner

#define __RETIS_DEFINE_HOOK(should_run, ...)				\
	static __always_inline int __retis_hook_body(RETIS_HOOK_ARGS);	\
									\
	__noinline int retis_hook_slotX(RETIS_HOOK_ARGS)		\
	{								\
		/* Global function arguments may be NULL for the	\
		 * verifier. */						\
		if (!ctx || !event)					\
			return 0;					\
		if (!(should_run))					\
			return 0;					\
		return __retis_hook_body(ctx, event, owner);		\
	}								\
									\
	static __always_inline int __retis_hook_body(RETIS_HOOK_ARGS)	\
	{								\
		__VA_ARGS__						\
	}

/*
 * DEFINE_HOOK(mode, flags, statements...): the statements run only when the
 * filters passed: all of `flags` (F_AND) or any of them (F_OR). They see
 * `ctx`, `event` and `owner`, and must end with a return: 0 to continue,
 * -RETIS_ENOMSG to discard the whole event.
 */
#define DEFINE_HOOK(mode, flags, ...)					\
	__RETIS_DEFINE_HOOK(retis_filters_passed(ctx, mode, flags), __VA_ARGS__)

/* DEFINE_HOOK_RAW(statements...): the statements run whatever the filters
 * said; they decide themselves (e.g. ctx->tracking.tracked). */
#define DEFINE_HOOK_RAW(...)						\
	__RETIS_DEFINE_HOOK(1, __VA_ARGS__)

#endif /* __RETIS_HOOK_H__ */
