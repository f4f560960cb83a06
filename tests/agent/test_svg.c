// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * report/svg.c: what makes a picture trustworthy to look at.  Decimation
 * keeps every pixel column's minimum and maximum (a one-sample spike in a
 * million stays visible) with at most two points per column; text is
 * XML-escaped; ticks are 1-2-5 steps; the same calls give the same bytes;
 * the ROC helper's AUC is the trapezoid area.
 */
#include <math.h>

#include "testutil.h"

#include "report/svg.h"

struct pt {
	double x, y;
};

/* The points of the n-th <path class="line"> in s (malloc'd), and how many M commands it has. */
static struct pt *path_points(const char *s, int nth, size_t *n, size_t *moves)
{
	const char *p = s, *end;
	struct pt *v = NULL;
	size_t cap = 0;

	*n = 0;
	*moves = 0;
	for (int i = 0; i <= nth; i++) {
		p = strstr(p, "<path class=\"line\"");
		assert_non_null(p);
		p++;
	}
	p = strstr(p, " d=\"");
	assert_non_null(p);
	p += 4;
	end = strchr(p, '"');
	assert_non_null(end);
	while (p < end) {
		char *q;

		if (*p == 'M')
			(*moves)++;
		if (*p == 'M' || *p == 'L' || *p == ' ') {
			p++;
			continue;
		}
		if (*n == cap) {
			cap = cap ? 2 * cap : 1024;
			v = realloc(v, cap * sizeof(*v));
			assert_non_null(v);
		}
		v[*n].x = strtod(p, &q);
		assert_true(q > p && *q == ',');
		p = q + 1;
		v[*n].y = strtod(p, &q);
		assert_true(q > p);
		p = q;
		(*n)++;
	}
	return v;
}

static double ypx(const struct svg_panel *p, double y)
{
	return p->top + p->h - (y - p->y0) / (p->y1 - p->y0) * p->h;
}

static double xpx(const struct svg_panel *p, double x)
{
	return p->left + (x - p->x0) / (p->x1 - p->x0) * p->w;
}

/* A million samples of noise with two spikes: every column's extremes survive, <= 2 points each. */
static void test_decimation(void **state)
{
	enum { N = 1000000 };
	double *x = malloc(N * sizeof(*x)), *y = malloc(N * sizeof(*y));
	struct buf out = { 0 };
	struct svg_panel p;
	struct pt *pts;
	size_t npts, moves, j = 0, cols, i;
	uint32_t r = 12345;
	struct svg s;

	(void)state;
	assert_non_null(x);
	assert_non_null(y);
	for (i = 0; i < N; i++) {
		r = r * 1664525u + 1013904223u;
		x[i] = (double)i * 1e-3;
		y[i] = 100 + (double)(r >> 16) / 65536.0 * 10;
	}
	y[123457] = 900;  /* a one-sample spike up ... */
	y[876543] = -700; /* ... and down */
	svg_begin(&s, &out, 1200, 400, "decimation");
	svg_layout(&s, &p, 1, NULL);
	svg_range_exact(&p, 0, x[N - 1], -1000, 1000);
	svg_line(&p, x, y, N, SVG_BLUE, "noise");
	assert_int_equal(svg_end(&s), 0);

	pts = path_points((const char *)out.p, 0, &npts, &moves);
	cols = (size_t)ceil(p.w);
	assert_int_equal(moves, 1);
	assert_true(npts <= 2 * cols);
	assert_true(npts >= cols);

	/* Walk the columns as the data falls into them; find each column's min and max, in order, in the path. */
	for (i = 0; i < N;) {
		size_t col = (size_t)floor(x[i] / x[N - 1] * (double)cols), k, imin = i, imax = i, first, second;

		if (col >= cols)
			col = cols - 1;
		for (k = i; k < N; k++) {
			size_t c2 = (size_t)floor(x[k] / x[N - 1] * (double)cols);

			if ((c2 >= cols ? cols - 1 : c2) != col)
				break;
			if (y[k] < y[imin])
				imin = k;
			if (y[k] > y[imax])
				imax = k;
		}
		first = imin < imax ? imin : imax;
		second = imin < imax ? imax : imin;
		assert_true(j < npts);
		assert_true(fabs(pts[j].x - xpx(&p, x[first])) <= 0.051);
		assert_true(fabs(pts[j].y - ypx(&p, y[first])) <= 0.051);
		j++;
		if (second != first) {
			assert_true(j < npts);
			assert_true(fabs(pts[j].x - xpx(&p, x[second])) <= 0.051);
			assert_true(fabs(pts[j].y - ypx(&p, y[second])) <= 0.051);
			j++;
		}
		i = k;
	}
	assert_int_equal(j, npts);
	/* The spikes themselves are points of the path. */
	for (i = 0, j = 0; i < npts; i++)
		if (fabs(pts[i].y - ypx(&p, 900)) <= 0.051 || fabs(pts[i].y - ypx(&p, -700)) <= 0.051)
			j++;
	assert_int_equal(j, 2);
	free(pts);
	free(x);
	free(y);
	buf_free(&out);
}

/* NaN values and points outside the x range break the line into pieces. */
static void test_breaks(void **state)
{
	const double x[] = { 0, 1, 2, 3, 4, 5, 6 }, y[] = { 1, 2, NAN, 3, 4, 5, 6 };
	struct buf out = { 0 };
	struct svg_panel p;
	size_t npts, moves;
	struct pt *pts;
	struct svg s;

	(void)state;
	svg_begin(&s, &out, 400, 300, NULL);
	svg_layout(&s, &p, 1, NULL);
	svg_range(&p, 0, 4, 0, 10);
	svg_line(&p, x, y, 7, SVG_RED, NULL);
	assert_int_equal(svg_end(&s), 0);
	pts = path_points((const char *)out.p, 0, &npts, &moves);
	assert_int_equal(npts, 4); /* 0, 1 | 3, 4; 5 and 6 are past x1 */
	assert_int_equal(moves, 2);
	free(pts);
	buf_free(&out);
}

static void test_escape(void **state)
{
	const double x[] = { 0, 1 }, y[] = { 0, 1 };
	const char *t = "a<b & \"c\" > 'd'\x01";
	struct buf out = { 0 };
	struct svg_panel p;
	struct svg s;

	(void)state;
	svg_begin(&s, &out, 400, 300, t);
	svg_layout(&s, &p, 1, NULL);
	svg_axes(&p, "<x>", "&", "y\"", "'");
	svg_line(&p, x, y, 2, "\"><script>", "le<gend>");
	svg_span(&p, 0.2, 0.4, SVG_RED, "spa&n", 1);
	assert_int_equal(svg_end(&s), 0);
	assert_non_null(strstr((char *)out.p, "<title>a&lt;b &amp; &quot;c&quot; &gt; &#39;d&#39;?</title>"));
	assert_non_null(strstr((char *)out.p, "&lt;x&gt; (&amp;)"));
	assert_non_null(strstr((char *)out.p, "y&quot; (&#39;)"));
	assert_non_null(strstr((char *)out.p, "le&lt;gend&gt;"));
	assert_non_null(strstr((char *)out.p, "spa&amp;n"));
	assert_null(strstr((char *)out.p, "<script"));
	assert_null(strstr((char *)out.p, "a<b"));
	assert_null(strstr((char *)out.p, "\x01"));
	buf_free(&out);
}

static void test_nice_ticks(void **state)
{
	double t[SVG_MAX_TICKS];
	struct buf out = { 0 };
	struct svg_panel p;
	struct svg s;
	char f[32];
	size_t n;

	(void)state;
	assert_true(svg_nice_step(0, 10, 6) == 2);
	assert_true(svg_nice_step(0, 1, 5) == 0.5);
	assert_true(svg_nice_step(0, 100, 11) == 10);
	assert_true(svg_nice_step(1000, 3000, 5) == 500);
	assert_true(fabs(svg_nice_step(-0.3, 0.7, 6) - 0.2) < 1e-12);
	assert_true(fabs(svg_nice_step(53.955, 54.012, 3) - 0.05) < 1e-12);
	assert_true(fabs(svg_nice_step(0, 3e-6, 4) - 1e-6) < 1e-18);
	assert_true(svg_nice_step(5, 5, 5) == 0);
	assert_true(svg_nice_step(0, NAN, 5) == 0);

	assert_int_equal(svg_ticks(0, 10, 2, t, SVG_MAX_TICKS), 6);
	assert_true(t[0] == 0 && t[5] == 10);
	assert_int_equal(svg_ticks(-0.3, 0.7, 0.2, t, SVG_MAX_TICKS), 5);
	assert_true(t[1] == 0); /* exactly zero, not -2.7e-17 */
	svg_fmt(f, sizeof(f), -0.0001, 2);
	assert_string_equal(f, "0.00"); /* no "-0.00" */
	svg_fmt(f, sizeof(f), 54.0, 2);
	assert_string_equal(f, "54.00");

	/* svg_range() widens y to whole steps, whose multiples then mark both ends. */
	svg_begin(&s, &out, 800, 400, NULL);
	svg_layout(&s, &p, 1, NULL);
	svg_range(&p, 0, 1, 0.3, 9.7);
	assert_true(p.y0 == 0 && p.y1 == 10 && p.ystep == 2);
	svg_range(&p, 0, 1, 53.955, 54.012);
	n = svg_ticks(p.y0, p.y1, p.ystep, t, SVG_MAX_TICKS);
	assert_true(p.y0 <= 53.955 && p.y1 >= 54.012 && n >= 3);
	assert_true(fabs(t[0] - p.y0) < 1e-9 && fabs(t[n - 1] - p.y1) < 1e-9); /* ticks at both ends */
	svg_range(&p, 0, 1, 7, 7);					       /* a flat series still gets a range */
	assert_true(p.y0 < 7 && p.y1 > 7);
	svg_end(&s);
	buf_free(&out);
}

static void draw_all(struct buf *out)
{
	const double x[] = { 0, 0.1, 0.2, 0.5, 0.9 }, y[] = { 3.25, 1.5, 2.125, 4, 0.5 };
	const double fpr[] = { 0, 0, 0.5, 1 }, tpr[] = { 0, 0.5, 1, 1 };
	struct svg_panel p[2];
	struct svg s;

	svg_begin(&s, out, 640, 480, "same");
	svg_layout(&s, p, 2, (const double[]){ 2, 1 });
	svg_range(&p[0], 0, 1, 0, 5);
	svg_axes(&p[0], NULL, NULL, "power", "W");
	svg_band(&p[0], 1, 2, SVG_GREEN, "band");
	svg_hline(&p[0], 3, SVG_DASHED, SVG_RED, "level");
	svg_span(&p[0], 0.3, 0.4, SVG_ORANGE, "proof", 1);
	svg_line(&p[0], x, y, 5, SVG_BLUE, "line");
	svg_points(&p[0], x, y, 5, 2, SVG_PURPLE, "points");
	svg_text(&p[0], 0.5, 4.5, "note");
	svg_range_exact(&p[1], 0, 1, 0, 1);
	svg_axes(&p[1], "FPR", NULL, "TPR", NULL);
	svg_roc(&p[1], fpr, tpr, 4, SVG_BLUE, "rule");
	assert_int_equal(svg_end(&s), 0);
}

static void test_deterministic(void **state)
{
	struct buf a = { 0 }, b = { 0 };

	(void)state;
	draw_all(&a);
	draw_all(&b);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.p, b.p, a.len);
	assert_true(!strncmp((char *)a.p, "<svg xmlns=\"http://www.w3.org/2000/svg\"", 39));
	assert_non_null(strstr((char *)a.p, "</svg>\n"));
	buf_free(&a);
	buf_free(&b);
}

static void test_roc_auc(void **state)
{
	const double fpr[] = { 0, 0, 0.5, 1 }, tpr[] = { 0, 0.5, 1, 1 };
	const double dx[] = { 0, 1 }, dy[] = { 0, 1 };
	struct buf out = { 0 };
	struct svg_panel p;
	struct svg s;

	(void)state;
	svg_begin(&s, &out, 500, 500, "ROC");
	svg_layout(&s, &p, 1, NULL);
	svg_range_exact(&p, 0, 1, 0, 1);
	svg_axes(&p, "false positive rate", NULL, "true positive rate", NULL);
	assert_true(fabs(svg_roc(&p, fpr, tpr, 4, SVG_BLUE, "model-mismatch") - 0.875) < 1e-12);
	assert_int_equal(svg_end(&s), 0);
	assert_non_null(strstr((char *)out.p, "model-mismatch (AUC 0.875)"));
	assert_non_null(strstr((char *)out.p, "class=\"chance\""));
	assert_true(fabs(svg_auc(dx, dy, 2) - 0.5) < 1e-12);
	assert_true(svg_auc(dx, dy, 1) == 0);
	buf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decimation), cmocka_unit_test(test_breaks),	 cmocka_unit_test(test_escape),
		cmocka_unit_test(test_nice_ticks), cmocka_unit_test(test_deterministic), cmocka_unit_test(test_roc_auc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
