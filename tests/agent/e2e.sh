#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# End-to-end test of the powerledger binary: every assertion goes through
# the CLI (exit codes, stdout, stderr) and, for signatures, through openssl.
# TAP output ("ok N - ..." / "not ok N - ..."), then the plan.
#
#   PL_BIN=build/agent/powerledger tests/agent/e2e.sh
set -euo pipefail

BIN=${PL_BIN:-$(cd "$(dirname "$0")/../.." && pwd)/build/agent/powerledger}
. "$(cd "$(dirname "$0")" && pwd)/tap.sh"
T=$(mktemp -d "${TMPDIR:-/tmp}/pl-e2e-XXXXXX")
trap 'rm -rf "$T"' EXIT
cd "$T"


# --- help and usage -------------------------------------------------------
expect 2 "no verb: usage, exit 2" "$BIN"
has "Verbs:" "no verb lists the verbs"
expect 2 "unknown verb: exit 2" "$BIN" frobnicate
for v in $("$BIN" help | awk '/^Verbs:/{f=1;next} f&&/^  [a-z]/{print $1}'); do
	run "$BIN" "$v" --help
	miss=""
	for s in NAME SYNOPSIS DESCRIPTION OPTIONS OUTPUT "EXIT STATUS" FILES EXAMPLES; do
		grep -q "^$s\$" <<<"$out" || miss="$miss $s"
	done
	[ "$rc" = 0 ] && [ -z "$miss" ] && pass "$v --help has every man section" || fail "$v --help lacks:$miss (exit $rc)"
done
run "$BIN" help verify
help1=$out
run "$BIN" verify --help
is "$help1" "$out" "help VERB and VERB --help print the same page"

# --- keys -----------------------------------------------------------------
mkdir keys
expect 0 "keygen operator into a directory" "$BIN" keygen --role operator -o keys
is "$(stat -c %a keys/operator.key)" 600 "private key is mode 0600"
is "$(stat -c %a keys/operator.pub)" 644 "public key is mode 0644"
keyid=$(cut -f2 <<<"$out")
is "$keyid" "$(openssl pkey -pubin -in keys/operator.pub -outform DER | sha256sum | cut -c1-64)" \
	"key id = SHA-256 of the SPKI DER, as openssl computes it"
run openssl pkey -in keys/operator.key -pubout
is "$out" "$(cat keys/operator.pub)" "openssl derives our public key file from our private key"
cp keys/operator.key before.key
expect 2 "keygen refuses to replace a key" "$BIN" keygen --role operator -o keys
has "--force" "the refusal points at --force"
cmp -s before.key keys/operator.key && pass "the existing key is untouched" || fail "the existing key changed"
expect 0 "keygen --force replaces it" "$BIN" keygen --role operator -o keys --force
expect 0 "keygen with a prefix" "$BIN" keygen --role vendor -o acme
[ -f acme.key ] && [ -f acme.pub ] && pass "PREFIX.key and PREFIX.pub written" || fail "prefix files missing"
expect 2 "keygen without a role" "$BIN" keygen -o x
openssl genpkey -algorithm ed25519 -out ossl.key 2>/dev/null
chmod 600 ossl.key
openssl pkey -in ossl.key -pubout -out ossl.pub

# --- detached signatures vs openssl ---------------------------------------
printf 'report body\n' >body.txt
expect 0 "sign with an openssl-generated key" "$BIN" sign --key ossl.key body.txt
base64 -d body.txt.sig >sig.bin
expect 0 "openssl verifies our detached signature" openssl pkeyutl -verify -pubin -inkey ossl.pub -rawin -in body.txt -sigfile sig.bin
expect 0 "verify accepts it" "$BIN" verify --key ossl.pub body.txt.sig
printf 'report bodY\n' >body.txt
expect 1 "verify rejects a forged body" "$BIN" verify --key ossl.pub body.txt.sig
has "bad signature" "and says bad signature"
expect 1 "openssl rejects the forged body too" openssl pkeyutl -verify -pubin -inkey ossl.pub -rawin -in body.txt -sigfile sig.bin
expect 1 "verify rejects a signature by another key" "$BIN" verify --key keys/operator.pub body.txt.sig
chmod 644 ossl.key
expect 0 "a group/world-readable key still signs (--force replaces body.txt.sig)" "$BIN" sign --force --key ossl.key body.txt
has "accessible by group or others" "but draws a warning"
expect 2 "verify needs a trusted key" "$BIN" verify body.txt.sig

# --- demo -----------------------------------------------------------------
expect 0 "demo runs and comes out as expected" "$BIN" demo -o demo
demo1=$(grep -v '^dir' <<<"$out")
has "demo: 3 proofs (expected 3), 0 for the legitimate trace (expected 0), 12 of 12 envelopes verified" "demo summary line"
has "PROOF model-mismatch" "demo: model swap proven"
has "cusum=" "demo: CUSUM and its threshold inline"
has "PROOF crypto-miner-hidden" "demo: hidden miner proven"
has "flat for " "demo: the miner's sustained flat draw inline"
has "PROOF rail-tamper" "demo: tampered rail proven"
has "discontinuity=" "demo: discontinuity magnitude inline"
grep -q '^trace	legit.pltr	no proof' <<<"$out" && pass "no proof for the legitimate trace" || fail "legit trace got a proof"
expect 2 "demo refuses a non-empty directory" "$BIN" demo -o demo
expect 0 "demo again elsewhere" "$BIN" demo -o demo2
is "$(grep -v '^dir' <<<"$out")" "$demo1" "demo output is deterministic"
cmp -s demo/tampered.claim.rail-tamper.proof.dsse.json demo2/tampered.claim.rail-tamper.proof.dsse.json \
	&& pass "demo proofs are byte-identical across runs" || fail "demo proofs differ"

# --- verify ---------------------------------------------------------------
expect 0 "verify every envelope of the demo" "$BIN" verify --keydir demo demo
is "$(grep -c '^OK' <<<"$out")" 12 "12 OK lines"
expect 0 "verify --json" "$BIN" verify --keydir demo --json demo
python3 -c 'import json,sys; a=json.loads(sys.argv[1]); assert len(a)==12 and all(x["ok"] for x in a)' "$out" \
	&& pass "verify --json parses and reports 12 ok" || fail "verify --json output"
# The proof verifies with openssl over the DSSE PAE.
python3 - demo/swapped.claim.model-mismatch.proof.dsse.json <<'PY'
import base64, json, sys
e = json.load(open(sys.argv[1]))
p = base64.b64decode(e["payload"]); t = e["payloadType"].encode()
open("pae.bin", "wb").write(b"DSSEv1 %d %s %d %s" % (len(t), t, len(p), p))
open("proof.sig", "wb").write(base64.b64decode(e["signatures"][0]["sig"]))
PY
expect 0 "openssl verifies a demo proof over the DSSE PAE" openssl pkeyutl -verify -pubin -inkey demo/operator.pub -rawin -in pae.bin -sigfile proof.sig
# Forged proof: raise the CUSUM, keep the signature.
python3 - demo/swapped.claim.model-mismatch.proof.dsse.json forged.proof.dsse.json <<'PY'
import base64, json, sys
e = json.load(open(sys.argv[1]))
p = base64.b64decode(e["payload"]).replace(b'"cusum_milli":', b'"cusum_milli":9')
e["payload"] = base64.b64encode(p).decode()
open(sys.argv[2], "w").write(json.dumps(e, sort_keys=True, separators=(",", ":")))
PY
expect 1 "verify rejects a forged proof" "$BIN" verify --keydir demo forged.proof.dsse.json
has "bad signature" "forged proof: bad signature"
# Non-canonical (pretty-printed) envelope.
python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1])), indent=2))' demo/claim.dsse.json >pretty.dsse.json
expect 2 "verify rejects a non-canonical envelope (malformed: exit 2)" "$BIN" verify --keydir demo pretty.dsse.json
has "not canonical" "non-canonical: says so"
# Wrong role: the operator's key presented as a reader key cannot sign Proofs.
expect 1 "verify enforces signer roles" "$BIN" verify --key reader=demo/operator.pub demo/miner.claim.crypto-miner-hidden.proof.dsse.json
has "only operator keys sign Proofs" "role error names the rule"
# A subject file that changed after signing.
mkdir sub && cp demo/legit.pltr demo/legit.pltr.dsse.json sub/
printf '\001' | dd of=sub/legit.pltr bs=1 seek=300 conv=notrunc status=none
expect 1 "verify notices a trace changed after attestation" "$BIN" verify --keydir demo sub/legit.pltr.dsse.json
has "differs from the signed" "changed subject: digest mismatch"
# Truncated envelope.
head -c 200 demo/claim.dsse.json >cut.dsse.json
expect 2 "verify rejects a truncated envelope (malformed: exit 2)" "$BIN" verify --keydir demo cut.dsse.json
expect 2 "verify of a missing file is an error, not a verdict" "$BIN" verify --keydir demo nope.dsse.json

# --- malformed traces: errors name the offset -----------------------------
cp demo/legit.pltr t.pltr
expect 0 "info on a valid trace" "$BIN" info t.pltr
has "samples	60000" "info: sample count"
is "$(awk -F'\t' '$1=="sha256"{print $2}' <<<"$out")" "$(sha256sum t.pltr | cut -c1-64)" "info: digest = sha256sum"
truncate -s 4000 t.pltr
expect 2 "a truncated trace is rejected" "$BIN" info t.pltr
has "t.pltr: truncated at offset 4000" "truncation names the file and offset"
cp demo/legit.pltr t.pltr && printf 'X' | dd of=t.pltr bs=1 seek=0 conv=notrunc status=none
expect 2 "a trace with a bad magic is rejected" "$BIN" info t.pltr
has "bad magic at offset 0" "bad magic names offset 0"
# flag bits 0..8 are PL_SF_*: set bit 9, in the flags' second byte
cp demo/legit.pltr t.pltr && printf '\002' | dd of=t.pltr bs=1 seek=$((320 + 128 * 7 + 21)) conv=notrunc status=none
expect 2 "a record with unknown flags is rejected" "$BIN" info t.pltr
has "record 7 at offset 1236: unknown flag bits 0x200" "corrupt record names record and offset"
cp demo/legit.pltr t.pltr && printf 'junk' >>t.pltr
expect 2 "trailing data is rejected" "$BIN" info t.pltr
has "trailing data at offset $(stat -c %s demo/legit.pltr) (4 bytes after the GPU-context entries)" "trailing data names its offset"

# --- import, features, attest, baseline, claim, check ---------------------
cat >gpu.csv <<'CSV'
timestamp, name, power.draw [W]
2024/01/15 10:23:45.000, NVIDIA H100, 250.45 W
2024/01/15 10:23:45.100, NVIDIA H100, 251.00 W
2024/01/15 10:23:45.200, NVIDIA H100, 249.99 W
2024/01/15 10:23:45.300, NVIDIA H100, 300.10 W
CSV
expect 0 "import an nvidia-smi CSV" "$BIN" import gpu.csv -o gpu.pltr --host h1
is "$(cut -f2,4,5 <<<"$out")" "4	100000000	iso" "import: 4 rows, period 100 ms inferred, ISO times"
has "taken as UTC" "import warns about zone-less times"
is "$(cut -f7,8,9 <<<"$out")" "nvml	100000000	10000" "import: an nvidia-smi log is an NVML sensor, 100 ms refresh, 10 mW steps measured"
expect 0 "import with the sensor model given" "$BIN" import gpu.csv -o gpu2.pltr --refresh 200ms --quantum 10mW --averaging 1s
"$BIN" info gpu2.pltr >info2.txt
grep -q "^sensor_given	refresh,quantum,averaging$" info2.txt && grep -q "^averaging_ns	1000000000$" info2.txt &&
	pass "info: the given fields are recorded as given" || fail "sensor_given" "$(cat info2.txt)"
expect 2 "import: --refresh shorter than the log's period" "$BIN" import gpu.csv -o gpu3.pltr --refresh 10ms
has "shorter than the log's period" "says why"
[ ! -e gpu3.pltr ] && pass "no trace written" || fail "gpu3.pltr written"
expect 2 "import: --quantum beyond 1 MW" "$BIN" import gpu.csv -o gpu3.pltr --quantum 2000kW
printf 'time_s,watts\n0.0,10\n0.001,x\n0.002,12\n' >bad.csv
expect 2 "a bad CSV row fails the import" "$BIN" import bad.csv -o bad.pltr
has "bad.csv:3: bad power 'x'" "bad row reported with its line number"
[ ! -e bad.pltr ] && pass "no trace written on failure" || fail "bad.pltr written"
expect 0 "import --skip-bad" "$BIN" import --skip-bad bad.csv -o bad.pltr
# Several GPUs in one nvidia-smi log: one series per trace, never a mix.
cat >gpus.csv <<'CSV'
timestamp, index, power.draw [W]
2024/01/15 10:23:45.000, 0, 250.45 W
2024/01/15 10:23:45.000, 1, 90.00 W
2024/01/15 10:23:45.100, 0, 251.00 W
2024/01/15 10:23:45.100, 1, 91.00 W
2024/01/15 10:23:45.200, 0, 249.99 W
2024/01/15 10:23:45.200, 1, 92.00 W
CSV
expect 2 "a log of two GPUs is refused" "$BIN" import gpus.csv -o gpus.pltr
has "2 GPUs in column 'index' (0, 1)" "the refusal names the GPUs found"
has "--gpu ID" "and how to pick one"
expect 2 "--skip-bad does not make it one series" "$BIN" import --skip-bad gpus.csv -o gpus.pltr
[ ! -e gpus.pltr ] && pass "no trace written for a mixed log" || fail "gpus.pltr written"
expect 0 "--gpu 1 imports that GPU's rows" "$BIN" import gpus.csv -o gpu1.pltr --gpu 1
is "$(cut -f2,3,4 <<<"$out")" "3	0	100000000" "--gpu 1: 3 rows, none bad, its own 100 ms period"
expect 2 "--gpu with an id the log lacks" "$BIN" import gpus.csv -o gpu9.pltr --gpu 9
has "it holds 0, 1" "says which ids there are"
sed 's/, index,/,/; s/, [01], /, /' gpus.csv >noindex.csv
expect 2 "without an index column: refused on its shared timestamps" "$BIN" import --skip-bad noindex.csv -o noindex.pltr
has "2 rows share timestamp 2024/01/15 10:23:45.000 (lines 2-3): several GPUs in one log?" "says why, and --gpu"
[ ! -e noindex.pltr ] && pass "no trace written" || fail "noindex.pltr written"
# A logger killed mid-line: the last line is lost, not the file.
printf 'time_s,watts\n0.0,10\n0.1,11\n0.2,12\n0.3,1' >cut.csv
expect 0 "an unterminated last line that parses is kept" "$BIN" import cut.csv -o cut1.pltr
is "$(cut -f2 <<<"$out")" 4 "4 rows"
printf 'time_s,watts\n0.0,10\n0.1,11\n0.2,12\n0.3' >cut.csv
expect 0 "a truncated last line does not fail the file" "$BIN" import cut.csv -o cut.pltr
is "$(cut -f2,3 <<<"$out")" "3	0" "3 rows, none counted bad"
has "cut.csv:5: last line truncated, ignored" "a warning with its line"
printf 'time_s,watts\n0.0,10\n0.1\n0.2,12\n0.3,13\n' >mid.csv
expect 2 "a short line elsewhere still fails" "$BIN" import mid.csv -o mid.pltr
# Headerless ADC counts of a 10-bit current clamp at 2.35 kHz.
printf '512\n600\n1023\n' >clamp.txt
expect 2 "headerless counts need a rate and a scale" "$BIN" import clamp.txt -o clamp.pltr
has "--rate HZ" "and says so"
[ ! -e clamp.pltr ] && pass "no trace written" || fail "clamp.pltr written"
expect 0 "headerless counts with --rate --scale --offset" "$BIN" import clamp.txt -o clamp.pltr --rate 2.35kHz --scale 0.75 --offset 512
is "$(cut -f2,4,5 <<<"$out")" "3	425532	rate" "3 samples, period 1/2350 Hz rounded to ns, times made from the rate"
expect 0 "info on it" "$BIN" info clamp.pltr
has "clock	monotonic" "a monotonic clock"
has "t_end_ns	851064" "t = i / rate"
printf '512\n400\n' >neg.txt
expect 2 "a count below the offset is a negative power" "$BIN" import neg.txt -o neg.pltr --rate 1kHz --scale 1 --offset 512
has "negative power" "says so"
expect 2 "--rate with a time column is refused" "$BIN" import cut.csv -o r.pltr --rate 10
expect 2 "--offset without --scale" "$BIN" import clamp.txt -o r.pltr --rate 10 --offset 3
# --period against the timestamps.
expect 2 "--period 1ms on a 100 ms log is refused" "$BIN" import gpu.csv -o p.pltr --period 1ms
has "--period 1ms differs from the timestamps' median interval 100ms" "both numbers given"
[ ! -e p.pltr ] && pass "no trace written" || fail "p.pltr written"
expect 0 "--period within 10 %" "$BIN" import gpu.csv -o p.pltr --period 105ms
expect 0 "features of a trace" "$BIN" features demo/legit.pltr
is "$(wc -l <<<"$out")" 61 "features: header + 60 windows"
expect 0 "features --json" "$BIN" features --json --window 5s demo/legit.pltr
python3 -c 'import json,sys; a=json.loads(sys.argv[1]); assert len(a)==12 and "burstiness_milli" in str(a)' "$out" \
	&& pass "features --json: 12 windows of 5 s" || fail "features --json"
expect 0 "attest an imported trace with a reader key" "$BIN" attest --key demo/reader.key gpu.pltr
expect 0 "its Trace statement verifies" "$BIN" verify --keydir demo gpu.pltr.dsse.json
has "1 subject(s) checked" "the trace subject was checked"
cp demo/commission-*.pltr .
expect 0 "baseline register" "$BIN" baseline register --model gpt4-class --key demo/operator.key -o b.dsse.json commission-*.pltr
expect 0 "the baseline verifies" "$BIN" verify --keydir demo b.dsse.json
expect 2 "baseline register refuses traces of other hardware" "$BIN" baseline register --model m --key demo/operator.key -o x.dsse.json commission-1.pltr gpu.pltr
expect 0 "claim from a trace's fingerprint" "$BIN" claim --model gpt4-class --tokens-per-s 2400 --from 1990000000000 --to 2400000000000 --trace demo/legit.pltr --key demo/vendor.key -o c.dsse.json
expect 0 "the claim verifies" "$BIN" verify --keydir demo c.dsse.json
cp demo/legit.pltr demo/swapped.pltr .
expect 0 "check a legitimate trace" "$BIN" check --trace legit.pltr --claim c.dsse.json --baseline b.dsse.json --key demo/operator.key --keydir demo --fail-on-proof
ls legit.*.proof.dsse.json >/dev/null 2>&1 && fail "proof written for a legitimate trace" || pass "no proof file for the legitimate trace"
expect 1 "check --fail-on-proof on the swapped model" "$BIN" check --trace swapped.pltr --claim c.dsse.json --baseline b.dsse.json --key demo/operator.key --keydir demo --fail-on-proof
has "PROOF	model-mismatch" "check reports the proof"
expect 0 "the new proof verifies" "$BIN" verify --keydir demo swapped.c.model-mismatch.proof.dsse.json
has "3 subject(s) checked" "proof subjects (trace, claim, baseline) checked"
expect 1 "check refuses a claim signed by an untrusted key" "$BIN" check --trace legit.pltr --claim c.dsse.json --baseline b.dsse.json --key demo/operator.key --trust demo/reader.pub
has "no valid signature by a trusted key" "untrusted claim: says why"
expect 2 "check refuses a claim for other hardware" "$BIN" check --trace gpu.pltr --claim c.dsse.json --baseline b.dsse.json --key demo/operator.key --keydir demo
# A claim for this host, a baseline commissioned on another: refused (it used to warn and go on).
expect 0 "claim for the imported GPU's hardware" "$BIN" claim --model gpt4-class --tokens-per-s 2400 --from 0 --to 4611686018427387904 --trace gpu.pltr --key demo/vendor.key -o gpuclaim.dsse.json
expect 2 "check refuses a baseline from other hardware" "$BIN" check --trace gpu.pltr --claim gpuclaim.dsse.json --baseline b.dsse.json --key demo/operator.key --keydir demo -o gp
has "not the baseline's" "other-hardware baseline: says whose fingerprint differs"
[ -z "$(ls gp 2>/dev/null)" ] && pass "other-hardware baseline: no proof written" || fail "proofs written" "$(ls gp)"
# Two claims checked against one trace into one directory: two proofs, neither overwritten.
cp c.dsse.json c2.dsse.json
expect 1 "check claim 1 into proofs/" "$BIN" check --trace swapped.pltr --claim c.dsse.json --baseline b.dsse.json --key demo/operator.key --keydir demo -o proofs/a/b --fail-on-proof
expect 1 "check claim 2 into the same proofs/" "$BIN" check --trace swapped.pltr --claim c2.dsse.json --baseline b.dsse.json --key demo/operator.key --keydir demo -o proofs/a/b --fail-on-proof
is "$(ls proofs/a/b | tr '\n' ' ')" "swapped.c.model-mismatch.proof.dsse.json swapped.c2.model-mismatch.proof.dsse.json " "one proof per (trace, claim, detector), -o created"
expect 1 "the same check again: the identical proof is no replacement" "$BIN" check --trace swapped.pltr --claim c.dsse.json --baseline b.dsse.json --key demo/operator.key --keydir demo -o proofs/a/b --fail-on-proof
printf 'other' >proofs/a/b/swapped.c.model-mismatch.proof.dsse.json
expect 2 "a different file in the proof's place is not replaced" "$BIN" check --trace swapped.pltr --claim c.dsse.json --baseline b.dsse.json --key demo/operator.key --keydir demo -o proofs/a/b
has "exists (use --force" "says --force"
is "$(cat proofs/a/b/swapped.c.model-mismatch.proof.dsse.json)" "other" "the file in the way is untouched"
expect 0 "check --force replaces it" "$BIN" check --force --trace swapped.pltr --claim c.dsse.json --baseline b.dsse.json --key demo/operator.key --keydir demo -o proofs/a/b
expect 0 "the replacement verifies" "$BIN" verify --keydir demo proofs/a/b/swapped.c.model-mismatch.proof.dsse.json
# An input named like the proof: never replaced, --force or not.
mkdir -p trap && cp b.dsse.json trap/swapped.c.model-mismatch.proof.dsse.json
expect 2 "check --force never writes a proof over its own baseline" "$BIN" check --force --trace swapped.pltr --claim c.dsse.json --baseline trap/swapped.c.model-mismatch.proof.dsse.json --key demo/operator.key --keydir demo -o trap
has "is also an input" "says it is an input"
cmp -s b.dsse.json trap/swapped.c.model-mismatch.proof.dsse.json && pass "the baseline is untouched" || fail "baseline replaced"
expect 2 "check -o '' is refused" "$BIN" check --trace swapped.pltr --claim c.dsse.json --baseline b.dsse.json --key demo/operator.key --keydir demo -o ''

# --- record needs the kernel module ----------------------------------------
expect 2 "record without a device fails cleanly" "$BIN" record -o r.pltr --duration 1s --device "$T/no-such-device"
has "is the powerledger module loaded?" "record says what is missing"
[ ! -e r.pltr ] && pass "record wrote nothing" || fail "record left a file"

echo "1..$n"
[ "$failed" = 0 ]
