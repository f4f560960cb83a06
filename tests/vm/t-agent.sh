# The agent on the real module: `powerledger record` through the mmap rings,
# a baseline registered from a recorded commissioning trace of the
# legitimate (bursty) workload, a vendor claim, then record + check of each
# simulator waveform: exactly the expected proof kind for each, none for the
# legitimate one, and every statement verifies.  A calibrated baseline needs
# 24 active windows (30 s of the bursty load); the 6 s checks judge a
# sustained flat draw over 5 s (--miner-span).
K=/tmp/agent/keys
O=/tmp/agent
mkdir -p $K $O/proofs
for r in reader operator vendor; do
	powerledger keygen --role $r -o $K > /dev/null
	pl_assert_eq "agent: keygen $r" $? 0
done
rmmod powerledger 2>/dev/null; rmmod powerledger_sim 2>/dev/null
sim_load waveform=bursty
pl_load
pl_bind $SIM_BUS
sleep 0.2

powerledger record -o $O/commission.pltr --duration 32s --key $K/reader.key > $O/rec.out
pl_assert_eq "agent: record commissioning trace" $? 0
cat $O/rec.out
pl_assert_ge "agent: commissioning samples" "$(cut -f2 $O/rec.out)" 25000
pl_assert_eq "agent: no records lost" "$(cut -f3 $O/rec.out)" 0

powerledger baseline register --model sim-llm --key $K/operator.key -o $O/baseline.dsse.json \
	$O/commission.pltr > /dev/null
pl_assert_eq "agent: baseline register" $? 0
powerledger claim --model sim-llm --tokens-per-s 2400 --from 0 --to 4611686018427387904 \
	--trace $O/commission.pltr --key $K/vendor.key -o $O/claim.dsse.json > /dev/null
pl_assert_eq "agent: claim" $? 0

# flat: a constant 450 W, a third of the way from the bursty load's idle to
# its ceiling -- no request structure (so no model to compare) and no
# positive evidence of mining: no proof, by design.
expect_bursty=none
expect_flat=none
expect_miner=crypto-miner-hidden
expect_step=rail-tamper
for w in bursty flat miner step; do
	echo $w > $SIM/waveform
	powerledger record -o $O/$w.pltr --duration 6s --key $K/reader.key > /dev/null
	pl_assert_eq "agent: record $w" $? 0
	powerledger check --trace $O/$w.pltr --claim $O/claim.dsse.json --baseline $O/baseline.dsse.json \
		--key $K/operator.key --keydir $K -o $O/proofs --miner-span 5s > $O/$w.check
	rc=$?
	cat $O/$w.check
	# check exits 0 whether or not it raised a proof (no --fail-on-proof):
	# an exit 2 with no output must not pass for "none".
	pl_assert_eq "agent: check $w exits 0" $rc 0
	kinds=$(grep '^PROOF' $O/$w.check | cut -f2 | sort | tr '\n' ' ' | sed 's/ $//')
	eval want=\$expect_$w
	pl_assert_eq "agent: $w raises exactly: $want" "${kinds:-none}" "$want"
	if [ "$want" = none ]; then
		# every detector ran and said what it measured
		pl_assert_eq "agent: $w: one OK/UNDECIDED line per detector" \
			"$(grep -cE '^(OK|UNDECIDED)	(rail-tamper|crypto-miner-hidden|model-mismatch)	' $O/$w.check)" 3
	else
		p=$(grep '^PROOF' $O/$w.check | cut -f5)
		pl_assert_eq "agent: $w: the proof file named is there" "$([ -s "$p" ] && echo yes)" yes
	fi
done
# every envelope: traces (reader), baseline (operator), claim (vendor), proofs (operator)
powerledger verify --keydir $K $O $O/proofs > $O/verify.out 2>&1
rc=$?
cat $O/verify.out | cut -f1-5
pl_assert_eq "agent: every trace, baseline, claim and proof verifies" $rc 0
pl_assert_eq "agent: envelopes verified (5 traces, baseline, claim, 2 proofs)" "$(grep -c '^OK' $O/verify.out)" 9
echo flat > $SIM/waveform
