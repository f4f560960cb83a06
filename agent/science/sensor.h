/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * What a power sensor can show.  Every reading a detector sees went through
 * a sensor with three properties that bound what any statistic of it means:
 *
 *   refresh_ns    time between changes of the reading -- the sensor's own
 *                 update interval, not the poll interval.  NVML's power
 *                 value changes every ~100 ms however often nvidia-smi asks;
 *                 a PMBus PSU updates READ_POUT every few ms.  Readings
 *                 closer together than this are not independent.
 *   quantum_uw    the smallest step of the power reading: LINEAR11's
 *                 2^exponent, an ADC's count times its scale, the 1 mW or
 *                 10 mW of a CSV's printed decimals.  No noise estimate is
 *                 ever below it: an idle signal toggling between two
 *                 adjacent counts is not structure.
 *   averaging_ns  the window the sensor averages over before reporting
 *                 (NVML's 1 s power.draw.average, a PSU's output-capacitor
 *                 and filter time constant); 0 when the readings are
 *                 instantaneous or it is unknown.  Features faster than it
 *                 are smoothed away, steps take this long.
 *
 * `record` takes them from the device (the LINEAR11 exponents and the
 * sampling period it sees) and the data; `import` measures them from the
 * data (sensor_measure()) and lets the user override each one; a version 1
 * trace, which predates them, has them measured when it is read.  origin
 * says, per field, where each came from.
 */
#ifndef PL_SENSOR_H
#define PL_SENSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum sensor_kind {
	SENSOR_UNKNOWN = 0,
	SENSOR_PMBUS = 1, /* a PSU's PMBus telemetry (the module; synthetic PSU) */
	SENSOR_NVML = 2,  /* the GPU board's power sensor through NVML / nvidia-smi */
	SENSOR_ADC = 3,	  /* an external meter or clamp sampled by an ADC */
	__SENSOR_KIND_MAX
};

/* sensor_model.origin bits: the field was given, not measured from the data. */
#define SENSOR_O_REFRESH   (1U << 0)
#define SENSOR_O_QUANTUM   (1U << 1)
#define SENSOR_O_AVERAGING (1U << 2)
#define __SENSOR_O_ALL	   ((1U << 3) - 1)

/* Bounds of the fields (the trace reader rejects anything beyond them): an hour; 1 MW. */
#define SENSOR_MAX_NS	      3600000000000ULL
#define SENSOR_MAX_QUANTUM_UW 1000000000000ULL

struct sensor_model {
	uint64_t refresh_ns;   /* 0: unknown */
	uint64_t quantum_uw;   /* 0: unknown */
	uint64_t averaging_ns; /* 0: none or unknown */
	uint8_t kind;	       /* enum sensor_kind */
	uint8_t origin;	       /* SENSOR_O_* */
};

struct series;

/* sensor.c APIs: */

const char *sensor_kind_name(uint8_t kind); /* "unknown", "pmbus", "nvml", "adc" */

/*
 * Readings sensor_measure() looks at: the first this many (20 s at 1 kHz,
 * over half an hour at 10 Hz) show a sensor's refresh, step and rise, and
 * `run` measures every segment within its memory budget.
 */
#define SENSOR_MEASURE_MAX 20000

/*
 * Fills the fields of *m whose origin bit is clear from the power readings
 * of t's first SENSOR_MEASURE_MAX samples (PIN, else POUT): refresh_ns the median time between changes of the
 * reading (at least t's period), quantum_uw the largest step that divides
 * nearly every change, averaging_ns from the 10-90 % rise time of the
 * largest steps (0 when steps complete within one refresh).  Fields the data
 * cannot show (no change at all), or that come out beyond the bounds above,
 * are left 0.  kind and origin are kept.
 */
void sensor_measure(const struct series *t, struct sensor_model *m);

/*
 * The smallest standard deviation any noise estimate of these readings may
 * have, in W: a quantized reading carries at least quantum / sqrt(12) of
 * rounding noise, whatever its first differences say.
 */
double sensor_noise_floor_w(const struct sensor_model *m);

/*
 * Can windows of readings from sensor b be compared with a baseline made
 * from sensor a (model-mismatch)?  Same kind, both refreshes known and within
 * 25 % of each other (a cadence read at another rate aliases differently),
 * averaging within a factor of 2.  false with why (n bytes)
 * saying what differs.
 */
bool sensor_comparable(const struct sensor_model *a, const struct sensor_model *b, char *why, size_t n);

/*
 * What a baseline states of several comparable traces' sensors: the
 * slowest refresh and averaging and the coarsest quantum (a noise floor
 * and resolution every trace meets); unknown in any stays unknown.
 */
void sensor_merge(struct sensor_model *into, const struct sensor_model *other);

#endif /* PL_SENSOR_H */
