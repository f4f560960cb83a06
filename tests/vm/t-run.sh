# The capture daemon on the real module: `powerledger run` with 5 s segments
# while the simulator plays the legitimate (bursty) waveform, then a hidden
# miner; SIGTERM.  Needs what t-agent.sh leaves: keys in /tmp/agent/keys, the
# baseline and the claim (any time, this host's hardware), the module bound
# to the simulator.
#
# Timing: segments follow a 6 s grid from the daemon's first sample.  The
# miner detector needs an unbroken run of flat high windows of 1 s over
# --miner-span (5 s here: the default 30 s is longer than these segments);
# a 6 s segment leaves one window to spare for one disturbed by the emulator
# (TCG costs the sampler 1000-2000 missed periods per run when the host is
# busy).  The
# bursty waveform plays for 7 s: [0, 6) is all bursty, [6, 12) mixed; the
# miner for 13 s: [12, 18) is all miner, and SIGTERM at ~20 s flushes a
# partial [18, 20).
K=/tmp/agent/keys
R=/tmp/agent/run
rm -rf $R
mkdir -p $R/claims $R/out
cp /tmp/agent/claim.dsse.json $R/claims/
echo bursty > $SIM/waveform
powerledger run --claims $R/claims --baseline /tmp/agent/baseline.dsse.json --key $K/operator.key \
	--reader-key $K/reader.key --keydir $K -o $R/out --segment 6s --miner-span 5s --json --status-interval 5s \
	> $R/events.json 2> $R/run.err &
pid=$!
sleep 7
echo miner > $SIM/waveform
sleep 13
kill -TERM $pid
wait $pid
rc=$?
grep -v '"event":"proof"' $R/events.json | sed 's/,"statement".*//' | cut -c1-240
grep '"event":"proof"' $R/events.json
cat $R/run.err
pl_assert_eq "run: SIGTERM exits 0" $rc 0

# Events: one canonical JSON object per line, start first, exit (status 0) last.
pl_assert_eq "run: every event line is a JSON object" "$(grep -vc '^{"[a-z_]*":.*}$' $R/events.json)" 0
pl_assert_eq "run: every event has a kind" "$(grep -vc '"event":"[a-z]*"' $R/events.json)" 0
pl_assert_eq "run: start event first" "$(head -n 1 $R/events.json | grep -c '"event":"start"')" 1
pl_assert_eq "run: exit event last, status 0" \
	"$(tail -n 1 $R/events.json | grep -c '"event":"exit".*"status":0')" 1
pl_assert_eq "run: no error events" "$(grep -c '"event":"error"' $R/events.json)" 0
pl_assert_eq "run: no records lost" "$(tail -n 1 $R/events.json | sed -n 's/.*"lost":\([0-9]*\).*/\1/p')" 0
pl_assert_ge "run: samples over ~20 s" "$(tail -n 1 $R/events.json | sed -n 's/.*"samples":\([0-9]*\).*/\1/p')" 17000

# Traces: >= 3 segments, one per segment event, all verifying; nothing half-written.
ntraces=$(ls $R/out/*.pltr | wc -l)
pl_assert_ge "run: segment traces written" $ntraces 3
pl_assert_eq "run: one segment event per trace" "$(grep -c '"event":"segment"' $R/events.json)" $ntraces
pl_assert_eq "run: no temporary files left" "$(ls -a $R/out | grep -c '\.tmp')" 0
powerledger verify --keydir $K $R/out > $R/verify.out 2>&1
rc=$?
cut -f1-3 $R/verify.out
pl_assert_eq "run: every trace statement and proof verifies" $rc 0
pl_assert_eq "run: one OK per envelope" "$(grep -c '^OK' $R/verify.out)" "$(ls $R/out/*.dsse.json | wc -l)"

# Proofs: the hidden miner is proven; the first (bursty) segment raised nothing.
pl_assert_ge "run: crypto-miner-hidden proof for a miner segment" \
	"$(ls $R/out/*.crypto-miner-hidden.proof.dsse.json 2>/dev/null | wc -l)" 1
first=$(ls $R/out/*.pltr | head -n 1)
first=${first%.pltr}
pl_assert_eq "run: no proof for the first (bursty) segment" "$(ls $first.*.proof.dsse.json 2>/dev/null | wc -l)" 0
echo flat > $SIM/waveform
