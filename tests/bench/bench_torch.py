#!/usr/bin/python3
"""The assignment network of `convcalc bench` in PyTorch, timed the same way:
synthetic data (normal inputs, uniform labels), a training step = zero_grad,
forward, cross-entropy, backward, SGD (momentum 0.9); inference = forward in
eval mode under torch.no_grad(). Prints JSON with the keys convcalc uses.

    /usr/bin/python3 tests/bench/bench_torch.py [--batch 64] [--steps 20]
                                                 [--warmup 2] [--threads N]
"""
import argparse
import json
import time

import torch
import torch.nn as nn

ap = argparse.ArgumentParser()
ap.add_argument("--batch", type=int, default=64)
ap.add_argument("--steps", type=int, default=20)
ap.add_argument("--warmup", type=int, default=2)
ap.add_argument("--threads", type=int, default=torch.get_num_threads())
args = ap.parse_args()

torch.set_num_threads(args.threads)
torch.manual_seed(1)
model = nn.Sequential(
    nn.Conv2d(3, 32, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2, 2),
    nn.Conv2d(32, 64, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2, 2),
    nn.Conv2d(64, 128, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2, 2),
    nn.Flatten(), nn.Linear(2048, 64), nn.ReLU(), nn.Linear(64, 10))
x = torch.randn(args.batch, 3, 32, 32)
y = torch.randint(0, 10, (args.batch,))
opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
loss_fn = nn.CrossEntropyLoss()

model.train()
for s in range(args.warmup + args.steps):
    if s == args.warmup:
        t0, c0 = time.perf_counter(), time.process_time()
    opt.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    opt.step()
train_s, train_cpu = time.perf_counter() - t0, time.process_time() - c0

model.eval()
with torch.no_grad():
    for s in range(args.warmup + args.steps):
        if s == args.warmup:
            t0, c0 = time.perf_counter(), time.process_time()
        model(x)
infer_s, infer_cpu = time.perf_counter() - t0, time.process_time() - c0

print(json.dumps({
    "network": "assignment network (PyTorch %s)" % torch.__version__,
    "batch": args.batch, "steps": args.steps, "warmup": args.warmup,
    "threads": torch.get_num_threads(),
    "params": sum(p.numel() for p in model.parameters()),
    "train_images_per_s": round(args.batch * args.steps / train_s, 1),
    "infer_images_per_s": round(args.batch * args.steps / infer_s, 1),
    "train_ms_per_step": round(1e3 * train_s / args.steps, 3),
    "infer_ms_per_step": round(1e3 * infer_s / args.steps, 3),
    "train_cpu_ms_per_step": round(1e3 * train_cpu / args.steps, 3),
    "infer_cpu_ms_per_step": round(1e3 * infer_cpu / args.steps, 3),
}, indent=2))
