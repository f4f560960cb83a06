# Fault injection: every injected fault is counted, sampling continues.
echo 0 > $SIM/nack_ppm; echo 0 > $SIM/pec_error_ppm; echo 0 > $SIM/stuck; echo 0 > $SIM/delay_us
sleep 0.1
echo 1 > $SIM/reset_counters
i2c0=$(stat_of 0 i2c_errors); pec0=$(stat_of 0 pec_errors); ovr0=$(stat_of 0 overruns)

echo 20000 > $SIM/nack_ppm
echo 20000 > $SIM/pec_error_ppm
plread -d 3 > /tmp/faults.out
rc=$?
echo 0 > $SIM/nack_ppm; echo 0 > $SIM/pec_error_ppm
sleep 0.1
cat /tmp/faults.out
pl_assert_eq "faults: plread exit (no gaps, no bad records)" $rc 0
pl_assert_ge "faults: sampling continued (records in 3 s)" "$(kv /tmp/faults.out records)" 2800
pl_assert_ge "faults: records flagged i2c error" "$(kv /tmp/faults.out i2c_error_flags)" 1
pl_assert_ge "faults: records flagged pec error" "$(kv /tmp/faults.out pec_error_flags)" 1
nacks=$(cat $SIM/nacks_injected); pecs=$(cat $SIM/pec_injected)
pl_assert_ge "faults: NACKs injected" $nacks 1
pl_assert_ge "faults: PEC errors injected" $pecs 1
pl_assert_eq "faults: i2c_errors == NACKs injected" $(( $(stat_of 0 i2c_errors) - i2c0 )) $nacks
pl_assert_eq "faults: pec_errors == PEC errors injected" $(( $(stat_of 0 pec_errors) - pec0 )) $pecs

# Stuck bus: every transfer holds the bus for stuck_delay_us (2 ms) and
# times out.  The sampler backs off (1, 2, 4, ... periods, at most 1 s
# worth: PL_BACKOFF_MAX_NS) instead of holding the segment every period:
# over 3 s of 1 ms periods it may try about 12 times (one transfer each,
# the PAGE check), not ~1500.  Skipped periods are counted (backoffs, also
# in overruns), flagged (PL_SF_BACKOFF on the next attempt) and the device
# says it is backing off (PL_DEV_F_BACKOFF, 0x8); once the bus is back the
# next attempt (within 1 s) restores the normal period.
echo 1 > $SIM/reset_counters
i2c0=$(stat_of 0 i2c_errors); ovr0=$(stat_of 0 overruns); bo0=$(stat_of 0 backoffs)
pl_assert_eq "faults: not backing off before" $(( $(stat_of 0 flags) & 0x8 )) 0
plread -d 5.5 > /tmp/stuck.out &
rpid=$!
sleep 0.5
echo 1 > $SIM/stuck
sleep 3
flags_stuck=$(stat_of 0 flags)
echo 0 > $SIM/stuck
tos=$(cat $SIM/timeouts_injected)
bo=$(( $(stat_of 0 backoffs) - bo0 ))
echo "stuck 3 s: $tos bus attempts (timeouts), $bo periods skipped"
pl_assert_ge "faults: timeouts injected" $tos 3
pl_assert_le "faults: stuck bus tried far less than once per period (<= 20 in 3 s)" $tos 20
pl_assert_ge "faults: skipped periods counted as backoffs" $bo 1000
pl_assert_eq "faults: device flags say backing off" $(( flags_stuck & 0x8 )) 8
pl_assert_eq "faults: i2c_errors == timeouts injected" $(( $(stat_of 0 i2c_errors) - i2c0 )) $tos
pl_assert_ge "faults: backoffs are overruns too" $(( $(stat_of 0 overruns) - ovr0 )) $bo
# recovery: the next attempt comes within PL_BACKOFF_MAX_NS (1 s)
sleep 1.5
pl_assert_eq "faults: backoff over once the bus is back" $(( $(stat_of 0 flags) & 0x8 )) 0
wait $rpid
cat /tmp/stuck.out | grep -E '^(records|seq_gaps|backoff_flags|overrun_flags|i2c_error_flags)='
pl_assert_ge "faults: attempts during the backoff flagged PL_SF_BACKOFF" "$(kv /tmp/stuck.out backoff_flags)" 3
pl_assert_eq "faults: seq contiguous through the backoff" "$(kv /tmp/stuck.out seq_gaps)" 0
plread -d 1 > /tmp/after-stuck.out
# 1 s of plread, start-up included, at the TCG rate of 8 emulated transfers per
# sample (see t-sample): a backoff still going on would be far below.
pl_assert_ge "faults: sampling resumed after stuck bus" "$(kv /tmp/after-stuck.out records)" 920
pl_assert_ge "faults: ... at the normal period (>= 920 Hz)" "$(kv /tmp/after-stuck.out rate_mhz)" 920000
pl_assert_eq "faults: ... without backoff" "$(kv /tmp/after-stuck.out backoff_flags)" 0

# slow transfers: 7 reads x 300 us > 1 ms period -> missed periods, flagged
ovr0=$(stat_of 0 overruns)
echo 300 > $SIM/delay_us
plread -d 1 > /tmp/slow.out
echo 0 > $SIM/delay_us
sleep 0.1
pl_assert_ge "faults: slow bus overruns counted" $(( $(stat_of 0 overruns) - ovr0 )) 1
pl_assert_ge "faults: slow bus samples flagged overrun" "$(kv /tmp/slow.out overrun_flags)" 1
pl_assert_eq "faults: slow bus seq still contiguous" "$(kv /tmp/slow.out seq_gaps)" 0
