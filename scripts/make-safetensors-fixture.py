#!/usr/bin/env python3
"""Writes tests/fixtures/torch-small.safetensors and torch-small.json from a tiny PyTorch model.

The model (Linear, BatchNorm1d, ReLU, Linear) is trained for two Adam steps with a fixed seed, so the file
holds F32 weights, BatchNorm running statistics, an I64 `num_batches_tracked`, and Adam state under the
names wgsl-nn uses (`optimizer.state.<i>.<key>`, see src/io/model.ts). The safetensors writer below is
written from the format description, mirroring the reference (Rust) serializer: tensors sorted by
decreasing dtype alignment then name, compact JSON with `__metadata__` first, header padded with spaces
to a multiple of 8 bytes. The `safetensors` Python package is not needed.

The JSON lists every tensor's dtype, shape and values (float32 values as exact doubles), and an input
with the model's eval-mode output, so a loaded model can be checked end to end.

Run with Debian's torch: /usr/bin/python3 scripts/make-safetensors-fixture.py
"""
import json
import pathlib
import struct

import torch

# The reference implementation's dtype order (increasing alignment); the writer sorts by it, descending.
DTYPE_ORDER = ['BOOL', 'U8', 'I8', 'F8_E5M2', 'F8_E4M3', 'I16', 'U16', 'F16', 'BF16', 'I32', 'U32', 'F32', 'F64', 'I64', 'U64']
TORCH_DTYPES = {torch.float32: 'F32', torch.int64: 'I64'}


def write_safetensors(tensors, metadata):
    items = [(name, TORCH_DTYPES[t.dtype], t.contiguous()) for name, t in tensors.items()]
    items.sort(key=lambda item: (-DTYPE_ORDER.index(item[1]), item[0].encode('utf-8')))
    header = {'__metadata__': dict(sorted(metadata.items()))}
    offset = 0
    blobs = []
    for name, dtype, t in items:
        array = t.numpy()
        data = array.astype(array.dtype.newbyteorder('<')).tobytes()
        header[name] = {'dtype': dtype, 'shape': list(t.shape), 'data_offsets': [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header, separators=(',', ':'), ensure_ascii=False).encode('utf-8')
    text += b' ' * (-len(text) % 8)
    return struct.pack('<Q', len(text)) + text + b''.join(blobs)


def main():
    torch.manual_seed(1234)
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    for _ in range(2):
        x = torch.randn(5, 3)
        y = torch.randint(0, 2, (5,))
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(x), y).backward()
        opt.step()

    tensors = dict(model.state_dict())
    for index, state in opt.state_dict()['state'].items():
        for key, value in state.items():
            tensors[f'optimizer.state.{index}.{key}'] = value

    model.eval()
    x = torch.randn(3, 3)
    with torch.no_grad():
        y = model(x)

    out = pathlib.Path(__file__).resolve().parent.parent / 'tests' / 'fixtures'
    out.mkdir(parents=True, exist_ok=True)
    (out / 'torch-small.safetensors').write_bytes(write_safetensors(tensors, {'format': 'pt'}))
    expected = {
        name: {'dtype': TORCH_DTYPES[t.dtype], 'shape': list(t.shape), 'values': t.double().flatten().tolist() if t.dtype == torch.float32 else t.flatten().tolist()}
        for name, t in tensors.items()
    }
    check = {'input': {'shape': list(x.shape), 'values': x.double().flatten().tolist()}, 'output': {'shape': list(y.shape), 'values': y.double().flatten().tolist()}}
    (out / 'torch-small.json').write_text(json.dumps({'torch': torch.__version__, 'metadata': {'format': 'pt'}, 'tensors': expected, 'eval': check}, indent=1) + '\n')


if __name__ == '__main__':
    main()
