/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * A small SVG chart writer, no third-party code: one picture of N panels
 * stacked under a title, each panel a plot area with its own data ranges
 * and axes, drawn into a struct buf in immediate mode (call order is
 * paint order; legends go on top at svg_end()).
 *
 *   struct svg s; struct svg_panel p[2];
 *   svg_begin(&s, &out, 1200, 700, "title");
 *   svg_layout(&s, p, 2, (const double[]){ 2, 1 });
 *   svg_range(&p[0], x0, x1, y0, y1);          (y made nice: 1-2-5 ticks)
 *   svg_axes(&p[0], "time", "s", "power", "W");
 *   svg_line(&p[0], x, y, n, SVG_BLUE, "power");
 *   ret = svg_end(&s);                          (0 or -ENOMEM)
 *
 * Output is deterministic: the same calls give the same bytes (fixed
 * number formats, ids numbered in call order, no time or locale).  Pixel
 * coordinates are printed with one decimal, tick labels with as many
 * decimals as their step needs, other numbers with at most 4 significant
 * digits.  Every text (titles, labels, legends) is XML-escaped.  Data is
 * clipped to its panel.  Numbers are doubles; NaN y values break a line.
 *
 * Errors: drawing calls return nothing; the first error (-ENOMEM) sticks
 * in s->err and svg_end() returns it.  Nothing here prints.
 */
#ifndef PL_SVG_H
#define PL_SVG_H

#include <stddef.h>

#include "lib/util.h"

/* A colour-blind-safe palette (Okabe-Ito). */
#define SVG_BLUE   "#0072b2"
#define SVG_ORANGE "#e69f00"
#define SVG_GREEN  "#009e73"
#define SVG_RED	   "#d55e00"
#define SVG_PURPLE "#cc79a7"
#define SVG_SKY	   "#56b4e9"
#define SVG_GREY   "#666666"

#define SVG_MAX_TICKS 16 /* most ticks an axis gets */

enum svg_legend_kind { SVG_LEG_LINE, SVG_LEG_DASHED, SVG_LEG_DOTTED, SVG_LEG_BOX, SVG_LEG_POINT };

struct svg_panel {
	struct svg *s;
	unsigned int id;	/* clip path "c<id>" */
	double left, top, w, h; /* the plot area, px */
	double x0, x1, y0, y1;	/* data range shown */
	double xstep, ystep;	/* tick steps (svg_range) */
	unsigned int nlegend;	/* legend entries so far */
};

struct svg_legend_entry {
	struct svg_panel panel; /* where it goes (a copy: panels may be the caller's locals) */
	enum svg_legend_kind kind;
	char *color, *label; /* malloc'd */
};

struct svg {
	struct buf *out;
	struct svg_legend_entry *legend; /* drawn at svg_end(), on top of the data, one box per panel */
	size_t nlegend;
	double width_px, height_px;
	unsigned int npanels; /* panels laid out so far (clip path ids) */
	int err;	      /* first error, sticky: 0 or -ENOMEM */
};

/* Line styles of svg_hline(). */
enum svg_dash { SVG_SOLID, SVG_DASHED, SVG_DOTTED };

/* svg.c APIs: */

/*
 * Starts a picture of width x height px with a title (NULL: none) on out
 * (appended).  Sizes below 100 px are raised to 100.
 */
void svg_begin(struct svg *s, struct buf *out, int width_px, int height_px, const char *title);
/*
 * Lays out n panels stacked below the title, panel i taking a share
 * weight[i] / sum(weight) of the height (weight NULL: equal shares), with
 * room for axis labels.  Every panel starts with range [0,1] x [0,1].
 */
void svg_layout(struct svg *s, struct svg_panel *p, size_t n, const double *weight);
/*
 * Sets the data range.  The y range is widened to whole ticks of a nice
 * step (svg_nice_step()); the x range is kept as given (time axes start
 * where the data starts).  An empty or reversed range (y0 >= y1) is
 * widened around its value; NaN or infinite bounds give [0,1].
 */
void svg_range(struct svg_panel *p, double x0, double x1, double y0, double y1);
/* svg_range() keeping both ranges exactly as given (ROC: [0,1] x [0,1]). */
void svg_range_exact(struct svg_panel *p, double x0, double x1, double y0, double y1);
/*
 * Frame, grid, ticks and labels: "xname (xunit)" under the panel, "yname
 * (yunit)" along the left; a NULL unit prints the name alone, a NULL
 * xname leaves the x labels out (stacked panels sharing a time axis).
 */
void svg_axes(struct svg_panel *p, const char *xname, const char *xunit, const char *yname, const char *yunit);

/*
 * A line through (x[i], y[i]), decimated per pixel column: each run of
 * consecutive points falling in one column becomes its minimum and its
 * maximum (in the order they occur), so a path has at most two points per
 * column (spikes stay visible whatever n is).  Points with x outside
 * [x0, x1] or NaN y break the line.  label: a legend entry (NULL: none).
 */
void svg_line(struct svg_panel *p, const double *x, const double *y, size_t n, const char *color, const char *label);
/* Circles of radius r_px at each (x[i], y[i]) in range, not decimated. */
void svg_points(struct svg_panel *p, const double *x, const double *y, size_t n, double r_px, const char *color,
		const char *label);
/* A horizontal band y_lo..y_hi across the panel, translucent. */
void svg_band(struct svg_panel *p, double y_lo, double y_hi, const char *color, const char *label);
/* A horizontal line at y. */
void svg_hline(struct svg_panel *p, double y, enum svg_dash dash, const char *color, const char *label);
/*
 * A marker: a translucent vertical span x_lo..x_hi over the panel's height
 * (at least 2 px wide, so an instant shows), clipped to the x range, as
 * <g class="marker"> with a <title> of text (hover) and, if text_label,
 * text written at its top.  Nothing when the span lies outside the range.
 * Returns 1 when drawn, 0 when not.
 */
int svg_span(struct svg_panel *p, double x_lo, double x_hi, const char *color, const char *text, int text_label);
/* Text at data coordinates (x, y), left-aligned. */
void svg_text(struct svg_panel *p, double x, double y, const char *text);

/*
 * A ROC curve: points (fpr[i], tpr[i]) in order of increasing FPR, in a
 * panel the caller ranged to [0,1] x [0,1] (svg_range_exact()), with the
 * chance diagonal dashed and "label (AUC 0.875)" in the legend.  Returns
 * the AUC (svg_auc()).
 */
double svg_roc(struct svg_panel *p, const double *fpr, const double *tpr, size_t n, const char *color,
	       const char *label);
/* Area under (x[i], y[i]) by trapezoids, in the order given; 0 for n < 2. */
double svg_auc(const double *x, const double *y, size_t n);

/* Ends the picture (legends, closing tag).  Returns s->err: 0 or -ENOMEM. */
int svg_end(struct svg *s);

/*
 * Helpers, exposed for tests.
 *
 * svg_nice_step(): the 1-2-5 x 10^k step giving at most max_ticks ticks
 * over [lo, hi] (0 for an empty or non-finite range).
 * svg_ticks(): the multiples of step within [lo, hi] into t (at most cap);
 * returns how many.
 * svg_escape(): text as XML character data and attribute values (&, <, >,
 * ", ' as entities; control bytes other than tab/newline as '?').
 * svg_fmt(): v with decimals digits after the point, never "-0.00" (a
 * negative that rounds to zero prints as zero).
 */
double svg_nice_step(double lo, double hi, int max_ticks);
size_t svg_ticks(double lo, double hi, double step, double *t, size_t cap);
int svg_escape(struct buf *b, const char *text);
void svg_fmt(char *dst, size_t n, double v, int decimals);

#endif /* PL_SVG_H */
