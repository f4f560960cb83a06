// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The daemon's reusable capture segment (see segment.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "daemon/segment.h"
#include "evidence/attest.h"
#include "evidence/statement.h"

/* A record is written to its ring a bus transaction after its ts_ns: wait that long past a slot's end. */
#define SEGMENT_SLACK_NS 50000000ULL

int segment__init(struct segment *g, uint64_t span_ns, uint64_t period_ns, uint8_t source, uint32_t dev_id,
		  bool have_dev, const char *mfr_id, const char *mfr_model, const char *mfr_serial, const char *host,
		  size_t max_records, struct plerr *e)
{
	uint64_t want;

	memset(g, 0, sizeof(*g));
	if (!span_ns || !period_ns)
		return plerr_set(e, -EINVAL, "segment of %llu ns at a period of %llu ns", (unsigned long long)span_ns,
				 (unsigned long long)period_ns);
	if (max_records > SEGMENT_MAX_RECORDS)
		return plerr_set(e, -ERANGE, "a segment buffer of %zu records is more than the %u this agent allows",
				 max_records, SEGMENT_MAX_RECORDS);
	if (max_records < 64)
		return plerr_set(e, -ERANGE, "a segment buffer of %zu records is too small (64 at least)",
				 max_records);
	want = span_ns / period_ns;
	want += want / 20 + 64;
	g->want = want;
	/* Over budget: segments are cut (and say so) when the buffer fills. */
	if (want > max_records)
		want = max_records;
	trace_init(&g->t, period_ns, dev_id, 0, source, 0, mfr_id, mfr_model, mfr_serial, host);
	/* Its own mapping, so that segment__reset() can hand the pages back (and no malloc arena keeps them). */
	g->bytes = (size_t)want * sizeof(*g->t.s);
	g->t.s = mmap(NULL, g->bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (g->t.s == MAP_FAILED) {
		g->t.s = NULL;
		return plerr_set(e, -ENOMEM, "out of memory for a segment of %llu records", (unsigned long long)want);
	}
	g->cap = g->t.cap = (size_t)want;
	g->span_ns = span_ns;
	g->have_dev = have_dev;
	return 0;
}

void segment__free(struct segment *g)
{
	if (g->t.s)
		munmap(g->t.s, g->bytes);
	free(g->t.ctx);
	memset(g, 0, sizeof(*g));
}

/* Where a record with sequence number seq belongs among the (seq-sorted) records. */
static size_t seq_pos(const struct segment *g, uint64_t seq)
{
	size_t lo = 0, hi = g->t.n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (g->t.s[mid].seq < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

enum segment_add segment__add(struct segment *g, const struct pl_sample *s)
{
	struct pl_sample *v = g->t.s;
	size_t n = g->t.n, at;

	if (!g->have_dev) {
		g->t.info.dev_id = s->dev_id;
		g->have_dev = true;
	}
	if (s->dev_id != g->t.info.dev_id) {
		g->skipped++;
		return SEG_SKIPPED;
	}
	if (!g->have_origin) {
		g->origin_ns = g->start_ns = s->ts_ns;
		g->end_ns = g->start_ns + g->span_ns;
		g->have_origin = true;
	}
	if (s->ts_ns < g->start_ns) {
		/* Its slot has been written out already. */
		g->late++;
		return SEG_SKIPPED;
	}
	if (s->ts_ns >= g->end_ns) {
		if (n)
			return SEG_CLOSE;
		/* Empty (the device was idle): move to the slot the record falls in. */
		g->start_ns = g->origin_ns + (s->ts_ns - g->origin_ns) / g->span_ns * g->span_ns;
		g->end_ns = g->start_ns + g->span_ns;
	}
	if (n == g->cap) {
		g->cut = true;
		return SEG_CLOSE;
	}
	if (n && s->seq <= v[n - 1].seq) {
		/*
		 * The drain sorts what it takes, but a record written to
		 * another CPU's ring just after that ring's head was read
		 * comes one drain late: put it in its place.
		 */
		at = seq_pos(g, s->seq);
		if (at < n && v[at].seq == s->seq) {
			g->late++;
			return SEG_SKIPPED;
		}
		memmove(&v[at + 1], &v[at], (n - at) * sizeof(*v));
		v[at] = *s;
		g->reordered++;
		if (g->gaps)
			g->gaps--; /* it fills a gap counted when its successor came */
	} else {
		if (g->have_seq && s->seq > g->last_seq + 1)
			g->gaps += s->seq - g->last_seq - 1;
		v[n] = *s;
	}
	if (!g->have_seq || s->seq > g->last_seq)
		g->last_seq = s->seq;
	g->have_seq = true;
	g->t.n = n + 1;
	g->t.info.rails |= s->rails;
	return SEG_ADDED;
}

bool segment__due(const struct segment *g, uint64_t now_ns)
{
	return g->t.n && now_ns >= g->end_ns + SEGMENT_SLACK_NS;
}

int segment__write(struct segment *g, const char *dir, const char *name, uint64_t kernel_lost, uint64_t period_ns,
		   const struct pl_seckey *reader, char *trace_path, size_t trace_len, char *env_path, size_t env_len,
		   struct plerr *e)
{
	char digest[SHA256_HEX_LEN];
	struct buf b = { 0 };
	json_t *stmt;
	uint64_t unexplained;
	int ret;

	if (!g->t.n)
		return plerr_set(e, -ENODATA, "empty segment");
	if (g->t.s[g->t.n - 1].ts_ns > (uint64_t)INT64_MAX)
		return plerr_set(e, -ERANGE, "timestamps beyond int64 cannot be signed");
	strfmt(trace_path, trace_len, "%s/%s", dir, name);
	strfmt(env_path, env_len, "%s/%s.dsse.json", dir, name);
	unexplained = kernel_lost > g->gaps_written ? kernel_lost - g->gaps_written : 0;
	g->t.info.lost = unexplained > g->gaps ? unexplained : g->gaps;
	g->t.info.period_ns = period_ns;
	g->t.info.t0_ns = g->t.s[0].ts_ns;
	g->t.info.sensor.origin = 0;
	trace_measure_sensor(&g->t);
	ret = trace_save_digest(trace_path, &g->t, 0, digest, e);
	if (ret)
		return ret;
	/* What attest_trace() signs, from the records in memory rather than a re-read of the file. */
	stmt = statement_new(PL_KIND_TRACE, json_pack("[o]", subject_new(name, digest)), attest_trace_predicate(&g->t));
	if (!stmt)
		ret = plerr_set(e, -ENOMEM, "out of memory");
	else
		ret = statement_sign(stmt, reader, &b, e);
	json_decref(stmt);
	if (!ret)
		ret = file_write_atomic(env_path, b.p, b.len, 0644, 0, e);
	buf_free(&b);
	if (ret)
		unlink(trace_path); /* every trace in the directory has its statement */
	return ret;
}

void segment__reset(struct segment *g)
{
	g->gaps_written += g->gaps;
	g->gaps = 0;
	g->t.n = 0;
	g->t.info.rails = 0;
	g->t.info.lost = 0;
	g->cut = false;
	/*
	 * The records are on disk: let the kernel take the pages back.  They
	 * come back zeroed, one fault per 32 records, as the next segment
	 * fills, so between segments (while the checks reload the trace) the
	 * buffer costs no memory.
	 */
	madvise(g->t.s, g->bytes, MADV_DONTNEED);
}
