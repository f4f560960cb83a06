// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink family "powerledger": list devices, get/set period and
 * enable, read stats, and the "events" multicast group.  The attribute
 * tree is documented in uapi/linux/powerledger.h.
 */
#include <linux/ktime.h>
#include <net/genetlink.h>
#include <net/netlink.h>

#include "powerledger.h"

static struct genl_family pl_genl_family;

enum pl_genl_mcgrp {
	PL_MCGRP_EVENTS,
};

static const struct genl_multicast_group pl_mcgrps[] = {
	[PL_MCGRP_EVENTS] = { .name = PL_GENL_MCGRP_EVENTS },
};

static int put_dev(struct sk_buff *skb, struct pl_dev *pd)
{
	if (nla_put_u32(skb, PL_A_DEV_ID, pd->id) ||
	    nla_put_string(skb, PL_A_DEV_NAME, pd->name) ||
	    nla_put_string(skb, PL_A_DEV_MFR_ID, pd->mfr_id) ||
	    nla_put_string(skb, PL_A_DEV_MFR_MODEL, pd->mfr_model) ||
	    nla_put_string(skb, PL_A_DEV_MFR_SERIAL, pd->mfr_serial) ||
	    nla_put_u64_64bit(skb, PL_A_DEV_PERIOD_NS, READ_ONCE(pd->period_ns), PL_A_PAD) ||
	    nla_put_u8(skb, PL_A_DEV_ENABLED, READ_ONCE(pd->enabled)) ||
	    nla_put_u32(skb, PL_A_DEV_RAILS, READ_ONCE(pd->read_rails)) ||
	    nla_put_u32(skb, PL_A_DEV_RAILS_AVAIL, pd->rails) ||
	    nla_put_u32(skb, PL_A_DEV_FLAGS, pl_sampler_dev_flags(pd)) ||
	    nla_put_u8(skb, PL_A_DEV_PAGE, pd->page))
		return -EMSGSIZE;
	return 0;
}

static int put_stats(struct sk_buff *skb, struct pl_dev *pd)
{
	struct pl_stats st = { .dev_id = pd->id };

	pl_sampler_stats(pd, &st);
	if (nla_put_u32(skb, PL_A_DEV_ID, pd->id) ||
	    nla_put_u64_64bit(skb, PL_A_STATS_SAMPLES, st.samples, PL_A_PAD) ||
	    nla_put_u64_64bit(skb, PL_A_STATS_LOST, st.lost, PL_A_PAD) ||
	    nla_put_u64_64bit(skb, PL_A_STATS_OVERRUNS, st.overruns, PL_A_PAD) ||
	    nla_put_u64_64bit(skb, PL_A_STATS_I2C_ERRORS, st.i2c_errors, PL_A_PAD) ||
	    nla_put_u64_64bit(skb, PL_A_STATS_PEC_ERRORS, st.pec_errors, PL_A_PAD) ||
	    nla_put(skb, PL_A_STATS_JITTER, sizeof(st.jitter_hist), st.jitter_hist) ||
	    nla_put_u64_64bit(skb, PL_A_STATS_PAGE_REPAIRS, st.page_repairs, PL_A_PAD) ||
	    nla_put_u64_64bit(skb, PL_A_STATS_BACKOFFS, st.backoffs, PL_A_PAD) ||
	    nla_put_u64_64bit(skb, PL_A_STATS_SUSPENDS, st.suspends, PL_A_PAD))
		return -EMSGSIZE;
	return 0;
}

typedef int (*put_fn)(struct sk_buff *skb, struct pl_dev *pd);

/* Reply to a doit with one message built by @put for the device in the request. */
static int reply_one(struct genl_info *info, u8 cmd, put_fn put)
{
	struct sk_buff *msg;
	struct pl_dev *pd;
	void *hdr;
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, PL_A_DEV_ID))
		return -EINVAL;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &pl_genl_family, 0, cmd);
	if (!hdr) {
		ret = -EMSGSIZE;
		goto err_free;
	}

	mutex_lock(&pl_devs_lock);
	pd = pl_dev_find(nla_get_u32(info->attrs[PL_A_DEV_ID]));
	ret = pd ? put(msg, pd) : -ENODEV;
	mutex_unlock(&pl_devs_lock);
	if (ret) {
		if (ret == -ENODEV)
			GENL_SET_ERR_MSG(info, "no such powerledger device");
		goto err_free;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free:
	nlmsg_free(msg);
	return ret;
}

/* PL_CMD_GET_DEVICE */
static const struct nla_policy get_device_policy[PL_A_MAX + 1] = {
	[PL_A_DEV_ID] = { .type = NLA_U32 },
};

static int get_device_doit(struct sk_buff *skb, struct genl_info *info)
{
	return reply_one(info, PL_CMD_GET_DEVICE, put_dev);
}

/* Dumps resume from cb->args[0], the next device id to send. */
static int get_device_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct pl_dev *pd;
	u32 id = cb->args[0];
	void *hdr;
	int ret = 0;

	mutex_lock(&pl_devs_lock);
	while ((pd = pl_dev_next(&id))) {
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
				  &pl_genl_family, NLM_F_MULTI, PL_CMD_GET_DEVICE);
		if (!hdr) {
			ret = -EMSGSIZE;
			break;
		}
		if (put_dev(skb, pd)) {
			genlmsg_cancel(skb, hdr);
			ret = -EMSGSIZE;
			break;
		}
		genlmsg_end(skb, hdr);
		cb->args[0] = id;
	}
	mutex_unlock(&pl_devs_lock);

	/* A full skb means "call again"; an empty one ends the dump. */
	if (ret == -EMSGSIZE && skb->len)
		return skb->len;
	return ret ? ret : skb->len;
}

/* PL_CMD_SET_DEVICE */
static struct netlink_range_validation period_range = {
	.min = PL_PERIOD_MIN_NS,
	.max = PL_PERIOD_MAX_NS,
};

static const struct nla_policy set_device_policy[PL_A_MAX + 1] = {
	[PL_A_DEV_ID]		= { .type = NLA_U32 },
	[PL_A_DEV_PERIOD_NS]	= NLA_POLICY_FULL_RANGE(NLA_U64, &period_range),
	[PL_A_DEV_ENABLED]	= NLA_POLICY_MAX(NLA_U8, 1),
	[PL_A_DEV_RAILS]	= NLA_POLICY_MASK(NLA_U32, __PL_RAIL_ALL),
};

static int set_device_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct pl_dev *pd;
	int ret = 0;

	if (GENL_REQ_ATTR_CHECK(info, PL_A_DEV_ID))
		return -EINVAL;

	mutex_lock(&pl_devs_lock);
	pd = pl_dev_find(nla_get_u32(info->attrs[PL_A_DEV_ID]));
	if (!pd) {
		GENL_SET_ERR_MSG(info, "no such powerledger device");
		ret = -ENODEV;
		goto out;
	}
	/*
	 * The policy validated every attribute's range; the rails, checked
	 * against this PSU, go first, so nothing below can half-apply.
	 */
	if (info->attrs[PL_A_DEV_RAILS]) {
		ret = pl_sampler_set_rails(pd, nla_get_u32(info->attrs[PL_A_DEV_RAILS]));
		if (ret) {
			NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[PL_A_DEV_RAILS],
					    "rails: not a non-empty subset of the PSU's PL_A_DEV_RAILS_AVAIL");
			goto out;
		}
	}
	if (info->attrs[PL_A_DEV_PERIOD_NS]) {
		ret = pl_sampler_set_period(pd, nla_get_u64(info->attrs[PL_A_DEV_PERIOD_NS]));
		if (ret)
			goto out;
	}
	if (info->attrs[PL_A_DEV_ENABLED]) {
		if (nla_get_u8(info->attrs[PL_A_DEV_ENABLED]))
			ret = pl_sampler_start(pd);
		else
			pl_sampler_stop(pd);
	}
out:
	mutex_unlock(&pl_devs_lock);
	return ret;
}

/* PL_CMD_GET_STATS */
static const struct nla_policy get_stats_policy[PL_A_MAX + 1] = {
	[PL_A_DEV_ID] = { .type = NLA_U32 },
};

static int get_stats_doit(struct sk_buff *skb, struct genl_info *info)
{
	return reply_one(info, PL_CMD_GET_STATS, put_stats);
}

static const struct genl_ops pl_genl_ops[] = {
	{
		.cmd = PL_CMD_GET_DEVICE,
		.doit = get_device_doit,
		.dumpit = get_device_dumpit,
		.policy = get_device_policy,
		.maxattr = PL_A_MAX,
	},
	{
		.cmd = PL_CMD_SET_DEVICE,
		.doit = set_device_doit,
		.policy = set_device_policy,
		.maxattr = PL_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = PL_CMD_GET_STATS,
		.doit = get_stats_doit,
		.policy = get_stats_policy,
		.maxattr = PL_A_MAX,
	},
};

static struct genl_family pl_genl_family __ro_after_init = {
	.name = PL_GENL_NAME,
	.version = PL_GENL_VERSION,
	.maxattr = PL_A_MAX,
	.module = THIS_MODULE,
	.ops = pl_genl_ops,
	.n_ops = ARRAY_SIZE(pl_genl_ops),
	.resv_start_op = PL_CMD_EVENT + 1,
	.mcgrps = pl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(pl_mcgrps),
	.netnsok = false,
};

/*
 * Rate limit per device and kind; the counters themselves stay exact.
 * Only the sampler thread gets past the first test (added/removed come
 * from probe and remove, with the thread not yet or no longer sampling).
 */
static bool event_allowed(struct pl_dev *pd, u32 kind)
{
	u64 now = ktime_get_ns();

	if (kind == PL_EVENT_DEVICE_ADDED || kind == PL_EVENT_DEVICE_REMOVED)
		return true;
	if (now - pd->event_window_ns >= NSEC_PER_SEC) {
		pd->event_window_ns = now;
		memset(pd->event_count, 0, sizeof(pd->event_count));
	}
	return pd->event_count[kind]++ < PL_EVENT_MAX_PER_SEC;
}

/*
 * Announce a fault, overrun, loss, backoff, PAGE repair or (un)bind to the
 * "events" group.  Called by sampler.c only (its thread, and probe/remove
 * through it): process context; never fails the caller.
 */
void pl_genl_event(struct pl_dev *pd, u32 kind, u64 count, int err)
{
	struct sk_buff *msg;
	void *hdr;

	if (kind >= __PL_EVENT_LAST)
		return;
	if (!genl_has_listeners(&pl_genl_family, &init_net, PL_MCGRP_EVENTS))
		return;
	if (!event_allowed(pd, kind))
		return;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &pl_genl_family, 0, PL_CMD_EVENT);
	if (!hdr)
		goto err_free;
	if (nla_put_u32(msg, PL_A_DEV_ID, pd->id) ||
	    nla_put_u32(msg, PL_A_EVENT_KIND, kind) ||
	    nla_put_u64_64bit(msg, PL_A_EVENT_COUNT, count, PL_A_PAD) ||
	    nla_put_s32(msg, PL_A_EVENT_ERRNO, err))
		goto err_free;
	genlmsg_end(msg, hdr);
	genlmsg_multicast(&pl_genl_family, msg, 0, PL_MCGRP_EVENTS, GFP_KERNEL);
	return;

err_free:
	nlmsg_free(msg);
}

int pl_genl_init(void)
{
	return genl_register_family(&pl_genl_family);
}

void pl_genl_uninit(void)
{
	genl_unregister_family(&pl_genl_family);
}
