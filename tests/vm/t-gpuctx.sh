# GPU context, end to end, without a GPU: a stand-in libcuda.so.1 (the real
# symbol names, tests/vm/tools/fakecuda.c) and a workload (plcuwl) whose two
# processes -- A on GPU 0, B on GPU 1 in a pid namespace of its own -- take
# turns holding their contexts on a schedule they log (A the driver API's
# way: create, push, pop; B the runtime API's: the primary context
# retained, then set current and unset).  `powerledger
# record` attaches its uprobes to the library while the module samples the
# simulated PSU; the trace's context section must match the schedule within
# one sampling period, and each context's samples the time it held the GPU
# within 2 %.  Also: bpftool sees the pl_* programs and the pinned maps, the
# DRM handlers run under BPF_PROG_TEST_RUN, the NVIDIA-ioctl kprobe fires
# (attached to the module's own ioctl entry as a stand-in), and a host
# without BTF, without permission or without libcuda is told what was
# skipped while the power is still recorded.
G=/tmp/gpuctx
FAKE=/usr/lib/fake-cuda
mkdir -p $G
mount -t bpf bpf /sys/fs/bpf 2>/dev/null
rmmod powerledger 2>/dev/null; rmmod powerledger_sim 2>/dev/null
sim_load waveform=bursty
pl_load
pl_bind $SIM_BUS
sleep 0.2

# --- the schedule: 20 slots of 200 ms, A and B alternating ---------------
LD_LIBRARY_PATH=$FAKE powerledger record -o $G/wl.pltr --duration 9s > $G/rec.out 2> $G/rec.err &
rec=$!
i=0
while ! grep -q "GPU context:" $G/rec.err && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
cat $G/rec.err
pl_assert_ok "gpuctx: cuda source attached to the library" grep -q "cuda: attached to $FAKE/libcuda.so.1" $G/rec.err
pl_assert_ok "gpuctx: maps pinned" grep -q "maps pinned under /sys/fs/bpf/powerledger" $G/rec.err
LD_LIBRARY_PATH=$FAKE plcuwl --pidns 200 20 $G/wl.log
pl_assert_eq "gpuctx: workload ran its schedule" $? 0
# While the agent runs: what a kernel developer sees.
bpftool prog show > $G/progs.out 2>&1
pl_assert_ge "gpuctx: bpftool lists the pl_* programs" "$(grep -c ' name pl_' $G/progs.out)" 10
pl_assert_ok "gpuctx: bpftool shows pl_cu_set" grep -q "name pl_cu_set " $G/progs.out
bpftool map dump pinned /sys/fs/bpf/powerledger/pl_counters > $G/counters.out 2>&1
pl_assert_eq "gpuctx: bpftool dumps the pinned counters" $? 0
bpftool map show pinned /sys/fs/bpf/powerledger/pl_events > $G/events-map.out 2>&1
pl_assert_ok "gpuctx: the ring buffer is pinned" grep -q "ringbuf" $G/events-map.out
wait $rec
pl_assert_eq "gpuctx: record exit" $? 0
cat $G/rec.out
pl_assert_eq "gpuctx: no events dropped" "$(cut -f7 $G/rec.out)" 0
pl_assert_eq "gpuctx: pins removed at exit" "$(ls /sys/fs/bpf/powerledger 2>/dev/null | wc -l)" 0
powerledger info --contexts $G/wl.pltr > $G/info.out
pl_assert_eq "gpuctx: info --contexts" $? 0
grep -E '^(interval|energy|unattributed|total|ctx_sources|samples|duration_ns)' $G/info.out | head -40
pl_assert_ok "gpuctx: trace names its sources" grep -q "^ctx_sources	cuda,sched" $G/info.out

# Every stretch the workload logged has its interval: same context and
# process, each end within one period (1 ms) of the pair of clock readings
# around the call that made it (the uretprobe fires between them; under
# TCG a call can take milliseconds, so the pair, not one reading, is the
# reference).
awk -v P=1000000 '
	FNR == NR && $1 == "interval" { n++; c[n] = $7; t[n] = $5; b[n] = $2; e[n] = $3; next }
	FNR != NR && $1 == "slot" {
		for (k = 2; k <= 7; k++) { split($k, x, "="); f[x[1]] = x[2] }
		slots++
		for (i = 1; i <= n; i++)
			if (c[i] == f["ctx"] && t[i] == f["ns_tgid"] && b[i] >= f["b0"] - P && b[i] <= f["b1"] + P &&
			    e[i] >= f["e0"] - P && e[i] <= f["e1"] + P) {
				ok++; break
			}
		if (i > n) print "unmatched slot: " $0
	}
	END { print "slots=" slots " matched=" ok " intervals=" n }' $G/info.out $G/wl.log > $G/match.out
cat $G/match.out
pl_assert_eq "gpuctx: every stretch's interval within one period" "$(tail -1 $G/match.out)" \
	"slots=21 matched=21 intervals=21"

# Samples per context: those the join gave it against the trace's samples
# that fall in its logged stretches (between the midpoints of the clock
# pairs), within 2 %.
powerledger info --samples $G/wl.pltr | grep '^sample' > $G/samples.out
for who in 0 1; do
	want=$(awk -v g=$who '
		FNR == NR { if ($1 == "create") { split($4, z, "="); if (z[2] == g) { split($3, q, "="); pid = q[2] } }
			if ($1 == "slot") { for (k = 2; k <= 7; k++) { split($k, x, "="); f[x[1]] = x[2] }
				m++; p[m] = f["ns_tgid"]; lo[m] = (f["b0"] + f["b1"]) / 2; hi[m] = (f["e0"] + f["e1"]) / 2 }
			next }
		{ for (i = 1; i <= m; i++) if (p[i] == pid && $2 >= lo[i] && $2 < hi[i]) { c++; break } }
		END { print c + 0 }' $G/wl.log $G/samples.out)
	got=$(awk -v g=$who '$1 == "energy" && $6 == g { print $12 }' $G/info.out)
	pl_assert_ge "gpuctx: GPU $who context's samples >= 98 % of the schedule's ($want)" "${got:-0}" $((want * 98 / 100))
	pl_assert_le "gpuctx: GPU $who context's samples <= 102 % of the schedule's ($want)" "${got:-0}" $((want * 102 / 100))
done
a_pidns=$(awk '$1 == "energy" && $6 == 0 { print $2 " " $3 }' $G/info.out)
b_line=$(awk '$1 == "energy" && $6 == 1 { print $2 " " $3 }' $G/info.out)
b_ns=$(awk '$1 == "create" && $4 == "gpu=1" { split($3, q, "="); print q[2] }' $G/wl.log)
pl_assert_eq "gpuctx: B is pid 1 of its namespace" "$b_ns" 1
pl_assert_eq "gpuctx: B attributed by its pid inside the namespace" "${b_line#* }" 1
pl_assert_ok "gpuctx: B's host pid differs" [ "${b_line% *}" != 1 ]
pl_assert_ok "gpuctx: A's pid is its own in the initial namespace" [ "${a_pidns% *}" = "${a_pidns#* }" ]
pl_assert_ok "gpuctx: A and B in different pid namespaces" \
	[ "$(awk '$1 == "interval" && $8 == 0 { print $6; exit }' $G/info.out)" != \
	  "$(awk '$1 == "interval" && $8 == 1 { print $6; exit }' $G/info.out)" ]
pl_assert_ge "gpuctx: launches counted" "$(awk '$1 == "energy" && $6 == 0 { print $13 }' $G/info.out)" 300

# --- DRM scheduler handlers under BPF_PROG_TEST_RUN ----------------------
plbpf > $G/plbpf.out 2>&1
pl_assert_eq "gpuctx: plbpf (BPF_PROG_TEST_RUN)" $? 0
cat $G/plbpf.out
pl_assert_eq "gpuctx: drm_sched_job event" "$(grep -c 'event kind=7 source=3 ctx=0xe0e0 aux=0x1000' $G/plbpf.out)" 1
pl_assert_eq "gpuctx: drm_run_job event" "$(grep -c 'event kind=8 source=3 ctx=0xe0e0 aux=0x1000' $G/plbpf.out)" 1
pl_assert_eq "gpuctx: drm_sched_process_job event" "$(grep -c 'event kind=9 source=3 ctx=0x0 aux=0x1000' $G/plbpf.out)" 1
pl_assert_ok "gpuctx: the DRM job's interval is the submitter's" \
	grep -q "interval tgid=[0-9]* ctx=0xe0e0 source=3 launches=1 open=0 comm=plbpf" $G/plbpf.out

# --- the NVIDIA ioctl kprobe, on the module's own ioctl entry --------------
powerledger record -o $G/nv.pltr --duration 3s --nvidia-ioctl pl_ioctl > $G/nv.out 2> $G/nv.err &
rec=$!
i=0
while ! grep -q "GPU context:" $G/nv.err && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
plread --stats-only > /dev/null 2>&1
wait $rec
cat $G/nv.err
pl_assert_ok "gpuctx: kprobe attached" grep -q "nvidia: attached (kprobe on pl_ioctl)" $G/nv.err
powerledger info --contexts $G/nv.pltr > $G/nv-info.out
pl_assert_ok "gpuctx: the ioctl caller has an nvidia-source interval" \
	awk '$1 == "interval" && $9 == "nvidia" && $12 == "plread" { f = 1 } END { exit !f }' $G/nv-info.out

# --- top: the live view -------------------------------------------------
LD_LIBRARY_PATH=$FAKE powerledger top --interval 1s --count 4 > $G/top.out 2> $G/top.err &
top=$!
i=0
while ! grep -q "GPU context:" $G/top.err && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
LD_LIBRARY_PATH=$FAKE plcuwl 300 6 $G/wl2.log
wait $top
pl_assert_eq "gpuctx: top exits after --count" $? 0
cat $G/top.out
pl_assert_eq "gpuctx: top printed 4 tables" "$(grep -c '^powerledger top - ' $G/top.out)" 4
pl_assert_ok "gpuctx: top lists the workload's contexts" grep -qE '^ +[0-9]+ +[0-9]+ plcuwl +[01] cuda ' $G/top.out

# --- run: segments carry the contexts; the module's events are logged ----
R=$G/run
mkdir -p $R/claims $R/baselines $R/out $R/keys
for r in reader operator; do powerledger keygen --role $r -o $R/keys > /dev/null; done
LD_LIBRARY_PATH=$FAKE powerledger run --claims $R/claims --baseline-dir $R/baselines --key $R/keys/operator.key \
	--reader-key $R/keys/reader.key --keydir $R/keys -o $R/out --segment 3s --json --status-interval 0 \
	> $R/run.out 2> $R/run.err &
run=$!
i=0
while ! grep -q "GPU context:" $R/run.err && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
LD_LIBRARY_PATH=$FAKE plcuwl 200 8 $G/wl3.log
echo 50000 > $SIM/nack_ppm
sleep 0.5
echo 0 > $SIM/nack_ppm
sleep 1
kill -TERM $run
wait $run
pl_assert_eq "gpuctx: run exits 0 on SIGTERM" $? 0
cat $R/run.err
grep -E '"event":"(segment|kernel)"' $R/run.out | head -8
pl_assert_ge "gpuctx: run logs the module's i2c_error events" \
	"$(grep -c '"event":"kernel".*"kind":"i2c_error"' $R/run.out)" 1
pl_assert_ge "gpuctx: a segment with GPU contexts" \
	"$(grep '"event":"segment"' $R/run.out | grep -vc '"contexts":0')" 1
seg=$(ls $R/out/*.pltr | head -1)
cat $R/out/*.pltr > /dev/null
n=0
for t in $R/out/*.pltr; do
	powerledger info --contexts $t | grep -q '^energy.*plcuwl' && n=$((n + 1))
done
pl_assert_ge "gpuctx: run's traces attribute energy to the workload" $n 1

# --- what is skipped, and why; the power is recorded all the same -------
powerledger record -o $G/nolib.pltr --duration 1s --libcuda /nonexistent/libcuda.so.1 > $G/nolib.out 2> $G/nolib.err
pl_assert_eq "gpuctx: record without libcuda exits 0" $? 0
cat $G/nolib.err
pl_assert_ok "gpuctx: says libcuda was not found" grep -q "cuda: skipped (libcuda.so.1 not found at /nonexistent/libcuda.so.1)" $G/nolib.err
pl_assert_ok "gpuctx: says it records power only" grep -q "no GPU event source on this host.*recording power only" $G/nolib.err
pl_assert_ge "gpuctx: ... and did" "$(cut -f2 $G/nolib.out)" 500
mkfifo $G/fifo.so
timeout 30 powerledger record -o $G/fifo.pltr --duration 1s --libcuda $G/fifo.so > /dev/null 2> $G/fifo.err
pl_assert_eq "gpuctx: a FIFO as --libcuda does not hang record" $? 0
pl_assert_ok "gpuctx: says the FIFO is not a regular file" grep -q "libcuda.so.1 is not a regular file: $G/fifo.so" $G/fifo.err
mount -t tmpfs none /sys/kernel/btf
LD_LIBRARY_PATH=$FAKE powerledger record -o $G/nobtf.pltr --duration 1s > $G/nobtf.out 2> $G/nobtf.err
pl_assert_eq "gpuctx: record without BTF exits 0" $? 0
umount /sys/kernel/btf
cat $G/nobtf.err
pl_assert_ok "gpuctx: says the kernel has no BTF" grep -q "the kernel has no BTF (/sys/kernel/btf/vmlinux missing" $G/nobtf.err
grep -q '^nobody:' /etc/passwd 2>/dev/null || echo 'nobody:x:65534:65534:nobody:/:/bin/sh' >> /etc/passwd
chmod 666 /dev/powerledger
su nobody -s /bin/sh -c "LD_LIBRARY_PATH=$FAKE powerledger record -o /tmp/noperm.pltr --duration 1s" > $G/noperm.out 2> $G/noperm.err
pl_assert_eq "gpuctx: unprivileged record exits 0" $? 0
chmod 600 /dev/powerledger
cat $G/noperm.err
pl_assert_ok "gpuctx: says BPF needs privilege" grep -q "needs CAP_BPF and CAP_PERFMON, or root" $G/noperm.err
powerledger record -o $G/off.pltr --duration 1s --gpu-context off > $G/off.out 2> $G/off.err
pl_assert_eq "gpuctx: --gpu-context off is silent" "$(cat $G/off.err)" ""
rm -f /tmp/noperm.pltr
