#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# powerledger eval --quick through the CLI: it runs, writes a report whose
# SVG pictures parse, refuses to overwrite it without --force, and holds the
# floors on its headline numbers.  The first rule is absolute: no signed
# proof on a same-model held-out trace (a proof is a signed accusation).
# The TPR floors sit just below what the quick run achieved when they were
# set (model-mismatch 0.667, crypto-miner-hidden 1.000; onoff 3/6, replay
# 3/6: the nvml halves are undecided by design): raise them as the
# detectors improve.  When they were set, the no-false-accusation point
# failed: model-mismatch signs a proof on the honest nvml 7b batch-32 trace
# (batch 32 lies outside the tuning mixes, batch 4..16); the detectors must
# be fixed, not this floor.  TAP output, then the plan.
set -euo pipefail

BIN=${PL_BIN:-$(cd "$(dirname "$0")/../.." && pwd)/build/agent/powerledger}
. "$(cd "$(dirname "$0")" && pwd)/tap.sh"
T=$(mktemp -d "${TMPDIR:-/tmp}/pl-e2e-eval-XXXXXX")
trap 'rm -rf "$T"' EXIT
cd "$T"

MM_TPR_FLOOR=0.6
MINER_TPR_FLOOR=0.9
ONOFF_FLOOR=3   # of 6: mining switched on and off, seen by its plateaus (pmbus)
REPLAY_FLOOR=3  # of 6: replayed readings, rail-tamper (pmbus; nvml logs are imports, not judged)

expect 0 "eval --quick --report rep" "$BIN" eval --quick --report rep
quick=$out
echo "$quick" | grep -E '^eval	(false-accusations?|model-mismatch	tpr|crypto-miner-hidden	tpr|checks)	' | sed 's/^/# /'
[ -s rep/report.md ] && pass "report.md written" || fail "no report.md"
grep -q '^## Per detector' rep/report.md && pass "report.md holds the per-detector table" || fail "report.md tables"
python3 - rep/*.svg <<'PY' && pass "the SVG pictures parse" || fail "SVG does not parse"
import sys, xml.etree.ElementTree as ET
assert any(p.endswith("roc-model-mismatch.svg") for p in sys.argv[1:])
for p in sys.argv[1:]:
    ET.parse(p)
PY

field() { awk -F'\t' -v k="$1" -v m="$2" '$1 == "eval" && $2 == k && $3 == m { print $4 }' <<<"$quick"; }
fa=$(awk -F'\t' '$1 == "eval" && $2 == "false-accusations" { print $3 }' <<<"$quick")
is "$fa" 0 "no false accusation on same-model held-out traces"
mm=$(field model-mismatch tpr)
miner=$(field crypto-miner-hidden tpr)
awk -v x="$mm" -v f="$MM_TPR_FLOOR" 'BEGIN { exit !(x + 0 >= f) }' && pass "model-mismatch TPR $mm >= $MM_TPR_FLOOR" ||
	fail "model-mismatch TPR $mm < $MM_TPR_FLOOR"
awk -v x="$miner" -v f="$MINER_TPR_FLOOR" 'BEGIN { exit !(x + 0 >= f) }' &&
	pass "crypto-miner-hidden TPR $miner >= $MINER_TPR_FLOOR" || fail "crypto-miner-hidden TPR $miner < $MINER_TPR_FLOOR"

adv() { awk -F'\t' -v a="$1" '$1 == "eval" && $2 == "adversary" && $3 == a { split($5, k, "/"); print k[1] }' <<<"$quick"; }
[ "$(adv onoff)" -ge "$ONOFF_FLOOR" ] && pass "onoff detected $(adv onoff)/6 >= $ONOFF_FLOOR" || fail "onoff $(adv onoff)/6 < $ONOFF_FLOOR"
[ "$(adv replay)" -ge "$REPLAY_FLOOR" ] && pass "replay detected $(adv replay)/6 >= $REPLAY_FLOOR" ||
	fail "replay $(adv replay)/6 < $REPLAY_FLOOR"

expect 0 "same run again" "$BIN" eval --quick
is "$(grep -v wall-s <<<"$out")" "$(grep -v wall-s <<<"$quick")" "deterministic: the same numbers"
expect 2 "an existing report is refused without --force" "$BIN" eval --quick --report rep
has "report.md" "the refusal names the file"
expect 2 "bad --seeds" "$BIN" eval --seeds 0
has "'0'" "the message names the bad value"
expect 2 "--real needs a directory" "$BIN" eval --quick --real /nonexistent

echo "1..$n"
[ "$failed" = 0 ]
