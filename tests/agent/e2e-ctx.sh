#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# GPU contexts offline: the demo's traces carry the context section the
# synthetic host's model server and miner would have left (the BPF side is
# tested in the VM, tests/vm/t-gpuctx.sh); info --contexts lists them and
# their energy, top shows a trace's last interval, and a proof names the
# context that drew the power it is about.  TAP output, then the plan.
set -euo pipefail

BIN=${PL_BIN:-$(cd "$(dirname "$0")/../.." && pwd)/build/agent/powerledger}
. "$(cd "$(dirname "$0")" && pwd)/tap.sh"
T=$(mktemp -d "${TMPDIR:-/tmp}/pl-e2e-ctx-XXXXXX")
trap 'rm -rf "$T"' EXIT
cd "$T"

"$BIN" demo -o demo > demo.out 2>&1 && pass "demo" || fail "demo: $(tail -1 demo.out)"

"$BIN" info --contexts demo/miner.pltr > info.out && pass "info --contexts" || fail "info --contexts"
grep -q "^ctx_sources	cuda,sched$" info.out && pass "sources named" || fail "sources: $(grep ctx_sources info.out)"
grep -q "^contexts	1$" info.out && pass "one context in the miner trace" || fail "$(grep ^contexts info.out)"
line=$(grep "^energy" info.out)
[ "$(cut -f2,3,4,5,6,7 <<<"$line")" = "31337	7	kworker-upd	0x5600dead0000	1	cuda" ] &&
	pass "the miner's context: pid, pid in its namespace, comm, ctx, gpu, source" || fail "energy line: $line"
[ "$(cut -f10 <<<"$line")" = 1000000 ] && pass "all of the energy is the miner's" || fail "share: $line"
[ "$(cut -f8 <<<"$line")" = "$(grep ^total info.out | cut -f2)" ] && pass "its energy is the total" ||
	fail "energy vs total"

"$BIN" info --json --contexts demo/legit.pltr > info.json
python3 -c '
import json, sys
o = json.load(open("info.json"))
a = o["attribution"]
s = sum(c["energy_uj"] for c in a["contexts"]) + a["unattributed_uj"]
assert abs(s - a["total_uj"]) <= len(a["contexts"]) + 1, (s, a["total_uj"])
assert all(i["end_ns"] >= i["begin_ns"] for i in o["intervals"])
assert a["contexts"][0]["comm"] == "vllm-server" and a["contexts"][0]["gpu"] == 0
' && pass "legit: context energies and the unattributed rest add up to the total" || fail "attribution sums"

"$BIN" top --trace demo/miner.pltr --interval 5s > top.out && pass "top --trace" || fail "top --trace"
grep -qE '^ +31337 +7 kworker-upd +1 cuda +0x5600dead0000 +[0-9.]+ +100\.0%' top.out &&
	pass "top: the miner's row, 100 %" || fail "top: $(cat top.out)"
grep -q "(no context)" top.out && pass "top: the unattributed row" || fail "top: no unattributed row"
rc=0
"$BIN" top --interval 1ms > top.err 2>&1 || rc=$?
[ $rc = 2 ] && grep -q "interval must be a duration of 100ms or more" top.err && pass "top: bad interval refused" ||
	fail "top: bad interval: rc=$rc $(cat top.err)"
rc=0
"$BIN" top --device /nonexistent > top.err 2>&1 || rc=$?
[ $rc = 2 ] && grep -q "/nonexistent" top.err && pass "top: no device, said so" || fail "top: $rc $(cat top.err)"

"$BIN" features --contexts demo/miner.pltr > feat.out && pass "features --contexts" || fail "features --contexts"
head -1 feat.out | grep -q "	top_context	top_share_ppm	unattributed_ppm$" && pass "features: context columns" ||
	fail "features header: $(head -1 feat.out | tr '\t' ' ' | tail -c 80)"
[ "$(awk -F'\t' 'NR > 1 && $(NF-2) == "31337/kworker-upd" && $(NF-1) == 1000000 { n++ } END { print n + 0 }' feat.out)" = \
	"$(($(wc -l < feat.out) - 1))" ] && pass "features: every window's energy is the miner's" || fail "features rows"
"$BIN" features --contexts --json demo/legit.pltr | python3 -c '
import json, sys
w = json.load(sys.stdin)
assert all("contexts" in x for x in w), "a window without contexts"
busy = [x for x in w if x["contexts"]["contexts"]]
assert busy and busy[0]["contexts"]["contexts"][0]["tgid"] == 4242
' && pass "features --json: per-window contexts, the model server" || fail "features --json contexts"

# The miner's proof names its context (integers: pid, namespace, gpu, ctx halves, share).
env=demo/miner.claim.crypto-miner-hidden.proof.dsse.json
python3 -c '
import json, base64, sys
e = json.load(open(sys.argv[1]))
p = json.loads(base64.b64decode(e["payload"]))["predicate"]
c = p["evidence"]["context"]
assert (c["tgid"], c["ns_tgid"], c["gpu"]) == (31337, 7, 1), c
assert (c["ctx_hi"] << 32 | c["ctx_lo"]) == 0x5600dead0000, c
assert c["share_ppm"] == 1000000, c
' "$env" && pass "the miner proof names pid 31337 (7 in its namespace), GPU 1, ctx 0x5600dead0000" ||
	fail "proof context"
"$BIN" verify --keydir demo "$env" > /dev/null 2>&1 && pass "that proof verifies" || fail "verify"
"$BIN" check --trace demo/miner.pltr --claim demo/claim.dsse.json --baseline demo/gpt4-class.baseline.dsse.json \
	--key demo/operator.key --keydir demo -o ck --contexts > ck.out 2>&1 && pass "check --contexts" || fail "check --contexts"
grep -q "^CONTEXT	31337/kworker-upd	0x5600dead0000	cuda	1000000 ppm	" ck.out && pass "check: CONTEXT line" ||
	fail "check: no CONTEXT line: $(cat ck.out)"
grep -q "^PROOF	crypto-miner-hidden	.*\[GPU context active: 31337/kworker-upd ctx 0x5600dead0000 gpu 1, 100 % of the energy by time\]" ck.out &&
	pass "check: the proof's line names the context active" || fail "check: proof line lacks the context"
# A tampered rail is nobody's workload: its proof names no context (the model server was busy then).
python3 -c '
import json, base64, sys
e = json.load(open(sys.argv[1]))
p = json.loads(base64.b64decode(e["payload"]))["predicate"]
assert "context" not in p["evidence"], p["evidence"]
' demo/tampered.claim.rail-tamper.proof.dsse.json && pass "the rail-tamper proof names no context" ||
	fail "rail-tamper proof names a context"

echo "1..$n"
echo "e2e-ctx: $((n - failed)) passed, $failed failed"
[ "$failed" = 0 ]
