"""numpy LSTM / GRU / RNN (course_utils) against torch.nn on CPU: forward + backward, one thread.

    .venv/bin/python benchmarks/rnn_speed.py [--repeats 10] [--rounds 9]

Batch 32, sequence 50, input 8, hidden 64, float32 (the issue's setting). Both run in this process
with one thread each; prints the median CPU time (``time.process_time``: with one thread it is the
compute time, and other processes on a busy machine do not inflate it) per forward+backward and the
ratio numpy / torch measured in the same run: the median over interleaved rounds of the ratio
within a round (the range over rounds printed beside it). Goal: LSTM and GRU within 1.5x of torch.
"""

from __future__ import annotations

import argparse
import os
import time

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from course_utils.rnn import GRU, LSTM, RNN  # noqa: E402

T, B, D, H = 50, 32, 8, 64


def _median_ms(fn, repeats):
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return 1e3 * float(np.median(times))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=10, help="calls per round (median)")
    parser.add_argument("--rounds", type=int, default=9, help="interleaved rounds")
    args = parser.parse_args()
    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((T, B, D)).astype(np.float32)
    d_out = rng.standard_normal((T, B, H)).astype(np.float32)
    print(f"forward + backward, T={T} B={B} D={D} H={H}, float32, one thread")
    print(f"{'cell':6s} {'numpy ms':>9s} {'torch ms':>9s} {'ratio':>6s}   (CPU time)")
    with threadpool_limits(limits=1):
        for name, ours_cls, torch_cls in (("LSTM", LSTM, torch.nn.LSTM),
                                          ("GRU", GRU, torch.nn.GRU),
                                          ("RNN", RNN, torch.nn.RNN)):  # fmt: skip
            module = torch_cls(D, H)
            ours = ours_cls(D, H, dtype=np.float32).load_torch(module)
            xt, gt = torch.from_numpy(x).requires_grad_(), torch.from_numpy(d_out)

            def torch_step(module=module, xt=xt, gt=gt):
                module.zero_grad()
                out, _ = module(xt)
                out.backward(gt)

            def numpy_step(ours=ours):
                ours.forward(x)
                ours.backward(d_out)

            # interleave the two measurements in rounds so a load change hits both alike; the
            # ratio is the median of the per-round ratios (robust to a slow round on a shared VM)
            t_np, t_torch = [], []
            for _ in range(args.rounds):
                t_torch.append(_median_ms(torch_step, args.repeats))
                t_np.append(_median_ms(numpy_step, args.repeats))
            ratios = np.array(t_np) / np.array(t_torch)
            n, t = float(np.median(t_np)), float(np.median(t_torch))
            print(f"{name:6s} {n:9.2f} {t:9.2f} {np.median(ratios):6.2f}"
                  f"   rounds {ratios.min():.2f}-{ratios.max():.2f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
