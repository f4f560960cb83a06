// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * synth.c's workloads as a sample source (see source.h).  Records come from
 * 10 s synthetic traces generated one after the other (each with its own
 * seed, so nothing repeats), re-stamped onto the source's clock with
 * continuous sequence numbers; only the current one is held (1.3 MB at
 * 1 kHz).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "capture/source.h"

#define CHUNK_NS    10000000000ULL /* synthetic trace generated at a time */
#define TICK_NS	    100000000ULL   /* real time: the timerfd's interval */
#define DEF_T0_NS   1000000000000ULL
#define DEF_STEP_NS 250000000ULL

struct source_synth {
	struct source base;
	struct synth_source_opts o;
	uint64_t start_ns;  /* clock of record 0 */
	uint64_t vnow_ns;   /* fast: the virtual clock */
	uint64_t next;	    /* index of the next record to hand out */
	struct trace chunk; /* records [chunk_first, chunk_first + chunk.n) */
	uint64_t chunk_first;
	size_t chunk_phase;
	uint64_t chunks; /* generated so far: seeds */
};

static size_t phase_at(const struct source_synth *s, uint64_t rel_ns)
{
	size_t i;

	for (i = 0; i + 1 < s->o.nphases; i++) {
		if (rel_ns < s->o.phase[i].duration_ns)
			return i;
		rel_ns -= s->o.phase[i].duration_ns;
	}
	return i;
}

/* Makes the chunk holding record idx, in the phase that idx falls in. */
static int ensure_chunk(struct source_synth *s, uint64_t idx)
{
	uint64_t rel = idx * s->o.period_ns;
	size_t ph = phase_at(s, rel);
	struct synth_params sp = { 0 };
	struct plerr e;

	if (s->chunk.n && idx >= s->chunk_first && idx < s->chunk_first + s->chunk.n && ph == s->chunk_phase)
		return 0;
	trace__free(&s->chunk);
	sp.workload = s->o.phase[ph].wl;
	sp.seed = s->o.seed + s->chunks++;
	sp.duration_ns = CHUNK_NS;
	sp.period_ns = s->o.period_ns;
	if (synth_trace(&sp, &s->chunk, &e))
		return -ENOMEM;
	s->chunk_first = idx;
	s->chunk_phase = ph;
	return 0;
}

static uint64_t synth_now(struct source *b)
{
	struct source_synth *s = (struct source_synth *)b;

	return s->o.fast ? s->vnow_ns : mono_ns();
}

static long synth_drain(struct source *b, struct pl_sample **out, size_t *n, size_t *cap)
{
	struct source_synth *s = (struct source_synth *)b;
	uint64_t now, until, k, tick;
	size_t start = *n, need;

	if (s->o.fast) {
		now = s->vnow_ns;
		s->vnow_ns += s->o.chunk_ns;
	} else {
		if (read(b->fd, &tick, sizeof(tick)) < 0 && errno != EAGAIN)
			return -errno;
		now = mono_ns();
	}
	if (s->o.hook)
		s->o.hook(s->o.hook_arg, now);
	/* Every record whose nominal time has come (fast: the step just played). */
	until = s->o.fast ? s->vnow_ns : now;
	if (until <= s->start_ns)
		return 0;
	k = (until - s->start_ns) / s->o.period_ns;
	if (k <= s->next)
		return 0;
	need = *n + (size_t)(k - s->next);
	if (need > *cap) {
		size_t c = *cap ? *cap : 1024;
		struct pl_sample *p;

		while (c < need)
			c *= 2;
		p = realloc(*out, c * sizeof(*p));
		if (!p)
			return -ENOMEM;
		*out = p;
		*cap = c;
	}
	for (; s->next < k; s->next++) {
		struct pl_sample *r = &(*out)[(*n)++];
		uint64_t j, jitter;

		if (ensure_chunk(s, s->next)) {
			(*n)--;
			return -ENOMEM;
		}
		j = s->next - s->chunk_first;
		*r = s->chunk.s[j];
		/* synth.c stamps t0 + j * period + jitter below 2 us: keep the jitter. */
		jitter = r->ts_ns - j * s->o.period_ns;
		r->ts_ns = s->start_ns + s->next * s->o.period_ns + jitter;
		r->seq = s->next;
	}
	return (long)(*n - start);
}

static void synth_stats(struct source *b, uint32_t dev_id, struct source_stats *st)
{
	(void)b;
	(void)dev_id;
	(void)st; /* nothing is ever lost */
}

static uint64_t synth_period(struct source *b, uint32_t dev_id)
{
	(void)dev_id;
	return ((struct source_synth *)b)->o.period_ns;
}

static void synth_free(struct source *b)
{
	struct source_synth *s = (struct source_synth *)b;

	if (b->fd >= 0)
		close(b->fd);
	trace__free(&s->chunk);
	free(s);
}

static const struct source_ops synth_ops = {
	.drain = synth_drain,
	.stats = synth_stats,
	.now_ns = synth_now,
	.period_ns = synth_period,
	.free = synth_free,
};

int synth_source_parse(const char *spec, struct synth_source_opts *o, struct plerr *e)
{
	static const struct {
		const char *name;
		enum synth_workload wl;
	} names[] = {
		{ "gpt4", SYNTH_GPT4 },
		{ "small", SYNTH_SMALL },
		{ "miner", SYNTH_MINER },
		{ "tampered", SYNTH_TAMPERED },
	};
	char buf[512], *save = NULL, *tok, *eq;
	size_t i;

	memset(o, 0, sizeof(*o));
	if (!strcmp(spec, "synth"))
		return 0;
	if (strncmp(spec, "synth:", 6) || strlen(spec + 6) >= sizeof(buf) || !spec[6])
		return plerr_set(e, -EINVAL, "bad source '%s' (kmod, synth or synth:WL[=DUR],...)", spec);
	strcpy(buf, spec + 6);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (o->nphases == SYNTH_SOURCE_MAX_PHASES)
			return plerr_set(e, -EINVAL, "at most %d synthetic phases", SYNTH_SOURCE_MAX_PHASES);
		eq = strchr(tok, '=');
		if (eq)
			*eq++ = 0;
		for (i = 0; i < sizeof(names) / sizeof(names[0]) && strcmp(names[i].name, tok); i++)
			;
		if (i == sizeof(names) / sizeof(names[0]))
			return plerr_set(e, -EINVAL, "unknown synthetic workload '%s' (gpt4, small, miner, tampered)",
					 tok);
		o->phase[o->nphases].wl = names[i].wl;
		if (eq && parse_duration_ns(eq, &o->phase[o->nphases].duration_ns))
			return plerr_set(e, -EINVAL, "bad phase duration '%s'", eq);
		o->nphases++;
	}
	return 0;
}

int source_synth__new(struct source **out, const struct synth_source_opts *o, struct plerr *e)
{
	struct source_synth *s;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return plerr_set(e, -ENOMEM, "out of memory");
	s->o = *o;
	if (!s->o.nphases) {
		s->o.nphases = 1;
		s->o.phase[0].wl = SYNTH_GPT4;
	}
	if (!s->o.period_ns)
		s->o.period_ns = PL_PERIOD_DEFAULT_NS;
	if (s->o.period_ns < PL_PERIOD_MIN_NS || s->o.period_ns > PL_PERIOD_MAX_NS) {
		free(s);
		return plerr_set(e, -EINVAL, "synthetic period out of range");
	}
	if (!s->o.t0_ns)
		s->o.t0_ns = DEF_T0_NS;
	if (!s->o.chunk_ns)
		s->o.chunk_ns = DEF_STEP_NS;
	s->base.ops = &synth_ops;
	s->base.kind = PLTR_SRC_SYNTHETIC;
	s->base.period_ns = s->o.period_ns;
	snprintf(s->base.mfr_id, sizeof(s->base.mfr_id), "%s", SYNTH_MFR_ID);
	snprintf(s->base.mfr_model, sizeof(s->base.mfr_model), "%s", SYNTH_MFR_MODEL);
	snprintf(s->base.mfr_serial, sizeof(s->base.mfr_serial), "%s", SYNTH_MFR_SERIAL);
	snprintf(s->base.host, sizeof(s->base.host), "%s", SYNTH_HOST);
	if (s->o.fast) {
		snprintf(s->base.name, sizeof(s->base.name), "synthetic (fast, virtual clock)");
		/* Always readable: the daemon never sleeps on a fast source. */
		s->base.fd = eventfd(1, EFD_CLOEXEC | EFD_NONBLOCK);
		s->start_ns = s->vnow_ns = s->o.t0_ns;
	} else {
		struct itimerspec it = { .it_interval = { 0, TICK_NS }, .it_value = { 0, TICK_NS } };

		snprintf(s->base.name, sizeof(s->base.name), "synthetic (real time, not the kernel)");
		s->base.fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
		if (s->base.fd >= 0 && timerfd_settime(s->base.fd, 0, &it, NULL) < 0) {
			close(s->base.fd);
			s->base.fd = -1;
		}
		s->start_ns = mono_ns();
	}
	if (s->base.fd < 0) {
		int ret = plerr_set(e, -errno, "synthetic source: %s", strerror(errno));

		free(s);
		return ret;
	}
	*out = &s->base;
	return 0;
}
