"""dlnotes.utils、dlnotes.linear、dlnotes.cnn、dlnotes.plot。"""

import random
import time

import matplotlib
import numpy as np
import pytest
import torch

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

import dlnotes  # noqa: E402


def test_accumulator():
    acc = dlnotes.Accumulator(3)
    acc.add(1, 2.5, torch.tensor(3))
    acc.add(1, 0.5, 4)
    assert acc[0] == 2 and acc[1] == 3.0 and acc[2] == 7
    assert acc[1:] == [3.0, 7.0] and len(acc) == 3
    with pytest.raises(ValueError):
        acc.add(1, 2)
    acc.reset()
    assert acc.data == [0.0, 0.0, 0.0]


def test_timer():
    timer = dlnotes.Timer()
    time.sleep(0.01)
    first = timer.stop()
    timer.start()
    second = timer.stop()
    assert first >= 0.009 and second >= 0
    assert timer.sum() == pytest.approx(first + second)
    assert timer.avg() == pytest.approx((first + second) / 2)
    assert timer.cumsum() == pytest.approx([first, first + second])


def test_set_seed_reproducible():
    dlnotes.set_seed(3)
    a = (random.random(), np.random.rand(), torch.rand(2))
    dlnotes.set_seed(3)
    b = (random.random(), np.random.rand(), torch.rand(2))
    assert a[0] == b[0] and a[1] == b[1] and torch.equal(a[2], b[2])


def test_synthetic_data_and_linreg():
    torch.manual_seed(0)
    w, b = torch.tensor([2.0, -3.4]), 4.2
    X, y = dlnotes.synthetic_data(w, b, 1000)
    assert X.shape == (1000, 2) and y.shape == (1000, 1)
    resid = y - dlnotes.linreg(X, w, b).reshape(-1, 1)
    assert resid.std() < 0.02  # noise has std 0.01
    assert dlnotes.squared_loss(torch.tensor([3.0]), torch.tensor([1.0])).item() == 2.0


def test_data_iter_covers_every_example():
    X = torch.arange(10.0).reshape(10, 1)
    y = torch.arange(10.0)
    batches = list(dlnotes.data_iter(4, X, y))
    assert [len(b[0]) for b in batches] == [4, 4, 2]
    seen = torch.cat([b[1] for b in batches])
    assert sorted(seen.tolist()) == list(range(10))
    assert all(torch.equal(bx[:, 0], by) for bx, by in batches)


def test_load_array():
    X, y = torch.randn(10, 2), torch.randn(10, 1)
    loader = dlnotes.load_array((X, y), 4, is_train=False)
    bx, by = next(iter(loader))
    assert torch.equal(bx, X[:4]) and torch.equal(by, y[:4])
    assert len(loader) == 3


def test_sgd_updates_and_zeroes_grad():
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    (w * torch.tensor([2.0, 4.0])).sum().backward()
    dlnotes.sgd([w], lr=0.5, batch_size=2)
    assert torch.allclose(w.detach(), torch.tensor([0.5, 1.0]))
    assert torch.count_nonzero(w.grad) == 0


def test_corr2d():
    X = torch.arange(9.0).reshape(3, 3)
    K = torch.arange(4.0).reshape(2, 2)
    assert torch.equal(dlnotes.corr2d(X, K), torch.tensor([[19.0, 25.0], [37.0, 43.0]]))


def test_residual_shapes():
    X = torch.rand(4, 3, 6, 6)
    assert dlnotes.Residual(3, 3)(X).shape == (4, 3, 6, 6)
    assert dlnotes.Residual(3, 6, use_1x1conv=True, strides=2)(X).shape == (4, 6, 3, 3)


def test_plot_lines_and_legend():
    x = np.arange(0, 3, 0.5)
    ax = dlnotes.plot(x, [x**2, 2 * x - 3], "x", "f(x)", legend=["f", "g"])
    assert len(ax.lines) == 2
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["f", "g"]
    assert ax.get_xlabel() == "x"
    ax = dlnotes.plot(torch.arange(4.0))
    assert ax.lines[0].get_ydata().tolist() == [0, 1, 2, 3]
    plt.close("all")


def test_animator_collects_and_skips_none():
    an = dlnotes.Animator(xlabel="epoch", legend=["loss", "acc"])
    an.add(1, (0.9, None))
    an.add(2, [0.5, 0.7])
    assert an.X == [[1.0, 2.0], [2.0]] and an.Y == [[0.9, 0.5], [0.7]]
    n_before = len(plt.get_fignums())
    ax = an.draw()
    assert len(ax.lines) == 2 and len(plt.get_fignums()) == n_before + 1
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["loss", "acc"]
    plt.close("all")


def test_show_images():
    axes = dlnotes.show_images(torch.rand(5, 1, 28, 28), 2, 3, titles=list("abcde"))
    assert len(axes) == 6 and axes[4].get_title() == "e"
    assert not axes[5].axison  # unused cell is hidden
    plt.close("all")


def test_plot_function_survives_importing_the_training_modules():
    """训练函数导入绘图模块之后，dlnotes.plot 仍然是函数（模块名不能与导出的函数重名）。"""
    import importlib

    import dlnotes

    importlib.import_module("dlnotes.train")
    importlib.import_module("dlnotes.rnn")
    importlib.import_module("dlnotes.plotting")
    assert callable(dlnotes.plot)
    ax = dlnotes.plot(torch.arange(3.0), [torch.arange(3.0)])
    assert len(ax.lines) == 1 and list(ax.lines[0].get_ydata()) == [0.0, 1.0, 2.0]
    plt.close("all")
