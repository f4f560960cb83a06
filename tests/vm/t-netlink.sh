# Generic netlink: dump, get, set (validated, all-or-nothing), stats, events.
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
pl_assert_ge "netlink: rate follows (>= 490 Hz)" "$(kv /tmp/nl-rate.out rate_mhz)" 490000
pl_assert_le "netlink: rate follows (<= 510 Hz)" "$(kv /tmp/nl-rate.out rate_mhz)" 510000

plnl set 0 period_ns=50000 enabled=0 > /tmp/nl-err.out 2>&1
pl_assert_eq "netlink: out-of-range period rejected" $? 1
cat /tmp/nl-err.out
plnl get 0 > /tmp/nl.out
pl_assert_eq "netlink: rejected set changed nothing (period)" "$(grep -c 'period_ns=2000000 ' /tmp/nl.out)" 1
pl_assert_eq "netlink: rejected set changed nothing (enabled)" "$(grep -c 'enabled=1' /tmp/nl.out)" 1
plnl set 7 enabled=1 > /dev/null 2>&1
pl_assert_eq "netlink: unknown device rejected" $? 1
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
