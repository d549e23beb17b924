"""Golden values for NaN/±Inf edges (issue 15 items 2-3): tests/fixtures/torch-nonfinite.json.

Run with Debian's PyTorch 1.13 (apt-get install -y python3-torch): /usr/bin/python3 scripts/make-nonfinite-fixture.py
Non-finite numbers are written as the strings "nan", "inf", "-inf" (JSON has none).
"""
import json
import math
import pathlib

import torch
import torch.nn.functional as F

inf, nan = math.inf, math.nan
X = [nan, inf, -inf, 0.0, 1.0, -1.0, 100.0, -50.0, 0.5]


def enc(v):
    if isinstance(v, list):
        return [enc(u) for u in v]
    if math.isnan(v):
        return 'nan'
    if math.isinf(v):
        return 'inf' if v > 0 else '-inf'
    return v


def grad_of(f, xs, dy):
    x = torch.tensor(xs, dtype=torch.float32, requires_grad=True)
    y = f(x)
    y.backward(torch.tensor(dy, dtype=torch.float32))
    return y.detach().tolist(), x.grad.tolist()


activations = {
    'sigmoid': torch.sigmoid,
    'tanh': torch.tanh,
    'relu': torch.relu,
    'leakyRelu': lambda t: F.leaky_relu(t, 0.01),
    'elu': F.elu,
    'gelu': F.gelu,
    'geluTanh': lambda t: F.gelu(t, approximate='tanh'),
}
out = {'x': enc(X), 'activations': {}, 'unary': {}}
for name, f in activations.items():
    y, dx = grad_of(f, X, [1.0] * len(X))
    # An infinite upstream gradient at every point: threshold-style backwards select rather than multiply.
    _, dx_inf = grad_of(f, X, [inf] * len(X))
    out['activations'][name] = {'y': enc(y), 'dx': enc(dx), 'dxInf': enc(dx_inf)}

UX = [nan, inf, -inf, 0.0, -0.0, -1.0, 1.0, 4.0, 1e-30]
out['unaryX'] = enc(UX)
for name, f in {'exp': torch.exp, 'log': torch.log, 'sqrt': torch.sqrt, 'rsqrt': torch.rsqrt,
                'relu': torch.relu, 'sigmoid': torch.sigmoid, 'tanh': torch.tanh}.items():
    out['unary'][name] = enc(f(torch.tensor(UX, dtype=torch.float32)).tolist())

rows = [[nan, 0.0, 1.0], [inf, 0.0, 1.0], [-inf, -inf, -inf], [-inf, 0.0, 1.0], [1.0, 2.0, 3.0]]
t = torch.tensor(rows, dtype=torch.float32)
out['softmax'] = {'x': enc(rows), 'y': enc(torch.softmax(t, 1).tolist()), 'logY': enc(torch.log_softmax(t, 1).tolist())}

ce_cases = []
for logits, label, eps in [
    ([0.0, -inf, 0.0], 0, 0.0),
    ([0.0, -3e38, -3e38], 0, 0.0),
    ([0.0, -3e38, -3e38], 0, 0.1),
    ([3e38, -3e38, 0.0], 1, 0.0),
    ([0.0, -inf, 0.0], 0, 0.1),
    ([0.0, -inf, 0.0], 1, 0.0),
    ([nan, 0.0, 1.0], 2, 0.0),
    ([inf, 0.0, 1.0], 1, 0.0),
    ([1.0, 2.0, 0.5], 2, 0.2),
]:
    z = torch.tensor([logits], dtype=torch.float32, requires_grad=True)
    loss = F.cross_entropy(z, torch.tensor([label]), label_smoothing=eps)
    loss.backward()
    ce_cases.append({'logits': enc(logits), 'label': label, 'smoothing': eps, 'loss': enc(loss.item()), 'grad': enc(z.grad[0].tolist())})
out['crossEntropy'] = ce_cases

path = pathlib.Path(__file__).resolve().parent.parent / 'tests' / 'fixtures' / 'torch-nonfinite.json'
path.write_text(json.dumps(out, indent=1) + '\n')
print(f'wrote {path}')
