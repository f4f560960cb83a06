# Generic netlink: dump, get, set (validated, all-or-nothing), stats, events.

# nl_rejected NAME ERRNO EXTACK PLNL-ARGS...: the request is refused (exit 1)
# with that errno and exactly that extack message ("" for none), as plnl
# reports it: "plnl: VERB: <strerror> (errno N)[: <extack>]".
nl_rejected()
{
	local name="$1" errno="$2" msg="$3" rc=0 got
	shift 3

	plnl "$@" > /tmp/nl-err.out 2>&1 || rc=$?
	cat /tmp/nl-err.out
	pl_assert_eq "$name: exit" $rc 1
	got=$(sed -n 's/^plnl: [a-z]*: .* (errno \([0-9]*\)).*/\1/p' /tmp/nl-err.out)
	pl_assert_eq "$name: errno" "$got" "$errno"
	got=$(sed -n 's/^plnl: [a-z]*: .* (errno [0-9]*)\(: \)\{0,1\}//p' /tmp/nl-err.out)
	pl_assert_eq "$name: extack" "$got" "$msg"
}
ERANGE=34 EINVAL=22 ENODEV=19 EPERM=1
RAILS_MSG="rails: not a non-empty subset of the PSU's PL_A_DEV_RAILS_AVAIL"
plnl list > /tmp/nl.out
rc=$?
cat /tmp/nl.out
pl_assert_eq "netlink: list exit" $rc 0
pl_assert_eq "netlink: one device listed" "$(grep -c '^dev=0 ' /tmp/nl.out)" 1
pl_assert_eq "netlink: model from MFR_MODEL" "$(grep -c 'model=PSU-3000-SIM' /tmp/nl.out)" 1
pl_assert_eq "netlink: period 1 ms" "$(grep -c 'period_ns=1000000 ' /tmp/nl.out)" 1
pl_assert_eq "netlink: PEC in use (flags bit 0)" "$(grep -c 'flags=0x[0-9a-f]*[13579bdf] ' /tmp/nl.out)" 1

plnl set 0 period_ns=2000000
pl_assert_eq "netlink: set period 2 ms" $? 0
plnl get 0 > /tmp/nl.out
pl_assert_eq "netlink: get shows 2 ms" "$(grep -c 'period_ns=2000000 ' /tmp/nl.out)" 1
plread -d 2 > /tmp/nl-rate.out
# The rate follows the new period: 500 Hz, not the 1 kHz before.  A functional check, not a
# timing target (make bench measures rates): 10 % either way, since a loaded host delays the
# first reads of a 2 s sample (487.9 Hz was seen once, in a clean-clone make check).
pl_assert_ge "netlink: rate follows (>= 450 Hz)" "$(kv /tmp/nl-rate.out rate_mhz)" 450000
pl_assert_le "netlink: rate follows (<= 550 Hz)" "$(kv /tmp/nl-rate.out rate_mhz)" 550000

nl_rejected "netlink: out-of-range period rejected" $ERANGE "integer out of range" \
	set 0 period_ns=50000 enabled=0
plnl get 0 > /tmp/nl.out
pl_assert_eq "netlink: rejected set changed nothing (period)" "$(grep -c 'period_ns=2000000 ' /tmp/nl.out)" 1
pl_assert_eq "netlink: rejected set changed nothing (enabled)" "$(grep -c 'enabled=1' /tmp/nl.out)" 1
nl_rejected "netlink: period above 1 s rejected" $ERANGE "integer out of range" \
	set 0 period_ns=1000000001
nl_rejected "netlink: enabled=2 rejected" $ERANGE "integer out of range" set 0 enabled=2
nl_rejected "netlink: unknown device rejected" $ENODEV "no such powerledger device" set 7 enabled=1
nl_rejected "netlink: unknown device's stats" $ENODEV "no such powerledger device" stats 7

# Unprivileged: SET needs CAP_NET_ADMIN (the genetlink core refuses it before
# our handler, without an extack message); GET and stats do not.
nl_rejected "netlink: SET without CAP_NET_ADMIN" $EPERM "" --no-net-admin set 0 enabled=0
plnl --no-net-admin get 0 > /tmp/nl.out
pl_assert_eq "netlink: GET without CAP_NET_ADMIN" $? 0
pl_assert_eq "netlink: ... and the refused SET changed nothing" "$(grep -c 'period_ns=2000000 enabled=1' /tmp/nl.out)" 1
pl_assert_ok "netlink: stats without CAP_NET_ADMIN" plnl --no-net-admin stats 0
plnl set 0 period_ns=1000000

plnl set 0 enabled=0
s1=$(stat_of 0 samples); sleep 0.5; s2=$(stat_of 0 samples)
pl_assert_eq "netlink: disabled device takes no samples" $s2 $s1
plnl set 0 enabled=1
sleep 0.5
pl_assert_ge "netlink: re-enabled device samples again" $(( $(stat_of 0 samples) - s2 )) 100

plnl stats 0 > /tmp/nl-stats.out
pl_assert_ge "netlink: stats samples" "$(kv /tmp/nl-stats.out stats.0.samples)" 1000

plnl listen 3 > /tmp/nl-ev.out &
lpid=$!
sleep 1
echo 50000 > $SIM/nack_ppm
sleep 1
echo 0 > $SIM/nack_ppm
wait $lpid
cat /tmp/nl-ev.out | tail -5
pl_assert_ge "netlink: i2c_error events multicast" "$(grep -c 'kind=i2c_error' /tmp/nl-ev.out)" 1
pl_assert_le "netlink: events rate limited (<= 10/s)" "$(grep -c 'kind=i2c_error' /tmp/nl-ev.out)" 30

# Rails: which words each sample reads.  All seven by default; a subset
# reads only those (one message pair per word on this adapter, plus
# STATUS_WORD every 64th sample), records carry exactly those rails, hwmon
# has no data for the others; invalid masks change nothing.
# Bus transfers per sample x1000 over 1 s of sampling, counted while the
# sampler is stopped so that both counters cover the same samples.
xfers_per_sample()
{
	plnl set 0 enabled=0
	sleep 0.05
	x0=$(cat $SIM/xfers) s0=$(stat_of 0 samples)
	plnl set 0 enabled=1
	sleep 1
	plnl set 0 enabled=0
	sleep 0.05
	x1=$(cat $SIM/xfers) s1=$(stat_of 0 samples)
	plnl set 0 enabled=1
	echo $(( (x1 - x0) * 1000 / (s1 - s0 > 0 ? s1 - s0 : 1) ))
}

plnl get 0 > /tmp/nl.out
pl_assert_eq "netlink: all 7 rails read, 7 answered" "$(grep -c ' rails=0x7f .* rails_avail=0x7f$' /tmp/nl.out)" 1
plnl set 0 rails=0x21
pl_assert_eq "netlink: set rails VIN|PIN" $? 0
plnl get 0 > /tmp/nl.out
cat /tmp/nl.out
pl_assert_eq "netlink: get shows rails 0x21 of 0x7f" "$(grep -c ' rails=0x21 .* rails_avail=0x7f$' /tmp/nl.out)" 1
plread -d 1 > /tmp/nl-rails.out
pl_assert_eq "netlink: records carry no other rail" "$(kv /tmp/nl-rails.out rails_any)" 0x21
pl_assert_eq "netlink: every record carries both" "$(kv /tmp/nl-rails.out rails_all)" 0x21
per=$(xfers_per_sample)
echo "bus transfers per sample x1000: $per"
pl_assert_ge "netlink: 2 rails, PAGE check + 2 word reads per sample" $per 3000
pl_assert_le "netlink: 2 rails, no more than 3 (+ STATUS_WORD / 64)" $per 3050
h=$(pl_hwmon)
pl_assert_ok "netlink: hwmon still shows a read rail" cat $h/in1_input
cat $h/in2_input > /dev/null 2> /tmp/nl-hwmon.err
pl_assert_eq "netlink: hwmon read of a rail not read fails" $? 1
pl_assert_eq "netlink: ... with ENODATA (the channel is still there)" "$(grep -c 'No data available' /tmp/nl-hwmon.err)" 1
plnl set 0 rails=0x7f
pl_assert_eq "netlink: set rails back to all" $? 0
per=$(xfers_per_sample)
pl_assert_ge "netlink: 7 rails, PAGE check + 7 word reads per sample" $per 8000
pl_assert_le "netlink: 7 rails, no more than 8 (+ STATUS_WORD / 64)" $per 8050
nl_rejected "netlink: rails=0 rejected" $EINVAL "$RAILS_MSG" set 0 rails=0
for bad in 0x80 0xff; do
	nl_rejected "netlink: rails=$bad rejected" $EINVAL "reserved bit set" set 0 rails=$bad
done
nl_rejected "netlink: rails with a bad period rejected" $ERANGE "integer out of range" \
	set 0 rails=0x21 period_ns=50000
plnl get 0 > /tmp/nl.out
pl_assert_eq "netlink: rejected rails changed nothing" "$(grep -c ' period_ns=1000000 .* rails=0x7f ' /tmp/nl.out)" 1

# A PSU without some sensors (the simulator NACKs READ_IOUT and
# READ_TEMPERATURE_1): only what it answers is available or selectable, and
# a request selecting more is refused before its valid period applies.
echo 0x48 > $SIM/absent_rails
pl_unbind $SIM_BUS
pl_bind $SIM_BUS
sleep 0.2
plnl get 0 > /tmp/nl.out
cat /tmp/nl.out
pl_assert_eq "netlink: rails of a PSU without IOUT and TEMP" "$(grep -c ' rails=0x37 .* rails_avail=0x37$' /tmp/nl.out)" 1
nl_rejected "netlink: a rail the PSU lacks rejected" $EINVAL "$RAILS_MSG" set 0 rails=0x08
nl_rejected "netlink: more rails than the PSU has rejected" $EINVAL "$RAILS_MSG" \
	set 0 rails=0x7f period_ns=2000000
plnl get 0 > /tmp/nl.out
pl_assert_eq "netlink: ... and its valid period not applied" "$(grep -c ' period_ns=1000000 .* rails=0x37 ' /tmp/nl.out)" 1
plread -d 1 > /tmp/nl-rails.out
pl_assert_eq "netlink: records carry the rails the PSU has" "$(kv /tmp/nl-rails.out rails_any)" 0x37
pl_assert_eq "netlink: no read of a missing rail failed" "$(kv /tmp/nl-rails.out i2c_error_flags)" 0
echo 0 > $SIM/absent_rails
pl_unbind $SIM_BUS
pl_bind $SIM_BUS
sleep 0.2

# Why rails are a setting: on a 400 kHz bus (the simulator sleeps each
# transfer's bit time) a PEC word read takes 57 bit times, 142.5 us, and the
# PAGE check's PEC byte read 48, 120 us; seven rails take longer than the
# 1 ms period and the sampler overruns (counted), two fit.  (Under TCG each sleep also costs its wake-up, ~80 us: that is why
# the test does not try four.)
echo 400 > $SIM/bus_khz
for r in 0x7f 0x21; do
	plnl set 0 rails=$r
	sleep 0.2
	o0=$(stat_of 0 overruns) s0=$(stat_of 0 samples)
	plread -d 2 > /tmp/nl-bus.out
	o1=$(stat_of 0 overruns) s1=$(stat_of 0 samples)
	eval "read_$r=$(kv /tmp/nl-bus.out read_ns_mean) over_$r=$(( (o1 - o0) * 1000 / (s1 - s0 > 0 ? s1 - s0 : 1) ))"
	echo "400 kHz bus, rails $r: read_ns_mean $(kv /tmp/nl-bus.out read_ns_mean), overruns per 1000 samples $(( (o1 - o0) * 1000 / (s1 - s0 > 0 ? s1 - s0 : 1) ))"
done
echo 0 > $SIM/bus_khz
plnl set 0 rails=0x7f
pl_assert_ge "netlink: 7 rails at 400 kHz take the whole period (read ns)" $read_0x7f 997500
pl_assert_ge "netlink: 7 rails at 400 kHz overrun (per 1000 samples)" $over_0x7f 20
pl_assert_ge "netlink: 2 rails at 400 kHz take their bus time (read ns)" $read_0x21 285000
pl_assert_le "netlink: 2 rails at 400 kHz fit the period (read ns)" $read_0x21 900000
# (3 transfers against 8 with the PAGE check: where both overrun, as in the
# debug kernel, 2 rails overrun about 3/8 as often)
pl_assert_le "netlink: 2 rails at 400 kHz overrun half as often or less" $((over_0x21 * 2)) $over_0x7f

# The rails module parameter: what every PSU bound after load reads; a mask
# selecting none of the PSU's rails is warned about and reads them all.
for p in 0x20:0x20 0x80:0x7f; do
	pl_unbind $SIM_BUS
	rmmod powerledger
	pl_load rails=${p%:*}
	pl_bind $SIM_BUS
	sleep 0.2
	plnl get 0 > /tmp/nl.out
	pl_assert_eq "netlink: rails=${p%:*} at load reads ${p#*:}" "$(grep -c " rails=${p#*:} " /tmp/nl.out)" 1
done
pl_assert_eq "netlink: useless rails parameter warned about" "$(dmesg | grep -c 'rails=0x80 selects none')" 1
pl_unbind $SIM_BUS
rmmod powerledger
pl_load
pl_bind $SIM_BUS
sleep 0.2
