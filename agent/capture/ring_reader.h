/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Consumer side of the /dev/powerledger rings (uapi/linux/powerledger.h,
 * "mmap layout"), independent of how the region got mapped: record.c maps
 * the device, the unit test hands in a fake region built in memory.
 *
 * Single consumer: only the thread that drains moves the tails.  For each
 * ring: head = load-acquire(prod->head) (pairs with the kernel's
 * store-release: records up to head are visible), copy records tail ..
 * head - 1 out, then store-release(cons->tail, head) (the kernel's
 * load-acquire of tail then knows we are done with those slots).
 */
#ifndef PL_RING_READER_H
#define PL_RING_READER_H

#include <stddef.h>
#include <stdint.h>

#include <linux/powerledger.h>

#include "lib/util.h"

#define RING_READER_MAX_RINGS 4096

struct ring_reader {
	const uint8_t *ro; /* whole region, read-only view */
	size_t ro_len;
	struct pl_ring_cons *cons; /* consumer part, writable view */
	const struct pl_ring_prod *prod;
	const uint8_t *data;
	uint32_t nr_rings, slots, record_size;
	uint64_t ring_size;
	uint64_t bad_records; /* wrong version: skipped */
	uint64_t resyncs;     /* rings whose head/tail made no sense: tail reset to head */
};

/* ring_reader.c APIs: */

/*
 * Checks the layout the kernel advertises (meta magic, ABI version, record
 * size, power-of-two slots, every offset and ring inside the mapping, the
 * meta agreeing with pl_info) and sets up r.  cons points at the writable
 * mapping of [info->cons_offset, info->data_offset).  -EPROTO with e set
 * when anything disagrees.
 */
int ring_reader__init(struct ring_reader *r, const void *ro, size_t ro_len, void *cons, const struct pl_info *info,
		      struct plerr *e);

/*
 * Moves every record waiting in every ring to out (appended), sorted by
 * (dev_id, seq) so records a migrating sampler left in different CPUs'
 * rings come out in order.  Returns the number of records moved, or
 * -ENOMEM (then nothing was consumed).
 */
long ring_reader__drain(struct ring_reader *r, struct pl_sample **out, size_t *n, size_t *cap);

/* Sum of the kernel's per-ring lost counters. */
uint64_t ring_reader__lost(const struct ring_reader *r);

#endif /* PL_RING_READER_H */
