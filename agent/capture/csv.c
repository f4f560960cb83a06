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

enum col_kind { COL_NONE, COL_TIME, COL_POWER, COL_VOLTS, COL_AMPS, COL_GPU };

struct column {
	enum col_kind kind;
	int scale; /* decimal exponent from the column's unit to uW/uV/uA or ns */
	bool iso;
	char unit[16]; /* as classify() read it: its buffer size */
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

/* The kind a bare column name (no unit) names: time, power, volts, amps, or none. */
static enum col_kind kind_named(const char *name)
{
	static const char *const time_names[] = { "timestamp", "time", "ts", "t", "elapsed", NULL };
	static const char *const power_names[] = { "power",	 "watts",      "watt", "w",    "p",
						   "power.draw", "power_draw", "pin",  "pout", NULL };
	static const char *const volt_names[] = { "volts", "voltage", "volt", "v", "vin", "vout", NULL };
	static const char *const amp_names[] = { "amps", "current", "amp", "a", "i", "iin", "iout", NULL };

	return name_in(name, time_names)    ? COL_TIME
	       : name_in(name, power_names) ? COL_POWER
	       : name_in(name, volt_names)  ? COL_VOLTS
	       : name_in(name, amp_names)   ? COL_AMPS
					    : COL_NONE;
}

static void classify(const char *raw, struct column *c)
{
	static const char *const gpu_names[] = { "index",  "gpu",	 "gpu_id",     "gpu_index", "gpu index", "gpu_uuid",
						 "uuid",   "pci.bus_id", "gpu_bus_id", "bus_id",    "gpuid",	   NULL };
	char name[128], unit[16] = "", *open;
	size_t len;

	memset(c, 0, sizeof(*c));
	snprintf(name, sizeof(name), "%s", raw);
	lower_trim(name);
	/* GPU ids carry no unit: nvidia-smi's "index", "pci.bus_id", "uuid". */
	if (name_in(name, gpu_names)) {
		c->kind = COL_GPU;
		return;
	}
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
	c->kind = kind_named(name);
	/* "time_ms", "power_mw", "timestamp_s" */
	if (c->kind == COL_NONE && (open = strrchr(name, '_'))) {
		snprintf(unit, sizeof(unit), "%s", open + 1);
		*open = 0;
		c->kind = kind_named(name);
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

static int size_cmp(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

/* Lower median; sorts v. */
static uint64_t median_u64(uint64_t *v, size_t n)
{
	qsort(v, n, sizeof(*v), u64_cmp);
	return v[(n - 1) / 2];
}

/* "100ms", "205216ns": exact, in the largest unit that divides ns. */
static const char *fmt_ns(uint64_t ns, char buf[32])
{
	if (ns && ns % 1000000000 == 0)
		snprintf(buf, 32, "%" PRIu64 "s", ns / 1000000000);
	else if (ns && ns % 1000000 == 0)
		snprintf(buf, 32, "%" PRIu64 "ms", ns / 1000000);
	else if (ns && ns % 1000 == 0)
		snprintf(buf, 32, "%" PRIu64 "us", ns / 1000);
	else
		snprintf(buf, 32, "%" PRIu64 "ns", ns);
	return buf;
}

static int grow(void **p, size_t *cap, size_t n, size_t size)
{
	size_t c;
	void *q;

	if (n < *cap)
		return 0;
	c = *cap ? 2 * *cap : 1024;
	q = realloc(*p, c * size);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = c;
	return 0;
}

#define MAX_GPUS 64

/* The values of a GPU column (index, gpu_id, uuid, ...): which GPUs the log holds. */
struct gpu_tally {
	int n;
	bool overflow; /* more than MAX_GPUS different values */
	bool repeat;   /* some value came twice: ids, not row numbers */
	char id[MAX_GPUS][64];
	size_t rows[MAX_GPUS];
};

static void gpu_count(struct gpu_tally *g, const char *v)
{
	for (int i = 0; i < g->n; i++) {
		if (!strncmp(g->id[i], v, sizeof(g->id[i]) - 1)) {
			g->rows[i]++;
			g->repeat = true;
			return;
		}
	}
	if (g->n == MAX_GPUS) {
		g->overflow = true;
		return;
	}
	snprintf(g->id[g->n], sizeof(g->id[0]), "%s", v);
	g->rows[g->n++] = 1;
}

/* "0, 1, 2, 3" (cut with ", ..." to fit). */
static void gpu_list(const struct gpu_tally *g, char *ids, size_t size)
{
	*ids = 0;
	for (int i = 0; i < g->n; i++) {
		size_t l = strlen(ids);

		if (l + strlen(g->id[i]) + 8 >= size) {
			strfmt(ids + l, size - l, ", ...");
			break;
		}
		strfmt(ids + l, size - l, "%s%s", i ? ", " : "", g->id[i]);
	}
}

/* A row's time as the importer read it, kept to look for several GPUs in one series. */
struct row_time {
	int64_t ts_ns;
	size_t line, off; /* line number; byte offset of the line in the text */
};

/* Field idx of the line at off, copied into out (for messages). */
static void field_at(const char *text, size_t n, size_t off, char delim, int idx, char *out, size_t outlen)
{
	const char *nl = memchr(text + off, '\n', n - off);
	size_t len = nl ? (size_t)(nl - (text + off)) : n - off;
	char line[MAX_LINE], *f[MAX_FIELDS];
	int nf;

	*out = 0;
	if (len >= sizeof(line))
		return;
	memcpy(line, text + off, len);
	line[len] = 0;
	if (len && line[len - 1] == '\r')
		line[len - 1] = 0;
	nf = split(line, delim, f, MAX_FIELDS);
	if (idx < nf)
		snprintf(out, outlen, "%s", f[idx]);
}

/*
 * Several series interleaved in one (an nvidia-smi log of several GPUs
 * without an index column): rows sharing one timestamp, or timestamps that
 * come in groups of k rows close together, one group per sample.  One
 * series never looks like this; a logger stamping its samples in batches
 * does, and its times are no better, so it is refused too.  Returns true
 * with why set.
 */
static bool mixed_series(const char *text, size_t n, char delim, int ti, const struct row_time *r, size_t nr,
			 char *why, size_t whylen)
{
	size_t dup = 0, sizes[MAX_GPUS + 1] = { 0 }, first[MAX_GPUS + 1] = { 0 }, i, j, best = 0;
	size_t nl = 0, nshort = 0, nsp = 0, kcount = 0, *sp = NULL, k = 0;
	uint64_t *lg = NULL, *sh = NULL, span, mlong, mshort;
	char tbuf[64], b1[32], b2[32];
	bool ret = false;

	if (nr < 4)
		return false;
	for (i = 0; i < nr; i = j) {
		for (j = i + 1; j < nr && r[j].ts_ns == r[i].ts_ns; j++)
			;
		if (j - i < 2)
			continue;
		dup += j - i - 1;
		if (j - i <= MAX_GPUS && !sizes[j - i]++)
			first[j - i] = i;
	}
	/* An odd repeated timestamp stays a bad row; a quarter of the rows is a pattern. */
	if (dup >= 3 && dup * 4 >= nr) {
		for (i = 2; i <= MAX_GPUS; i++)
			if (sizes[i] && (!best || sizes[i] >= sizes[best]))
				best = i;
		if (best) {
			field_at(text, n, r[first[best]].off, delim, ti, tbuf, sizeof(tbuf));
			strfmt(why, whylen,
			       "%zu rows share timestamp %s (lines %zu-%zu): several GPUs in one log? give --gpu with a "
			       "gpu/index column",
			       best, tbuf, r[first[best]].line, r[first[best] + best - 1].line);
		} else {
			strfmt(why, whylen,
			       "%zu rows share their timestamp with the row before: several GPUs in one log? give --gpu "
			       "with a gpu/index column",
			       dup);
		}
		return true;
	}
	/* Round robin: short steps inside a group, a long one (above the mean) to the next. */
	if (r[nr - 1].ts_ns <= r[0].ts_ns)
		return false;
	span = (uint64_t)(r[nr - 1].ts_ns - r[0].ts_ns);
	lg = malloc(nr * sizeof(*lg));
	sh = malloc(nr * sizeof(*sh));
	sp = malloc(nr * sizeof(*sp));
	if (!lg || !sh || !sp)
		goto out;
	for (i = 0, j = SIZE_MAX; i + 1 < nr; i++) {
		int64_t d = r[i + 1].ts_ns - r[i].ts_ns;

		if (d > 0 && (unsigned __int128)d * (nr - 1) > span) {
			lg[nl++] = (uint64_t)d;
			if (j != SIZE_MAX)
				sp[nsp++] = i - j;
			j = i;
		} else {
			sh[nshort++] = d > 0 ? (uint64_t)d : 0;
		}
	}
	if (nl < 3 || !nshort)
		goto out;
	/* The most common spacing of long steps: the group size. */
	qsort(sp, nsp, sizeof(*sp), size_cmp);
	for (i = 0; i < nsp; i = j) {
		for (j = i; j < nsp && sp[j] == sp[i]; j++)
			;
		if (j - i > kcount) {
			kcount = j - i;
			k = sp[i];
		}
	}
	if (k < 2 || kcount * 4 < nsp * 3)
		goto out;
	mlong = median_u64(lg, nl);
	mshort = median_u64(sh, nshort);
	/*
	 * 1 ms, 2 ms, 1 ms, 2 ms is a 1.5 ms logger stamping in ms, not two
	 * GPUs: rounding to a tick makes long steps at most twice the short
	 * ones.  8 GPUs read 10 ms apart every 100 ms make 3 times.
	 */
	if (2 * mlong <= 5 * mshort)
		goto out;
	strfmt(why, whylen,
	       "timestamps come in groups of %zu rows (%s apart inside a group, %s between groups; from line %zu): "
	       "several GPUs in one log? give --gpu with a gpu/index column",
	       k, fmt_ns(mshort, b1), fmt_ns(mlong, b2), r[0].line);
	ret = true;
out:
	free(lg);
	free(sh);
	free(sp);
	return ret;
}

/* (count - offset) * scale, counts in 1e-6, scale in pW per count -> uW, rounded half away from zero. */
static int counts_to_uw(int64_t count_u, int64_t offset_u, int64_t scale_pw, int64_t *uw)
{
	__int128 num = ((__int128)count_u - offset_u) * scale_pw, q = num / 1000000000000LL,
		 r = num % 1000000000000LL;

	if (2 * (r < 0 ? -r : r) >= 1000000000000LL)
		q += num < 0 ? -1 : 1;
	if (q > INT64_MAX || q < INT64_MIN)
		return -ERANGE;
	*uw = (int64_t)q;
	return 0;
}

int csv_import(const char *text, size_t n, const struct csv_opts *o, struct trace *t, struct csv_report *rep,
	       struct plerr *e)
{
	struct column cols[MAX_FIELDS];
	char line[MAX_LINE], *f[MAX_FIELDS], delim = ',', why[160], gname[64] = "", ids[160] = "", b1[32], b2[32];
	bool nvml = false;
	int ncols = -1, ti = -1, pi = -1, vi = -1, ai = -1, gi = -1, nf, i, time_scale = 9, ret;
	size_t pos = 0, lineno = 0, len, niv = 0, iv_cap = 0, nrt = 0, rt_cap = 0, row_i;
	uint64_t *iv = NULL, last_ts = 0, synth_period_ns = 0;
	struct row_time *rt = NULL;
	bool time_iso = false, have_prev = false, realtime = false, headerless = false, synth = false;
	struct gpu_tally *g = NULL;
	struct pl_sample s;
	uint32_t rails;

	memset(rep, 0, sizeof(*rep));
	memset(t, 0, sizeof(*t));
	g = calloc(1, sizeof(*g));
	if (!g)
		return plerr_set(e, -ENOMEM, "out of memory");
	while (pos < n) {
		const char *nl = memchr(text + pos, '\n', n - pos);
		size_t line_off = pos;
		bool cut = false, have_ts = false;
		int64_t ts = 0;

		len = nl ? (size_t)(nl - (text + pos)) : n - pos;
		lineno++;
		if (len >= sizeof(line)) {
			if (ncols < 0) {
				ret = plerr_set(e, -EINVAL, "line %zu: header longer than %d bytes", lineno, MAX_LINE);
				goto fail;
			}
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
			if (ncols < 0) {
				ret = plerr_set(e, -EINVAL, "line %zu: NUL byte in the header", lineno);
				goto fail;
			}
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
			int64_t num;

			if (!strchr(line, ',') && strchr(line, ';'))
				delim = ';';
			else if (!strchr(line, ',') && strchr(line, '\t'))
				delim = '\t';
			ncols = split(line, delim, f, MAX_FIELDS);
			if (ncols < 0) {
				ret = plerr_set(e, -EINVAL, "line %zu: unreadable header", lineno);
				goto fail;
			}
			/* No header, one number a line: counts of an ADC at a known rate. */
			headerless = ncols == 1 && !parse_decimal_scaled(f[0], 6, &num);
			for (i = 0; i < ncols && !headerless; i++) {
				classify(f[i], &cols[i]);
				if (cols[i].kind == COL_TIME && ti < 0)
					ti = i;
				else if (cols[i].kind == COL_POWER && pi < 0) {
					pi = i;
					nvml = !strncasecmp(f[i], "power.draw", 10);
				}
				else if (cols[i].kind == COL_VOLTS && vi < 0)
					vi = i;
				else if (cols[i].kind == COL_AMPS && ai < 0)
					ai = i;
				else if (cols[i].kind == COL_GPU && gi < 0) {
					gi = i;
					snprintf(gname, sizeof(gname), "%s", f[i]);
				}
			}
			if (headerless) {
				if (!o->scale_pw || (!o->rate_uhz && !o->period_ns)) {
					ret = plerr_set(e, -EINVAL,
							"line %zu: no header, one number a line: a log of counts needs --rate HZ "
							"(or --period D) and --scale W_PER_COUNT [--offset COUNT]",
							lineno);
					goto fail;
				}
			} else if (o->scale_pw) {
				ret = plerr_set(e, -EINVAL,
						"line %zu is a header: --scale and --offset are for headerless one-column "
						"logs of counts",
						lineno);
				goto fail;
			}
			if (o->gpu && gi < 0) {
				ret = plerr_set(e, -EINVAL,
						"--gpu %s: line %zu has no GPU column (index, gpu, gpu_id, gpu_index, "
						"pci.bus_id, uuid)",
						o->gpu, lineno);
				goto fail;
			}
			if (ti >= 0 && o->rate_uhz) {
				ret = plerr_set(e, -EINVAL,
						"--rate is for a log without times; line %zu has the time column '%s' "
						"(--period D is checked against it)",
						lineno, f[ti]);
				goto fail;
			}
			if (ti < 0 && !o->rate_uhz && !o->period_ns) {
				ret = plerr_set(e, -EINVAL,
						"line %zu: no time column (timestamp, time, ts, t, elapsed); a log without "
						"times needs --rate HZ or --period D",
						lineno);
				goto fail;
			}
			if (!headerless && pi < 0 && (vi < 0 || ai < 0)) {
				ret = plerr_set(e, -EINVAL,
						"line %zu: no power column (power, watts, power.draw [W], ...) and "
						"not both volts and amps",
						lineno);
				goto fail;
			}
			/* t_i = i / rate (or i * period) on a monotonic clock from 0: no times to check against. */
			synth = ti < 0;
			if (synth) {
				synth_period_ns = o->rate_uhz ? (1000000000000000ULL + o->rate_uhz / 2) / o->rate_uhz
							      : o->period_ns;
				/* Above 1 GHz two samples could round to one ns. */
				if (o->rate_uhz > 1000000000000000ULL || synth_period_ns == 0 ||
				    synth_period_ns > PLTR_MAX_PERIOD_NS) {
					ret = plerr_set(e, -EINVAL, "--rate out of range (a period of 1 ns .. 3600 s)");
					goto fail;
				}
			}
			switch (o->unit) {
			case CSV_TIME_S: time_scale = 9; break;
			case CSV_TIME_MS: time_scale = 6; break;
			case CSV_TIME_US: time_scale = 3; break;
			case CSV_TIME_NS: time_scale = 0; break;
			case CSV_TIME_ISO: time_iso = true; break;
			case CSV_TIME_AUTO:
				time_iso = ti >= 0 && cols[ti].iso;
				time_scale = ti >= 0 ? cols[ti].scale : 9; /* -1: decide on the first row */
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
			if (!headerless)
				continue;
			/* The first line is the first sample. */
		}
		row_i = rep->rows++;
		nf = split(line, delim, f, MAX_FIELDS);
		if (nf < 0) {
			strfmt(why, sizeof(why), "unbalanced quotes or more than %d fields", MAX_FIELDS);
			cut = true;
			goto reject;
		}
		if (nf != ncols && !(nf == ncols + 1 && !*f[nf - 1])) { /* nvidia-smi ends rows with ", " sometimes */
			strfmt(why, sizeof(why), "%d fields, the header has %d", nf, ncols);
			cut = nf < ncols;
			goto reject;
		}
		if (gi >= 0) {
			gpu_count(g, f[gi]);
			if (o->gpu && strcmp(f[gi], o->gpu)) {
				rep->other_gpu++;
				continue;
			}
		}
		if (!synth && !time_iso && time_scale < 0) {
			time_iso = looks_iso(f[ti]);
			time_scale = 9;
		}
		memset(&s, 0, sizeof(s));
		{
			int64_t p = 0, v = 0, a = 0;
			bool zone;

			if (synth) {
				__int128 x = (__int128)row_i * (o->rate_uhz ? 1000000000000000LL : (int64_t)o->period_ns);

				if (o->rate_uhz)
					x = (x + o->rate_uhz / 2) / o->rate_uhz;
				ret = x > INT64_MAX ? -ERANGE : 0;
				ts = (int64_t)x;
			} else if (time_iso) {
				ret = parse_iso8601_ns(f[ti], &ts, &zone);
				if (!ret && !zone)
					rep->no_zone = true;
			} else {
				ret = parse_decimal_scaled(f[ti], time_scale, &ts);
			}
			if (ret || ts < 0) {
				strfmt(why, sizeof(why), "bad time '%.40s'%s", synth ? "" : f[ti],
				       time_iso ? " (not ISO-8601)" : "");
				cut = ret != 0;
				goto reject;
			}
			have_ts = true;
			if (headerless) {
				int64_t c;

				if (parse_decimal_scaled(f[0], 6, &c)) {
					strfmt(why, sizeof(why), "bad count '%.40s'", f[0]);
					cut = true;
					goto reject;
				}
				if (counts_to_uw(c, o->offset_ucount, o->scale_pw, &p)) {
					strfmt(why, sizeof(why), "count '%.40s' out of range", f[0]);
					goto reject;
				}
				if (p < 0) {
					strfmt(why, sizeof(why), "negative power: count %.40s is below --offset", f[0]);
					goto reject;
				}
			}
			if (pi >= 0 &&
			    (!strip_unit(f[pi], &cols[pi]) || parse_decimal_scaled(f[pi], cols[pi].scale, &p) || p < 0)) {
				strfmt(why, sizeof(why), "bad power '%.40s'", f[pi]);
				cut = p >= 0;
				goto reject;
			}
			if (vi >= 0 &&
			    (!strip_unit(f[vi], &cols[vi]) || parse_decimal_scaled(f[vi], cols[vi].scale, &v))) {
				strfmt(why, sizeof(why), "bad voltage '%.40s'", f[vi]);
				cut = true;
				goto reject;
			}
			if (ai >= 0 &&
			    (!strip_unit(f[ai], &cols[ai]) || parse_decimal_scaled(f[ai], cols[ai].scale, &a))) {
				strfmt(why, sizeof(why), "bad current '%.40s'", f[ai]);
				cut = true;
				goto reject;
			}
			if (!headerless && pi < 0) {
				/* uV * uA / 1e6 = uW; bounded: |v|, |a| < 2^63 would overflow, real ones are < 1e12 */
				if (v > 1000000000000LL || v < -1000000000000LL || a > 1000000000000LL ||
				    a < -1000000000000LL) {
					strfmt(why, sizeof(why), "voltage or current out of range");
					goto reject;
				}
				p = (int64_t)((__int128)v * a / 1000000);
				/* The same rule as a power column: power drawn is never negative. */
				if (p < 0) {
					strfmt(why, sizeof(why), "negative power %.40s V x %.40s A", f[vi], f[ai]);
					goto reject;
				}
			}
			if (have_prev && (uint64_t)ts <= last_ts) {
				strfmt(why, sizeof(why), "time %.40s is not after the previous row's", f[ti]);
				goto reject;
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
		if (trace_push(t, &s) || grow((void **)&rt, &rt_cap, nrt, sizeof(*rt))) {
			ret = plerr_set(e, -ENOMEM, "out of memory");
			goto fail;
		}
		rt[nrt++] = (struct row_time){ ts, lineno, line_off };
		if (have_prev) {
			if (grow((void **)&iv, &iv_cap, niv, sizeof(*iv))) {
				ret = plerr_set(e, -ENOMEM, "out of memory");
				goto fail;
			}
			iv[niv++] = s.ts_ns - last_ts;
		}
		last_ts = s.ts_ns;
		have_prev = true;
		continue;
reject:
		/* A logger killed mid-write leaves an unterminated last line: that line alone is lost. */
		if (cut && !nl) {
			rep->rows--;
			rep->truncated_line = lineno;
			strfmt(rep->truncated_why, sizeof(rep->truncated_why), "%s", why);
			continue;
		}
		if (have_ts) {
			if (grow((void **)&rt, &rt_cap, nrt, sizeof(*rt))) {
				ret = plerr_set(e, -ENOMEM, "out of memory");
				goto fail;
			}
			rt[nrt++] = (struct row_time){ ts, lineno, line_off };
		}
		report(rep, lineno, "%s", why);
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
	rep->synthetic_time = synth;
	/* Several GPUs are several series: never one trace, --skip-bad or not. */
	if (gi >= 0)
		gpu_list(g, ids, sizeof(ids));
	if (gi >= 0 && !o->gpu && g->repeat && (g->n >= 2 || g->overflow)) {
		rep->mixed = true;
		ret = plerr_set(e, -EINVAL, "%s%d GPUs in column '%s' (%s): import one at a time with --gpu ID, e.g. --gpu %s",
				g->overflow ? "more than " : "", g->n, gname, ids, g->id[0]);
		goto fail;
	}
	if (gi >= 0 && o->gpu) {
		for (i = 0; i < g->n && strncmp(g->id[i], o->gpu, sizeof(g->id[0]) - 1); i++)
			;
		if (i == g->n) {
			ret = plerr_set(e, -EINVAL, "--gpu %s: no such value in column '%s' (it holds %s)", o->gpu, gname,
					g->n ? ids : "none");
			goto fail;
		}
	}
	if (!synth && mixed_series(text, n, delim, ti, rt, nrt, why, sizeof(why))) {
		rep->mixed = true;
		ret = plerr_set(e, -EINVAL, "%s", why);
		goto fail;
	}
	if (rep->bad && !o->skip_bad) {
		ret = plerr_set(e, -EINVAL, "%zu bad row(s) of %zu (first: %s)", rep->bad, rep->rows, rep->msg[0]);
		goto fail;
	}
	if (t->n == 0) {
		ret = plerr_set(e, -EINVAL, "no usable data rows");
		goto fail;
	}
	if (synth) {
		rep->period_ns = synth_period_ns;
	} else if (t->n >= 2) {
		uint64_t m = median_u64(iv, niv);

		/* A nominal period the timestamps contradict would mislead every window and detector. */
		if (o->period_ns && (o->period_ns > m ? o->period_ns - m : m - o->period_ns) > m / 10) {
			ret = plerr_set(e, -EINVAL,
					"--period %s differs from the timestamps' median interval %s by more than 10 %% "
					"(check --period and --time-unit)",
					fmt_ns(o->period_ns, b1), fmt_ns(m, b2));
			goto fail;
		}
		rep->period_ns = o->period_ns ? o->period_ns : m;
	} else if (o->period_ns) {
		rep->period_ns = o->period_ns;
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
	realtime = !synth && (time_iso || t->s[0].ts_ns >= 1000000000000000000ULL);
	if (realtime)
		t->info.flags |= PLTR_F_REALTIME;
	t->info.sensor = o->sensor;
	if (o->sensor.kind == SENSOR_UNKNOWN)
		t->info.sensor.kind = headerless ? SENSOR_ADC : nvml ? SENSOR_NVML : SENSOR_UNKNOWN;
	trace_measure_sensor(t);
	free(iv);
	free(rt);
	free(g);
	return 0;
fail:
	free(iv);
	free(rt);
	free(g);
	trace__free(t);
	return ret;
}
