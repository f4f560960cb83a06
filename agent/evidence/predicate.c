// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The members of our four predicates, as data, and the checker that holds a
 * parsed predicate to them.  Every member is required, unknown members are
 * rejected (a new member means a new predicateType version), every number is an
 * integer in the unit its name says.  Strings are printable ASCII (canon.c).
 *
 * Trace/v1 (reader):
 *   clock "monotonic"|"realtime", dev_id, fingerprint (hex sha256),
 *   format_version, host, mfr {id, model, serial}, period_ns, rails
 *   (PL_RAIL_* mask), record_size, samples, source "kmod"|"csv"|"synthetic",
 *   t0_ns, t_end_ns
 * Workload/v1 (vendor):
 *   hardware_fingerprint, model, tokens_per_s, window {end_ns, start_ns},
 *   workload "inference"|"training"
 * Baseline/v3 (operator):
 *   active_windows, features {NAME: {hi, lo, mad, median, noise}},
 *   features_version,
 *   hardware_fingerprint, model, null {d_micro [ascending null statistics],
 *   df_milli, feature_scale_micro {NAME:
 *   integer}, group, max_micro, outlier_ppm, samples, scale_micro}, range {ceiling_mw, flat_run_ms, idle_mw, loaded_windows,
 *   plateau_ms}, samples, sensor
 *   {averaging_ns, kind, quantum_uw, refresh_ns}, window_ns, windows
 * Proof/v1 (operator):
 *   baseline_digest, claim_digest, trace_digest (hex sha256 of the baseline
 *   and claim envelopes and of the trace file), detector {name, version},
 *   evidence {NAME: integer | {NAME: integer}}, kind
 *   "model-mismatch"|"crypto-miner-hidden"|"rail-tamper",
 *   window {end_ns, start_ns}
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evidence/statement.h"

enum ftype {
	FT_UINT,     /* integer >= 0 */
	FT_INT,	     /* any int64 */
	FT_STR,	     /* string, 1..255 characters, optionally one of a list */
	FT_STR0,     /* string, 0..255 characters */
	FT_HEX64,    /* 64 lowercase hex digits */
	FT_OBJ,	     /* object with exactly the members in sub */
	FT_MAP,	     /* object of 1..256 NAME -> object matching sub */
	FT_EVIDENCE, /* object of NAME -> integer or object of NAME -> integer */
	FT_INTMAP0,  /* object of 0..256 NAME -> integer */
	FT_UARR,     /* array of 0..1024 integers >= 0, non-decreasing */
};

struct field {
	const char *key;
	enum ftype type;
	const struct field *sub;
	const char *const *oneof;
};

static const char *const clocks[] = { "monotonic", "realtime", NULL };
static const char *const sources[] = { "kmod", "csv", "synthetic", NULL };
static const char *const workloads[] = { "inference", "training", NULL };
static const char *const proof_kinds[] = { "model-mismatch", "crypto-miner-hidden", "rail-tamper", NULL };

static const struct field mfr_fields[] = {
	{ "id", FT_STR0, NULL, NULL },
	{ "model", FT_STR0, NULL, NULL },
	{ "serial", FT_STR0, NULL, NULL },
	{ NULL, 0, NULL, NULL },
};
static const struct field window_fields[] = {
	{ "end_ns", FT_UINT, NULL, NULL },
	{ "start_ns", FT_UINT, NULL, NULL },
	{ NULL, 0, NULL, NULL },
};
static const struct field robust_fields[] = {
	{ "hi", FT_INT, NULL, NULL },
	{ "lo", FT_INT, NULL, NULL },
	{ "mad", FT_UINT, NULL, NULL },
	{ "median", FT_INT, NULL, NULL },
	{ "noise", FT_UINT, NULL, NULL },
	{ NULL, 0, NULL, NULL },
};
static const struct field detector_fields[] = {
	{ "name", FT_STR, NULL, NULL },
	{ "version", FT_UINT, NULL, NULL },
	{ NULL, 0, NULL, NULL },
};

static const struct field trace_fields[] = {
	{ "clock", FT_STR, NULL, clocks },	 { "dev_id", FT_UINT, NULL, NULL },
	{ "fingerprint", FT_HEX64, NULL, NULL }, { "format_version", FT_UINT, NULL, NULL },
	{ "host", FT_STR0, NULL, NULL },	 { "mfr", FT_OBJ, mfr_fields, NULL },
	{ "period_ns", FT_UINT, NULL, NULL },	 { "rails", FT_UINT, NULL, NULL },
	{ "record_size", FT_UINT, NULL, NULL },	 { "samples", FT_UINT, NULL, NULL },
	{ "source", FT_STR, NULL, sources },	 { "t0_ns", FT_UINT, NULL, NULL },
	{ "t_end_ns", FT_UINT, NULL, NULL },	 { NULL, 0, NULL, NULL },
};
static const struct field workload_fields[] = {
	{ "hardware_fingerprint", FT_HEX64, NULL, NULL }, { "model", FT_STR, NULL, NULL },
	{ "tokens_per_s", FT_UINT, NULL, NULL },	  { "window", FT_OBJ, window_fields, NULL },
	{ "workload", FT_STR, NULL, workloads },	  { NULL, 0, NULL, NULL },
};
static const char *const sensor_kinds[] = { "unknown", "pmbus", "nvml", "adc", NULL };
static const struct field sensor_fields[] = {
	{ "averaging_ns", FT_UINT, NULL, NULL },
	{ "kind", FT_STR, NULL, sensor_kinds },
	{ "quantum_uw", FT_UINT, NULL, NULL },
	{ "refresh_ns", FT_UINT, NULL, NULL },
	{ NULL, 0, NULL, NULL },
};
static const struct field range_fields[] = {
	{ "ceiling_mw", FT_INT, NULL, NULL },
	{ "flat_run_ms", FT_UINT, NULL, NULL },
	{ "idle_mw", FT_INT, NULL, NULL },
	{ "loaded_windows", FT_UINT, NULL, NULL },
	{ "plateau_ms", FT_UINT, NULL, NULL },
	{ NULL, 0, NULL, NULL },
};
static const struct field null_fields[] = {
	{ "d_micro", FT_UARR, NULL, NULL },
	{ "df_milli", FT_UINT, NULL, NULL },
	{ "feature_scale_micro", FT_INTMAP0, NULL, NULL },
	{ "group", FT_UINT, NULL, NULL },
	{ "max_micro", FT_UINT, NULL, NULL },
	{ "outlier_ppm", FT_UINT, NULL, NULL },
	{ "samples", FT_UINT, NULL, NULL },
	{ "scale_micro", FT_UINT, NULL, NULL },
	{ NULL, 0, NULL, NULL },
};
static const struct field baseline_fields[] = {
	{ "active_windows", FT_UINT, NULL, NULL },
	{ "features", FT_MAP, robust_fields, NULL },
	{ "features_version", FT_UINT, NULL, NULL },
	{ "hardware_fingerprint", FT_HEX64, NULL, NULL },
	{ "model", FT_STR, NULL, NULL },
	{ "null", FT_OBJ, null_fields, NULL },
	{ "range", FT_OBJ, range_fields, NULL },
	{ "samples", FT_UINT, NULL, NULL },
	{ "sensor", FT_OBJ, sensor_fields, NULL },
	{ "window_ns", FT_UINT, NULL, NULL },
	{ "windows", FT_UINT, NULL, NULL },
	{ NULL, 0, NULL, NULL },
};
static const struct field proof_fields[] = {
	{ "baseline_digest", FT_HEX64, NULL, NULL },   { "claim_digest", FT_HEX64, NULL, NULL },
	{ "detector", FT_OBJ, detector_fields, NULL }, { "evidence", FT_EVIDENCE, NULL, NULL },
	{ "kind", FT_STR, NULL, proof_kinds },	       { "trace_digest", FT_HEX64, NULL, NULL },
	{ "window", FT_OBJ, window_fields, NULL },     { NULL, 0, NULL, NULL },
};

static const struct field *const schemas[__PL_KIND_MAX] = {
	[PL_KIND_TRACE] = trace_fields,
	[PL_KIND_WORKLOAD] = workload_fields,
	[PL_KIND_PROOF] = proof_fields,
	[PL_KIND_BASELINE] = baseline_fields,
};

static int check_obj(json_t *o, const struct field *fields, const char *path, struct plerr *e);

/* "path.key", marked with a trailing '~' when it had to be cut. */
static void subpath(char *dst, size_t n, const char *path, const char *key)
{
	if (snprintf(dst, n, "%s.%s", path, key) >= (int)n)
		dst[n - 2] = '~';
}

static bool name_ok(const char *k)
{
	size_t n = strlen(k);

	return n >= 1 && n <= 64;
}

static int check_value(json_t *v, const struct field *f, const char *path, struct plerr *e)
{
	const char *const *o;
	const char *k, *k2;
	json_t *x, *y;
	char sub[256];
	size_t len;

	switch (f->type) {
	case FT_UINT:
		if (!json_is_integer(v) || json_integer_value(v) < 0)
			return plerr_set(e, -EINVAL, "%s must be a non-negative integer", path);
		return 0;
	case FT_INT:
		if (!json_is_integer(v))
			return plerr_set(e, -EINVAL, "%s must be an integer", path);
		return 0;
	case FT_STR:
	case FT_STR0:
		if (!json_is_string(v))
			return plerr_set(e, -EINVAL, "%s must be a string", path);
		len = json_string_length(v);
		if ((f->type == FT_STR && len == 0) || len > 255)
			return plerr_set(e, -EINVAL, "%s must hold %d to 255 characters", path, f->type == FT_STR);
		if (f->oneof) {
			for (o = f->oneof; *o && strcmp(*o, json_string_value(v)); o++)
				;
			if (!*o)
				return plerr_set(e, -EINVAL, "%s: unknown value \"%s\"", path, json_string_value(v));
		}
		return 0;
	case FT_HEX64:
		if (!json_is_string(v) || !is_sha256_hex(json_string_value(v)))
			return plerr_set(e, -EINVAL, "%s must be 64 lowercase hex digits", path);
		return 0;
	case FT_OBJ: return check_obj(v, f->sub, path, e);
	case FT_MAP:
		if (!json_is_object(v) || json_object_size(v) == 0 || json_object_size(v) > 256)
			return plerr_set(e, -EINVAL, "%s must be an object of 1 to 256 members", path);
		json_object_foreach(v, k, x) {
			subpath(sub, sizeof(sub), path, k);
			if (!name_ok(k))
				return plerr_set(e, -EINVAL, "%s: member names hold 1 to 64 characters", path);
			if (check_obj(x, f->sub, sub, e))
				return -EINVAL;
		}
		return 0;
	case FT_UARR: {
		json_int_t last = 0;
		size_t i;

		if (!json_is_array(v) || json_array_size(v) > 1024)
			return plerr_set(e, -EINVAL, "%s must be an array of at most 1024 integers", path);
		json_array_foreach(v, i, x) {
			if (!json_is_integer(x) || json_integer_value(x) < last)
				return plerr_set(e, -EINVAL, "%s must hold non-decreasing integers >= 0", path);
			last = json_integer_value(x);
		}
		return 0;
	}
	case FT_INTMAP0:
		if (!json_is_object(v) || json_object_size(v) > 256)
			return plerr_set(e, -EINVAL, "%s must be an object of at most 256 members", path);
		json_object_foreach(v, k, x)
			if (!name_ok(k) || !json_is_integer(x))
				return plerr_set(e, -EINVAL, "%s: members must be NAME: integer", path);
		return 0;
	case FT_EVIDENCE:
		if (!json_is_object(v) || json_object_size(v) == 0 || json_object_size(v) > 256)
			return plerr_set(e, -EINVAL, "%s must be an object of 1 to 256 members", path);
		json_object_foreach(v, k, x) {
			if (!name_ok(k))
				return plerr_set(e, -EINVAL, "%s: member names hold 1 to 64 characters", path);
			if (json_is_integer(x))
				continue;
			if (!json_is_object(x) || json_object_size(x) > 256)
				return plerr_set(e, -EINVAL, "%s.%s must be an integer or an object of integers", path,
						 k);
			/* Its own key variable: json_object_foreach iterates through its key. */
			json_object_foreach(x, k2, y) {
				if (!name_ok(k2) || !json_is_integer(y))
					return plerr_set(e, -EINVAL, "%s.%s: nested evidence must be NAME: integer",
							 path, k);
			}
		}
		return 0;
	}
	return plerr_set(e, -EINVAL, "%s: bad schema", path);
}

static int check_obj(json_t *o, const struct field *fields, const char *path, struct plerr *e)
{
	const struct field *f;
	const char *k;
	char sub[256];
	json_t *v;
	int ret;

	if (!json_is_object(o))
		return plerr_set(e, -EINVAL, "%s must be an object", path);
	json_object_foreach(o, k, v) {
		for (f = fields; f->key && strcmp(f->key, k); f++)
			;
		if (!f->key)
			return plerr_set(e, -EINVAL, "%s: unknown member \"%s\"", path, k);
	}
	for (f = fields; f->key; f++) {
		subpath(sub, sizeof(sub), path, f->key);
		v = json_object_get(o, f->key);
		if (!v)
			return plerr_set(e, -EINVAL, "%s: missing member \"%s\"", path, f->key);
		ret = check_value(v, f, sub, e);
		if (ret)
			return ret;
	}
	return 0;
}

static int check_window(json_t *pred, struct plerr *e)
{
	json_t *w = json_object_get(pred, "window");

	if (json_integer_value(json_object_get(w, "end_ns")) < json_integer_value(json_object_get(w, "start_ns")))
		return plerr_set(e, -EINVAL, "window.end_ns is before window.start_ns");
	return 0;
}

int predicate_check(enum pl_kind k, json_t *pred, struct plerr *e)
{
	int ret;

	if (k >= __PL_KIND_MAX)
		return plerr_set(e, -EINVAL, "unknown kind");
	ret = check_obj(pred, schemas[k], "predicate", e);
	if (ret)
		return ret;
	switch (k) {
	case PL_KIND_WORKLOAD:
	case PL_KIND_PROOF: return check_window(pred, e);
	case PL_KIND_TRACE:
		if (json_integer_value(json_object_get(pred, "t_end_ns")) <
		    json_integer_value(json_object_get(pred, "t0_ns")))
			return plerr_set(e, -EINVAL, "t_end_ns is before t0_ns");
		return 0;
	default: return 0;
	}
}

/* A value as it would be signed, cut to fit a message: 42, "host", {"id":...}. */
static void value_text(const json_t *v, char *out, size_t n)
{
	char *s;

	if (!v) {
		strfmt(out, n, "(absent)");
		return;
	}
	s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_SORT_KEYS);
	if (!s) {
		strfmt(out, n, "?");
		return;
	}
	if (strlen(s) >= n && n > 4)
		strfmt(out, n, "%.*s...", (int)(n - 4), s);
	else
		strfmt(out, n, "%s", s);
	free(s);
}

struct diff {
	const char *a_says, *b_says;
	char *out;
	size_t n, len;
	unsigned int count;
};

static void diff_one(struct diff *d, const char *path, const json_t *a, const json_t *b)
{
	char sub[256], ta[64], tb[64];
	const char *k;
	json_t *v;

	if (json_is_object(a) && json_is_object(b)) {
		json_object_foreach((json_t *)a, k, v) {
			subpath(sub, sizeof(sub), path, k);
			diff_one(d, path[0] ? sub : k, v, json_object_get(b, k));
		}
		json_object_foreach((json_t *)b, k, v) {
			if (json_object_get(a, k))
				continue;
			subpath(sub, sizeof(sub), path, k);
			diff_one(d, path[0] ? sub : k, NULL, v);
		}
		return;
	}
	if (a && b && json_equal((json_t *)a, (json_t *)b))
		return;
	d->count++;
	value_text(a, ta, sizeof(ta));
	value_text(b, tb, sizeof(tb));
	if (d->len < d->n)
		d->len += (size_t)snprintf(d->out + d->len, d->n - d->len, "%s%s: %s %s, %s %s",
					   d->count > 1 ? "; " : "", path, d->a_says, ta, d->b_says, tb);
}

unsigned int predicate_diff(const json_t *a, const json_t *b, const char *a_says, const char *b_says, char *out,
			    size_t n)
{
	struct diff d = { a_says, b_says, out, n, 0, 0 };

	if (n)
		out[0] = 0;
	diff_one(&d, "", a, b);
	if (d.len >= n && n > 4)
		memcpy(out + n - 4, "...", 4);
	return d.count;
}
