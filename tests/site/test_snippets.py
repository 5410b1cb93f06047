"""snippets/ 中的每个程序都能独立运行（`python snippets/x.py`），只有它用到的参数，用法说明只有一个来源
（argparse 生成的 ``--help``），并且真的在 ``--device`` / ``$D2L_DEVICE`` 选定的设备上训练。

页面已经用默认设置运行过这些程序的每一段（经执行引擎）；这里验证它们作为独立程序能跑通。
为节省 CI 时间，训练程序以 `--epochs 1` 运行；在完整数据集上一轮就要十几秒以上的卷积网络以 `--epochs 0`
运行（构建模型、读数据、打印、画图、记录结果，只是不做参数更新；训练循环本身由页面测试运行）。
不训练的程序没有这个参数。
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

import snippet_runs
from conftest import REPO
from snippet_runs import EXTRA, HEAVY, NON_TRAINING, SNIPPETS, TRAINING, run_snippet

TRAINING_FLAGS = ("--epochs", "--lr", "--batch-size", "--device", "--full")


def _docstring(path) -> str:
    text = path.read_text(encoding="utf-8")
    return text[3 : text.index('"""', 3)]


@pytest.fixture(scope="module")
def help_texts() -> dict[str, str]:
    """每个程序的 ``--help`` 输出（一个子进程依次运行全部程序，torch 只导入一次）。"""
    code = (
        "import contextlib, io, json, runpy, sys\n"
        "out = {}\n"
        "for path in sys.argv[1:]:\n"
        "    sys.argv = [path, '--help']\n"
        "    buf = io.StringIO()\n"
        "    with contextlib.redirect_stdout(buf):\n"
        "        try:\n"
        "            runpy.run_path(path, run_name='__main__')\n"
        "        except SystemExit:\n"
        "            pass\n"
        "    out[path] = buf.getvalue()\n"
        "print(json.dumps(out))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO), "MPLBACKEND": "Agg", "COLUMNS": "200"}
    proc = subprocess.run(
        [sys.executable, "-c", code, *map(str, SNIPPETS)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    texts = json.loads(proc.stdout.strip().splitlines()[-1])
    return {os.path.basename(k)[:-3]: v for k, v in texts.items()}


def test_there_are_snippets():
    assert len(SNIPPETS) >= 25, [p.name for p in SNIPPETS]
    assert NON_TRAINING <= {p.stem for p in SNIPPETS} and HEAVY <= {p.stem for p in TRAINING}


@pytest.fixture(scope="module")
def alone_runs():
    """所有程序的独立运行（snippet_runs.py）：页面测试一跑完就在后台开始了；这时还没开始的，
    同时跑（每个 CPU 核一个进程、每个进程一个线程）。结果按程序取用，每个测试仍只断言自己的程序。"""
    futures, pool = snippet_runs.alone_runs(max(1, os.cpu_count() or 1))
    yield futures
    pool.shutdown(wait=True, cancel_futures=True)


@pytest.mark.parametrize("path", SNIPPETS, ids=[p.stem for p in SNIPPETS])
def test_snippet_runs_alone(path, alone_runs):
    proc = alone_runs[path].result()
    assert proc.returncode == 0, (
        f"{path.name} 运行失败：\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}"
    )


@pytest.mark.parametrize("path", SNIPPETS, ids=[p.stem for p in SNIPPETS])
def test_snippet_structure(path):
    text = path.read_text(encoding="utf-8")
    assert text.startswith('"""'), f"{path.name} 应以说明它做什么、怎样运行的文档字符串开头"
    starts = re.findall(r"# --8<-- \[start:(\w+)\]", text)
    ends = re.findall(r"# --8<-- \[end:(\w+)\]", text)
    assert starts and starts == ends, (
        f"{path.name} 的 pymdownx.snippets 分段不成对：{starts} / {ends}"
    )
    assert not re.search(r"^\s*(import|from)\s+(d2l|torchvision)\b", text, re.M), (
        f"{path.name} 依赖 d2l/torchvision"
    )


def test_usage_comes_from_argparse(help_texts):
    """用法只有一个来源：argparse 生成的 usage。文档字符串里不手写「运行：python …」，
    提到的每个 ``--参数`` 都是程序真的有的参数。"""
    problems = []
    for path in SNIPPETS:
        doc, help_text = _docstring(path), help_texts[path.stem]
        assert help_text.startswith(f"usage: python snippets/{path.name}"), help_text[:200]
        if re.search(r"^\s*(运行|用法|usage)\s*[：:]", doc, re.M | re.I):
            problems.append(f"{path.name}: 文档字符串里手写了用法行")
        options = set(re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*", help_text))
        for flag in sorted(set(re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*", doc))):
            if flag not in options:
                problems.append(f"{path.name}: 文档字符串提到 {flag}，但 --help 里没有这个参数")
    assert not problems, "\n".join(problems)


def test_only_training_programs_take_training_flags(help_texts):
    stems = {p.stem for p in SNIPPETS}
    assert NON_TRAINING < stems and HEAVY < stems, (
        "NON_TRAINING/HEAVY 中有不存在的程序：",
        sorted((NON_TRAINING | HEAVY) - stems),
    )
    for path in SNIPPETS:
        options = set(re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*", help_texts[path.stem]))
        if path.stem in NON_TRAINING:
            assert not options & set(TRAINING_FLAGS), (path.name, sorted(options))
        else:
            assert {"--epochs", "--device"} <= options, (path.name, sorted(options))


@pytest.mark.parametrize(
    ("name", "how"), [("flag", "--device cuda"), ("env", "D2L_DEVICE=cuda")], ids=["flag", "env"]
)
def test_training_programs_honour_the_device(name, how):
    """每个训练程序都在选定的设备上训练：在第一次反向传播之前，把张量放到了那个设备上。

    只有 CPU 的机器上，探测进程假装有一块 GPU，并在张量第一次被放到 CUDA 上时停下（见
    tests/site/device_probe.py）；一个校验了 --device 却在 CPU 上训练的程序会先做反向传播，被报告为 "cpu"。
    ``--device cuda`` 时环境变量是 D2L_DEVICE=cpu（参数优先），见 snippet_runs.DEVICE_PROBES。
    """
    proc = snippet_runs.probe(name)
    assert proc.returncode == 0, proc.stderr[-4000:]
    results = json.loads(proc.stdout.strip().splitlines()[-1])
    assert len(results) == len(TRAINING), sorted(results)
    wrong = {prog: result for prog, result in results.items() if result != "device"}
    assert not wrong, f"这些程序没有在 {how} 选定的设备上训练：{wrong}"


def test_device_probe_catches_a_program_that_ignores_the_flag(tmp_path):
    """探测本身能失败：一个校验了 --device、却在默认设备（CPU）上训练的程序被报告为 "cpu"。"""
    program = tmp_path / "ignores.py"
    program.write_text(
        '"""忽略 --device 的程序。"""\n'
        "import torch\n"
        "import dlnotes\n"
        "args = dlnotes.parse_args(__doc__, epochs=1)\n"
        "dlnotes.get_device(args.device)  # 校验了，却没有用\n"
        "net = torch.nn.Linear(2, 1)\n"
        "net(torch.ones(3, 2)).sum().backward()\n",
        encoding="utf-8",
    )
    proc = snippet_runs.run_probe([program], ["--device", "cuda"], {"D2L_DEVICE": "cpu"})
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == {"ignores.py": "cpu"}


def test_help_and_bad_device_give_one_clear_line():
    path = REPO / "snippets" / "lenet.py"
    assert run_snippet(path, "--help").returncode == 0
    proc = run_snippet(path, "--device", "tpu")
    assert proc.returncode == 2
    lines = [ln for ln in proc.stderr.strip().splitlines() if ln.strip()]
    assert len(lines) == 1 and "tpu" in lines[0], proc.stderr
    import torch

    if not torch.cuda.is_available():
        proc = run_snippet(path, "--device", "cuda")
        assert (
            proc.returncode == 2
            and "CUDA" in proc.stderr.upper()
            and "Traceback" not in proc.stderr
        )


def test_missing_data_gives_one_clear_line(tmp_path):
    """没有数据时：一行说明（数据集、找过的目录、怎样解决），非零退出，没有 traceback。"""
    path = REPO / "snippets" / "lenet.py"
    env = {
        "D2L_DATA_DIR": str(tmp_path),
        "DLNOTES_OFFLINE": "1",
        "DLNOTES_SYSTEM_DATA_DIRS": "",
    }
    proc = run_snippet(path, "--epochs", "1", env=env, timeout=120)
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    errors = [ln for ln in proc.stderr.splitlines() if "error" in ln]
    assert len(errors) == 1 and "Fashion-MNIST" in errors[0] and str(tmp_path) in errors[0], (
        proc.stderr
    )
    assert not any(tmp_path.iterdir()), "失败时在数据目录里留下了文件"
