"""「实验结果」表：由执行记录生成（训练函数用 dlnotes.report_result 记录），从不手写。"""

from __future__ import annotations

import markdown
from mkdocs.utils import get_relative_url

# d2l-zh（PyTorch 版）书中发布的测试准确率：完整 Fashion-MNIST，10 个迭代周期，一块 V100。
# 这是书中的参考数字，不是我们的输出；按模型名中的关键词匹配（先匹配更具体的）。
D2L_PUBLISHED = [
    ("BN-LeNet", 0.81, "批量归一化 LeNet"),
    ("LeNet", 0.78, "lr 0.9"),
    ("softmax", 0.83, ""),
    ("暂退法", 0.85, ""),
    ("dropout", 0.85, ""),
    ("多层感知机", 0.84, ""),
    ("AlexNet", 0.88, "224×224 输入"),
    ("VGG", 0.92, "VGG-11，224×224 输入"),
    ("NiN", 0.79, "波动很大，曾出现 0.10 的崩溃"),
    ("GoogLeNet", 0.89, "96×96 输入"),
    ("ResNet", 0.89, "ResNet-18，96×96 输入"),
]


def published(name: str):
    low = name.lower()
    for key, acc, note in D2L_PUBLISHED:
        if key.lower() in low:
            return acc, note
    return None, ""


def _fmt(value, digits=3):
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def render_table(records: list[dict], results_url: str, page_order: list[str] | None = None) -> str:
    """记录 → HTML 表格：每个模型一行（同名取最后一次运行），按页面在导航中的顺序排列。

    数据列只写简称，完整的数据说明列在表下（「样本」都是同一个离线样本）。
    """
    if not records:
        return "<p><strong>没有执行记录。</strong></p>"
    latest: dict[str, dict] = {}
    for r in records:
        latest[r.get("name", "?")] = r
    order = {url: i for i, url in enumerate(page_order or [])}
    items = sorted(latest.items(), key=lambda kv: order.get(kv[1].get("page_url", ""), len(order)))
    head = (
        "| 模型 | 数据 | 设备 | 迭代周期 / 学习率 | 训练损失 | 训练 / 测试准确率 | 速度 "
        "| d2l-zh 发布的测试准确率 |\n|---|---|---|---|---|---|---|---|\n"
    )
    rows, datasets = [], {}
    for name, r in items:
        acc, note = published(name)
        link = get_relative_url(r.get("page_url", ""), results_url)
        ref = "—" if acc is None else f"{acc:.2f}" + (f"（{note}）" if note else "")
        data = str(r.get("data", "?"))
        if data not in datasets:
            n_same = sum(
                1 for d in datasets.values() if d.startswith("**样本") == bool(r.get("is_sample"))
            )
            datasets[data] = (
                f"**样本 {n_same + 1}**" if r.get("is_sample") else f"数据 {chr(ord('A') + n_same)}"
            )
        label = datasets[data]
        if r.get("perplexity") is not None:
            loss = f"困惑度 {_fmt(float(r['perplexity']), 1)}"
        else:
            loss = _fmt(r.get("train_loss"))
        accs = f"{_fmt(r.get('train_acc'))} / {_fmt(r.get('test_acc'))}"
        if r.get("examples_per_sec"):
            speed = f"{float(r['examples_per_sec']):.0f} 样本/秒"
        elif r.get("tokens_per_sec"):
            speed = f"{float(r['tokens_per_sec']):.0f} 词元/秒"
        else:
            speed = "—"
        cells = [
            f"[{name}]({link})",
            label,
            _fmt(r.get("device")),
            f"{_fmt(r.get('epochs'))} / {r['lr']:g}"
            if isinstance(r.get("lr"), int | float)
            else _fmt(r.get("epochs")),
            loss,
            accs,
            speed,
            ref,
        ]
        rows.append("| " + " | ".join(cells) + " |")
    legend = "\n".join(f"- {label}：{data}" for data, label in datasets.items())
    return markdown.markdown(
        head + "\n".join(rows) + "\n\n" + "数据说明：\n\n" + legend, extensions=["tables"]
    )
