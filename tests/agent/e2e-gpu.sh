#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# The agent on real GPU power traces (tests/data/gpu: an H100 under LLM-like
# serving loads and a flat miner-like load, NVML at 5 ms): CSV import, and
# the decisions that are already right on real data -- crypto-miner-hidden
# for the miner-like load and for nothing else, model-mismatch for it too,
# no rail-tamper on any of these honest traces.
# (What is not yet right on real data is written in tests/data/gpu/README.md.)
# TAP output, then the plan.
set -euo pipefail

BIN=${PL_BIN:-$(cd "$(dirname "$0")/../.." && pwd)/build/agent/powerledger}
DATA=$(cd "$(dirname "$0")/../data/gpu" && pwd)
. "$(cd "$(dirname "$0")" && pwd)/tap.sh"
T=$(mktemp -d "${TMPDIR:-/tmp}/pl-e2e-gpu-XXXXXX")
trap 'rm -rf "$T"' EXIT
cd "$T"


for w in idle llm-large llm-small miner; do
	if out=$("$BIN" import "$DATA/$w.csv" -o $w.pltr 2>&1); then
		pass "import $w.csv"
		samples=$(cut -f2 <<<"$out")
		[ "$samples" -ge 5900 ] && pass "$w: $samples samples (30 s at 5 ms)" ||
			fail "$w: only $samples samples"
		period=$(cut -f4 <<<"$out")
		[ "$period" -ge 4900000 ] && [ "$period" -le 5100000 ] && pass "$w: period $period ns inferred" ||
			fail "$w: period $period ns"
	else
		fail "import $w.csv" "$out"
	fi
done

mkdir k p
for r in reader operator vendor; do "$BIN" keygen --role $r -o k >/dev/null; done
# NVML refreshes every 100 ms: the sensor model says so, and 1 mW steps.
"$BIN" info llm-large.pltr >info.txt
is "$(awk -F'\t' '$1 == "quantum_uw" { print $2 }' info.txt)" 1000 "sensor quantum 1 mW measured from the printed digits"
r=$(awk -F'\t' '$1 == "refresh_ns" { print $2 }' info.txt)
[ "$r" -ge 95000000 ] && [ "$r" -le 105000000 ] && pass "sensor refresh ~100 ms measured ($r ns), not the 5 ms poll" ||
	fail "refresh $r ns"
# An idle GPU shows no model: a baseline from it is refused, with the counts.
set +e
out=$("$BIN" baseline register --model llm-large --key k/operator.key -o one.dsse.json idle.pltr 2>&1)
rc=$?
set -e
is "$rc" 2 "a baseline from an idle trace is refused"
grep -q "no range: the floor 70.[0-9] W and the ceiling 7[0-9].[0-9] W of the 30 windows" <<<"$out" && pass "says why, with the counts" || fail "message" "$out"
"$BIN" baseline register --model llm-large --key k/operator.key -o base.dsse.json llm-large.pltr llm-small.pltr >/dev/null &&
	pass "baseline from the real llm-large and llm-small traces" || fail "baseline register"
"$BIN" claim --model llm-large --tokens-per-s 1000 --from 0 --to 4611686018427387904 --trace llm-large.pltr \
	--key k/vendor.key -o claim.dsse.json >/dev/null && pass "claim" || fail "claim"

for w in idle llm-large llm-small miner; do
	set +e
	# 30 s captures: a sustained draw over 20 s of them (the default 30 s is longer than the capture)
	out=$("$BIN" check --all --trace $w.pltr --claim claim.dsse.json --baseline base.dsse.json \
		--key k/operator.key --keydir k -o p --miner-span 20s 2>&1)
	set -e
	miner=$(awk -F'\t' '$2 == "crypto-miner-hidden" { print $1 }' <<<"$out")
	# NVML repeats each reading for its 100 ms refresh: honest, not a stuck rail
	is "$(awk -F'\t' '$2 == "rail-tamper" { print $1 }' <<<"$out")" OK "$w: no rail-tamper on an honest NVML trace"
	if [ $w = miner ]; then
		is "$miner" PROOF "$w: crypto-miner-hidden raised on the flat near-limit load"
		# flat: no busy stretch starts, so nothing says which model it would be
		is "$(awk -F'\t' '$2 == "model-mismatch" { print $1 }' <<<"$out")" UNDECIDED "$w: model-mismatch undecided (no active windows)"
	else
		is "$miner" OK "$w: no crypto-miner-hidden on a non-miner load"
		# undecided (NVML cannot show the cadence) or OK: anything but a signed proof
		mm=$(awk -F'\t' '$2 == "model-mismatch" { print $1 }' <<<"$out")
		[ "$mm" = OK ] || [ "$mm" = UNDECIDED ] && pass "$w: no model-mismatch proof on the claimed model's own board ($mm)" ||
			fail "$w: model-mismatch '$mm'" "$out"
	fi
done
"$BIN" verify --keydir k p >/dev/null 2>&1 && pass "every proof verifies" || fail "verify proofs"

echo "1..$n"
echo "e2e-gpu: $((n - failed)) passed, $failed failed"
[ "$failed" = 0 ]
