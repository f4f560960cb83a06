// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libFuzzer harness for CSV import (and the ISO-8601 and decimal parsers
 * under it): any bytes give a valid trace or an error with a report.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "capture/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct csv_opts o = { 0 };
	struct csv_report rep;
	struct trace t, back;
	struct plerr e;
	struct buf b = { 0 };

	o.skip_bad = size && (data[0] & 1);
	o.output_rails = size && (data[0] & 2);
	/* The other paths: one GPU of several, headerless counts at a rate, a period to check. */
	if (size && (data[0] & 4))
		o.gpu = "0";
	if (size && (data[0] & 8)) {
		o.rate_uhz = 2350000000ULL;
		o.scale_pw = 750000000000LL;
		o.offset_ucount = 512000000;
	} else if (size && (data[0] & 16)) {
		o.period_ns = 1000000;
	}
	if (csv_import((const char *)data, size, &o, &t, &rep, &e))
		return 0;
	if (rep.reported > CSV_MAX_REPORTED || t.n == 0 || t.info.period_ns == 0)
		abort();
	for (size_t i = 1; i < t.n; i++)
		if (t.s[i].ts_ns <= t.s[i - 1].ts_ns)
			abort(); /* import promises strictly increasing times */
	/* Whatever import makes, the trace reader must accept. */
	if (trace_encode(&t, &b) || trace_parse(b.p, b.len, &back, &e))
		abort();
	trace__free(&back);
	trace__free(&t);
	buf_free(&b);
	return 0;
}
