#!/bin/sh
# In-VM test of powerledger_sim.ko (busybox sh; run-vm packs it as /test.sh): loading, the bus
# from user space (bus_test and the busybox i2c tools), load-time parameters, and unloading with
# a device still bound (powerledger.ko when it was packed in, else a client with no driver).
. /lib/pl/common.sh
PL_TEST_NAME=sim
SIM=/sys/kernel/debug/powerledger_sim
M=/lib/modules
export PATH=/bin:/sbin:/usr/bin:/usr/sbin

insmod $M/i2c-dev.ko || pl_fail "insmod i2c-dev"
pl_assert_ok "insmod powerledger_sim" insmod $M/powerledger_sim.ko
BUS=$(cat $SIM/bus)
pl_assert_eq "adapter name" "$(cat /sys/bus/i2c/devices/i2c-$BUS/name)" powerledger-sim
pl_assert_ok "bus number in the kernel log" sh -c "dmesg | grep -q 'PMBus PSU at 0x58 on i2c bus $BUS'"
pl_assert_eq "waveform default" "$(cat $SIM/waveform)" flat
pl_assert_eq "addr" "$(cat $SIM/addr)" 0x58
pl_assert_eq "stuck_delay_us default" "$(cat $SIM/stuck_delay_us)" 2000

# busybox i2c tools: the benchmark's path through i2c-dev
pl_assert_eq "i2cget capability" "$(i2cget -y $BUS 0x58 0x19 b)" 0xb0
pl_assert_eq "i2cget capability, PEC" "$(i2cget -y $BUS 0x58 0x19 bp)" 0xb0
# VOUT (LINEAR16, exponent -9) carries +-4 mV of noise (waveform.h): 12 V reads
# 0x17fd..0x1802 (11.994..12.004 V), 5 V 0x09fd..0x0a02 (4.994..5.004 V)
v=$(i2cget -y $BUS 0x58 0x8b w)
pl_assert_ge "i2cget vout >= 11.994 V" "$v" 0x17fd
pl_assert_le "i2cget vout <= 12.004 V" "$v" 0x1802
pl_assert_ok "i2cset page 1, PEC" i2cset -y $BUS 0x58 0x00 1 bp
v=$(i2cget -y $BUS 0x58 0x8b wp)
pl_assert_ge "i2cget vout page 1, PEC, >= 4.994 V" "$v" 0x09fd
pl_assert_le "i2cget vout page 1, PEC, <= 5.004 V" "$v" 0x0a02
pl_assert_ok "i2cset page 0" i2cset -y $BUS 0x58 0x00 0
pl_assert_eq "i2ctransfer revision" "$(i2ctransfer -y $BUS w1@0x58 0x98 r1)" 0x33
pl_assert_fails "i2cget unknown register" i2cget -y $BUS 0x58 0x55 b
pl_assert_eq "i2cget STATUS_CML after it" "$(i2cget -y $BUS 0x58 0x7e b)" 0x80
pl_assert_ok "i2cset CLEAR_FAULTS" i2cset -y $BUS 0x58 0x03 c
pl_assert_eq "i2cget STATUS_WORD" "$(i2cget -y $BUS 0x58 0x79 w)" 0x0000
pl_assert_ok "i2cdetect sees 0x58 only" sh -c "i2cdetect -y $BUS | grep -q ' 58 ' && ! i2cdetect -y $BUS | grep -q ' 59 '"

echo "--- bus_test"
pl_assert_ok "bus_test" bus_test $SIM

# load-time parameters: defaults of the debugfs files, checked ranges
rmmod powerledger_sim || pl_fail "rmmod"
pl_assert_fails "insmod waveform=nope" insmod $M/powerledger_sim.ko waveform=nope
pl_assert_fails "insmod nack_ppm=1000001" insmod $M/powerledger_sim.ko nack_ppm=1000001
pl_assert_fails "insmod addr=0x80" insmod $M/powerledger_sim.ko addr=0x80
pl_assert_ok "insmod with parameters" insmod $M/powerledger_sim.ko waveform=miner addr=0x59 \
	nack_ppm=1000000 seed=7 delay_us=10 stuck_delay_us=3000
BUS=$(cat $SIM/bus)
pl_assert_eq "param waveform" "$(cat $SIM/waveform)" miner
pl_assert_eq "param addr" "$(cat $SIM/addr)" 0x59
pl_assert_eq "param seed" "$(cat $SIM/seed)" 7
pl_assert_eq "param delay_us" "$(cat $SIM/delay_us)" 10
pl_assert_eq "param stuck_delay_us" "$(cat $SIM/stuck_delay_us)" 3000
pl_assert_fails "0x59 NACKs every transfer" i2cget -y $BUS 0x59 0x19 b
pl_assert_fails "0x58 is not there" i2cget -y $BUS 0x58 0x19 b
pl_assert_eq "only 0x59's transfer counted" "$(cat $SIM/xfers) $(cat $SIM/nacks_injected)" "1 1"
rmmod powerledger_sim || pl_fail "rmmod"

# load/unload cycles
i=0
while [ $i -lt 5 ]; do
	insmod $M/powerledger_sim.ko || pl_fail "insmod cycle $i"
	rmmod powerledger_sim || pl_fail "rmmod cycle $i"
	i=$((i + 1))
done
pl_pass "5 load/unload cycles"

# unload with a device bound to the adapter
insmod $M/powerledger_sim.ko waveform=bursty || pl_fail "insmod"
BUS=$(cat $SIM/bus)
if [ -f $M/powerledger.ko ]; then
	insmod $M/powerledger.ko || pl_fail "insmod powerledger"
	echo powerledger 0x58 > /sys/bus/i2c/devices/i2c-$BUS/new_device
	sleep 1
	pl_assert_ok "powerledger identified the sim" \
		sh -c "dmesg | grep -q 'PMBus rev 0x33, capability 0xb0 (PEC on)'"
	pl_assert_ok "powerledger bound" test -e /sys/bus/i2c/devices/$BUS-0058/driver
	pl_assert_ge "the driver is sampling" "$(cat $SIM/xfers)" 500
	pl_assert_eq "no faults injected" "$(cat $SIM/nacks_injected)$(cat $SIM/pec_injected)" 00
else
	echo "(powerledger.ko not packed in: a client without a driver)"
	echo dummy 0x58 > /sys/bus/i2c/devices/i2c-$BUS/new_device
	pl_assert_ok "client created" test -e /sys/bus/i2c/devices/$BUS-0058
fi
pl_assert_ok "rmmod powerledger_sim with a device bound" rmmod powerledger_sim
pl_assert_fails "adapter gone" test -e /sys/bus/i2c/devices/i2c-$BUS
pl_assert_fails "debugfs gone" test -e $SIM
[ ! -f $M/powerledger.ko ] || rmmod powerledger || pl_fail "rmmod powerledger"

pl_dmesg_clean
pl_summary
