// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * capture/genl.c, the netlink client, without the module: the extended-ack
 * parser on crafted NLMSG_ERROR / NLMSG_DONE messages (message, offset
 * walked back to the attribute of our request, missing attribute, capped
 * and uncapped, truncated and garbage input), the names it prints, the
 * --period and --rails syntax of `set`, and the error a host without the
 * module gets.
 */
#include <errno.h>
#include <stddef.h>
#include <sys/stat.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "testutil.h"

#include "capture/genl.h"
#include "cmd/cli.h"
#include "cmd/cli_opts.h"

/* cli_opts.c's usage errors want main.c's verb table: none here. */
const struct verb pl_verbs[1];
const size_t pl_nverbs = 0;

/* Byte offsets in the request req_build() makes. */
#define OFF_DEV_ID  20
#define OFF_PERIOD  28
#define OFF_ENABLED 40
#define OFF_RAILS   48
#define REQ_LEN	    56

static size_t put_attr(uint8_t *p, size_t off, uint16_t type, const void *data, uint16_t dlen)
{
	struct nlattr a = { .nla_len = (uint16_t)(NLA_HDRLEN + dlen), .nla_type = type };

	memcpy(p + off, &a, sizeof(a));
	memcpy(p + off + NLA_HDRLEN, data, dlen);
	return off + NLA_ALIGN(a.nla_len);
}

/* PL_CMD_SET_DEVICE: dev 0, period 50 us, enabled 2, rails 0x80. */
static size_t req_build(uint8_t *p)
{
	struct nlmsghdr h = { .nlmsg_type = 0x1d, .nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK, .nlmsg_seq = 7 };
	struct genlmsghdr g = { .cmd = PL_CMD_SET_DEVICE, .version = PL_GENL_VERSION };
	uint64_t period = 50000;
	uint32_t id = 0, rails = 0x80;
	uint8_t en = 2;
	size_t off = NLMSG_HDRLEN;

	memset(p, 0, 256);
	memcpy(p + off, &g, sizeof(g));
	off += GENL_HDRLEN;
	assert_int_equal(off, OFF_DEV_ID);
	off = put_attr(p, off, PL_A_DEV_ID, &id, sizeof(id));
	assert_int_equal(off, OFF_PERIOD);
	off = put_attr(p, off, PL_A_DEV_PERIOD_NS, &period, sizeof(period));
	assert_int_equal(off, OFF_ENABLED);
	off = put_attr(p, off, PL_A_DEV_ENABLED, &en, sizeof(en));
	assert_int_equal(off, OFF_RAILS);
	off = put_attr(p, off, PL_A_DEV_RAILS, &rails, sizeof(rails));
	assert_int_equal(off, REQ_LEN);
	h.nlmsg_len = (uint32_t)off;
	memcpy(p, &h, sizeof(h));
	return off;
}

/*
 * The kernel's answer to req as netlink_ack() builds it: NLMSG_ERROR,
 * struct nlmsgerr, the request's payload unless capped, then the TLVs
 * (msg NULL: none; offs, miss < 0: none).  Returns its length.
 */
static size_t ack_build(uint8_t *p, int err, const uint8_t *req, bool capped, const char *msg, long offs, long miss)
{
	struct nlmsghdr h = { .nlmsg_type = NLMSG_ERROR, .nlmsg_seq = 7 };
	struct nlmsghdr orig;
	size_t off = NLMSG_HDRLEN;
	uint32_t u;

	memset(p, 0, 1024);
	memcpy(&orig, req, sizeof(orig));
	memcpy(p + off + offsetof(struct nlmsgerr, error), &err, sizeof(err));
	memcpy(p + off + offsetof(struct nlmsgerr, msg), req, sizeof(orig));
	off += sizeof(struct nlmsgerr);
	if (capped) {
		h.nlmsg_flags |= NLM_F_CAPPED;
	} else {
		memcpy(p + off, req + NLMSG_HDRLEN, orig.nlmsg_len - NLMSG_HDRLEN);
		off += orig.nlmsg_len - NLMSG_HDRLEN;
	}
	off = NLMSG_ALIGN(off);
	if (msg || offs >= 0 || miss >= 0)
		h.nlmsg_flags |= NLM_F_ACK_TLVS;
	if (msg)
		off = put_attr(p, off, NLMSGERR_ATTR_MSG, msg, (uint16_t)(strlen(msg) + 1));
	if (offs >= 0) {
		u = (uint32_t)offs;
		off = put_attr(p, off, NLMSGERR_ATTR_OFFS, &u, sizeof(u));
	}
	if (miss >= 0) {
		u = (uint32_t)miss;
		off = put_attr(p, off, NLMSGERR_ATTR_MISS_TYPE, &u, sizeof(u));
	}
	h.nlmsg_len = (uint32_t)off;
	memcpy(p, &h, sizeof(h));
	return off;
}

static void ack_said(const struct plnl_ack *a, const char *want)
{
	char s[512];

	plnl_ack_str(a, s, sizeof(s));
	assert_string_equal(s, want);
}

/* A refusal with a message and no attribute: unknown device. */
static void test_ack_message_only(void **state)
{
	uint8_t req[256], m[1024];
	struct plnl_ack a;
	size_t n;

	(void)state;
	req_build(req);
	n = ack_build(m, -ENODEV, req, true, "no such powerledger device", -1, -1);
	assert_int_equal(plnl_ack_parse(m, n, req, REQ_LEN, &a), 0);
	assert_int_equal(a.err, -ENODEV);
	assert_string_equal(a.msg, "no such powerledger device");
	assert_int_equal(a.offset, -1);
	assert_int_equal(a.attr, -1);
	assert_int_equal(a.miss_attr, -1);
	ack_said(&a, "kernel refused: no such powerledger device (No such device)");
	/* EPERM from the genetlink core: no TLVs at all */
	n = ack_build(m, -EPERM, req, true, NULL, -1, -1);
	assert_int_equal(plnl_ack_parse(m, n, req, REQ_LEN, &a), 0);
	assert_int_equal(a.err, -EPERM);
	assert_string_equal(a.msg, "");
	ack_said(&a, "kernel refused: Operation not permitted");
}

/* Message + offset: the offset is walked back to the attribute of our request. */
static void test_ack_offset_names_attribute(void **state)
{
	static const struct {
		long offs;
		int attr;
		const char *msg;
		int err;
		const char *said;
	} cases[] = {
		{ OFF_PERIOD, PL_A_DEV_PERIOD_NS, "integer out of range", -ERANGE,
		  "kernel refused period (PL_A_DEV_PERIOD_NS): integer out of range (Numerical result out of range)" },
		{ OFF_ENABLED, PL_A_DEV_ENABLED, "integer out of range", -ERANGE,
		  "kernel refused enabled (PL_A_DEV_ENABLED): integer out of range (Numerical result out of range)" },
		{ OFF_RAILS, PL_A_DEV_RAILS, "reserved bit set", -EINVAL,
		  "kernel refused rails (PL_A_DEV_RAILS): reserved bit set (Invalid argument)" },
		{ OFF_DEV_ID, PL_A_DEV_ID, "x", -EINVAL, "kernel refused device (PL_A_DEV_ID): x (Invalid argument)" },
		/* inside an attribute's payload: that attribute (a nest would point there) */
		{ OFF_PERIOD + 6, PL_A_DEV_PERIOD_NS, "x", -EINVAL,
		  "kernel refused period (PL_A_DEV_PERIOD_NS): x (Invalid argument)" },
		/* the padding after ENABLED, the headers, past the end: no attribute */
		{ OFF_ENABLED + 6, -1, "x", -EINVAL, "kernel refused: x (Invalid argument)" },
		{ 4, -1, "x", -EINVAL, "kernel refused: x (Invalid argument)" },
		{ REQ_LEN, -1, "x", -EINVAL, "kernel refused: x (Invalid argument)" },
		{ 0xfffffff0L, -1, "x", -EINVAL, "kernel refused: x (Invalid argument)" },
	};
	uint8_t req[256], m[1024];
	struct plnl_ack a;
	size_t n, i;

	(void)state;
	req_build(req);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n = ack_build(m, cases[i].err, req, true, cases[i].msg, cases[i].offs, -1);
		assert_int_equal(plnl_ack_parse(m, n, req, REQ_LEN, &a), 0);
		assert_int_equal(a.err, cases[i].err);
		assert_int_equal(a.offset, cases[i].offs);
		assert_int_equal(a.attr, cases[i].attr);
		ack_said(&a, cases[i].said);
	}
	/* an attribute this agent has no name for is still said */
	{
		struct plnl_ack x = { .err = -EINVAL, .msg = "m", .offset = 20, .attr = 99, .miss_attr = -1 };

		ack_said(&x, "kernel refused attribute 99: m (Invalid argument)");
	}
	assert_string_equal(plnl_attr_name(PL_A_STATS_SUSPENDS), "PL_A_STATS_SUSPENDS");
	assert_string_equal(plnl_attr_name(PL_A_DEV_RAILS_AVAIL), "PL_A_DEV_RAILS_AVAIL");
	assert_null(plnl_attr_name(PL_A_MAX + 1));
	assert_null(plnl_attr_name(-1));
	assert_null(plnl_attr_name(PL_A_UNSPEC));
	for (i = 1; i <= PL_A_MAX; i++)
		assert_non_null(plnl_attr_name((int)i));
}

/* Without NLM_F_CAPPED the request comes back in the ack: mapped with or without our copy. */
static void test_ack_uncapped(void **state)
{
	uint8_t req[256], m[1024];
	struct plnl_ack a;
	size_t n;

	(void)state;
	req_build(req);
	n = ack_build(m, -ERANGE, req, false, "integer out of range", OFF_PERIOD, -1);
	assert_int_equal(n, NLMSG_HDRLEN + sizeof(struct nlmsgerr) + (REQ_LEN - NLMSG_HDRLEN) + 28 + 8);
	assert_int_equal(plnl_ack_parse(m, n, req, REQ_LEN, &a), 0);
	assert_int_equal(a.attr, PL_A_DEV_PERIOD_NS);
	assert_string_equal(a.msg, "integer out of range");
	assert_int_equal(plnl_ack_parse(m, n, NULL, 0, &a), 0);
	assert_int_equal(a.attr, PL_A_DEV_PERIOD_NS);
	ack_said(&a, "kernel refused period (PL_A_DEV_PERIOD_NS): integer out of range (Numerical result out of range)");
	/* capped, without our copy: the offset stays, no name */
	n = ack_build(m, -ERANGE, req, true, "integer out of range", OFF_PERIOD, -1);
	assert_int_equal(plnl_ack_parse(m, n, NULL, 0, &a), 0);
	assert_int_equal(a.offset, OFF_PERIOD);
	assert_int_equal(a.attr, -1);
	/* uncapped, without TLVs (no NETLINK_EXT_ACK): the errno alone */
	n = ack_build(m, -EINVAL, req, false, NULL, -1, -1);
	assert_int_equal(plnl_ack_parse(m, n, NULL, 0, &a), 0);
	assert_int_equal(a.err, -EINVAL);
	assert_int_equal(a.attr, -1);
	ack_said(&a, "kernel refused: Invalid argument");
}

/* Success, a missing attribute, and a dump's NLMSG_DONE. */
static void test_ack_ok_missing_done(void **state)
{
	uint8_t req[256], m[1024];
	struct nlmsghdr h = { .nlmsg_type = NLMSG_DONE, .nlmsg_flags = NLM_F_MULTI };
	struct plnl_ack a;
	size_t n, off;
	int err;

	(void)state;
	req_build(req);
	n = ack_build(m, 0, req, true, NULL, -1, -1);
	assert_int_equal(plnl_ack_parse(m, n, req, REQ_LEN, &a), 0);
	assert_int_equal(a.err, 0);
	/* GENL_REQ_ATTR_CHECK: NLMSGERR_ATTR_MISS_TYPE, no message */
	n = ack_build(m, -EINVAL, req, true, NULL, -1, PL_A_DEV_ID);
	assert_int_equal(plnl_ack_parse(m, n, req, REQ_LEN, &a), 0);
	assert_int_equal(a.miss_attr, PL_A_DEV_ID);
	ack_said(&a, "kernel refused: missing device (PL_A_DEV_ID) (Invalid argument)");
	n = ack_build(m, -EINVAL, req, true, "need it", -1, PL_A_DEV_ID);
	assert_int_equal(plnl_ack_parse(m, n, req, REQ_LEN, &a), 0);
	ack_said(&a, "kernel refused: missing device (PL_A_DEV_ID): need it (Invalid argument)");

	/* NLMSG_DONE: an int, then the TLVs */
	memset(m, 0, sizeof(m));
	err = 0;
	h.nlmsg_len = NLMSG_HDRLEN + 4;
	memcpy(m, &h, sizeof(h));
	memcpy(m + NLMSG_HDRLEN, &err, 4);
	assert_int_equal(plnl_ack_parse(m, h.nlmsg_len, NULL, 0, &a), 0);
	assert_int_equal(a.err, 0);
	err = -EMSGSIZE;
	memcpy(m + NLMSG_HDRLEN, &err, 4);
	off = put_attr(m, NLMSG_HDRLEN + 4, NLMSGERR_ATTR_MSG, "dump failed", 12);
	h.nlmsg_len = (uint32_t)off;
	h.nlmsg_flags |= NLM_F_ACK_TLVS;
	memcpy(m, &h, sizeof(h));
	assert_int_equal(plnl_ack_parse(m, off, NULL, 0, &a), 0);
	assert_int_equal(a.err, -EMSGSIZE);
	assert_string_equal(a.msg, "dump failed");
	/* a bare DONE, as old kernels sent it: the end, no error */
	h.nlmsg_len = NLMSG_HDRLEN;
	h.nlmsg_flags = NLM_F_MULTI;
	memcpy(m, &h, sizeof(h));
	assert_int_equal(plnl_ack_parse(m, NLMSG_HDRLEN, NULL, 0, &a), 0);
	assert_int_equal(a.err, 0);
}

/* Truncated and garbage input: -EBADMSG or the errno alone, never a crash or an overread. */
static void test_ack_garbage(void **state)
{
	uint8_t req[256], m[1024], *copy;
	struct nlmsghdr h;
	struct plnl_ack a;
	size_t n, k;
	uint32_t seed = 12345;
	int err;

	(void)state;
	req_build(req);
	assert_int_equal(plnl_ack_parse(NULL, 100, req, REQ_LEN, &a), -EBADMSG);
	n = ack_build(m, -ERANGE, req, true, "integer out of range", OFF_PERIOD, -1);
	/* every truncation, in an exactly sized heap copy (ASan/valgrind see any overread) */
	for (k = 0; k < n; k++) {
		copy = malloc(k ? k : 1);
		assert_non_null(copy);
		memcpy(copy, m, k);
		assert_int_equal(plnl_ack_parse(copy, k, req, REQ_LEN, &a), -EBADMSG);
		free(copy);
	}
	/*
	 * A message cut inside its TLVs (header and buffer agreeing): the errno
	 * stands, a TLV that does not fit whole is not read.  MSG (25 bytes)
	 * is at 36, OFFS (8) at 64.
	 */
	assert_int_equal(n, 72);
	for (k = NLMSG_HDRLEN + sizeof(struct nlmsgerr); k <= n; k++) {
		copy = malloc(k);
		assert_non_null(copy);
		memcpy(copy, m, k);
		memcpy(&h, copy, sizeof(h));
		h.nlmsg_len = (uint32_t)k;
		memcpy(copy, &h, sizeof(h));
		assert_int_equal(plnl_ack_parse(copy, k, req, REQ_LEN, &a), 0);
		assert_int_equal(a.err, -ERANGE);
		assert_string_equal(a.msg, k >= 36 + 25 ? "integer out of range" : "");
		assert_int_equal(a.attr, k >= 72 ? PL_A_DEV_PERIOD_NS : -1);
		free(copy);
	}
	/* wrong type */
	memcpy(&h, m, sizeof(h));
	h.nlmsg_type = 0x1d;
	memcpy(m, &h, sizeof(h));
	assert_int_equal(plnl_ack_parse(m, n, req, REQ_LEN, &a), -EBADMSG);
	/* an errno that is none */
	n = ack_build(m, 5, req, true, NULL, -1, -1);
	assert_int_equal(plnl_ack_parse(m, n, req, REQ_LEN, &a), -EBADMSG);
	n = ack_build(m, -100000, req, true, NULL, -1, -1);
	assert_int_equal(plnl_ack_parse(m, n, req, REQ_LEN, &a), -EBADMSG);
	/* uncapped, the echoed request longer than the ack */
	n = ack_build(m, -EINVAL, req, false, NULL, -1, -1);
	memcpy(&h, m + NLMSG_HDRLEN + offsetof(struct nlmsgerr, msg), sizeof(h));
	h.nlmsg_len = 4000;
	memcpy(m + NLMSG_HDRLEN + offsetof(struct nlmsgerr, msg), &h, sizeof(h));
	assert_int_equal(plnl_ack_parse(m, n, NULL, 0, &a), -EBADMSG);
	h.nlmsg_len = 3; /* shorter than a header */
	memcpy(m + NLMSG_HDRLEN + offsetof(struct nlmsgerr, msg), &h, sizeof(h));
	assert_int_equal(plnl_ack_parse(m, n, NULL, 0, &a), -EBADMSG);
	/* TLVs: a zero-length attribute ends the walk, the errno stands */
	n = ack_build(m, -EINVAL, req, true, "msg", -1, -1);
	m[NLMSG_HDRLEN + sizeof(struct nlmsgerr)] = 0;
	m[NLMSG_HDRLEN + sizeof(struct nlmsgerr) + 1] = 0;
	assert_int_equal(plnl_ack_parse(m, n, req, REQ_LEN, &a), 0);
	assert_int_equal(a.err, -EINVAL);
	assert_string_equal(a.msg, "");
	/* a message without its NUL, with bytes outside printable ASCII */
	n = ack_build(m, -EINVAL, req, true, "ab\x01\xff" "c", -1, -1);
	m[NLMSG_HDRLEN + sizeof(struct nlmsgerr) + NLA_HDRLEN + 5] = 'd'; /* the NUL */
	assert_int_equal(plnl_ack_parse(m, n, req, REQ_LEN, &a), 0);
	assert_string_equal(a.msg, "ab??cd");
	/* OFFS of the wrong size is ignored */
	{
		struct nlmsghdr hh = { .nlmsg_type = NLMSG_ERROR, .nlmsg_flags = NLM_F_CAPPED | NLM_F_ACK_TLVS };
		uint16_t shortoff = OFF_PERIOD;
		size_t off = NLMSG_HDRLEN + sizeof(struct nlmsgerr);

		memset(m, 0, sizeof(m));
		err = -EINVAL;
		memcpy(m + NLMSG_HDRLEN, &err, sizeof(err));
		memcpy(m + NLMSG_HDRLEN + offsetof(struct nlmsgerr, msg), req, NLMSG_HDRLEN);
		off = put_attr(m, off, NLMSGERR_ATTR_OFFS, &shortoff, sizeof(shortoff));
		hh.nlmsg_len = (uint32_t)off;
		memcpy(m, &hh, sizeof(hh));
		assert_int_equal(plnl_ack_parse(m, off, req, REQ_LEN, &a), 0);
		assert_int_equal(a.offset, -1);
		assert_int_equal(a.attr, -1);
	}
	/* random bytes behind a plausible header */
	for (k = 0; k < 20000; k++) {
		size_t len = 16 + (seed % 200), i;

		for (i = 0; i < len; i++) {
			seed = seed * 1103515245 + 12345;
			m[i] = (uint8_t)(seed >> 16);
		}
		h = (struct nlmsghdr){ .nlmsg_len = (uint32_t)len, .nlmsg_type = k & 1 ? NLMSG_ERROR : NLMSG_DONE,
				       .nlmsg_flags = (uint16_t)(seed & (NLM_F_CAPPED | NLM_F_ACK_TLVS)) };
		memcpy(m, &h, sizeof(h));
		copy = malloc(len);
		assert_non_null(copy);
		memcpy(copy, m, len);
		err = plnl_ack_parse(copy, len, k & 2 ? req : NULL, REQ_LEN, &a);
		assert_true(err == 0 || err == -EBADMSG);
		assert_true(strlen(a.msg) < sizeof(a.msg));
		assert_true(a.attr >= -1);
		free(copy);
	}
}

static void test_attr_at(void **state)
{
	uint8_t req[256];
	struct nlmsghdr h;

	(void)state;
	req_build(req);
	assert_int_equal(plnl_attr_at(req, REQ_LEN, OFF_DEV_ID), PL_A_DEV_ID);
	assert_int_equal(plnl_attr_at(req, REQ_LEN, OFF_RAILS + 7), PL_A_DEV_RAILS);
	assert_int_equal(plnl_attr_at(req, REQ_LEN, OFF_RAILS + 8), -1);
	assert_int_equal(plnl_attr_at(req, REQ_LEN, 0), -1);
	assert_int_equal(plnl_attr_at(NULL, REQ_LEN, OFF_DEV_ID), -1);
	/* a buffer shorter than the header says: only what is there */
	assert_int_equal(plnl_attr_at(req, OFF_RAILS, OFF_RAILS), -1);
	assert_int_equal(plnl_attr_at(req, OFF_RAILS, OFF_ENABLED), PL_A_DEV_ENABLED);
	assert_int_equal(plnl_attr_at(req, 10, 0), -1);
	/* an attribute claiming more than is left stops the walk */
	memcpy(&h, req, sizeof(h));
	req[OFF_PERIOD] = 200;
	assert_int_equal(plnl_attr_at(req, REQ_LEN, OFF_RAILS), -1);
	assert_int_equal(plnl_attr_at(req, REQ_LEN, OFF_DEV_ID), PL_A_DEV_ID);
}

static void test_rails_syntax(void **state)
{
	static const struct {
		const char *s;
		int ret;
		uint32_t mask;
	} cases[] = {
		{ "pin,pout,vout,iout", 0, PL_RAIL_PIN | PL_RAIL_POUT | PL_RAIL_VOUT | PL_RAIL_IOUT },
		{ "vin", 0, PL_RAIL_VIN },
		{ "temp,vin,iin", 0, PL_RAIL_TEMP | PL_RAIL_VIN | PL_RAIL_IIN },
		{ "vin,iin,vout,iout,pout,pin,temp", 0, __PL_RAIL_ALL },
		/* masks go out as written: the kernel judges reserved bits and subsets */
		{ "0x21", 0, 0x21 },
		{ "0X7f", 0, 0x7f },
		{ "33", 0, 33 },
		{ "0x80", 0, 0x80 },
		{ "0", 0, 0 },
		{ "0xffffffff", 0, 0xffffffff },
		{ "", -EINVAL, 0 },
		{ "pin,", -EINVAL, 0 },
		{ ",pin", -EINVAL, 0 },
		{ "pin,,pout", -EINVAL, 0 },
		{ "pin,pin", -EINVAL, 0 },
		{ "PIN", -EINVAL, 0 },
		{ "power", -EINVAL, 0 },
		{ "pi", -EINVAL, 0 },
		{ "pin pout", -EINVAL, 0 },
		{ "0x", -EINVAL, 0 },
		{ "0x1g", -EINVAL, 0 },
		{ "0x100000000", -EINVAL, 0 },
		{ "4294967296", -EINVAL, 0 },
		{ "-1", -EINVAL, 0 },
		{ "1,2", -EINVAL, 0 },
		{ "all", -EINVAL, 0 }, /* set's own word: needs the device */
	};
	char s[128];
	uint32_t m;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		m = 0xdeadbeef;
		assert_int_equal(plnl_rails_parse(cases[i].s, &m), cases[i].ret);
		if (!cases[i].ret)
			assert_int_equal(m, cases[i].mask);
		else
			assert_int_equal(m, 0xdeadbeef);
	}
	plnl_rails_str(__PL_RAIL_ALL, s, sizeof(s));
	assert_string_equal(s, "vin,iin,vout,iout,pout,pin,temp");
	plnl_rails_str(PL_RAIL_PIN | PL_RAIL_VIN, s, sizeof(s));
	assert_string_equal(s, "vin,pin");
	plnl_rails_str(0, s, sizeof(s));
	assert_string_equal(s, "-");
	plnl_rails_str(0x1a0, s, sizeof(s));
	assert_string_equal(s, "pin,0x180");
	plnl_dev_flags_str(PL_DEV_F_PEC | PL_DEV_F_ENABLED | PL_DEV_F_PAGE_CHECK, s, sizeof(s));
	assert_string_equal(s, "pec,enabled,page-check");
	plnl_dev_flags_str(0, s, sizeof(s));
	assert_string_equal(s, "-");
	assert_string_equal(plnl_event_kind_name(PL_EVENT_I2C_ERROR), "i2c_error");
	assert_string_equal(plnl_event_kind_name(PL_EVENT_BACKOFF), "backoff");
	assert_string_equal(plnl_event_kind_name(PLNL_EVENT_OVERFLOW), "overflow");
	assert_null(plnl_event_kind_name(PL_EVENT_MAX + 1));
	for (i = 1; i <= PL_EVENT_MAX; i++)
		assert_non_null(plnl_event_kind_name((uint32_t)i));
}

static void test_period_syntax(void **state)
{
	static const struct {
		const char *s;
		int ret;
		uint64_t ns;
	} cases[] = {
		{ "500us", 0, 500000 },
		{ "2ms", 0, 2000000 },
		{ "1s", 0, 1000000000 },
		{ "250000ns", 0, 250000 },
		{ "1000Hz", 0, 1000000 },
		{ "1kHz", 0, 1000000 },
		{ "2.5kHz", 0, 400000 },
		{ "3kHz", 0, 333333 },
		{ "10khz", 0, 100000 },
		{ "1MHz", 0, 1000 },
		{ "0.5Hz", 0, 2000000000 },
		/* syntax only: the kernel judges the range (50 us, 2 s go out) */
		{ "50us", 0, 50000 },
		{ "2s", 0, 2000000000 },
		{ "1000", -EINVAL, 0 },
		{ "", -EINVAL, 0 },
		{ "ms", -EINVAL, 0 },
		{ "Hz", -EINVAL, 0 },
		{ "0ms", -EINVAL, 0 },
		{ "0Hz", -EINVAL, 0 },
		{ "-1ms", -EINVAL, 0 },
		{ "1.5ms", -EINVAL, 0 },
		{ "2 ms", -EINVAL, 0 },
		{ "2msec", -EINVAL, 0 },
		{ "1x", -EINVAL, 0 },
	};
	char s[64];
	uint64_t ns;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ns = 42;
		assert_int_equal(cli_parse_period_ns(cases[i].s, &ns) ? -EINVAL : 0, cases[i].ret);
		if (!cases[i].ret)
			assert_int_equal(ns, cases[i].ns);
	}
	cli_period_str(1000000, s, sizeof(s));
	assert_string_equal(s, "1 ms (1000 Hz)");
	cli_period_str(500000, s, sizeof(s));
	assert_string_equal(s, "500 us (2000 Hz)");
	cli_period_str(2000000, s, sizeof(s));
	assert_string_equal(s, "2 ms (500 Hz)");
	cli_period_str(1000000000, s, sizeof(s));
	assert_string_equal(s, "1 s (1 Hz)");
	cli_period_str(300000, s, sizeof(s));
	assert_string_equal(s, "300 us (3333.333 Hz)");
	cli_period_str(333333, s, sizeof(s));
	assert_string_equal(s, "333333 ns (3000.003 Hz)");
	cli_period_str(1500000, s, sizeof(s));
	assert_string_equal(s, "1500 us (666.667 Hz)");
	cli_period_str(400000, s, sizeof(s));
	assert_string_equal(s, "400 us (2500 Hz)");
	cli_period_str(0, s, sizeof(s));
	assert_string_equal(s, "0 ns");
}

/* This host has no powerledger module: every verb says so, clearly. */
static void test_open_without_module(void **state)
{
	const char *bin = getenv("PL_BIN");
	struct plerr e = { "" };
	struct plnl *nl = (struct plnl *)&e;
	struct stat st;
	int ret;

	(void)state;
	if (!stat("/sys/module/powerledger", &st)) {
		print_message("# powerledger.ko is loaded here: skipped\n");
		skip();
	}
	ret = plnl__open(&nl, &e);
	if (ret == -EAFNOSUPPORT || ret == -EPROTONOSUPPORT || ret == -EACCES || ret == -EPERM) {
		print_message("# no generic netlink here (%s): skipped\n", e.msg);
		skip();
	}
	assert_int_equal(ret, -ENOENT);
	assert_null(nl);
	assert_string_equal(e.msg, "generic netlink family \"powerledger\" not found: is powerledger.ko loaded?");
	plnl__close(NULL);
	if (!bin)
		return;
	for (const char *const *v = (const char *const[]){ "devices", "stats 0", "set 0 --period 2ms",
							    "events --duration 1s", NULL };
	     *v; v++)
		assert_int_equal(tu_sh("'%s' %s 2>&1 >/dev/null | grep -qx 'powerledger: %.*s: generic netlink family "
				       "\"powerledger\" not found: is powerledger.ko loaded?' && '%s' %s 2>/dev/null; "
				       "test $? = 2",
				       bin, *v, (int)strcspn(*v, " "), *v, bin, *v),
				 0);
	/* syntax is checked before any socket: a usage error, exit 2 */
	assert_int_equal(tu_sh("'%s' set 0 --period 1000 2>&1 | grep -q \"bad --period '1000'\"", bin), 0);
	assert_int_equal(tu_sh("'%s' set 0 --rails pin,bogus 2>&1 | grep -q \"bad --rails 'pin,bogus'\"", bin), 0);
	assert_int_equal(tu_sh("'%s' set 0 --enable --disable 2>&1 | grep -q 'not both'", bin), 0);
	assert_int_equal(tu_sh("'%s' set 0 2>&1 | grep -q 'nothing to set'", bin), 0);
	assert_int_equal(tu_sh("'%s' set 0 --enable 2>/dev/null; test $? = 2", bin), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ack_message_only),   cmocka_unit_test(test_ack_offset_names_attribute),
		cmocka_unit_test(test_ack_uncapped),	   cmocka_unit_test(test_ack_ok_missing_done),
		cmocka_unit_test(test_ack_garbage),	   cmocka_unit_test(test_attr_at),
		cmocka_unit_test(test_rails_syntax),	   cmocka_unit_test(test_period_syntax),
		cmocka_unit_test(test_open_without_module),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
