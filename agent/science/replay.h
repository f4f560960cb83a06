/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Replayed telemetry: a recorded stretch of power played back in a loop.
 *
 * A live sensor's reading-to-reading changes carry noise that never comes
 * back: the board's own fluctuation, the load's, the converter's.  A replay
 * brings all of it back, sample for sample, one loop later.  So the
 * statistic is the correlation of the first differences with themselves at
 * a lag L, after winsorizing them at 3 robust sigmas (1.4826 times the
 * median nonzero change: a sensor polled faster than it refreshes repeats
 * readings), so that the step edges of a periodic workload (a training
 * loop's iterations) do not decide it -- the noise-level fine structure
 * does:
 *
 *   r(L) = sum w_i w_{i+L} / sqrt(sum_{i < m-L} w_i^2  sum_{i >= L} w_i^2)
 *
 * over chunks of REPLAY_CHUNK samples (65 s at 1 kHz: a check's memory
 * stays within ~3 MiB), for L in [REPLAY_MIN_LAG_S, REPLAY_MAX_LAG_S] and
 * at most a third of the chunk (21 s at 1 kHz: a longer loop is not seen).  For independent
 * noise r(L) ~ N(0, 1 / (m - L)); a live workload's steps make it larger
 * (their edges survive the winsorizing: 0.58 at a training loop's 0.68 s
 * iteration in the generator, 0.38 for diffusion steps) but live noise
 * keeps it well below 1.  A replay of recorded readings brings every one
 * back: r = 1 at the loop's length wherever the loop runs.
 *
 * So in each chunk lags are searched on coarse differences (sums of
 * REPLAY_COARSE: an FFT a quarter the size; the best r >= REPLAY_SCREEN_R
 * there); the coarse peaks within 0.05 of the best are refined, shortest
 * first, to exact lags by direct sums (a loop repeats at its multiples, and
 * one of a fractional number of samples exactly only at some of them), and
 * the shortest exact lag at REPLAY_MIN_R is examined block by block (1 s
 * blocks, r at L in each).  A replay
 * is called when a run of blocks with r >= REPLAY_MIN_R spans at least
 * REPLAY_MIN_SPAN_S (a stretch of readings identical to those one lag
 * earlier is the replay, however many loops it holds), its z =
 * r sqrt(samples) >= REPLAY_MIN_Z (for independent noise ~1e-23 per lag),
 * its r stands REPLAY_SHARPER above every lag between REPLAY_SHORT_S and
 * REPLAY_MIN_LAG_S (a signal that repeats as exactly at short lags is
 * periodic: a test pattern, interference, not a loop), and the readings in
 * it change at REPLAY_MIN_CHANGE of the sensor's refreshes at least (the
 * refresh: the 10th percentile of how long a reading is held).  A quiet
 * reading whose only changes are a periodic event -- an idle GPU on one
 * quantization step, blipped by a 1 Hz poll -- correlates perfectly with
 * itself at the event's period, and says nothing of a loop.  Lags below
 * REPLAY_SHORT_S are the sensor's own smoothing.  Evidence: the lag, r, z
 * and where the loop ran.  rail-tamper judges it on kernel captures only.
 */
#ifndef PL_REPLAY_H
#define PL_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#include "lib/sample.h"

#define REPLAY_CHUNK	   65536
#define REPLAY_COARSE	   4 /* differences summed per coarse step of the lag search (lags of 64+ samples) */
#define REPLAY_CANDIDATES  64 /* coarse peaks refined to exact lags, at most */
#define REPLAY_MIN_LAG_S   0.5
#define REPLAY_MAX_LAG_S   30.0
#define REPLAY_SHORT_S	   0.02
#define REPLAY_SCREEN_R	   0.3
#define REPLAY_MIN_R	   0.95
#define REPLAY_MIN_SPAN_S  10.0
#define REPLAY_MIN_Z	   10.0
#define REPLAY_SHARPER	   0.1
#define REPLAY_MIN_CHANGE  0.3

struct replay_result {
	uint64_t start_ns, end_ns; /* where the loop ran (found), else the chunk of the strongest lag */
	double lag_s;		   /* the loop's length (found), else the strongest lag */
	double r, z;		   /* its correlation (mean over the run's blocks when found) and z */
	double span_s;		   /* how long the loop ran (found) */
	double short_r;		   /* largest |r| at lags REPLAY_SHORT_S .. REPLAY_MIN_LAG_S */
	size_t chunks;		   /* chunks examined */
	int found;		   /* 1: replayed; 0: not; the best chunk's figures either way */
};

/* replay.c APIs: */

/*
 * Looks for a replay in the power readings (PIN, else POUT) of s[0..n),
 * taken every period_ns.  0 with *res filled (res->found says), -ENOMEM.
 */
int replay_scan(const struct pl_sample *s, size_t n, uint64_t period_ns, struct replay_result *res);

#endif /* PL_REPLAY_H */
