#!/usr/bin/env python3
"""Writes the BYOM claim's known-truth checkpoints (kilobytes; committed, so tests need no Python).

Run from this folder with Debian's python3-torch and python3-numpy:  /usr/bin/python3 make_byom_fixtures.py
The Ahn et al. setting, small: d = 3, n = 10 (in the file names, the authors' _N<n>_ pattern), L = 2, Sigma = U D^2 U^T with
D = diag(1, 1/2, 1) and U a seeded rotation, w* ~ N(0, Sigma^-1). Weights are float32 in the authors' layout (allparam (L, 1, 2, d, d),
[l,0,0] = P = 0 (their p0 recipe), [l,0,1] = their Q block C_l), saved the way their code saves: torch.save of a dict with U and D.
The suite's family (8) A_l (Q_l = -[[A_l,0],[0,0]]) is A_l = -C_l^T, and the exact AHN-T3 optimum is A_l = a_l Sigma^-1 with
a = {0.44288552855841173, 1.1576494692124308} (the kernel-polynomial steps of LearningTheory.SparseOptimum(10, 3, 2), exact moments).
  optimum_layer2_N10.{pt,safetensors,npz}  the optimum (every check holds, exit 0), the same float32 values in three formats
  perturbed_layer2_N10.{pt,npz}               A_0 scaled by 1.3 (still a multiple of Sigma^-1): the loss check fails (exit 1)
  looped_optimum_N10.npz                   Gatmiry's looped (A, u) at GAT-T1's optimum: A = b* Sigma^-1 (b* = 0.663845698444975, LoopedScalar.ExactOptimum(10, 3, 2)),
                                           u = 0, loops = 2 (every check holds; test-time loops 1..50)
  log_layer2_N10.npz                       a training log hist_list.0 .. hist_list.5 moving from a small random start to the optimum
                                           (Dist and loss against the step; the verdict is the last snapshot's: exit 0)
  plaingd_layer2_N10.{pt,npz}                 A_l = a_l I (plain GD at the optimal steps): the preconditioner check fails (exit 1)
"""
import os
import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
D_, N_, L_ = 3, 10, 2
STEPS = [0.44288552855841173, 1.1576494692124308]
B_STAR = 0.663845698444975


def write(name, a_list, u, dm, formats=('pt',)):
    allparam = np.zeros((L_, 1, 2, D_, D_), dtype=np.float32)
    for l, a in enumerate(a_list):
        allparam[l, 0, 1] = (-a.T).astype(np.float32)   # their Q block C_l = -A_l^T; P block stays 0
    tensors = {'allparam': allparam, 'U': u, 'D': dm}
    base = os.path.join(HERE, name)
    if 'pt' in formats:
        torch.save({k: torch.from_numpy(v) for k, v in tensors.items()}, base + '.pt')
    if 'npz' in formats:
        np.savez(base + '.npz', **tensors)
    if 'safetensors' in formats:
        import json, struct
        header, blobs, offset = {}, [], 0
        for k, v in tensors.items():
            b = np.ascontiguousarray(v, dtype='<f4').tobytes()
            header[k] = {'dtype': 'F32', 'shape': list(v.shape), 'data_offsets': [offset, offset + len(b)]}
            blobs.append(b)
            offset += len(b)
        h = json.dumps(header, separators=(',', ':')).encode()
        h += b' ' * (-len(h) % 8)
        with open(base + '.safetensors', 'wb') as f:
            f.write(struct.pack('<Q', len(h)) + h + b''.join(blobs))


def main():
    rng = np.random.default_rng(20261204)
    q, r = np.linalg.qr(rng.standard_normal((D_, D_)))
    u = (q * np.sign(np.diag(r))).astype(np.float32)
    dm = np.diag([1.0, 0.5, 1.0]).astype(np.float32)
    # Sigma exactly as the checker forms it from the stored float32 U and D (in float64).
    root = u.astype(np.float64) @ dm.astype(np.float64)
    sigma_inv = np.linalg.inv(root @ root.T)
    optimum = [s * sigma_inv for s in STEPS]
    write('optimum_layer2_N10', optimum, u, dm, formats=('pt', 'safetensors', 'npz'))
    write('perturbed_layer2_N10', [1.3 * optimum[0], optimum[1]], u, dm, formats=('pt', 'npz'))
    np.savez(os.path.join(HERE, 'looped_optimum_N10.npz'), A=(B_STAR * sigma_inv).astype(np.float32), u=np.zeros(D_, np.float32),
             loops=np.array(L_, dtype=np.int64), U=u, D=dm)
    start = [0.01 * rng.standard_normal((D_, D_)) for _ in range(L_)]
    log = {}
    for k, t in enumerate(np.linspace(0, 1, 6)):
        a_list = [(1 - t) * s0 + t * a for s0, a in zip(start, optimum)]
        allparam = np.zeros((L_, 1, 2, D_, D_), dtype=np.float32)
        for l, a in enumerate(a_list):
            allparam[l, 0, 1] = (-a.T).astype(np.float32)
        log['hist_list.%d' % k] = allparam
    np.savez(os.path.join(HERE, 'log_layer2_N10.npz'), U=u, D=dm, **log)
    write('plaingd_layer2_N10', [s * np.eye(D_) for s in STEPS], u, dm, formats=('pt', 'npz'))


if __name__ == '__main__':
    main()
