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

# stuck bus: transfers time out; the sampler survives and resumes
echo 1 > $SIM/reset_counters
i2c0=$(stat_of 0 i2c_errors); ovr0=$(stat_of 0 overruns)
echo 1 > $SIM/stuck
sleep 1
echo 0 > $SIM/stuck
sleep 0.2
tos=$(cat $SIM/timeouts_injected)
pl_assert_ge "faults: timeouts injected" $tos 1
pl_assert_eq "faults: i2c_errors == timeouts injected" $(( $(stat_of 0 i2c_errors) - i2c0 )) $tos
pl_assert_ge "faults: stuck bus counted as overruns" $(( $(stat_of 0 overruns) - ovr0 )) 1
plread -d 1 > /tmp/after-stuck.out
pl_assert_ge "faults: sampling resumed after stuck bus" "$(kv /tmp/after-stuck.out records)" 900

# slow transfers: 7 reads x 300 us > 1 ms period -> missed periods, flagged
ovr0=$(stat_of 0 overruns)
echo 300 > $SIM/delay_us
plread -d 1 > /tmp/slow.out
echo 0 > $SIM/delay_us
sleep 0.1
pl_assert_ge "faults: slow bus overruns counted" $(( $(stat_of 0 overruns) - ovr0 )) 1
pl_assert_ge "faults: slow bus samples flagged overrun" "$(kv /tmp/slow.out overrun_flags)" 1
pl_assert_eq "faults: slow bus seq still contiguous" "$(kv /tmp/slow.out seq_gaps)" 0
