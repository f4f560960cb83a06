#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# End-to-end test of `powerledger run` through its CLI: usage and start-up
# errors (exit 2, nothing written), and short real-time runs on the
# synthetic source (there is no kernel module on the host): signals, JSON
# events, files in the output directory, their signatures.
# TAP output, then the plan.
#
#   PL_BIN=build/agent/powerledger tests/agent/e2e-run.sh
set -euo pipefail

DATA=$(cd "$(dirname "$0")/../data/gpu" && pwd)
BIN=${PL_BIN:-$(cd "$(dirname "$0")/../.." && pwd)/build/agent/powerledger}
. "$(cd "$(dirname "$0")" && pwd)/tap.sh"
T=$(mktemp -d "${TMPDIR:-/tmp}/pl-e2e-run-XXXXXX")
pid=
trap '[ -z "$pid" ] || kill "$pid" 2>/dev/null; rm -rf "$T"' EXIT
cd "$T"

# run_for SECONDS EVENTS STDERR ARG...: `powerledger run ARG...` for SECONDS, then
# SIGTERM; $rc is its exit status.
run_for()
{
	local secs=$1 ev=$2 er=$3

	shift 3
	"$BIN" run "$@" >"$ev" 2>"$er" &
	pid=$!
	sleep "$secs"
	kill -TERM "$pid"
	set +e; wait "$pid"; rc=$?; set -e; pid=
}


"$BIN" demo -o demo >/dev/null
mkdir claims
"$BIN" claim --model gpt4-class --tokens-per-s 2400 --from 0 --to 4611686018427387904 \
	--trace demo/legit.pltr --key demo/vendor.key -o claims/c1.dsse.json >/dev/null
common=(--claims claims --baseline demo/gpt4-class.baseline.dsse.json --key demo/operator.key
	--reader-key demo/reader.key --keydir demo)

# --- usage and start-up errors: exit 2, nothing written ----------------------
expect 2 "run without options" "$BIN" run
has "are required" "says what is required"
has "help run" "points at the manual"
expect 2 "run without a baseline" "$BIN" run --claims claims --key demo/operator.key --reader-key demo/reader.key --keydir demo -o o1
has "one of --baseline-dir and --baseline" "asks for a baseline"
expect 2 "run with both baseline options" "$BIN" run "${common[@]}" --baseline-dir demo -o o1
expect 2 "run without trusted keys" "$BIN" run --claims claims --baseline demo/gpt4-class.baseline.dsse.json --key demo/operator.key --reader-key demo/reader.key -o o1
has "no trusted keys" "says keys are missing"
expect 2 "a segment under a second" "$BIN" run "${common[@]}" -o o1 --segment 500ms
has "--segment must be 1s .. 1h" "names the segment range"
expect 2 "a segment buffer under 64 records" "$BIN" run "${common[@]}" -o o1 --segment-memory 1K
has "--segment-memory must be 8KiB .. 256MiB, not '1K'" "names the budget range"
expect 2 "a segment budget that is not a size" "$BIN" run "${common[@]}" -o o1 --segment-memory lots
expect 2 "a window longer than the segment" "$BIN" run "${common[@]}" -o o1 --segment 2s --window 5s
expect 2 "an unknown source" "$BIN" run "${common[@]}" -o o1 --source tape
expect 2 "an unknown synthetic workload" "$BIN" run "${common[@]}" -o o1 --source synth:bitcoin
has "unknown synthetic workload 'bitcoin'" "names it"
expect 2 "a stray argument" "$BIN" run "${common[@]}" -o o1 extra
expect 2 "a missing operator key" "$BIN" run "${common[@]}" --key nope.key -o o1
has "nope.key" "names the key file"
expect 2 "a baseline that is not a Baseline" "$BIN" run "${common[@]}" --baseline claims/c1.dsse.json -o o1
has "not a Baseline" "says what it is not"
expect 2 "claims that are not a directory" "$BIN" run "${common[@]}" --claims claims/c1.dsse.json -o o1
expect 2 "no device (no module on this host)" "$BIN" run "${common[@]}" -o o1 --device "$T/no-such-device"
has "is the powerledger module loaded?" "says what is missing"
[ -z "$(ls -A o1 2>/dev/null)" ] && pass "start-up errors wrote nothing" || fail "o1 holds files" "$(ls o1)"

# --- baselines of other hardware: refused at start, never picked from a directory ---
"$BIN" import "$DATA/llm-large.csv" -o other.pltr --host elsewhere >/dev/null
"$BIN" baseline register --model gpt4-class --key demo/operator.key -o other.baseline.dsse.json other.pltr >/dev/null
expect 2 "a --baseline commissioned on other hardware" "$BIN" run --claims claims --baseline other.baseline.dsse.json \
	--key demo/operator.key --reader-key demo/reader.key --keydir demo -o o6 --source synth
has "commissioned on other hardware" "says why"
mkdir foreign && cp other.baseline.dsse.json foreign/
run_for 1.5 events7.json /dev/null --claims claims --baseline-dir foreign --key demo/operator.key \
	--reader-key demo/reader.key --keydir demo -o o7 --source synth --segment 1s --json
is "$rc" 0 "only a foreign baseline in --baseline-dir: runs, exit 0"
grep -q '"event":"error".*no baseline for model.*commissioned on this host.*c1.dsse.json' events7.json \
	&& pass "the claim is rejected: no baseline of this host" || fail "claim not rejected" "$(grep claim events7.json)"
! grep -q '"event":"error".*other hardware' events7.json && pass "no per-segment check errors" \
	|| fail "checks ran against the foreign baseline"

# --- a short run on the synthetic source: SIGTERM ---------------------------
"$BIN" run "${common[@]}" -o out --source synth:miner --segment 5s --miner-span 4s --status-interval 500ms \
	>events.json 2>stderr.txt &
pid=$!
sleep 5.7
kill -TERM "$pid"
set +e; wait "$pid"; rc=$?; set -e; pid=
is "$rc" 0 "SIGTERM: exit 0"
python3 - events.json <<'PY' && pass "every line is canonical JSON, integers only; start first, exit last" || fail "event lines" "$(head -5 events.json)"
import json, sys
lines = open(sys.argv[1]).read().splitlines()
evs = [json.loads(l) for l in lines]
for l, e in zip(lines, evs):
    assert l == json.dumps(e, sort_keys=True, separators=(",", ":")), l
    assert "." not in json.dumps([v for v in e.values() if isinstance(v, (int, float))]), l
assert evs[0]["event"] == "start" and evs[1]["event"] == "claim", evs[:2]
assert evs[-1] == {**evs[-1], "event": "exit", "status": 0, "reason": "SIGTERM"}, evs[-1]
PY
segs=$(grep -c '"event":"segment"' events.json || true)
# Online decisions: the miner's 4 s span is conclusive 4 s in, and the first segment is closed then
# (early), with its proof; the rest of its slot and the partial one SIGTERM wrote follow.
[ "$segs" = 3 ] && pass "three segments: one closed early by evidence, the rest of its slot, the partial one" \
	|| fail "$segs segment events" "$(grep segment events.json)"
first=$(grep -m1 '"event":"segment"' events.json)
grep -q '"early":1' <<<"$first" && grep -q 'crypto-miner-hidden.proof' <<<"$first" \
	&& pass "the first segment closed early, its proof with it" || fail "first segment" "$first"
grep -q '"event":"status".*"samples_per_s":' events.json && pass "status events" || fail "no status event"
[ "$(ls out/*.pltr | wc -l)" = "$segs" ] && pass "one trace per segment event" || fail "traces vs events" "$(ls out)"
[ -z "$(ls out | grep '\.tmp' || true)" ] && pass "no temporary files left" || fail "temporary files" "$(ls out)"
grep -q '"detector":"crypto-miner-hidden"' events.json && pass "the hidden miner is proven" || fail "no miner proof" "$(cat events.json)"
expect 0 "every trace, statement and proof in OUTDIR verifies" "$BIN" verify --keydir demo out
is "$(grep -c '^OK' <<<"$out")" "$(ls out/*.dsse.json | wc -l)" "one OK per envelope"
last=$(ls out/*.pltr | tail -1)
run "$BIN" info "$last"
samples=$(awk -F'\t' '$1=="samples"{print $2}' <<<"$out")
[ "${samples:-0}" -gt 0 ] && [ "${samples:-0}" -lt 1000 ] && pass "the partial last segment was flushed ($samples samples)" \
	|| fail "last segment has ${samples:-?} samples"
[ ! -s stderr.txt ] && pass "nothing on stderr" || fail "stderr" "$(cat stderr.txt)"

# --- a segment over the memory budget is cut, with a warning at start ----------
# 10 s segments at 1 kHz need 10564 records; 64 KiB holds 512: cut every ~0.5 s.
run_for 2 events4.json stderr4.txt "${common[@]}" -o out4 --source synth --segment 10s --segment-memory 64KiB --json
is "$rc" 0 "over budget: exit 0"
grep -q "segments will be cut when it fills" stderr4.txt && pass "over budget: a warning at start" \
	|| fail "no budget warning" "$(cat stderr4.txt)"
[ "$(grep -c '"cut":1' events4.json)" -ge 2 ] && pass "over budget: segments cut when the buffer fills" \
	|| fail "no cut segments" "$(grep segment events4.json)"
most=$(grep '"event":"segment"' events4.json | sed -n 's/.*"samples":\([0-9]*\).*/\1/p' | sort -n | tail -n 1)
[ "${most:-0}" -gt 0 ] && [ "$most" -le 512 ] && pass "over budget: no segment beyond 512 records ($most)" \
	|| fail "segments beyond the budget" "largest $most"

# --- SIGHUP re-reads the claims; SIGINT also exits 0 -------------------------
rm claims/c1.dsse.json
"$BIN" run "${common[@]}" -o out2 --source synth --segment 1s >events2.json 2>/dev/null &
pid=$!
sleep 1.2
"$BIN" claim --model gpt4-class --tokens-per-s 2400 --from 0 --to 4611686018427387904 \
	--trace demo/legit.pltr --key demo/vendor.key -o claims/c2.dsse.json >/dev/null
python3 - claims/c2.dsse.json claims/forged.dsse.json <<'PY'
import json, sys
e = json.load(open(sys.argv[1]))
s = e["signatures"][0]["sig"]
e["signatures"][0]["sig"] = ("B" if s[0] == "A" else "A") + s[1:]
open(sys.argv[2], "w").write(json.dumps(e, sort_keys=True, separators=(",", ":")))
PY
kill -HUP "$pid"
sleep 1.5
kill -INT "$pid"
set +e; wait "$pid"; rc=$?; set -e; pid=
is "$rc" 0 "SIGINT: exit 0"
grep -q '"claims":1,"event":"rescan"' events2.json && pass "SIGHUP: rescan finds the new claim" || fail "no rescan" "$(cat events2.json)"
grep -q '"event":"claim".*c2.dsse.json.*"status":"loaded"' events2.json && pass "the new claim is loaded" || fail "c2 not loaded"
[ "$(grep -c '"event":"error".*forged.dsse.json' events2.json)" = 1 ] && pass "a forged claim: one error event" \
	|| fail "forged claim errors" "$(grep error events2.json)"
grep -q '"reason":"SIGINT"' events2.json && pass "exit event says SIGINT" || fail "exit reason"

# --- an oversized file among the claims: refused each segment, memory flat --------
# The claims directory is re-read every segment; an envelope over the size
# limit used to leak its whole read buffer each time (37 -> 334 MB in 20
# segments).
mkdir claims5
cp claims/c2.dsse.json claims5/
head -c 17825792 /dev/zero >claims5/huge.dsse.json
run_for 6.5 events5.json /dev/null --claims claims5 --baseline demo/gpt4-class.baseline.dsse.json \
	--key demo/operator.key --reader-key demo/reader.key --keydir demo -o out5 --source synth --segment 1s \
	--status-interval 500ms --json
is "$rc" 0 "oversized claim: exit 0"
grep -q '"event":"error".*huge.dsse.json.*larger than' events5.json && pass "oversized claim: an error naming it" \
	|| fail "no error for the oversized claim" "$(grep error events5.json | head -3)"
rss=$(grep '"event":"status"' events5.json | sed -n 's/.*"rss_kib":\([0-9]*\).*/\1/p')
first=$(echo "$rss" | sed -n 2p) last=$(echo "$rss" | tail -n 1)
[ -n "$first" ] && [ "$(echo "$rss" | wc -l)" -ge 8 ] && [ "$last" -le $((first + 8192)) ] \
	&& pass "oversized claim: RSS flat over $(grep -c '"event":"segment"' events5.json) segments ($first -> $last KiB)" \
	|| fail "RSS grew" "$(echo $rss)"

# --- on a terminal: a status line in place ----------------------------------
if command -v script >/dev/null; then
	script -qfc "$BIN run ${common[*]} -o out3 --source synth --segment 1s & p=\$!; sleep 2.5; kill -TERM \$p; wait \$p" \
		/dev/null >tty.txt 2>&1 || true
	grep -q $'\r.*samples/s  lost 0' tty.txt && pass "terminal: status line updated in place" || fail "no status line" "$(cat -v tty.txt | head)"
	grep -q '^segment	' tty.txt && pass "terminal: one line per segment" || fail "no segment line" "$(cat -v tty.txt | head)"
	! grep -q '"event"' tty.txt && pass "terminal: no JSON" || fail "JSON on a terminal"
fi

echo "1..$n"
[ "$failed" = 0 ]
