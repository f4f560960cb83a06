# Lifetimes: 20 cycles of unbind / rmmod / simulator removal while the
# rings are mapped; no oops, no warning, pages never freed under a mapping,
# and reading resumes cleanly afterwards.
i=0
while [ $i -lt 20 ]; do
	plread -d 0 --hold 30 > /dev/null 2>&1 &
	rpid=$!
	# until plread holds the device (its open file holds the module): a
	# fixed sleep lost that race in the debug kernel
	w=0
	while [ "$(cat /sys/module/powerledger/refcnt)" = 0 ] && [ $w -lt 200 ]; do
		sleep 0.05
		w=$((w + 1))
	done
	sleep 0.3
	case $((i % 4)) in
	0|2)	pl_unbind $SIM_BUS
		pl_bind $SIM_BUS ;;
	1)	rmmod powerledger 2>/dev/null
		pl_assert_eq "lifetime $i: rmmod refused while mapped" $? 1 ;;
	3)	rmmod powerledger_sim
		pl_assert_eq "lifetime $i: simulator removed under a bound, mapped device" $? 0
		sim_load waveform=flat
		pl_bind $SIM_BUS ;;
	esac
	kill $rpid; wait $rpid 2>/dev/null
	if [ $((i % 4)) = 1 ]; then
		rmmod powerledger
		pl_assert_eq "lifetime $i: rmmod after unmap" $? 0
		# the i2c client outlives the driver: loading binds it again
		pl_load
		sleep 0.2
		pl_assert_eq "lifetime $i: device re-probed on load" "$(plnl list | grep -c '^dev=0 ')" 1
	fi
	i=$((i + 1))
done
plread -d 1 > /tmp/resume.out
pl_assert_eq "lifetime: reading resumes (exit)" $? 0
# records flow again (a broken resume gives none); the rate itself is
# t-sample's: 1 s right after 20 cycles under TCG gave 840-1000
pl_assert_ge "lifetime: reading resumes (records)" "$(kv /tmp/resume.out records)" 500
pl_dmesg_clean
