# Tracepoints powerledger:sample, powerledger:overrun, powerledger:i2c_error.
T=/sys/kernel/tracing
pl_assert_eq "trace: events exist" "$(ls $T/events/powerledger 2>/dev/null | grep -c -E '^(sample|overrun|i2c_error)$')" 3
echo > $T/trace
echo 1 > $T/events/powerledger/sample/enable
echo 1 > $T/events/powerledger/i2c_error/enable
echo 100000 > $SIM/nack_ppm
sleep 0.5
echo 0 > $SIM/nack_ppm
echo 0 > $T/events/powerledger/enable
pl_assert_ge "trace: sample events" "$(grep -c ' sample: dev=0' $T/trace)" 100
pl_assert_ge "trace: i2c_error events" "$(grep -c ' i2c_error: dev=0' $T/trace)" 1
echo > $T/trace
