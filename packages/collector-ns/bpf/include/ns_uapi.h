/* SPDX-License-Identifier: GPL-2.0-only */
/* Section of the ns collector, shared with its TypeScript decoder. */
#ifndef __NS_UAPI_H__
#define __NS_UAPI_H__

#include "retis_common_defs.h"

#define NS_SECTION		0

struct ns_event {
	/* net->net_cookie, 0 on kernels without it. */
	u64 cookie;
	/* Inode number of the network namespace. */
	u32 inum;
	u32 pad;
};

#endif /* __NS_UAPI_H__ */
