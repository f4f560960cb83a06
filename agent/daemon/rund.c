// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The `powerledger run` loop (see rund.h). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "daemon/check.h"
#include "daemon/claimdir.h"
#include "daemon/rund.h"
#include "daemon/segment.h"
#include "evidence/canon.h"
#include "science/ctxjoin.h"
#include "science/features.h"
#include "science/sensor.h"

#define POLL_MS 250 /* longest sleep: the source's fd may stay quiet (idle device, watermark) */

struct job {
	char trace[4096], statement[4096];
	uint64_t first_ns, last_ns, samples, lost, contexts, ctx_dropped;
	bool cut, early;
	struct claimdir_entry *claims; /* active claims, copied at queue time */
	size_t n, next;
	json_t *names, *proofs; /* for the segment event */
};

struct rund {
	const struct rund_cfg *cfg;
	FILE *out;
	struct rund_stats st;
	struct segment seg;
	struct claimdir cd;
	struct features_ctx *fc;
	struct pl_sample *batch;
	size_t bcap;
	struct job jobs[RUND_MAX_JOBS];
	size_t jhead, njobs;
	int ep, sfd;
	sigset_t oldmask;
	bool stop, src_err_reported, status_drawn;
	int64_t real_off_ns; /* CLOCK_REALTIME - source clock, for file names */
	uint64_t next_status_ns, last_status_ns, last_status_samples;
	char host[PLTR_STR_LEN + 1];
	struct {
		bool valid;
		int64_t mean_mw, cv_ppm, bursts;
	} win;
	/* Online decisions: the usable claims opened once per scan, judged as the segment grows. */
	struct watch {
		struct claimdir_entry e;
		struct check_watch w;
	} *watch;
	size_t nwatch;
	uint64_t judged_ns; /* last sample time the segment was judged at */
	struct sensor_model live_sensor; /* measured on the segment so far */
	size_t live_sensor_n;		 /* samples it was measured on (stops at SENSOR_MEASURE_MAX) */
	bool early;	    /* the segment being closed was cut by evidence */
	struct ctxjoin *cj; /* cfg->gc's events, joined as they come */
	uint64_t ctx_dropped_seen; /* GPU-context events dropped (and map-full) since start */
};

/* ---- events ---------------------------------------------------------- */

/* Printable ASCII only (canonical JSON); anything else becomes '?'. */
static json_t *jstr(const char *s)
{
	char buf[1024];
	size_t i;

	for (i = 0; s && s[i] && i < sizeof(buf) - 1; i++)
		buf[i] = (s[i] >= 0x20 && s[i] <= 0x7e) ? s[i] : '?';
	buf[i] = 0;
	return json_string(buf);
}

static void clear_status(struct rund *r)
{
	if (r->status_drawn) {
		fputs("\r\033[K", r->out);
		r->status_drawn = false;
	}
}

/* Emits ev (reference stolen) as a JSON line; in human mode, prints line instead. */
static void emit(struct rund *r, json_t *ev, const char *line)
{
	struct plerr e = { "" };
	struct buf b = { 0 };

	if (!ev) {
		fprintf(stderr, PL_PROG ": run: out of memory for an event\n");
		return;
	}
	if (r->cfg->json) {
		if (canon_dump(ev, &b, &e) == 0) {
			buf_putc(&b, '\n');
			fwrite(b.p, 1, b.len, r->out);
		} else {
			fprintf(stderr, PL_PROG ": run: cannot print an event: %s\n", e.msg);
		}
	} else if (line) {
		clear_status(r);
		fprintf(r->out, "%s\n", line);
	}
	/* A supervisor reads events as they happen; a closed pipe must not stop the daemon (SIGPIPE is ignored). */
	fflush(r->out);
	clearerr(r->out);
	buf_free(&b);
	json_decref(ev);
}

static void ev_error(struct rund *r, const char *what, const char *path, const char *msg)
{
	json_t *ev;

	r->st.errors++;
	ev = json_pack("{s:s,s:o,s:o}", "event", "error", "what", jstr(what), "message", jstr(msg));
	if (ev && path)
		json_object_set_new(ev, "path", jstr(path));
	if (!r->cfg->json) {
		clear_status(r);
		fflush(r->out);
		fprintf(stderr, PL_PROG ": run: %s%s%s: %s\n", what, path ? " " : "", path ? path : "", msg);
	}
	emit(r, ev, NULL); /* human mode: on stderr above */
}

static void on_note(void *arg, enum claimdir_note what, const char *path, const char *msg)
{
	struct rund *r = arg;
	char line[2048];

	if (what == CLAIMDIR_REJECTED || what == CLAIMDIR_BAD_BASELINE) {
		ev_error(r, what == CLAIMDIR_REJECTED ? "claim" : "baseline", path, msg);
		return;
	}
	strfmt(line, sizeof(line), "claim\t%s\t%s\t%s", what == CLAIMDIR_LOADED ? "loaded" : "ignored", path, msg);
	emit(r,
	     json_pack("{s:s,s:s,s:o,s:o}", "event", "claim", "status", what == CLAIMDIR_LOADED ? "loaded" : "ignored",
		       "path", jstr(path), "message", jstr(msg)),
	     line);
}

static long rss_kib(void)
{
	long pages = 0, rss = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f) {
		if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
			rss = 0;
		fclose(f);
	}
	return rss * (sysconf(_SC_PAGESIZE) / 1024);
}

/* ---- segments and checks ---------------------------------------------- */

/* The usable claims, each with its baseline opened once, for judging the segment as it grows. */
static void rewatch(struct rund *r)
{
	char claim[4096], baseline[4096];
	struct check_in in = { 0 };
	struct plerr e = { "" };
	size_t i, k = 0;

	for (i = 0; i < r->nwatch; i++)
		check_watch__free(&r->watch[i].w);
	free(r->watch);
	r->watch = r->cd.n ? calloc(r->cd.n, sizeof(*r->watch)) : NULL;
	r->nwatch = 0;
	if (!r->watch)
		return; /* none, or out of memory: the segment's checks still decide at its end */
	in.trusted = r->cfg->trusted;
	in.ntrusted = r->cfg->ntrusted;
	for (i = 0; i < r->cd.n; i++) {
		if (!claimdir_paths(&r->cd, &r->cd.v[i], claim, baseline, sizeof(claim)))
			continue;
		in.claim_path = claim;
		in.baseline_path = baseline;
		/* One that does not open is reported by its check at the segment's end. */
		if (check_watch_open(&in, &r->watch[k].w, &e))
			continue;
		r->watch[k++].e = r->cd.v[i];
	}
	r->nwatch = k;
}

static void scan(struct rund *r)
{
	struct plerr e = { "" };

	if (claimdir__scan(&r->cd, on_note, r, &e))
		ev_error(r, "scan", NULL, e.msg);
	rewatch(r);
}

/* seg-YYYYmmddTHHMMSS.mmmZ[-N].pltr from the wall-clock time of the first record; never an existing name. */
static void trace_name(struct rund *r, uint64_t first_ns, char *out, size_t n)
{
	int64_t real = (int64_t)first_ns + r->real_off_ns;
	time_t secs = (time_t)(real / 1000000000);
	char stamp[64], path[4096];
	struct tm tm;

	gmtime_r(&secs, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%S", &tm);
	for (unsigned int k = 0; k < 1000; k++) {
		if (k)
			strfmt(out, n, "seg-%s.%03dZ-%u.pltr", stamp, (int)(real % 1000000000 / 1000000), k);
		else
			strfmt(out, n, "seg-%s.%03dZ.pltr", stamp, (int)(real % 1000000000 / 1000000));
		strfmt(path, sizeof(path), "%s/%s", r->cfg->outdir, out);
		if (access(path, F_OK))
			return;
	}
}

static void ev_segment(struct rund *r, struct job *j)
{
	char line[8192];

	strfmt(line, sizeof(line),
	       "segment\t%s\t%" PRIu64 " samples\tlost %" PRIu64 "\t%zu claim(s)\t%zu proof(s)\t%" PRIu64 " GPU context(s)%s",
	       j->trace, j->samples, j->lost, json_array_size(j->names), json_array_size(j->proofs), j->contexts,
	       j->cut ? "\t(cut early: buffer full)" : j->early ? "\t(closed early: evidence)" : "");
	emit(r,
	     json_pack("{s:s,s:o,s:o,s:I,s:I,s:I,s:I,s:O,s:O,s:i,s:i,s:I,s:I}", "event", "segment", "trace",
		       jstr(j->trace), "statement", jstr(j->statement), "samples", (json_int_t)j->samples, "lost",
		       (json_int_t)j->lost, "start_ns", (json_int_t)j->first_ns, "end_ns", (json_int_t)j->last_ns,
		       "claims", j->names, "proofs", j->proofs, "cut", j->cut ? 1 : 0, "early", j->early ? 1 : 0,
		       "contexts", (json_int_t)j->contexts, "ctx_dropped", (json_int_t)j->ctx_dropped),
	     line);
}

static void job_free(struct job *j)
{
	free(j->claims);
	json_decref(j->names);
	json_decref(j->proofs);
	memset(j, 0, sizeof(*j));
}

/* Runs the next claim of the oldest job; finishes the job after its last claim. */
static void job_step(struct rund *r)
{
	struct job *j = &r->jobs[r->jhead];
	const struct claimdir_entry *c = &j->claims[j->next++];
	char claim[4096], baseline[4096], line[8192];
	struct check_in in = { 0 };
	struct check_out out;
	struct plerr e = { "" };

	if (!claimdir_paths(&r->cd, c, claim, baseline, sizeof(claim))) {
		ev_error(r, "check", c->name, "path too long");
		goto next;
	}
	in.trace_path = j->trace;
	in.claim_path = claim;
	in.baseline_path = baseline;
	in.trusted = r->cfg->trusted;
	in.ntrusted = r->cfg->ntrusted;
	in.key = r->cfg->operator_key;
	in.dp = r->cfg->dp;
	in.outdir = r->cfg->outdir;
	if (check_run(&in, &out, &e)) {
		ev_error(r, "check", claim, e.msg);
		goto next;
	}
	r->st.checks++;
	json_array_append_new(j->names, jstr(c->name));
	for (size_t i = 0; i < out.nproofs; i++) {
		const char *det = detector_name(out.proofs[i].det);
		const char *path = out.proofs[i].path;

		r->st.proofs++;
		json_array_append_new(j->proofs, jstr(path));
		strfmt(line, sizeof(line), "PROOF\t%s\t%s\t%s\t%s", det, c->name, out.proofs[i].summary, path);
		emit(r,
		     json_pack("{s:s,s:o,s:s,s:o,s:o,s:o}", "event", "proof", "claim", jstr(c->name), "detector", det,
			       "path", jstr(path), "summary", jstr(out.proofs[i].summary), "trace", jstr(j->trace)),
		     line);
	}
	check_out__free(&out);
next:
	if (j->next < j->n)
		return;
	ev_segment(r, j);
	job_free(j);
	r->jhead = (r->jhead + 1) % RUND_MAX_JOBS;
	r->njobs--;
}

/*
 * The GPU-context intervals that overlap the segment, into its trace (open
 * ones cut at its end), with the sources and the events dropped since the
 * last segment; closed ones that end before the segment does are forgotten.
 */
static void segment_contexts(struct rund *r, uint64_t period)
{
	struct segment *g = &r->seg;
	struct ctx_interval *iv = NULL;
	uint64_t cnt[__PL_GC_CNT_MAX], first, end;
	struct plerr e = { "" };
	size_t niv = 0, i, k = 0;

	if (!r->cj || !g->t.n)
		return;
	first = g->t.s[0].ts_ns;
	end = g->t.s[g->t.n - 1].ts_ns + period;
	if (ctxjoin__settle(r->cj, end) || ctxjoin__intervals(r->cj, end, &iv, &niv)) {
		ev_error(r, "gpu-context", NULL, "out of memory: this segment carries no contexts");
		return;
	}
	for (i = 0; i < niv; i++)
		if (iv[i].end_ns > first)
			iv[k++] = iv[i];
	if (trace_set_contexts(&g->t, iv, k, &e)) {
		ev_error(r, "gpu-context", NULL, e.msg);
		trace_set_contexts(&g->t, NULL, 0, &e);
	}
	g->t.info.ctx_sources = gpuctx__sources(r->cfg->gc);
	/*
	 * Since the daemon started, not since the last segment: one lost pop
	 * or exit can leave a context open in every later segment, so every
	 * later trace says its attribution may be wrong (and no proof names a
	 * context from it).  State the maps could not hold counts too.
	 */
	if (!gpuctx__counters(r->cfg->gc, cnt))
		r->ctx_dropped_seen = cnt[PL_GC_CNT_DROPPED] + cnt[PL_GC_CNT_MAP_FULL];
	else
		r->ctx_dropped_seen++;
	g->t.info.ctx_dropped = r->ctx_dropped_seen;
	ctxjoin__forget(r->cj, end);
}

/* The waiting GPU-context events, into the join (before the samples they explain are segmented). */
static void pump_contexts(struct rund *r)
{
	struct pl_gpuctx_event *ev;
	uint64_t now;
	size_t n;

	if (!r->cj)
		return;
	if (gpuctx__consume(r->cfg->gc) < 0)
		ev_error(r, "gpu-context", NULL, "out of memory reading GPU-context events (counted as dropped)");
	gpuctx__take(r->cfg->gc, &ev, &n);
	/* Other CPUs' events may still be on their way: join what is CTXJOIN_SETTLE_NS old. */
	now = source__now(r->cfg->src);
	if (ctxjoin__add(r->cj, ev, n) ||
	    ctxjoin__settle(r->cj, now > CTXJOIN_SETTLE_NS ? now - CTXJOIN_SETTLE_NS : 0))
		ev_error(r, "gpu-context", NULL, "out of memory joining GPU-context events");
	free(ev);
}

/* The module's events as they come: one "kernel" event each. */
static void kernel_events(struct rund *r)
{
	struct plnl_event kev;
	struct plerr e = { "" };
	char line[256];
	int got;

	if (!r->cfg->nl)
		return;
	while ((got = plnl__event_next(r->cfg->nl, &kev, &e)) > 0) {
		const char *kind = plnl_event_kind_name(kev.kind);

		strfmt(line, sizeof(line), "kernel\t%s\tdev %u\tcount %" PRIu64 "\terrno %d", kind ? kind : "unknown",
		       kev.dev_id, kev.count, kev.err);
		emit(r,
		     json_pack("{s:s,s:I,s:s,s:I,s:i}", "event", "kernel", "dev_id", (json_int_t)kev.dev_id, "kind",
			       kind ? kind : "unknown", "count", (json_int_t)kev.count, "errno", kev.err),
		     line);
	}
	if (got < 0)
		ev_error(r, "netlink", NULL, e.msg);
}

/* Writes the segment out, queues its checks, starts the next one. */
static void close_segment(struct rund *r)
{
	struct segment *g = &r->seg;
	struct source_stats ss;
	struct plerr e = { "" };
	struct job *j;
	char name[256], msg[1024];
	uint64_t period;
	size_t i;

	if (!g->t.n) {
		segment__reset(g);
		return;
	}
	source__stats(r->cfg->src, g->t.info.dev_id, &ss);
	period = source__period(r->cfg->src, g->t.info.dev_id);
	if (!period)
		period = g->t.info.period_ns;
	trace_name(r, g->t.s[0].ts_ns, name, sizeof(name));
	/* A full queue means checks fell behind: finish the oldest before taking more. */
	while (r->njobs == RUND_MAX_JOBS)
		job_step(r);
	j = &r->jobs[(r->jhead + r->njobs) % RUND_MAX_JOBS];
	memset(j, 0, sizeof(*j));
	segment_contexts(r, period);
	j->contexts = g->t.nctx;
	j->ctx_dropped = g->t.info.ctx_dropped;
	if (segment__write(g, r->cfg->outdir, name, ss.lost, period, r->cfg->reader_key, j->trace, sizeof(j->trace),
			   j->statement, sizeof(j->statement), &e)) {
		strfmt(msg, sizeof(msg), "%s (%zu samples not saved)", e.msg, g->t.n);
		ev_error(r, "segment", NULL, msg);
		trace_set_contexts(&g->t, NULL, 0, &e);
		segment__reset(g);
		return;
	}
	trace_set_contexts(&g->t, NULL, 0, &e);
	r->st.segments++;
	j->first_ns = g->t.s[0].ts_ns;
	j->last_ns = g->t.s[g->t.n - 1].ts_ns;
	j->samples = g->t.n;
	j->lost = g->t.info.lost;
	j->cut = g->cut;
	j->early = r->early;
	r->early = false;
	r->judged_ns = 0;
	r->live_sensor_n = 0;
	for (i = 0; i < r->nwatch; i++)
		check_watch_reset(&r->watch[i].w);
	segment__reset(g);
	/* The trace is on disk: the buffer is free for the next segment while the checks run. */
	j->names = json_array();
	j->proofs = json_array();
	scan(r);
	if (r->cd.n)
		j->claims = calloc(r->cd.n, sizeof(*j->claims));
	for (i = 0; j->claims && i < r->cd.n; i++)
		if (claimdir_active(&r->cd.v[i], j->first_ns, j->last_ns))
			j->claims[j->n++] = r->cd.v[i];
	if (r->cd.n && !j->claims)
		ev_error(r, "check", j->trace, "out of memory: claims not checked");
	if (!j->n) {
		ev_segment(r, j);
		job_free(j);
		return;
	}
	r->njobs++;
}

/* ---- the loop --------------------------------------------------------- */

/*
 * Online decisions: each time another window of samples has arrived, the
 * segment so far is judged against every active claim (check_watch_judge():
 * the detectors check runs, on the windows so far).  When one fires the
 * segment is closed at once, so its check signs the proof within a window
 * of the evidence becoming conclusive instead of at the slot's end.  The
 * next segment starts afresh (a proof is derived from one trace).
 */
static void judge(struct rund *r)
{
	struct segment *g = &r->seg;
	struct series v;
	uint64_t last, period;

	if (r->cfg->segment_only || !r->nwatch || !g->t.n)
		return;
	last = g->t.s[g->t.n - 1].ts_ns;
	if (!r->judged_ns)
		r->judged_ns = g->t.s[0].ts_ns;
	if (last < r->judged_ns + r->cfg->window_ns)
		return;
	r->judged_ns = last;
	trace_series(&g->t, &v);
	period = source__period(r->cfg->src, g->t.info.dev_id);
	if (period)
		v.period_ns = period;
	/*
	 * The sensor model: the trace's is measured on its first SENSOR_MEASURE_MAX
	 * readings; for judging, from 1000 readings on, again each time they have
	 * quadrupled, and once all are in (measuring costs a pass over them: not
	 * every window).
	 */
	if (g->t.n < 1000)
		return;
	if (!r->live_sensor_n ||
	    (r->live_sensor_n < SENSOR_MEASURE_MAX && (g->t.n >= 4 * r->live_sensor_n || g->t.n >= SENSOR_MEASURE_MAX))) {
		r->live_sensor = v.sensor;
		r->live_sensor.origin = 0;
		sensor_measure(&v, &r->live_sensor);
		r->live_sensor_n = g->t.n;
	}
	v.sensor = r->live_sensor;
	for (size_t i = 0; i < r->nwatch; i++) {
		int ret;

		if (!claimdir_active(&r->watch[i].e, g->t.s[0].ts_ns, last))
			continue;
		ret = check_watch_judge(&r->watch[i].w, &v, r->cfg->dp);
		if (ret < 0) {
			ev_error(r, "check", r->watch[i].e.name, strerror(-ret));
			continue;
		}
		if (ret == 1) {
			r->early = true;
			close_segment(r);
			return;
		}
	}
}

static void pump(struct rund *r)
{
	uint64_t now = source__now(r->cfg->src);
	size_t n = 0, i;
	long got;

	pump_contexts(r);
	got = source__drain(r->cfg->src, &r->batch, &n, &r->bcap);
	if (got == -ENODEV) {
		ev_error(r, "device", r->cfg->src->name, "error or hang-up on the device; polling on a timer");
		return;
	}
	if (got < 0) {
		ev_error(r, "drain", NULL, strerror((int)-got));
		return;
	}
	for (i = 0; i < n; i++) {
		enum segment_add a;

		while ((a = segment__add(&r->seg, &r->batch[i])) == SEG_CLOSE)
			close_segment(r);
		r->st.samples += a == SEG_ADDED;
		judge(r);
	}
	if (segment__due(&r->seg, now))
		close_segment(r);
}

/* Features of the last window_ns of the segment, for the status. */
static void live_window(struct rund *r)
{
	const struct segment *g = &r->seg;
	struct window_features w;
	struct feat_params fp;
	size_t i;
	uint64_t last;

	if (!g->t.n)
		return;
	last = g->t.s[g->t.n - 1].ts_ns;
	for (i = g->t.n; i > 0 && g->t.s[i - 1].ts_ns + r->cfg->window_ns > last; i--)
		;
	feat_params_default(&fp);
	fp.window_ns = r->cfg->window_ns;
	if (fp.min_samples < r->cfg->window_ns / g->t.info.period_ns / 2)
		fp.min_samples = (uint32_t)(r->cfg->window_ns / g->t.info.period_ns / 2);
	if (features_ctx__window(r->fc, &g->t.s[i], g->t.n - i, g->t.info.period_ns, &fp, &w))
		return;
	r->win.valid = true;
	r->win.mean_mw = feat_int(FEAT_MEAN, w.v[FEAT_MEAN]);
	r->win.cv_ppm = w.valid[FEAT_CV] ? feat_int(FEAT_CV, w.v[FEAT_CV]) : 0;
	r->win.bursts = w.valid[FEAT_BURSTS] ? feat_int(FEAT_BURSTS, w.v[FEAT_BURSTS]) : 0;
}

static void status(struct rund *r)
{
	uint64_t now = mono_ns(), rate;
	struct source_stats ss;
	json_t *ev;

	if (!r->cfg->status_ns || now < r->next_status_ns)
		return;
	r->next_status_ns = now + r->cfg->status_ns;
	rate = now > r->last_status_ns
		       ? (r->st.samples - r->last_status_samples) * 1000000000ULL / (now - r->last_status_ns)
		       : 0;
	r->last_status_ns = now;
	r->last_status_samples = r->st.samples;
	source__stats(r->cfg->src, r->seg.t.info.dev_id, &ss);
	live_window(r);
	if (!r->cfg->json) {
		fprintf(r->out,
			"\r\033[K%" PRIu64 " samples/s  lost %" PRIu64 "  overruns %" PRIu64 "  segments %" PRIu64
			"  proofs %" PRIu64 "  errors %" PRIu64,
			rate, ss.lost, ss.overruns, r->st.segments, r->st.proofs, r->st.errors);
		if (r->win.valid)
			fprintf(r->out, "  |  %.3f kW  cv %.2f%%  %d bursts", (double)r->win.mean_mw / 1e6,
				(double)r->win.cv_ppm / 1e4, (int)r->win.bursts);
		fflush(r->out);
		r->status_drawn = true;
		return;
	}
	ev = json_pack("{s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "event", "status", "samples", (json_int_t)r->st.samples,
		       "samples_per_s", (json_int_t)rate, "lost", (json_int_t)ss.lost, "overruns",
		       (json_int_t)ss.overruns, "segments", (json_int_t)r->st.segments, "proofs",
		       (json_int_t)r->st.proofs, "errors", (json_int_t)r->st.errors, "rss_kib", (json_int_t)rss_kib());
	if (ev && r->win.valid)
		json_object_set_new(ev, "window",
				    json_pack("{s:I,s:I,s:I}", "mean_mw", (json_int_t)r->win.mean_mw, "cv_ppm",
					      (json_int_t)r->win.cv_ppm, "bursts", (json_int_t)r->win.bursts));
	emit(r, ev, NULL);
}

static void handle_signals(struct rund *r)
{
	struct signalfd_siginfo si;

	while (read(r->sfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			scan(r);
			emit(r,
			     json_pack("{s:s,s:I,s:I}", "event", "rescan", "claims", (json_int_t)r->cd.n, "files",
				       (json_int_t)r->cd.files),
			     "rescan\tclaims re-read (SIGHUP)");
		} else if (!r->stop) {
			r->stop = true;
			r->st.signal = (int)si.ssi_signo;
		}
	}
}

static int setup(struct rund *r, struct plerr *e)
{
	const struct rund_cfg *c = r->cfg;
	struct source *src = c->src;
	struct epoll_event ev = { .events = EPOLLIN };
	struct timespec rt;
	sigset_t mask;
	int ret;

	if (c->host)
		snprintf(r->host, sizeof(r->host), "%s", c->host);
	else if (src->host[0])
		snprintf(r->host, sizeof(r->host), "%s", src->host);
	else {
		char name[256] = "";

		if (gethostname(name, sizeof(name) - 1))
			name[0] = 0;
		if (trace_str_check(name, e) || strlen(name) >= sizeof(r->host))
			return plerr_set(e, -EINVAL, "this host's name '%.64s' cannot serve as the traces' host: give --host",
					 name);
		strcpy(r->host, name);
	}
	ret = segment__init(&r->seg, c->segment_ns, src->period_ns, src->kind, c->dev_id, c->have_dev,
			    c->mfr_id ? c->mfr_id : src->mfr_id, c->mfr_model ? c->mfr_model : src->mfr_model,
			    c->mfr_serial ? c->mfr_serial : src->mfr_serial, r->host,
			    segment_budget_records(c->segment_bytes), e);
	if (ret)
		return ret;
	if (r->seg.want > r->seg.cap)
		pl_warn("a %llu s segment at a %llu ns period is %llu records (%llu MiB); this buffer holds %zu "
			"(--segment-memory): segments will be cut when it fills",
			(unsigned long long)(c->segment_ns / 1000000000ULL), (unsigned long long)src->period_ns,
			(unsigned long long)r->seg.want,
			(unsigned long long)(r->seg.want * sizeof(struct pl_sample) >> 20), r->seg.cap);
	ret = claimdir__init(&r->cd, c->claims_dir, c->baseline_dir, c->baseline_file, c->trusted, c->ntrusted,
			     r->seg.t.info.fingerprint, e);
	if (ret)
		return ret;
	if (!path_is_dir(c->outdir) || access(c->outdir, W_OK))
		return plerr_set(e, -ENOTDIR, "%s: not a writable directory", c->outdir);
	r->fc = features_ctx__new();
	if (!r->fc)
		return plerr_set(e, -ENOMEM, "out of memory");
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	/* Blocked so that they queue on the signalfd; restored when the loop returns. */
	sigprocmask(SIG_BLOCK, &mask, &r->oldmask);
	r->sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	r->ep = epoll_create1(EPOLL_CLOEXEC);
	if (r->sfd < 0 || r->ep < 0)
		return plerr_set(e, -errno, "signalfd/epoll: %s", strerror(errno));
	ev.data.fd = r->sfd;
	if (epoll_ctl(r->ep, EPOLL_CTL_ADD, r->sfd, &ev) < 0)
		return plerr_set(e, -errno, "epoll: %s", strerror(errno));
	ev.data.fd = src->fd;
	if (epoll_ctl(r->ep, EPOLL_CTL_ADD, src->fd, &ev) < 0)
		return plerr_set(e, -errno, "epoll: %s: %s", src->name, strerror(errno));
	if (c->gc) {
		r->cj = ctxjoin__new(source__now(src));
		ev.data.fd = gpuctx__fd(c->gc);
		if (!r->cj || epoll_ctl(r->ep, EPOLL_CTL_ADD, ev.data.fd, &ev) < 0)
			return plerr_set(e, r->cj ? -errno : -ENOMEM, "GPU context: %s",
					 r->cj ? strerror(errno) : "out of memory");
	}
	if (c->nl) {
		ev.data.fd = plnl__events_fd(c->nl);
		if (ev.data.fd < 0 || epoll_ctl(r->ep, EPOLL_CTL_ADD, ev.data.fd, &ev) < 0)
			return plerr_set(e, -EINVAL, "netlink events: not subscribed");
	}
	clock_gettime(CLOCK_REALTIME, &rt);
	r->real_off_ns = (int64_t)rt.tv_sec * 1000000000 + rt.tv_nsec - (int64_t)source__now(src);
	r->last_status_ns = mono_ns();
	r->next_status_ns = r->last_status_ns + c->status_ns;
	return 0;
}

int rund_preflight(const struct rund_cfg *cfg, struct plerr *e)
{
	struct claimdir cd;
	int ret;

	ret = claimdir__init(&cd, cfg->claims_dir, cfg->baseline_dir, cfg->baseline_file, cfg->trusted, cfg->ntrusted,
			     "", e);
	claimdir__free(&cd);
	if (!ret && (!path_is_dir(cfg->outdir) || access(cfg->outdir, W_OK)))
		ret = plerr_set(e, -ENOTDIR, "%s: not a writable directory", cfg->outdir);
	return ret;
}

static void teardown(struct rund *r)
{
	struct signalfd_siginfo si;

	while (r->njobs) {
		job_free(&r->jobs[r->jhead]);
		r->jhead = (r->jhead + 1) % RUND_MAX_JOBS;
		r->njobs--;
	}
	if (r->sfd >= 0) {
		/* Swallow what came in meanwhile: unblocking must not deliver a second SIGTERM. */
		while (read(r->sfd, &si, sizeof(si)) == sizeof(si))
			;
		close(r->sfd);
		sigprocmask(SIG_SETMASK, &r->oldmask, NULL);
	}
	if (r->ep >= 0)
		close(r->ep);
	features_ctx__free(r->fc);
	ctxjoin__free(r->cj);
	for (size_t i = 0; i < r->nwatch; i++)
		check_watch__free(&r->watch[i].w);
	free(r->watch);
	claimdir__free(&r->cd);
	segment__free(&r->seg);
	free(r->batch);
}

int rund_run(const struct rund_cfg *cfg, struct rund_stats *st, struct plerr *e)
{
	struct rund *r;
	struct epoll_event evs[4];
	struct source_stats ss;
	const char *sig;
	char line[1024];
	int n, i, ret;

	memset(st, 0, sizeof(*st));
	r = calloc(1, sizeof(*r));
	if (!r)
		return plerr_set(e, -ENOMEM, "out of memory"), PL_EXIT_ERR;
	r->cfg = cfg;
	r->out = cfg->out ? cfg->out : stdout;
	r->sfd = r->ep = -1;
	if (setup(r, e)) {
		teardown(r);
		free(r);
		return PL_EXIT_ERR;
	}
	strfmt(line, sizeof(line), "powerledger run\t%s\tperiod %" PRIu64 " ns\tsegments of %" PRIu64 " s\t-> %s",
	       cfg->src->name, cfg->src->period_ns, cfg->segment_ns / 1000000000, cfg->outdir);
	emit(r,
	     json_pack("{s:s,s:s,s:o,s:s,s:o,s:I,s:I,s:I}", "event", "start", "source",
		       trace_source_name(cfg->src->kind), "device", jstr(cfg->src->name), "fingerprint",
		       r->seg.t.info.fingerprint, "outdir", jstr(cfg->outdir), "period_ns",
		       (json_int_t)cfg->src->period_ns, "segment_ns", (json_int_t)cfg->segment_ns, "window_ns",
		       (json_int_t)cfg->window_ns),
	     line);
	scan(r);
	while (!r->stop) {
		n = epoll_wait(r->ep, evs, 4, r->njobs ? 0 : POLL_MS);
		if (n < 0 && errno != EINTR) {
			ev_error(r, "device", NULL, strerror(errno));
			n = 0;
		}
		for (i = 0; i < n; i++) {
			if (evs[i].data.fd == r->sfd) {
				handle_signals(r);
			} else if (evs[i].events & (EPOLLERR | EPOLLHUP)) {
				/* Keep draining on the timeout; say it once. */
				ev_error(r, "device", cfg->src->name,
					 "error or hang-up on the device; polling on a timer");
				epoll_ctl(r->ep, EPOLL_CTL_DEL, cfg->src->fd, NULL);
			}
		}
		kernel_events(r);
		pump(r);
		if (r->njobs)
			job_step(r);
		status(r);
	}
	/* SIGTERM/SIGINT: take what the rings hold, write the partial segment, finish the checks. */
	pump(r);
	close_segment(r);
	while (r->njobs)
		job_step(r);
	ret = PL_EXIT_OK;
	sig = r->st.signal == SIGINT ? "SIGINT" : "SIGTERM";
	source__stats(cfg->src, r->seg.t.info.dev_id, &ss);
	strfmt(line, sizeof(line),
	       "exit\t%s\t%" PRIu64 " samples\tlost %" PRIu64 "\t%" PRIu64 " segments\t%" PRIu64 " proofs\t%" PRIu64
	       " errors",
	       sig, r->st.samples, ss.lost, r->st.segments, r->st.proofs, r->st.errors);
	clear_status(r);
	emit(r,
	     json_pack("{s:s,s:s,s:i,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "event", "exit", "reason", sig, "status", ret,
		       "samples", (json_int_t)r->st.samples, "lost", (json_int_t)ss.lost, "overruns",
		       (json_int_t)ss.overruns, "skipped", (json_int_t)r->seg.skipped, "late", (json_int_t)r->seg.late,
		       "segments", (json_int_t)r->st.segments, "proofs", (json_int_t)r->st.proofs, "errors",
		       (json_int_t)r->st.errors),
	     line);
	*st = r->st;
	teardown(r);
	free(r);
	return ret;
}
