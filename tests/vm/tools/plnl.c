// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * plnl: talk to the "powerledger" generic netlink family with libnl-genl-3.
 *
 *	plnl [--no-net-admin] list | get DEV | set DEV [period_ns=N] [enabled=0|1]
 *	     [rails=MASK] | stats DEV | listen SECONDS
 *
 * Output is key=value for the shell tests.  Exit 0 ok, 1 when the kernel
 * refused the request (its errno and extack message go to stderr as
 * "plnl: VERB: <strerror> (errno N): <extack>"), 2 on usage or system
 * errors.  --no-net-admin drops CAP_NET_ADMIN first, to try privileged
 * commands as an unprivileged caller would.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/capability.h>
#include <linux/netlink.h>
#include <linux/powerledger.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "stats.h"
#include "util.h"

#define PROG "plnl"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static const struct nla_policy pl_policy[PL_A_MAX + 1] = {
	[PL_A_DEV_ID]		= { .type = NLA_U32 },
	[PL_A_DEV_NAME]		= { .type = NLA_STRING },
	[PL_A_DEV_MFR_ID]	= { .type = NLA_STRING },
	[PL_A_DEV_MFR_MODEL]	= { .type = NLA_STRING },
	[PL_A_DEV_MFR_SERIAL]	= { .type = NLA_STRING },
	[PL_A_DEV_PERIOD_NS]	= { .type = NLA_U64 },
	[PL_A_DEV_ENABLED]	= { .type = NLA_U8 },
	[PL_A_DEV_RAILS]	= { .type = NLA_U32 },
	[PL_A_DEV_FLAGS]	= { .type = NLA_U32 },
	[PL_A_DEV_PAGE]		= { .type = NLA_U8 },
	[PL_A_DEV_RAILS_AVAIL]	= { .type = NLA_U32 },
	[PL_A_STATS_SAMPLES]	= { .type = NLA_U64 },
	[PL_A_STATS_LOST]	= { .type = NLA_U64 },
	[PL_A_STATS_OVERRUNS]	= { .type = NLA_U64 },
	[PL_A_STATS_I2C_ERRORS]	= { .type = NLA_U64 },
	[PL_A_STATS_PEC_ERRORS]	= { .type = NLA_U64 },
	[PL_A_STATS_JITTER]	= { .minlen = PL_JITTER_BUCKETS * sizeof(__u64) },
	[PL_A_EVENT_KIND]	= { .type = NLA_U32 },
	[PL_A_EVENT_COUNT]	= { .type = NLA_U64 },
	[PL_A_EVENT_ERRNO]	= { .type = NLA_S32 },
	[PL_A_STATS_PAGE_REPAIRS] = { .type = NLA_U64 },
	[PL_A_STATS_BACKOFFS]	= { .type = NLA_U64 },
	[PL_A_STATS_SUSPENDS]	= { .type = NLA_U64 },
};

/* One request and the answers to it; the callbacks below fill it. */
struct req {
	const char *verb;
	int (*on_msg)(struct nlattr **tb, void *arg);
	void *arg;
	unsigned int msgs;
	int err;		/* negative errno from the kernel or parsing */
	char extack[256];
	bool done;
};

struct conn {
	struct nl_sock *sk;
	int family;
};

static int conn__open(struct conn *nl)
{
	int one = 1, ret;

	nl->sk = nl_socket_alloc();
	if (!nl->sk) {
		fprintf(stderr, PROG ": nl_socket_alloc: out of memory\n");
		return 2;
	}
	ret = genl_connect(nl->sk);
	if (ret) {
		fprintf(stderr, PROG ": genl_connect: %s\n", nl_geterror(ret));
		return 2;
	}
	/* extack messages, without an echo of our request in front of them */
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	nl->family = genl_ctrl_resolve(nl->sk, PL_GENL_NAME);
	if (nl->family < 0) {
		fprintf(stderr, PROG ": generic netlink family \"" PL_GENL_NAME "\": %s "
			"(is powerledger.ko loaded?)\n", nl_geterror(nl->family));
		return 2;
	}
	return 0;
}

static void conn__close(struct conn *nl)
{
	nl_socket_free(nl->sk);
}

static int valid_cb(struct nl_msg *msg, void *arg)
{
	struct req *r = arg;
	struct nlattr *tb[PL_A_MAX + 1];
	int ret;

	ret = genlmsg_parse(nlmsg_hdr(msg), 0, tb, PL_A_MAX, pl_policy);
	if (ret < 0) {
		fprintf(stderr, PROG ": %s: malformed reply: %s\n", r->verb, nl_geterror(ret));
		r->err = -EBADMSG;
		return NL_STOP;
	}
	r->msgs++;
	ret = r->on_msg ? r->on_msg(tb, r->arg) : 0;
	if (ret) {
		r->err = ret;
		return NL_STOP;
	}
	return NL_OK;
}

/* ACK, or the end of a dump; a failed dump carries its -errno in NLMSG_DONE. */
static int done_cb(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct req *r = arg;
	int err;

	r->done = true;
	if (nlh->nlmsg_type == NLMSG_DONE && nlmsg_datalen(nlh) >= (int)sizeof(err)) {
		memcpy(&err, nlmsg_data(nlh), sizeof(err));
		if (err < 0)
			r->err = err;
	}
	return NL_STOP;
}

/* The kernel's error, and its extack message if it sent one. */
static int error_cb(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	const struct nlmsghdr *nlh = (const void *)((const char *)e - NLMSG_HDRLEN);
	struct req *r = arg;
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	size_t len = nlh->nlmsg_len - NLMSG_HDRLEN, off = sizeof(*e);

	(void)nla;
	r->err = e->error;
	r->done = true;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return NL_STOP;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
		if (e->msg.nlmsg_len < NLMSG_HDRLEN)
			return NL_STOP;
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	}
	off = NLMSG_ALIGN(off);
	if (off >= len)
		return NL_STOP;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)((char *)e + off),
		      (int)(len - off), NULL))
		return NL_STOP;
	if (tb[NLMSGERR_ATTR_MSG])
		snprintf(r->extack, sizeof(r->extack), "%.*s", nla_len(tb[NLMSGERR_ATTR_MSG]),
			 (const char *)nla_data(tb[NLMSGERR_ATTR_MSG]));
	return NL_STOP;
}

typedef int (*put_fn)(struct nl_msg *msg, void *arg);

/*
 * Sends one request and collects the answers until the ACK, the end of the
 * dump, or an error.  Returns 0, 1 (the kernel refused: reported on stderr)
 * or 2 (system error).
 */
static int request(struct conn *nl, struct req *r, uint8_t cmd, int flags, put_fn put,
		   void *put_arg)
{
	struct nl_msg *msg;
	struct nl_cb *cb = NULL;
	int ret = 2, err;

	msg = nlmsg_alloc();
	if (!msg || !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0,
				 flags | NLM_F_ACK, cmd, PL_GENL_VERSION) ||
	    (put && put(msg, put_arg))) {
		fprintf(stderr, PROG ": %s: cannot build request\n", r->verb);
		goto cleanup;
	}
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		fprintf(stderr, PROG ": %s: out of memory\n", r->verb);
		goto cleanup;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, valid_cb, r);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, done_cb, r);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, done_cb, r);
	nl_cb_err(cb, NL_CB_CUSTOM, error_cb, r);

	err = nl_send_auto(nl->sk, msg);
	if (err < 0) {
		fprintf(stderr, PROG ": %s: send: %s\n", r->verb, nl_geterror(err));
		goto cleanup;
	}
	while (!r->done && !r->err) {
		err = nl_recvmsgs(nl->sk, cb);
		if (err < 0 && !r->err) {
			fprintf(stderr, PROG ": %s: receive: %s\n", r->verb, nl_geterror(err));
			goto cleanup;
		}
	}
	if (r->err) {
		fprintf(stderr, PROG ": %s: %s (errno %d)%s%s\n", r->verb, strerror(-r->err),
			-r->err, r->extack[0] ? ": " : "", r->extack);
		ret = 1;
		goto cleanup;
	}
	ret = 0;
cleanup:
	nl_cb_put(cb);
	nlmsg_free(msg);
	return ret;
}

/* key=value friendly: blanks and non-printables become '_' */
static void print_str(const char *key, struct nlattr *a)
{
	const char *s = a ? nla_get_string(a) : "";

	printf(" %s=", key);
	for (; *s; s++)
		putchar(*s > ' ' && *s < 0x7f ? *s : '_');
}

static int print_device(struct nlattr **tb, void *arg)
{
	(void)arg;
	if (!tb[PL_A_DEV_ID]) {
		fprintf(stderr, PROG ": device message without PL_A_DEV_ID\n");
		return -EBADMSG;
	}
	printf("dev=%u", nla_get_u32(tb[PL_A_DEV_ID]));
	print_str("name", tb[PL_A_DEV_NAME]);
	print_str("mfr_id", tb[PL_A_DEV_MFR_ID]);
	print_str("model", tb[PL_A_DEV_MFR_MODEL]);
	print_str("serial", tb[PL_A_DEV_MFR_SERIAL]);
	printf(" period_ns=%" PRIu64, tb[PL_A_DEV_PERIOD_NS] ?
	       (uint64_t)nla_get_u64(tb[PL_A_DEV_PERIOD_NS]) : 0);
	printf(" enabled=%u", tb[PL_A_DEV_ENABLED] ? nla_get_u8(tb[PL_A_DEV_ENABLED]) : 0);
	printf(" rails=0x%x", tb[PL_A_DEV_RAILS] ? nla_get_u32(tb[PL_A_DEV_RAILS]) : 0);
	printf(" flags=0x%x", tb[PL_A_DEV_FLAGS] ? nla_get_u32(tb[PL_A_DEV_FLAGS]) : 0);
	printf(" page=%u", tb[PL_A_DEV_PAGE] ? nla_get_u8(tb[PL_A_DEV_PAGE]) : 0);
	printf(" rails_avail=0x%x\n", tb[PL_A_DEV_RAILS_AVAIL] ? nla_get_u32(tb[PL_A_DEV_RAILS_AVAIL]) : 0);
	return 0;
}

static int u64_attr(struct nlattr **tb, int type, __u64 *out)
{
	if (!tb[type]) {
		fprintf(stderr, PROG ": stats reply without attribute %d\n", type);
		return -EBADMSG;
	}
	*out = nla_get_u64(tb[type]);
	return 0;
}

static int print_stats(struct nlattr **tb, void *arg)
{
	struct pl_stats st;

	(void)arg;
	memset(&st, 0, sizeof(st));
	if (!tb[PL_A_DEV_ID] || !tb[PL_A_STATS_JITTER] ||
	    nla_len(tb[PL_A_STATS_JITTER]) != sizeof(st.jitter_hist)) {
		fprintf(stderr, PROG ": stats reply without PL_A_DEV_ID or a %zu-byte "
			"PL_A_STATS_JITTER\n", sizeof(st.jitter_hist));
		return -EBADMSG;
	}
	st.dev_id = nla_get_u32(tb[PL_A_DEV_ID]);
	if (u64_attr(tb, PL_A_STATS_SAMPLES, &st.samples) ||
	    u64_attr(tb, PL_A_STATS_LOST, &st.lost) ||
	    u64_attr(tb, PL_A_STATS_OVERRUNS, &st.overruns) ||
	    u64_attr(tb, PL_A_STATS_I2C_ERRORS, &st.i2c_errors) ||
	    u64_attr(tb, PL_A_STATS_PEC_ERRORS, &st.pec_errors))
		return -EBADMSG;
	/* newer counters: absent from older modules, printed as 0 then */
	if (tb[PL_A_STATS_PAGE_REPAIRS])
		st.page_repairs = nla_get_u64(tb[PL_A_STATS_PAGE_REPAIRS]);
	if (tb[PL_A_STATS_BACKOFFS])
		st.backoffs = nla_get_u64(tb[PL_A_STATS_BACKOFFS]);
	if (tb[PL_A_STATS_SUSPENDS])
		st.suspends = nla_get_u64(tb[PL_A_STATS_SUSPENDS]);
	memcpy(st.jitter_hist, nla_data(tb[PL_A_STATS_JITTER]), sizeof(st.jitter_hist));
	stats_print_pl_stats(stdout, &st);
	return 0;
}

struct set_args {
	uint32_t dev_id;
	bool has_period, has_enabled, has_rails;
	uint64_t period_ns;
	uint32_t rails;
	uint8_t enabled;
};

static int put_dev_id(struct nl_msg *msg, void *arg)
{
	return nla_put_u32(msg, PL_A_DEV_ID, *(uint32_t *)arg);
}

static int put_set(struct nl_msg *msg, void *arg)
{
	struct set_args *a = arg;

	if (nla_put_u32(msg, PL_A_DEV_ID, a->dev_id))
		return -1;
	if (a->has_period && nla_put_u64(msg, PL_A_DEV_PERIOD_NS, a->period_ns))
		return -1;
	if (a->has_enabled && nla_put_u8(msg, PL_A_DEV_ENABLED, a->enabled))
		return -1;
	if (a->has_rails && nla_put_u32(msg, PL_A_DEV_RAILS, a->rails))
		return -1;
	return 0;
}

static int parse_dev(const char *s, uint32_t *id)
{
	uint64_t v;

	if (tools_parse_u64(s, &v) || v > UINT32_MAX) {
		fprintf(stderr, PROG ": invalid device id '%s'\n", s);
		return 2;
	}
	*id = (uint32_t)v;
	return 0;
}

static int cmd_list(struct conn *nl, int argc, char **argv)
{
	struct req r = { .verb = "list", .on_msg = print_device };

	(void)argv;
	if (argc != 0)
		return -1;
	return request(nl, &r, PL_CMD_GET_DEVICE, NLM_F_DUMP, NULL, NULL);
}

static int cmd_get(struct conn *nl, int argc, char **argv)
{
	struct req r = { .verb = "get", .on_msg = print_device };
	uint32_t id;

	if (argc != 1)
		return -1;
	if (parse_dev(argv[0], &id))
		return 2;
	return request(nl, &r, PL_CMD_GET_DEVICE, 0, put_dev_id, &id);
}

static int cmd_stats(struct conn *nl, int argc, char **argv)
{
	struct req r = { .verb = "stats", .on_msg = print_stats };
	uint32_t id;

	if (argc != 1)
		return -1;
	if (parse_dev(argv[0], &id))
		return 2;
	return request(nl, &r, PL_CMD_GET_STATS, 0, put_dev_id, &id);
}

/* Values go to the kernel unchecked beyond their width: it owns the ranges. */
static int cmd_set(struct conn *nl, int argc, char **argv)
{
	struct req r = { .verb = "set" };
	struct set_args a = { 0 };
	uint64_t v;
	int i;

	if (argc < 2)
		return -1;
	if (parse_dev(argv[0], &a.dev_id))
		return 2;
	for (i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "period_ns=", 10) && !tools_parse_u64(argv[i] + 10, &v)) {
			a.has_period = true;
			a.period_ns = v;
		} else if (!strncmp(argv[i], "enabled=", 8) && !tools_parse_u64(argv[i] + 8, &v) &&
			   v <= UINT8_MAX) {
			a.has_enabled = true;
			a.enabled = (uint8_t)v;
		} else if (!strncmp(argv[i], "rails=", 6) && !tools_parse_u64(argv[i] + 6, &v) &&
			   v <= UINT32_MAX) {
			a.has_rails = true;
			a.rails = (uint32_t)v;
		} else {
			fprintf(stderr, PROG ": set: invalid setting '%s'\n", argv[i]);
			return 2;
		}
	}
	return request(nl, &r, PL_CMD_SET_DEVICE, 0, put_set, &a);
}

static const char *event_kind_name(uint32_t kind)
{
	static const char *const names[] = {
		[PL_EVENT_I2C_ERROR]		= "i2c_error",
		[PL_EVENT_PEC_ERROR]		= "pec_error",
		[PL_EVENT_OVERRUN]		= "overrun",
		[PL_EVENT_LOST]			= "lost",
		[PL_EVENT_DEVICE_ADDED]		= "device_added",
		[PL_EVENT_DEVICE_REMOVED]	= "device_removed",
		[PL_EVENT_PAGE_RESTORED]	= "page_restored",
		[PL_EVENT_BACKOFF]		= "backoff",
	};

	return kind < ARRAY_SIZE(names) && names[kind] ? names[kind] : NULL;
}

struct listen_state {
	uint64_t events;
	uint64_t other;		/* messages of other commands */
};

static int event_cb(struct nl_msg *msg, void *arg)
{
	struct listen_state *ls = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nlattr *tb[PL_A_MAX + 1];
	const char *kind;
	uint32_t k;
	int ret;

	if (!genlmsg_valid_hdr(nlh, 0) || genlmsg_hdr(nlh)->cmd != PL_CMD_EVENT) {
		ls->other++;
		return NL_OK;
	}
	ret = genlmsg_parse(nlh, 0, tb, PL_A_MAX, pl_policy);
	if (ret < 0 || !tb[PL_A_DEV_ID] || !tb[PL_A_EVENT_KIND]) {
		fprintf(stderr, PROG ": listen: malformed event: %s\n",
			ret < 0 ? nl_geterror(ret) : "missing PL_A_DEV_ID or PL_A_EVENT_KIND");
		ls->other++;
		return NL_OK;
	}
	k = nla_get_u32(tb[PL_A_EVENT_KIND]);
	kind = event_kind_name(k);
	ls->events++;
	if (kind)
		printf("event kind=%s", kind);
	else
		printf("event kind=unknown_%u", k);
	printf(" dev=%u count=%" PRIu64 " errno=%d\n", nla_get_u32(tb[PL_A_DEV_ID]),
	       tb[PL_A_EVENT_COUNT] ? (uint64_t)nla_get_u64(tb[PL_A_EVENT_COUNT]) : 0,
	       tb[PL_A_EVENT_ERRNO] ? nla_get_s32(tb[PL_A_EVENT_ERRNO]) : 0);
	fflush(stdout);		/* tests read events while we run */
	return NL_OK;
}

static int any_seq_cb(struct nl_msg *msg, void *arg)
{
	(void)msg, (void)arg;
	return NL_OK;
}

static int cmd_listen(struct conn *nl, int argc, char **argv)
{
	struct listen_state ls = { 0 };
	struct nl_cb *cb;
	uint64_t duration_ns, deadline;
	unsigned int overflows = 0;
	int grp, err, ret = 2;

	if (argc != 1)
		return -1;
	if (parse_seconds_ns(argv[0], &duration_ns)) {
		fprintf(stderr, PROG ": listen: invalid duration '%s'\n", argv[0]);
		return 2;
	}
	grp = genl_ctrl_resolve_grp(nl->sk, PL_GENL_NAME, PL_GENL_MCGRP_EVENTS);
	if (grp < 0) {
		fprintf(stderr, PROG ": listen: group \"" PL_GENL_MCGRP_EVENTS "\": %s\n",
			nl_geterror(grp));
		return 2;
	}
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		fprintf(stderr, PROG ": listen: out of memory\n");
		return 2;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, event_cb, &ls);
	/*
	 * Multicast carries no sequence numbers of ours.  The check lives in
	 * each nl_cb: nl_socket_disable_seq_check() would only reach the
	 * socket's own one, not this.
	 */
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, any_seq_cb, NULL);
	nl_socket_set_buffer_size(nl->sk, 0, 1 << 20);
	err = nl_socket_add_membership(nl->sk, grp);
	if (!err)
		err = nl_socket_set_nonblocking(nl->sk);
	if (err) {
		fprintf(stderr, PROG ": listen: join group %d: %s\n", grp, nl_geterror(err));
		goto cleanup;
	}
	fprintf(stderr, PROG ": listening on " PL_GENL_NAME "/" PL_GENL_MCGRP_EVENTS
		" (group %d)\n", grp);

	deadline = mono_ns() + duration_ns;
	while (!stop) {
		struct pollfd pfd = { .fd = nl_socket_get_fd(nl->sk), .events = POLLIN };
		uint64_t now = mono_ns();
		int n;

		if (now >= deadline)
			break;
		n = poll(&pfd, 1, (int)((deadline - now + 999999) / 1000000));
		if (n < 0 && errno != EINTR) {
			fprintf(stderr, PROG ": listen: poll: %s\n", strerror(errno));
			goto cleanup;
		}
		if (n <= 0)
			continue;
		for (;;) {
			err = nl_recvmsgs(nl->sk, cb);
			if (err >= 0)
				continue;
			if (err == -NLE_AGAIN || err == -NLE_INTR)
				break;
			if (err == -NLE_NOMEM) {
				/* ENOBUFS: the socket overflowed and events were dropped */
				if (!overflows++)
					fprintf(stderr, PROG ": listen: receive buffer overflowed, "
						"events lost\n");
				continue;
			}
			fprintf(stderr, PROG ": listen: receive: %s\n", nl_geterror(err));
			goto cleanup;
		}
	}
	if (overflows)
		fprintf(stderr, PROG ": listen: %u overflows\n", overflows);
	printf("events=%" PRIu64 "\n", ls.events);
	ret = 0;
cleanup:
	nl_cb_put(cb);
	return ret;
}

static const struct {
	const char *name;
	int (*fn)(struct conn *nl, int argc, char **argv);
	int min_args, max_args;
	const char *args;
	const char *summary;
} verbs[] = {
	{ "list", cmd_list, 0, 0, "", "one line per bound device" },
	{ "get", cmd_get, 1, 1, " DEV", "the same line for one device" },
	{ "set", cmd_set, 2, 4, " DEV [period_ns=N] [enabled=0|1] [rails=MASK]",
	  "change a device (CAP_NET_ADMIN)" },
	{ "stats", cmd_stats, 1, 1, " DEV", "counters and jitter histogram as stats.DEV.* lines" },
	{ "listen", cmd_listen, 1, 1, " SECONDS", "print events of the \"events\" group" },
};

/* Drops CAP_NET_ADMIN from the effective and permitted sets, for good. */
static int drop_net_admin(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	unsigned int i = CAP_TO_INDEX(CAP_NET_ADMIN);

	if (syscall(SYS_capget, &hdr, data)) {
		fprintf(stderr, PROG ": capget: %s\n", strerror(errno));
		return 2;
	}
	data[i].effective &= ~CAP_TO_MASK(CAP_NET_ADMIN);
	data[i].permitted &= ~CAP_TO_MASK(CAP_NET_ADMIN);
	data[i].inheritable &= ~CAP_TO_MASK(CAP_NET_ADMIN);
	if (syscall(SYS_capset, &hdr, data)) {
		fprintf(stderr, PROG ": capset: %s\n", strerror(errno));
		return 2;
	}
	return 0;
}

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: " PROG " [--no-net-admin] VERB [ARGS]\n\n");
	for (i = 0; i < ARRAY_SIZE(verbs); i++)
		fprintf(f, "  " PROG " %s%s\n      %s\n", verbs[i].name, verbs[i].args,
			verbs[i].summary);
	fprintf(f,
		"\nlist/get print: dev=ID name= mfr_id= model= serial= period_ns= enabled=0|1\n"
		"rails=0x.. flags=0x.. page=N rails_avail=0x.. (blanks in strings become '_').\n"
		"listen prints: event kind=NAME dev=ID count=N errno=E, then events=N.\n"
		"A refused request prints \"" PROG ": VERB: <strerror> (errno N): <extack>\" on stderr.\n"
		"--no-net-admin: drop CAP_NET_ADMIN first (SET then fails with EPERM).\n"
		"Exit 0 ok, 1 the kernel refused the request, 2 usage or system error.\n");
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct conn nl = { 0 };
	size_t i;
	int ret;

	if (argc >= 2 && !strcmp(argv[1], "--no-net-admin")) {
		if (drop_net_admin())
			return 2;
		argv[1] = argv[0];
		argv++;
		argc--;
	}
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(verbs); i++)
		if (!strcmp(argv[1], verbs[i].name))
			break;
	if (i == ARRAY_SIZE(verbs)) {
		fprintf(stderr, PROG ": unknown verb '%s'\n", argv[1]);
		usage(stderr);
		return 2;
	}
	if (argc - 2 < verbs[i].min_args || argc - 2 > verbs[i].max_args) {
		fprintf(stderr, "usage: " PROG " %s%s\n", verbs[i].name, verbs[i].args);
		return 2;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	ret = conn__open(&nl);
	if (!ret) {
		ret = verbs[i].fn(&nl, argc - 2, argv + 2);
		if (ret < 0) {
			fprintf(stderr, "usage: " PROG " %s%s\n", verbs[i].name, verbs[i].args);
			ret = 2;
		}
	}
	if (nl.sk)
		conn__close(&nl);
	return ret;
}
