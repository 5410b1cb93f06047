"""dlnotes：《动手学深度学习》可执行笔记的辅助包（相当于 d2l 的 ``torch.py``）。

dlnotes: helper package for the executable *Dive into Deep Learning* notes
(the project's replacement for ``d2l.torch``). It provides device selection,
small utilities, a command-line parser for snippet programs, matplotlib
plotting, the linear-regression helpers, an offline-capable Fashion-MNIST
loader (no torchvision), the chapter 3/6 training loops, result recording,
CNN helpers, and (from ``dlnotes.text`` / ``dlnotes.rnn``) the text and RNN
helpers.

所有公开名字都可以直接从 ``dlnotes`` 取用；子模块按需（惰性）导入，
所以 ``import dlnotes`` 本身不会导入 torch 或 matplotlib。
All public names are re-exported lazily (PEP 562), so ``import dlnotes`` is
cheap; torch/matplotlib are imported on first use of a name that needs them.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

# name -> submodule (relative to this package)
_LAZY: dict[str, str] = {
    # device
    "get_device": "device",
    "try_gpu": "device",
    "try_all_gpus": "device",
    "DeviceError": "device",
    # utils
    "Timer": "utils",
    "Accumulator": "utils",
    "set_seed": "utils",
    # cli
    "parse_args": "cli",
    # plotting（模块不能叫 plot：导入子模块 dlnotes.plot 会把函数 dlnotes.plot 覆盖成模块）
    "plot": "plotting",
    "set_figsize": "plotting",
    "Animator": "plotting",
    "show_images": "plotting",
    # linear
    "synthetic_data": "linear",
    "linreg": "linear",
    "squared_loss": "linear",
    "sgd": "linear",
    "data_iter": "linear",
    "load_array": "linear",
    # data
    "load_data_fashion_mnist": "data",
    "load_fashion_mnist": "data",
    "get_fashion_mnist_labels": "data",
    "FASHION_MNIST_LABELS": "data",
    "FASHION_MNIST_LABELS_ZH": "data",
    "TensorLoader": "data",
    "DataError": "data",
    # train
    "accuracy": "train",
    "evaluate_accuracy": "train",
    "train_epoch_ch3": "train",
    "train_ch3": "train",
    "evaluate_accuracy_gpu": "train",
    "train_epoch_ch6": "train",
    "train_ch6": "train",
    # results
    "report_result": "results",
    # cnn
    "corr2d": "cnn",
    "Residual": "cnn",
    # text (written separately)
    "tokenize": "text",
    "Vocab": "text",
    "load_corpus": "text",
    "load_data_text": "text",
    "seq_data_iter_random": "text",
    "seq_data_iter_sequential": "text",
    "SeqDataLoader": "text",
    # rnn (written separately)
    "grad_clipping": "rnn",
    "RNNModelScratch": "rnn",
    "RNNModel": "rnn",
    "predict_ch8": "rnn",
    "train_ch8": "rnn",
    "train_epoch_ch8": "rnn",
}

__all__ = sorted(_LAZY) + ["__version__"]


def __getattr__(name: str):
    """按需导入子模块并返回其中的名字（PEP 562）。"""
    try:
        module_name = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'dlnotes' has no attribute {name!r}") from None
    module = importlib.import_module(f".{module_name}", __name__)
    value = getattr(module, name)
    globals()[name] = value  # cache: later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    """列出模块属性，包括惰性导出的名字。"""
    return sorted(set(globals()) | set(_LAZY))
