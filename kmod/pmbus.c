// SPDX-License-Identifier: GPL-2.0
/*
 * PMBus: what the PSU is and which rails it reads (probe time), and the
 * bus reads of one sample (sampler thread).
 */
#include <linux/ctype.h>
#include <linux/i2c.h>
#include <linux/ktime.h>
#include <linux/string.h>

#include "powerledger.h"
#include "pmbus_linear.h"
#include "trace.h"

const struct pl_rail_desc pl_rails[PL_NR_RAILS] = {
	{ PL_RAIL_VIN,  PMBUS_READ_VIN,  "vin" },
	{ PL_RAIL_IIN,  PMBUS_READ_IIN,  "iin" },
	{ PL_RAIL_VOUT, PMBUS_READ_VOUT, "vout" },
	{ PL_RAIL_IOUT, PMBUS_READ_IOUT, "iout" },
	{ PL_RAIL_POUT, PMBUS_READ_POUT, "pout" },
	{ PL_RAIL_PIN,  PMBUS_READ_PIN,  "pin" },
	{ PL_RAIL_TEMP, PMBUS_READ_TEMPERATURE_1, "temp1" },
};

/* Read STATUS_WORD every this many samples: cheap fault visibility. */
#define PL_STATUS_EVERY	64

/* Block-read an MFR_* string; keeps printable characters only. */
static void read_mfr_string(struct pl_dev *pd, u8 reg, char *out)
{
	u8 buf[I2C_SMBUS_BLOCK_MAX];
	int i, n, j = 0;

	out[0] = '\0';
	if (!(pd->flags & PL_DEV_F_BLOCK_READ))
		return;
	n = i2c_smbus_read_block_data(pd->client, reg, buf);
	if (n <= 0)
		return;
	for (i = 0; i < n && j < PL_STR_LEN - 1; i++)
		if (isprint(buf[i]))
			out[j++] = buf[i];
	out[j] = '\0';
}

/*
 * Identify the PSU: revision, capability (PEC), VOUT_MODE, MFR strings and
 * which READ_* commands answer.  Selects pd->page first so every later read
 * is on that page; the sampler never writes PAGE.  Returns -ENODEV when no
 * rail answers (not a PMBus PSU), other -errno for bus failures.
 */
int pl_pmbus_identify(struct pl_dev *pd)
{
	struct i2c_client *client = pd->client;
	int ret, i;

	if (i2c_check_functionality(client->adapter, I2C_FUNC_SMBUS_READ_BLOCK_DATA))
		pd->flags |= PL_DEV_F_BLOCK_READ;

	ret = i2c_smbus_write_byte_data(client, PMBUS_PAGE, pd->page);
	if (ret < 0 && pd->page) {
		dev_err(&client->dev, "cannot select PAGE %u: %d\n", pd->page, ret);
		return ret;
	}

	ret = i2c_smbus_read_byte_data(client, PMBUS_CAPABILITY);
	if (ret >= 0) {
		pd->capability = ret;
		if ((ret & PB_CAPABILITY_PEC) &&
		    i2c_check_functionality(client->adapter, I2C_FUNC_SMBUS_PEC)) {
			client->flags |= I2C_CLIENT_PEC;
			pd->flags |= PL_DEV_F_PEC;
		}
	}

	ret = i2c_smbus_read_byte_data(client, PMBUS_REVISION);
	pd->revision = ret >= 0 ? ret : 0;

	ret = i2c_smbus_read_byte_data(client, PMBUS_VOUT_MODE);
	pd->vout_mode = ret >= 0 ? ret : 0xff;

	read_mfr_string(pd, PMBUS_MFR_ID, pd->mfr_id);
	read_mfr_string(pd, PMBUS_MFR_MODEL, pd->mfr_model);
	read_mfr_string(pd, PMBUS_MFR_SERIAL, pd->mfr_serial);

	for (i = 0; i < PL_NR_RAILS; i++) {
		const struct pl_rail_desc *r = &pl_rails[i];

		if (r->rail == PL_RAIL_VOUT &&
		    (pd->vout_mode & PB_VOUT_MODE_MODE_MASK) != PB_VOUT_MODE_LINEAR)
			continue;	/* VID/direct VOUT: not decoded */
		ret = i2c_smbus_read_word_data(client, r->reg);
		if (ret >= 0)
			pd->rails |= r->rail;
	}
	if (!pd->rails)
		return -ENODEV;

	/* Faults latched while we probed unsupported commands. */
	i2c_smbus_write_byte(client, PMBUS_CLEAR_FAULTS);

	dev_info(&client->dev,
		 "PMBus rev 0x%02x, capability 0x%02x%s, VOUT_MODE 0x%02x, rails 0x%02x, page %u, \"%s\" \"%s\" \"%s\"\n",
		 pd->revision, pd->capability,
		 pd->flags & PL_DEV_F_PEC ? " (PEC on)" : "",
		 pd->vout_mode, pd->rails, pd->page,
		 pd->mfr_id, pd->mfr_model, pd->mfr_serial);
	return 0;
}

static void count_error(struct pl_dev *pd, struct pl_sample *s, u8 reg, int err)
{
	u32 kind;
	u64 count;

	if (err == -EBADMSG) {
		s->flags |= PL_SF_PEC_ERROR;
		count = ++pd->pec_errors;
		kind = PL_EVENT_PEC_ERROR;
	} else {
		s->flags |= PL_SF_I2C_ERROR;
		count = ++pd->i2c_errors;
		kind = PL_EVENT_I2C_ERROR;
	}
	trace_i2c_error(pd->id, s->seq, reg, err);
	pl_genl_event(pd, kind, count, err);
}

/*
 * Read every rail once into @s (sampler thread, may sleep).  A failed read
 * leaves its rail bit clear and flags the sample; a timeout abandons the
 * rest of this sample so a stuck bus cannot stretch it by 7 timeouts.
 */
void pl_pmbus_read_sample(struct pl_dev *pd, struct pl_sample *s)
{
	struct i2c_client *client = pd->client;
	u64 t_end;
	int i, ret;

	for (i = 0; i < PL_NR_RAILS; i++) {
		const struct pl_rail_desc *r = &pl_rails[i];

		if (!(pd->rails & r->rail))
			continue;
		ret = i2c_smbus_read_word_data(client, r->reg);
		if (ret < 0) {
			count_error(pd, s, r->reg, ret);
			if (ret == -ETIMEDOUT || ret == -EAGAIN)
				break;
			continue;
		}
		pl_sample_set_rail(s, r->rail, ret, pd->vout_mode);
	}

	if (!(s->flags & (PL_SF_I2C_ERROR | PL_SF_PEC_ERROR)) &&
	    !(s->seq % PL_STATUS_EVERY)) {
		ret = i2c_smbus_read_word_data(client, PMBUS_STATUS_WORD);
		if (ret >= 0) {
			s->status_word = ret;
			s->flags |= PL_SF_STATUS;
			if (ret & PB_STATUS_FAULT_MASK)
				s->flags |= PL_SF_FAULT;
		} else {
			count_error(pd, s, PMBUS_STATUS_WORD, ret);
		}
	}

	t_end = ktime_get_ns();
	s->read_ns = (u32)min_t(u64, t_end - s->ts_ns, U32_MAX);
}
