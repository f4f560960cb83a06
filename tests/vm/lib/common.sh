# shellcheck shell=dash
# Helpers for VM integration tests. These run INSIDE the VM under busybox sh (ash), not bash:
# POSIX sh plus `local`, no arrays, no [[ ]].
#
# scripts/mkinitramfs installs this file as /lib/pl/common.sh; a test starts with
#
#	#!/bin/sh
#	. /lib/pl/common.sh
#	PL_TEST_NAME=decode
#	insmod /lib/modules/i2c-stub.ko chip_addr=0x58 || pl_fail "insmod i2c-stub"
#	pl_assert_eq "word read back" "$(i2cget -y 0 0x58 0x8b w)" 0x1234
#	pl_dmesg_clean
#	pl_summary			# prints "vm-decode: N passed, N failed"; status 1 on failures
#
# Every check prints one line: "ok <name>" or "not ok <name>: <why>". Do not `set -e` around
# checks: a failed check returns 1 so a test may stop on it (`|| exit 1`), but usually goes on
# and lets pl_summary decide. Numbers may be decimal or 0x-hex, negative allowed (64-bit).

PL_PASSED=0
PL_FAILED=0

pl_pass()
{
	PL_PASSED=$((PL_PASSED + 1))
	echo "ok $1"
}

# pl_fail MSG: record a failure.
pl_fail()
{
	PL_FAILED=$((PL_FAILED + 1))
	echo "not ok $*"
	return 1
}

# pl_is_int VALUE: decimal or 0x-hex integer, optional leading minus.
pl_is_int()
{
	local v="${1#-}"

	case $v in
	0[xX]*) v=${v#0[xX]}; case $v in ''|*[!0-9a-fA-F]*) return 1 ;; esac ;;
	''|*[!0-9]*) return 1 ;;
	esac
	return 0
}

# pl_assert_eq NAME GOT WANT: string equality (compare numbers with differing spelling, e.g.
# 0x0010 vs 16, with pl_assert_le/ge or convert first: $((GOT))).
pl_assert_eq()
{
	if [ "$2" = "$3" ]; then
		pl_pass "$1"
	else
		pl_fail "$1: got '$2', want '$3'"
	fi
}

# pl_assert_le NAME GOT MAX: integer GOT <= MAX.
pl_assert_le()
{
	if ! pl_is_int "$2" || ! pl_is_int "$3"; then
		pl_fail "$1: not integers: '$2' <= '$3'"
		return 1
	fi
	if [ $(($2)) -le $(($3)) ]; then
		pl_pass "$1"
	else
		pl_fail "$1: got $2, want <= $3"
	fi
}

# pl_assert_ge NAME GOT MIN: integer GOT >= MIN.
pl_assert_ge()
{
	if ! pl_is_int "$2" || ! pl_is_int "$3"; then
		pl_fail "$1: not integers: '$2' >= '$3'"
		return 1
	fi
	if [ $(($2)) -ge $(($3)) ]; then
		pl_pass "$1"
	else
		pl_fail "$1: got $2, want >= $3"
	fi
}

# pl_assert_ok NAME CMD [ARGS...]: CMD exits 0 (its output is shown).
pl_assert_ok()
{
	local name="$1" rc=0
	shift

	"$@" || rc=$?
	if [ $rc -eq 0 ]; then
		pl_pass "$name"
	else
		pl_fail "$name: '$*' exited $rc"
	fi
}

# pl_assert_fails NAME CMD [ARGS...]: CMD exits non-zero (e.g. an ioctl that must be rejected).
pl_assert_fails()
{
	local name="$1" rc=0
	shift

	"$@" || rc=$?
	if [ $rc -ne 0 ]; then
		pl_pass "$name"
	else
		pl_fail "$name: '$*' succeeded, want failure"
	fi
}

# pl_dmesg_clean [NAME]: the kernel log has no Oops, BUG, WARNING, Call Trace, KASAN report or
# general protection fault. Tests that provoke warnings on purpose skip this (and vm-run --allow-warn).
pl_dmesg_clean()
{
	local name="${1:-dmesg clean}" bad

	bad=$(dmesg | grep -E 'Oops|BUG:|WARNING:|Call Trace:|KASAN|general protection')
	if [ -z "$bad" ]; then
		pl_pass "$name"
	else
		echo "$bad" | sed 's/^/    dmesg: /'
		pl_fail "$name: kernel problems in dmesg (above)"
	fi
}

# pl_summary [NAME]: print "vm-NAME: N passed, N failed" (NAME defaults to $PL_TEST_NAME, then
# "test"); returns 1 if a check failed or none ran, so `pl_summary` can end the test script.
pl_summary()
{
	local name="${1:-${PL_TEST_NAME:-test}}"

	echo "vm-$name: $PL_PASSED passed, $PL_FAILED failed"
	if [ $((PL_PASSED + PL_FAILED)) -eq 0 ]; then
		echo "vm-$name: no check ran"
		return 1
	fi
	[ "$PL_FAILED" -eq 0 ]
}
