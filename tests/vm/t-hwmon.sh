# hwmon: served from the latest sample; flat waveform values, hwmon units.
# The simulator adds measurement noise (tests/sim/waveform.h): PIN 450 W
# +-0.2 %, VIN 230 V +-200 mV, VOUT 12 V +-4 mV, temperature none.  After
# the PMBus encode (truncating) and the driver's decode they read PIN
# 449.0..450.5 W (0.5 W LSB), VIN 229.75..230.00 V (0.25 V LSB), VOUT
# 11.994..12.003 V (LINEAR16, 1.95 mV LSB, truncated to mV), 40 C exactly.
h=$(pl_hwmon)
pl_assert_eq "hwmon: device registered" "$(test -n "$h" && echo yes)" yes
sleep 0.1
v=$(cat $h/power1_input)
pl_assert_ge "hwmon: power1_input (pin, uW) >= 449 W" "$v" 449000000
pl_assert_le "hwmon: power1_input (pin, uW) <= 450.5 W" "$v" 450500000
pl_assert_eq "hwmon: power1_label" "$(cat $h/power1_label)" pin
v=$(cat $h/in1_input)
pl_assert_ge "hwmon: in1_input (vin, mV) >= 229.75 V" "$v" 229750
pl_assert_le "hwmon: in1_input (vin, mV) <= 230 V" "$v" 230000
v=$(cat $h/in2_input)
pl_assert_ge "hwmon: in2_input (vout, mV) >= 11.994 V" "$v" 11994
pl_assert_le "hwmon: in2_input (vout, mV) <= 12.003 V" "$v" 12003
pl_assert_eq "hwmon: temp1_input (mC, no noise)" "$(cat $h/temp1_input)" 40000
pl_assert_eq "hwmon: no in0" "$(test -e $h/in0_input && echo yes || echo no)" no
for f in power2_input curr1_input curr2_input; do
	v=$(cat $h/$f)
	pl_assert_ge "hwmon: $f present and positive" "${v:-0}" 1
done
