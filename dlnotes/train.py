"""训练循环（同 d2l 第 3 章 softmax 回归与第 6 章 LeNet），外加一行来源说明。

Training loops of d2l chapters 3 and 6. Each prints one line per epoch, draws the
curves once at the end (static :class:`~dlnotes.plotting.Animator`), prints a summary
line with examples/sec and a provenance line (data, device, settings), and returns
a dict of metrics. Metrics are accumulated as tensors (no per-batch ``.item()``
host sync), so the loops cost about the same as a bare PyTorch loop.
"""

from __future__ import annotations

import torch
from torch import nn

from .utils import Timer

__all__ = [
    "accuracy",
    "evaluate_accuracy",
    "train_epoch_ch3",
    "train_ch3",
    "evaluate_accuracy_gpu",
    "train_epoch_ch6",
    "train_ch6",
]


# --8<-- [start:accuracy]
def accuracy(y_hat, y) -> float:
    """预测正确的数量（不是比例，同 d2l）。Number of correct predictions."""
    if y_hat.ndim > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(dim=1)
    cmp = y_hat.type(y.dtype) == y
    return float(cmp.type(y.dtype).sum())


def _correct(y_hat, y) -> torch.Tensor:
    """预测正确的数量（张量，不同步到主机）。"""
    if y_hat.ndim > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(dim=1)
    elif y_hat.dtype != y.dtype:
        y_hat = y_hat.type(y.dtype)
    return (y_hat == y).sum()


# --8<-- [end:accuracy]


# --8<-- [start:evaluate_accuracy]
def evaluate_accuracy(net, data_iter, device=None) -> float:
    """在数据集上计算模型的精度（同 d2l）。Accuracy of ``net`` on ``data_iter``.

    每批数据移动到 ``device``（缺省为模型参数所在的设备；函数形式的模型为 CPU）。
    """
    was_training = isinstance(net, nn.Module) and net.training
    if isinstance(net, nn.Module):
        net.eval()
    if device is None:
        device = _model_device(net)
    correct, total = 0, 0
    with torch.no_grad():
        for X, y in data_iter:
            X, y = X.to(device, non_blocking=True), y.to(device, non_blocking=True)
            correct = correct + _correct(net(X), y)
            total += y.numel()
    if was_training:
        net.train()
    return float(correct) / total if total else 0.0


# --8<-- [end:evaluate_accuracy]


# --8<-- [start:train_epoch_ch3]
def train_epoch_ch3(net, train_iter, loss, updater, device=None):
    """训练一个 epoch（同 d2l），返回 ``(平均损失, 训练精度)``。

    ``updater`` 可以是 ``torch.optim.Optimizer``（用损失均值反向传播），也可以是
    ``updater(batch_size)`` 形式的函数（用损失之和反向传播，如从零实现的 ``sgd``）。
    ``loss`` 可以返回逐样本损失（``reduction='none'``）或标量均值。每批数据移动到 ``device``
    （缺省为模型参数所在的设备）。
    """
    if device is None:
        device = _model_device(net, updater)
    train_loss, train_acc, _ = _train_epoch_ch3(net, train_iter, loss, updater, device)
    return train_loss, train_acc


def _train_epoch_ch3(net, train_iter, loss, updater, device):
    """同 :func:`train_epoch_ch3`，另外返回样本数。"""
    if isinstance(net, nn.Module):
        net.train()
    is_optim = isinstance(updater, torch.optim.Optimizer)
    stats = _EpochStats()
    for X, y in train_iter:
        X, y = X.to(device, non_blocking=True), y.to(device, non_blocking=True)
        y_hat = net(X)
        l = loss(y_hat, y)  # noqa: E741 - d2l's name
        if is_optim:
            updater.zero_grad()
            (l.mean() if l.ndim else l).backward()
            updater.step()
        else:
            (l.sum() if l.ndim else l * y.numel()).backward()
            updater(X.shape[0])
        stats.add(l, y_hat, y)
    return stats.result()


class _EpochStats:
    """收集一个 epoch 的逐批损失与预测，epoch 结束时一次算出平均损失和精度。

    每批只保存 detach 后的张量（不做计算、不同步设备），训练循环几乎没有额外开销；
    保存的输出只有 (batch, num_classes) 大小。
    """

    __slots__ = ("losses", "y_hats", "ys")

    def __init__(self):
        self.losses, self.y_hats, self.ys = [], [], []

    def add(self, l, y_hat, y) -> None:  # noqa: E741 - d2l's name
        self.losses.append(l.detach())
        self.y_hats.append(y_hat.detach())
        self.ys.append(y)

    def result(self) -> tuple[float, float, int]:
        """返回 (平均损失, 精度, 样本数)；只在这里同步一次设备。"""
        if not self.ys:
            return float("nan"), float("nan"), 0
        y = torch.cat([t.reshape(-1) for t in self.ys])
        n = y.numel()
        if all(t.ndim for t in self.losses):  # per-example losses
            loss_sum = torch.cat([t.reshape(-1) for t in self.losses]).float().sum()
        elif not any(t.ndim for t in self.losses):  # batch means: weight by batch size
            sizes = torch.tensor([t.numel() for t in self.ys], dtype=torch.float32)
            loss_sum = (torch.stack(self.losses).float() * sizes.to(self.losses[0].device)).sum()
        else:  # a mix of both (unusual)
            loss_sum = sum(
                (t.float().sum() if t.ndim else t.float() * yb.numel())
                for t, yb in zip(self.losses, self.ys, strict=True)
            )
        correct = _correct(torch.cat(self.y_hats), y)
        return float(loss_sum) / n, float(correct) / n, n


# --8<-- [end:train_epoch_ch3]


def _model_device(net, updater=None) -> torch.device:
    """模型参数所在的设备；函数形式的模型看优化器的参数，都没有时为 CPU。"""
    if isinstance(net, nn.Module):
        for p in net.parameters():
            return p.device
    if isinstance(updater, torch.optim.Optimizer):
        for group in updater.param_groups:
            for p in group["params"]:
                return p.device
    return torch.device("cpu")


def _finish(name, animator, *, metrics, history, train_iter, plot):
    """打印摘要和来源行，画图，（可选）记录结果，返回指标字典。"""
    device, lr, batch_size = metrics["device"], metrics["lr"], metrics["batch_size"]
    print(
        f"损失 {metrics['train_loss']:.3f}，训练精度 {metrics['train_acc']:.3f}，"
        f"测试精度 {metrics['test_acc']:.3f}"
    )
    print(f"每秒 {metrics['examples_per_sec']:.1f} 个样本（examples/sec），设备 {device}")
    data = getattr(train_iter, "info", None) or type(train_iter).__name__
    lr_text = "?" if lr is None else f"{lr:g}"
    bs_text = "?" if batch_size is None else str(batch_size)
    settings = metrics.get("settings") or {}
    extra = "，".join(f"{k} {v}" for k, v in settings.items())
    print(
        f"数据：{data}；设备：{device}；迭代周期 {metrics['epochs']}，学习率 {lr_text}，"
        f"批量大小 {bs_text}" + (f"；设置：{extra}" if extra else "")
    )
    if plot:
        animator.show()
    metrics = {
        **metrics,
        "data": data,
        "is_sample": getattr(train_iter, "is_sample", None),
        "history": history,
    }
    if name is not None:
        from .results import report_result

        report_result(name, **metrics)
    return metrics


def _animator(num_epochs):
    from .plotting import Animator

    return Animator(
        xlabel="迭代周期（epoch）",
        xlim=[1, num_epochs] if num_epochs > 1 else None,
        legend=["训练损失", "训练精度", "测试精度"],
    )


# --8<-- [start:fit]
def _fit(name, num_epochs, train_epoch, evaluate, *, lr, train_iter, device, plot, settings):
    """train_ch3 与 train_ch6 共用的周期循环：训练一个 epoch、评估、记录曲线、打印一行。

    返回的字典（也是记录的结果）带有逐 epoch 的曲线 ``history``（train_loss/train_acc/test_acc
    各一个列表）、训练用时 ``seconds``（只计训练，不计评估）和 ``settings``（如缩小的输入尺寸、宽度）。
    """
    animator = _animator(num_epochs)
    timer = Timer()
    n_train = 0
    train_loss = train_acc = test_acc = float("nan")
    history = {"train_loss": [], "train_acc": [], "test_acc": []}
    for epoch in range(num_epochs):
        timer.start()
        train_loss, train_acc, n = train_epoch()
        timer.stop()
        n_train += n
        test_acc = evaluate()
        animator.add(epoch + 1, (train_loss, train_acc, test_acc))
        for key, value in zip(history, (train_loss, train_acc, test_acc), strict=True):
            history[key].append(round(value, 4))
        print(
            f"迭代周期 {epoch + 1}：损失 {train_loss:.3f}，训练精度 {train_acc:.3f}，测试精度 {test_acc:.3f}"
        )
    speed = n_train / timer.sum() if n_train and timer.sum() > 0 else float("nan")
    metrics = {
        "train_loss": train_loss,
        "train_acc": train_acc,
        "test_acc": test_acc,
        "examples_per_sec": speed,
        "seconds": round(timer.sum(), 2),
        "epochs": num_epochs,
        "lr": lr,
        "batch_size": getattr(train_iter, "batch_size", None),
        "device": str(device),
        "settings": dict(settings or {}),
    }
    return _finish(
        name, animator, metrics=metrics, history=history, train_iter=train_iter, plot=plot
    )


# --8<-- [end:fit]


# --8<-- [start:train_ch3]
def train_ch3(
    net,
    train_iter,
    test_iter,
    loss,
    num_epochs,
    updater,
    *,
    device=None,
    name=None,
    lr=None,
    settings=None,
    plot=True,
):
    """训练模型（对应 d2l 3.6 节的 ``train_ch3``），返回指标字典。

    每个迭代周期打印一行 ``迭代周期 1：损失 0.812，训练精度 0.712，测试精度 0.745``；结束时画一次曲线，
    打印吞吐量（每秒样本数，只计训练时间）和来源行（``train_iter.info``、设备、迭代周期、学习率、批量大小、
    ``settings``）。每批数据移动到 ``device``（缺省为模型或优化器参数所在的设备；函数形式的模型配
    函数形式的 updater 时为 CPU，所以从零实现要把参数建在 ``device`` 上并传入 ``device``）。
    ``lr`` 缺省时从优化器读取；``name`` 给出时调用 :func:`dlnotes.report_result` 记录结果。
    返回键：train_loss, train_acc, test_acc, examples_per_sec, seconds, epochs, lr, batch_size, device,
    settings, data, is_sample, history（逐 epoch 的 train_loss/train_acc/test_acc 列表）。
    """
    if lr is None and isinstance(updater, torch.optim.Optimizer):
        lr = updater.param_groups[0]["lr"]
    if device is None:
        device = _model_device(net, updater)
    device = torch.device(device)
    return _fit(
        name,
        num_epochs,
        lambda: _train_epoch_ch3(net, train_iter, loss, updater, device),
        lambda: evaluate_accuracy(net, test_iter, device),
        lr=lr,
        train_iter=train_iter,
        device=device,
        plot=plot,
        settings=settings,
    )


# --8<-- [end:train_ch3]


# --8<-- [start:evaluate_accuracy_gpu]
def evaluate_accuracy_gpu(net, data_iter, device=None) -> float:
    """在 ``device``（缺省为模型参数所在设备）上计算精度（同 d2l）。"""
    if isinstance(net, nn.Module):
        net.eval()
        if device is None:
            device = _model_device(net)
    device = torch.device(device) if device is not None else torch.device("cpu")
    correct = torch.zeros((), dtype=torch.long, device=device)
    total = 0
    with torch.no_grad():
        for X, y in data_iter:
            if isinstance(X, list):
                X = [x.to(device) for x in X]
            else:
                X = X.to(device, non_blocking=True)
            y = y.to(device, non_blocking=True)
            correct += _correct(net(X), y)
            total += y.numel()
    return float(correct) / total if total else 0.0


def train_epoch_ch6(net, train_iter, loss, optimizer, device):
    """train_ch6 的一个 epoch：返回 ``(平均损失, 训练精度, 样本数)``。

    ``loss`` 返回批量均值（如 ``nn.CrossEntropyLoss()``）；指标在设备上累加，epoch 结束时才同步。
    """
    net.train()
    stats = _EpochStats()
    for X, y in train_iter:
        X, y = X.to(device, non_blocking=True), y.to(device, non_blocking=True)
        optimizer.zero_grad()
        y_hat = net(X)
        l = loss(y_hat, y)  # noqa: E741 - d2l's name
        l.backward()
        optimizer.step()
        stats.add(l, y_hat, y)
    return stats.result()


# --8<-- [end:evaluate_accuracy_gpu]


# --8<-- [start:train_ch6]
def _xavier(m):
    if type(m) in (nn.Linear, nn.Conv2d):
        nn.init.xavier_uniform_(m.weight)


def _kaiming(m):
    if type(m) in (nn.Linear, nn.Conv2d):
        nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
        if m.bias is not None:
            nn.init.zeros_(m.bias)


_INITS = {"xavier": _xavier, "kaiming": _kaiming}


def train_ch6(
    net,
    train_iter,
    test_iter,
    num_epochs,
    lr,
    device=None,
    *,
    name=None,
    settings=None,
    init="xavier",
    channels_last=False,
    plot=True,
):
    """用 GPU（如有）训练模型（对应 d2l 6.6 节的 ``train_ch6``），返回指标字典。

    初始化 ``Linear``/``Conv2d`` 的权重：``init="xavier"``（同 d2l）、``"kaiming"``（He 初始化，
    正态分布、方差 2/fan_in、偏置为 0：为 ReLU 设计，很深的不带批量规范化的 ReLU 网络用 Xavier 初始化时
    各层输出中随输入变化的部分逐层变小，训练初期可能停在 ln 10 附近的平台期，见 NiN 一节的对照）或 ``None``（保留模型自己的初始化）。
    ``SGD(lr)``，``CrossEntropyLoss``；每批数据移动到 ``device``（``None``/字符串经
    :func:`dlnotes.get_device` 解析）。打印内容与返回值同 :func:`train_ch3`。
    ``channels_last=True`` 把卷积权重换成「通道在后」（NHWC）的内存排列：计算的是同一个函数（只有浮点
    舍入的先后可能不同），CPU 上的卷积（oneDNN）不必在两种排列之间来回转换，本站的卷积网络程序训练快 1.2–1.7 倍（benchmarks/bench_channels_last.py）；
    默认 ``False`` 即原书的排列。
    """
    from .device import get_device

    device = get_device(device) if not isinstance(device, torch.device) else device
    if init is not None:
        net.apply(_INITS[init])
    net.to(device)
    if channels_last:
        # 只改变四维权重在内存中的排列（NCHW → NHWC），不改变数值的含义
        net.to(memory_format=torch.channels_last)
    print(f"训练设备：{device}" + ("（卷积权重 channels_last）" if channels_last else ""))
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    loss = nn.CrossEntropyLoss()
    return _fit(
        name,
        num_epochs,
        # train_epoch_ch6 synchronises the device (float()), so the timed span is real
        lambda: train_epoch_ch6(net, train_iter, loss, optimizer, device),
        lambda: evaluate_accuracy_gpu(net, test_iter, device),
        lr=lr,
        train_iter=train_iter,
        device=device,
        plot=plot,
        settings=settings,
    )


# --8<-- [end:train_ch6]
