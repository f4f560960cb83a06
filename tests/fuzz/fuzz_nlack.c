// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libFuzzer harness for the netlink client's parsers (capture/genl.c): the
 * extended ack of NLMSG_ERROR / NLMSG_DONE, the walk of our request that
 * names the attribute NLMSGERR_ATTR_OFFS points at, and --rails.  The first
 * byte picks whether the parser gets our request or must use the copy an
 * uncapped ack carries.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "capture/genl.h"

static uint8_t req[64];
static size_t req_len;

static size_t put_attr(size_t off, uint16_t type, const void *data, uint16_t dlen)
{
	struct nlattr a = { .nla_len = (uint16_t)(NLA_HDRLEN + dlen), .nla_type = type };

	memcpy(req + off, &a, sizeof(a));
	memcpy(req + off + NLA_HDRLEN, data, dlen);
	return off + NLA_ALIGN(a.nla_len);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct nlmsghdr h = { .nlmsg_type = 0x1d, .nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK };
	struct genlmsghdr g = { .cmd = PL_CMD_SET_DEVICE, .version = PL_GENL_VERSION };
	uint64_t period = 50000;
	uint32_t id = 0, rails = 0x80;
	uint8_t en = 2;
	size_t off = NLMSG_HDRLEN;

	(void)argc;
	(void)argv;
	memcpy(req + off, &g, sizeof(g));
	off = put_attr(off + GENL_HDRLEN, PL_A_DEV_ID, &id, sizeof(id));
	off = put_attr(off, PL_A_DEV_PERIOD_NS, &period, sizeof(period));
	off = put_attr(off, PL_A_DEV_ENABLED, &en, sizeof(en));
	off = put_attr(off, PL_A_DEV_RAILS, &rails, sizeof(rails));
	h.nlmsg_len = (uint32_t)off;
	memcpy(req, &h, sizeof(h));
	req_len = off;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct plnl_ack a;
	char s[512], *str;
	uint32_t mask;
	int ret;

	if (!size)
		return 0;
	ret = plnl_ack_parse(data + 1, size - 1, data[0] & 1 ? req : NULL, req_len, &a);
	if (ret && ret != -EBADMSG)
		abort();
	if (!ret) {
		if (a.err > 0 || a.err < -4095 || strlen(a.msg) >= sizeof(a.msg) || a.attr < -1 || a.miss_attr < -1)
			abort();
		plnl_ack_str(&a, s, sizeof(s));
	}
	if (plnl_attr_at(data, size, data[0]) < -1)
		abort();
	str = malloc(size);
	if (!str)
		return 0;
	memcpy(str, data + 1, size - 1);
	str[size - 1] = 0;
	if (!plnl_rails_parse(str, &mask))
		plnl_rails_str(mask, s, sizeof(s));
	free(str);
	return 0;
}
