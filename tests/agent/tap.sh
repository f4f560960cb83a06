# SPDX-License-Identifier: GPL-2.0 OR MIT
# TAP helpers for the agent's end-to-end scripts (sourced; bash).  The
# script sets T (its scratch directory) before calling run/expect.
n=0 failed=0
pass() { n=$((n + 1)); echo "ok $n - $1"; }
fail() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; [ -z "${2:-}" ] || echo "$2" | sed 's/^/# /' | head -20; }
# run CMD...: runs it, keeps stdout/stderr/status in $out $err $rc; never aborts.
run() { set +e; "$@" >"$T/.out" 2>"$T/.err"; rc=$?; set -e; out=$(cat "$T/.out"); err=$(cat "$T/.err"); }
# expect RC DESC CMD...
expect() { local want=$1 desc=$2; shift 2; run "$@"; if [ "$rc" = "$want" ]; then pass "$desc"; else fail "$desc (exit $rc, want $want)" "$out
$err"; fi; }
# has TEXT DESC: the last run's stdout+stderr contains TEXT
has() { if grep -qF -- "$1" <<<"$out
$err"; then pass "$2"; else fail "$2 (no '$1')" "$out
$err"; fi; }
is() { if [ "$1" = "$2" ]; then pass "$3"; else fail "$3 ('$1' != '$2')"; fi; }
