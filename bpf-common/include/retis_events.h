/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The raw event wire format (docs/wire-format.md): a u16 size followed by
 * sections, each a {u8 owner; u8 data_type; u16 size} header and its payload,
 * in native endianness. This is the only definition on the BPF side.
 */
#ifndef __RETIS_EVENTS_H__
#define __RETIS_EVENTS_H__

#include "retis_common_defs.h"

/* Whole record, size field included. */
#define RETIS_EVENT_MAX_SIZE	2048
#define RETIS_EVENT_DATA_MAX	(RETIS_EVENT_MAX_SIZE - 2)

struct retis_raw_event {
	/* Bytes used in data. */
	u16 size;
	u8 data[RETIS_EVENT_DATA_MAX];
};

/* Packed: sections follow each other with no alignment. */
struct retis_raw_event_section_header {
	u8 owner;
	u8 data_type;
	u16 size;
} __attribute__((packed));

_Static_assert(sizeof(struct retis_raw_event) == RETIS_EVENT_MAX_SIZE,
	       "retis_raw_event must be exactly RETIS_EVENT_MAX_SIZE bytes");
_Static_assert(sizeof(struct retis_raw_event_section_header) == 4,
	       "section headers are 4 bytes");

/*
 * Appends a section header to the event and returns a pointer to its payload
 * of `size` bytes, or NULL when the event has no room left (the section is
 * then simply missing from the event). The payload is not initialized.
 */
static __always_inline void *get_event_section(struct retis_raw_event *event,
					       u8 owner, u8 data_type, u16 size)
{
	struct retis_raw_event_section_header *header;
	u64 needed = sizeof(*header) + size;
	/* 64-bit: a 32-bit copy would be bounds-checked instead of the
	 * register used for the pointer arithmetic. */
	u64 used;

	if (!event || needed > RETIS_EVENT_DATA_MAX)
		return NULL;

	used = event->size;
	/* Written so that the verifier learns used + needed <= DATA_MAX. */
	if (used > RETIS_EVENT_DATA_MAX - needed)
		return NULL;

	header = (void *)&event->data[used];
	header->owner = owner;
	header->data_type = data_type;
	header->size = size;
	event->size = used + needed;

	return &event->data[used + sizeof(*header)];
}

/*
 * Shrinks the section most recently added to the event (payload as returned
 * by get_event_section with `size`) to its first `used` bytes, for sections
 * whose tail may go unused (a packet capture shorter than its room). The
 * room is reserved at full size first so that the verifier knows the bounds
 * of what is written into it.
 */
static __always_inline void retis_event_section_trim(struct retis_raw_event *event,
						     void *payload, u16 size, u16 used)
{
	struct retis_raw_event_section_header *header;

	if (used >= size)
		return;
	header = payload - sizeof(*header);
	header->size = used;
	event->size -= size - used;
}

/* Same as get_event_section, with the payload zeroed (size must be a
 * compile-time constant for the memset to be inlined). */
#define get_event_zsection(event, owner, data_type, size)		\
	({								\
		void *__section = get_event_section(event, owner,	\
						    data_type, size);	\
		if (__section)						\
			__builtin_memset(__section, 0, size);		\
		__section;						\
	})

#endif /* __RETIS_EVENTS_H__ */
