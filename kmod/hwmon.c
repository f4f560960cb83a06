// SPDX-License-Identifier: GPL-2.0
/*
 * hwmon view of a PSU, served from the latest sample: reading sysfs never
 * causes bus traffic, so `sensors` cannot disturb the 1 kHz sampler.
 *
 *   in1 vin, in2 vout (mV); curr1 iin, curr2 iout (mA);
 *   power1 pin, power2 pout (uW); temp1 (millidegree C)
 */
#include <linux/hwmon.h>
#include <linux/math64.h>

#include "powerledger.h"

struct chan_map {
	enum hwmon_sensor_types type;
	int channel;
	u32 rail;
	const char *label;
};

static const struct chan_map chan_map[] = {
	{ hwmon_in,    1, PL_RAIL_VIN,  "vin" },
	{ hwmon_in,    2, PL_RAIL_VOUT, "vout1" },
	{ hwmon_curr,  0, PL_RAIL_IIN,  "iin" },
	{ hwmon_curr,  1, PL_RAIL_IOUT, "iout1" },
	{ hwmon_power, 0, PL_RAIL_PIN,  "pin" },
	{ hwmon_power, 1, PL_RAIL_POUT, "pout1" },
	{ hwmon_temp,  0, PL_RAIL_TEMP, "temp1" },
};

static const struct chan_map *find_chan(enum hwmon_sensor_types type, int channel)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(chan_map); i++)
		if (chan_map[i].type == type && chan_map[i].channel == channel)
			return &chan_map[i];
	return NULL;
}

static umode_t pl_hwmon_is_visible(const void *data, enum hwmon_sensor_types type,
				   u32 attr, int channel)
{
	const struct pl_dev *pd = data;
	const struct chan_map *c = find_chan(type, channel);

	if (!c || !(pd->rails & c->rail))
		return 0;
	return 0444;
}

static int pl_hwmon_read(struct device *dev, enum hwmon_sensor_types type,
			 u32 attr, int channel, long *val)
{
	struct pl_dev *pd = dev_get_drvdata(dev);
	const struct chan_map *c = find_chan(type, channel);
	unsigned long flags;
	bool valid;
	s64 v = 0;

	if (!c)
		return -EOPNOTSUPP;
	spin_lock_irqsave(&pd->latest_lock, flags);
	valid = pd->have_latest && (pd->latest.rails & c->rail);
	if (valid)
		v = pl_sample_rail_value(&pd->latest, c->rail);
	spin_unlock_irqrestore(&pd->latest_lock, flags);
	if (!valid)
		return -ENODATA;

	/* hwmon units: mV, mA, uW, millidegree */
	if (type == hwmon_in || type == hwmon_curr)
		v = div_s64(v, 1000);
	*val = (long)v;
	return 0;
}

static int pl_hwmon_read_string(struct device *dev, enum hwmon_sensor_types type,
				u32 attr, int channel, const char **str)
{
	const struct chan_map *c = find_chan(type, channel);

	if (!c)
		return -EOPNOTSUPP;
	*str = c->label;
	return 0;
}

static const struct hwmon_channel_info *pl_hwmon_info[] = {
	HWMON_CHANNEL_INFO(in,
			   HWMON_I_INPUT,	/* in0: hidden, PMBus numbers vin as in1 */
			   HWMON_I_INPUT | HWMON_I_LABEL,
			   HWMON_I_INPUT | HWMON_I_LABEL),
	HWMON_CHANNEL_INFO(curr,
			   HWMON_C_INPUT | HWMON_C_LABEL,
			   HWMON_C_INPUT | HWMON_C_LABEL),
	HWMON_CHANNEL_INFO(power,
			   HWMON_P_INPUT | HWMON_P_LABEL,
			   HWMON_P_INPUT | HWMON_P_LABEL),
	HWMON_CHANNEL_INFO(temp,
			   HWMON_T_INPUT | HWMON_T_LABEL),
	NULL
};

static const struct hwmon_ops pl_hwmon_ops = {
	.is_visible = pl_hwmon_is_visible,
	.read = pl_hwmon_read,
	.read_string = pl_hwmon_read_string,
};

static const struct hwmon_chip_info pl_chip_info = {
	.ops = &pl_hwmon_ops,
	.info = pl_hwmon_info,
};

int pl_hwmon_register(struct pl_dev *pd)
{
	struct device *hwdev;

	hwdev = devm_hwmon_device_register_with_info(&pd->client->dev, "powerledger",
						     pd, &pl_chip_info, NULL);
	return PTR_ERR_OR_ZERO(hwdev);
}
