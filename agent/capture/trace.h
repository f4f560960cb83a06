/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Trace files (.pltr): a versioned little-endian header, fixed-size
 * records carrying everything struct pl_sample carries, and (version 3)
 * the GPU-context intervals of the capture.  The byte layout is specified in agent/TRACE-FORMAT.md; the
 * SHA-256 of the file's bytes is the subject of its Trace statement.
 */
#ifndef PL_TRACE_H
#define PL_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/powerledger.h>

#include "lib/sample.h"
#include "lib/util.h"
#include "science/ctxjoin.h"
#include "science/series.h"

#define PLTR_MAGIC	   "PLTRACE\0"
#define PLTR_VERSION	   3   /* written; versions 1 and 2 are read too */
#define PLTR_HEADER_SIZE   320 /* version 3 */
#define PLTR_HEADER_SIZE_V2 288
#define PLTR_HEADER_SIZE_V1 256
#define PLTR_CTX_SIZE	   128 /* bytes per context interval entry (version 3) */
#define PLTR_MAX_CTX_SIZE  4096
#define PLTR_RECORD_SIZE   PL_SAMPLE_SIZE
#define PLTR_MAX_HEADER	   65536
#define PLTR_MAX_RECORD	   4096
#define PLTR_MAX_PERIOD_NS 3600000000000ULL /* one sample an hour is the slowest we accept */
#define PLTR_STR_LEN	   32

/* Header flags. */
#define PLTR_F_REALTIME (1U << 0) /* ts_ns is CLOCK_REALTIME (ns since the epoch), else CLOCK_MONOTONIC */
#define __PLTR_F_ALL	((1U << 1) - 1)

enum pltr_source {
	PLTR_SRC_KMOD = 0,	/* /dev/powerledger rings */
	PLTR_SRC_CSV = 1,	/* powerledger import */
	PLTR_SRC_SYNTHETIC = 2, /* powerledger demo, tests */
	__PLTR_SRC_MAX
};

struct trace_info {
	uint16_t version;     /* of the file read (PLTR_VERSION for a trace made here) */
	uint32_t record_size; /* bytes per record in the file; >= PL_SAMPLE_SIZE */
	uint64_t period_ns;   /* nominal sampling period */
	uint64_t t0_ns;	      /* ts_ns of the first record (0 for an empty trace) */
	uint64_t lost;	      /* records the capture knows it lost (ring overflows) */
	uint32_t dev_id;
	uint32_t rails;		       /* PL_RAIL_* the device reads */
	uint32_t flags;		       /* PLTR_F_* */
	uint16_t record_version;       /* PL_SAMPLE_VERSION of the records */
	uint8_t source;		       /* enum pltr_source */
	char mfr_id[PLTR_STR_LEN + 1]; /* printable ASCII, NUL-terminated */
	char mfr_model[PLTR_STR_LEN + 1];
	char mfr_serial[PLTR_STR_LEN + 1];
	char host[PLTR_STR_LEN + 1];
	char fingerprint[SHA256_HEX_LEN]; /* trace_fingerprint() of the four strings */
	struct sensor_model sensor;	  /* version 2; measured on reading a version 1 trace */
	uint32_t ctx_sources;		  /* version 3: bit (1 << PL_GCS_*) of the GPU-context sources attached */
	uint64_t ctx_dropped;		  /* version 3: GPU-context events lost (BPF ring buffer full) */
};

struct trace {
	struct trace_info info;
	struct pl_sample *s; /* host byte order */
	size_t n;
	size_t cap;
	struct ctx_interval *ctx; /* version 3: GPU-context intervals, sorted by begin_ns (malloc'ed) */
	size_t nctx;
};

/* trace.c APIs: */

const char *trace_source_name(uint8_t src); /* "kmod", "csv", "synthetic" */

/*
 * Hardware fingerprint: lowercase hex SHA-256 of
 * mfr_id NUL mfr_model NUL mfr_serial NUL host.
 */
void trace_fingerprint(const char *mfr_id, const char *mfr_model, const char *mfr_serial, const char *host,
		       char out[SHA256_HEX_LEN]);

/*
 * Is s fit for a header string as given (at most PLTR_STR_LEN bytes of
 * printable ASCII)?  -EINVAL with e saying why.  What users type (--host,
 * --mfr-*) is checked here and refused, never cut or mended.
 */
int trace_str_check(const char *s, struct plerr *e);

/*
 * Starts an empty trace: copies the strings (truncated to PLTR_STR_LEN,
 * non-printable bytes replaced by '?') and computes the fingerprint.
 */
void trace_init(struct trace *t, uint64_t period_ns, uint32_t dev_id, uint32_t rails, uint8_t source, uint32_t flags,
		const char *mfr_id, const char *mfr_model, const char *mfr_serial, const char *host);
/*
 * Fills the sensor model fields of t->info.sensor that were not given
 * (origin bit clear) from t's readings: sensor_measure().  Every writer
 * calls it before saving, so a trace states what its sensor can show.
 */
void trace_measure_sensor(struct trace *t);
/*
 * Hands t the context intervals iv (malloc'ed; t owns them from now on,
 * even on error), sorted by begin_ns: what ctxjoin__intervals() gives.
 * Comm bytes that are not printable become '?'.  -EINVAL if one ends
 * before it begins or has unknown flag bits or source.
 */
int trace_set_contexts(struct trace *t, struct ctx_interval *iv, size_t n, struct plerr *e);
/* Appends a record (t0_ns follows the first one).  -ENOMEM. */
int trace_push(struct trace *t, const struct pl_sample *s);
void trace__free(struct trace *t);

/* Serializes t (header + records, little-endian) onto out.  -ENOMEM. */
int trace_encode(const struct trace *t, struct buf *out);
/*
 * Writes t to path atomically (mode 0644), streamed in 64 KiB chunks: no
 * second copy of the records in memory.  flags: AFILE_REPLACE (--force) or 0
 * (an existing path is refused with -EEXIST and left untouched).  digest (if not NULL) receives the
 * SHA-256 of the file's bytes, as trace_encode() would have produced them.
 */
int trace_save_digest(const char *path, const struct trace *t, unsigned int flags, char digest[SHA256_HEX_LEN],
		      struct plerr *e);
int trace_save(const char *path, const struct trace *t, unsigned int flags, struct plerr *e);

/*
 * Parses and bounds-checks a whole trace file image.  Every error names the
 * byte offset it concerns: "truncated at offset 4096 (record 31 needs 128
 * bytes, 64 present)", "bad magic at offset 0", "record 7 at offset 1152:
 * unknown flag bits 0x80".
 */
int trace_parse(const uint8_t *p, size_t n, struct trace *t, struct plerr *e);
/* Reads and parses path; e is prefixed with the path. */
int trace_load(const char *path, struct trace *t, struct plerr *e);
/*
 * Same, and digest (if not NULL) receives the SHA-256 of exactly the bytes
 * parsed, from the same single read: what is signed or compared as the
 * trace's digest is what was analysed, even if the file is replaced
 * meanwhile.
 */
int trace_load_digest(const char *path, struct trace *t, char digest[SHA256_HEX_LEN], struct plerr *e);

/*
 * The science/ view of t (valid while t is): fills *v and returns it, so a
 * caller can write features_windows(trace_series(&t, &(struct series){ 0 }), ...).
 */
static inline const struct series *trace_series(const struct trace *t, struct series *v)
{
	v->s = t->s;
	v->n = t->n;
	v->period_ns = t->info.period_ns;
	v->lost = t->info.lost;
	v->kernel_timing = t->info.source != PLTR_SRC_CSV;
	v->sensor = t->info.sensor;
	return v;
}

#endif /* PL_TRACE_H */
