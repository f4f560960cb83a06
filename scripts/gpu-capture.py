#!/usr/bin/env python3
"""Capture real GPU power traces under four workloads, as CSV for `powerledger import`.

Runs on a host with an NVIDIA GPU and PyTorch (CUDA).  The power comes from
NVML through torch.cuda.power_draw() (mW, the board's power sensor), polled
every --period-ms in a thread while the workload runs in the main thread:

  idle         nothing on the GPU
  llm-large    transformer-like serving: per request a prefill burst of large
               fp16 matmuls, then decode steps of small ones, requests
               arriving at random (exponential gaps) -- bursty
  llm-medium   the same pattern with a model half the width
  llm-small    the same pattern with a model a quarter of the width
  miner        back-to-back large matmuls with no pause -- flat near the limit

Output: OUT/<workload>.csv with a header `timestamp_ns,watts` (CLOCK_MONOTONIC);
--suffix S names them <workload>S.csv.
This is how tests/data/gpu/*.csv were made (see tests/data/gpu/README.md).
"""
import argparse, os, random, threading, time

import torch


def sampler(stop, rows, period_s):
    nxt = time.monotonic()
    while not stop.is_set():
        mw = torch.cuda.power_draw()
        rows.append((time.monotonic_ns(), mw / 1000.0))
        nxt += period_s
        d = nxt - time.monotonic()
        if d > 0:
            time.sleep(d)


def llm(width, seconds, rng):
    dev = "cuda"
    w_big = torch.randn(width, width, device=dev, dtype=torch.float16)
    x_pre = torch.randn(2048, width, device=dev, dtype=torch.float16)
    x_dec = torch.randn(8, width, device=dev, dtype=torch.float16)
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for _ in range(24):                      # prefill: 24 layers over the prompt
            x_pre = torch.tanh(x_pre @ w_big)
        for _ in range(rng.randint(20, 120)):   # decode: one token at a time
            for _ in range(24):
                x_dec = torch.tanh(x_dec @ w_big)
            torch.cuda.synchronize()
        time.sleep(rng.expovariate(1 / 0.08))   # next request


def miner(seconds):
    a = torch.randn(8192, 8192, device="cuda", dtype=torch.float16)
    b = torch.randn(8192, 8192, device="cuda", dtype=torch.float16)
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for _ in range(8):
            c = a @ b
        torch.cuda.synchronize()
    return c


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--period-ms", type=float, default=5)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workloads", default="idle,llm-large,llm-small,miner",
                    help="comma-separated, in order (also: llm-medium)")
    ap.add_argument("--suffix", default="")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    rng = random.Random(a.seed)
    torch.cuda.init()
    work = {
        "idle": lambda: time.sleep(a.seconds),
        "llm-large": lambda: llm(8192, a.seconds, rng),
        "llm-medium": lambda: llm(4096, a.seconds, rng),
        "llm-small": lambda: llm(2048, a.seconds, rng),
        "miner": lambda: miner(a.seconds),
    }
    for name in a.workloads.split(","):
        fn = work[name]
        rows, stop = [], threading.Event()
        t = threading.Thread(target=sampler, args=(stop, rows, a.period_ms / 1000))
        t.start()
        fn()
        torch.cuda.synchronize()
        stop.set()
        t.join()
        with open(os.path.join(a.out, name + a.suffix + ".csv"), "w") as f:
            f.write("timestamp_ns,watts\n")
            for ts, w in rows:
                f.write("%d,%.3f\n" % (ts, w))
        ws = [w for _, w in rows]
        print("%-10s %6d samples  mean %7.1f W  min %7.1f  max %7.1f" %
              (name, len(ws), sum(ws) / len(ws), min(ws), max(ws)), flush=True)
        time.sleep(3)                           # let the board settle between workloads


if __name__ == "__main__":
    main()
