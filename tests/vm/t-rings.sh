# Several CPUs: the sampler thread migrates, records land in several
# per-CPU rings and the reader merges them by time.  Under TCG a wake-up
# across vCPUs can take milliseconds, so periods may be missed here; the
# module must account for every one of them: samples + counted overruns
# equal the elapsed periods.
sim_load waveform=bursty
pl_load
pl_bind $SIM_BUS
sleep 0.2
uptime_cs() { cut -d' ' -f1 /proc/uptime | tr -d .; }
# bracket each stats read with the clock: the midpoint is when it was taken
a=$(uptime_cs); s0=$(stat_of 0 samples); o0=$(kv /tmp/stats.out stats.0.overruns); b=$(uptime_cs)
u0=$(( a + b ))
plread -d 5 --expect-wave bursty --sim-debugfs $SIM > /tmp/rings.out
rc=$?
a=$(uptime_cs); s1=$(stat_of 0 samples); o1=$(kv /tmp/stats.out stats.0.overruns); b=$(uptime_cs)
u1=$(( a + b ))
cat /tmp/rings.out | grep -v jitter_hist
pl_assert_eq "rings: plread exit (merged, contiguous, values as simulated)" $rc 0
pl_assert_eq "rings: seq gaps across rings" "$(kv /tmp/rings.out seq_gaps)" 0
pl_assert_eq "rings: lost" "$(kv /tmp/rings.out lost)" 0
pl_assert_eq "rings: waveform mismatches" "$(kv /tmp/rings.out wave_mismatch)" 0
pl_assert_ge "rings: records (>= 85 % of 5000 under TCG)" "$(kv /tmp/rings.out records)" 4250
# accounting: every period between the two stats reads is a sample or an overrun
periods=$(( (u1 - u0) * 5 ))	# sums of two centisecond stamps -> 1 ms periods
acct=$(( (s1 - s0) + (o1 - o0) ))
echo "rings: $periods periods elapsed, $((s1 - s0)) samples, $((o1 - o0)) overruns"
pl_assert_ge "rings: samples + overruns >= 99 % of elapsed periods" $(( acct * 100 )) $(( periods * 99 ))
pl_assert_le "rings: samples + overruns <= 101 % of elapsed periods" $(( acct * 100 )) $(( periods * 101 ))

