"""默认设置的测试精度与原书之比，在线程数 × 随机种子上的分布（最小 / 中位 / 最大）。

Accuracy spread of the CPU defaults (issue 24): each model's standalone program
``python snippets/<model>.py --seed S`` is run with ``OMP_NUM_THREADS`` = 1 (what a
page's kernel uses) and 2 (the standalone default on the 2-core machine) for each
seed, on CPU. Thread count and seed both change the floating-point order and so the
trajectory; a promise that only holds for one of them is not a result. For each run
it records the final and per-epoch test accuracy (from the record that
``dlnotes.report_result`` appends to ``$DLNOTES_RESULTS_FILE``), the wall time, the
training time and the load average; per model it reports min / median / max of the
ratio to the book's test accuracy (docs/_includes/reference-accuracies.yml, the same numbers as the
results page) and the largest fall-back of the test accuracy between two epochs.

Target: min ratio >= 0.95 for every model (``execbook.reports.results_table.TARGET``); exits 1
otherwise. The median should be >= 0.96 (reported, not enforced).

Each run trains a model in full (minutes on 2 cores; GoogLeNet ≈ 4 min with one
thread on an idle machine), so run the models you changed, not all of them:

运行：python benchmarks/bench_accuracy_spread.py googlenet nin [--threads 1 2] [--seeds 0 1 2]
      [--jobs 2] [--json out.json] [--snippet-args "--epochs 8"]
(--jobs 2 on the 2-core machine runs two 1-thread runs at a time; the accuracies do not change, the
times are those of a loaded machine.)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from execbook.reports.results_table import TARGET, reference  # noqa: E402

MEDIAN_AIM = 0.96
TABLE_FILE = "docs/_includes/accuracy-spread.md"
GENERATED = "generated, do not edit: python benchmarks/bench_accuracy_spread.py --table"


def _rel(path: Path) -> str:
    path = path.resolve()
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def loadavg() -> list[float] | None:
    try:
        return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]
    except OSError:
        return None


def run_one(model: str, threads: int, seed: int, extra: list[str]) -> list[dict]:
    """Run one snippet on CPU and return one entry per training record it wrote, plus timing.

    A program that trains two models (batch_norm: from scratch, then concise) gives two
    entries, ``batch_norm#1`` and ``batch_norm#2``, each compared with its own book number."""
    with tempfile.TemporaryDirectory() as tmp:
        results = Path(tmp) / "results.jsonl"
        env = {
            **os.environ,
            "OMP_NUM_THREADS": str(threads),
            "MKL_NUM_THREADS": str(threads),
            "DLNOTES_RESULTS_FILE": str(results),
            "MPLBACKEND": "Agg",
        }
        cmd = [sys.executable, f"snippets/{model}.py", "--seed", str(seed), "--device", "cpu"]
        cmd += extra
        load_start, start = loadavg(), time.perf_counter()
        proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
        wall = time.perf_counter() - start
        if proc.returncode != 0:
            raise SystemExit(
                f"{shlex.join(cmd)} failed ({proc.returncode}):\n{proc.stderr[-2000:]}"
            )
        records = [json.loads(line) for line in results.read_text().splitlines() if line.strip()]
    return [
        _entry(
            f"{model}#{i}" if len(records) > 1 else model, rec, threads, seed, cmd, wall, load_start
        )
        for i, rec in enumerate(records, start=1)
    ]


def _entry(model, rec, threads, seed, cmd, wall, load_start) -> dict:
    return {
        "model": model,
        "threads": threads,
        "seed": seed,
        "command": f"OMP_NUM_THREADS={threads} " + shlex.join(cmd[1:]),
        "name": rec["name"],
        "test_acc": rec["test_acc"],
        "test_acc_per_epoch": rec["history"]["test_acc"],
        "epochs": rec["epochs"],
        "lr": rec["lr"],
        "batch_size": rec["batch_size"],
        "settings": rec.get("settings"),
        "data": rec.get("data"),
        "is_sample": rec.get("is_sample"),
        "train_seconds": rec["seconds"],
        "wall_seconds": round(wall, 1),
        "loadavg_start": load_start,
        "loadavg_end": loadavg(),
    }


def max_fallback(curve: list[float]) -> float:
    """Largest drop of the test accuracy from the best epoch so far to a later epoch."""
    best, drop = float("-inf"), 0.0
    for acc in curve:
        drop = max(drop, best - acc)
        best = max(best, acc)
    return round(drop, 4)


def summarize(runs: list[dict]) -> dict:
    """Per model: min / median / max of the ratio to the book, largest fall-back, times."""
    out = {}
    for model in dict.fromkeys(r["model"] for r in runs):
        rs = [r for r in runs if r["model"] == model]
        ref = reference(rs[0]["name"])
        accs = [r["test_acc"] for r in rs]
        ratios = [a / ref.test_acc for a in accs] if ref else []
        out[model] = {
            "book": ref.test_acc if ref else None,
            "runs": len(rs),
            "test_acc": {"min": min(accs), "median": statistics.median(accs), "max": max(accs)},
            "ratio": (
                {
                    "min": round(min(ratios), 4),
                    "median": round(statistics.median(ratios), 4),
                    "max": round(max(ratios), 4),
                }
                if ratios
                else None
            ),
            "max_fallback": max(max_fallback(r["test_acc_per_epoch"]) for r in rs),
            "train_seconds": {
                "min": min(r["train_seconds"] for r in rs),
                "max": max(r["train_seconds"] for r in rs),
            },
            "ok": bool(ratios) and min(ratios) >= TARGET,
        }
    return out


def report(runs: list[dict], summary: dict) -> str:
    lines = ["model      threads seed  test_acc  ratio   fall-back  train s  wall s  load"]
    for r in runs:
        ref = reference(r["name"])
        ratio = f"{r['test_acc'] / ref.test_acc:.3f}" if ref else "  —  "
        load = "/".join(
            f"{x:.1f}" for x in (r["loadavg_start"] or [])[:1] + (r["loadavg_end"] or [])[:1]
        )
        lines.append(
            f"{r['model']:<10} {r['threads']:>7} {r['seed']:>4}  {r['test_acc']:.4f}   {ratio}   "
            f"{max_fallback(r['test_acc_per_epoch']):.3f}     {r['train_seconds']:7.1f}  {r['wall_seconds']:6.1f}  {load}"
        )
    lines.append("")
    for model, s in summary.items():
        ratio = s["ratio"] or {}
        mark = "ok" if s["ok"] else f"BELOW {TARGET}"
        lines.append(
            f"{model}: ratio to the book (book {s['book']}) min {ratio.get('min')} / median "
            f"{ratio.get('median')} / max {ratio.get('max')} over {s['runs']} runs "
            f"(target min >= {TARGET}, aim median >= {MEDIAN_AIM}); largest fall-back "
            f"{s['max_fallback']:.3f}; {mark}"
        )
    return "\n".join(lines)


def _defaults(run: dict) -> tuple:
    return (
        run["epochs"],
        run["lr"],
        run["batch_size"],
        json.dumps(run.get("settings"), sort_keys=True),
    )


def merged_runs(paths: list[Path]) -> tuple[list[dict], list[dict]]:
    """Runs from several --json files. A later file's run replaces the earlier one with the same model,
    thread count and seed; when a later file ran a model with other defaults (epochs, lr, batch,
    settings), all of that model's earlier runs are dropped, so a table never mixes two settings.
    Returns (runs, the files' headers)."""
    runs: dict[tuple, dict] = {}
    headers = []
    for path in paths:
        data = json.loads(path.read_text(encoding="utf-8"))
        headers.append({k: data[k] for k in ("date", "machine", "python", "torch")})
        for run in data["runs"]:
            stale = [
                k
                for k, r in runs.items()
                if k[0] == run["model"] and _defaults(r) != _defaults(run)
            ]
            for key in stale:
                del runs[key]
            runs[(run["model"], run["threads"], run["seed"])] = run
    return list(runs.values()), headers


def markdown_table(runs: list[dict], headers: list[dict], sources: list[Path]) -> str:
    """The table that README and the results page show: one row per trained model, generated from runs.

    Its first line is the command that made it (the --json files, relative to the repository), so a
    test can make it again and compare."""
    summary = summarize(runs)
    dates = sorted({h["date"] for h in headers})
    machines = sorted({h["machine"].removesuffix(", ?") for h in headers})
    torches = sorted({h["torch"] for h in headers})
    lines = [
        f"<!-- {GENERATED} {' '.join(_rel(p) for p in sources)} -->",
        "",
        "| 程序（记录名） | 默认设置 | 原书 | 测试精度 最小 / 中位 / 最大 | 与原书之比 最小 / 中位 / 最大 "
        "| 曲线最大回落 | 训练秒数 |",
        "|---|---|---|---|---|---|---|",
    ]
    for model, s in summary.items():
        first = next(r for r in runs if r["model"] == model)
        acc, ratio, secs = s["test_acc"], s["ratio"] or {}, s["train_seconds"]
        settings = (
            f"epochs = {first['epochs']}，lr = {first['lr']}，batch_size = {first['batch_size']}"
        )
        extra = first.get("settings") or {}
        if extra:
            settings += "，" + "，".join(f"{k} = {v}" for k, v in extra.items())
        mark = "" if s["ok"] else " ✗"
        lines.append(
            f"| `{model.split('#')[0]}`（{first['name']}） | {settings} | {s['book']} "
            f"| {acc['min']:.3f} / {acc['median']:.3f} / {acc['max']:.3f} "
            f"| {ratio.get('min', 0):.3f}{mark} / {ratio.get('median', 0):.3f} / {ratio.get('max', 0):.3f} "
            f"| {s['max_fallback']:.3f} | {secs['min']:.0f}–{secs['max']:.0f} |"
        )
    threads = sorted({r["threads"] for r in runs})
    seeds = sorted({r["seed"] for r in runs})
    lines += [
        "",
        f"每个程序运行 {len(threads) * len(seeds)} 次：`OMP_NUM_THREADS` = "
        f"{' / '.join(map(str, threads))} × `--seed` {' / '.join(map(str, seeds))}"
        f"（`python snippets/<程序>.py --seed S --device cpu`，其余都是默认设置；页面的内核用 1 个线程、种子 0，"
        f"独立运行时是 PyTorch 默认的线程数，一般等于物理核心数）。完整 Fashion-MNIST，CPU；{'、'.join(dates)}，{'、'.join(machines)}，"
        f"torch {'、'.join(torches)}。「曲线最大回落」是测试精度从此前最好的迭代周期到之后某个迭代周期的最大下降；"
        f"训练秒数只计训练，取决于当时的机器负载（1 个线程的运行两个同时进行，机器上还有别的工作）。",
    ]
    return "\n".join(lines) + "\n"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def write_json(path: Path, runs: list[dict], summary: dict | None) -> None:
    """The runs so far (written after every run, so an interrupted benchmark keeps what it measured)."""
    import torch

    data = {
        "date": time.strftime("%Y-%m-%d", time.gmtime()),
        "machine": f"{os.cpu_count()} cores, {platform.machine()}, {cpu_model()}",
        "python": platform.python_version(),
        "torch": torch.__version__,
        "runs": runs,
        "summary": summary,
    }
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="*", help="snippet names, e.g. googlenet nin")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--snippet-args", default="", help="extra arguments for every snippet run")
    parser.add_argument("--json", type=Path, help="write runs and summary to this file")
    parser.add_argument(
        "--table",
        type=Path,
        nargs="+",
        metavar="JSON",
        help="print the table (README, results page) from earlier --json files; a later file's run "
        "replaces the same model/threads/seed, and drops a model's runs with other defaults (runs nothing)",
    )
    parser.add_argument(
        "--write",
        type=Path,
        help=f"with --table: write it to this file (the results page includes {TABLE_FILE})",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=1,
        help="CPU cores to fill: runs with T threads go max(1, jobs // T) at a time (default 1)",
    )
    args = parser.parse_args(argv)
    if args.table:
        runs, headers = merged_runs(args.table)
        table = markdown_table(runs, headers, args.table)
        if args.write:
            args.write.write_text(table, encoding="utf-8")
        print(table, end="")
        return 0 if all(s["ok"] for s in summarize(runs).values()) else 1
    if not args.models:
        parser.error("name at least one model (or --table JSON …)")
    extra = shlex.split(args.snippet_args)
    runs = []
    for threads in args.threads:
        todo = [(m, s) for m in args.models for s in args.seeds]
        with ThreadPoolExecutor(max(1, args.jobs // threads)) as pool:
            futures = [pool.submit(run_one, m, threads, s, extra) for m, s in todo]
            for fut in as_completed(futures):
                new = fut.result()
                runs += new
                for line in report(new, {}).splitlines()[1 : 1 + len(new)]:
                    print(line, flush=True)
                if args.json:
                    write_json(args.json, runs, None)
    rank = {m: i for i, m in enumerate(args.models)}
    runs.sort(key=lambda r: (rank[r["model"].split("#")[0]], r["model"], r["threads"], r["seed"]))
    summary = summarize(runs)
    print()
    print(report(runs, summary))
    if args.json:
        write_json(args.json, runs, summary)
    return 0 if all(s["ok"] for s in summary.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
