// SPDX-License-Identifier: GPL-2.0 OR MIT
/* GPU contexts and their energy, as JSON (contexts.h). */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evidence/contexts.h"

static const char *source_name(uint16_t s)
{
	static const char *const names[__PL_GCS_MAX] = { "?", "cuda", "cudart", "drm", "nvidia", "sched" };

	return s < __PL_GCS_MAX ? names[s] : "?";
}

void contexts_sources_str(uint32_t sources, char *buf, size_t len)
{
	size_t n = 0;
	uint16_t s;

	buf[0] = 0;
	for (s = 1; s < __PL_GCS_MAX && n < len; s++)
		if (sources & (1U << s))
			n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? "," : "", source_name(s));
	if (!buf[0])
		snprintf(buf, len, "-");
}

static json_t *sources_array(uint32_t sources)
{
	json_t *a = json_array();
	uint16_t s;

	for (s = 1; a && s < __PL_GCS_MAX; s++)
		if (sources & (1U << s))
			json_array_append_new(a, json_string(source_name(s)));
	return a;
}

static json_int_t uj(double j)
{
	return (json_int_t)llround(j * 1e6);
}

json_t *contexts_json(const struct trace *t, size_t from, size_t to, size_t max_contexts)
{
	struct series v;
	struct ctx_energy *g = NULL;
	double un = 0, total = 0;
	char ctx[24];
	json_t *o, *a;
	size_t n = 0, i;

	if (ctx_attribute(trace_series(t, &v), from, to, t->ctx, t->nctx, &g, &n, &un, &total))
		return NULL;
	a = json_array();
	for (i = 0; a && i < n && (!max_contexts || i < max_contexts); i++) {
		snprintf(ctx, sizeof(ctx), "0x%" PRIx64, g[i].ctx);
		json_array_append_new(
			a, json_pack("{s:I,s:I,s:I,s:s,s:s,s:I,s:s,s:I,s:I,s:I,s:I,s:I,s:I}", "tgid", (json_int_t)g[i].tgid,
				     "ns_tgid", (json_int_t)g[i].ns_tgid, "pidns", (json_int_t)g[i].pidns_ino, "comm",
				     g[i].comm, "ctx", ctx, "gpu",
				     g[i].gpu == PL_GPU_UNKNOWN ? (json_int_t)-1 : (json_int_t)g[i].gpu, "source",
				     source_name(g[i].source), "energy_uj", uj(g[i].energy_j), "mean_uw",
				     g[i].active_ns ? (json_int_t)llround(g[i].energy_j * 1e15 / (double)g[i].active_ns) : 0,
				     "share_ppm", total > 0 ? (json_int_t)llround(g[i].energy_j / total * 1e6) : 0,
				     "active_ns", (json_int_t)g[i].active_ns, "samples", (json_int_t)g[i].samples,
				     "launches", (json_int_t)g[i].launches));
	}
	free(g);
	if (!a)
		return NULL;
	o = json_pack("{s:I,s:I,s:I,s:o,s:o}", "total_uj", uj(total), "unattributed_uj", uj(un), "dropped_events",
		      (json_int_t)t->info.ctx_dropped, "sources", sources_array(t->info.ctx_sources), "contexts", a);
	return o;
}

json_t *contexts_intervals_json(const struct trace *t)
{
	json_t *a = json_array();
	char ctx[24];
	size_t i;

	for (i = 0; a && i < t->nctx; i++) {
		const struct ctx_interval *iv = &t->ctx[i];

		snprintf(ctx, sizeof(ctx), "0x%" PRIx64, iv->ctx);
		json_array_append_new(
			a, json_pack("{s:I,s:I,s:I,s:I,s:I,s:s,s:s,s:I,s:s,s:I,s:b}", "begin_ns", (json_int_t)iv->begin_ns,
				     "end_ns", (json_int_t)iv->end_ns, "tgid", (json_int_t)iv->tgid, "ns_tgid",
				     (json_int_t)iv->ns_tgid, "pidns", (json_int_t)iv->pidns_ino, "comm", iv->comm, "ctx",
				     ctx, "gpu", iv->gpu == PL_GPU_UNKNOWN ? (json_int_t)-1 : (json_int_t)iv->gpu,
				     "source", source_name(iv->source), "launches", (json_int_t)iv->launches, "open",
				     (iv->flags & CTXI_F_OPEN) != 0));
	}
	return a;
}

static bool real_context(const struct ctx_energy *g)
{
	return g->source != PL_GCS_NVIDIA && !((g->source == PL_GCS_CUDA || g->source == PL_GCS_CUDART) && !g->ctx);
}

int contexts_majority(const struct trace *t, uint64_t start_ns, uint64_t end_ns, struct ctx_energy *who,
		      double *share, double *unattributed)
{
	struct ctx_energy *g = NULL;
	double un, total, best = 0, e;
	size_t from = 0, to, n = 0, i, k, top = SIZE_MAX;

	if (!t->nctx || t->info.ctx_dropped)
		return 0;
	while (from < t->n && t->s[from].ts_ns < start_ns)
		from++;
	for (to = from; to < t->n && t->s[to].ts_ns < end_ns; to++)
		;
	if (ctx_attribute(trace_series(t, &(struct series){ 0 }), from, to, t->ctx, t->nctx, &g, &n, &un, &total))
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		bool seen = false, real = false;

		for (k = 0; k < i; k++)
			seen |= g[k].tgid == g[i].tgid;
		if (seen)
			continue;
		for (e = 0, k = i; k < n; k++)
			if (g[k].tgid == g[i].tgid) {
				e += g[k].energy_j;
				real |= real_context(&g[k]);
			}
		if (real && e > best) {
			best = e;
			top = i;
		}
	}
	if (top == SIZE_MAX || total <= 0 || best <= 0.5 * total) {
		free(g);
		return 0;
	}
	/* g is sorted by energy: the first real context of the process is its largest. */
	for (k = top; k < n; k++)
		if (g[k].tgid == g[top].tgid && real_context(&g[k]))
			break;
	*who = g[k];
	*share = best / total;
	*unattributed = un / total;
	free(g);
	return 1;
}
