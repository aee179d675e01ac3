#!/usr/bin/env python3
"""Writes the checkpoint fixtures the C# readers are tested on (kilobytes; committed, so tests need no Python).

Run from this folder with Debian's python3-torch (1.13) and python3-numpy:  /usr/bin/python3 make_fixtures.py
Writes good/ (checkpoints the readers must read), bad/ (files each reader must refuse with one clear error) and
expected.json: the values of every tensor of every good file, computed here by torch/numpy (not by the C# reader),
as shortest round-trip decimal strings of the float64 values, plus predictions of the Ahn et al. model on fixed prompts.
Rerunning it rewrites the same bytes, except bad/legacy.pt (torch's legacy format names storages by memory address).
"""
import collections, io, json, os, shutil, struct, zipfile
import numpy as np
import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
GOOD, BAD = os.path.join(HERE, 'good'), os.path.join(HERE, 'bad')
L, D, N = 2, 3, 20                       # layers, dimension, context length (in the log file name)
MARKER = '/tmp/loopedicl-pwned-byom'     # the malicious pickle would create this file
FIXED_TIME = (2026, 1, 1, 0, 0, 0)       # zip timestamps, so that rerunning the script changes no file


class AhnTransformer(nn.Module):
    """The Ahn et al. (2023) linear transformer: one parameter allparam (L, H=1, 2, d, d); [l,0] = P, [l,1] = Q."""

    def __init__(self, layers, d):
        super().__init__()
        self.allparam = nn.Parameter(0.1 * torch.randn(layers, 1, 2, d, d))

    def forward(self, z):
        return predict(z, self.allparam)


def predict(z, allparam):
    """Z: B x (N+1) x (d+1) tokens as rows; a layer adds (1/N) S mask (Z P_full^T), S = Z Q_full Z^T; prediction -Z[N, d]."""
    b, n1, d1 = z.shape
    n, d = n1 - 1, d1 - 1
    mask = torch.eye(n1, dtype=z.dtype)
    mask[n, n] = 0
    for l in range(allparam.shape[0]):
        residue = 0
        for h in range(allparam.shape[1]):
            p_full = torch.zeros(d1, d1, dtype=z.dtype)
            p_full[:d, :d] = allparam[l, h, 0]
            p_full[d, d] = 1
            q_full = torch.zeros(d1, d1, dtype=z.dtype)
            q_full[:d, :d] = allparam[l, h, 1]
            scores = torch.einsum('bni,ij,bmj->bnm', z, q_full, z)
            keys = torch.einsum('ij,bnj->bni', p_full, z)
            residue = residue + torch.einsum('bnm,ml,bli->bni', scores, mask, keys) / n
        z = z + residue
    return -z[:, n, d]


def predict_numpy(z, allparam):
    """The same prediction in NumPy float64, written independently (the expected values of the layout tests)."""
    b, n1, d1 = z.shape
    n, d = n1 - 1, d1 - 1
    mask = np.eye(n1)
    mask[n, n] = 0
    for l in range(allparam.shape[0]):
        out = np.zeros_like(z)
        for h in range(allparam.shape[1]):
            p_full = np.zeros((d1, d1)); p_full[:d, :d] = allparam[l, h, 0]; p_full[d, d] = 1
            q_full = np.zeros((d1, d1)); q_full[:d, :d] = allparam[l, h, 1]
            for k in range(b):
                s = z[k] @ q_full @ z[k].T
                out[k] += s @ mask @ (z[k] @ p_full.T) / n
        z = z + out
    return -z[:, n, d]


def prompts(batch, n, d, gen):
    x = torch.randn(batch, n + 1, d, generator=gen)
    w = torch.randn(batch, d, generator=gen)
    y = torch.einsum('bnd,bd->bn', x, w)
    query_label = y[:, n].clone()
    y[:, n] = 0
    return torch.cat([x, y[..., None]], dim=2), query_label


def values_of(t):
    return [repr(float(v)) for v in t.detach().to(torch.float64).contiguous().reshape(-1).tolist()]


expected = collections.OrderedDict()


def expect(file, tensors):
    expected[file] = collections.OrderedDict(
        (name, {'shape': list(t.shape), 'values': values_of(t)}) for name, t in tensors.items())


def good(name):
    return os.path.join(GOOD, name)


def bad(name):
    return os.path.join(BAD, name)


def rewrite_zip(src, dst, prefix=None, extra=None, replace=None):
    """Copies a torch zip, renaming the top folder, adding records and replacing entries (by name after the folder)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, 'w', zipfile.ZIP_STORED) as zout:
        old = zin.namelist()[0].split('/')[0]
        new = prefix or old
        for info in zin.infolist():
            rest = info.filename.split('/', 1)[1]
            data = zin.read(info.filename)
            if replace and rest in replace:
                data = replace[rest]
            zout.writestr(zipfile.ZipInfo(new + '/' + rest, FIXED_TIME), data)
        for rest, data in (extra or {}).items():
            zout.writestr(zipfile.ZipInfo(new + '/' + rest, FIXED_TIME), data)


def safetensors_bytes(tensors, dtype='F32', header_patch=None):
    """safetensors written by hand from the format definition (8-byte length, JSON header, data)."""
    header, blobs, offset = collections.OrderedDict(), [], 0
    for name, t in tensors.items():
        raw = t.detach().contiguous().numpy().astype({'F32': '<f4', 'F64': '<f8'}[dtype]).tobytes()
        header[name] = {'dtype': dtype, 'shape': list(t.shape), 'data_offsets': [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    header['__metadata__'] = {'format': 'pt'}
    if header_patch:
        header_patch(header)
    text = json.dumps(header).encode()
    text += b' ' * (-len(text) % 8)
    return struct.pack('<Q', len(text)) + text + b''.join(blobs)


def npy_bytes(header_text, data):
    """An .npy v1.0 file with a hand-written header dict (for headers numpy itself would not write)."""
    h = header_text + ' ' * ((64 - (10 + len(header_text) + 1) % 64) % 64) + '\n'
    return b'\x93NUMPY\x01\x00' + struct.pack('<H', len(h)) + h.encode('latin1') + data


class Evil:
    """A pickle is code: unpickling this runs os.system (posix.system on Linux)."""

    def __reduce__(self):
        return os.system, ('touch ' + MARKER,)


def main():
    for folder in (GOOD, BAD):
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder)
    torch.manual_seed(20261204)
    gen = torch.Generator().manual_seed(7)
    model = AhnTransformer(L, D)
    sd = model.state_dict()
    allparam = sd['allparam']

    # A few training steps give a log of distinct snapshots (the authors' hist_list).
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    hist = [model.allparam.detach().clone()]
    for step in range(3):
        z, target = prompts(8, N, D, gen)
        loss = ((model(z) - target) ** 2).mean()
        opt.zero_grad(); loss.backward(); opt.step()
        hist.append(model.allparam.detach().clone())

    torch.save(sd, good('state_dict.pt'))
    expect('state_dict.pt', {'allparam': allparam})

    log = 'train_layer%d_N%d_gaussian_adam_clip_lr0.01_sd1.pth' % (L, N)
    torch.save({'hist_list': hist}, good(log))
    expect(log, {'hist_list.%d' % i: t for i, t in enumerate(hist)})

    u, _ = torch.linalg.qr(torch.randn(D, D, generator=gen))
    dm = torch.diag(torch.tensor([1.0, 0.5, 2.0]))
    torch.save({'hist': hist[-2:], 'U': u, 'D': dm}, good('hist_U_D.pt'))
    expect('hist_U_D.pt', {'D': dm, 'U': u, 'hist.0': hist[-2], 'hist.1': hist[-1]})

    train_sd = model.state_dict()
    opt_sd = opt.state_dict()
    torch.save({'model_state_dict': train_sd, 'optimizer_state_dict': opt_sd, 'train_step': 3}, good('training_checkpoint.pt'))
    tensors = collections.OrderedDict([('model_state_dict.allparam', train_sd['allparam'])])
    for k, v in opt_sd['state'][0].items():
        if torch.is_tensor(v):
            tensors['optimizer_state_dict.state.0.' + k] = v
    expect('training_checkpoint.pt', tensors)

    # A bare tensor is named "tensor".
    torch.save(allparam, good('bare_tensor.pt'))
    expect('bare_tensor.pt', {'tensor': allparam})

    # A parameter saved as itself (not its state dict) pickles through torch._utils._rebuild_parameter.
    torch.save({'allparam': model.allparam}, good('parameter.pt'))
    expect('parameter.pt', {'allparam': allparam})

    compiled = collections.OrderedDict([('_orig_mod.allparam', allparam)])
    torch.save({'model': compiled}, good('compiled_model.pt'))
    expect('compiled_model.pt', {'model._orig_mod.allparam': allparam})

    for name, dtype in (('float16', torch.float16), ('bfloat16', torch.bfloat16)):
        t = allparam.to(dtype)
        torch.save(collections.OrderedDict([('allparam', t)]), good('state_dict_%s.pt' % name))
        expect('state_dict_%s.pt' % name, {'allparam': t})

    base = torch.arange(24, dtype=torch.float64).reshape(4, 6) / 8
    views = collections.OrderedDict([
        ('transposed', base.t()),              # strides (1, 6)
        ('rows_from_1', base[1:]),             # storage offset 6
        ('every_other_column', base[1:, ::2]), # offset 6, strides (6, 2)
        ('scalar', base[2, 3]),                # 0-d, offset 15
    ])
    torch.save(views, good('strided_views.pt'))
    expect('strided_views.pt', views)

    # Storages saved from a GPU carry their location; without a GPU, tag them 'cuda:0' the way torch.save would.
    tag = torch.serialization.location_tag
    torch.serialization.location_tag = lambda storage: 'cuda:0'
    try:
        torch.save(sd, good('state_dict_cuda.pt'))
    finally:
        torch.serialization.location_tag = tag
    with zipfile.ZipFile(good('state_dict_cuda.pt')) as z:
        assert b'cuda:0' in z.read(z.namelist()[0].split('/')[0] + '/data.pkl')
    expect('state_dict_cuda.pt', {'allparam': allparam})

    # torch 2.x writes byteorder, .format_version, .storage_alignment and .data/serialization_id; the folder is any name.
    torch2 = {'byteorder': b'little', '.format_version': b'1', '.storage_alignment': b'64',
              '.data/serialization_id': b'1234567890123456789012345678901234567890'}
    rewrite_zip(good('state_dict.pt'), good('state_dict_torch2.pt'), prefix='archive', extra=torch2)
    expect('state_dict_torch2.pt', {'allparam': allparam})

    with open(good('weights.safetensors'), 'wb') as f:
        f.write(safetensors_bytes({'allparam': allparam}))
    expect('weights.safetensors', {'allparam': allparam})
    np.savez(good('weights.npz'), allparam=allparam.numpy())
    expect('weights.npz', {'allparam': allparam})
    np.save(good('weights.npy'), allparam.numpy())
    expect('weights.npy', {'tensor': allparam})
    fortran = np.asfortranarray(base.numpy())
    np.save(good('fortran_order.npy'), fortran)
    with open(good('fortran_order.npy'), 'rb') as f:
        assert b"'fortran_order': True" in f.read(128)
    expect('fortran_order.npy', {'tensor': base})

    # Predictions of the Ahn et al. model for the state dict's weights on fixed prompts (NumPy float64, independent).
    z = prompts(2, 5, D, gen)[0].to(torch.float64)
    pred = predict_numpy(z.numpy(), allparam.to(torch.float64).numpy())
    assert np.allclose(pred, predict(z, allparam.to(torch.float64)).detach().numpy(), rtol=1e-12, atol=1e-12)
    expected['predictions'] = {'file': 'state_dict.pt', 'layout': 'ahn allparam (L, H=1, 2, d, d), P then Q',
                               'z_shape': list(z.shape), 'z': [repr(float(v)) for v in z.reshape(-1).tolist()],
                               'prediction': [repr(float(v)) for v in pred.tolist()]}

    # --- Bad files ---------------------------------------------------------------------------------------------
    if os.path.exists(MARKER):
        os.remove(MARKER)
    torch.save({'allparam': allparam, 'payload': Evil()}, bad('os_system.pt'))
    assert not os.path.exists(MARKER)
    torch.save(model, bad('full_model.pt'))
    torch.save(sd, bad('legacy.pt'), _use_new_zipfile_serialization=False)
    for src, dst in (('state_dict.pt', 'truncated.pt'), ('weights.safetensors', 'truncated.safetensors'),
                     ('weights.npz', 'truncated.npz'), ('weights.npy', 'truncated.npy')):
        with open(good(src), 'rb') as f:
            data = f.read()
        with open(bad(dst), 'wb') as f:
            f.write(data[:len(data) * 2 // 3])
    rewrite_zip(good('state_dict.pt'), bad('big_endian.pt'), extra=dict(torch2, byteorder=b'big'))
    with zipfile.ZipFile(good('state_dict.pt')) as z:
        storage = z.read(z.namelist()[0].split('/')[0] + '/data/0')
    rewrite_zip(good('state_dict.pt'), bad('short_storage.pt'), replace={'data/0': storage[:len(storage) // 2]})
    # One stored weight byte flipped: the zip's CRC-32 no longer matches (ZipArchive itself does not check it).
    with zipfile.ZipFile(good('state_dict.pt')) as z:
        info = [i for i in z.infolist() if i.filename.endswith('/data/0')][0]
    with open(good('state_dict.pt'), 'rb') as f:
        data = bytearray(f.read())
    name_len, extra_len = struct.unpack('<HH', data[info.header_offset + 26:info.header_offset + 30])
    data[info.header_offset + 30 + name_len + extra_len + 5] ^= 0x40
    with open(bad('flipped_byte.pt'), 'wb') as f:
        f.write(data)
    nan = allparam.clone(); nan[1, 0, 1, 2, 0] = float('nan')
    torch.save(collections.OrderedDict([('allparam', nan)]), bad('nan.pt'))
    inf = allparam.clone(); inf[0, 0, 0, 0, 1] = float('inf')
    with open(bad('inf.safetensors'), 'wb') as f:
        f.write(safetensors_bytes({'allparam': inf}))
    huge = torch.zeros(1).expand(100000, 100000)   # 10^10 elements viewing one stored float
    torch.save({'huge': huge}, bad('huge_view.pt'))

    def past_end(h): h['allparam']['data_offsets'][1] += 4000
    def overlap(h): h['second']['data_offsets'] = [0, h['second']['data_offsets'][1] - h['second']['data_offsets'][0]]
    def unknown(h): h['allparam']['dtype'] = 'F8_E4M3'
    def huge_shape(h): h['allparam']['shape'] = [2147483647, 2147483647, 4]
    for name, patch, tensors in (('offset_past_end', past_end, {'allparam': allparam}),
                                 ('overlapping', overlap, {'allparam': allparam, 'second': allparam}),
                                 ('unknown_dtype', unknown, {'allparam': allparam}),
                                 ('huge_shape', huge_shape, {'allparam': allparam})):
        with open(bad(name + '.safetensors'), 'wb') as f:
            f.write(safetensors_bytes(tensors, header_patch=patch))
    good_st = safetensors_bytes({'allparam': allparam})
    with open(bad('bad_json.safetensors'), 'wb') as f:
        f.write(good_st[:8] + b'{"allparam": [' + good_st[22:])
    with open(bad('header_past_end.safetensors'), 'wb') as f:
        f.write(struct.pack('<Q', 1 << 40) + good_st[8:])
    data = np.arange(6, dtype='<f8').tobytes()
    with open(bad('negative_dim.npy'), 'wb') as f:
        f.write(npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (-2, 3), }", data))
    with open(bad('unknown_descr.npy'), 'wb') as f:
        f.write(npy_bytes("{'descr': '<c16', 'fortran_order': False, 'shape': (3,), }", data))
    with open(bad('big_endian.npy'), 'wb') as f:
        f.write(npy_bytes("{'descr': '>f8', 'fortran_order': False, 'shape': (6,), }", data))
    with open(bad('not_a_checkpoint.txt'), 'wb') as f:
        f.write(b'allparam = [[0.1, 0.2], [0.3, 0.4]]\n')

    with open(os.path.join(HERE, 'expected.json'), 'w') as f:
        json.dump(expected, f, indent=1)
        f.write('\n')


if __name__ == '__main__':
    main()
