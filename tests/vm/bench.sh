#!/bin/sh
# In-VM part of scripts/bench-sampler (busybox sh): the same simulated PSU,
# the same period, side by side:
#   (a) powerledger.ko (hrtimer + SCHED_FIFO kthread), read through the rings
#   (b) a user-space loop polling /dev/i2c-N with the I2C_SMBUS ioctl and
#       clock_nanosleep(TIMER_ABSTIME), the module unbound
#   (c) a loop reading the hwmon sysfs file (module bound)
# in ROUNDS interleaved rounds of D seconds each, so that noise from the
# emulator's host hits every contender alike, under each load condition of
# /pl/bench.load in turn; then (unless /pl/bench.quick says 1) the module
# alone for 60 s (lost records), the shortest period it sustains, and the
# agent's `run` on the module.
# Prints key=value lines (c<condition>.<contender>.<round>.<key>, cond.N=...);
# the host side turns them into the tables.
. /pl/lib/common.sh
. /pl/lib/pl.sh
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
D=$(cat /pl/bench.secs 2>/dev/null || echo 20)
ROUNDS=$(cat /pl/bench.rounds 2>/dev/null || echo 3)
LOAD=$(cat /pl/bench.load 2>/dev/null || echo idle)
QUICK=$(cat /pl/bench.quick 2>/dev/null || echo 0)

echo "clocksource=$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"
sim_load waveform=bursty
insmod $PLMOD/i2c-dev.ko
pl_load
pl_bind $SIM_BUS
sleep 0.5

# CPU ns of the sampler kthread, from schedstat (ns on CPU)
kthread_ns()
{
	for p in /proc/[0-9]*; do
		if [ "$(cat $p/comm 2>/dev/null)" = "powerledger/0" ]; then
			cut -d' ' -f1 $p/schedstat
			return
		fi
	done
	echo 0
}

# ns the simulated PSU spent emulating itself (work a real PSU does in silicon)
device_ns()
{
	cat /sys/kernel/debug/powerledger_sim/device_ns
}

# Background load: one condition after another, ROUNDS rounds each, every
# contender against the same load.  A condition is "idle"; "busy:N", N busy
# loops at the default policy (the fair scheduler preempts them for any
# waking sleeper); or "server:N", N plload workers alternating 0.2-2 ms
# bursts with 1-10 ms sleeps, as the CPU side of a request-serving host
# (they wake with the same sleeper credit as a user-space poller).
load_start()
{
	case $1 in
	idle) ;;
	busy:*)
		i=0
		while [ $i -lt ${1#busy:} ]; do
			(while :; do :; done) &
			hogs="$hogs $!"
			i=$((i + 1))
		done ;;
	server:*)
		plload -n ${1#server:} > /tmp/load.out &
		hogs="$hogs $!" ;;
	*)
		echo "bench: unknown load condition '$1'"
		return 1 ;;
	esac
	echo "bench: load $1 running:${hogs:- none}"
}

load_stop()
{
	[ -z "$hogs" ] || { kill $hogs; wait $hogs 2>/dev/null; }
	hogs=
	[ ! -s /tmp/load.out ] || sed "s/^/load.$1./" /tmp/load.out
	rm -f /tmp/load.out
}

hogs=
c=0
for cond in $LOAD; do
	c=$((c + 1))
	echo "cond.$c=$cond"
	load_start $cond || continue
	r=1
	while [ $r -le $ROUNDS ]; do
		p=c$c
		echo "bench: $cond round $r: (a) module, ${D}s at 1 kHz"
		c0=$(kthread_ns) d0=$(device_ns)
		plread -d $D -p 1000000 -w 256 > /tmp/a.out
		c1=$(kthread_ns) d1=$(device_ns)
		sed "s/^/$p.module.$r./" /tmp/a.out
		n=$(kv /tmp/a.out records)
		echo "$p.module.$r.cpu_ns_per_sample=$(( (c1 - c0) / (n > 0 ? n : 1) ))"
		echo "$p.module.$r.device_ns_per_sample=$(( (d1 - d0) / (n > 0 ? n : 1) ))"
		pl_assert_ge "bench: module produced records ($cond, round $r)" "${n:-0}" 1

		echo "bench: $cond round $r: (c) hwmon sysfs loop, ${D}s at 1 kHz"
		h=$(pl_hwmon)
		plpoll hwmon --path $h/power1_input -p 1000000 -d $D > /tmp/c.out
		sed "s/^/$p.hwmon.$r./" /tmp/c.out
		pl_assert_ge "bench: hwmon loop produced samples ($cond, round $r)" "$(kv /tmp/c.out samples)" 1

		echo "bench: $cond round $r: (b) /dev/i2c-$SIM_BUS poller, ${D}s at 1 kHz"
		pl_unbind $SIM_BUS
		d0=$(device_ns)
		plpoll i2cdev --bus $SIM_BUS --addr 0x58 --pec -p 1000000 -d $D > /tmp/b.out
		d1=$(device_ns)
		sed "s/^/$p.poller.$r./" /tmp/b.out
		n=$(kv /tmp/b.out samples)
		echo "$p.poller.$r.device_ns_per_sample=$(( (d1 - d0) / (n > 0 ? n : 1) ))"
		pl_assert_ge "bench: poller produced samples ($cond, round $r)" "$(kv /tmp/b.out samples)" 1
		pl_bind $SIM_BUS
		sleep 0.5
		r=$((r + 1))
	done
	load_stop c$c
done
echo "cond.count=$c"

if [ "$QUICK" = 1 ]; then
	echo "bench: quick run, rounds only"
	pl_summary bench
	exit
fi

echo "bench: module alone, 60 s at 1 kHz"
plread -d 60 -p 1000000 -w 256 > /tmp/l.out
sed 's/^/long./' /tmp/l.out

for p in 500000 200000 100000; do
	echo "bench: module at period $p ns, 5 s"
	plread -d 5 -p $p -w 256 > /tmp/p.out
	echo "max.$p.lost=$(kv /tmp/p.out lost)"
	echo "max.$p.seq_gaps=$(kv /tmp/p.out seq_gaps)"
	echo "max.$p.rate_mhz=$(kv /tmp/p.out rate_mhz)"
	echo "max.$p.overruns=$(kv /tmp/p.out stats.0.overruns)"
	echo "max.$p.records=$(kv /tmp/p.out records)"
done
# The agent on the module: `powerledger run` captures one 60 s segment at
# 1 kHz and checks it against a claim; its memory (RSS is what the agent's
# issue sets a target for; CPU under TCG would be the emulator's).
echo "bench: powerledger run on the module, one 60 s segment"
plread -d 1 -p 1000000 > /dev/null # back to 1 kHz after the period sweep
A=/tmp/bench-agent
mkdir -p $A/keys $A/claims $A/out
for role in reader operator vendor; do
	powerledger keygen --role $role -o $A/keys > /dev/null
done
powerledger record -o $A/commission.pltr --duration 20s --key $A/keys/reader.key > /dev/null
pl_assert_eq "bench: commissioning trace recorded" $? 0
powerledger baseline register --model sim-llm --key $A/keys/operator.key -o $A/baseline.dsse.json \
	$A/commission.pltr > /dev/null
pl_assert_eq "bench: baseline registered" $? 0
powerledger claim --model sim-llm --tokens-per-s 2400 --from 0 --to 4611686018427387904 \
	--trace $A/commission.pltr --key $A/keys/vendor.key -o $A/claims/claim.dsse.json > /dev/null
pl_assert_eq "bench: claim signed" $? 0
powerledger run --claims $A/claims --baseline $A/baseline.dsse.json --key $A/keys/operator.key \
	--reader-key $A/keys/reader.key --keydir $A/keys -o $A/out --segment 60s --json > $A/events.json 2> $A/run.err &
pid=$!
# CPU: utime + stime (USER_HZ ticks) over wall time from /proc/uptime (centiseconds)
sleep 1
t0=$(cut -d' ' -f1 /proc/uptime | tr -d .)
c0=$(cut -d' ' -f14,15 /proc/$pid/stat | tr ' ' +)
rss_max=0
i=0
while [ $i -lt 90 ] && ! grep -q '"event":"segment"' $A/events.json; do
	sleep 1
	r=$(awk '/^VmRSS/ { print $2 }' /proc/$pid/status 2>/dev/null)
	[ "${r:-0}" -gt $rss_max ] && rss_max=$r
	i=$((i + 1))
done
sleep 2
t1=$(cut -d' ' -f1 /proc/uptime | tr -d .)
c1=$(cut -d' ' -f14,15 /proc/$pid/stat | tr ' ' +)
echo "agent.cpu_ticks=$(( (c1) - (c0) ))"
echo "agent.wall_cs=$((t1 - t0))"
echo "agent.rss_max_kb=$rss_max"
echo "agent.hwm_kb=$(awk '/^VmHWM/ { print $2 }' /proc/$pid/status)"
kill -TERM $pid
wait $pid
pl_assert_eq "bench: powerledger run exits 0 on SIGTERM" $? 0
seg=$(grep '"event":"segment"' $A/events.json | head -n 1)
echo "agent.samples=$(echo "$seg" | sed -n 's/.*"samples":\([0-9]*\).*/\1/p')"
echo "agent.lost=$(echo "$seg" | sed -n 's/.*"lost":\([0-9]*\).*/\1/p')"
echo "agent.proofs=$(grep -c '"event":"proof"' $A/events.json)"
pl_assert_ge "bench: run wrote a 60 s segment" "$(echo "$seg" | grep -c samples)" 1
cat $A/run.err

# 10 kHz: the rings hold 0.2 s, less than writing and checking a segment
# takes under TCG; run's drain thread queues records meanwhile.
echo "bench: powerledger run on the module at 10 kHz, 30 s in 10 s segments"
mkdir -p $A/out10
powerledger run --claims $A/claims --baseline $A/baseline.dsse.json --key $A/keys/operator.key \
	--reader-key $A/keys/reader.key --keydir $A/keys -o $A/out10 --segment 10s --period 100us \
	--json > $A/events10.json 2> $A/run10.err &
pid=$!
sleep 31
kill -TERM $pid
wait $pid
pl_assert_eq "bench: powerledger run at 10 kHz exits 0 on SIGTERM" $? 0
ex=$(grep '"event":"exit"' $A/events10.json)
for k in samples lost late skipped overruns segments errors; do
	echo "agent10k.$k=$(echo "$ex" | sed -n "s/.*\"$k\":\([0-9]*\).*/\1/p")"
done
pl_assert_ge "bench: run at 10 kHz wrote segments" "$(echo "$ex" | sed -n 's/.*"segments":\([0-9]*\).*/\1/p')" 1
cat $A/run10.err
plread -d 1 -p 1000000 > /dev/null # back to 1 kHz

pl_summary bench
