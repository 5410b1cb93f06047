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


def render_table(records: list[dict], results_url: str) -> str:
    """记录 → HTML 表格（每个模型一行，最后一次运行为准）。"""
    if not records:
        return "<p><strong>没有执行记录。</strong></p>"
    latest: dict[str, dict] = {}
    for r in records:
        latest[r.get("name", "?")] = r
    head = (
        "| 模型 | 页面 | 数据 | 设备 | 迭代周期 | 学习率 | 训练损失 | 训练准确率 | 测试准确率 | 样本/秒 "
        "| d2l-zh 发布的测试准确率 |\n|---|---|---|---|---|---|---|---|---|---|---|\n"
    )
    rows = []
    for name, r in latest.items():
        acc, note = published(name)
        link = get_relative_url(r.get("page_url", ""), results_url)
        ref = "—" if acc is None else f"{acc:.2f}" + (f"（{note}）" if note else "")
        data = r.get("data", "?")
        if r.get("is_sample"):
            data = f"**样本** {data}"
        speed = r.get("examples_per_sec") or r.get("tokens_per_sec")
        acc_or_ppl = r.get("test_acc")
        rows.append(
            "| "
            + " | ".join(
                [
                    name,
                    f"[{r.get('page_title', '页面')}]({link})",
                    data,
                    _fmt(r.get("device")),
                    _fmt(r.get("epochs")),
                    _fmt(r.get("lr")),
                    _fmt(
                        r.get("train_loss")
                        if r.get("train_loss") is not None
                        else r.get("perplexity")
                    ),
                    _fmt(r.get("train_acc")),
                    _fmt(acc_or_ppl),
                    _fmt(float(speed), 1) if speed else "—",
                    ref,
                ]
            )
            + " |"
        )
    return markdown.markdown(head + "\n".join(rows), extensions=["tables"])
