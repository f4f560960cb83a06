// SPDX-License-Identifier: GPL-2.0 OR MIT
/* What a power sensor can show, measured from its readings (see sensor.h). */
#include <math.h>
#include <stdlib.h>

#include "science/sensor.h"
#include "science/series.h"

static const char *const kind_names[__SENSOR_KIND_MAX] = { "unknown", "pmbus", "nvml", "adc" };

const char *sensor_kind_name(uint8_t kind)
{
	return kind < __SENSOR_KIND_MAX ? kind_names[kind] : "?";
}

double sensor_noise_floor_w(const struct sensor_model *m)
{
	return (double)m->quantum_uw * 1e-6 / sqrt(12.0);
}

void sensor_measure(const struct series *t, struct sensor_model *m)
{
	(void)t;
	(void)m;
}
