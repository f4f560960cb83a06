/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Power CSV import: logger or nvidia-smi output -> trace.
 *
 * The first non-empty, non-# line is the header.  Columns are found by name
 * (case-insensitive, units in [..], (..) or a _unit suffix):
 *   time    timestamp, time, ts, t, elapsed; unit s, ms, us, ns, or ISO-8601
 *           values ("2024-01-15T10:23:45.123Z", nvidia-smi's
 *           "2024/01/15 10:23:45.123"; no zone means UTC)
 *   power   power, watts, w, p, power.draw, pin, pout; unit W (default),
 *           mW, kW
 *   volts   volts, voltage, v, vin, vout; unit V (default), mV
 *   amps    amps, current, a, i, iin, iout; unit A (default), mA
 * Values may carry a unit suffix ("250.45 W").  Delimiter: comma, or
 * semicolon or tab when the header has no comma; fields may be quoted.
 * Without a power column, power is volts * amps.  Rows must have strictly
 * increasing timestamps; a bad row is reported with its line number.
 *
 * One trace is one series.  A GPU column (index, gpu, gpu_id, gpu_index,
 * pci.bus_id, uuid, ...) holding several ids is refused unless gpu selects
 * one; without one, rows sharing timestamps or coming in groups of k close
 * rows (nvidia-smi's rows of GPUs 0..N-1) are refused, skip_bad or not.
 * An unterminated last line that does not parse is a logger killed
 * mid-write: ignored, and said in the report.  A headerless log of one
 * number a line holds ADC counts: power_W = (count - offset) * scale, the
 * time t_i = i / rate (or i * period) on a monotonic clock from 0.  A given
 * period more than 10 % off the timestamps' median interval is refused.
 * The trace's sensor model is measured from the readings (sensor_measure())
 * except for what opts.sensor gives.
 */
#ifndef PL_CSV_H
#define PL_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/trace.h"
#include "lib/util.h"

enum csv_time_unit {
	CSV_TIME_AUTO = 0, /* header unit, else ISO when values look like dates, else s */
	CSV_TIME_S,
	CSV_TIME_MS,
	CSV_TIME_US,
	CSV_TIME_NS,
	CSV_TIME_ISO,
};

struct csv_opts {
	enum csv_time_unit unit;
	uint64_t period_ns; /* 0: median interval */
	bool skip_bad;	    /* drop bad rows instead of failing */
	bool output_rails;  /* readings are the PSU output (POUT/VOUT/IOUT), else input (PIN/VIN/IIN) */
	const char *gpu;       /* import only the rows whose GPU column holds this; NULL: one GPU only */
	uint64_t rate_uhz;     /* uHz, for a log without a time column (or period_ns); 0: none */
	int64_t scale_pw;      /* pW per count, > 0, for headerless counts; 0: not headerless */
	int64_t offset_ucount; /* counts/1e6 subtracted before scaling */
	/*
	 * The sensor model (science/sensor.h): fields with their origin bit set
	 * are given and kept; the others are measured from the data.  kind:
	 * SENSOR_UNKNOWN lets the header decide (nvidia-smi's power.draw is
	 * NVML; headerless counts are an ADC).
	 */
	struct sensor_model sensor;
	uint32_t dev_id;
	const char *mfr_id, *mfr_model, *mfr_serial, *host; /* NULL: "" */
};

#define CSV_MAX_REPORTED 20

struct csv_report {
	size_t rows;			 /* data rows seen */
	size_t bad;			 /* rows rejected */
	size_t reported;		 /* messages in msg[] */
	char msg[CSV_MAX_REPORTED][200]; /* "line 17: ..." */
	bool no_zone;			 /* ISO times without a zone were taken as UTC */
	enum csv_time_unit unit;	 /* the unit used */
	uint64_t period_ns;		 /* the period used */
	size_t truncated_line;		 /* unterminated last line that did not parse, ignored; 0: none */
	char truncated_why[160];	 /* what did not parse */
	size_t other_gpu;		 /* rows of GPUs other than opts.gpu, left out */
	bool mixed;			 /* refused: several series (GPUs) in one log */
	bool synthetic_time;		 /* no time column: t_i = i * period_ns */
};

/* csv.c APIs: */

/*
 * Parses n bytes of CSV into a new trace (t is initialized here).  Returns
 * 0, or -EINVAL with e set: no usable header, no rows, bad rows (unless
 * skip_bad), period not inferable or contradicted by the times, several
 * GPUs (rep->mixed), options that do not fit the file (gpu without a GPU
 * column, rate with a time column, scale with a header).  rep lists bad
 * rows either way.
 */
int csv_import(const char *text, size_t n, const struct csv_opts *o, struct trace *t, struct csv_report *rep,
	       struct plerr *e);

/* ISO-8601 date-time (see above) -> ns since the epoch; *zone says whether a zone was given. */
int parse_iso8601_ns(const char *s, int64_t *out_ns, bool *zone);

#endif /* PL_CSV_H */
