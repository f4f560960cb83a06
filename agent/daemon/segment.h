/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The daemon's in-memory segment: the records of one device over one slot
 * of a grid of span_ns starting at the first record ever seen, in a buffer
 * allocated once for span / period records plus a margin and reused for
 * every segment -- capture memory is bounded whatever the device does.
 * Its pages go back to the kernel after each write (MADV_DONTNEED), so it
 * is resident only as far as the current segment has filled it.
 *
 * A record beyond the slot (or one that does not fit: a period shorter
 * than the buffer was sized for) closes the segment: segment__add() says
 * so without taking the record, the caller writes the segment out
 * (segment__write()), calls segment__reset() and offers the record again.
 *
 * Lost records: the trace header's lost field must explain every sequence
 * gap inside the trace, or rail-tamper would call the gap forged.  The
 * kernel's ring counter is cumulative and knows nothing of segments, and a
 * drop is counted before the gap it leaves shows up in a later drain, so a
 * segment declares every drop the kernel reported that earlier segments'
 * gaps do not already account for (an upper bound, as `record` gives).
 *
 * Single-threaded: the daemon's loop owns it.
 */
#ifndef PL_SEGMENT_H
#define PL_SEGMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/trace.h"
#include "evidence/keys.h"
#include "lib/util.h"

/* Buffer bounds: 2^21 records are 256 MiB; by default 8 MiB (65536 records, 65 s at 1 kHz). */
#define SEGMENT_MAX_RECORDS	(1u << 21)
#define SEGMENT_DEFAULT_RECORDS (1u << 16)

/* Records a budget of @bytes holds (rund_cfg.segment_bytes; 0: the default). */
static inline size_t segment_budget_records(uint64_t bytes)
{
	return bytes ? bytes / sizeof(struct pl_sample) : SEGMENT_DEFAULT_RECORDS;
}

struct segment {
	struct trace t; /* t.s: the buffer (cap records), t.n used; t.info: identity */
	size_t cap;
	uint64_t want; /* records a whole segment takes: above cap, segments are cut */
	size_t bytes; /* of the buffer's mapping */
	uint64_t span_ns;
	bool have_origin;
	uint64_t origin_ns; /* grid origin: ts_ns of the first record accepted */
	uint64_t start_ns;  /* current slot [start_ns, end_ns) */
	uint64_t end_ns;
	bool have_dev; /* dev_id fixed (given, or the first record's) */
	bool have_seq;
	uint64_t last_seq;     /* last record accepted, this segment or an earlier one */
	uint64_t gaps;	       /* sequence gaps of this segment, the one before its first record included */
	uint64_t gaps_written; /* gaps of the segments written so far */
	uint64_t skipped;      /* records of other devices */
	uint64_t late;	       /* records older than the current slot: dropped */
	uint64_t reordered;    /* records inserted out of arrival order */
	bool cut;	       /* this segment closed early: its buffer filled up */
};

enum segment_add {
	SEG_ADDED,
	SEG_SKIPPED, /* another device's, or late */
	SEG_CLOSE,   /* not taken: write the segment out, reset, offer it again */
};

/* segment.c APIs: */

/*
 * Allocates the buffer for span_ns / period_ns records plus 5 % and 64, at
 * most max_records (64 .. SEGMENT_MAX_RECORDS, else -ERANGE; -ENOMEM):
 * when a segment needs more (g->want > g->cap), it is cut when the buffer
 * fills and the next one continues the same slot.  The identity strings go
 * into every trace header; dev_id is fixed when have_dev.
 */
int segment__init(struct segment *g, uint64_t span_ns, uint64_t period_ns, uint8_t source, uint32_t dev_id,
		  bool have_dev, const char *mfr_id, const char *mfr_model, const char *mfr_serial, const char *host,
		  size_t max_records, struct plerr *e);
void segment__free(struct segment *g);

enum segment_add segment__add(struct segment *g, const struct pl_sample *s);
/* Has the slot ended by now_ns (with slack for records still in flight)? */
bool segment__due(const struct segment *g, uint64_t now_ns);

/*
 * Writes the segment as the trace dir/name (atomically: temporary file,
 * fsync, rename, fsync of dir) and its reader-signed Trace statement as
 * dir/name.dsse.json; kernel_lost is the source's cumulative lost counter
 * and period_ns the period to declare.  Paths written go to trace_path and
 * env_path.  -errno with e set; the segment is left as it was.
 */
int segment__write(struct segment *g, const char *dir, const char *name, uint64_t kernel_lost, uint64_t period_ns,
		   const struct pl_seckey *reader, char *trace_path, size_t trace_len, char *env_path, size_t env_len,
		   struct plerr *e);
/* Starts the next segment in the same buffer. */
void segment__reset(struct segment *g);

#endif /* PL_SEGMENT_H */
