"""图中的中文：mplfonts 自带的 Noto Sans CJK SC 登记给 matplotlib，SVG 小且确定。"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from execbook.kernel import fonts

SVG_BUDGET = 40_000  # 一张带中文标题、坐标轴标签、图例的 5×3.2 英寸折线图（实测约 31.6 KB）

RENDER = r"""
import io, json, sys, warnings
import execbook.kernel.fonts as F
F.register_on_import()
import matplotlib
matplotlib.use("svg")
import matplotlib.pyplot as plt
from matplotlib import font_manager
plt.rcParams.update({"svg.hashsalt": "dlnotes", "figure.figsize": (5.0, 3.2), **F.matplotlib_rc()})

def render():
    fig, ax = plt.subplots()
    ax.plot([0, 1, 2], [-1.0, 0.5, -0.25], label="训练损失")
    ax.set_title("训练损失与测试准确率")
    ax.set_xlabel("迭代周期")
    ax.legend()
    buf = io.StringIO()
    fig.savefig(buf, format="svg")
    plt.close(fig)
    return buf.getvalue()

with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    a, b = render(), render()
print(json.dumps({
    "font": font_manager.findfont(F.FONT_FAMILY),
    "size": len(a),
    "same": a == b,
    "warnings": [str(w.message) for w in caught],
    "svg": a,
}))
"""


def render_in_fresh_process() -> dict:
    env = dict(os.environ, SOURCE_DATE_EPOCH="0", MPLBACKEND="svg")
    proc = subprocess.run(
        [sys.executable, "-c", RENDER], capture_output=True, text=True, env=env, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.splitlines()[-1])


def test_font_file_is_installed():
    path = fonts.font_path()
    assert path is not None, "没有安装 mplfonts（pip install -r requirements.txt）"
    assert path.stat().st_size > 1_000_000
    assert path.name == Path(fonts.FONT_FILE).name and fonts.FONT_PACKAGE in path.parts


def test_rc_puts_cjk_font_first():
    rc = fonts.matplotlib_rc()
    assert rc["font.sans-serif"][0] == fonts.FONT_FAMILY
    assert rc["axes.unicode_minus"] is False and rc["svg.fonttype"] == "path"
    import matplotlib

    assert set(rc) <= set(matplotlib.rcParams)  # 每个键都是 matplotlib 认识的设置


def test_chinese_figure_svg_is_small_deterministic_and_uses_our_font():
    r = render_in_fresh_process()
    assert r["font"] == str(fonts.font_path())  # 不是同名的系统字体
    assert not [w for w in r["warnings"] if "missing from font" in w], r["warnings"]
    assert r["same"], "同一张图两次渲染的 SVG 不同"
    assert r["size"] < SVG_BUDGET, f"SVG {r['size']} 字节，超过 {SVG_BUDGET}"
    assert "<text" not in r["svg"]  # 字形写成路径，不依赖读者的字体


def test_register_is_idempotent():
    from matplotlib import font_manager

    path = fonts.register()
    n = len(font_manager.fontManager.ttflist)
    assert fonts.register() == path
    assert len(font_manager.fontManager.ttflist) == n
    assert font_manager.fontManager.ttflist[0].fname == str(path)
    assert font_manager.findfont(fonts.FONT_FAMILY) == str(path)
