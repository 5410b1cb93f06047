"""benchmarks/ 下的脚本至少能启动：``--help`` 退出状态 0。

基准脚本不在测试里运行（它们要训练模型、构建站点，见 README 的「性能」一节），所以一次重构
（例如模块改名）可以悄悄地把它们弄坏；这里让这种坏掉在测试里失败，并说出是哪个脚本。
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import REPO

SCRIPTS = sorted((REPO / "benchmarks").glob("bench_*.py"))


def test_there_are_benchmarks():
    assert len(SCRIPTS) >= 3, SCRIPTS


@pytest.mark.parametrize("script", SCRIPTS, ids=[p.stem for p in SCRIPTS])
def test_benchmark_script_starts(script):
    proc = subprocess.run(
        [sys.executable, str(script), "--help"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, f"{script.name} --help 失败：\n{proc.stderr[-3000:]}"
    assert "usage" in proc.stdout.lower(), proc.stdout[:500]
