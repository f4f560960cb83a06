/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * powerledger: PMBus power telemetry sampled at 1 kHz, exported through
 * mmap-ed per-CPU rings behind /dev/powerledger, ioctls on that device, and
 * the generic netlink family "powerledger".
 *
 * This header is the ABI shared by the kernel module (kmod/), the BPF
 * programs (bpf/) and the agent (agent/). Every physical quantity carries
 * its unit: uW (microwatt), uV (microvolt), uA (microampere), ns
 * (nanosecond, CLOCK_MONOTONIC unless said otherwise).
 *
 * Generic netlink family "powerledger", version PL_GENL_VERSION
 * ---------------------------------------------------------------
 *
 * PL_CMD_GET_DEVICE
 *   NLM_F_DUMP: one message per bound PSU, each a flat set of PL_A_DEV_*
 *   attributes (no nesting).  Without NLM_F_DUMP: PL_A_DEV_ID selects one
 *   device and the reply carries the same attributes.
 *
 *     PL_A_DEV_ID          NLA_U32   device id, also the pl_sample.dev_id
 *     PL_A_DEV_NAME        NLA_NUL_STRING  "i2c-<bus>-<addr hex>"
 *     PL_A_DEV_MFR_ID      NLA_NUL_STRING  PMBus MFR_ID, "" if unreadable
 *     PL_A_DEV_MFR_MODEL   NLA_NUL_STRING  PMBus MFR_MODEL
 *     PL_A_DEV_MFR_SERIAL  NLA_NUL_STRING  PMBus MFR_SERIAL
 *     PL_A_DEV_PERIOD_NS   NLA_U64   sampling period, ns
 *     PL_A_DEV_ENABLED     NLA_U8    1 while sampling
 *     PL_A_DEV_RAILS       NLA_U32   PL_RAIL_* mask of the rails each sample reads
 *     PL_A_DEV_RAILS_AVAIL NLA_U32   PL_RAIL_* mask of the rails the PSU answers
 *                                    (until rails became selectable, both were
 *                                    this mask; PL_A_DEV_RAILS was always "read")
 *     PL_A_DEV_FLAGS       NLA_U32   PL_DEV_F_* (PEC in use, PAGE checked,
 *                                    backing off, ...)
 *     PL_A_DEV_PAGE        NLA_U8    PMBus PAGE sampled
 *
 * PL_CMD_SET_DEVICE (requires CAP_NET_ADMIN)
 *   PL_A_DEV_ID (required), and any of PL_A_DEV_PERIOD_NS (range
 *   PL_PERIOD_MIN_NS..PL_PERIOD_MAX_NS), PL_A_DEV_ENABLED (0 or 1) and
 *   PL_A_DEV_RAILS (a non-empty subset of PL_A_DEV_RAILS_AVAIL: the rails
 *   each sample reads from the next one on; a sample reads one SMBus word
 *   per rail, so fewer rails take less bus time, see README "Bus time").
 *   Anything invalid fails the whole request and changes nothing: a period
 *   or PL_A_DEV_ENABLED out of range gives -ERANGE ("integer out of
 *   range"), rail bits outside __PL_RAIL_ALL -EINVAL ("reserved bit set"),
 *   rails the PSU does not answer (or none) -EINVAL ("rails: not a
 *   non-empty subset of the PSU's PL_A_DEV_RAILS_AVAIL"), each with that
 *   extack message and the offending attribute; without CAP_NET_ADMIN the
 *   genetlink core answers -EPERM (no message).
 *
 * PL_CMD_GET_STATS
 *   PL_A_DEV_ID (required).  The reply carries PL_A_DEV_ID and
 *     PL_A_STATS_SAMPLES     NLA_U64  samples taken since bind
 *     PL_A_STATS_LOST        NLA_U64  records dropped because a ring was full
 *     PL_A_STATS_OVERRUNS    NLA_U64  periods that passed without a sample
 *     PL_A_STATS_I2C_ERRORS  NLA_U64  failed SMBus transfers, PEC failures aside
 *     PL_A_STATS_PEC_ERRORS  NLA_U64  transfers rejected for a bad PEC byte
 *     PL_A_STATS_JITTER      NLA_BINARY  PL_JITTER_BUCKETS x __u64, see
 *                                        struct pl_stats.jitter_hist
 *     PL_A_STATS_PAGE_REPAIRS NLA_U64 samples that found PAGE changed by
 *                                     someone else and selected it again
 *     PL_A_STATS_BACKOFFS    NLA_U64  periods skipped on purpose because the
 *                                     bus was stuck (a subset of OVERRUNS)
 *     PL_A_STATS_SUSPENDS    NLA_U64  system sleeps the device sampled across
 *   (the last three came later: older modules do not send them; struct
 *   pl_stats documents each counter)
 *
 * Multicast group "events": PL_CMD_EVENT messages carrying PL_A_DEV_ID,
 *   PL_A_EVENT_KIND (NLA_U32, enum pl_event_kind), PL_A_EVENT_COUNT (NLA_U64,
 *   the matching counter after the event) and PL_A_EVENT_ERRNO (NLA_S32,
 *   negative errno for I2C faults and PL_EVENT_BACKOFF, 0 otherwise).  Events are rate limited to
 *   PL_EVENT_MAX_PER_SEC per device and kind; the counters are exact.
 *
 * Errors come back as netlink error messages with a negative errno; unknown
 * device ids give -ENODEV ("no such powerledger device").
 */
#ifndef _UAPI_LINUX_POWERLEDGER_H
#define _UAPI_LINUX_POWERLEDGER_H

#include <linux/types.h>
#include <linux/ioctl.h>

/*
 * Bumped whenever a record, the mmap layout or an ioctl struct gains a
 * meaning an older reader would misread or refuse.  2: sample flags
 * PL_SF_PAGE_RESTORED, PL_SF_BACKOFF, PL_SF_RESUMED; pl_stats.page_repairs,
 * backoffs and suspends in what was reserved.
 */
#define PL_ABI_VERSION		2
#define PL_DEVICE_NAME		"powerledger"
#define PL_GENL_NAME		"powerledger"
#define PL_GENL_VERSION		1
#define PL_GENL_MCGRP_EVENTS	"events"

#define PL_PERIOD_MIN_NS	100000ULL	/* 100 us: 10 kHz */
#define PL_PERIOD_MAX_NS	1000000000ULL	/* 1 s */
#define PL_PERIOD_DEFAULT_NS	1000000ULL	/* 1 ms: 1 kHz */
#define PL_EVENT_MAX_PER_SEC	10

/* Rails, as bits of pl_sample.rails and PL_A_DEV_RAILS. */
enum pl_rail {
	PL_RAIL_VIN	= 1U << 0,	/* READ_VIN  (0x88) -> vin_uv   */
	PL_RAIL_IIN	= 1U << 1,	/* READ_IIN  (0x89) -> iin_ua   */
	PL_RAIL_VOUT	= 1U << 2,	/* READ_VOUT (0x8b) -> vout_uv  */
	PL_RAIL_IOUT	= 1U << 3,	/* READ_IOUT (0x8c) -> iout_ua  */
	PL_RAIL_POUT	= 1U << 4,	/* READ_POUT (0x96) -> pout_uw  */
	PL_RAIL_PIN	= 1U << 5,	/* READ_PIN  (0x97) -> pin_uw   */
	PL_RAIL_TEMP	= 1U << 6,	/* READ_TEMPERATURE_1 (0x8d) -> temp_mc */
	__PL_RAIL_ALL	= (1U << 7) - 1,
};

/* Sample flags, pl_sample.flags. */
enum pl_sample_flag {
	PL_SF_I2C_ERROR	= 1U << 0,	/* at least one rail read failed; its bit is clear in rails */
	PL_SF_PEC_ERROR	= 1U << 1,	/* at least one read failed its PEC check */
	PL_SF_OVERRUN	= 1U << 2,	/* periods were missed before this sample, see overruns */
	PL_SF_STATUS	= 1U << 3,	/* status_word is valid */
	PL_SF_FAULT	= 1U << 4,	/* STATUS_WORD reported a fault bit */
	PL_SF_GPU_CTX	= 1U << 5,	/* reserved: never set (GPU context is bpf/gpuctx.h's event stream) */
	/*
	 * PAGE read back as another page before this sample's reads (someone
	 * else wrote it) and was selected again: the rails are from @page all
	 * the same.  Set only on devices with PL_DEV_F_PAGE_CHECK.
	 */
	PL_SF_PAGE_RESTORED = 1U << 6,
	/*
	 * The periods in overruns (PL_SF_OVERRUN is set too) were skipped on
	 * purpose: the bus was stuck and the sampler backed off (see
	 * PL_BACKOFF_MAX_NS).  This sample is the first attempt after them.
	 */
	PL_SF_BACKOFF	= 1U << 7,
	/*
	 * First sample after a system sleep (suspend, s2idle, hibernation):
	 * sampling stopped before the devices were suspended and restarted on
	 * resume, on a new period grid; the gap in ts_ns is the sleep, not
	 * lost or missed samples (no PL_SF_OVERRUN for it).
	 */
	PL_SF_RESUMED	= 1U << 8,
	__PL_SF_ALL	= (1U << 9) - 1,
};

/* Device flags, PL_A_DEV_FLAGS and struct pl_dev_info.flags. */
enum pl_dev_flag {
	PL_DEV_F_PEC		= 1U << 0,	/* packet error checking in use */
	PL_DEV_F_BLOCK_READ	= 1U << 1,	/* adapter does SMBus block reads */
	PL_DEV_F_ENABLED	= 1U << 2,	/* sampling */
	PL_DEV_F_BACKOFF	= 1U << 3,	/* the bus is stuck: backing off, see PL_SF_BACKOFF */
	PL_DEV_F_PAGE_CHECK	= 1U << 4,	/* PAGE is read back before every sample's reads */
	__PL_DEV_F_ALL		= (1U << 5) - 1,
};

/*
 * Bus backoff: after a sample whose transfer timed out (-ETIMEDOUT) or lost
 * arbitration for good (-EAGAIN) -- a stuck bus, each attempt holding the
 * bus segment for the adapter's timeout -- the sampler skips the next 1
 * period, then 2, 4, ... after each further stuck sample, at most
 * PL_BACKOFF_MAX_NS worth of periods (and at least one), counted from the
 * end of the stuck attempt, touching the bus once per skip.  The first sample that gets through ends the backoff and
 * the normal period resumes at once.  Skipped periods are counted in
 * overruns and backoffs and flagged on the next sample (PL_SF_OVERRUN |
 * PL_SF_BACKOFF).
 */
#define PL_BACKOFF_MAX_NS	1000000000ULL	/* 1 s */

/**
 * struct pl_sample - one ring record: every rail of one PSU read once.
 * @ts_ns:	CLOCK_MONOTONIC time, ns, of this sample's measurement: read
 *		once the sampler holds the bus segment, right before the
 *		sample's first transfer (the PAGE check, else the first rail
 *		read).  Time spent waking up and waiting for other clients of
 *		the bus is before it; the readings were latched in
 *		[@ts_ns, @ts_ns + @read_ns].
 * @seq:	per-device sequence number; starts at 0 when the device is
 *		bound and grows by one per sample taken, whether or not the
 *		record reached a ring (a gap means lost records).
 * @dev_id:	device id (PL_A_DEV_ID).
 * @flags:	PL_SF_* bits.
 * @rails:	PL_RAIL_* bits of the fields below holding a valid reading.
 * @status_word: PMBus STATUS_WORD when PL_SF_STATUS is set, else 0.
 * @page:	PMBus PAGE the rails were read on (see PL_SF_PAGE_RESTORED).
 * @version:	record layout version, PL_SAMPLE_VERSION.
 * @vin_uv:	input voltage, uV.
 * @iin_ua:	input current, uA.
 * @vout_uv:	output voltage, uV.
 * @iout_ua:	output current, uA.
 * @pout_uw:	output power, uW.
 * @pin_uw:	input power, uW.
 * @temp_mc:	temperature sensor 1, millidegree Celsius.
 * @read_ns:	time from @ts_ns to the end of this sample's last transfer, ns.
 * @overruns:	periods missed right before this sample (0 normally), including
 *		those skipped by a backoff (PL_SF_BACKOFF).
 * @gpu_pid:	reserved, zero.
 * @gpu_ctx:	reserved, zero.  These once meant "the GPU context active at
 *		@ts_ns".  They stay reserved rather than removed: the rings are
 *		kernel memory mapped read-only, so only the module could fill
 *		them, and one (pid, ctx) per sample cannot describe 8 GPUs,
 *		concurrent contexts, MPS/MIG, pid namespaces or a switch inside
 *		a period.  GPU context travels as begin/end events on the same
 *		clock (bpf/gpuctx.h) that the agent joins with samples by time;
 *		removing the fields would have changed the record layout and
 *		PL_ABI_VERSION for every reader, for nothing.
 * @reserved:	zero.
 *
 * 128 bytes, naturally aligned; layout changes bump PL_SAMPLE_VERSION.
 */
struct pl_sample {
	__aligned_u64	ts_ns;
	__aligned_u64	seq;
	__u32		dev_id;
	__u32		flags;
	__u32		rails;
	__u16		status_word;
	__u8		page;
	__u8		version;
	__s64		vin_uv;
	__s64		iin_ua;
	__s64		vout_uv;
	__s64		iout_ua;
	__s64		pout_uw;
	__s64		pin_uw;
	__s32		temp_mc;
	__u32		read_ns;
	__u32		overruns;
	__u32		gpu_pid;
	__aligned_u64	gpu_ctx;
	__u32		reserved[6];
};

#define PL_SAMPLE_VERSION	1
#define PL_SAMPLE_SIZE		128

/*
 * mmap layout of /dev/powerledger
 * -------------------------------
 *
 * One region of pl_info.mmap_size bytes, in three parts at the offsets
 * pl_info gives (all page aligned):
 *
 *   [0, cons_offset)           meta: struct pl_mmap_meta, then one
 *                              struct pl_ring_prod per ring.  Read-only.
 *   [cons_offset, data_offset) one struct pl_ring_cons per ring: the only
 *                              part user space may map writable.
 *   [data_offset, mmap_size)   nr_rings rings of slots records of
 *                              record_size bytes; ring i starts at
 *                              data_offset + i * ring_size.  Read-only.
 *
 * Map the whole region PROT_READ and the consumer part PROT_READ|PROT_WRITE
 * with a second mmap at offset cons_offset (MAP_SHARED; a private writable
 * mapping fails with -EINVAL).  Any writable mapping outside the consumer
 * part fails with -EPERM, and read-only mappings cannot be made writable
 * later (mprotect fails with -EACCES).  A mapping beyond mmap_size fails
 * with -EINVAL.
 *
 * Consumer rule: every mapping is the consumer's.  The first mmap of an
 * open file makes that file the consumer until its last reference is
 * closed; mmap from another open file fails with -EBUSY meanwhile.  Only a
 * file open for writing may become the consumer, since the consumer is
 * whoever moves tail: open the device O_RDWR (any mapping also needs read
 * access).  Any mmap of a file opened O_RDONLY fails and leaves the slot
 * free: with -EPERM, unless an error above is found first (a shared
 * writable one is refused by the mm core, with -EACCES; a private writable
 * one of the consumer part with -EINVAL).  A read-only opener gets
 * PL_IOC_GET_INFO and PL_IOC_GET_STATS, never the rings.  No ioctl moves
 * tail.
 *
 * Mappings are not inherited across fork() (VM_DONTCOPY): in the child the
 * addresses are unmapped (SIGSEGV on access), so a child cannot keep the
 * consumer slot alive or write tail.  madvise(MADV_DOFORK) on them would
 * undo that; don't.  The open file itself is inherited like any descriptor,
 * and the slot with it: open the device with O_CLOEXEC, and close it in a
 * child that does not exec.
 *
 * head and tail are free-running record counters (never wrapped); the slot
 * of record n is n & (slots - 1), slots being a power of two.
 *
 * Producer (kernel, one at a time per ring: it writes with preemption off on
 * the ring's own CPU):
 *	tail = smp_load_acquire(&cons->tail);
 *	if (head - tail >= slots) { prod->lost++; drop; }
 *	write record at slot head & (slots - 1);
 *	smp_store_release(&prod->head, head + 1);
 *
 * Consumer (one thread):
 *	head = smp_load_acquire(&prod->head);    // pairs with the release above
 *	read records tail .. head - 1;
 *	smp_store_release(&cons->tail, head);    // slots may be reused now
 *
 * A tail the kernel cannot make sense of (tail > head, head - tail > slots)
 * only makes the producer drop records and count them in lost; it never
 * makes it write outside the ring.  Records are never overwritten: a full
 * ring drops the new record and counts it.  Records reach the rings only
 * while a consumer holds the mapping; when a new consumer maps the device
 * every tail is set to its head, so it starts with empty rings.
 */
#define PL_MMAP_MAGIC		0x504c4447U	/* "PLDG" */

/**
 * struct pl_mmap_meta - start of the read-only meta part.
 * @magic:	PL_MMAP_MAGIC.
 * @abi_version: PL_ABI_VERSION.
 * @nr_rings:	number of rings (possible CPUs).
 * @slots:	records per ring, a power of two.
 * @record_size: bytes per record, PL_SAMPLE_SIZE.
 * @reserved0:	zero.
 * @prod_offset: offset of the first struct pl_ring_prod, bytes.
 * @ring_size:	bytes per ring (slots * record_size).
 */
struct pl_mmap_meta {
	__u32		magic;
	__u32		abi_version;
	__u32		nr_rings;
	__u32		slots;
	__u32		record_size;
	__u32		reserved0;
	__aligned_u64	prod_offset;
	__aligned_u64	ring_size;
};

/**
 * struct pl_ring_prod - producer side of one ring, written by the kernel.
 * @head:	records ever written; see the ordering above.
 * @lost:	records dropped because this ring was full.
 * @reserved:	pads to a cache line.
 */
struct pl_ring_prod {
	__aligned_u64	head;
	__aligned_u64	lost;
	__aligned_u64	reserved[6];
};

/**
 * struct pl_ring_cons - consumer side of one ring, written by user space.
 * @tail:	records consumed.
 * @reserved:	pads to a cache line; ignored by the kernel.
 */
struct pl_ring_cons {
	__aligned_u64	tail;
	__aligned_u64	reserved[7];
};

/**
 * struct pl_info - PL_IOC_GET_INFO: ABI version and ring layout.
 * @abi_version: PL_ABI_VERSION.
 * @record_size: PL_SAMPLE_SIZE.
 * @nr_rings:	number of rings.
 * @slots:	records per ring, power of two.
 * @nr_devices:	PSUs bound right now.
 * @watermark:	records a ring must hold before poll() reports it readable.
 * @mmap_size:	bytes to map.
 * @cons_offset: offset of the writable consumer part, bytes.
 * @data_offset: offset of ring 0, bytes.
 * @ring_size:	bytes per ring.
 * @reserved:	zero.
 */
struct pl_info {
	__u32		abi_version;
	__u32		record_size;
	__u32		nr_rings;
	__u32		slots;
	__u32		nr_devices;
	__u32		watermark;
	__aligned_u64	mmap_size;
	__aligned_u64	cons_offset;
	__aligned_u64	data_offset;
	__aligned_u64	ring_size;
	__aligned_u64	reserved[4];
};

#define PL_DEV_ALL		0xffffffffU	/* every bound device */

/**
 * struct pl_dev_ctl - PL_IOC_START, PL_IOC_STOP.
 * @dev_id:	device id or PL_DEV_ALL.
 * @flags:	zero (reserved for future use; other values give -EOPNOTSUPP).
 */
struct pl_dev_ctl {
	__u32		dev_id;
	__u32		flags;
};

/**
 * struct pl_period - PL_IOC_SET_PERIOD.
 * @dev_id:	device id or PL_DEV_ALL.
 * @reserved:	must be zero.
 * @period_ns:	PL_PERIOD_MIN_NS .. PL_PERIOD_MAX_NS, else -EINVAL.
 */
struct pl_period {
	__u32		dev_id;
	__u32		reserved;
	__aligned_u64	period_ns;
};

#define PL_JITTER_BUCKETS	24

/**
 * struct pl_stats - PL_IOC_GET_STATS.
 * @dev_id:	in: device id.
 * @flags:	out: PL_DEV_F_*.
 * @samples:	samples taken since bind.
 * @lost:	records dropped because a ring was full.
 * @overruns:	periods that passed without a sample (hrtimer overruns plus
 *		wake-ups the sampler coalesced).
 * @i2c_errors:	failed SMBus transfers other than PEC failures (NACK,
 *		timeout, arbitration, ...).
 * @pec_errors:	transfers that failed their PEC check (-EBADMSG).
 * @period_ns:	current period, ns.
 * @jitter_hist: histogram of |interval - period| between consecutive samples:
 *		bucket 0 counts deviations below 1 us, bucket b (b >= 1) those in
 *		[2^(b-1), 2^b) us, the last bucket everything above.
 * @page_repairs: samples before whose reads PAGE read back as another page
 *		(written by a BMC, an i2c-dev user or another driver) and was
 *		selected again (PL_SF_PAGE_RESTORED).
 * @backoffs:	periods skipped because the bus was stuck (PL_SF_BACKOFF);
 *		included in @overruns.
 * @suspends:	system sleeps during which sampling was stopped and after
 *		which it restarted (PL_SF_RESUMED).
 * @reserved:	zero.
 */
struct pl_stats {
	__u32		dev_id;
	__u32		flags;
	__aligned_u64	samples;
	__aligned_u64	lost;
	__aligned_u64	overruns;
	__aligned_u64	i2c_errors;
	__aligned_u64	pec_errors;
	__aligned_u64	period_ns;
	__aligned_u64	jitter_hist[PL_JITTER_BUCKETS];
	__aligned_u64	page_repairs;
	__aligned_u64	backoffs;
	__aligned_u64	suspends;
	__aligned_u64	reserved[1];
};

/* Generic netlink commands, attributes and events. */
enum pl_cmd {
	PL_CMD_UNSPEC,
	PL_CMD_GET_DEVICE,
	PL_CMD_SET_DEVICE,
	PL_CMD_GET_STATS,
	PL_CMD_EVENT,
	__PL_CMD_MAX
};
#define PL_CMD_MAX (__PL_CMD_MAX - 1)

enum pl_attr {
	PL_A_UNSPEC,
	PL_A_DEV_ID,
	PL_A_DEV_NAME,
	PL_A_DEV_MFR_ID,
	PL_A_DEV_MFR_MODEL,
	PL_A_DEV_MFR_SERIAL,
	PL_A_DEV_PERIOD_NS,
	PL_A_DEV_ENABLED,
	PL_A_DEV_RAILS,
	PL_A_DEV_FLAGS,
	PL_A_DEV_PAGE,
	PL_A_STATS_SAMPLES,
	PL_A_STATS_LOST,
	PL_A_STATS_OVERRUNS,
	PL_A_STATS_I2C_ERRORS,
	PL_A_STATS_PEC_ERRORS,
	PL_A_STATS_JITTER,
	PL_A_EVENT_KIND,
	PL_A_EVENT_COUNT,
	PL_A_EVENT_ERRNO,
	PL_A_PAD,
	PL_A_DEV_RAILS_AVAIL,
	PL_A_STATS_PAGE_REPAIRS,
	PL_A_STATS_BACKOFFS,
	PL_A_STATS_SUSPENDS,
	__PL_A_LAST
};
#define PL_A_MAX (__PL_A_LAST - 1)

enum pl_event_kind {
	PL_EVENT_I2C_ERROR = 1,
	PL_EVENT_PEC_ERROR,
	PL_EVENT_OVERRUN,
	PL_EVENT_LOST,
	PL_EVENT_DEVICE_ADDED,
	PL_EVENT_DEVICE_REMOVED,
	PL_EVENT_PAGE_RESTORED,	/* count: page_repairs */
	PL_EVENT_BACKOFF,	/* count: backoffs; errno: the transfer's error */
	__PL_EVENT_LAST
};
#define PL_EVENT_MAX (__PL_EVENT_LAST - 1)

/*
 * ioctls on /dev/powerledger.  Unknown ioctls give -ENOTTY, bad pointers
 * -EFAULT.  GET_INFO and GET_STATS work on any open file; START, STOP,
 * SET_PERIOD and SET_WATERMARK need the file open for writing (-EPERM), as
 * does mmap (-EPERM, see the consumer rule above).
 */
#define PL_IOC_MAGIC		0xb7
#define PL_IOC_GET_INFO		_IOR(PL_IOC_MAGIC, 0x00, struct pl_info)
#define PL_IOC_START		_IOW(PL_IOC_MAGIC, 0x01, struct pl_dev_ctl)
#define PL_IOC_STOP		_IOW(PL_IOC_MAGIC, 0x02, struct pl_dev_ctl)
#define PL_IOC_SET_PERIOD	_IOW(PL_IOC_MAGIC, 0x03, struct pl_period)
#define PL_IOC_GET_STATS	_IOWR(PL_IOC_MAGIC, 0x04, struct pl_stats)
/* records a ring must hold before poll() wakes; 1 .. slots, else -EINVAL */
#define PL_IOC_SET_WATERMARK	_IOW(PL_IOC_MAGIC, 0x05, __u32)

#endif /* _UAPI_LINUX_POWERLEDGER_H */
