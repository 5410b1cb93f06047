"""snippets/ 中的每个程序都能独立运行（`python snippets/x.py`），并且命令行参数的坏输入有清楚的报错。

页面已经用默认设置运行过这些程序的每一段（经执行引擎）；这里验证它们作为独立程序能跑通：
为节省 CI 时间，以 `--epochs 1` 运行（不训练的程序忽略这个参数）。
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from conftest import REPO

SNIPPETS = sorted((REPO / "snippets").glob("*.py"))


def run_snippet(path, *args, timeout=300):
    env = {**os.environ, "PYTHONPATH": str(REPO), "MPLBACKEND": "Agg"}
    return subprocess.run([sys.executable, str(path), *args], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=timeout)


def test_there_are_snippets():
    assert len(SNIPPETS) >= 25, [p.name for p in SNIPPETS]


@pytest.mark.parametrize("path", SNIPPETS, ids=[p.stem for p in SNIPPETS])
def test_snippet_runs_alone(path, tmp_path):
    proc = run_snippet(path, "--epochs", "1", "--device", "cpu")
    assert proc.returncode == 0, f"{path.name} 运行失败：\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}"


@pytest.mark.parametrize("path", SNIPPETS, ids=[p.stem for p in SNIPPETS])
def test_snippet_structure(path):
    text = path.read_text(encoding="utf-8")
    assert text.startswith('"""'), f"{path.name} 应以说明它做什么、怎样运行的文档字符串开头"
    starts = re.findall(r"# --8<-- \[start:(\w+)\]", text)
    ends = re.findall(r"# --8<-- \[end:(\w+)\]", text)
    assert starts and starts == ends, f"{path.name} 的 pymdownx.snippets 分段不成对：{starts} / {ends}"
    assert not re.search(r"^\s*(import|from)\s+(d2l|torchvision)\b", text, re.M), f"{path.name} 依赖 d2l/torchvision"


def test_help_and_bad_device_give_one_clear_line():
    path = REPO / "snippets" / "lenet.py"
    if not path.exists():
        pytest.skip("snippets/lenet.py 还不存在")
    assert run_snippet(path, "--help").returncode == 0
    proc = run_snippet(path, "--device", "tpu")
    assert proc.returncode == 2
    lines = [ln for ln in proc.stderr.strip().splitlines() if ln.strip()]
    assert len(lines) == 1 and "tpu" in lines[0], proc.stderr
    import torch

    if not torch.cuda.is_available():
        proc = run_snippet(path, "--device", "cuda")
        assert proc.returncode == 2 and "CUDA" in proc.stderr.upper() and "Traceback" not in proc.stderr


def test_missing_data_gives_one_clear_line(tmp_path):
    """没有数据时：一行说明（数据集、找过的目录、怎样解决），非零退出，没有 traceback。"""
    path = REPO / "snippets" / "lenet.py"
    env = {**os.environ, "PYTHONPATH": str(REPO), "MPLBACKEND": "Agg", "D2L_DATA_DIR": str(tmp_path),
           "DLNOTES_OFFLINE": "1", "DLNOTES_SYSTEM_DATA_DIRS": ""}
    proc = subprocess.run([sys.executable, str(path), "--epochs", "1"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    errors = [ln for ln in proc.stderr.splitlines() if "error" in ln]
    assert len(errors) == 1 and "Fashion-MNIST" in errors[0] and str(tmp_path) in errors[0], proc.stderr
    assert not any(tmp_path.iterdir()), "失败时在数据目录里留下了文件"
