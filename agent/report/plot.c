// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Pictures of traces, baselines and proofs (plot.h). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evidence/baseline_json.h"
#include "evidence/dsse.h"
#include "report/plot.h"
#include "report/svg.h"

int plot_envelope_open(const char *path, const struct keyring *kr, enum pl_kind want, struct signed_statement *ss,
		       bool *verified, struct plerr *e)
{
	struct buf b = { 0 };
	int ret;

	memset(ss, 0, sizeof(*ss));
	*verified = false;
	ret = file_read(path, DSSE_MAX_LEN, &b, e);
	if (ret)
		return ret;
	if (kr && kr->n) {
		ret = statement_open(b.p, b.len, kr->keys, kr->n, ss, e);
		if (ret)
			goto fail;
		*verified = true;
	} else {
		/* No keys: the same parse statement_open() does, minus the signatures. */
		sha256_hex(b.p, b.len, ss->digest);
		ret = dsse_parse(b.p, b.len, &ss->env, e);
		if (ret)
			goto fail;
		if (strcmp(ss->env.payload_type, DSSE_INTOTO_TYPE)) {
			ret = plerr_set(e, -EINVAL, "DSSE payloadType is \"%s\", not \"" DSSE_INTOTO_TYPE "\"",
					ss->env.payload_type);
			goto fail_free;
		}
		ret = statement_parse(ss->env.payload, ss->env.payload_len, &ss->st, e);
		if (ret)
			goto fail_free;
	}
	if (ss->st.kind != want) {
		ret = plerr_set(e, -EINVAL, "a %s statement, not a %s", kind_name(ss->st.kind), kind_name(want));
		goto fail_free;
	}
	buf_free(&b);
	return 0;
fail_free:
	signed_statement__free(ss);
fail:
	buf_free(&b);
	plerr_prefix(e, path);
	return ret;
}

int plot_proof_load(const char *path, const struct keyring *kr, struct plot_proof *pr, struct plerr *e)
{
	struct signed_statement ss;
	json_t *pred, *win;
	int ret;

	memset(pr, 0, sizeof(*pr));
	ret = plot_envelope_open(path, kr, PL_KIND_PROOF, &ss, &pr->verified, e);
	if (ret)
		return ret;
	/* predicate_check() held these to the Proof/v1 schema: present, typed, printable. */
	pred = ss.st.predicate;
	win = json_object_get(pred, "window");
	snprintf(pr->detector, sizeof(pr->detector), "%s",
		 json_string_value(json_object_get(json_object_get(pred, "detector"), "name")));
	snprintf(pr->file, sizeof(pr->file), "%s", path_base(path));
	snprintf(pr->trace_digest, sizeof(pr->trace_digest), "%s",
		 json_string_value(json_object_get(pred, "trace_digest")));
	pr->start_ns = (uint64_t)json_integer_value(json_object_get(win, "start_ns"));
	pr->end_ns = (uint64_t)json_integer_value(json_object_get(win, "end_ns"));
	signed_statement__free(&ss);
	return 0;
}

int plot_baseline_load(const char *path, const struct keyring *kr, struct baseline *b, bool *verified, struct plerr *e)
{
	struct signed_statement ss;
	int ret;

	ret = plot_envelope_open(path, kr, PL_KIND_BASELINE, &ss, verified, e);
	if (ret)
		return ret;
	ret = baseline_from_predicate(ss.st.predicate, b, e);
	if (ret)
		plerr_prefix(e, path);
	signed_statement__free(&ss);
	return ret;
}

/* Seconds between the first sample and ts_ns (negative before it: a tampered trace's clock may go back). */
static double rel_s(uint64_t ts_ns, uint64_t t0_ns)
{
	return ts_ns >= t0_ns ? (double)(ts_ns - t0_ns) * 1e-9 : -(double)(t0_ns - ts_ns) * 1e-9;
}

static const char *detector_color(const char *name)
{
	if (!strcmp(name, "model-mismatch"))
		return SVG_ORANGE;
	if (!strcmp(name, "crypto-miner-hidden"))
		return SVG_PURPLE;
	if (!strcmp(name, "rail-tamper"))
		return SVG_RED;
	return SVG_GREY;
}

/* Extends [*lo, *hi] by the finite y[i] whose x[i] lies in [x0, x1]. */
static void y_extent(const double *x, const double *y, size_t n, double x0, double x1, double *lo, double *hi)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (x[i] < x0 || x[i] > x1 || !isfinite(y[i]))
			continue;
		if (y[i] < *lo)
			*lo = y[i];
		if (y[i] > *hi)
			*hi = y[i];
	}
}

static void extend(double v, double *lo, double *hi)
{
	if (v < *lo)
		*lo = v;
	if (v > *hi)
		*hi = v;
}

/* The baseline's feature f in W (its integer unit is mW), or NAN when it lacks f. */
static double baseline_w(const struct baseline *b, enum feat_id f, double *mad_w)
{
	if (!b || !b->have[f])
		return NAN;
	if (mad_w)
		*mad_w = (double)b->mad[f] * 1e-3;
	return (double)b->median[f] * 1e-3;
}

enum { P_POWER, P_VOUT, P_IOUT, __P_MAX };

int plot_trace(const struct trace *t, const struct plot_opts *o, struct buf *out, struct plerr *e)
{
	static const double weights[__P_MAX] = { 3, 1.4, 1.4 };
	const struct baseline *bl = o->baseline;
	double *x = NULL, *y[__P_MAX] = { NULL }, lo[__P_MAX], hi[__P_MAX];
	double x0, x1, mean_w, mean_mad_w = 0, v;
	struct svg_panel panel[__P_MAX], *pp[__P_MAX];
	bool have[__P_MAX] = { false };
	const char *rail = "PIN";
	char title[512], label[512], what[300];
	size_t i, np = 0, len0 = out->len;
	uint64_t t0;
	struct svg s;
	int k, ret;

	if (t->n == 0)
		return plerr_set(e, -ENODATA, "no samples to plot");
	x = malloc(t->n * sizeof(*x));
	for (k = 0; k < __P_MAX; k++)
		y[k] = malloc(t->n * sizeof(*y[k]));
	if (!x || !y[0] || !y[1] || !y[2]) {
		ret = plerr_set(e, -ENOMEM, "out of memory for %zu samples", t->n);
		goto out;
	}
	t0 = t->s[0].ts_ns;
	x0 = INFINITY;
	x1 = -INFINITY;
	for (i = 0; i < t->n; i++) {
		const struct pl_sample *sm = &t->s[i];
		int64_t uw;

		x[i] = rel_s(sm->ts_ns, t0);
		extend(x[i], &x0, &x1);
		y[P_POWER][i] = sample_power_uw(sm, &uw) ? (double)uw * 1e-6 : NAN;
		y[P_VOUT][i] = sm->rails & PL_RAIL_VOUT ? (double)sm->vout_uv * 1e-6 : NAN;
		y[P_IOUT][i] = sm->rails & PL_RAIL_IOUT ? (double)sm->iout_ua * 1e-6 : NAN;
	}
	if (!(t->s[0].rails & PL_RAIL_PIN) && (t->s[0].rails & PL_RAIL_POUT))
		rail = "POUT";
	if (o->from_ns)
		x0 = (double)o->from_ns * 1e-9;
	if (o->to_ns != UINT64_MAX)
		x1 = (double)o->to_ns * 1e-9;
	if (!(x1 > x0))
		x1 = x0 + (t->info.period_ns ? (double)t->info.period_ns * 1e-9 : 1);

	for (k = 0; k < __P_MAX; k++) {
		lo[k] = INFINITY;
		hi[k] = -INFINITY;
		y_extent(x, y[k], t->n, x0, x1, &lo[k], &hi[k]);
		have[k] = lo[k] <= hi[k];
	}
	if (!have[P_POWER]) {
		ret = plerr_set(e, -ENODATA, "no sample in the time shown holds power (PIN or POUT)");
		goto out;
	}
	mean_w = baseline_w(bl, FEAT_MEAN, &mean_mad_w);
	if (isfinite(mean_w)) {
		extend(mean_w - 1.4826 * mean_mad_w, &lo[P_POWER], &hi[P_POWER]);
		extend(mean_w + 1.4826 * mean_mad_w, &lo[P_POWER], &hi[P_POWER]);
	}
	if (isfinite(v = baseline_w(bl, FEAT_HIGH_LEVEL, NULL)))
		extend(v, &lo[P_POWER], &hi[P_POWER]);
	if (isfinite(v = baseline_w(bl, FEAT_LOW_LEVEL, NULL)))
		extend(v, &lo[P_POWER], &hi[P_POWER]);
	if (isfinite(v = baseline_w(bl, FEAT_MAX, NULL)))
		extend(v, &lo[P_POWER], &hi[P_POWER]);

	for (k = 0; k < __P_MAX; k++)
		if (have[k])
			np++;
	if (o->title) {
		snprintf(title, sizeof(title), "%s", o->title);
	} else {
		snprintf(title, sizeof(title), "%s: %s%s%s, %zu samples every %g ms (%s)", o->name ? o->name : "trace",
			 t->info.mfr_model[0] ? t->info.mfr_model : "unknown model", t->info.host[0] ? " on " : "",
			 t->info.host, t->n, (double)t->info.period_ns * 1e-6, trace_source_name(t->info.source));
	}
	svg_begin(&s, out, o->width_px ? o->width_px : PLOT_DEFAULT_WIDTH_PX,
		  o->height_px ? o->height_px
		  : np == 1    ? 480
			       : 760,
		  title);
	{
		double w[__P_MAX];
		size_t j = 0;

		for (k = 0; k < __P_MAX; k++)
			if (have[k])
				w[j++] = weights[k];
		svg_layout(&s, panel, np, w);
		for (j = 0, k = 0; k < __P_MAX; k++)
			pp[k] = have[k] ? &panel[j++] : NULL;
	}

	for (k = 0; k < __P_MAX; k++) {
		static const char *const names[__P_MAX] = { "power", "VOUT", "IOUT" };
		static const char *const units[__P_MAX] = { "W", "V", "A" };
		static const char *const colors[__P_MAX] = { SVG_BLUE, SVG_GREEN, SVG_SKY };
		bool last = true;
		int k2;

		if (!pp[k])
			continue;
		for (k2 = k + 1; k2 < __P_MAX; k2++)
			if (pp[k2])
				last = false;
		svg_range(pp[k], x0, x1, lo[k], hi[k]);
		svg_axes(pp[k], last ? "time since first sample" : NULL, "s", names[k], units[k]);
		if (k == P_POWER && bl) {
			const char *note = o->baseline_verified ? "" : ", unverified";

			if (isfinite(mean_w)) {
				snprintf(label, sizeof(label), "baseline window mean: median \xc2\xb1 1.4826 MAD%s",
					 note);
				svg_band(pp[k], mean_w - 1.4826 * mean_mad_w, mean_w + 1.4826 * mean_mad_w, SVG_GREEN,
					 label);
			}
			if (isfinite(v = baseline_w(bl, FEAT_HIGH_LEVEL, NULL)))
				svg_hline(pp[k], v, SVG_DASHED, SVG_RED, "baseline high level (median)");
			if (isfinite(v = baseline_w(bl, FEAT_LOW_LEVEL, NULL)))
				svg_hline(pp[k], v, SVG_DASHED, SVG_SKY, "baseline low level (median)");
			if (isfinite(v = baseline_w(bl, FEAT_MAX, NULL)))
				svg_hline(pp[k], v, SVG_DOTTED, SVG_GREY, "baseline window max (median)");
		}
		for (i = 0; i < o->nproofs; i++) {
			const struct plot_proof *pr = &o->proofs[i];

			snprintf(what, sizeof(what), "%s (%s)", pr->detector, pr->verified ? "verified" : "unverified");
			svg_span(pp[k], rel_s(pr->start_ns, t0), rel_s(pr->end_ns, t0), detector_color(pr->detector),
				 what, k == P_POWER);
		}
		if (k == P_POWER)
			snprintf(label, sizeof(label), "power (%s)", rail);
		else
			snprintf(label, sizeof(label), "%s", names[k]);
		svg_line(pp[k], x, y[k], t->n, colors[k], label);
	}
	ret = svg_end(&s);
	if (ret)
		plerr_set(e, ret, "out of memory drawing the picture");
out:
	if (ret && out->p) {
		out->len = len0;
		out->p[len0] = '\0';
	}
	free(x);
	for (k = 0; k < __P_MAX; k++)
		free(y[k]);
	return ret;
}
