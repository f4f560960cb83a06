// SPDX-License-Identifier: GPL-2.0
/*
 * PMBus: what the PSU is and which rails it reads (probe time), and the
 * bus transaction of one sample (sampler thread).  Bus access only: every
 * error goes back to the caller, which counts, traces and announces it;
 * nothing here depends on the rest of the module but sample.c, so the
 * KUnit module links this file as it is.
 */
#include <linux/ctype.h>
#include <linux/i2c.h>
#include <linux/ktime.h>
#include <linux/string.h>

#include "powerledger.h"
#include "pmbus_linear.h"
#include "smbus_pec.h"

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

/*
 * Can a sample's word reads go to the adapter as plain I2C message pairs?
 * Only for an adapter without its own SMBus engine (no smbus_xfer: the core
 * would emulate SMBus on master_xfer anyway) and a 7-bit client.
 */
static bool can_read_direct(const struct i2c_client *client)
{
	const struct i2c_algorithm *algo = client->adapter->algo;

	return algo && algo->master_xfer && !algo->smbus_xfer && !(client->flags & I2C_CLIENT_TEN) &&
	       i2c_check_functionality(client->adapter, I2C_FUNC_I2C);
}

/*
 * One SMBus Read Word (with PEC if the client uses it), bus lock held by
 * the caller.  Direct: the write-command / read-data pair the core's SMBus
 * emulation would build, with the PEC (over address+W, command,
 * address+R, data) checked by table instead of bit by bit -- what the core
 * does, minus the per-read locking, buffer setup and bitwise CRC that are
 * most of a 1 kHz sampler's CPU.  Same results and errors: the word,
 * -EBADMSG on a PEC mismatch, -EIO on a short transfer, the adapter's
 * -errno otherwise.
 */
static int read_word_locked(struct pl_dev *pd, u8 reg)
{
	struct i2c_client *client = pd->client;
	bool use_pec = client->flags & I2C_CLIENT_PEC;
	union i2c_smbus_data data;
	struct i2c_msg msgs[2];
	u8 buf[3], hdr[3];
	int ret;

	if (!pd->read_direct) {
		ret = __i2c_smbus_xfer(client->adapter, client->addr, client->flags, I2C_SMBUS_READ, reg,
				       I2C_SMBUS_WORD_DATA, &data);
		return ret < 0 ? ret : data.word;
	}
	msgs[0] = (struct i2c_msg){ .addr = client->addr, .flags = 0, .len = 1, .buf = &reg };
	msgs[1] = (struct i2c_msg){ .addr = client->addr, .flags = I2C_M_RD, .len = use_pec ? 3 : 2, .buf = buf };
	ret = __i2c_transfer(client->adapter, msgs, 2);
	if (ret < 0)
		return ret;
	if (ret != 2)
		return -EIO;
	if (use_pec) {
		hdr[0] = client->addr << 1;
		hdr[1] = reg;
		hdr[2] = (client->addr << 1) | 1;
		if (pl_smbus_pec(pl_smbus_pec(0, hdr, 3), buf, 2) != buf[2])
			return -EBADMSG;
	}
	return buf[0] | buf[1] << 8;
}

/* SMBus Read Byte / Write Byte, bus lock held by the caller: the byte, 0 or -errno. */
static int read_byte_locked(struct pl_dev *pd, u8 reg)
{
	struct i2c_client *client = pd->client;
	union i2c_smbus_data data;
	int ret;

	ret = __i2c_smbus_xfer(client->adapter, client->addr, client->flags, I2C_SMBUS_READ, reg,
			       I2C_SMBUS_BYTE_DATA, &data);
	return ret < 0 ? ret : data.byte;
}

static int write_byte_locked(struct pl_dev *pd, u8 reg, u8 val)
{
	struct i2c_client *client = pd->client;
	union i2c_smbus_data data = { .byte = val };

	return __i2c_smbus_xfer(client->adapter, client->addr, client->flags, I2C_SMBUS_WRITE, reg,
				I2C_SMBUS_BYTE_DATA, &data);
}

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
 * is on that page.  A PSU that takes the PAGE write and reads it back gets
 * PL_DEV_F_PAGE_CHECK: every sample then checks PAGE (see
 * pl_pmbus_read_sample()); one without PAGE (the write fails, page 0) has
 * no page to lose.  Returns -ENODEV when no rail answers (not a PMBus PSU),
 * other -errno for bus failures.
 */
int pl_pmbus_identify(struct pl_dev *pd)
{
	struct i2c_client *client = pd->client;
	int ret, i;

	if (i2c_check_functionality(client->adapter, I2C_FUNC_SMBUS_READ_BLOCK_DATA))
		pd->flags |= PL_DEV_F_BLOCK_READ;
	pd->read_direct = can_read_direct(client);

	ret = i2c_smbus_write_byte_data(client, PMBUS_PAGE, pd->page);
	if (ret < 0 && pd->page) {
		dev_err(&client->dev, "cannot select PAGE %u: %d\n", pd->page, ret);
		return ret;
	}
	/*
	 * Check PAGE per sample only where someone could move it: the PSU has
	 * another page it accepts (written, read back, ours selected again).
	 * A single-page PSU has no page to lose and saves the transfer.
	 */
	if (!ret && i2c_smbus_read_byte_data(client, PMBUS_PAGE) == pd->page &&
	    !i2c_smbus_write_byte_data(client, PMBUS_PAGE, pd->page ^ 1)) {
		if (i2c_smbus_read_byte_data(client, PMBUS_PAGE) == (pd->page ^ 1))
			pd->flags |= PL_DEV_F_PAGE_CHECK;
		ret = i2c_smbus_write_byte_data(client, PMBUS_PAGE, pd->page);
		if (ret < 0) {
			dev_err(&client->dev, "cannot select PAGE %u again: %d\n", pd->page, ret);
			return ret;
		}
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

/*
 * What to do about PAGE, given what it read back (@got: the byte or
 * -errno) and the page we sample (@want).
 */
enum pl_page_action pl_pmbus_page_action(int got, u8 want)
{
	if (got < 0)
		return PL_PAGE_RESELECT;
	return got == want ? PL_PAGE_OK : PL_PAGE_RESTORE;
}

/*
 * -ETIMEDOUT: the adapter gave up waiting for the bus (SDA or SCL held
 * low, a slave stretching the clock); -EAGAIN: arbitration lost on every
 * retry.  Either way the next transfer would wait as long again.
 */
bool pl_pmbus_err_stuck(int err)
{
	return err == -ETIMEDOUT || err == -EAGAIN;
}

static void add_err(struct pl_pmbus_result *res, u8 reg, int err)
{
	if (res->nerr < ARRAY_SIZE(res->errs)) {
		res->errs[res->nerr].reg = reg;
		res->errs[res->nerr++].err = err;
	}
	if (pl_pmbus_err_stuck(err))
		res->stuck = true;
}

/*
 * Keep PAGE ours (bus lock held): PAGE is one register per device, and a
 * BMC, an i2c-dev user or another driver may write it between our samples;
 * every later read would then silently come from their page.  Reading it
 * back within the same locked segment as the rails costs one Read Byte
 * per sample (4 bytes, 5 with PEC: about 0.8 of a rail's Read Word) and is
 * exact for every client of this host's adapter, which can only write PAGE
 * between our segments: no sample is ever read on a wrong page, and each
 * repair is counted.  (Checking only every N samples would be cheaper but
 * sign up to N - 1 samples of the wrong page.)  A bus master outside this
 * host (a BMC on a multi-master bus) could still switch PAGE in the middle
 * of a segment; only PAGE_PLUS_READ could close that, which few PSUs have.
 * Returns false when PAGE could not be made ours: the sample reads nothing.
 */
static bool page_check_locked(struct pl_dev *pd, struct pl_pmbus_result *res, int *theirs)
{
	int got, ret;

	*theirs = -1;
	got = read_byte_locked(pd, PMBUS_PAGE);
	if (got < 0) {
		add_err(res, PMBUS_PAGE, got);
		if (res->stuck)
			return false;
	}
	switch (pl_pmbus_page_action(got, pd->page)) {
	case PL_PAGE_OK:
		return true;
	case PL_PAGE_RESTORE:
		res->page_restored = true;
		*theirs = got;
		fallthrough;
	case PL_PAGE_RESELECT:
		break;
	}
	ret = write_byte_locked(pd, PMBUS_PAGE, pd->page);
	if (ret < 0) {
		add_err(res, PMBUS_PAGE, ret);
		return false;
	}
	return true;
}

/*
 * One sample (sampler thread, may sleep): holding the bus segment, check
 * PAGE (devices with PL_DEV_F_PAGE_CHECK), take s->ts_ns, then read every
 * selected rail (pd->read_rails) into @s, and STATUS_WORD every
 * PL_STATUS_EVERY samples.  A failed read leaves its rail bit clear and is
 * reported in @res; a stuck bus (pl_pmbus_err_stuck()) abandons the rest of
 * the sample so it cannot stretch it by 8 timeouts, and sets res->stuck.
 *
 * The bus is locked once for the sample, not once per transfer: the rails
 * are read back to back as one measurement on a page no other client of
 * this adapter can change meanwhile, and another client of the segment
 * waits at most one sample's transfers (8 with the PAGE check, about 1 ms
 * at 400 kHz).  s->ts_ns is read once the lock is held, so the time spent
 * waiting for the bus is not in the sample's timestamp nor in read_ns.
 */
void pl_pmbus_read_sample(struct pl_dev *pd, struct pl_sample *s, struct pl_pmbus_result *res)
{
	struct i2c_adapter *adap = pd->client->adapter;
	u32 want = READ_ONCE(pd->read_rails);
	int i, ret, theirs = -1;
	bool ok = true;

	memset(res, 0, sizeof(*res));
	i2c_lock_bus(adap, I2C_LOCK_SEGMENT);
	s->ts_ns = ktime_get_ns();
	if (pd->flags & PL_DEV_F_PAGE_CHECK)
		ok = page_check_locked(pd, res, &theirs);
	for (i = 0; ok && i < PL_NR_RAILS; i++) {
		const struct pl_rail_desc *r = &pl_rails[i];

		if (!(want & r->rail))
			continue;
		ret = read_word_locked(pd, r->reg);
		if (ret < 0) {
			add_err(res, r->reg, ret);
			if (res->stuck)
				break;
			continue;
		}
		pl_sample_set_rail(s, r->rail, ret, pd->vout_mode);
	}

	if (ok && !res->nerr && !(s->seq % PL_STATUS_EVERY)) {
		ret = read_word_locked(pd, PMBUS_STATUS_WORD);
		if (ret >= 0) {
			s->status_word = ret;
			s->flags |= PL_SF_STATUS;
			if (ret & PB_STATUS_FAULT_MASK)
				s->flags |= PL_SF_FAULT;
		} else {
			add_err(res, PMBUS_STATUS_WORD, ret);
		}
	}
	s->read_ns = (u32)min_t(u64, ktime_get_ns() - s->ts_ns, U32_MAX);
	/*
	 * Leave PAGE as its other user left it: they may select it in one
	 * transaction and read in the next, and would otherwise read our page.
	 */
	if (theirs >= 0 && !res->stuck) {
		ret = write_byte_locked(pd, PMBUS_PAGE, theirs);
		if (ret < 0)
			add_err(res, PMBUS_PAGE, ret);
	}
	i2c_unlock_bus(adap, I2C_LOCK_SEGMENT);

	if (res->page_restored)
		s->flags |= PL_SF_PAGE_RESTORED;
}
