#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# powerledger generate through the CLI: every sensor writes a trace that
# info and features read back, the same seed gives the same bytes and
# another seed other bytes, --labels holds the ground truth, an existing
# output is refused without --force, and bad values are usage errors (exit
# 2) that name the value.  TAP output, then the plan.
set -euo pipefail

BIN=${PL_BIN:-$(cd "$(dirname "$0")/../.." && pwd)/build/agent/powerledger}
. "$(cd "$(dirname "$0")" && pwd)/tap.sh"
T=$(mktemp -d "${TMPDIR:-/tmp}/pl-e2e-gen-XXXXXX")
trap 'rm -rf "$T"' EXIT
cd "$T"

expect 0 "generate nvml (defaults: llm 7b at 10 Hz, 60 s)" "$BIN" generate -o nvml.pltr --labels nvml.json
is "$(cut -f2,3,4,5,6 <<<"$out")" "$(printf '600\t100000000\tnvml\t100000000\t10000')" \
	"nvml: 600 samples, 100 ms poll, 100 ms refresh, 10 mW quantum"
expect 0 "generate pmbus, 8 GPUs, 70b, 1 kHz" "$BIN" generate -o psu.pltr --sensor pmbus --gpus 8 --size 70b \
	--batch 8 --rate 1kHz --duration 10s --seed 3
is "$(cut -f2,3,4 <<<"$out")" "$(printf '10000\t1000000\tpmbus')" "pmbus: 10000 samples at 1 ms"
expect 0 "generate adc over a miner with spikes at 2.35 kHz" "$BIN" generate -o adc.pltr --sensor adc \
	--workload miner-memory --adversary spike --rate 2.35kHz --duration 5s --labels adc.json
expect 0 "info reads the pmbus trace" "$BIN" info psu.pltr
has "source	synthetic" "pmbus trace: source synthetic"
has "clock	monotonic" "pmbus trace: monotonic clock"
expect 0 "info reads the nvml trace" "$BIN" info nvml.pltr
has "source	csv" "nvml trace: source csv (an imported log's clock)"
has "clock	realtime" "nvml trace: realtime clock"
expect 0 "features of the adc trace" "$BIN" features --window 1s adc.pltr
is "$(wc -l <<<"$out")" 6 "adc: a header and five 1 s windows"

python3 - nvml.json adc.json <<'PY' && pass "labels hold every parameter and the truth" || fail "labels"
import json, sys
a = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2]))
assert a["workload"] == "llm" and a["model"] == "7b" and a["sensor"] == "nvml" and a["miner"] is False
assert a["refresh_ns"] == 100000000 and a["quantum_uw"] == 10000 and a["samples"] == 600
assert a["first_ts_ns"] >= 1767225600 * 10**9
assert b["adversary"] == "spike" and b["miner"] is True and b["model"] is None and b["averaging_ns"] == 0
for k in ("batch", "prompt", "gpu", "gpus", "period_ns", "duration_ns", "seed", "t0_ns", "tampered", "size"):
    assert k in a, k
PY

expect 0 "same seed again" "$BIN" generate -o psu2.pltr --sensor pmbus --gpus 8 --size 70b --batch 8 --rate 1kHz \
	--duration 10s --seed 3
cmp -s psu.pltr psu2.pltr && pass "same seed: identical bytes" || fail "same seed: bytes differ"
expect 0 "another seed" "$BIN" generate -o psu3.pltr --sensor pmbus --gpus 8 --size 70b --batch 8 --rate 1kHz \
	--duration 10s --seed 4
cmp -s psu.pltr psu3.pltr && fail "another seed: identical bytes" || pass "another seed: other bytes"

expect 2 "existing output refused" "$BIN" generate -o nvml.pltr
has "nvml.pltr" "the refusal names the file"
expect 0 "--force replaces it" "$BIN" generate -o nvml.pltr --force --workload idle
expect 2 "bad --size" "$BIN" generate -o x.pltr --size 7B
has "'7B'" "the message names the bad value"
expect 2 "bad --batch" "$BIN" generate -o x.pltr --batch 65
has "'65'" "the message names the bad batch"
expect 2 "bad --rate" "$BIN" generate -o x.pltr --rate fast
expect 2 "--rate and --period together" "$BIN" generate -o x.pltr --rate 10Hz --period 100ms
expect 2 "averaging on the adc" "$BIN" generate -o x.pltr --sensor adc --averaging 1ms
has "averaging" "the message names averaging"
expect 2 "missing -o" "$BIN" generate
[ ! -e x.pltr ] && pass "no output left by a usage error" || fail "x.pltr written"
expect 0 "help generate" "$BIN" help generate
has "SYNOPSIS" "the manual page"

echo "1..$n"
echo "e2e-gen: $((n - failed)) passed, $failed failed"
[ "$failed" = 0 ]
