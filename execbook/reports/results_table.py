"""「实验结果」表：由执行记录生成（训练函数用 dlnotes.report_result 记录），从不手写。"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import markdown
import yaml
from mkdocs.utils import get_relative_url

from ..paths import DOCS_DIR


@dataclass(frozen=True)
class Reference:
    """d2l-zh（第二版，PyTorch）中某个模型的测试精度：完整 Fashion-MNIST、10 个迭代周期、一块 GPU。"""

    key: str  # 在记录名中匹配的关键词（先匹配排在前面、更具体的）
    section: str  # 书中的小节
    test_acc: float
    approx: bool  # True：读自训练曲线图（或书中没有打印数字），只是大约的数字
    source: str  # 这个数字从哪里来


# 原书的参考数字是书的内容，和内容放在一起（docs/_includes/reference-accuracies.yml），这里只读它
REFERENCES_FILE = DOCS_DIR / "_includes" / "reference-accuracies.yml"


def load_references(path: Path = REFERENCES_FILE) -> list[Reference]:
    return [
        Reference(**{**item, "section": str(item["section"])})
        for item in yaml.safe_load(path.read_text(encoding="utf-8"))
    ]


BOOK = load_references()
TARGET = 0.95  # 默认设置（CPU）至少达到原书测试精度的 95%


def reference(name: str) -> Reference | None:
    """记录名 → 书中的参考数字（没有对应模型时为 ``None``）。"""
    low = name.lower()
    # 关键词前面不能紧接着字母：「GoogLeNet」不能匹配到「LeNet」的参考数字
    return next((r for r in BOOK if re.search(r"(?<![a-z])" + re.escape(r.key.lower()), low)), None)


def _fmt(value, digits=3):
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _settings(r: dict) -> str:
    parts = []
    if r.get("epochs") is not None:
        parts.append(f"{r['epochs']} 轮")
    if isinstance(r.get("lr"), int | float):
        parts.append(f"学习率 {r['lr']:g}")
    if r.get("batch_size"):
        parts.append(f"批量 {r['batch_size']}")
    for key, value in (r.get("settings") or {}).items():
        parts.append(f"{key} {value}")
    return "，".join(parts) or "—"


def _curve(r: dict) -> str:
    accs = (r.get("history") or {}).get("test_acc") or []
    if not accs:
        return "—"
    if len(accs) > 8:  # 长曲线只列出首尾和均匀取的几个点
        step = (len(accs) - 1) / 7
        accs = [accs[round(i * step)] for i in range(8)]
    return " → ".join(f"{a:.2f}" for a in accs)


def _ref_cell(ref: Reference | None) -> str:
    if ref is None:
        return "—"
    mark = "≈" if ref.approx else ""
    return f"{mark}{ref.test_acc:.3f}（{ref.section} 节）"


def _ratio_cell(r: dict, ref: Reference | None) -> str:
    if ref is None or r.get("test_acc") is None:
        return "—"
    ratio = float(r["test_acc"]) / ref.test_acc
    # 三位小数：0.946 不会被四舍五入成看起来达标的 0.95
    return f"{ratio:.3f}" + (" ✓" if ratio >= TARGET else " ✗")


def _time_cell(r: dict) -> str:
    seconds = r.get("seconds")
    speed = ""
    if r.get("examples_per_sec"):
        speed = f"{float(r['examples_per_sec']):.0f} 样本/秒"
    elif r.get("tokens_per_sec"):
        speed = f"{float(r['tokens_per_sec']):.0f} 词元/秒"
    if seconds is None:
        return speed or "—"
    return f"{float(seconds):.0f} 秒" + (f"<br>{speed}" if speed else "")


def _gpu_cell(r: dict | None) -> str:
    if r is None:
        return "尚无 GPU 运行"
    acc = r.get("test_acc")
    return f"{_fmt(acc)}（{r.get('device')}，{_settings(r)}）"


def _dataset_label(datasets: dict[str, str], r: dict) -> str:
    """数据的简称（样本 1、2……或 数据 A、B……）；完整的说明列在表下。"""
    data = str(r.get("data", "?"))
    if data not in datasets:
        n_same = sum(
            1 for d in datasets.values() if d.startswith("**样本") == bool(r.get("is_sample"))
        )
        datasets[data] = (
            f"**样本 {n_same + 1}**" if r.get("is_sample") else f"数据 {chr(ord('A') + n_same)}"
        )
    return datasets[data]


def _row(name: str, r: dict, results_url: str, data_label: str, gpu: dict | None) -> str:
    ref = reference(name)
    link = get_relative_url(r.get("page_url", ""), results_url)
    if r.get("perplexity") is not None:
        accs = f"困惑度 {_fmt(float(r['perplexity']), 1)}"
    else:
        accs = f"{_fmt(r.get('test_acc'))} / {_fmt(r.get('train_acc'))}"
    cells = [
        f"[{name}]({link})",
        _ref_cell(ref),
        accs,
        _ratio_cell(r, ref),
        _settings(r),
        f"{_fmt(r.get('device'))} · {data_label}",
        _time_cell(r),
        _curve(r),
        _gpu_cell(gpu),
    ]
    return "| " + " | ".join(cells) + " |"


def render_table(
    records: list[dict],
    results_url: str,
    page_order: list[str] | None = None,
    gpu_records: list[dict] | None = None,
) -> str:
    """记录 → HTML 表格：每个模型一行（同名取最后一次运行），按页面在导航中的顺序排列。

    列：模型、原书的测试精度（小节；≈ 表示读自曲线图）、本站默认设置（CPU）的测试 / 训练精度、
    与原书之比、设置、设备与数据、训练用时、逐轮测试精度、GPU（``--full``）的结果。
    ``gpu_records`` 是在 GPU 上用 ``--full`` 运行后提交的记录；没有时 GPU 列写「尚无 GPU 运行」。
    数据列只写简称，完整的数据说明列在表下。
    """
    if not records:
        return "<p><strong>没有执行记录。</strong></p>"
    latest: dict[str, dict] = {}
    for r in records:
        latest[r.get("name", "?")] = r
    gpu = {r.get("name", "?"): r for r in gpu_records or []}
    order = {url: i for i, url in enumerate(page_order or [])}
    items = sorted(latest.items(), key=lambda kv: order.get(kv[1].get("page_url", ""), len(order)))
    head = (
        "| 模型 | 原书测试精度 | 测试 / 训练精度 | 与原书之比 | 设置 | 设备 · 数据 | 训练用时 "
        "| 逐轮测试精度 | GPU（`--full`） |\n|---|---|---|---|---|---|---|---|---|\n"
    )
    datasets: dict[str, str] = {}
    rows = [
        _row(name, r, results_url, _dataset_label(datasets, r), gpu.get(name)) for name, r in items
    ]
    legend = "\n".join(f"- {label}：{data}" for data, label in datasets.items())
    sources = "\n".join(
        f"- {ref.key}：{'≈' if ref.approx else ''}{ref.test_acc:.3f}，{ref.source}" for ref in BOOK
    )
    return markdown.markdown(
        head
        + "\n".join(rows)
        + "\n\n数据说明：\n\n"
        + legend
        + "\n\n原书参考数字的出处（d2l-zh 第二版 PyTorch 版，完整数据集、10 个迭代周期、一块 GPU）：\n\n"
        + sources,
        extensions=["tables"],
    )
