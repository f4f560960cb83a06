// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Client of the "powerledger" generic netlink family (see genl.h). */
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "capture/genl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/*
 * One datagram.  The kernel sizes dump messages by the largest buffer we
 * ever passed to recvmsg(), at most 32 KiB: 64 KiB always holds one.
 */
#define PLNL_RBUF (64 * 1024)
/* Receive buffer of the events socket: the kernel caps it at rmem_max. */
#define PLNL_EVENTS_RCVBUF (256 * 1024)

struct plnl {
	struct nl_sock *sk; /* requests and their answers only */
	struct nl_sock *ev; /* the "events" group, once subscribed */
	int family;
	int grp; /* the events group id, or a negative NLE_* from its lookup */
	uint8_t *rbuf;
	uint8_t *ebuf; /* the events datagram being read: [epos, elen) is left */
	size_t elen, epos;
	struct plnl_ack ack;
	bool refused; /* ack holds the last request's refusal */
	bool overflow_pending;
	uint64_t overflows, skipped;
};

/* clang-format off */
#define A(x) [x] = #x
static const char *const attr_names[PL_A_MAX + 1] = {
	A(PL_A_DEV_ID), A(PL_A_DEV_NAME), A(PL_A_DEV_MFR_ID), A(PL_A_DEV_MFR_MODEL),
	A(PL_A_DEV_MFR_SERIAL), A(PL_A_DEV_PERIOD_NS), A(PL_A_DEV_ENABLED), A(PL_A_DEV_RAILS),
	A(PL_A_DEV_FLAGS), A(PL_A_DEV_PAGE), A(PL_A_STATS_SAMPLES), A(PL_A_STATS_LOST),
	A(PL_A_STATS_OVERRUNS), A(PL_A_STATS_I2C_ERRORS), A(PL_A_STATS_PEC_ERRORS),
	A(PL_A_STATS_JITTER), A(PL_A_EVENT_KIND), A(PL_A_EVENT_COUNT), A(PL_A_EVENT_ERRNO),
	A(PL_A_PAD), A(PL_A_DEV_RAILS_AVAIL), A(PL_A_STATS_PAGE_REPAIRS), A(PL_A_STATS_BACKOFFS),
	A(PL_A_STATS_SUSPENDS),
};
#undef A

/* What a reply may carry; unknown (newer) attributes are ignored. */
static struct nla_policy pl_policy[PL_A_MAX + 1] = {
	[PL_A_DEV_ID]		  = { .type = NLA_U32 },
	[PL_A_DEV_NAME]		  = { .type = NLA_STRING },
	[PL_A_DEV_MFR_ID]	  = { .type = NLA_STRING },
	[PL_A_DEV_MFR_MODEL]	  = { .type = NLA_STRING },
	[PL_A_DEV_MFR_SERIAL]	  = { .type = NLA_STRING },
	[PL_A_DEV_PERIOD_NS]	  = { .type = NLA_U64 },
	[PL_A_DEV_ENABLED]	  = { .type = NLA_U8 },
	[PL_A_DEV_RAILS]	  = { .type = NLA_U32 },
	[PL_A_DEV_FLAGS]	  = { .type = NLA_U32 },
	[PL_A_DEV_PAGE]		  = { .type = NLA_U8 },
	[PL_A_DEV_RAILS_AVAIL]	  = { .type = NLA_U32 },
	[PL_A_STATS_SAMPLES]	  = { .type = NLA_U64 },
	[PL_A_STATS_LOST]	  = { .type = NLA_U64 },
	[PL_A_STATS_OVERRUNS]	  = { .type = NLA_U64 },
	[PL_A_STATS_I2C_ERRORS]	  = { .type = NLA_U64 },
	[PL_A_STATS_PEC_ERRORS]	  = { .type = NLA_U64 },
	[PL_A_STATS_JITTER]	  = { .minlen = PL_JITTER_BUCKETS * sizeof(__u64) },
	[PL_A_EVENT_KIND]	  = { .type = NLA_U32 },
	[PL_A_EVENT_COUNT]	  = { .type = NLA_U64 },
	[PL_A_EVENT_ERRNO]	  = { .type = NLA_S32 },
	[PL_A_STATS_PAGE_REPAIRS] = { .type = NLA_U64 },
	[PL_A_STATS_BACKOFFS]	  = { .type = NLA_U64 },
	[PL_A_STATS_SUSPENDS]	  = { .type = NLA_U64 },
};
/* clang-format on */

static const char *const rail_names[] = { "vin", "iin", "vout", "iout", "pout", "pin", "temp" };
static const char *const dev_flag_names[] = { "pec", "block-read", "enabled", "backoff", "page-check" };

/* libnl's error codes as errno values, for callers that only know errno. */
static int nlerr_errno(int nlerr)
{
	switch (nlerr < 0 ? -nlerr : nlerr) {
	case NLE_NOMEM: return -ENOMEM;
	case NLE_PERM: return -EPERM;
	case NLE_NOACCESS: return -EACCES;
	case NLE_OBJ_NOTFOUND: return -ENOENT;
	case NLE_AGAIN: return -EAGAIN;
	case NLE_INTR: return -EINTR;
	case NLE_BAD_SOCK: return -EBADF;
	case NLE_AF_NOSUPPORT: return -EAFNOSUPPORT;
	case NLE_PROTO_MISMATCH: return -EPROTONOSUPPORT;
	case NLE_OPNOTSUPP: return -EOPNOTSUPP;
	case NLE_INVAL: return -EINVAL;
	default: return -EIO;
	}
}

const char *plnl_attr_name(int type)
{
	return type >= 0 && type <= PL_A_MAX ? attr_names[type] : NULL;
}

const char *plnl_attr_label(int type)
{
	switch (type) {
	case PL_A_DEV_ID: return "device";
	case PL_A_DEV_PERIOD_NS: return "period";
	case PL_A_DEV_ENABLED: return "enabled";
	case PL_A_DEV_RAILS: return "rails";
	default: return NULL;
	}
}

/* "LABEL (NAME)", "NAME" or "attribute N" */
static void attr_str(int type, char *buf, size_t n)
{
	const char *name = plnl_attr_name(type), *label = plnl_attr_label(type);

	if (name && label)
		strfmt(buf, n, "%s (%s)", label, name);
	else if (name)
		strfmt(buf, n, "%s", name);
	else
		strfmt(buf, n, "attribute %d", type);
}

void plnl_ack_str(const struct plnl_ack *ack, char *buf, size_t n)
{
	char what[64] = "", miss[80] = "";

	if (ack->attr >= 0) {
		what[0] = ' ';
		attr_str(ack->attr, what + 1, sizeof(what) - 1);
	}
	if (ack->miss_attr >= 0) {
		memcpy(miss, "missing ", 8);
		attr_str(ack->miss_attr, miss + 8, sizeof(miss) - 8);
	}
	if (ack->msg[0])
		strfmt(buf, n, "kernel refused%s: %s%s%s (%s)", what, miss, miss[0] ? ": " : "", ack->msg,
		       strerror(-ack->err));
	else if (miss[0])
		strfmt(buf, n, "kernel refused%s: %s (%s)", what, miss, strerror(-ack->err));
	else
		strfmt(buf, n, "kernel refused%s: %s", what, strerror(-ack->err));
}

int plnl_attr_at(const void *req, size_t req_len, uint32_t off)
{
	const uint8_t *p = req;
	struct nlmsghdr h;
	struct nlattr a;
	size_t pos = NLMSG_HDRLEN + GENL_HDRLEN, end;

	if (!req || req_len < NLMSG_HDRLEN)
		return -1;
	memcpy(&h, p, sizeof(h));
	end = h.nlmsg_len < req_len ? h.nlmsg_len : req_len;
	while (pos <= end && end - pos >= NLA_HDRLEN) {
		memcpy(&a, p + pos, sizeof(a));
		if (a.nla_len < NLA_HDRLEN || a.nla_len > end - pos)
			return -1;
		if (off >= pos && off - pos < a.nla_len)
			return a.nla_type & NLA_TYPE_MASK;
		pos += NLA_ALIGN(a.nla_len);
	}
	return -1;
}

/* An extack string as printable ASCII, cut at its NUL, at dlen or at the buffer. */
static void copy_msg(char *dst, size_t cap, const uint8_t *src, size_t dlen)
{
	size_t i;

	for (i = 0; i < dlen && i + 1 < cap && src[i]; i++)
		dst[i] = src[i] >= 0x20 && src[i] < 0x7f ? (char)src[i] : '?';
	dst[i] = 0;
}

int plnl_ack_parse(const void *msg, size_t len, const void *req, size_t req_len, struct plnl_ack *ack)
{
	const uint8_t *p = msg, *echo = NULL;
	struct nlmsghdr h, orig;
	struct nlattr a;
	size_t mlen, off, echo_len = 0, dlen;
	uint32_t u;
	int err = 0;

	ack->err = 0;
	ack->msg[0] = 0;
	ack->offset = -1;
	ack->attr = -1;
	ack->miss_attr = -1;
	if (!msg || len < NLMSG_HDRLEN)
		return -EBADMSG;
	memcpy(&h, p, sizeof(h));
	mlen = h.nlmsg_len;
	if (mlen < NLMSG_HDRLEN || mlen > len)
		return -EBADMSG;
	if (h.nlmsg_type == NLMSG_DONE) {
		/* The end of a dump: an int, 0 or the dump's -errno, then the TLVs. */
		if (mlen < NLMSG_HDRLEN + sizeof(err))
			return 0; /* a bare DONE (old kernels): success */
		memcpy(&err, p + NLMSG_HDRLEN, sizeof(err));
		off = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(err));
	} else if (h.nlmsg_type == NLMSG_ERROR) {
		if (mlen < NLMSG_HDRLEN + sizeof(struct nlmsgerr))
			return -EBADMSG;
		memcpy(&err, p + NLMSG_HDRLEN + offsetof(struct nlmsgerr, error), sizeof(err));
		memcpy(&orig, p + NLMSG_HDRLEN + offsetof(struct nlmsgerr, msg), sizeof(orig));
		off = NLMSG_HDRLEN + sizeof(struct nlmsgerr);
		if (!(h.nlmsg_flags & NLM_F_CAPPED)) {
			/* The whole request comes back after its header. */
			if (orig.nlmsg_len < NLMSG_HDRLEN || orig.nlmsg_len - NLMSG_HDRLEN > mlen - off)
				return -EBADMSG;
			echo = p + NLMSG_HDRLEN + offsetof(struct nlmsgerr, msg);
			echo_len = orig.nlmsg_len;
			off += orig.nlmsg_len - NLMSG_HDRLEN;
		}
		off = NLMSG_ALIGN(off);
	} else {
		return -EBADMSG;
	}
	if (err > 0 || err < -4095)
		return -EBADMSG;
	ack->err = err;
	if (!(h.nlmsg_flags & NLM_F_ACK_TLVS))
		return 0;
	/* Best effort from here: the errno stands whatever the TLVs say. */
	while (off <= mlen && mlen - off >= NLA_HDRLEN) {
		memcpy(&a, p + off, sizeof(a));
		if (a.nla_len < NLA_HDRLEN || a.nla_len > mlen - off)
			break;
		dlen = a.nla_len - NLA_HDRLEN;
		switch (a.nla_type & NLA_TYPE_MASK) {
		case NLMSGERR_ATTR_MSG: copy_msg(ack->msg, sizeof(ack->msg), p + off + NLA_HDRLEN, dlen); break;
		case NLMSGERR_ATTR_OFFS:
			if (dlen == sizeof(u)) {
				memcpy(&u, p + off + NLA_HDRLEN, sizeof(u));
				ack->offset = u;
			}
			break;
		case NLMSGERR_ATTR_MISS_TYPE:
			if (dlen == sizeof(u)) {
				memcpy(&u, p + off + NLA_HDRLEN, sizeof(u));
				ack->miss_attr = u <= 0xffff ? (int)u : -1;
			}
			break;
		default: break;
		}
		off += NLA_ALIGN(a.nla_len);
	}
	if (ack->offset >= 0)
		ack->attr = req ? plnl_attr_at(req, req_len, (uint32_t)ack->offset) :
				  plnl_attr_at(echo, echo_len, (uint32_t)ack->offset);
	return 0;
}

const char *plnl_event_kind_name(uint32_t kind)
{
	static const char *const names[] = {
		[PLNL_EVENT_OVERFLOW] = "overflow",
		[PL_EVENT_I2C_ERROR] = "i2c_error",
		[PL_EVENT_PEC_ERROR] = "pec_error",
		[PL_EVENT_OVERRUN] = "overrun",
		[PL_EVENT_LOST] = "lost",
		[PL_EVENT_DEVICE_ADDED] = "device_added",
		[PL_EVENT_DEVICE_REMOVED] = "device_removed",
		[PL_EVENT_PAGE_RESTORED] = "page_restored",
		[PL_EVENT_BACKOFF] = "backoff",
	};

	return kind < sizeof(names) / sizeof(names[0]) ? names[kind] : NULL;
}

/* names[i] for bit i of mask, comma-separated; other bits as hex; "-" for none. */
static void bits_str(uint32_t mask, const char *const *names, size_t nnames, char *buf, size_t n)
{
	struct buf b = { 0 };
	uint32_t rest = mask;
	size_t i;
	int ret = 0;

	for (i = 0; i < nnames; i++) {
		if (mask & (1U << i)) {
			ret |= buf_printf(&b, "%s%s", b.len ? "," : "", names[i]);
			rest &= ~(1U << i);
		}
	}
	if (rest)
		ret |= buf_printf(&b, "%s0x%x", b.len ? "," : "", rest);
	if (ret)
		strfmt(buf, n, "0x%x", mask); /* no memory: the number says it all */
	else
		strfmt(buf, n, "%s", b.len ? (const char *)b.p : "-");
	buf_free(&b);
}

void plnl_rails_str(uint32_t mask, char *buf, size_t n)
{
	bits_str(mask, rail_names, sizeof(rail_names) / sizeof(rail_names[0]), buf, n);
}

void plnl_dev_flags_str(uint32_t flags, char *buf, size_t n)
{
	bits_str(flags, dev_flag_names, sizeof(dev_flag_names) / sizeof(dev_flag_names[0]), buf, n);
}

/* A mask as the user wrote it: 0x-hex or decimal, at most 32 bits. */
static int parse_mask(const char *s, uint32_t *mask)
{
	uint64_t v = 0;
	size_t i;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		if (!*s || strlen(s) > 8)
			return -EINVAL;
		for (i = 0; s[i]; i++) {
			if (!isxdigit((unsigned char)s[i]))
				return -EINVAL;
			v = v * 16 + (uint64_t)(isdigit((unsigned char)s[i]) ? s[i] - '0' : (tolower((unsigned char)s[i]) - 'a' + 10));
		}
	} else if (parse_u64(s, &v) || v > UINT32_MAX) {
		return -EINVAL;
	}
	*mask = (uint32_t)v;
	return 0;
}

int plnl_rails_parse(const char *s, uint32_t *mask)
{
	uint32_t m = 0, bit;
	const char *tok, *end;
	size_t i, l;

	if (!s || !*s)
		return -EINVAL;
	if (isdigit((unsigned char)s[0]))
		return parse_mask(s, mask);
	for (tok = s;; tok = end + 1) {
		end = strchr(tok, ',');
		l = end ? (size_t)(end - tok) : strlen(tok);
		for (i = 0; i < sizeof(rail_names) / sizeof(rail_names[0]); i++)
			if (strlen(rail_names[i]) == l && !strncmp(tok, rail_names[i], l))
				break;
		if (i == sizeof(rail_names) / sizeof(rail_names[0]))
			return -EINVAL;
		bit = 1U << i;
		if (m & bit)
			return -EINVAL;
		m |= bit;
		if (!end)
			break;
	}
	*mask = m;
	return 0;
}

void plnl__close(struct plnl *nl)
{
	if (!nl)
		return;
	nl_socket_free(nl->ev);
	nl_socket_free(nl->sk);
	free(nl->ebuf);
	free(nl->rbuf);
	free(nl);
}

int plnl__open(struct plnl **out, struct plerr *e)
{
	struct plnl *nl;
	int one = 1, ret;

	*out = NULL;
	nl = calloc(1, sizeof(*nl));
	if (!nl)
		return plerr_set(e, -ENOMEM, "out of memory");
	nl->rbuf = malloc(PLNL_RBUF);
	nl->sk = nl_socket_alloc();
	if (!nl->rbuf || !nl->sk) {
		ret = plerr_set(e, -ENOMEM, "out of memory");
		goto err;
	}
	ret = genl_connect(nl->sk);
	if (ret) {
		ret = plerr_set(e, nlerr_errno(ret), "generic netlink socket: %s", nl_geterror(ret));
		goto err;
	}
	/*
	 * Extended acks: the message and the attribute of a refusal, without
	 * the echo of our request (we keep our own copy).  A kernel too old for
	 * them (before 4.12) still sends the errno: not worth failing over.
	 */
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	/*
	 * Both lookups now, through libnl's own receive path: every later
	 * answer on this socket is read by recv_answers(), which libnl's
	 * sequence bookkeeping would not follow.
	 */
	nl->family = genl_ctrl_resolve(nl->sk, PL_GENL_NAME);
	if (nl->family == -NLE_OBJ_NOTFOUND) {
		ret = plerr_set(e, -ENOENT,
				"generic netlink family \"" PL_GENL_NAME "\" not found: is powerledger.ko loaded?");
		goto err;
	}
	if (nl->family < 0) {
		ret = plerr_set(e, nlerr_errno(nl->family), "generic netlink family \"" PL_GENL_NAME "\": %s",
				nl_geterror(nl->family));
		goto err;
	}
	nl->grp = genl_ctrl_resolve_grp(nl->sk, PL_GENL_NAME, PL_GENL_MCGRP_EVENTS);
	*out = nl;
	return 0;
err:
	plnl__close(nl);
	return ret;
}

const struct plnl_ack *plnl__refusal(const struct plnl *nl)
{
	return nl->refused ? &nl->ack : NULL;
}

typedef int (*reply_fn)(struct nlattr **tb, void *arg, struct plerr *e);

/*
 * Reads one datagram of answers to req.  Sets *done at its ACK or
 * NLMSG_DONE; a refusal returns the kernel's -errno with e and nl->ack set.
 */
static int recv_answers(struct plnl *nl, const struct nlmsghdr *req, uint8_t cmd, reply_fn fn, void *arg, bool *done,
			struct plerr *e)
{
	struct sockaddr_nl sa;
	struct iovec iov = { .iov_base = nl->rbuf, .iov_len = PLNL_RBUF };
	struct msghdr mh = { .msg_name = &sa, .msg_namelen = sizeof(sa), .msg_iov = &iov, .msg_iovlen = 1 };
	struct nlattr *tb[PL_A_MAX + 1];
	struct nlmsghdr *nlh;
	char why[512];
	size_t len, off;
	ssize_t n;
	int ret;

	do
		n = recvmsg(nl_socket_get_fd(nl->sk), &mh, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return plerr_set(e, -errno, "receive: %s", strerror(errno));
	if (mh.msg_flags & MSG_TRUNC)
		return plerr_set(e, -EMSGSIZE, "an answer larger than %d bytes", PLNL_RBUF);
	if (mh.msg_namelen != sizeof(sa) || sa.nl_pid != 0)
		return 0; /* not from the kernel */
	len = (size_t)n;
	for (off = 0; off + NLMSG_HDRLEN <= len; off += NLMSG_ALIGN(nlh->nlmsg_len)) {
		nlh = (struct nlmsghdr *)(nl->rbuf + off);
		if (nlh->nlmsg_len < NLMSG_HDRLEN || nlh->nlmsg_len > len - off)
			return plerr_set(e, -EBADMSG, "an answer cut short");
		if (nlh->nlmsg_seq != req->nlmsg_seq)
			continue; /* the rest of an answer an earlier request stopped reading */
		switch (nlh->nlmsg_type) {
		case NLMSG_NOOP: continue;
		case NLMSG_OVERRUN: return plerr_set(e, -EOVERFLOW, "the kernel lost part of its answer");
		case NLMSG_ERROR:
		case NLMSG_DONE:
			if (plnl_ack_parse(nlh, nlh->nlmsg_len, req, req->nlmsg_len, &nl->ack))
				return plerr_set(e, -EBADMSG, "malformed acknowledgement");
			*done = true;
			if (!nl->ack.err)
				return 0;
			nl->refused = true;
			plnl_ack_str(&nl->ack, why, sizeof(why));
			if (nl->ack.err == -EPERM && cmd == PL_CMD_SET_DEVICE)
				return plerr_set(e, -EPERM, "%s (changing a device needs CAP_NET_ADMIN)", why);
			return plerr_set(e, nl->ack.err, "%s", why);
		default:
			if (nlh->nlmsg_type != nl->family)
				return plerr_set(e, -EBADMSG, "answer of message type %u", nlh->nlmsg_type);
			ret = genlmsg_parse(nlh, 0, tb, PL_A_MAX, pl_policy);
			if (ret < 0)
				return plerr_set(e, -EBADMSG, "malformed answer: %s", nl_geterror(ret));
			ret = fn ? fn(tb, arg, e) : 0;
			if (ret)
				return ret;
		}
	}
	return 0;
}

static int put_attrs(struct nl_msg *msg, const struct plnl_set *s)
{
	if (nla_put_u32(msg, PL_A_DEV_ID, s->dev_id))
		return -EMSGSIZE;
	if ((s->what & PLNL_SET_PERIOD) && nla_put_u64(msg, PL_A_DEV_PERIOD_NS, s->period_ns))
		return -EMSGSIZE;
	if ((s->what & PLNL_SET_ENABLED) && nla_put_u8(msg, PL_A_DEV_ENABLED, s->enabled))
		return -EMSGSIZE;
	if ((s->what & PLNL_SET_RAILS) && nla_put_u32(msg, PL_A_DEV_RAILS, s->rails))
		return -EMSGSIZE;
	return 0;
}

/*
 * Sends cmd (a dump when s is NULL, else a request with s's attributes and
 * NLM_F_ACK) and hands every answer to fn until the ACK or NLMSG_DONE.
 */
static int request(struct plnl *nl, uint8_t cmd, const struct plnl_set *s, reply_fn fn, void *arg,
		   struct plerr *e)
{
	struct nl_msg *msg;
	struct nlmsghdr *req;
	bool done = false;
	int ret;

	nl->refused = false;
	msg = nlmsg_alloc();
	if (!msg)
		return plerr_set(e, -ENOMEM, "out of memory");
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0, s ? NLM_F_ACK : NLM_F_DUMP, cmd,
			 PL_GENL_VERSION) ||
	    (s && put_attrs(msg, s))) {
		ret = plerr_set(e, -EMSGSIZE, "cannot build the request");
		goto out;
	}
	nl_complete_msg(nl->sk, msg);
	req = nlmsg_hdr(msg);
	if (!s)
		req->nlmsg_flags &= ~NLM_F_ACK; /* libnl's auto-ack: a dump ends with NLMSG_DONE */
	ret = nl_send(nl->sk, msg);
	if (ret < 0) {
		ret = plerr_set(e, nlerr_errno(ret), "send: %s", nl_geterror(ret));
		goto out;
	}
	ret = 0;
	while (!done && !ret)
		ret = recv_answers(nl, req, cmd, fn, arg, &done, e);
out:
	nlmsg_free(msg);
	return ret;
}

static void get_str(char *dst, struct nlattr *a)
{
	dst[0] = 0;
	if (a)
		nla_strlcpy(dst, a, PLNL_STR_LEN);
}

static int dev_from(struct nlattr **tb, struct plnl_dev *d, struct plerr *e)
{
	memset(d, 0, sizeof(*d));
	if (!tb[PL_A_DEV_ID])
		return plerr_set(e, -EBADMSG, "device answer without PL_A_DEV_ID");
	d->id = nla_get_u32(tb[PL_A_DEV_ID]);
	get_str(d->name, tb[PL_A_DEV_NAME]);
	get_str(d->mfr_id, tb[PL_A_DEV_MFR_ID]);
	get_str(d->mfr_model, tb[PL_A_DEV_MFR_MODEL]);
	get_str(d->mfr_serial, tb[PL_A_DEV_MFR_SERIAL]);
	d->period_ns = tb[PL_A_DEV_PERIOD_NS] ? nla_get_u64(tb[PL_A_DEV_PERIOD_NS]) : 0;
	d->enabled = tb[PL_A_DEV_ENABLED] ? nla_get_u8(tb[PL_A_DEV_ENABLED]) : 0;
	d->rails = tb[PL_A_DEV_RAILS] ? nla_get_u32(tb[PL_A_DEV_RAILS]) : 0;
	d->rails_avail = tb[PL_A_DEV_RAILS_AVAIL] ? nla_get_u32(tb[PL_A_DEV_RAILS_AVAIL]) : d->rails;
	d->flags = tb[PL_A_DEV_FLAGS] ? nla_get_u32(tb[PL_A_DEV_FLAGS]) : 0;
	d->page = tb[PL_A_DEV_PAGE] ? nla_get_u8(tb[PL_A_DEV_PAGE]) : 0;
	return 0;
}

struct dev_list {
	struct plnl_dev *v;
	size_t n, cap;
};

static int dev_append(struct nlattr **tb, void *arg, struct plerr *e)
{
	struct dev_list *l = arg;
	struct plnl_dev *v;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;

		v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return plerr_set(e, -ENOMEM, "out of memory");
		l->v = v;
		l->cap = cap;
	}
	if (dev_from(tb, &l->v[l->n], e))
		return -EBADMSG;
	l->n++;
	return 0;
}

int plnl__devices(struct plnl *nl, struct plnl_dev **devs, size_t *n, struct plerr *e)
{
	struct dev_list l = { 0 };
	int ret = request(nl, PL_CMD_GET_DEVICE, NULL, dev_append, &l, e);

	if (ret) {
		free(l.v);
		*devs = NULL;
		*n = 0;
		return ret;
	}
	if (!l.n) {
		free(l.v);
		l.v = NULL;
	}
	*devs = l.v;
	*n = l.n;
	return 0;
}

struct one_dev {
	struct plnl_dev *d;
	bool got;
};

static int dev_one(struct nlattr **tb, void *arg, struct plerr *e)
{
	struct one_dev *o = arg;

	if (o->got)
		return plerr_set(e, -EBADMSG, "two answers to one device request");
	o->got = true;
	return dev_from(tb, o->d, e);
}

int plnl__device(struct plnl *nl, uint32_t id, struct plnl_dev *d, struct plerr *e)
{
	struct plnl_set s = { .dev_id = id };
	struct one_dev o = { .d = d };
	int ret = request(nl, PL_CMD_GET_DEVICE, &s, dev_one, &o, e);

	if (!ret && !o.got)
		ret = plerr_set(e, -EBADMSG, "device request acknowledged without an answer");
	return ret;
}

struct one_stats {
	struct pl_stats *st;
	bool got;
};

static int u64_of(struct nlattr **tb, int type, __u64 *out, struct plerr *e)
{
	if (!tb[type])
		return plerr_set(e, -EBADMSG, "stats answer without %s", plnl_attr_name(type));
	*out = nla_get_u64(tb[type]);
	return 0;
}

static int stats_one(struct nlattr **tb, void *arg, struct plerr *e)
{
	struct one_stats *o = arg;
	struct pl_stats *st = o->st;

	if (o->got)
		return plerr_set(e, -EBADMSG, "two answers to one stats request");
	o->got = true;
	memset(st, 0, sizeof(*st));
	if (!tb[PL_A_DEV_ID])
		return plerr_set(e, -EBADMSG, "stats answer without PL_A_DEV_ID");
	if (!tb[PL_A_STATS_JITTER] || nla_len(tb[PL_A_STATS_JITTER]) != (int)sizeof(st->jitter_hist))
		return plerr_set(e, -EBADMSG, "stats answer without a %zu-byte PL_A_STATS_JITTER",
				 sizeof(st->jitter_hist));
	st->dev_id = nla_get_u32(tb[PL_A_DEV_ID]);
	if (u64_of(tb, PL_A_STATS_SAMPLES, &st->samples, e) || u64_of(tb, PL_A_STATS_LOST, &st->lost, e) ||
	    u64_of(tb, PL_A_STATS_OVERRUNS, &st->overruns, e) ||
	    u64_of(tb, PL_A_STATS_I2C_ERRORS, &st->i2c_errors, e) ||
	    u64_of(tb, PL_A_STATS_PEC_ERRORS, &st->pec_errors, e))
		return -EBADMSG;
	/* later counters: absent from older modules, 0 then */
	if (tb[PL_A_STATS_PAGE_REPAIRS])
		st->page_repairs = nla_get_u64(tb[PL_A_STATS_PAGE_REPAIRS]);
	if (tb[PL_A_STATS_BACKOFFS])
		st->backoffs = nla_get_u64(tb[PL_A_STATS_BACKOFFS]);
	if (tb[PL_A_STATS_SUSPENDS])
		st->suspends = nla_get_u64(tb[PL_A_STATS_SUSPENDS]);
	memcpy(st->jitter_hist, nla_data(tb[PL_A_STATS_JITTER]), sizeof(st->jitter_hist));
	return 0;
}

int plnl__stats(struct plnl *nl, uint32_t id, struct pl_stats *st, struct plerr *e)
{
	struct plnl_set s = { .dev_id = id };
	struct one_stats o = { .st = st };
	int ret = request(nl, PL_CMD_GET_STATS, &s, stats_one, &o, e);

	if (!ret && !o.got)
		ret = plerr_set(e, -EBADMSG, "stats request acknowledged without an answer");
	return ret;
}

int plnl__set(struct plnl *nl, const struct plnl_set *s, struct plerr *e)
{
	nl->refused = false;
	if (!s->what || (s->what & ~__PLNL_SET_ALL))
		return plerr_set(e, -EINVAL, "nothing to set");
	return request(nl, PL_CMD_SET_DEVICE, s, NULL, NULL, e);
}

int plnl__resolve(struct plnl *nl, const char *spec, uint32_t *id, struct plerr *e)
{
	struct plnl_dev *devs;
	uint64_t v;
	size_t n, i;
	int ret;

	if (!*spec)
		return plerr_set(e, -EINVAL, "empty device");
	if (isdigit((unsigned char)spec[0])) {
		if (parse_u64(spec, &v) || v > UINT32_MAX)
			return plerr_set(e, -EINVAL, "device '%.64s': not a device id (0 .. 4294967295) or name", spec);
		*id = (uint32_t)v;
		return 0;
	}
	ret = plnl__devices(nl, &devs, &n, e);
	if (ret)
		return ret;
	for (i = 0; i < n && strcmp(devs[i].name, spec); i++)
		;
	if (i < n)
		*id = devs[i].id;
	else
		ret = plerr_set(e, -ENODEV, "no powerledger device named '%.64s'", spec);
	free(devs);
	return ret;
}

int plnl__subscribe(struct plnl *nl, struct plerr *e)
{
	int ret;

	if (nl->ev)
		return 0;
	if (nl->grp < 0)
		return plerr_set(e, nlerr_errno(nl->grp), "multicast group \"" PL_GENL_MCGRP_EVENTS "\": %s",
				 nl_geterror(nl->grp));
	nl->ebuf = malloc(PLNL_RBUF);
	nl->ev = nl_socket_alloc();
	if (!nl->ebuf || !nl->ev) {
		ret = plerr_set(e, -ENOMEM, "out of memory");
		goto err;
	}
	ret = nl_connect(nl->ev, NETLINK_GENERIC);
	if (!ret)
		ret = nl_socket_set_buffer_size(nl->ev, PLNL_EVENTS_RCVBUF, 0);
	if (!ret)
		ret = nl_socket_add_membership(nl->ev, nl->grp);
	if (!ret)
		ret = nl_socket_set_nonblocking(nl->ev);
	if (ret) {
		ret = plerr_set(e, nlerr_errno(ret), "join group \"" PL_GENL_MCGRP_EVENTS "\": %s", nl_geterror(ret));
		goto err;
	}
	nl->elen = nl->epos = 0;
	return 0;
err:
	nl_socket_free(nl->ev);
	nl->ev = NULL;
	free(nl->ebuf);
	nl->ebuf = NULL;
	return ret;
}

int plnl__events_fd(const struct plnl *nl)
{
	return nl->ev ? nl_socket_get_fd(nl->ev) : -1;
}

uint64_t plnl__overflows(const struct plnl *nl)
{
	return nl->overflows;
}

uint64_t plnl__events_skipped(const struct plnl *nl)
{
	return nl->skipped;
}

/* 0 and *ev, or -EBADMSG for anything but a well-formed PL_CMD_EVENT. */
static int event_from(const struct plnl *nl, struct nlmsghdr *nlh, struct plnl_event *ev)
{
	struct nlattr *tb[PL_A_MAX + 1];

	if (nlh->nlmsg_type != nl->family || !genlmsg_valid_hdr(nlh, 0) || genlmsg_hdr(nlh)->cmd != PL_CMD_EVENT)
		return -EBADMSG;
	if (genlmsg_parse(nlh, 0, tb, PL_A_MAX, pl_policy) < 0 || !tb[PL_A_DEV_ID] || !tb[PL_A_EVENT_KIND])
		return -EBADMSG;
	ev->dev_id = nla_get_u32(tb[PL_A_DEV_ID]);
	ev->kind = nla_get_u32(tb[PL_A_EVENT_KIND]);
	ev->count = tb[PL_A_EVENT_COUNT] ? nla_get_u64(tb[PL_A_EVENT_COUNT]) : 0;
	ev->err = tb[PL_A_EVENT_ERRNO] ? nla_get_s32(tb[PL_A_EVENT_ERRNO]) : 0;
	return 0;
}

int plnl__event_next(struct plnl *nl, struct plnl_event *ev, struct plerr *e)
{
	struct sockaddr_nl sa;
	struct iovec iov = { .iov_base = NULL, .iov_len = PLNL_RBUF };
	struct msghdr mh = { .msg_name = &sa, .msg_iov = &iov, .msg_iovlen = 1 };
	struct nlmsghdr *nlh;
	size_t left;
	ssize_t n;

	if (!nl->ev)
		return plerr_set(e, -EINVAL, "not subscribed to events");
	iov.iov_base = nl->ebuf;
	for (;;) {
		if (nl->overflow_pending) {
			nl->overflow_pending = false;
			*ev = (struct plnl_event){ .dev_id = PL_DEV_ALL, .kind = PLNL_EVENT_OVERFLOW,
						   .count = nl->overflows, .err = -ENOBUFS };
			return 1;
		}
		while (nl->epos < nl->elen) {
			nlh = (struct nlmsghdr *)(nl->ebuf + nl->epos);
			left = nl->elen - nl->epos;
			if (left < NLMSG_HDRLEN || nlh->nlmsg_len < NLMSG_HDRLEN || nlh->nlmsg_len > left) {
				nl->skipped++;
				nl->epos = nl->elen;
				break;
			}
			nl->epos += NLMSG_ALIGN(nlh->nlmsg_len);
			if (!event_from(nl, nlh, ev))
				return 1;
			nl->skipped++;
		}
		nl->elen = nl->epos = 0;
		mh.msg_namelen = sizeof(sa);
		n = recvmsg(nl_socket_get_fd(nl->ev), &mh, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			if (errno == ENOBUFS) {
				/* The socket overflowed: events were dropped, the socket is fine. */
				nl->overflows++;
				nl->overflow_pending = true;
				continue;
			}
			return plerr_set(e, -errno, "events: receive: %s", strerror(errno));
		}
		if ((mh.msg_flags & MSG_TRUNC) || mh.msg_namelen != sizeof(sa) || sa.nl_pid != 0) {
			nl->skipped++;
			continue;
		}
		nl->elen = (size_t)n;
	}
}
