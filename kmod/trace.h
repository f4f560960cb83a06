/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracepoints: powerledger:sample, powerledger:overrun, powerledger:i2c_error.
 * perf, bpftrace and bpftool-loaded programs attach to them; the sample
 * event carries the same clock (CLOCK_MONOTONIC ns) as the ring record.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM powerledger

#if !defined(_PL_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _PL_TRACE_H

#include <linux/tracepoint.h>

#include "../uapi/linux/powerledger.h"

TRACE_EVENT(sample,
	TP_PROTO(const struct pl_sample *s),
	TP_ARGS(s),
	TP_STRUCT__entry(
		__field(u64, ts_ns)
		__field(u64, seq)
		__field(u32, dev_id)
		__field(u32, flags)
		__field(u32, rails)
		__field(s64, pin_uw)
		__field(s64, vin_uv)
		__field(u32, read_ns)
	),
	TP_fast_assign(
		__entry->ts_ns = s->ts_ns;
		__entry->seq = s->seq;
		__entry->dev_id = s->dev_id;
		__entry->flags = s->flags;
		__entry->rails = s->rails;
		__entry->pin_uw = s->pin_uw;
		__entry->vin_uv = s->vin_uv;
		__entry->read_ns = s->read_ns;
	),
	TP_printk("dev=%u seq=%llu ts_ns=%llu pin_uw=%lld vin_uv=%lld rails=0x%x flags=0x%x read_ns=%u",
		  __entry->dev_id, __entry->seq, __entry->ts_ns, __entry->pin_uw,
		  __entry->vin_uv, __entry->rails, __entry->flags, __entry->read_ns)
);

/* Faults share one shape: which device, at which sample, what, how bad. */
DECLARE_EVENT_CLASS(powerledger_fault,
	TP_PROTO(u32 dev_id, u64 seq, u32 code, s64 value),
	TP_ARGS(dev_id, seq, code, value),
	TP_STRUCT__entry(
		__field(u32, dev_id)
		__field(u32, code)
		__field(u64, seq)
		__field(s64, value)
	),
	TP_fast_assign(
		__entry->dev_id = dev_id;
		__entry->code = code;
		__entry->seq = seq;
		__entry->value = value;
	),
	TP_printk("dev=%u seq=%llu code=0x%x value=%lld",
		  __entry->dev_id, __entry->seq, __entry->code, __entry->value)
);

/* code: PL_EVENT_OVERRUN; value: periods missed */
DEFINE_EVENT(powerledger_fault, overrun,
	TP_PROTO(u32 dev_id, u64 seq, u32 code, s64 value),
	TP_ARGS(dev_id, seq, code, value)
);

/* code: PMBus command; value: negative errno */
DEFINE_EVENT(powerledger_fault, i2c_error,
	TP_PROTO(u32 dev_id, u64 seq, u32 code, s64 value),
	TP_ARGS(dev_id, seq, code, value)
);

#endif /* _PL_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
