# powerledger helpers for the in-VM tests (busybox sh; sourced after common.sh).
SIM=/sys/kernel/debug/powerledger_sim
PLMOD=/lib/modules

# kv FILE KEY: the value of a key=value line
kv()
{
	sed -n "s/^$2=//p" "$1" | head -n 1
}

sim_load()
{
	insmod $PLMOD/powerledger_sim.ko "$@" || pl_fail "insmod powerledger_sim"
	SIM_BUS=$(cat $SIM/bus)
}

pl_load()
{
	insmod $PLMOD/powerledger.ko "$@" || pl_fail "insmod powerledger"
}

# pl_bind BUS: bind powerledger to 0x58 on i2c-BUS
pl_bind()
{
	echo powerledger 0x58 > /sys/bus/i2c/devices/i2c-$1/new_device
}

pl_unbind()
{
	echo 0x58 > /sys/bus/i2c/devices/i2c-$1/delete_device
}

# first hwmon directory named powerledger
pl_hwmon()
{
	for h in /sys/class/hwmon/hwmon*; do
		[ "$(cat $h/name 2>/dev/null)" = powerledger ] && { echo $h; return 0; }
	done
	return 1
}

# stat DEV KEY: one counter from the ioctl stats
stat_of()
{
	plread --stats-only > /tmp/stats.out 2>&1
	kv /tmp/stats.out "stats.$1.$2"
}
