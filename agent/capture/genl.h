/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * A client of the module's generic netlink family "powerledger" on
 * libnl-genl-3: the bound PSUs and their settings (PL_CMD_GET_DEVICE), their
 * counters (PL_CMD_GET_STATS), changing them (PL_CMD_SET_DEVICE), and the
 * "events" multicast group.  uapi/linux/powerledger.h documents the family:
 * the commands, every attribute with its type, unit and range, and the errors.
 *
 * The kernel owns the ranges: plnl__set() sends what it is given and a
 * refusal comes back as the kernel's -errno, with the extack message and
 * the attribute it pointed at (NLMSGERR_ATTR_OFFS, an offset into the
 * request we sent, walked back to the attribute type), in struct plnl_ack
 * (plnl__refusal()) and, as a sentence, in e:
 *
 *	kernel refused period (PL_A_DEV_PERIOD_NS): integer out of range
 *	(Numerical result out of range)
 *
 * libnl is used for the socket, the family and group lookup and building
 * requests; answers are read and taken apart here, so that the extack parser
 * (plnl_ack_parse()) is a pure function of bytes, tested and fuzzed alone.
 *
 * A struct plnl is used by one thread at a time.  Requests and events have a
 * socket each: multicast events never interleave with a request's answers.
 */
#ifndef PL_GENL_H
#define PL_GENL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/powerledger.h>

#include "lib/util.h"

/* The module's strings are at most 31 bytes; longer ones are cut here. */
#define PLNL_STR_LEN 64

/* One bound PSU, as PL_CMD_GET_DEVICE describes it. */
struct plnl_dev {
	uint32_t id;			/* PL_A_DEV_ID, also pl_sample.dev_id */
	char name[PLNL_STR_LEN];	/* "i2c-<bus>-<addr hex>" */
	char mfr_id[PLNL_STR_LEN];	/* PMBus MFR_ID, "" if unreadable */
	char mfr_model[PLNL_STR_LEN];
	char mfr_serial[PLNL_STR_LEN];
	uint64_t period_ns;		/* sampling period, ns */
	uint8_t enabled;		/* 1 while sampling */
	uint32_t rails;			/* PL_RAIL_* each sample reads */
	uint32_t rails_avail;		/* PL_RAIL_* the PSU answers (modules before
					   PL_A_DEV_RAILS_AVAIL: rails) */
	uint32_t flags;			/* PL_DEV_F_* */
	uint8_t page;			/* PMBus PAGE sampled */
};

/* What a plnl_set changes: any non-empty subset. */
#define PLNL_SET_PERIOD	 (1U << 0)
#define PLNL_SET_ENABLED (1U << 1)
#define PLNL_SET_RAILS	 (1U << 2)
#define __PLNL_SET_ALL	 ((1U << 3) - 1)

/* A PL_CMD_SET_DEVICE request.  Values go out unchecked: the kernel judges them. */
struct plnl_set {
	uint32_t dev_id;
	unsigned int what;	/* PLNL_SET_* */
	uint64_t period_ns;	/* PL_PERIOD_MIN_NS .. PL_PERIOD_MAX_NS */
	uint8_t enabled;	/* 0 or 1 */
	uint32_t rails;		/* a non-empty subset of rails_avail */
};

/*
 * The kernel's answer to one request: its NLMSG_ERROR (or a dump's
 * NLMSG_DONE) with the extended ack the socket asked for.
 */
struct plnl_ack {
	int err;		/* 0 accepted, else the kernel's -errno */
	char msg[256];		/* NLMSGERR_ATTR_MSG, printable ASCII; "" if none */
	long offset;		/* NLMSGERR_ATTR_OFFS: bytes into the request, or -1 */
	int attr;		/* PL_A_* at that offset, or -1 (none, or not found) */
	int miss_attr;		/* NLMSGERR_ATTR_MISS_TYPE: a required PL_A_* absent, or -1 */
};

/*
 * Not a kernel event: the events socket's buffer overflowed (ENOBUFS) and
 * events were dropped here.  dev_id is PL_DEV_ALL and count the overflows
 * so far.  The counters the events carry stay exact: GET_STATS has them.
 */
#define PLNL_EVENT_OVERFLOW 0

/* One message of the "events" group (PL_CMD_EVENT). */
struct plnl_event {
	uint32_t dev_id;
	uint32_t kind;		/* enum pl_event_kind, or PLNL_EVENT_OVERFLOW */
	uint64_t count;		/* the matching counter after the event */
	int32_t err;		/* -errno of I2C faults and backoffs, else 0 */
};

struct plnl;

/* genl.c APIs: */

/*
 * Connects and resolves the family and its "events" group.  -ENOENT when
 * the kernel has no such family: "generic netlink family \"powerledger\"
 * not found: is powerledger.ko loaded?"; other -errno for the socket.
 * *out is NULL on error.
 */
int plnl__open(struct plnl **out, struct plerr *e);
/* Closes both sockets; NULL is fine. */
void plnl__close(struct plnl *nl);

/*
 * Every bound PSU (a dump), in id order, into *devs (malloc'd, free() it;
 * NULL when *n is 0).  -errno with e set; the kernel's refusal also in
 * plnl__refusal().  -EBADMSG: an answer this client cannot read.
 */
int plnl__devices(struct plnl *nl, struct plnl_dev **devs, size_t *n, struct plerr *e);
/* One PSU.  -ENODEV (a refusal: "no such powerledger device") if id is not bound. */
int plnl__device(struct plnl *nl, uint32_t id, struct plnl_dev *d, struct plerr *e);
/*
 * One PSU's counters and jitter histogram into st.  GET_STATS carries
 * neither period_ns nor flags (plnl__device() has them): they stay 0, as
 * do the counters an older module does not send.  -ENODEV as
 * plnl__device().
 */
int plnl__stats(struct plnl *nl, uint32_t id, struct pl_stats *st, struct plerr *e);
/*
 * Sends s.  0 when the kernel applied all of it; else its -errno and
 * nothing changed (the family is all-or-nothing): -EPERM without
 * CAP_NET_ADMIN (e says so), -ERANGE, -EINVAL, -ENODEV with the message
 * and attribute.  -EINVAL without touching the kernel when s->what is
 * empty or has unknown bits.
 */
int plnl__set(struct plnl *nl, const struct plnl_set *s, struct plerr *e);
/*
 * DEV as a user writes it: a decimal id (sent as is: the kernel says
 * whether it is bound) or a device name such as "i2c-0-58" (looked up:
 * -ENODEV "no powerledger device named ..." if none has it).
 */
int plnl__resolve(struct plnl *nl, const char *spec, uint32_t *id, struct plerr *e);
/*
 * The kernel's refusal of the last request, or NULL when it did not refuse
 * (it accepted, or the request failed before or after the kernel judged it).
 */
const struct plnl_ack *plnl__refusal(const struct plnl *nl);

/*
 * Joins the "events" group on a socket of its own, non-blocking, for
 * poll/epoll on plnl__events_fd() (-1 before).  Returns 0 or -errno.
 */
int plnl__subscribe(struct plnl *nl, struct plerr *e);
int plnl__events_fd(const struct plnl *nl);
/*
 * The next event, without blocking: 1 and *ev filled, 0 when none is
 * queued (wait for POLLIN), -errno on a socket error.  An overflow of the
 * socket's buffer is never an error: it is counted and returned once as a
 * PLNL_EVENT_OVERFLOW event where the loss happened.  Messages that are not
 * well-formed events are counted (plnl__events_skipped()) and skipped.
 */
int plnl__event_next(struct plnl *nl, struct plnl_event *ev, struct plerr *e);
uint64_t plnl__overflows(const struct plnl *nl);
uint64_t plnl__events_skipped(const struct plnl *nl);

/*
 * Pure parts, no socket: what the client makes of bytes, and names.
 *
 * plnl_ack_parse(): msg[0..len) is one netlink message, NLMSG_ERROR or
 * NLMSG_DONE (NLM_F_CAPPED or not, with or without NLM_F_ACK_TLVS).  Fills
 * ack: the errno, the extack message, the offending attribute -- the offset
 * is looked up in req[0..req_len) (the request sent), or, when req is NULL,
 * in the copy of the request an uncapped ack carries.  0, or -EBADMSG when
 * msg is not such a message (short, wrong type, lengths that do not add
 * up, an errno out of range); extack attributes that do not parse are
 * ignored, the errno stands.
 */
int plnl_ack_parse(const void *msg, size_t len, const void *req, size_t req_len, struct plnl_ack *ack);
/*
 * The type of the attribute of generic netlink request req[0..req_len)
 * that starts at (or holds) byte offset off from the start of its
 * nlmsghdr, or -1.
 */
int plnl_attr_at(const void *req, size_t req_len, uint32_t off);
/* "PL_A_DEV_PERIOD_NS", or NULL for an unknown type. */
const char *plnl_attr_name(int type);
/* What the user called it: "period", "enabled", "rails", "device"; NULL for others. */
const char *plnl_attr_label(int type);
/*
 * The refusal as a sentence: "kernel refused LABEL (NAME): MSG (strerror)",
 * each part only when the ack has it.
 */
void plnl_ack_str(const struct plnl_ack *ack, char *buf, size_t n);
/* "i2c_error", "device_added", ..., "overflow"; NULL for an unknown kind. */
const char *plnl_event_kind_name(uint32_t kind);

/*
 * Rails by name: vin, iin, vout, iout, pout, pin, temp (PL_RAIL_* order).
 * plnl_rails_parse() reads "pin,pout,vout" (each once, no blanks) or a
 * mask, 0x-hex or decimal, sent as it is (reserved bits included: the
 * kernel refuses them); -EINVAL for an unknown or repeated name or an
 * empty list.  plnl_rails_str() writes "vin,pout" ("-" for none; bits
 * without a name as "0x80").
 */
int plnl_rails_parse(const char *s, uint32_t *mask);
void plnl_rails_str(uint32_t mask, char *buf, size_t n);
/* PL_DEV_F_* as "pec,block-read,enabled,backoff,page-check" ("-" for none). */
void plnl_dev_flags_str(uint32_t flags, char *buf, size_t n);

#endif /* PL_GENL_H */
