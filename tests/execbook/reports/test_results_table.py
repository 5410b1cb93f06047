"""「实验结果」表（execbook/reports/results_table.py）：由记录生成，写明数据、设备、设置、原书出处、逐轮曲线；每个模型一行，
逐轮曲线是内联的小折线图，GPU 列只在有 GPU 记录时出现。"""

from __future__ import annotations

import pytest

from execbook.reports import results_table as results


def _record(name, test_acc, **extra):
    return {
        "name": name,
        "test_acc": test_acc,
        "train_acc": test_acc + 0.02,
        "train_loss": 0.4,
        "examples_per_sec": 5000.0,
        "seconds": 42.0,
        "epochs": 4,
        "lr": 0.1,
        "batch_size": 128,
        "device": "cpu",
        "data": "Fashion-MNIST 完整数据集（60000 张训练 / 10000 张测试）",
        "is_sample": False,
        "settings": {"resize": 68, "ratio": 8},
        "history": {"test_acc": [0.71, 0.81, 0.82, test_acc]},
        "page_url": "chapter_convolutional-modern/alexnet/",
        **extra,
    }


def test_every_reference_names_its_section_and_source():
    for ref in results.BOOK:
        assert ref.section and ref.source and ref.section.split("、")[0] in ref.source
        assert 0.5 < ref.test_acc < 1
    # 更具体的关键词排在前面：BN-LeNet 不会被当成 LeNet
    assert results.reference("BN-LeNet（简洁实现）").test_acc == 0.708
    assert results.reference("BN-LeNet（从零实现）").section == "7.5"
    assert results.reference("LeNet").section == "6.6"
    assert results.reference("循环神经网络（从零实现）") is None


def test_table_shows_reference_ratio_settings_curve_one_line_per_model():
    html = results.render_table(
        [_record("AlexNet", 0.863), _record("VGG-11", 0.80)],
        "appendix/results/",
        ["chapter_convolutional-modern/alexnet/"],
    )
    head, body = html.split("<tbody>", 1)
    alexnet, vgg = body.split("</tr>")[:2]
    assert "≈0.880（7.1 节）" in alexnet  # 读自曲线图的数字标为 ≈，并写出小节
    assert "0.920（7.2 节）" in vgg and "≈" not in vgg.split("</td>")[1]
    assert "0.981 ✓" in alexnet and "0.870 ✗" in vgg  # 与原书之比，目标 0.95
    assert "4 轮 · 学习率 0.1 · 批量 128 · resize 68 · ratio 8" in alexnet
    assert "42 秒" in alexnet and "5000 样本/秒" in alexnet  # 吞吐量在悬停提示里
    # 逐轮测试精度：一条小折线，各轮数值在 <title> 里；单元格里不再罗列数字
    assert alexnet.count("<svg") == 1 and "<polyline" in alexnet
    assert "<title>逐轮测试精度：0.71 → 0.81 → 0.82 → 0.86</title>" in alexnet
    # 每个模型一行：数字与曲线不折行（表格太宽时在自己的框里横向滚动），只有模型名与设置可以折行；没有 <br>
    assert '<td style="white-space: nowrap">0.981 ✓</td>' in alexnet and "<br" not in body
    assert '<td style="min-width: 12em"><a href=' in alexnet
    assert '<td style="min-width: 16em">4 轮 · 学习率' in alexnet
    # 设备与数据相同：写在表上方，不占一列；没有 GPU 记录：不出现 GPU 列，表下说明
    assert "全部 2 个模型都在 <code>cpu</code> 上训练，数据是数据 A（见表下）" in head
    assert "<th>设备</th>" not in head and "<th>数据</th>" not in head
    assert "GPU" not in head.split("<thead>")[1]
    assert head.split("<thead>")[1].count("<th>") == 7
    assert "尚无 GPU 运行记录" in html
    assert "数据 A：Fashion-MNIST 完整数据集" in html
    assert "7.2 节的训练输出" in html  # 出处列在表下


def test_other_device_or_data_is_noted_after_the_model_name():
    sample = dict(_record("LeNet", 0.76), is_sample=True, data="离线样本", device="cuda:0")
    records = [_record("AlexNet", 0.863), _record("VGG-11", 0.8), sample]
    html = results.render_table(records, "appendix/results/")
    head, body = html.split("<tbody>", 1)
    assert "除模型名后注明的以外，模型都在 <code>cpu</code> 上训练，数据是数据 A" in head
    assert "<th>设备</th>" not in head and "<th>数据</th>" not in head  # 不占列
    lenet = next(row for row in body.split("</tr>") if ">LeNet</a>" in row)
    assert "<small>（<code>cuda:0</code>，<strong>样本 1</strong>）</small>" in lenet
    alexnet = next(row for row in body.split("</tr>") if ">AlexNet</a>" in row)
    assert "<small>" not in alexnet


def test_sparkline_scales_each_curve_and_handles_short_ones():
    svg = results.sparkline([0.5, 0.9], "测试精度", width=40, height=10)
    pts = svg.split('points="')[1].split('"')[0].split()
    (x0, y0), (x1, y1) = (tuple(map(float, p.split(","))) for p in pts)
    assert x0 < x1 and y1 < y0  # 上升的曲线：右端更高（SVG 的 y 向下）
    assert results.sparkline([0.7], "测试精度") == "0.70"  # 只有一轮：写出数字
    flat = results.sparkline([0.8, 0.8, 0.8], "测试精度")
    assert "<polyline" in flat and "nan" not in flat


def test_gpu_records_fill_the_gpu_column():
    gpu = dict(
        _record("AlexNet", 0.885), device="cuda:0", epochs=10, settings={"resize": 224, "ratio": 1}
    )
    html = results.render_table([_record("AlexNet", 0.863)], "appendix/results/", gpu_records=[gpu])
    assert "GPU（<code>--full</code>）</th>" in html
    assert "0.885（cuda:0，10 轮" in html and "尚无 GPU 运行" not in html


def test_sample_rows_are_labelled():
    rec = dict(
        _record("LeNet", 0.5),
        is_sample=True,
        data="Fashion-MNIST 离线样本（1600 张训练 / 400 张测试）",
    )
    html = results.render_table([rec], "appendix/results/")
    assert "**样本 1**" not in html and "数据是<strong>样本 1</strong>" in html


@pytest.mark.parametrize(
    ("name", "section", "acc"),
    [
        ("GoogLeNet", "7.4", 0.886),
        ("LeNet", "6.6", 0.779),
        ("BN-LeNet（从零实现）", "7.5", 0.807),
        ("BN-LeNet（简洁实现）", "7.5", 0.708),
        ("ResNet-18", "7.6", 0.893),
    ],
)
def test_each_model_gets_its_own_book_reference(name, section, acc):
    ref = results.reference(name)
    assert ref is not None and (ref.section, ref.test_acc) == (section, acc)


def test_ratio_is_not_rounded_up_past_the_target():
    ref = results.reference("NiN")
    cell = results._ratio_cell({"test_acc": 0.747}, ref)
    assert cell.endswith("✗") and cell.startswith("0.94")
