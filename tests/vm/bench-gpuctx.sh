#!/bin/sh
# In-VM part of scripts/bench-gpuctx (busybox sh): what GPU-context tagging
# costs, on the stand-in libcuda.so.1 (tests/vm/tools/fakecuda.c) under the
# emulator.  Prints key=value lines; the host side makes the table.
#   uprobe: PAIRS push/pop pairs as fast as they go, without and with the
#           agent attached (4 probe hits per pair: entry + return of each)
#   bpf:    the programs' own run time per hit (kernel.bpf_stats_enabled)
#   rate:   events through the ring buffer per second in that run
#   cpu:    the agent's CPU recording 1 kHz samples while the workload
#           switches contexts 10000 times a second, tagging off and on
. /pl/lib/common.sh
. /pl/lib/pl.sh
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
FAKE=/usr/lib/fake-cuda
PAIRS=$(cat /pl/bench.pairs 2>/dev/null || echo 20000)
SECS=$(cat /pl/bench.secs 2>/dev/null || echo 10)
mount -t bpf bpf /sys/fs/bpf 2>/dev/null
sim_load waveform=bursty
pl_load
pl_bind $SIM_BUS
sleep 0.5
echo 1 > /proc/sys/kernel/bpf_stats_enabled

kv() { sed -n "s/^$1=\([0-9]*\).*/\1/p" "$2" | head -1; }
cpu_ticks() { awk '{ print $14 + $15 }' /proc/$1/stat; }
wait_attached() { i=0; while ! grep -q "GPU context:\|power only" $1 && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done; }

LD_LIBRARY_PATH=$FAKE plcuwl --loop $PAIRS 0 > /tmp/off.kv
echo "uprobe.off_ns=$(kv loop_ns /tmp/off.kv)"
LD_LIBRARY_PATH=$FAKE powerledger record -o /tmp/b.pltr --duration 600s > /tmp/rec.out 2> /tmp/rec.err &
rec=$!
wait_attached /tmp/rec.err
LD_LIBRARY_PATH=$FAKE plcuwl --loop $PAIRS 0 > /tmp/on.kv
echo "uprobe.on_ns=$(kv loop_ns /tmp/on.kv)"
echo "uprobe.pairs=$PAIRS"
bpftool prog show > /tmp/progs.txt
awk '/ name pl_cu_(push|pop)/ { for (i = 1; i < NF; i++) { if ($i == "run_time_ns") t += $(i + 1); if ($i == "run_cnt") c += $(i + 1) } }
	END { printf "bpf.run_time_ns=%d\nbpf.run_cnt=%d\n", t, c }' /tmp/progs.txt
kill -INT $rec
wait $rec
echo "rate.events=$((PAIRS * 2))"
echo "rate.dropped=$(cut -f7 /tmp/rec.out)"
echo "rate.intervals=$(cut -f6 /tmp/rec.out)"

for mode in off auto; do
	LD_LIBRARY_PATH=$FAKE plcuwl --loop $((5000 * (SECS + 4))) 5000 > /dev/null &
	wl=$!
	LD_LIBRARY_PATH=$FAKE powerledger record -o /tmp/c-$mode.pltr --duration $((SECS + 2))s --gpu-context $mode \
		> /tmp/c-$mode.out 2> /tmp/c-$mode.err &
	rec=$!
	[ $mode = off ] && sleep 0.5 || wait_attached /tmp/c-$mode.err
	sleep 1
	c0=$(cpu_ticks $rec); t0=$(date +%s)
	sleep $SECS
	c1=$(cpu_ticks $rec); t1=$(date +%s)
	wait $rec
	kill $wl 2>/dev/null; wait $wl 2>/dev/null
	echo "cpu.$mode.ticks=$((c1 - c0))"
	echo "cpu.$mode.secs=$((t1 - t0))"
	echo "cpu.$mode.samples=$(cut -f2 /tmp/c-$mode.out)"
	echo "cpu.$mode.intervals=$(cut -f6 /tmp/c-$mode.out)"
	echo "cpu.$mode.dropped=$(cut -f7 /tmp/c-$mode.out)"
done
echo "clk_tck=100"
echo "bench-gpuctx: done"
