// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libFuzzer harness for the trace reader: any bytes must give either a
 * trace that re-encodes to a file the reader accepts again, or an error;
 * never a crash, leak or out-of-bounds read.  Features and the rail-tamper
 * detector run on whatever parses, since they consume reader output.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "capture/trace.h"
#include "science/detect.h"
#include "science/features.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct window_features *w = NULL;
	struct detect_params dp;
	struct feat_params p;
	struct trace t, again;
	struct plerr e;
	struct buf b = { 0 };
	struct finding f;
	size_t n;

	if (trace_parse(data, size, &t, &e))
		return 0;
	if (trace_encode(&t, &b) || trace_parse(b.p, b.len, &again, &e))
		abort(); /* what we read we must be able to write and read back */
	if (again.n != t.n || (t.n && memcmp(again.s, t.s, t.n * sizeof(*t.s))))
		abort();
	feat_params_default(&p);
	p.window_ns = 1000000; /* short windows: more of them per input */
	if (!features_windows(trace_series(&t, &(struct series){ 0 }), &p, 0, UINT64_MAX, &w, &n))
		free(w);
	detect_params_default(&dp);
	if (detect_rail_tamper(trace_series(&t, &(struct series){ 0 }), 0, UINT64_MAX, &dp, &f) >= 0)
		finding__free(&f);
	trace__free(&again);
	trace__free(&t);
	buf_free(&b);
	return 0;
}
