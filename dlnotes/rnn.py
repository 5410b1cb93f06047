"""循环神经网络的辅助函数（同 d2l 第 8 章）：梯度裁剪、从零实现/简洁实现的模型外壳、预测与训练。

RNN helpers (d2l chapter 8): ``grad_clipping``, ``RNNModelScratch``, ``RNNModel``,
``predict_ch8``, ``train_epoch_ch8`` and ``train_ch8`` (device-aware; prints perplexity and
tokens/sec, draws the perplexity curve once and optionally records the result).
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F

from .linear import sgd

__all__ = [
    "grad_clipping",
    "RNNModelScratch",
    "RNNModel",
    "predict_ch8",
    "train_epoch_ch8",
    "train_ch8",
]


# --8<-- [start:grad_clipping]
def _params_of(net):
    if isinstance(net, nn.Module):
        return [p for p in net.parameters() if p.requires_grad]
    return list(net.params)


def _clip(params, theta: float) -> torch.Tensor:
    """把梯度的全局范数裁剪到 ``theta``，返回裁剪前的范数（张量；不把数值同步回主机）。"""
    params = [p for p in params if p.grad is not None]
    if not params:
        return torch.zeros(())
    norm = torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(p.grad) for p in params]))
    # min(1, θ/‖g‖)：在设备上算系数，不用 ``if norm > theta``（那会等待设备算完并把数值拷回主机）
    coef = torch.clamp(theta / (norm + 1e-12), max=1.0)
    for p in params:
        p.grad.mul_(coef)
    return norm


def grad_clipping(net, theta: float) -> float:
    """裁剪梯度：把所有参数梯度拼成的向量 g 换成 ``min(1, θ/‖g‖)·g``（同 d2l）。

    ``net`` 可以是 ``nn.Module``，也可以是带 ``params`` 列表的从零实现模型。返回裁剪**前**的
    梯度范数 ‖g‖（d2l 的版本不返回值）。训练循环用不同步设备的内部版本。
    Clip the global gradient norm to ``theta``; works for ``nn.Module`` and for the scratch
    model (``net.params``). Returns the norm before clipping.
    """
    return float(_clip(_params_of(net), theta))


# --8<-- [end:grad_clipping]


# --8<-- [start:RNNModelScratch]
class RNNModelScratch:
    """从零开始实现的循环神经网络模型的外壳（同 d2l，另有 ``parameters()``）。

    ``get_params(vocab_size, num_hiddens, device)`` 返回参数列表，``init_state(batch_size,
    num_hiddens, device)`` 返回初始隐状态（元组），``forward_fn(inputs, state, params)`` 计算
    各时间步的输出。输入 ``X`` 的形状为（批量大小，时间步数），先转置再做独热编码。
    Wrapper of an RNN written from scratch.
    """

    def __init__(self, vocab_size, num_hiddens, device, get_params, init_state, forward_fn):
        self.vocab_size, self.num_hiddens = vocab_size, num_hiddens
        self.params = get_params(vocab_size, num_hiddens, device)
        self.init_state, self.forward_fn = init_state, forward_fn

    def __call__(self, X, state):
        X = F.one_hot(X.T, self.vocab_size).type(torch.float32)
        return self.forward_fn(X, state, self.params)

    def begin_state(self, batch_size, device):
        return self.init_state(batch_size, self.num_hiddens, device)

    def parameters(self):
        """参数列表（与 ``nn.Module.parameters()`` 用法相同）。"""
        return iter(self.params)


# --8<-- [end:RNNModelScratch]


# --8<-- [start:RNNModel]
class RNNModel(nn.Module):
    """循环神经网络模型（同 d2l）：``rnn_layer``（``nn.RNN``/``nn.GRU``/``nn.LSTM``）加一个输出层。

    RNN model built around a PyTorch recurrent layer, with a linear output layer.
    """

    def __init__(self, rnn_layer, vocab_size, **kwargs):
        super().__init__(**kwargs)
        self.rnn = rnn_layer
        self.vocab_size = vocab_size
        self.num_hiddens = self.rnn.hidden_size
        # 如果 RNN 是双向的，num_directions 应该是 2，否则应该是 1
        if not self.rnn.bidirectional:
            self.num_directions = 1
            self.linear = nn.Linear(self.num_hiddens, self.vocab_size)
        else:
            self.num_directions = 2
            self.linear = nn.Linear(self.num_hiddens * 2, self.vocab_size)

    def forward(self, inputs, state):
        X = F.one_hot(inputs.T.long(), self.vocab_size)
        X = X.to(torch.float32)
        Y, state = self.rnn(X, state)
        # 全连接层首先将 Y 的形状改为（时间步数 * 批量大小，隐藏单元数），
        # 它的输出形状是（时间步数 * 批量大小，词表大小）
        output = self.linear(Y.reshape((-1, Y.shape[-1])))
        return output, state

    def begin_state(self, device, batch_size=1):
        shape = (self.num_directions * self.rnn.num_layers, batch_size, self.num_hiddens)
        if not isinstance(self.rnn, nn.LSTM):
            # nn.GRU 和 nn.RNN 以张量作为隐状态
            return torch.zeros(shape, device=device)
        # nn.LSTM 以元组作为隐状态
        return (torch.zeros(shape, device=device), torch.zeros(shape, device=device))


# --8<-- [end:RNNModel]


# --8<-- [start:predict_ch8]
def predict_ch8(prefix: str, num_preds: int, net, vocab, device) -> str:
    """在 ``prefix`` 后面生成 ``num_preds`` 个字符（贪心地取概率最大的词元，同 d2l）。

    Generate ``num_preds`` characters after ``prefix`` (greedy decoding).
    """
    if not prefix:
        raise ValueError("prefix 不能为空")
    device = torch.device(device)
    state = net.begin_state(batch_size=1, device=device)
    outputs = [vocab[prefix[0]]]

    def get_input():
        return torch.tensor([outputs[-1]], device=device).reshape((1, 1))

    with torch.no_grad():
        for y in prefix[1:]:  # 预热期
            _, state = net(get_input(), state)
            outputs.append(vocab[y])
        for _ in range(num_preds):  # 预测 num_preds 步
            y, state = net(get_input(), state)
            outputs.append(int(y.argmax(dim=1).reshape(1)))
    return "".join(vocab.idx_to_token[i] for i in outputs)


# --8<-- [end:predict_ch8]


# --8<-- [start:train_epoch_ch8]
def _detach_state(net, state):
    if isinstance(net, nn.Module) and not isinstance(state, tuple):
        # state 对于 nn.GRU 是个张量
        state.detach_()
    else:
        # state 对于 nn.LSTM 或对于从零开始实现的模型是个元组
        for s in state:
            s.detach_()


def _net_device(net) -> torch.device | None:
    for p in _params_of(net):
        return p.device
    return None


def _resolve_device(net, device) -> torch.device:
    """``device`` 缺省时用模型参数所在的设备，模型还没有参数时由 :func:`dlnotes.get_device` 决定。"""
    if device is None:
        device = _net_device(net)
    if isinstance(device, torch.device):
        return device
    from .device import get_device

    return get_device(device)


def train_epoch_ch8(
    net, train_iter, loss, updater, device=None, use_random_iter: bool = False, theta: float = 1.0
):
    """训练网络一个迭代周期（同 d2l），返回 ``(困惑度, 每秒词元数)``。

    与 :mod:`dlnotes.train` 的约定相同：损失在设备上累加，周期结束时才同步一次（没有逐批的
    ``float()``）；``device`` 缺省为模型参数所在的设备。
    Train one epoch; returns ``(perplexity, tokens_per_sec)``. ``updater`` is a
    ``torch.optim.Optimizer`` or a function ``updater(batch_size)``.
    """
    from .utils import Timer

    device = _resolve_device(net, device)
    params = _params_of(net)
    state, timer = None, Timer()
    loss_sum, n_tokens = torch.zeros((), device=device), 0  # 训练损失之和（在设备上）, 词元数量
    for X, Y in train_iter:
        if state is None or use_random_iter:
            # 在第一次迭代或使用随机抽样时初始化 state
            state = net.begin_state(batch_size=X.shape[0], device=device)
        else:
            _detach_state(net, state)
        y = Y.T.reshape(-1)
        X, y = X.to(device, non_blocking=True), y.to(device, non_blocking=True)
        y_hat, state = net(X, state)
        l = loss(y_hat, y.long()).mean()  # noqa: E741 - d2l's name
        if isinstance(updater, torch.optim.Optimizer):
            updater.zero_grad()
            l.backward()
            _clip(params, theta)
            updater.step()
        else:
            l.backward()
            _clip(params, theta)
            # 因为已经调用了 mean 函数
            updater(batch_size=1)
        loss_sum += l.detach() * y.numel()
        n_tokens += y.numel()
    total = float(loss_sum)  # 一个周期只同步这一次；计时因此包含设备上的全部计算
    elapsed = timer.stop()
    if n_tokens == 0:
        raise ValueError("训练数据为空：语料太短或 batch_size × num_steps 太大")
    return math.exp(total / n_tokens), n_tokens / elapsed


# --8<-- [end:train_epoch_ch8]


# --8<-- [start:train_ch8]
def _updater_ch8(net, lr, device):
    """d2l 的「初始化」：``nn.Module`` 移到 ``device`` 上，用 ``torch.optim.SGD``；
    从零实现的模型用小批量随机梯度下降 ``dlnotes.sgd`` 更新 ``net.params``。"""
    if isinstance(net, nn.Module):
        net.to(device)
        return torch.optim.SGD(net.parameters(), lr)

    def updater(batch_size):
        return sgd(net.params, lr, batch_size)

    return updater


def _record_ch8(train_iter, name, settings, ppl, speed, num_epochs, lr, device, seconds, history):
    """训练结束后：打印数据与设置，返回指标字典（困惑度、速度、设置、用时、逐周期的困惑度曲线）；
    给定 ``name`` 时用 ``dlnotes.report_result`` 把它记入「实验结果」。"""
    info = getattr(train_iter, "info", None) or "本站笔记的中文语料（字符级）"
    print(f"数据：{info}；设备：{device}；迭代周期 {num_epochs}，学习率 {lr:g}")
    metrics = {
        "perplexity": ppl,
        "tokens_per_sec": speed,
        "epochs": num_epochs,
        "lr": lr,
        "device": str(device),
        "seconds": round(seconds, 2),
        "settings": dict(settings or {}),
        "history": {"perplexity": history},
    }
    if name is not None:
        from .results import report_result

        report_result(name, **metrics, data=info)
    return {**metrics, "data": info}


def train_ch8(
    net,
    train_iter,
    vocab,
    lr,
    num_epochs,
    device=None,
    use_random_iter=False,
    *,
    name=None,
    predict_prefix="深度学习",
    num_preds=30,
    theta=1.0,
    print_every=None,
    settings=None,
):
    """训练字符级语言模型（对应 d2l 的 ``train_ch8``；打印、返回值与记录不同，见 rnn.md）。

    ``device`` 缺省为模型参数所在的设备（``nn.Module`` 会被移到 ``device`` 上）；字符串经
    :func:`dlnotes.get_device` 的规则解析。每 ``print_every`` 个周期打印一次困惑度和从
    ``predict_prefix``（字符串或字符串的元组）生成的文本；结束时画一次困惑度曲线
    （``dlnotes.Animator``），打印最终困惑度、每秒词元数、设备和生成的文本。返回指标字典，
    给定 ``name`` 时记入「实验结果」（``_record_ch8``）。
    Train a character-level language model; returns a dict of metrics.
    """
    from .plotting import Animator
    from .utils import Timer

    device = _resolve_device(net, device)
    prefixes = (predict_prefix,) if isinstance(predict_prefix, str) else tuple(predict_prefix)
    if print_every is None:
        print_every = max(1, num_epochs // 5)
    loss = nn.CrossEntropyLoss()
    xlim = [1, num_epochs] if num_epochs > 1 else None
    animator = Animator(
        xlabel="迭代周期（epoch）", ylabel="困惑度（perplexity）", legend=["训练"], xlim=xlim
    )
    # 初始化
    updater = _updater_ch8(net, lr, device)
    predict = lambda prefix: predict_ch8(prefix, num_preds, net, vocab, device)  # noqa: E731 - 同 d2l
    ppl, speed, history, timer = float("nan"), 0.0, [], Timer()
    # 训练和预测
    for epoch in range(num_epochs):
        timer.start()
        ppl, speed = train_epoch_ch8(
            net, train_iter, loss, updater, device, use_random_iter, theta=theta
        )
        timer.stop()
        history.append(round(ppl, 3))
        animator.add(epoch + 1, [ppl])
        if (epoch + 1) % print_every == 0 and epoch + 1 < num_epochs:
            print(f"迭代周期 {epoch + 1}，困惑度 {ppl:.1f}：{predict(prefixes[0])}")
    animator.show()
    print(f"困惑度 {ppl:.1f}，每秒 {speed:.1f} 个词元，设备 {device}")
    predictions = {prefix: predict(prefix) for prefix in prefixes}
    print("\n".join(predictions[prefix] for prefix in prefixes))
    metrics = _record_ch8(
        train_iter, name, settings, ppl, speed, num_epochs, lr, device, timer.sum(), history
    )
    return {**metrics, "predictions": predictions}


# --8<-- [end:train_ch8]
