/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * A series of samples as science/ sees it: the records and what the
 * capture knows about them, nothing of files.  capture/trace.h makes one
 * from a loaded trace (trace_series()).
 */
#ifndef PL_SERIES_H
#define PL_SERIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/sample.h"
#include "science/sensor.h"

struct series {
	const struct pl_sample *s; /* ordered as captured; ts_ns may go backwards in a tampered trace */
	size_t n;
	uint64_t period_ns;  /* nominal sampling period */
	uint64_t lost;	     /* records the capture declared lost (ring overflows) */
	bool kernel_timing;  /* ts_ns taken by the module's sampler (not an imported log's clock) */
	struct sensor_model sensor; /* what the sensor can show (science/sensor.h) */
};

#endif /* PL_SERIES_H */
