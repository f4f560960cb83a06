/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Where `powerledger run` gets its samples: a source hands out records in
 * (dev_id, seq) order, exposes one file descriptor the daemon waits on with
 * epoll, and tells the time on the records' clock.
 *
 *   source_dev.c    /dev/powerledger: the kernel's mmap rings, drained with
 *                   ring_reader.c; the fd is the device (poll watermark).
 *   source_synth.c  synth.c's deterministic workloads, for tests and
 *                   benchmarks: in real time (records appear at their
 *                   timestamps on CLOCK_MONOTONIC, the fd is a timerfd), or
 *                   fast (a virtual clock advanced by each drain, the fd is
 *                   always readable) so a test plays minutes in a second.
 *
 * Single consumer: one thread calls every function of one source.
 */
#ifndef PL_SOURCE_H
#define PL_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/powerledger.h>

#include "capture/synth.h"
#include "capture/trace.h"
#include "lib/util.h"

struct source;

struct source_stats {
	uint64_t lost;	      /* records the producer dropped on full rings, since open */
	uint64_t overruns;    /* sampling periods missed (device counter), 0 if unknown */
	uint64_t bad_records; /* records skipped for a foreign layout version */
	uint64_t resyncs;     /* rings whose indices made no sense */
};

struct source_ops {
	/* Appends waiting records to *out (grown with realloc); count or -ENOMEM. */
	long (*drain)(struct source *s, struct pl_sample **out, size_t *n, size_t *cap);
	void (*stats)(struct source *s, uint32_t dev_id, struct source_stats *st);
	/* Now, on the records' clock, ns. */
	uint64_t (*now_ns)(struct source *s);
	/* Current sampling period of dev_id, ns; 0 if unknown. */
	uint64_t (*period_ns)(struct source *s, uint32_t dev_id);
	void (*free)(struct source *s);
};

struct source {
	const struct source_ops *ops;
	int fd;		    /* EPOLLIN when records (may) wait */
	uint8_t kind;	    /* PLTR_SRC_KMOD or PLTR_SRC_SYNTHETIC: the traces' source field */
	uint64_t period_ns; /* nominal period when opened (a guess if the device would not say) */
	char name[128];	    /* "/dev/powerledger", "synthetic (fast)" */
	/* Identity for the trace header and fingerprint; callers may override. */
	char mfr_id[PLTR_STR_LEN + 1], mfr_model[PLTR_STR_LEN + 1], mfr_serial[PLTR_STR_LEN + 1];
	char host[PLTR_STR_LEN + 1]; /* "": gethostname() */
};

/* source_dev.c APIs: */

struct source_dev_opts {
	const char *path;   /* default /dev/powerledger */
	uint32_t dev_id;    /* device to start, PL_DEV_ALL for all */
	uint64_t period_ns; /* set before starting; 0 leaves it */
};

/*
 * Opens and maps the device, checks the ABI and layout (ring_reader.c),
 * sets the period if asked, raises the poll watermark to a quarter ring (the
 * previous one comes back at free) and starts sampling.  -errno with e set:
 * -ENOENT and friends (module not loaded), -EBUSY (another consumer maps
 * the rings), -EPROTO (ABI or layout mismatch).
 */
int source_dev__open(struct source **out, const struct source_dev_opts *o, struct plerr *e);

/* source_synth.c APIs: */

#define SYNTH_SOURCE_MAX_PHASES 8

struct synth_source_opts {
	struct {
		enum synth_workload wl;
		uint64_t duration_ns; /* 0: until the end (the last phase) */
	} phase[SYNTH_SOURCE_MAX_PHASES];
	size_t nphases;	    /* 0: one endless GPT4 phase */
	uint64_t period_ns; /* default 1 ms */
	uint64_t seed;
	bool fast;	   /* virtual clock, see above */
	uint64_t t0_ns;	   /* fast: the virtual clock's start (default 1000 s) */
	uint64_t chunk_ns; /* fast: what one drain produces (default 250 ms) */
	/* Called by each drain before it produces, with the clock: tests act at given times. */
	void (*hook)(void *arg, uint64_t now_ns);
	void *hook_arg;
};

/* "synth" or "synth:WL[=DUR],WL..." with WL gpt4|small|miner|tampered; -EINVAL. */
int synth_source_parse(const char *spec, struct synth_source_opts *o, struct plerr *e);
int source_synth__new(struct source **out, const struct synth_source_opts *o, struct plerr *e);

/* source_thread.c APIs: */

/*
 * Wraps @in (ownership passes, freed on failure too) in a source drained by
 * a thread of its own into a queue of at most @max_records, so a consumer
 * busy for longer than the producer's buffer lasts (writing or checking a
 * segment) loses nothing: the queue takes the records meanwhile.  A full
 * queue stops the draining and the producer counts what it drops.  The
 * wrapper's fd is an eventfd, readable once the queue holds a quarter of
 * @max_records or an error waits: the consumer also drains on a timeout
 * (its drain takes the queue and what the inner source holds).
 * Not for fast synthetic sources (their clock advances with each drain).
 */
int source_thread__wrap(struct source **out, struct source *in, size_t max_records, struct plerr *e);
/* Times the drain thread found its queue full (0 for other sources). */
uint64_t source_thread__full(struct source *s);

/* source.c APIs: */

long source__drain(struct source *s, struct pl_sample **out, size_t *n, size_t *cap);
uint64_t source__now(struct source *s);
void source__stats(struct source *s, uint32_t dev_id, struct source_stats *st);
uint64_t source__period(struct source *s, uint32_t dev_id);
void source__free(struct source *s);

/* CLOCK_MONOTONIC, ns. */
uint64_t mono_ns(void);

#endif /* PL_SOURCE_H */
