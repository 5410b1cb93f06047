"""训练循环的开销基准：dlnotes 的训练循环 vs. 同样张量上的裸 PyTorch 循环。

Benchmark: examples/sec of ``dlnotes.train_epoch_ch3`` (softmax regression) and of
``dlnotes.train.train_epoch_ch6`` (the inner loop of ``train_ch6``, LeNet) against a
bare PyTorch loop over the same in-memory tensors, with the same model, initial
weights, batch size and shuffling cost. Data: the Fashion-MNIST offline sample
(1600 training images) if found, else random tensors of the same shape.

Target: dlnotes within 10 % of the bare loop (ratio >= 0.90); exits 1 otherwise.
Timings are the best of ``--reps`` repetitions (runs of the two loops are
interleaved). By default the clock is the process CPU time (``time.process_time``,
with one torch thread), which does not count the time other processes on a shared
machine take from us; ``--clock wall`` uses ``time.perf_counter`` instead.

运行：OMP_NUM_THREADS=1 python benchmarks/bench_training_loop.py [--reps 5] [--json out.json]
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import platform
import sys
import time
import warnings

import torch
from torch import nn

import dlnotes
from dlnotes.data import DataError, TensorLoader, load_fashion_mnist
from dlnotes.train import train_epoch_ch6

TARGET = 0.90


def load_tensors():
    """返回 (X float32 (N,1,28,28), y int64, 数据说明)。"""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ds = load_fashion_mnist(download=False)
        X = ds.train_images.unsqueeze(1).float().div_(255)
        return X, ds.train_labels, ds.info
    except DataError:
        g = torch.Generator().manual_seed(0)
        X = torch.rand(1600, 1, 28, 28, generator=g)
        y = torch.randint(0, 10, (1600,), generator=g)
        return X, y, "random tensors (1600, 1, 28, 28)"


def softmax_net():
    net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    nn.init.normal_(net[1].weight, std=0.01)
    return net


def lenet():
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2),
        nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5),
        nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120),
        nn.Sigmoid(),
        nn.Linear(120, 84),
        nn.Sigmoid(),
        nn.Linear(84, 10),
    )


def bare_epochs(net, X, y, batch_size, lr, epochs, per_example_loss):
    """裸 PyTorch 循环：每个 epoch 重新打乱，按批索引内存张量。"""
    opt = torch.optim.SGD(net.parameters(), lr=lr)
    loss = nn.CrossEntropyLoss(reduction="none") if per_example_loss else nn.CrossEntropyLoss()
    gen = torch.Generator().manual_seed(0)
    n = len(y)
    net.train()
    for _ in range(epochs):
        perm = torch.randperm(n, generator=gen)
        for i in range(0, n, batch_size):
            idx = perm[i : i + batch_size]
            opt.zero_grad()
            l = loss(net(X[idx]), y[idx])  # noqa: E741
            (l.mean() if per_example_loss else l).backward()
            opt.step()
    return n * epochs


def dlnotes_epochs(kind, net, X, y, batch_size, lr, epochs):
    """dlnotes 的循环：softmax 用 train_epoch_ch3，LeNet 用 train_ch6 的内层 train_epoch_ch6。"""
    it = TensorLoader(X, y, batch_size, shuffle=True, seed=0)
    opt = torch.optim.SGD(net.parameters(), lr=lr)
    cpu = torch.device("cpu")
    for _ in range(epochs):
        if kind == "softmax":
            dlnotes.train_epoch_ch3(net, it, nn.CrossEntropyLoss(reduction="none"), opt)
        else:
            train_epoch_ch6(net, it, nn.CrossEntropyLoss(), opt, cpu)
    return len(y) * epochs


def bench(kind, make_net, X, y, batch_size, lr, epochs, reps, clock=time.process_time):
    torch.manual_seed(0)
    init = make_net()
    best = {"dlnotes": float("inf"), "bare": float("inf")}
    # warm-up (allocator, lazy init)
    dlnotes_epochs(kind, copy.deepcopy(init), X, y, batch_size, lr, 1)
    bare_epochs(copy.deepcopy(init), X, y, batch_size, lr, 1, kind == "softmax")
    for rep in range(reps):
        order = ("dlnotes", "bare") if rep % 2 == 0 else ("bare", "dlnotes")
        for which in order:
            net = copy.deepcopy(init)
            t0 = clock()
            if which == "dlnotes":
                n = dlnotes_epochs(kind, net, X, y, batch_size, lr, epochs)
            else:
                n = bare_epochs(net, X, y, batch_size, lr, epochs, kind == "softmax")
            best[which] = min(best[which], clock() - t0)
    d, b = n / best["dlnotes"], n / best["bare"]
    return {
        "model": kind,
        "epochs_per_rep": epochs,
        "dlnotes_eps": d,
        "bare_eps": b,
        "ratio": d / b,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=9, help="repetitions (best is kept)")
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--softmax-epochs", type=int, default=10, help="epochs per repetition")
    parser.add_argument(
        "--clock", choices=("cpu", "wall"), default="cpu", help="process CPU time or wall-clock"
    )
    parser.add_argument("--lenet-epochs", type=int, default=1, help="epochs per repetition")
    parser.add_argument("--threads", type=int, default=1, help="torch.set_num_threads")
    parser.add_argument("--json", metavar="PATH", help="write the results as JSON")
    args = parser.parse_args(argv)

    torch.set_num_threads(args.threads)
    clock = time.process_time if args.clock == "cpu" else time.perf_counter
    X, y, info = load_tensors()
    rows = [
        bench(
            "softmax",
            softmax_net,
            X,
            y,
            args.batch_size,
            0.1,
            args.softmax_epochs,
            args.reps,
            clock,
        ),
        bench("lenet", lenet, X, y, args.batch_size, 0.9, args.lenet_epochs, args.reps, clock),
    ]
    print(
        f"data: {info}; batch size {args.batch_size}; threads {args.threads}; "
        f"best of {args.reps}; clock {args.clock}"
    )
    print(f"{'model':<8} {'dlnotes ex/s':>13} {'bare ex/s':>11} {'ratio':>6}")
    for r in rows:
        print(
            f"{r['model']:<8} {r['dlnotes_eps']:>13.0f} {r['bare_eps']:>11.0f} {r['ratio']:>6.3f}"
        )
    worst = min(r["ratio"] for r in rows)
    ok = worst >= TARGET
    print(f"worst ratio {worst:.3f} (target >= {TARGET:.2f}): {'OK' if ok else 'TOO SLOW'}")
    if args.json:
        report = {
            "rows": rows,
            "target": TARGET,
            "ok": ok,
            "data": info,
            "batch_size": args.batch_size,
            "reps": args.reps,
            "threads": args.threads,
            "clock": args.clock,
            "torch": torch.__version__,
            "python": platform.python_version(),
            "omp_num_threads": os.environ.get("OMP_NUM_THREADS"),
        }
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(report, f, indent=2, ensure_ascii=False)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
