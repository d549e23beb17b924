#!/usr/bin/env python3
"""The `npm run train` recipe in PyTorch (CPU), to check that the recipe itself reaches the accuracy goals.

Same models as src/nn/models.ts (LeNet-5 with ReLU and max pooling, padding 2 on 28x28; small VGG with
batch norm, 64-64-M-128-128-M-256-256-M, conv without bias), PyTorch's default initialization, the same
normalization (mean 0.286, std 0.353 after /255), 10% of the training images held out for validation,
Adam (lr 1e-3) with cosine annealing to 0 over every step, per-epoch reshuffling, test on all 10,000.
It does not replay wgsl-nn's exact split or shuffling (different RNGs): it checks the recipe, not the library.

    /usr/bin/python3 scripts/pytorch-recipe.py --model lenet5 --epochs 15 --batch-size 64 [--threads 1]
Prints one line per epoch and a final JSON line.
"""
import argparse, gzip, json, math, os, time

import numpy as np
import torch
from torch import nn

DATA = '/usr/share/datasets/fashion-mnist'


def idx(path):
    with gzip.open(path, 'rb') as f:
        raw = f.read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], 'big') for i in range(dims)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load(split, data):
    prefix = 'train' if split == 'train' else 't10k'
    x = idx(os.path.join(data, f'{prefix}-images-idx3-ubyte.gz')).astype(np.float32)
    y = idx(os.path.join(data, f'{prefix}-labels-idx1-ubyte.gz')).astype(np.int64)
    x = (x / 255.0 - 0.286) / 0.353
    return torch.from_numpy(x).unsqueeze(1), torch.from_numpy(y)


def lenet5():
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def small_vgg(config=(64, 64, 'M', 128, 128, 'M', 256, 256, 'M'), c=1, size=28):
    layers = []
    for v in config:
        if v == 'M':
            layers.append(nn.MaxPool2d(2))
            size //= 2
        else:
            layers += [nn.Conv2d(c, v, 3, padding=1, bias=False), nn.BatchNorm2d(v), nn.ReLU()]
            c = v
    return nn.Sequential(*layers, nn.Flatten(), nn.Linear(c * size * size, 10))


@torch.no_grad()
def evaluate(model, x, y, batch=1000):
    model.eval()
    loss, hits = 0.0, 0
    for i in range(0, len(x), batch):
        out = model(x[i:i + batch])
        loss += nn.functional.cross_entropy(out, y[i:i + batch], reduction='sum').item()
        hits += (out.argmax(1) == y[i:i + batch]).sum().item()
    return loss / len(x), hits / len(x)


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--model', choices=['lenet5', 'vgg'], default='lenet5')
    p.add_argument('--epochs', type=int, default=15)
    p.add_argument('--batch-size', type=int, default=64)
    p.add_argument('--lr', type=float, default=1e-3)
    p.add_argument('--subset', type=int, default=60000, help='training images used (validation taken from them)')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--data', default=DATA)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    x, y = load('train', a.data)
    xt, yt = load('test', a.data)
    x, y = x[:a.subset], y[:a.subset]
    perm = torch.randperm(len(x))
    n_val = round(0.1 * len(x))
    xv, yv, xtr, ytr = x[perm[:n_val]], y[perm[:n_val]], x[perm[n_val:]], y[perm[n_val:]]
    model = lenet5() if a.model == 'lenet5' else small_vgg()
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    steps = a.epochs * math.ceil(len(xtr) / a.batch_size)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps)
    start = time.time()
    history = []
    for epoch in range(1, a.epochs + 1):
        model.train()
        order = torch.randperm(len(xtr))
        total, hits, seen = 0.0, 0, 0
        for i in range(0, len(xtr), a.batch_size):
            b = order[i:i + a.batch_size]
            out = model(xtr[b])
            loss = nn.functional.cross_entropy(out, ytr[b])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(b)
            hits += (out.argmax(1) == ytr[b]).sum().item()
            seen += len(b)
        vl, va = evaluate(model, xv, yv)
        history.append({'epoch': epoch, 'trainLoss': total / seen, 'trainAcc': hits / seen, 'valLoss': vl, 'valAcc': va})
        print(f'epoch {epoch}: train loss {total / seen:.4f} acc {hits / seen:.4f}, val loss {vl:.4f} acc {va:.4f}, {time.time() - start:.0f} s', flush=True)
    tl, ta = evaluate(model, xt, yt)
    print(json.dumps({'model': a.model, 'epochs': a.epochs, 'batchSize': a.batch_size, 'lr': a.lr, 'subset': a.subset,
                      'seed': a.seed, 'torch': torch.__version__, 'testLoss': tl, 'testAcc': ta,
                      'seconds': round(time.time() - start, 1), 'history': history}))


if __name__ == '__main__':
    main()
