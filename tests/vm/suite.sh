#!/bin/sh
# The VM integration suite: runs inside Debian's stock kernel under qemu
# (busybox sh), as /test.sh.  tests/vm/run builds and boots it.
# Each t-*.sh asserts through common.sh; the summary line decides.
. /pl/lib/common.sh
. /pl/lib/pl.sh
export PATH=/bin:/sbin:/usr/bin:/usr/sbin

for t in $(cat /pl/tests.list); do
	echo "=== vm test: $t"
	. /pl/t-$t.sh
done
pl_dmesg_clean
pl_summary
