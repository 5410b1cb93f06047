"""卷积网络程序的训练速度：channels-last（NHWC）权重与原书的 NCHW 排列之比。

Training speed of the CNN programs with channels-last weights (their default,
``dlnotes.train_ch6(..., channels_last=True)``) against the plain layout
(``--no-channels-last``): each program runs its default settings for ``--epochs``
epochs (default 1) on CPU with ``OMP_NUM_THREADS`` = 1 (what a page's kernel uses)
or the given ``--threads``; the training time is train_ch6's own timer (training
only, no data loading or evaluation), read from the record that
``dlnotes.report_result`` appends to ``$DLNOTES_RESULTS_FILE``. The two layouts
compute the same function; only the order of floating-point sums may differ, so the
test accuracies are printed side by side as well.

Target: channels-last is not slower for any model (ratio >= 1.0); exits 1 otherwise.

运行：python benchmarks/bench_channels_last.py [lenet vgg ...] [--epochs 1] [--threads 1] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_accuracy_spread import run_one  # noqa: E402

MODELS = ["lenet", "alexnet", "vgg", "nin", "googlenet", "resnet"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("models", nargs="*", default=MODELS, help=f"默认全部：{' '.join(MODELS)}")
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--json", help="把每次运行的记录写到这个文件")
    args = ap.parse_args(argv)
    extra = ["--epochs", str(args.epochs)]
    rows, failed = [], []
    print(
        f"CPU：{platform.processor() or platform.machine()}，{args.threads} 个线程，{args.epochs} 轮"
    )
    print(f"{'模型':<12}{'NCHW 训练秒':>12}{'NHWC 训练秒':>12}{'加速':>8}{'精度 NCHW/NHWC':>18}")
    for model in args.models:
        # run_one gives one entry per training record; these programs train one model (the last record)
        plain = run_one(model, args.threads, 0, extra + ["--no-channels-last"])[-1]
        fast = run_one(model, args.threads, 0, extra)[-1]
        speedup = plain["train_seconds"] / fast["train_seconds"]
        rows.append({"model": model, "plain": plain, "channels_last": fast, "speedup": speedup})
        if speedup < 1.0:
            failed.append(model)
        print(
            f"{model:<12}{plain['train_seconds']:>12.1f}{fast['train_seconds']:>12.1f}"
            f"{speedup:>7.2f}×{plain['test_acc']:>10.3f}/{fast['test_acc']:.3f}",
            flush=True,
        )
    if args.json:
        Path(args.json).write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    if failed:
        print(f"channels-last 更慢：{', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
