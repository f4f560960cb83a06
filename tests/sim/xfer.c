// SPDX-License-Identifier: GPL-2.0
/*
 * The virtual i2c adapter "powerledger-sim" and the PSU's side of the bus.
 *
 * The adapter does raw i2c_msg transfers only, so every SMBus call (kernel
 * clients, i2c-dev's I2C_SMBUS ioctl behind i2cget/i2cset) goes through the
 * core's i2c_smbus_xfer_emulated(), which appends and checks PEC bytes for
 * real; i2c-dev's I2C_RDWR (i2ctransfer) reaches us as it is.
 *
 * Transfers the PSU answers, as a PMBus slave would on the wire:
 *   [W len 0] or [R len 0]   quick command: ACK
 *   [W cmd]                  send byte: CLEAR_FAULTS; any other readable
 *                            command only moves the register pointer
 *   [W cmd data.. (PEC)]     write: the PEC byte is there when the message is
 *                            one byte longer than the command takes, and
 *                            must match (else -EIO, like a NACK)
 *   [R n]                    receive: the register the pointer names
 *   [W cmd][R n]             read byte / word / block
 * A read sends the register's bytes, then the PEC byte (CRC-8 over the
 * whole transaction: addr|W, cmd, addr|R, data), then 0xff for as long as
 * the master keeps clocking; so the PEC is there exactly when the master
 * asks for one byte more than the register has.  I2C_M_RECV_LEN reads
 * (SMBus block read) take the count from the first byte and grow the
 * message by it, as i2c-algo-bit does.  Other shapes get -EOPNOTSUPP;
 * messages to any address but the PSU's get -ENXIO (after other_delay_us:
 * a slow device elsewhere on the segment, holding the bus) and touch
 * nothing.
 *
 * The adapter's parent device stands for the controller in system sleep:
 * between its suspend and resume callbacks every transfer fails with
 * -ESHUTDOWN and is counted (xfers_suspended), as the i2c core fails
 * transfers to an adapter marked suspended.  Being the parent, it suspends
 * after its clients and resumes before them.
 */
#include <linux/delay.h>
#include <linux/errno.h>
#include <linux/math64.h>
#include <linux/i2c.h>
#include <linux/module.h>
#include <linux/pm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/version.h>

#include "sim.h"
#include "smbus_pec.h"

static u8 sim_pec(u8 crc, u16 addr, bool read, const u8 *p, size_t n)
{
	u8 a = (addr << 1) | read;

	return pl_smbus_pec(pl_smbus_pec(crc, &a, 1), p, n);
}

static int sim_write(struct pl_sim *sim, struct i2c_msg *msg)
{
	u8 cmd;
	int want;

	if (!msg->len)
		return 0;
	cmd = msg->buf[0];
	want = pl_sim_regs_write_len(cmd);

	if (msg->len == 1 && want != 0) {
		if (!pl_sim_regs_readable(cmd)) {
			pl_sim_regs_cml(sim, PL_SIM_CML_INVALID_CMD);
			return -ENXIO;
		}
		sim->pmbus.pointer = cmd;
		return 0;
	}
	if (want < 0) {
		pl_sim_regs_cml(sim, PL_SIM_CML_INVALID_CMD);
		return -ENXIO;
	}
	if (msg->len == want + 2) {
		if (sim_pec(0, msg->addr, false, msg->buf, msg->len - 1) !=
		    msg->buf[msg->len - 1]) {
			pl_sim_regs_cml(sim, PL_SIM_CML_PEC_FAILED);
			return -EIO;
		}
	} else if (msg->len != want + 1) {
		pl_sim_regs_cml(sim, PL_SIM_CML_INVALID_DATA);
		return -EIO;
	}
	return pl_sim_regs_write(sim, cmd, msg->buf + 1);
}

/* Fills @rd; sets *pec to the PEC byte sent, if any. */
static int sim_read(struct pl_sim *sim, const struct pl_sim_xfer *x,
		    struct i2c_msg *wr, struct i2c_msg *rd, u8 **pec)
{
	u8 data[I2C_SMBUS_BLOCK_MAX + 1];
	u8 cmd = sim->pmbus.pointer;
	u8 crc = 0;
	bool block;
	int n, i;

	if (wr) {
		cmd = wr->buf[0];
		crc = sim_pec(0, wr->addr, false, wr->buf, wr->len);
	}
	n = pl_sim_regs_read(sim, x, cmd, data, &block);
	if (n < 0)
		return n;
	sim->pmbus.pointer = cmd;

	if (rd->flags & I2C_M_RECV_LEN) {
		/*
		 * rd->len is 1 + the extra bytes wanted (1 for PEC); the
		 * caller guarantees room for I2C_SMBUS_BLOCK_MAX more.
		 */
		if (!block || !rd->len)
			return -EPROTO;
		rd->len += data[0];
	}

	crc = sim_pec(crc, rd->addr, true, data, n);
	for (i = 0; i < rd->len; i++) {
		if (i < n) {
			rd->buf[i] = data[i];
		} else if (i == n) {
			rd->buf[i] = crc;
			*pec = &rd->buf[i];
		} else {
			rd->buf[i] = 0xff;
		}
	}
	return 0;
}

/*
 * The wire time of the transfer at cfg.bus_khz: each message an address
 * byte and its data, 9 bit times per byte (8 + ACK), plus START (or repeated
 * START) per message and STOP; slept, as a controller waits for its
 * interrupt, while the caller holds the bus.
 */
static void sim_sleep_bits(const struct pl_sim_xfer *x, u32 bits)
{
	u64 us;

	if (!x->cfg.bus_khz)
		return;
	us = div_u64((u64)bits * 1000, x->cfg.bus_khz);
	if (us)
		usleep_range(us, us + us / 16 + 1);
}

static void sim_bus_time(const struct pl_sim_xfer *x, const struct i2c_msg *msgs, int num)
{
	u32 bits = 1;	/* STOP */
	int i;

	for (i = 0; i < num; i++)
		bits += 1 + 9 * (1 + msgs[i].len);
	sim_sleep_bits(x, bits);
}

static int sim_xfer(struct i2c_adapter *adap, struct i2c_msg *msgs, int num)
{
	struct pl_sim *sim = i2c_get_adapdata(adap);
	struct pl_sim_xfer x;
	u8 *pec = NULL;
	int i, ret;

	if (pl_sim_suspended_xfer(sim))
		return -ESHUTDOWN;
	for (i = 0; i < num; i++) {
		if (msgs[i].addr != sim->addr || (msgs[i].flags & I2C_M_TEN)) {
			u32 us = pl_sim_cfg_get(sim, PL_SIM_K_OTHER_DELAY_US);

			atomic64_inc(&sim->counters[PL_SIM_C_OTHER]);
			if (us)
				usleep_range(us, us + us / 16 + 1);
			return -ENXIO;
		}
	}

	pl_sim_fault_begin(sim, &x);
	ret = pl_sim_fault_inject(sim, &x);
	if (ret == -ENXIO)
		sim_sleep_bits(&x, 11);	/* START, address + NACK, STOP */
	if (ret)
		return ret;
	x.now_ns = ktime_get_ns();

	if (num == 1 && !(msgs[0].flags & I2C_M_RD))
		ret = sim_write(sim, &msgs[0]);
	else if (num == 1)
		ret = sim_read(sim, &x, NULL, &msgs[0], &pec);
	else if (num == 2 && !(msgs[0].flags & I2C_M_RD) && msgs[0].len == 1 &&
		 (msgs[1].flags & I2C_M_RD))
		ret = sim_read(sim, &x, &msgs[0], &msgs[1], &pec);
	else
		ret = -EOPNOTSUPP;
	if (!ret)
		pl_sim_fault_pec(sim, &x, pec);
	atomic64_add(ktime_get_ns() - x.now_ns, &sim->counters[PL_SIM_C_DEVICE_NS]);
	sim_bus_time(&x, msgs, num);
	return ret ? ret : num;
}

static u32 sim_func(struct i2c_adapter *adap)
{
	return I2C_FUNC_I2C | I2C_FUNC_SMBUS_EMUL | I2C_FUNC_SMBUS_PEC |
	       I2C_FUNC_SMBUS_READ_BLOCK_DATA;
}

static const struct i2c_algorithm sim_algo = {
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 8, 0)
	.xfer		= sim_xfer,
#else
	.master_xfer	= sim_xfer,
#endif
	.functionality	= sim_func,
};

static int sim_suspend(struct device *dev)
{
	pl_sim_set_suspended(dev_get_drvdata(dev), true);
	return 0;
}

static int sim_resume(struct device *dev)
{
	pl_sim_set_suspended(dev_get_drvdata(dev), false);
	return 0;
}

static DEFINE_SIMPLE_DEV_PM_OPS(sim_pm_ops, sim_suspend, sim_resume);

static const struct device_type sim_parent_type = {
	.name	= "powerledger-sim-controller",
	.pm	= pm_sleep_ptr(&sim_pm_ops),
};

static void sim_parent_release(struct device *dev)
{
	kfree(dev);
}

/* The controller the adapter hangs off: /sys/devices/powerledger-sim. */
static struct device *sim_parent_new(struct pl_sim *sim)
{
	struct device *dev;
	int ret;

	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev)
		return ERR_PTR(-ENOMEM);
	device_initialize(dev);
	dev->type = &sim_parent_type;
	dev->release = sim_parent_release;
	dev_set_drvdata(dev, sim);
	ret = dev_set_name(dev, "%s", PL_SIM_NAME);
	if (!ret)
		ret = device_add(dev);
	if (ret) {
		put_device(dev);
		return ERR_PTR(ret);
	}
	return dev;
}

/*
 * Registers the controller device and the adapter under it (dynamic bus
 * number).  No adapter class: no driver's detect() probes it, so every
 * transfer a test counts is one it caused; bind the device with
 * .../i2c-N/new_device.
 */
int pl_sim_adapter_init(struct pl_sim *sim)
{
	struct i2c_adapter *adap = &sim->adap;
	int ret;

	sim->parent = sim_parent_new(sim);
	if (IS_ERR(sim->parent))
		return PTR_ERR(sim->parent);

	adap->owner = THIS_MODULE;
	adap->algo = &sim_algo;
	adap->dev.parent = sim->parent;
	strscpy(adap->name, PL_SIM_NAME, sizeof(adap->name));
	i2c_set_adapdata(adap, sim);

	ret = i2c_add_adapter(adap);
	if (ret)
		goto err_del_parent;
	dev_info(&adap->dev, "%s: PMBus PSU at 0x%02x on i2c bus %d\n",
		 adap->name, sim->addr, adap->nr);
	return 0;

err_del_parent:
	device_unregister(sim->parent);
	return ret;
}

/* Unbinds the clients on the adapter and removes it, then its controller. */
void pl_sim_adapter_uninit(struct pl_sim *sim)
{
	i2c_del_adapter(&sim->adap);
	device_unregister(sim->parent);
}
