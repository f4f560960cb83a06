# Sampling: 10 s through the mmap rings at 1 kHz on the simulated PSU.
# Count within 1 % of the period, sequence contiguous, nothing lost, every
# decoded value equal to the simulator's waveform.
sim_load waveform=flat
pl_load
pl_bind $SIM_BUS
pl_assert_eq "sample: /dev/powerledger is a char device" "$(test -c /dev/powerledger && echo yes)" yes

plread -d 10 --expect-wave flat --sim-debugfs $SIM > /tmp/flat.out
rc=$?
cat /tmp/flat.out
pl_assert_eq "sample: plread flat exit" $rc 0
pl_assert_ge "sample: records in 10 s" "$(kv /tmp/flat.out records)" 9500
pl_assert_ge "sample: rate >= 990 Hz (mHz)" "$(kv /tmp/flat.out rate_mhz)" 990000
pl_assert_le "sample: rate <= 1010 Hz (mHz)" "$(kv /tmp/flat.out rate_mhz)" 1010000
pl_assert_eq "sample: seq gaps" "$(kv /tmp/flat.out seq_gaps)" 0
pl_assert_eq "sample: lost" "$(kv /tmp/flat.out lost)" 0
pl_assert_eq "sample: stats lost" "$(kv /tmp/flat.out stats.0.lost)" 0
pl_assert_eq "sample: bad records" "$(kv /tmp/flat.out bad_records)" 0
pl_assert_eq "sample: ts non-monotonic" "$(kv /tmp/flat.out ts_nonmono)" 0
pl_assert_eq "sample: waveform mismatches" "$(kv /tmp/flat.out wave_mismatch)" 0
pl_assert_ge "sample: waveform values checked" "$(kv /tmp/flat.out wave_checked)" 9500

for w in bursty miner step; do
	echo $w > $SIM/waveform
	plread -d 3 --expect-wave $w --sim-debugfs $SIM > /tmp/$w.out
	rc=$?
	pl_assert_eq "sample: plread $w exit" $rc 0
	pl_assert_eq "sample: $w waveform mismatches" "$(kv /tmp/$w.out wave_mismatch)" 0
	pl_assert_ge "sample: $w values checked" "$(kv /tmp/$w.out wave_checked)" 2800
	pl_assert_eq "sample: $w seq gaps" "$(kv /tmp/$w.out seq_gaps)" 0
done
echo flat > $SIM/waveform
