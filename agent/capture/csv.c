// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * CSV import.  Numbers are parsed exactly in decimal (no binary floating
 * point on the way to uW and ns), so "1700000000.123456789" keeps its ns.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/csv.h"

#define MAX_FIELDS 64
#define MAX_LINE   4096

enum col_kind { COL_NONE, COL_TIME, COL_POWER, COL_VOLTS, COL_AMPS };

struct column {
	enum col_kind kind;
	int scale; /* decimal exponent from the column's unit to uW/uV/uA or ns */
	bool iso;
	char unit[8];
};

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, unsigned int m, unsigned int d)
{
	int64_t era;
	unsigned int yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned int)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static int digits_n(const char **s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*s)[i]))
			return -EINVAL;
		v = v * 10 + ((*s)[i] - '0');
	}
	*s += n;
	*out = v;
	return 0;
}

int parse_iso8601_ns(const char *s, int64_t *out_ns, bool *zone)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, mo, d, h, mi, sec, zh = 0, zm = 0, nfrac = 0;
	int64_t frac = 0, secs;
	char sep;
	bool leap;

	*zone = false;
	if (digits_n(&s, 4, &y))
		return -EINVAL;
	sep = *s;
	if (sep != '-' && sep != '/')
		return -EINVAL;
	s++;
	if (digits_n(&s, 2, &mo) || *s++ != sep || digits_n(&s, 2, &d))
		return -EINVAL;
	if (*s != 'T' && *s != ' ' && *s != 't')
		return -EINVAL;
	s++;
	if (digits_n(&s, 2, &h) || *s++ != ':' || digits_n(&s, 2, &mi) || *s++ != ':' || digits_n(&s, 2, &sec))
		return -EINVAL;
	if (*s == '.' || *s == ',') {
		s++;
		if (!isdigit((unsigned char)*s))
			return -EINVAL;
		for (; isdigit((unsigned char)*s); s++) {
			if (nfrac < 9) {
				frac = frac * 10 + (*s - '0');
				nfrac++;
			}
		}
		for (; nfrac < 9; nfrac++)
			frac *= 10;
	}
	if (*s == 'Z' || *s == 'z') {
		*zone = true;
		s++;
	} else if (*s == '+' || *s == '-') {
		int sign = *s++ == '-' ? -1 : 1;

		if (digits_n(&s, 2, &zh))
			return -EINVAL;
		if (*s == ':')
			s++;
		if (digits_n(&s, 2, &zm))
			return -EINVAL;
		if (zh > 23 || zm > 59)
			return -EINVAL;
		zh *= sign;
		zm *= sign;
		*zone = true;
	}
	if (*s)
		return -EINVAL;
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] + (mo == 2 && leap) || h > 23 || mi > 59 || sec > 60)
		return -EINVAL;
	secs = days_from_civil(y, (unsigned int)mo, (unsigned int)d) * 86400 + h * 3600 + mi * 60 + sec -
	       (int64_t)zh * 3600 - (int64_t)zm * 60;
	if (secs < 0 || secs > INT64_MAX / 1000000000 - 1)
		return -ERANGE;
	*out_ns = secs * 1000000000 + frac;
	return 0;
}

static void lower_trim(char *s)
{
	char *p = s, *end;

	while (*p == ' ' || *p == '\t')
		p++;
	memmove(s, p, strlen(p) + 1);
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = 0;
	for (p = s; *p; p++)
		*p = (char)tolower((unsigned char)*p);
}

static bool name_in(const char *s, const char *const *names)
{
	for (; *names; names++)
		if (!strcmp(s, *names))
			return true;
	return false;
}

/* Unit -> decimal exponent to micro-units (W, V, A) or ns (time); false if unknown. */
static bool unit_scale(enum col_kind k, const char *u, int *scale, bool *iso)
{
	*iso = false;
	switch (k) {
	case COL_TIME:
		if (!strcmp(u, "s") || !strcmp(u, "sec"))
			*scale = 9;
		else if (!strcmp(u, "ms"))
			*scale = 6;
		else if (!strcmp(u, "us"))
			*scale = 3;
		else if (!strcmp(u, "ns"))
			*scale = 0;
		else if (!strcmp(u, "iso") || !strcmp(u, "utc"))
			*iso = true;
		else
			return false;
		return true;
	case COL_POWER:
		if (!strcmp(u, "w"))
			*scale = 6;
		else if (!strcmp(u, "mw"))
			*scale = 3;
		else if (!strcmp(u, "kw"))
			*scale = 9;
		else
			return false;
		return true;
	case COL_VOLTS:
	case COL_AMPS:
		if (!strcmp(u, k == COL_VOLTS ? "v" : "a"))
			*scale = 6;
		else if (!strcmp(u, k == COL_VOLTS ? "mv" : "ma"))
			*scale = 3;
		else
			return false;
		return true;
	default: return false;
	}
}

static void classify(const char *raw, struct column *c)
{
	static const char *const time_names[] = { "timestamp", "time", "ts", "t", "elapsed", NULL };
	static const char *const power_names[] = { "power",	 "watts",      "watt", "w",    "p",
						   "power.draw", "power_draw", "pin",  "pout", NULL };
	static const char *const volt_names[] = { "volts", "voltage", "volt", "v", "vin", "vout", NULL };
	static const char *const amp_names[] = { "amps", "current", "amp", "a", "i", "iin", "iout", NULL };
	char name[128], unit[16] = "", *open;
	size_t len;

	memset(c, 0, sizeof(*c));
	snprintf(name, sizeof(name), "%s", raw);
	lower_trim(name);
	/* "power.draw [W]", "power (W)" */
	open = strpbrk(name, "[(");
	if (open) {
		char close = *open == '[' ? ']' : ')';
		char *end = strchr(open, close);

		if (end && (size_t)(end - open - 1) < sizeof(unit)) {
			memcpy(unit, open + 1, (size_t)(end - open - 1));
			unit[end - open - 1] = 0;
			lower_trim(unit);
		}
		*open = 0;
		lower_trim(name);
	}
	if (name_in(name, time_names))
		c->kind = COL_TIME;
	else if (name_in(name, power_names))
		c->kind = COL_POWER;
	else if (name_in(name, volt_names))
		c->kind = COL_VOLTS;
	else if (name_in(name, amp_names))
		c->kind = COL_AMPS;
	/* "time_ms", "power_mw", "timestamp_s" */
	if (c->kind == COL_NONE && (open = strrchr(name, '_'))) {
		snprintf(unit, sizeof(unit), "%s", open + 1);
		*open = 0;
		if (name_in(name, time_names))
			c->kind = COL_TIME;
		else if (name_in(name, power_names))
			c->kind = COL_POWER;
		else if (name_in(name, volt_names))
			c->kind = COL_VOLTS;
		else if (name_in(name, amp_names))
			c->kind = COL_AMPS;
		if (c->kind != COL_NONE && !unit_scale(c->kind, unit, &c->scale, &c->iso))
			c->kind = COL_NONE;
		if (c->kind == COL_NONE)
			return;
	}
	if (c->kind == COL_NONE)
		return;
	len = strlen(unit);
	if (len && !unit_scale(c->kind, unit, &c->scale, &c->iso)) {
		c->kind = COL_NONE; /* a unit we do not know: not a column we can use */
		return;
	}
	if (!len) {
		c->scale = c->kind == COL_TIME ? -1 : 6; /* time: decided from the values */
	}
	snprintf(c->unit, sizeof(c->unit), "%s", unit);
}

/* Splits line in place; returns the field count or -1 for a broken quote. */
static int split(char *line, char delim, char **f, int max)
{
	char *r = line, *w;
	int n = 0;

	for (;;) {
		if (n == max)
			return -1;
		while (*r == ' ')
			r++;
		f[n++] = w = r;
		if (*r == '"') {
			r++;
			for (;;) {
				if (!*r)
					return -1;
				if (*r == '"' && r[1] == '"') {
					*w++ = '"';
					r += 2;
				} else if (*r == '"') {
					r++;
					break;
				} else {
					*w++ = *r++;
				}
			}
			while (*r == ' ')
				r++;
			if (*r && *r != delim)
				return -1;
		} else {
			while (*r && *r != delim)
				*w++ = *r++;
		}
		if (!*r) {
			*w = 0;
			break;
		}
		r++;
		*w = 0;
	}
	for (int i = 0; i < n; i++) {
		char *end = f[i] + strlen(f[i]);

		while (end > f[i] && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = 0;
	}
	return n;
}

static void report(struct csv_report *rep, size_t line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void report(struct csv_report *rep, size_t line, const char *fmt, ...)
{
	char tmp[160];
	va_list ap;

	rep->bad++;
	if (rep->reported >= CSV_MAX_REPORTED)
		return;
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	strfmt(rep->msg[rep->reported++], sizeof(rep->msg[0]), "line %zu: %s", line, tmp);
}

/* "250.45 W" -> "250.45" if the suffix is the column's unit (or a bare W/V/A). */
static bool strip_unit(char *v, const struct column *c)
{
	char *sp = v + strlen(v);
	char unit[16];

	while (sp > v && isalpha((unsigned char)sp[-1]))
		sp--;
	if (!*sp)
		return true;
	if (sp == v || strlen(sp) >= sizeof(unit))
		return false;
	snprintf(unit, sizeof(unit), "%s", sp);
	lower_trim(unit);
	if (c->unit[0] ? strcmp(unit, c->unit)
		       : strcmp(unit, c->kind == COL_POWER   ? "w"
				      : c->kind == COL_VOLTS ? "v"
							     : "a"))
		return false;
	*sp = 0;
	while (sp > v && sp[-1] == ' ')
		*--sp = 0;
	return true;
}

static bool looks_iso(const char *v)
{
	return strlen(v) >= 19 && isdigit((unsigned char)v[0]) && (v[4] == '-' || v[4] == '/') && strchr(v, ':');
}

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int csv_import(const char *text, size_t n, const struct csv_opts *o, struct trace *t, struct csv_report *rep,
	       struct plerr *e)
{
	struct column cols[MAX_FIELDS];
	char line[MAX_LINE], *f[MAX_FIELDS], delim = ',';
	int ncols = -1, ti = -1, pi = -1, vi = -1, ai = -1, nf, i, time_scale = 9, ret;
	size_t pos = 0, lineno = 0, len, niv = 0, iv_cap = 0;
	uint64_t *iv = NULL, last_ts = 0;
	bool time_iso = false, have_prev = false, realtime = false;
	struct pl_sample s;
	uint32_t rails;

	memset(rep, 0, sizeof(*rep));
	memset(t, 0, sizeof(*t));
	while (pos < n) {
		const char *nl = memchr(text + pos, '\n', n - pos);

		len = nl ? (size_t)(nl - (text + pos)) : n - pos;
		lineno++;
		if (len >= sizeof(line)) {
			if (ncols < 0)
				return plerr_set(e, -EINVAL, "line %zu: header longer than %d bytes", lineno, MAX_LINE);
			report(rep, lineno, "longer than %d bytes", MAX_LINE);
			pos += len + 1;
			continue;
		}
		memcpy(line, text + pos, len);
		line[len] = 0;
		pos += len + 1;
		if (len && line[len - 1] == '\r')
			line[--len] = 0;
		if (memchr(line, 0, len)) {
			if (ncols < 0)
				return plerr_set(e, -EINVAL, "line %zu: NUL byte in the header", lineno);
			report(rep, lineno, "NUL byte");
			continue;
		}
		/* A UTF-8 byte order mark (spreadsheet exports) is not part of the first line. */
		if (lineno == 1 && len >= 3 && !memcmp(line, "\xef\xbb\xbf", 3)) {
			memmove(line, line + 3, len - 2);
			len -= 3;
		}
		if (strspn(line, " \t") == len || line[strspn(line, " \t")] == '#')
			continue;
		if (ncols < 0) {
			if (!strchr(line, ',') && strchr(line, ';'))
				delim = ';';
			else if (!strchr(line, ',') && strchr(line, '\t'))
				delim = '\t';
			ncols = split(line, delim, f, MAX_FIELDS);
			if (ncols < 0)
				return plerr_set(e, -EINVAL, "line %zu: unreadable header", lineno);
			for (i = 0; i < ncols; i++) {
				classify(f[i], &cols[i]);
				if (cols[i].kind == COL_TIME && ti < 0)
					ti = i;
				else if (cols[i].kind == COL_POWER && pi < 0)
					pi = i;
				else if (cols[i].kind == COL_VOLTS && vi < 0)
					vi = i;
				else if (cols[i].kind == COL_AMPS && ai < 0)
					ai = i;
			}
			if (ti < 0)
				return plerr_set(e, -EINVAL,
						 "line %zu: no time column (timestamp, time, ts, t, elapsed)", lineno);
			if (pi < 0 && (vi < 0 || ai < 0))
				return plerr_set(e, -EINVAL,
						 "line %zu: no power column (power, watts, power.draw [W], ...) and "
						 "not both volts and amps",
						 lineno);
			switch (o->unit) {
			case CSV_TIME_S: time_scale = 9; break;
			case CSV_TIME_MS: time_scale = 6; break;
			case CSV_TIME_US: time_scale = 3; break;
			case CSV_TIME_NS: time_scale = 0; break;
			case CSV_TIME_ISO: time_iso = true; break;
			case CSV_TIME_AUTO:
				time_iso = cols[ti].iso;
				time_scale = cols[ti].scale; /* -1: decide on the first row */
				break;
			}
			rails = o->output_rails ? PL_RAIL_POUT : PL_RAIL_PIN;
			if (vi >= 0)
				rails |= o->output_rails ? PL_RAIL_VOUT : PL_RAIL_VIN;
			if (ai >= 0)
				rails |= o->output_rails ? PL_RAIL_IOUT : PL_RAIL_IIN;
			trace_init(t, 1, o->dev_id, rails, PLTR_SRC_CSV, 0, o->mfr_id ? o->mfr_id : "",
				   o->mfr_model ? o->mfr_model : "", o->mfr_serial ? o->mfr_serial : "",
				   o->host ? o->host : "");
			continue;
		}
		rep->rows++;
		nf = split(line, delim, f, MAX_FIELDS);
		if (nf < 0) {
			report(rep, lineno, "unbalanced quotes or more than %d fields", MAX_FIELDS);
			continue;
		}
		if (nf != ncols && !(nf == ncols + 1 && !*f[nf - 1])) { /* nvidia-smi ends rows with ", " sometimes */
			report(rep, lineno, "%d fields, the header has %d", nf, ncols);
			continue;
		}
		if (!time_iso && time_scale < 0) {
			time_iso = looks_iso(f[ti]);
			time_scale = 9;
		}
		memset(&s, 0, sizeof(s));
		{
			int64_t ts, p = 0, v = 0, a = 0;
			bool zone;

			if (time_iso) {
				ret = parse_iso8601_ns(f[ti], &ts, &zone);
				if (!ret && !zone)
					rep->no_zone = true;
			} else {
				ret = parse_decimal_scaled(f[ti], time_scale, &ts);
			}
			if (ret || ts < 0) {
				report(rep, lineno, "bad time '%.40s'%s", f[ti], time_iso ? " (not ISO-8601)" : "");
				continue;
			}
			if (pi >= 0 && (!strip_unit(f[pi], &cols[pi]) ||
					parse_decimal_scaled(f[pi], cols[pi].scale, &p) || p < 0)) {
				report(rep, lineno, "bad power '%.40s'", f[pi]);
				continue;
			}
			if (vi >= 0 &&
			    (!strip_unit(f[vi], &cols[vi]) || parse_decimal_scaled(f[vi], cols[vi].scale, &v))) {
				report(rep, lineno, "bad voltage '%.40s'", f[vi]);
				continue;
			}
			if (ai >= 0 &&
			    (!strip_unit(f[ai], &cols[ai]) || parse_decimal_scaled(f[ai], cols[ai].scale, &a))) {
				report(rep, lineno, "bad current '%.40s'", f[ai]);
				continue;
			}
			if (pi < 0) {
				/* uV * uA / 1e6 = uW; bounded: |v|, |a| < 2^63 would overflow, real ones are < 1e12 */
				if (v > 1000000000000LL || v < -1000000000000LL || a > 1000000000000LL ||
				    a < -1000000000000LL) {
					report(rep, lineno, "voltage or current out of range");
					continue;
				}
				p = (int64_t)((__int128)v * a / 1000000);
				/* The same rule as a power column: power drawn is never negative. */
				if (p < 0) {
					report(rep, lineno, "negative power %.40s V x %.40s A", f[vi], f[ai]);
					continue;
				}
			}
			if (have_prev && (uint64_t)ts <= last_ts) {
				report(rep, lineno, "time %.40s is not after the previous row's", f[ti]);
				continue;
			}
			s.ts_ns = (uint64_t)ts;
			s.seq = t->n;
			s.dev_id = o->dev_id;
			s.rails = t->info.rails;
			s.version = PL_SAMPLE_VERSION;
			if (o->output_rails) {
				s.pout_uw = p;
				s.vout_uv = v;
				s.iout_ua = a;
			} else {
				s.pin_uw = p;
				s.vin_uv = v;
				s.iin_ua = a;
			}
		}
		if (trace_push(t, &s)) {
			ret = plerr_set(e, -ENOMEM, "out of memory");
			goto fail;
		}
		if (have_prev) {
			if (niv == iv_cap) {
				size_t cap = iv_cap ? 2 * iv_cap : 1024;
				uint64_t *p = realloc(iv, cap * sizeof(*iv));

				if (!p) {
					ret = plerr_set(e, -ENOMEM, "out of memory");
					goto fail;
				}
				iv = p;
				iv_cap = cap;
			}
			iv[niv++] = s.ts_ns - last_ts;
		}
		last_ts = s.ts_ns;
		have_prev = true;
	}
	if (ncols < 0) {
		ret = plerr_set(e, -EINVAL, "no header line");
		goto fail;
	}
	rep->unit = time_iso	      ? CSV_TIME_ISO
		    : time_scale == 9 ? CSV_TIME_S
		    : time_scale == 6 ? CSV_TIME_MS
		    : time_scale == 3 ? CSV_TIME_US
				      : CSV_TIME_NS;
	if (rep->bad && !o->skip_bad) {
		ret = plerr_set(e, -EINVAL, "%zu bad row(s) of %zu (first: %s)", rep->bad, rep->rows, rep->msg[0]);
		goto fail;
	}
	if (t->n == 0) {
		ret = plerr_set(e, -EINVAL, "no usable data rows");
		goto fail;
	}
	if (o->period_ns) {
		rep->period_ns = o->period_ns;
	} else if (t->n >= 2) {
		qsort(iv, niv, sizeof(*iv), u64_cmp);
		rep->period_ns = iv[(niv - 1) / 2]; /* lower median of the intervals */
	} else {
		ret = plerr_set(e, -EINVAL, "one data row: cannot infer the period (give --period)");
		goto fail;
	}
	if (rep->period_ns == 0 || rep->period_ns > PLTR_MAX_PERIOD_NS) {
		ret = plerr_set(e, -EINVAL, "period %" PRIu64 " ns out of range", rep->period_ns);
		goto fail;
	}
	t->info.period_ns = rep->period_ns;
	/* ISO times, or seconds past 2001-09-09 (1e9 s): wall clock; anything else is relative. */
	realtime = time_iso || t->s[0].ts_ns >= 1000000000000000000ULL;
	if (realtime)
		t->info.flags |= PLTR_F_REALTIME;
	free(iv);
	return 0;
fail:
	free(iv);
	trace__free(t);
	return ret;
}
