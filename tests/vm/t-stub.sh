# Upstream i2c-stub with registers set by i2cset: decoded values equal the
# hand-computed ones (LINEAR11 with negative exponents and mantissas,
# LINEAR16 with VOUT_MODE -9).
rmmod powerledger_sim
insmod $PLMOD/i2c-dev.ko 2>/dev/null
insmod $PLMOD/i2c-stub.ko chip_addr=0x58
sb=
for a in /sys/bus/i2c/devices/i2c-*; do
	grep -q "SMBus stub" $a/name 2>/dev/null && sb=${a##*/i2c-}
done
pl_assert_eq "stub: adapter found" "$(test -n "$sb" && echo yes)" yes
i2cset -y $sb 0x58 0x19 0x00 b		# CAPABILITY: no PEC
i2cset -y $sb 0x58 0x20 0x17 b		# VOUT_MODE: linear, exponent -9
i2cset -y $sb 0x58 0x98 0x22 b		# PMBUS_REVISION 1.2
i2cset -y $sb 0x58 0x88 0x0873 w	# VIN:  e=1,  m=115 -> 230 V
i2cset -y $sb 0x58 0x89 0xd3d4 w	# IIN:  e=-6, m=980 -> 15.3125 A
i2cset -y $sb 0x58 0x8b 0x1800 w	# VOUT: 6144 * 2^-9 -> 12 V
i2cset -y $sb 0x58 0x8c 0xe2a8 w	# IOUT: e=-4, m=680 -> 42.5 A
i2cset -y $sb 0x58 0x8d 0xffe7 w	# TEMP: e=-1, m=-25 -> -12.5 C
i2cset -y $sb 0x58 0x96 0x0a7f w	# POUT: e=1,  m=639 -> 1278 W
i2cset -y $sb 0x58 0x97 0x12e5 w	# PIN:  e=2,  m=741 -> 2964 W
pl_bind $sb
sleep 0.3
h=$(pl_hwmon)
pl_assert_eq "stub: vin 230 V (mV)" "$(cat $h/in1_input)" 230000
pl_assert_eq "stub: iin 15.3125 A (mA, truncated)" "$(cat $h/curr1_input)" 15312
pl_assert_eq "stub: vout 12 V (mV)" "$(cat $h/in2_input)" 12000
pl_assert_eq "stub: iout 42.5 A (mA)" "$(cat $h/curr2_input)" 42500
pl_assert_eq "stub: temp -12.5 C (mC)" "$(cat $h/temp1_input)" -12500
pl_assert_eq "stub: pout 1278 W (uW)" "$(cat $h/power2_input)" 1278000000
pl_assert_eq "stub: pin 2964 W (uW)" "$(cat $h/power1_input)" 2964000000
# a new value reaches the samples without rebinding
i2cset -f -y $sb 0x58 0x97 0xf79c w	# PIN: e=-2, m=-100 -> -25 W
sleep 0.2
pl_assert_eq "stub: pin -25 W after i2cset (uW)" "$(cat $h/power1_input)" -25000000
plread -d 1 > /tmp/stub.out
pl_assert_ge "stub: records through the rings" "$(kv /tmp/stub.out records)" 900
pl_unbind $sb
rmmod powerledger
rmmod i2c_stub
