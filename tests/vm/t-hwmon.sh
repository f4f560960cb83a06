# hwmon: served from the latest sample; flat waveform values, hwmon units.
h=$(pl_hwmon)
pl_assert_eq "hwmon: device registered" "$(test -n "$h" && echo yes)" yes
sleep 0.1
pl_assert_eq "hwmon: power1_input (pin, uW)" "$(cat $h/power1_input)" 450000000
pl_assert_eq "hwmon: power1_label" "$(cat $h/power1_label)" pin
pl_assert_eq "hwmon: in1_input (vin, mV)" "$(cat $h/in1_input)" 230000
pl_assert_eq "hwmon: in2_input (vout, mV)" "$(cat $h/in2_input)" 12000
pl_assert_eq "hwmon: temp1_input (mC)" "$(cat $h/temp1_input)" 40000
pl_assert_eq "hwmon: no in0" "$(test -e $h/in0_input && echo yes || echo no)" no
for f in power2_input curr1_input curr2_input; do
	v=$(cat $h/$f)
	pl_assert_ge "hwmon: $f present and positive" "${v:-0}" 1
done
