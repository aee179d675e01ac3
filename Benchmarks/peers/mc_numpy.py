#!/usr/bin/env python3
"""Batched numpy peer of the benchmark's Monte Carlo loss (mc-loss, L = 8): the looped Gatmiry model (Q = [[A,0],[0,0]],
P = [[0,0],[0,1]], minus residual, A = 0.9 I + N(0, 0.01^2)), d = 10, n = 40, x ~ N(0, I), w* ~ N(0, I), noise-free targets.
The same algebra as the engine's preconditioned path: v = X^T y / n, b = A x_q, K = H A^T with H = X^T X / n;
y_hat = sum over loops of <v_l, b>, v_{l+1} = v_l - K v_l. Whole chunks of prompts at once (one process; numpy's own threads).
Prints one JSON line: prompts_per_s (best of --repeats), the loss and its standard error."""
import argparse, json, sys, time

try:
    import numpy as np
except ImportError:
    print(json.dumps({"error": "numpy is not installed"}))
    sys.exit(3)

def mc_loss(rng, a, prompts, chunk, d=10, n=40, loops=8):
    errs = []
    for start in range(0, prompts, chunk):
        b = min(chunk, prompts - start)
        x = rng.standard_normal((b, n, d))
        w = rng.standard_normal((b, d))
        xq = rng.standard_normal((b, d))
        y = (x @ w[:, :, None])[:, :, 0]
        yq = np.einsum("bd,bd->b", xq, w)
        xt = x.transpose(0, 2, 1)
        h = xt @ x / n
        v = (xt @ y[:, :, None])[:, :, 0] / n
        bq = xq @ a.T
        k = h @ a.T
        yhat = np.zeros(b)
        for l in range(loops):
            yhat += np.einsum("bi,bi->b", v, bq)
            if l + 1 < loops:
                v = v - (k @ v[:, :, None])[:, :, 0]
        errs.append((yhat - yq) ** 2)
    e = np.concatenate(errs)
    return e.mean(), e.std(ddof=1) / np.sqrt(len(e))

def main():
    p = argparse.ArgumentParser()
    p.add_argument("--prompts", type=int, default=100_000)
    p.add_argument("--chunk", type=int, default=20_000)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--seed", type=int, default=11)
    args = p.parse_args()
    if args.prompts < 1 or args.chunk < 1 or args.repeats < 1:
        print("error: --prompts, --chunk and --repeats must be ≥ 1", file=sys.stderr)
        sys.exit(2)
    rng = np.random.default_rng(args.seed)
    a = 0.9 * np.eye(10) + 0.01 * np.random.default_rng(1).standard_normal((10, 10))
    mc_loss(rng, a, min(args.prompts, args.chunk), args.chunk)  # warm-up
    best, loss = float("inf"), None
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        loss = mc_loss(rng, a, args.prompts, args.chunk)
        best = min(best, time.perf_counter() - t0)
    print(json.dumps({"mc-loss-numpy": {"prompts_per_s": args.prompts / best, "loss": loss[0], "standard_error": loss[1], "numpy": np.__version__}}))

if __name__ == "__main__":
    main()
