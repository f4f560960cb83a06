// SPDX-License-Identifier: GPL-2.0 OR MIT
/* SVG charts (svg.h). */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/svg.h"

/* Layout, px. */
#define TITLE_H	   34.0 /* the title line */
#define MARGIN_L   72.0 /* y tick labels and the y axis label */
#define MARGIN_R   16.0
#define MARGIN_B   8.0	/* below the last panel */
#define PANEL_GAP  10.0 /* above each plot area */
#define XLABELS_H  38.0 /* x tick labels and the x axis label under a plot area */
#define LEGEND_ROW 16.0
#define CHAR_W	   6.6 /* estimated width of a 11 px sans-serif character */
#define PX_LIMIT   1e6 /* coordinates are clamped here: no 1e300 in the file */

static void put(struct svg *s, struct buf *b, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void put(struct svg *s, struct buf *b, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	int n;

	if (s->err)
		return;
	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	/* Every format here is short; a longer one is a bug, cut rather than overflow. */
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(tmp))
		n = sizeof(tmp) - 1;
	if (buf_put(b, tmp, (size_t)n))
		s->err = -ENOMEM;
}

static void esc(struct svg *s, struct buf *b, const char *text)
{
	if (!s->err && svg_escape(b, text ? text : ""))
		s->err = -ENOMEM;
}

int svg_escape(struct buf *b, const char *text)
{
	const unsigned char *c;
	int ret = 0;

	for (c = (const unsigned char *)text; *c && !ret; c++) {
		switch (*c) {
		case '&': ret = buf_puts(b, "&amp;"); break;
		case '<': ret = buf_puts(b, "&lt;"); break;
		case '>': ret = buf_puts(b, "&gt;"); break;
		case '"': ret = buf_puts(b, "&quot;"); break;
		case '\'': ret = buf_puts(b, "&#39;"); break;
		default:
			/* XML 1.0 forbids most control characters even as references. */
			ret = buf_putc(b, (*c < 0x20 && *c != '\t' && *c != '\n') || *c == 0x7f ? '?' : (char)*c);
		}
	}
	return ret;
}

void svg_fmt(char *dst, size_t n, double v, int decimals)
{
	if (!isfinite(v)) {
		snprintf(dst, n, "0");
		return;
	}
	snprintf(dst, n, "%.*f", decimals, v);
	if (dst[0] == '-' && strspn(dst + 1, "0.") == strlen(dst + 1))
		memmove(dst, dst + 1, strlen(dst));
}

/* A pixel coordinate: one decimal, ".0" dropped. */
static const char *px(char buf[32], double v)
{
	size_t l;

	if (v > PX_LIMIT)
		v = PX_LIMIT;
	if (v < -PX_LIMIT)
		v = -PX_LIMIT;
	svg_fmt(buf, 32, v, 1);
	l = strlen(buf);
	if (l > 2 && !strcmp(buf + l - 2, ".0"))
		buf[l - 2] = '\0';
	return buf;
}

double svg_nice_step(double lo, double hi, int max_ticks)
{
	double raw, mag, norm, step;

	if (!isfinite(lo) || !isfinite(hi) || hi <= lo)
		return 0;
	if (max_ticks < 2)
		max_ticks = 2;
	/* max_ticks ticks span max_ticks - 1 steps. */
	raw = (hi - lo) / (max_ticks - 1);
	mag = pow(10, floor(log10(raw)));
	norm = raw / mag;
	if (norm <= 1 + 1e-9)
		step = 1;
	else if (norm <= 2 + 1e-9)
		step = 2;
	else if (norm <= 5 + 1e-9)
		step = 5;
	else
		step = 10;
	return step * mag;
}

size_t svg_ticks(double lo, double hi, double step, double *t, size_t cap)
{
	double k, eps = step * 1e-9;
	size_t n = 0;

	if (!(step > 0) || !isfinite(lo) || !isfinite(hi))
		return 0;
	for (k = ceil((lo - eps) / step); n < cap && k * step <= hi + eps; k++) {
		double v = k * step;

		t[n++] = fabs(v) < eps ? 0 : v;
	}
	return n;
}

/* Decimals a tick label of step needs. */
static int step_decimals(double step)
{
	int d;

	if (!(step > 0) || step >= 1)
		return 0;
	d = (int)ceil(-log10(step) - 1e-9);
	return d > 9 ? 9 : d;
}

void svg_begin(struct svg *s, struct buf *out, int width_px, int height_px, const char *title)
{
	char a[32], b[32];

	memset(s, 0, sizeof(*s));
	s->out = out;
	s->width_px = width_px < 100 ? 100 : width_px;
	s->height_px = height_px < 100 ? 100 : height_px;
	put(s, out,
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%s\" height=\"%s\" viewBox=\"0 0 %s %s\" "
	    "font-family=\"sans-serif\" font-size=\"11\">\n",
	    px(a, s->width_px), px(b, s->height_px), a, b);
	if (title) {
		put(s, out, "<title>");
		esc(s, out, title);
		put(s, out, "</title>\n");
	}
	put(s, out, "<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n");
	if (title) {
		put(s, out,
		    "<text class=\"title\" x=\"%s\" y=\"22\" text-anchor=\"middle\" font-size=\"15\" "
		    "font-weight=\"bold\">",
		    px(a, s->width_px / 2));
		esc(s, out, title);
		put(s, out, "</text>\n");
	}
}

void svg_layout(struct svg *s, struct svg_panel *p, size_t n, const double *weight)
{
	double total = 0, top = TITLE_H, avail, share;
	char a[32], b[32], c[32], d[32];
	size_t i;

	if (n == 0)
		return;
	for (i = 0; i < n; i++)
		total += weight && weight[i] > 0 ? weight[i] : 1;
	avail = s->height_px - TITLE_H - MARGIN_B;
	for (i = 0; i < n; i++) {
		memset(&p[i], 0, sizeof(p[i]));
		share = avail * (weight && weight[i] > 0 ? weight[i] : 1) / total;
		p[i].s = s;
		p[i].id = s->npanels++;
		p[i].left = MARGIN_L;
		p[i].w = s->width_px - MARGIN_L - MARGIN_R;
		p[i].top = top + PANEL_GAP;
		p[i].h = share - PANEL_GAP - XLABELS_H;
		if (p[i].h < 10)
			p[i].h = 10;
		if (p[i].w < 10)
			p[i].w = 10;
		top += share;
		svg_range_exact(&p[i], 0, 1, 0, 1);
		put(s, s->out, "<clipPath id=\"c%u\"><rect x=\"%s\" y=\"%s\" width=\"%s\" height=\"%s\"/></clipPath>\n",
		    p[i].id, px(a, p[i].left), px(b, p[i].top), px(c, p[i].w), px(d, p[i].h));
	}
}

static int xticks_max(const struct svg_panel *p)
{
	int n = (int)(p->w / 90);

	return n < 2 ? 2 : n > 12 ? 12 : n;
}

static int yticks_max(const struct svg_panel *p)
{
	int n = (int)(p->h / 36);

	return n < 3 ? 3 : n > 8 ? 8 : n;
}

void svg_range_exact(struct svg_panel *p, double x0, double x1, double y0, double y1)
{
	if (!isfinite(x0) || !isfinite(x1) || x1 <= x0) {
		x0 = isfinite(x0) ? x0 : 0;
		x1 = x0 + 1;
	}
	if (!isfinite(y0) || !isfinite(y1) || y1 <= y0) {
		y0 = isfinite(y0) ? y0 : 0;
		y1 = y0 + 1;
	}
	p->x0 = x0, p->x1 = x1, p->y0 = y0, p->y1 = y1;
	p->xstep = svg_nice_step(x0, x1, xticks_max(p));
	p->ystep = svg_nice_step(y0, y1, yticks_max(p));
}

void svg_range(struct svg_panel *p, double x0, double x1, double y0, double y1)
{
	double step, d;

	if (!isfinite(y0) || !isfinite(y1)) {
		y0 = 0;
		y1 = 1;
	}
	if (y1 <= y0) {
		d = fabs(y0) * 0.05;
		if (!(d > 0))
			d = 1;
		y0 -= d;
		y1 = y0 + 2 * d;
	}
	/*
	 * Widen to whole steps and keep that step: the widened range could
	 * call for a larger one, whose multiples would then miss its ends.
	 */
	step = svg_nice_step(y0, y1, yticks_max(p));
	if (step > 0) {
		y0 = floor(y0 / step + 1e-9) * step;
		y1 = ceil(y1 / step - 1e-9) * step;
	}
	svg_range_exact(p, x0, x1, y0, y1);
	if (step > 0)
		p->ystep = step;
}

static double xpx(const struct svg_panel *p, double x)
{
	return p->left + (x - p->x0) / (p->x1 - p->x0) * p->w;
}

static double ypx(const struct svg_panel *p, double y)
{
	return p->top + p->h - (y - p->y0) / (p->y1 - p->y0) * p->h;
}

static void axis_label(struct svg *s, const char *name, const char *unit)
{
	esc(s, s->out, name);
	if (unit) {
		put(s, s->out, " (");
		esc(s, s->out, unit);
		put(s, s->out, ")");
	}
}

void svg_axes(struct svg_panel *p, const char *xname, const char *xunit, const char *yname, const char *yunit)
{
	struct svg *s = p->s;
	double t[SVG_MAX_TICKS], bottom = p->top + p->h;
	char a[32], b[32], c[32], d[32], lab[64];
	size_t n, i;

	put(s, s->out, "<g class=\"axes\" stroke=\"#bbbbbb\" stroke-width=\"0.5\">\n");
	n = svg_ticks(p->x0, p->x1, p->xstep, t, SVG_MAX_TICKS);
	for (i = 0; i < n; i++)
		put(s, s->out, "<line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\"/>\n", px(a, xpx(p, t[i])), px(b, p->top),
		    px(c, xpx(p, t[i])), px(d, bottom));
	n = svg_ticks(p->y0, p->y1, p->ystep, t, SVG_MAX_TICKS);
	for (i = 0; i < n; i++)
		put(s, s->out, "<line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\"/>\n", px(a, p->left), px(b, ypx(p, t[i])),
		    px(c, p->left + p->w), px(d, ypx(p, t[i])));
	put(s, s->out, "</g>\n");
	put(s, s->out,
	    "<rect class=\"frame\" x=\"%s\" y=\"%s\" width=\"%s\" height=\"%s\" fill=\"none\" stroke=\"#333333\"/>\n",
	    px(a, p->left), px(b, p->top), px(c, p->w), px(d, p->h));

	put(s, s->out, "<g class=\"ticks\" fill=\"#333333\">\n");
	if (xname) {
		n = svg_ticks(p->x0, p->x1, p->xstep, t, SVG_MAX_TICKS);
		for (i = 0; i < n; i++) {
			svg_fmt(lab, sizeof(lab), t[i], step_decimals(p->xstep));
			put(s, s->out, "<text x=\"%s\" y=\"%s\" text-anchor=\"middle\">%s</text>\n",
			    px(a, xpx(p, t[i])), px(b, bottom + 14), lab);
		}
	}
	n = svg_ticks(p->y0, p->y1, p->ystep, t, SVG_MAX_TICKS);
	for (i = 0; i < n; i++) {
		svg_fmt(lab, sizeof(lab), t[i], step_decimals(p->ystep));
		put(s, s->out, "<text x=\"%s\" y=\"%s\" text-anchor=\"end\">%s</text>\n", px(a, p->left - 5),
		    px(b, ypx(p, t[i]) + 4), lab);
	}
	put(s, s->out, "</g>\n");
	if (xname) {
		put(s, s->out, "<text class=\"xlabel\" x=\"%s\" y=\"%s\" text-anchor=\"middle\">",
		    px(a, p->left + p->w / 2), px(b, bottom + 30));
		axis_label(s, xname, xunit);
		put(s, s->out, "</text>\n");
	}
	if (yname) {
		put(s, s->out,
		    "<text class=\"ylabel\" transform=\"translate(%s,%s) rotate(-90)\" text-anchor=\"middle\">",
		    px(a, p->left - 52), px(b, p->top + p->h / 2));
		axis_label(s, yname, yunit);
		put(s, s->out, "</text>\n");
	}
}

/* One legend row; legends are laid out and drawn at svg_end(), on top of the data. */
static void legend(struct svg_panel *p, enum svg_legend_kind k, const char *color, const char *label)
{
	struct svg *s = p->s;
	struct svg_legend_entry *n;

	if (!label || s->err)
		return;
	n = realloc(s->legend, (s->nlegend + 1) * sizeof(*n));
	if (!n) {
		s->err = -ENOMEM;
		return;
	}
	s->legend = n;
	n = &s->legend[s->nlegend];
	n->panel = *p;
	n->kind = k;
	n->color = strdup(color ? color : "");
	n->label = strdup(label);
	if (!n->color || !n->label) {
		free(n->color);
		free(n->label);
		s->err = -ENOMEM;
		return;
	}
	s->nlegend++;
	p->nlegend++;
}

/* The legend of panel id: its entries in call order, one column as wide as its longest label. */
static void legend_draw(struct svg *s, unsigned int id)
{
	const struct svg_panel *p = NULL;
	double w = 0, x, y;
	char a[32], b[32], c[32], d[32];
	size_t j, rows = 0;

	for (j = 0; j < s->nlegend; j++) {
		if (s->legend[j].panel.id != id)
			continue;
		p = &s->legend[j].panel;
		rows++;
		if (34 + CHAR_W * (double)strlen(s->legend[j].label) > w)
			w = 34 + CHAR_W * (double)strlen(s->legend[j].label);
	}
	if (!p)
		return;
	if (w > p->w)
		w = p->w;
	x = p->left + p->w - w - 6;
	put(s, s->out,
	    "<g class=\"legend\">\n<rect x=\"%s\" y=\"%s\" width=\"%s\" height=\"%s\" fill=\"#ffffff\" "
	    "fill-opacity=\"0.85\" stroke=\"#cccccc\"/>\n",
	    px(a, x), px(b, p->top + 6), px(c, w), px(d, LEGEND_ROW * (double)rows + 4));
	for (rows = 0, j = 0; j < s->nlegend; j++) {
		const struct svg_legend_entry *l = &s->legend[j];

		if (l->panel.id != id)
			continue;
		y = p->top + 8 + LEGEND_ROW * (double)rows++;
		switch (l->kind) {
		case SVG_LEG_BOX:
			put(s, s->out,
			    "<rect x=\"%s\" y=\"%s\" width=\"18\" height=\"10\" fill-opacity=\"0.3\" fill=\"",
			    px(a, x + 4), px(b, y + 3));
			break;
		case SVG_LEG_POINT:
			put(s, s->out, "<circle cx=\"%s\" cy=\"%s\" r=\"3\" fill=\"", px(a, x + 13), px(b, y + 8));
			break;
		default:
			put(s, s->out, "<line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\" stroke-width=\"2\"%s stroke=\"",
			    px(a, x + 4), px(b, y + 8), px(c, x + 22), px(d, y + 8),
			    l->kind == SVG_LEG_DASHED	? " stroke-dasharray=\"6 3\""
			    : l->kind == SVG_LEG_DOTTED ? " stroke-dasharray=\"2 2\""
							: "");
		}
		esc(s, s->out, l->color);
		put(s, s->out, "\"/>\n<text x=\"%s\" y=\"%s\">", px(a, x + 28), px(b, y + 12));
		esc(s, s->out, l->label);
		put(s, s->out, "</text>\n");
	}
	put(s, s->out, "</g>\n");
}

static bool x_in(const struct svg_panel *p, double x)
{
	return x >= p->x0 && x <= p->x1;
}

struct path {
	struct svg_panel *p;
	struct buf d;
	char cmd; /* the last path command written, 0 after a break */
	size_t points;
};

static void path_point(struct path *pa, double x, double y)
{
	char a[32], b[32];
	char cmd = pa->cmd ? 'L' : 'M';

	if (pa->cmd == 'L')
		put(pa->p->s, &pa->d, " %s,%s", px(a, xpx(pa->p, x)), px(b, ypx(pa->p, y)));
	else
		put(pa->p->s, &pa->d, "%c%s,%s", cmd, px(a, xpx(pa->p, x)), px(b, ypx(pa->p, y)));
	pa->cmd = cmd;
	pa->points++;
}

struct column {
	long col; /* -1: no run */
	size_t imin, imax;
};

/* Emits a column's run: its minimum and maximum, in the order they occurred. */
static void column_flush(struct path *pa, struct column *c, const double *x, const double *y)
{
	if (c->col < 0)
		return;
	if (c->imin == c->imax) {
		path_point(pa, x[c->imin], y[c->imin]);
	} else if (c->imin < c->imax) {
		path_point(pa, x[c->imin], y[c->imin]);
		path_point(pa, x[c->imax], y[c->imax]);
	} else {
		path_point(pa, x[c->imax], y[c->imax]);
		path_point(pa, x[c->imin], y[c->imin]);
	}
	c->col = -1;
}

void svg_line(struct svg_panel *p, const double *x, const double *y, size_t n, const char *color, const char *label)
{
	struct svg *s = p->s;
	struct path pa = { p, { 0 }, 0, 0 };
	struct column c = { -1, 0, 0 };
	long cols = (long)ceil(p->w), col;
	size_t i;

	if (cols < 1)
		cols = 1;
	for (i = 0; i < n && !s->err; i++) {
		if (!x_in(p, x[i]) || isnan(y[i])) {
			column_flush(&pa, &c, x, y);
			pa.cmd = 0;
			continue;
		}
		col = (long)floor((x[i] - p->x0) / (p->x1 - p->x0) * (double)cols);
		if (col >= cols)
			col = cols - 1;
		if (col == c.col) {
			if (y[i] < y[c.imin])
				c.imin = i;
			if (y[i] > y[c.imax])
				c.imax = i;
			continue;
		}
		column_flush(&pa, &c, x, y);
		c.col = col;
		c.imin = c.imax = i;
	}
	column_flush(&pa, &c, x, y);
	if (pa.points) {
		put(s, s->out,
		    "<path class=\"line\" clip-path=\"url(#c%u)\" fill=\"none\" stroke-width=\"1\" "
		    "stroke-linejoin=\"round\" stroke=\"",
		    p->id);
		esc(s, s->out, color);
		put(s, s->out, "\" d=\"");
		if (!s->err && buf_put(s->out, pa.d.p, pa.d.len))
			s->err = -ENOMEM;
		put(s, s->out, "\"/>\n");
	}
	buf_free(&pa.d);
	legend(p, SVG_LEG_LINE, color, label);
}

void svg_points(struct svg_panel *p, const double *x, const double *y, size_t n, double r_px, const char *color,
		const char *label)
{
	struct svg *s = p->s;
	char a[32], b[32], r[32];
	size_t i;

	put(s, s->out, "<g class=\"points\" clip-path=\"url(#c%u)\" fill=\"", p->id);
	esc(s, s->out, color);
	put(s, s->out, "\">\n");
	px(r, r_px);
	for (i = 0; i < n && !s->err; i++)
		if (x_in(p, x[i]) && isfinite(y[i]))
			put(s, s->out, "<circle cx=\"%s\" cy=\"%s\" r=\"%s\"/>\n", px(a, xpx(p, x[i])),
			    px(b, ypx(p, y[i])), r);
	put(s, s->out, "</g>\n");
	legend(p, SVG_LEG_POINT, color, label);
}

void svg_band(struct svg_panel *p, double y_lo, double y_hi, const char *color, const char *label)
{
	struct svg *s = p->s;
	char a[32], b[32], c[32], d[32];
	double top, bot;

	if (!isfinite(y_lo) || !isfinite(y_hi))
		return;
	top = ypx(p, y_lo > y_hi ? y_lo : y_hi);
	bot = ypx(p, y_lo > y_hi ? y_hi : y_lo);
	put(s, s->out,
	    "<rect class=\"band\" clip-path=\"url(#c%u)\" x=\"%s\" y=\"%s\" width=\"%s\" height=\"%s\" "
	    "fill-opacity=\"0.25\" fill=\"",
	    p->id, px(a, p->left), px(b, top), px(c, p->w), px(d, bot - top));
	esc(s, s->out, color);
	put(s, s->out, "\"/>\n");
	legend(p, SVG_LEG_BOX, color, label);
}

void svg_hline(struct svg_panel *p, double y, enum svg_dash dash, const char *color, const char *label)
{
	struct svg *s = p->s;
	char a[32], b[32], c[32];

	if (!isfinite(y))
		return;
	put(s, s->out,
	    "<line class=\"hline\" clip-path=\"url(#c%u)\" x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\" "
	    "stroke-width=\"1.5\"%s stroke=\"",
	    p->id, px(a, p->left), px(b, ypx(p, y)), px(c, p->left + p->w), b,
	    dash == SVG_DASHED	 ? " stroke-dasharray=\"6 3\""
	    : dash == SVG_DOTTED ? " stroke-dasharray=\"2 2\""
				 : "");
	esc(s, s->out, color);
	put(s, s->out, "\"/>\n");
	legend(p,
	       dash == SVG_DASHED   ? SVG_LEG_DASHED
	       : dash == SVG_DOTTED ? SVG_LEG_DOTTED
				    : SVG_LEG_LINE,
	       color, label);
}

int svg_span(struct svg_panel *p, double x_lo, double x_hi, const char *color, const char *text, int text_label)
{
	struct svg *s = p->s;
	char a[32], b[32], c[32], d[32];
	double l, r;

	if (!isfinite(x_lo) || !isfinite(x_hi))
		return 0;
	if (x_hi < x_lo) {
		double t = x_lo;

		x_lo = x_hi;
		x_hi = t;
	}
	if (x_hi < p->x0 || x_lo > p->x1)
		return 0;
	l = xpx(p, x_lo < p->x0 ? p->x0 : x_lo);
	r = xpx(p, x_hi > p->x1 ? p->x1 : x_hi);
	if (r - l < 2) {
		l = (l + r) / 2 - 1;
		r = l + 2;
	}
	put(s, s->out, "<g class=\"marker\">\n");
	if (text) {
		put(s, s->out, "<title>");
		esc(s, s->out, text);
		put(s, s->out, "</title>\n");
	}
	put(s, s->out,
	    "<rect clip-path=\"url(#c%u)\" x=\"%s\" y=\"%s\" width=\"%s\" height=\"%s\" fill-opacity=\"0.18\" "
	    "stroke-opacity=\"0.8\" fill=\"",
	    p->id, px(a, l), px(b, p->top), px(c, r - l), px(d, p->h));
	esc(s, s->out, color);
	put(s, s->out, "\" stroke=\"");
	esc(s, s->out, color);
	put(s, s->out, "\"/>\n");
	if (text && text_label) {
		put(s, s->out, "<text x=\"%s\" y=\"%s\" fill=\"", px(a, l + 3), px(b, p->top + p->h - 6));
		esc(s, s->out, color);
		put(s, s->out, "\">");
		esc(s, s->out, text);
		put(s, s->out, "</text>\n");
	}
	put(s, s->out, "</g>\n");
	return 1;
}

void svg_text(struct svg_panel *p, double x, double y, const char *text)
{
	struct svg *s = p->s;
	char a[32], b[32];

	put(s, s->out, "<text x=\"%s\" y=\"%s\">", px(a, xpx(p, x)), px(b, ypx(p, y)));
	esc(s, s->out, text);
	put(s, s->out, "</text>\n");
}

double svg_auc(const double *x, const double *y, size_t n)
{
	double a = 0;
	size_t i;

	for (i = 1; i < n; i++)
		a += (x[i] - x[i - 1]) * (y[i] + y[i - 1]) / 2;
	return a;
}

double svg_roc(struct svg_panel *p, const double *fpr, const double *tpr, size_t n, const char *color,
	       const char *label)
{
	static const double diag[2] = { 0, 1 };
	double auc = svg_auc(fpr, tpr, n);
	char leg[300], num[32];
	struct svg *s = p->s;
	char a[32], b[32], c[32], d[32];

	put(s, s->out,
	    "<line class=\"chance\" x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\" stroke=\"#999999\" "
	    "stroke-dasharray=\"4 4\"/>\n",
	    px(a, xpx(p, diag[0])), px(b, ypx(p, diag[0])), px(c, xpx(p, diag[1])), px(d, ypx(p, diag[1])));
	svg_fmt(num, sizeof(num), auc, 3);
	snprintf(leg, sizeof(leg), "%s (AUC %s)", label ? label : "ROC", num);
	svg_line(p, fpr, tpr, n, color, leg);
	svg_points(p, fpr, tpr, n, 2.5, color, NULL);
	return auc;
}

int svg_end(struct svg *s)
{
	size_t i;

	unsigned int id;

	for (id = 0; id < s->npanels; id++)
		legend_draw(s, id);
	put(s, s->out, "</svg>\n");
	for (i = 0; i < s->nlegend; i++) {
		free(s->legend[i].color);
		free(s->legend[i].label);
	}
	free(s->legend);
	s->legend = NULL;
	s->nlegend = 0;
	return s->err;
}
