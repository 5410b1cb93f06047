"""snippets/ 的程序作为独立程序运行（tests/site/test_snippets.py 用），以及在后台提前开始这些运行。

独立运行每个程序要一两分钟 CPU，它们彼此独立、都在子进程里：页面测试一跑完（第一个 tests/ 下的测试开始时，
见 tests/conftest.py 的 ``pytest_runtest_setup``），就用一个 CPU 核在后台开始，另一个核照常运行前面的测试；
轮到 test_snippets.py 时还没开始的运行改用全部的核。设备探测（device_probe.py）也这样提前开始。
每个运行的结果仍只由它自己的测试断言。
"""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SNIPPETS = sorted((REPO / "snippets").glob("*.py"))
# 从不训练的程序：只演示形状、参数、层、文件读写等，所以没有训练参数（--epochs --lr --batch-size --device --full）
NON_TRAINING = {
    "channels",
    "cnn_shapes",
    "custom_layer",
    "model_construction",
    "numerical_stability",
    "parameters",
    "pooling",
    "read_write",
    "transposed_conv",
}
TRAINING = [p for p in SNIPPETS if p.stem not in NON_TRAINING]
# 完整数据集上一轮要十几秒以上的程序：独立运行时只走一遍程序（--epochs 0），不做参数更新
HEAVY = {"alexnet", "batch_norm", "googlenet", "lenet", "nin", "resnet", "vgg"}
# 独立运行时的其他缩减：微调只预训练一轮
EXTRA = {"fine_tuning": ("--pretrain-epochs", "1")}
# 每个进程一个线程：几个程序同时运行时不超额占用 CPU
ALONE_ENV = {"OMP_NUM_THREADS": "1"}

# 设备探测（test_snippets.py::test_training_programs_honour_the_device）：{名字: (参数, 环境变量)}
DEVICE_PROBES = {
    "flag": (["--device", "cuda", "--epochs", "1"], {"D2L_DEVICE": "cpu"}),
    "env": (["--epochs", "1"], {"D2L_DEVICE": "cuda"}),
}

_started: dict[object, Future] = {}


def _child_env(extra: dict | None, base_env: dict | None) -> dict:
    """子进程的环境：``base_env``（没有时是此刻的 ``os.environ``）加上仓库路径、无界面的 matplotlib 与 ``extra``。"""
    base = os.environ if base_env is None else base_env
    return {**base, "PYTHONPATH": str(REPO), "MPLBACKEND": "Agg", **(extra or {})}


def run_snippet(path, *args, timeout=300, env=None, base_env=None) -> subprocess.CompletedProcess:
    """``base_env``：后台运行用开始时拍下的环境，不读运行那一刻的 ``os.environ``——同时进行的测试会用
    monkeypatch 临时改它（例如把数据目录指到一个空的临时目录），子进程不能继承这种改动。"""
    env = _child_env(env, base_env)
    return subprocess.run(
        [sys.executable, str(path), *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def alone_args(path: Path) -> tuple[str, ...]:
    if path.stem in NON_TRAINING:
        return ()
    args = ("--epochs", "0" if path.stem in HEAVY else "1", "--device", "cpu")
    return args + EXTRA.get(path.stem, ())


def run_probe(paths, args, env, base_env=None) -> subprocess.CompletedProcess:
    """在假装有 GPU 的进程里依次运行程序（tests/site/device_probe.py）；最后一行是 {程序: 结果} 的 JSON。"""
    env = _child_env(env, base_env)
    cmd = [
        sys.executable,
        str(REPO / "tests" / "site" / "device_probe.py"),
        *map(str, paths),
        "--",
        *args,
    ]
    return subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)


def probe(name: str) -> subprocess.CompletedProcess:
    """设备探测 ``name``（DEVICE_PROBES）：后台已开始的取它的结果，否则现在运行。"""
    fut = _started.get(name)
    if fut is not None and not fut.cancel():
        return fut.result()
    args, env = DEVICE_PROBES[name]
    return run_probe(TRAINING, args, env)


def _submit(pool: ThreadPoolExecutor, path: Path, base_env=None) -> Future:
    return pool.submit(run_snippet, path, *alone_args(path), env=ALONE_ENV, base_env=base_env)


def start_in_background(cleanup) -> None:
    """在一个工作线程里依次开始全部独立运行（只开始一次）；``cleanup`` 注册会话结束时的关闭。"""
    if _started:
        return
    pool = ThreadPoolExecutor(1, thread_name_prefix="snippets-alone")
    base = dict(os.environ)  # 现在的环境（还没有哪个测试的 monkeypatch 生效），见 run_snippet
    _started.update({p: _submit(pool, p, base) for p in SNIPPETS})
    for name, (args, env) in DEVICE_PROBES.items():
        _started[name] = pool.submit(run_probe, TRAINING, args, env, base)
    cleanup(lambda: pool.shutdown(wait=False, cancel_futures=True))


def alone_runs(workers: int) -> tuple[dict[Path, Future], ThreadPoolExecutor]:
    """全部独立运行的 Future：后台已开始的照用，还没开始的（以及没有后台时的全部）交给 ``workers`` 个线程。"""
    pool = ThreadPoolExecutor(workers, thread_name_prefix="snippets-alone")
    futures = {}
    for path in SNIPPETS:
        fut = _started.get(path)
        futures[path] = fut if fut is not None and not fut.cancel() else _submit(pool, path)
    return futures, pool
