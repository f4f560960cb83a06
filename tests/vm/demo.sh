#!/bin/sh
# In-VM part of `make demo` (busybox sh): the real powerledger.ko drives the
# simulated PSU; show what an admin and a kernel developer see, then capture
# each simulator waveform through the mmap rings.  When the agent is in the
# image (/bin/powerledger with `record`), it records and checks each one.
. /pl/lib/common.sh
. /pl/lib/pl.sh
export PATH=/bin:/sbin:/usr/bin:/usr/sbin

sim_load waveform=flat
pl_load
pl_bind $SIM_BUS
sleep 0.5
echo
echo "--- generic netlink: plnl list"
plnl list
echo
echo "--- hwmon ($(pl_hwmon))"
h=$(pl_hwmon)
for f in in1 in2 curr1 curr2 power1 power2 temp1; do
	printf '%-8s %-6s %s\n' $f "$(cat $h/${f}_label)" "$(cat $h/${f}_input)"
done
echo
echo "--- tracepoint powerledger:sample (first 3 events)"
T=/sys/kernel/tracing
echo 1 > $T/events/powerledger/sample/enable
sleep 0.2
echo 0 > $T/events/powerledger/sample/enable
grep ' sample: ' $T/trace | head -3
echo > $T/trace

for w in flat bursty miner step; do
	echo
	echo "--- waveform $w: 3 s through the mmap rings"
	echo $w > $SIM/waveform
	plread -d 3 --expect-wave $w --sim-debugfs $SIM > /tmp/$w.out
	pl_assert_eq "demo: $w captured with no gap and every value as simulated" $? 0
	for k in records rate_hz seq_gaps lost wave_mismatch jitter_p50_ns jitter_p99_ns; do
		printf '  %-14s %s\n' $k "$(kv /tmp/$w.out $k)"
	done
done
echo
echo "--- the agent on the live module: record, baseline, claim, check, verify"
. /pl/t-agent.sh
pl_summary demo
