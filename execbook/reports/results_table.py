"""「实验结果」表：由执行记录生成（训练函数用 dlnotes.report_result 记录），从不手写。"""

from __future__ import annotations

import html
import re
from collections import Counter
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
    return " · ".join(parts) or "—"


def _series(r: dict) -> tuple[str, list[float]]:
    """逐轮曲线：(名称, 数值)。分类模型是测试精度，语言模型是困惑度。"""
    history = r.get("history") or {}
    if history.get("test_acc"):
        return "测试精度", [float(v) for v in history["test_acc"]]
    if history.get("perplexity"):
        return "困惑度", [float(v) for v in history["perplexity"]]
    return "", []


def sparkline(values: list[float], label: str, width: int = 72, height: int = 18) -> str:
    """逐轮曲线 → 一个小的内联 SVG（折线 + 末点，颜色跟随文字，深色模式也清楚）。

    ``<title>`` 写出每一轮的数值（读屏、鼠标悬停和 PDF 的文字都能读到）。
    """
    text = f"逐轮{label}：" + " → ".join(f"{v:.2f}" for v in values)
    if len(values) < 2:
        return f"{values[0]:.2f}" if values else "—"
    lo, hi = min(values), max(values)
    span = (hi - lo) or 1.0
    pad = 2.5
    xs = [pad + i * (width - 2 * pad) / (len(values) - 1) for i in range(len(values))]
    ys = [height - pad - (v - lo) / span * (height - 2 * pad) for v in values]
    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys, strict=True))
    return (
        f'<svg class="dl-sparkline" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" style="vertical-align:middle">'
        f"<title>{html.escape(text)}</title>"
        f'<polyline points="{points}" fill="none" stroke="currentColor" stroke-width="1.5" '
        'stroke-linejoin="round" stroke-linecap="round"/>'
        f'<circle cx="{xs[-1]:.1f}" cy="{ys[-1]:.1f}" r="2" fill="currentColor"/></svg>'
    )


def _curve(r: dict) -> str:
    label, values = _series(r)
    return sparkline(values, label) if values else "—"


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
    """训练用时（秒）；吞吐量放在悬停提示里。"""
    seconds = r.get("seconds")
    speed = ""
    if r.get("examples_per_sec"):
        speed = f"{float(r['examples_per_sec']):.0f} 样本/秒"
    elif r.get("tokens_per_sec"):
        speed = f"{float(r['tokens_per_sec']):.0f} 词元/秒"
    if seconds is None:
        return html.escape(speed or "—")
    text = f"{float(seconds):.0f} 秒"
    return f'<span title="{html.escape(speed)}">{text}</span>' if speed else text


def _gpu_cell(r: dict | None) -> str:
    if r is None:
        return "—"
    acc = r.get("test_acc")
    return html.escape(f"{_fmt(acc)}（{r.get('device')}，{_settings(r)}）")


def _acc_cell(r: dict) -> str:
    if r.get("perplexity") is not None:
        return f"困惑度 {_fmt(float(r['perplexity']), 1)}"
    train = r.get("train_acc")
    title = f' title="训练精度 {_fmt(train)}"' if train is not None else ""
    return f"<span{title}>{_fmt(r.get('test_acc'))}</span>"


# 模型名与设置可以折行（给一个最小宽度，免得被挤成一字一行），数字与曲线不折行
WRAP = {0: "min-width: 12em", 6: "min-width: 16em"}
HEAD = ["模型", "原书测试精度", "测试精度", "与原书之比", "逐轮测试精度", "训练用时", "设置"]
GPU_HEAD = "GPU（<code>--full</code>）"


def _data(r: dict) -> str:
    return str(r.get("data", "?"))


def latest_per_model(records: list[dict], page_order: list[str] | None) -> list[tuple[str, dict]]:
    """每个模型（记录名）最后一次运行的记录，按它的页面在导航中的顺序排列。"""
    latest: dict[str, dict] = {}
    for r in records:
        latest[r.get("name", "?")] = r
    order = {url: i for i, url in enumerate(page_order or [])}
    return sorted(latest.items(), key=lambda kv: order.get(kv[1].get("page_url", ""), len(order)))


def dataset_labels(items: list[tuple[str, dict]]) -> dict[str, str]:
    """数据说明 → 表里的简称：完整数据是「数据 A」「数据 B」……，缩小的样本是加粗的「样本 1」「样本 2」……"""
    labels: dict[str, str] = {}
    for _name, r in items:
        if _data(r) in labels:
            continue
        sample = bool(r.get("is_sample"))
        n_same = sum(label.startswith("<strong>样本") == sample for label in labels.values())
        labels[_data(r)] = (
            f"<strong>样本 {n_same + 1}</strong>" if sample else f"数据 {chr(ord('A') + n_same)}"
        )
    return labels


def _most_common(values) -> str:
    return Counter(values).most_common(1)[0][0]


def _model_cell(name: str, link: str, notes: list[str]) -> str:
    """模型名（链接到它的页面），设备或数据与多数模型不同的在后面注明。"""
    model = f'<a href="{html.escape(link)}">{html.escape(name)}</a>'
    if notes:
        model += f" <small>（{'，'.join(notes)}）</small>"
    return model


def _row(cells: list[str]) -> str:
    return (
        "<tr>"
        + "".join(
            f'<td style="{WRAP[i]}">{c}</td>'
            if i in WRAP
            else f'<td style="white-space: nowrap">{c}</td>'
            for i, c in enumerate(cells)
        )
        + "</tr>"
    )


def _table(head: list[str], rows: list[str]) -> str:
    return (
        '<div class="dl-results"><table>\n<thead><tr>'
        + "".join(f"<th>{h}</th>" for h in head)
        + "</tr></thead>\n<tbody>\n"
        + "\n".join(rows)
        + "\n</tbody>\n</table></div>"
    )


def _legend(datasets: dict[str, str]) -> str:
    """表下的说明：各个数据简称的完整说明，与原书参考数字的出处。"""
    legend = "\n".join(f"- {label}：{data}" for data, label in datasets.items())
    sources = "\n".join(
        f"- {ref.key}：{'≈' if ref.approx else ''}{ref.test_acc:.3f}，{ref.source}" for ref in BOOK
    )
    return markdown.markdown(
        "数据说明：\n\n"
        + legend
        + "\n\n原书参考数字的出处（d2l-zh 第二版 PyTorch 版，完整数据集、10 个迭代周期、一块 GPU）：\n\n"
        + sources
    )


def render_table(
    records: list[dict],
    results_url: str,
    page_order: list[str] | None = None,
    gpu_records: list[dict] | None = None,
) -> str:
    """记录 → HTML 表格：每个模型一行（同名取最后一次运行），按页面在导航中的顺序排列。

    为阅读设计（手机上也一样）：每个模型只占一行（数字与曲线不折行，只有模型名与设置可以折行；表格太宽时在自己的框里横向滚动）；
    逐轮测试精度画成一条小折线（:func:`sparkline`，各轮的数值在它的 ``<title>`` 里）。
    列：模型、原书的测试精度（小节；≈ 表示读自曲线图）、测试精度、与原书之比、逐轮曲线、训练用时、设置。
    多数模型的设备与数据写在表上方，与之不同的在模型名后注明，不占列；GPU（``--full``）一列只在有 GPU 记录时出现
    （``gpu_records``：在 GPU 上用 ``--full`` 运行后提交的记录），没有时表下写一句说明。
    数据只写简称，完整的数据说明列在表下。
    """
    if not records:
        return "<p><strong>没有执行记录。</strong></p>"
    items = latest_per_model(records, page_order)
    datasets = dataset_labels(items)
    device_main = _most_common(str(r.get("device")) for _n, r in items)
    data_main = _most_common(datasets[_data(r)] for _n, r in items)
    gpu = {r.get("name", "?"): r for r in gpu_records or []}

    rows = []
    exceptions = 0
    for name, r in items:
        ref = reference(name)
        notes = []  # 与多数模型不同的设备与数据
        if str(r.get("device")) != device_main:
            notes.append(f"<code>{html.escape(str(r.get('device')))}</code>")
        if datasets[_data(r)] != data_main:
            notes.append(datasets[_data(r)])
        exceptions += bool(notes)
        link = get_relative_url(r.get("page_url", ""), results_url)
        cells = [
            _model_cell(name, link, notes),
            html.escape(_ref_cell(ref)),
            _acc_cell(r),
            html.escape(_ratio_cell(r, ref)),
            _curve(r),
            _time_cell(r),
            html.escape(_settings(r)),
        ]
        if gpu:
            cells.append(_gpu_cell(gpu.get(name)))
        rows.append(_row(cells))

    where = f"在 <code>{html.escape(device_main)}</code> 上训练，数据是{data_main}（见表下）"
    scope = "除模型名后注明的以外，" if exceptions else f"全部 {len(items)} 个"
    head = HEAD + [GPU_HEAD] if gpu else HEAD
    out = [f"<p>{scope}模型都{where}。</p>", _table(head, rows)]
    if not gpu:
        out.append(f"<p>{GPU_HEAD}：尚无 GPU 运行记录；有了之后表中会多出这一列。</p>")
    out.append(_legend(datasets))
    return "\n".join(out)
