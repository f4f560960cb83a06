#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""The agent's window features (agent/science/features.h) in Python with NumPy.

The yardstick for scripts/bench-agent: the same definitions as agent/science/features.c,
written as a data scientist would with NumPy (vectorized; np.correlate for
the autocorrelation, np.fft.rfft for the spectrum), on the same .pltr file.

    features.py TRACE [--window-ms 1000] [--rounds 5] [--json OUT]

Prints the per-window time (median, p99, microseconds) of computing every
feature of a window, and with --json writes the features of every window in
the agent's integer units (the names of `powerledger features --json`) so
the bench can check that both compute the same thing.
"""
import argparse
import json
import math
import sys
import time

import numpy as np

HEADER = 256
REC = np.dtype([
    ("ts_ns", "<u8"), ("seq", "<u8"), ("dev_id", "<u4"), ("flags", "<u4"), ("rails", "<u4"),
    ("status_word", "<u2"), ("page", "u1"), ("version", "u1"),
    ("vin_uv", "<i8"), ("iin_ua", "<i8"), ("vout_uv", "<i8"), ("iout_ua", "<i8"),
    ("pout_uw", "<i8"), ("pin_uw", "<i8"), ("temp_mc", "<i4"), ("read_ns", "<u4"),
    ("overruns", "<u4"), ("gpu_pid", "<u4"), ("gpu_ctx", "<u8"), ("reserved", "<u4", (6,)),
])
assert REC.itemsize == 128
RAIL_VOUT, RAIL_IOUT, RAIL_POUT, RAIL_PIN = 1 << 2, 1 << 3, 1 << 4, 1 << 5

SCALE = {
    "mean_mw": 1e3, "stddev_mw": 1e3, "cv_ppm": 1e6, "skew_milli": 1e3, "kurt_milli": 1e3,
    "min_mw": 1e3, "max_mw": 1e3, "par_ppm": 1e6, "crest_ppm": 1e6, "acf_peak_ppm": 1e6,
    "period_us": 1e6, "dom_freq_mhz": 1e3, "spec_entropy_ppm": 1e6, "spec_flatness_ppm": 1e6,
    "band_low_ppm": 1e6, "band_mid_ppm": 1e6, "band_high_ppm": 1e6, "bursts": 1,
    "burstiness_milli": 1e3, "flat_ppm": 1e6, "step_msigma": 1e3, "high_run_mean_us": 1e6,
    "high_run_med_us": 1e6, "high_run_max_us": 1e6, "low_run_mean_us": 1e6, "low_run_med_us": 1e6,
    "low_run_max_us": 1e6, "high_level_mw": 1e3, "low_level_mw": 1e3, "pvi_err_max_ppm": 1e6,
    "pvi_err_med_ppm": 1e6, "swing_ratio_ppm": 1e6, "cadence_us": 1e6, "plateau_us": 1e6,
    "plateau_level_mw": 1e3,
}
PLATEAU_REL, PLATEAU_HALF_S = 0.02, 0.025
CADENCE_MAX_S, CADENCE_COMB, CADENCE_MIN_COMB, CADENCE_FUND = 0.2, 3, 0.3, 0.8


def load(path):
    raw = open(path, "rb").read()
    assert raw[:8] == b"PLTRACE\0", "not a trace"
    hsize = int.from_bytes(raw[10:12], "little")
    period_ns = int.from_bytes(raw[16:24], "little")
    version = int.from_bytes(raw[8:10], "little")
    quantum_uw = int.from_bytes(raw[264:272], "little") if version >= 2 else 0
    tau = max([period_ns] + ([int.from_bytes(raw[o:o + 8], "little") for o in (256, 272)] if version >= 2 else []))
    return np.frombuffer(raw, REC, offset=hsize), period_ns, quantum_uw, 4 * tau / 1e9


def kimjo(tau):
    n = len(tau)
    if n < 2 or tau.mean() <= 0:
        return None
    r = tau.std() / tau.mean()
    a, b = math.sqrt(n + 1), math.sqrt(n - 1)
    return (a * r - b) / ((a - 2) * r + b)


def spectrum_len(n):
    """The largest m <= n with no prime factor above 7 (features.h: feat_spectrum_len)."""
    m = n
    while m > 4:
        r = m
        for f in (2, 3, 5, 7):
            while r % f == 0:
                r //= f
        if r == 1:
            break
        m -= 1
    return m


def window(rec, period_s, flat_tol=0.01, band_lo=5.0, band_hi=50.0, acf_min=0.2, noise_floor=0.0,
           min_swing_rel=0.1, min_cadence_s=0.0):
    f = {}
    rails = rec["rails"]
    power = np.where(rails & RAIL_PIN, rec["pin_uw"], rec["pout_uw"])
    x = power[(rails & (RAIL_PIN | RAIL_POUT)) != 0].astype(np.float64) / 1e6
    n = len(x)
    mean = x.mean()
    d = x - mean
    m2 = np.mean(d * d)
    std = math.sqrt(m2)
    f["mean_mw"], f["stddev_mw"] = mean, std
    f["min_mw"], f["max_mw"] = x.min(), x.max()
    f["crest_ppm"] = np.abs(x).max() / math.sqrt(np.mean(x * x))
    # plateau: the longest run within max(2 % of the level, 2 noise floors) of the centred
    # moving mean over +-25 ms (cut at the window's edges)
    h = max(2, int(math.floor(PLATEAU_HALF_S / period_s + 0.5)))  # llround: half away from zero
    cs = np.r_[0.0, np.cumsum(x)]
    i = np.arange(n)
    lo, hi = np.maximum(0, i - h), np.minimum(n, i + h + 1)
    mm = (cs[hi] - cs[lo]) / (hi - lo)
    held = np.abs(x - mm) <= np.maximum(PLATEAU_REL * np.abs(mm), 2 * noise_floor)
    edges = np.diff(np.r_[0, held.astype(np.int8), 0])
    st, en = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    if len(st):
        j = np.argmax(en - st)
        f["plateau_us"], f["plateau_level_mw"] = (en[j] - st[j]) * period_s, x[st[j]:en[j]].mean()
    else:
        f["plateau_us"] = 0.0
    if mean > 0:
        f["cv_ppm"], f["par_ppm"] = std / mean, x.max() / mean
    if std > 0:
        f["skew_milli"] = np.mean(d ** 3) / m2 ** 1.5
        f["kurt_milli"] = np.mean(d ** 4) / m2 ** 2 - 3
        # autocorrelation: highest local maximum above acf_min, lags 2 .. n/2
        ac = np.correlate(d, d, "full")[n - 1:] / (m2 * n)
        hi_lag = min(n // 2, n - 2)
        k = np.arange(2, hi_lag + 1)
        peaks = k[(ac[k] >= ac[k - 1]) & (ac[k] > ac[k + 1]) & (ac[k] > acf_min)]
        if len(peaks):
            best = peaks[np.argmax(ac[peaks])]
            f["acf_peak_ppm"], f["period_us"] = ac[best], best * period_s
        else:
            f["acf_peak_ppm"], f["period_us"] = 0.0, 0.0
        # cadence: among the local maxima in 4 readings .. 0.2 s, the best comb (mean ACF near
        # its first 3 multiples), at least CADENCE_MIN_COMB; refined by parabolas at each multiple
        cmax = min(int(CADENCE_MAX_S / period_s), n // 2)
        hi = n // 2 + 1  # the agent's ACF holds lags 1 .. n/2 + 1; usable below hi

        def near(at, tol):
            lo = at - tol if at > tol + 1 else 1
            ks = np.arange(lo, min(at + tol, hi - 2) + 1)
            return ks[np.argmax(ac[ks])]

        def comb(k):
            vals = [ac[k]]
            for m in range(2, CADENCE_COMB + 1):
                tol = max(1, m * k // 20)
                if m * k + tol + 1 >= hi:
                    break
                vals.append(ac[near(m * k, tol)])
            return vals

        kc = np.arange(max(2, math.ceil(min_cadence_s / period_s)), cmax + 1)
        cp = kc[(ac[kc] >= ac[kc - 1]) & (ac[kc] > ac[kc + 1]) & (ac[kc] > acf_min)]
        best, best_k = -math.inf, 0
        for k in cp:
            c = np.mean(comb(int(k)))
            if c > best:
                best, best_k = c, int(k)
        if best_k and best >= CADENCE_MIN_COMB:
            # prefer the fundamental: a peak near best / m at least CADENCE_FUND as high, its comb passing
            for m in range(CADENCE_COMB, 1, -1):
                tol = max(1, best_k // 20)
                lo, hi2 = (best_k - tol) // m, (best_k + tol) // m
                js = [j for j in range(max(lo, int(kc[0])), hi2 + 1)
                      if ac[j] >= ac[j - 1] and ac[j] > ac[j + 1] and ac[j] > acf_min
                      and ac[j] >= CADENCE_FUND * ac[best_k] and np.mean(comb(j)) >= CADENCE_MIN_COMB]
                if js:
                    best_k = js[0]
                    break
            num = den = 0.0
            for m in range(1, CADENCE_COMB + 1):
                tol = max(1, m * best_k // 20)
                if m > 1 and m * best_k + tol + 1 >= hi:
                    break
                p = best_k if m == 1 else int(near(m * best_k, tol))
                l, c, r = ac[p - 1], ac[p], ac[p + 1]
                dd = l - 2 * c + r
                dd = 0.5 * (l - r) / dd if dd < 0 else 0.0
                num += m * (p + min(0.5, max(-0.5, dd)))
                den += m * m
            f["cadence_us"] = num / den * period_s
        # spectrum: the first m samples (m <= n, 7-smooth), periodic Hann, mean removed, bins 1 .. m/2
        ms = spectrum_len(n)
        xs = x[:ms]
        hann = 0.5 * (1 - np.cos(2 * np.pi * np.arange(ms) / ms))
        p = np.abs(np.fft.rfft((xs - xs.mean()) * hann)[1:ms // 2 + 1]) ** 2
        total = p.sum()
        if total > 0:
            K = len(p)
            freq = np.arange(1, K + 1) / (ms * period_s)
            q = p / total
            nz = q[q > 0]
            f["dom_freq_mhz"] = freq[np.argmax(p)]
            f["spec_entropy_ppm"] = -(nz * np.log(nz)).sum() / math.log(K) if K > 1 else 0.0
            f["spec_flatness_ppm"] = math.exp(np.log(p + total * 1e-15).mean()) / (total / K)
            f["band_low_ppm"] = q[freq < band_lo].sum()
            f["band_mid_ppm"] = q[(freq >= band_lo) & (freq < band_hi)].sum()
            f["band_high_ppm"] = q[freq >= band_hi].sum()
    median = np.median(x)
    f["flat_ppm"] = np.mean(np.abs(x - median) <= flat_tol * abs(median))
    dx = np.diff(x)
    dmed = np.median(dx)
    mad = np.median(np.abs(dx - dmed))
    f["step_msigma"] = np.abs(dx - dmed).max() / max(1.4826 * mad, 1e-3 * abs(median))
    bursts(x, dx, dmed, mad, median, period_s, f, noise_floor, min_swing_rel)
    out_rails = RAIL_POUT | RAIL_VOUT | RAIL_IOUT
    ok = (rails & out_rails) == out_rails
    if ok.any():
        pw = rec["pout_uw"][ok].astype(np.float64)
        vi = rec["vout_uv"][ok].astype(np.float64) * rec["iout_ua"][ok].astype(np.float64) / 1e6
        err = np.abs(pw - vi) / np.maximum(np.abs(pw), 1e6)
        f["pvi_err_max_ppm"], f["pvi_err_med_ppm"] = err.max(), np.median(err)
    return f


def bursts(x, dx, dmed, mad, median, period_s, f, noise_floor, min_swing_rel):
    noise = max(1.4826 * mad / math.sqrt(2), 1e-4 * abs(median), noise_floor)
    lo, hi = np.quantile(x, [0.01, 0.99])
    if hi - lo < 6 * noise or hi - lo < min_swing_rel * abs(lo):
        f["bursts"] = 0
        return
    thr = (lo + hi) / 2
    for _ in range(50):  # isodata
        above = x >= thr
        if above.all() or not above.any():
            break
        lo, hi = x[~above].mean(), x[above].mean()
        nthr = (lo + hi) / 2
        done = abs(nthr - thr) < 1e-9 * abs(thr) + 1e-12
        thr = nthr
        if done:
            break
    hyst = max(0.1 * (hi - lo), 3 * noise)
    # hysteresis without a Python loop: carry the last decided state forward
    st = np.where(x >= thr + hyst, 1, np.where(x <= thr - hyst, 0, -1))
    st[0] = 1 if x[0] >= thr else 0
    idx = np.where(st >= 0, np.arange(len(x)), 0)
    st = st[np.maximum.accumulate(idx)]
    onsets = np.flatnonzero((st[1:] == 1) & (st[:-1] == 0)) + 1
    f["bursts"] = len(onsets)
    b = kimjo(np.diff(onsets) * period_s)
    if b is not None:
        f["burstiness_milli"] = b
    f["high_level_mw"], f["low_level_mw"] = hi, lo
    if hi > 0:
        f["swing_ratio_ppm"] = (hi - lo) / hi
    change = np.flatnonzero(np.diff(st)) + 1  # run starts after the first
    if len(change) >= 2:
        starts, ends = change[:-1], change[1:]  # complete runs only
        lengths = (ends - starts) * period_s
        for state, name in ((1, "high"), (0, "low")):
            sel = lengths[st[starts] == state]
            if len(sel):
                f[name + "_run_mean_us"] = sel.mean()
                f[name + "_run_med_us"] = np.median(sel)
                f[name + "_run_max_us"] = sel.max()


def windows(rec, period_ns, window_ns):
    ts = rec["ts_ns"]
    origin = int(ts[0])
    k = (ts - origin) // window_ns
    bounds = np.flatnonzero(np.diff(k)) + 1
    need = max(8, window_ns // period_ns // 2)
    for a, b in zip(np.r_[0, bounds], np.r_[bounds, len(ts)]):
        if b - a >= need:
            yield origin + int(k[a]) * window_ns, rec[a:b]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("trace")
    ap.add_argument("--window-ms", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--json")
    a = ap.parse_args()
    rec, period_ns, quantum_uw, min_cadence_s = load(a.trace)
    period_s = period_ns / 1e9
    wins = list(windows(rec, period_ns, a.window_ms * 1000000))
    times, feats = [], []
    for r in range(a.rounds):
        for start, w in wins:
            t0 = time.perf_counter()
            f = window(w, period_s, noise_floor=quantum_uw / 1e6, min_cadence_s=min_cadence_s)
            times.append(time.perf_counter() - t0)
            if r == 0:
                feats.append({"start_ns": start, "samples": len(w),
                              "features": {k: int(round(v * SCALE[k])) for k, v in f.items()}})
    us = np.array(times) * 1e6
    print("py.windows=%d" % len(us))
    print("py.median_us=%.1f" % np.median(us))
    print("py.p99_us=%.1f" % np.percentile(us, 99))
    print("py.numpy=%s" % np.__version__)
    if a.json:
        json.dump(feats, open(a.json, "w"))


if __name__ == "__main__":
    sys.exit(main())
