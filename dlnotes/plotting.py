"""画图：参数与 d2l 相同的 ``plot``、静态 ``Animator``、``show_images``（只用 matplotlib）。

Plotting helpers in the style of d2l. ``Animator`` is static: it collects points
during training and draws ONE figure when :meth:`Animator.show` is called (the
build renders each figure to SVG). 标签用中文（执行引擎的内核登记了 Noto Sans CJK SC，见
``execbook/fonts.py``），英文术语放在括号里。

手机上的字号：页面中的图按 ``max-width: 100%`` 缩放，390 像素宽的手机上正文栏宽
:data:`PHONE_COLUMN_PX` 像素，比它宽的图整体缩小。图中文字显示出来不小于 :data:`MIN_TEXT_PX` 像素，
要求字号（磅）≥ :func:`min_fontsize` 给出的值（按图宽算）；默认字号 10 磅时图宽不超过 :data:`MAX_FIGURE_WIDTH`
英寸（``tests/site/test_figures.py`` 检查构建出的每一张图）。
"""

from __future__ import annotations

import matplotlib.pyplot as plt

__all__ = [
    "set_figsize",
    "set_axes",
    "plot",
    "Animator",
    "show_images",
    "min_fontsize",
    "MAX_FIGURE_WIDTH",
]

DEFAULT_FMTS = ("-", "m--", "g-.", "r:")

#: 390 像素宽的手机上正文栏（``.md-content__inner``）的宽度，Chromium 中量得（两侧各 16 像素边距）
PHONE_COLUMN_PX = 358
#: 图中文字在手机上显示的最小字号（CSS 像素）
MIN_TEXT_PX = 9
#: 默认字号（10 磅）下图的最大宽度（英寸）：更宽的图在手机上缩小后文字小于 9 像素
MAX_FIGURE_WIDTH = 5.5


def min_fontsize(width_in: float) -> float:
    """宽 ``width_in`` 英寸的图在手机上文字不小于 :data:`MIN_TEXT_PX` 像素所需的最小字号（磅）。

    SVG 以磅为单位（1 磅 = 4/3 CSS 像素），宽于正文栏的图按比例缩小到栏宽。
    """
    natural_px = width_in * 96
    scale = min(1.0, PHONE_COLUMN_PX / natural_px)
    return MIN_TEXT_PX / scale * 72 / 96


# --8<-- [start:plot]
def set_figsize(figsize=(3.5, 2.5)) -> None:
    """设置 matplotlib 默认图像尺寸（英寸）。"""
    plt.rcParams["figure.figsize"] = figsize


def set_axes(axes, xlabel, ylabel, xlim, ylim, xscale, yscale, legend) -> None:
    """设置坐标轴的标签、范围、刻度类型和图例（同 d2l）。"""
    axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel)
    axes.set_xscale(xscale)
    axes.set_yscale(yscale)
    axes.set_xlim(xlim)
    axes.set_ylim(ylim)
    if legend:
        axes.legend(legend)
    axes.grid()


def _to_list(v):
    """把张量/数组/序列转成 Python 列表，便于画图。"""
    if hasattr(v, "detach"):
        v = v.detach().cpu().numpy()
    if hasattr(v, "tolist"):
        return v.tolist()
    return list(v)


def _has_one_axis(X) -> bool:
    if hasattr(X, "ndim"):
        return X.ndim == 1
    return isinstance(X, list) and (not X or not hasattr(X[0], "__len__"))


def plot(
    X,
    Y=None,
    xlabel=None,
    ylabel=None,
    legend=None,
    xlim=None,
    ylim=None,
    xscale="linear",
    yscale="linear",
    fmts=DEFAULT_FMTS,
    figsize=(3.5, 2.5),
    axes=None,
):
    """画一条或多条曲线（参数同 d2l.plot）。``X``/``Y`` 可以是列表、数组或张量。

    ``axes`` 为空时新建一张图（d2l 画在当前的图上）；返回坐标轴（d2l 不返回）。
    Returns the axes. 不调用 ``plt.show()``；由调用者决定。
    """
    if legend is None:
        legend = []
    if axes is None:
        plt.figure(figsize=figsize)
        axes = plt.gca()

    if _has_one_axis(X):
        X = [X]
    if Y is None:
        X, Y = [[] for _ in X], X
    elif _has_one_axis(Y):
        Y = [Y]
    if len(X) != len(Y):
        X = X * len(Y)
    axes.cla()
    for i, (x, y) in enumerate(zip(X, Y, strict=True)):
        fmt = fmts[i % len(fmts)]
        y = _to_list(y)
        x = _to_list(x) if len(x) else []
        if len(x):
            axes.plot(x, y, fmt)
        else:
            axes.plot(y, fmt)
    set_axes(axes, xlabel, ylabel, xlim, ylim, xscale, yscale, legend)
    return axes


# --8<-- [end:plot]


# --8<-- [start:Animator]
class Animator:
    """收集训练曲线的数据点，最后一次性画出一张静态图。

    Static replacement for d2l's Animator: ``add(x, y)`` collects points (``y`` may
    be a number or a list/tuple of series values; ``None`` entries are skipped);
    ``show()`` draws one figure with a legend and calls ``plt.show()``.
    """

    def __init__(
        self,
        xlabel=None,
        ylabel=None,
        legend=None,
        xlim=None,
        ylim=None,
        xscale="linear",
        yscale="linear",
        fmts=DEFAULT_FMTS,
        nrows=1,
        ncols=1,
        figsize=(3.5, 2.5),
    ):
        self.legend = list(legend) if legend else []
        self.config = dict(
            xlabel=xlabel, ylabel=ylabel, xlim=xlim, ylim=ylim, xscale=xscale, yscale=yscale
        )
        self.fmts = fmts
        self.figsize = figsize
        self.X: list[list[float]] | None = None
        self.Y: list[list[float]] | None = None

    def add(self, x, y) -> None:
        """添加一个（或一组）数据点。``y`` 可以是标量或序列，其中的 ``None`` 会被跳过。"""
        if not hasattr(y, "__len__"):
            y = [y]
        n = len(y)
        if not hasattr(x, "__len__"):
            x = [x] * n
        if self.X is None:
            self.X = [[] for _ in range(n)]
            self.Y = [[] for _ in range(n)]
        if n > len(self.X):
            self.X.extend([] for _ in range(n - len(self.X)))
            self.Y.extend([] for _ in range(n - len(self.Y)))
        for i, (a, b) in enumerate(zip(x, y, strict=False)):
            if a is not None and b is not None:
                self.X[i].append(float(a))
                self.Y[i].append(float(b))

    def draw(self, axes=None):
        """把收集到的数据画到坐标轴上（不调用 ``plt.show()``），返回坐标轴。"""
        if axes is None:
            _, axes = plt.subplots(figsize=self.figsize)
        axes.cla()
        for i, (x, y) in enumerate(zip(self.X or [], self.Y or [], strict=True)):
            label = self.legend[i] if i < len(self.legend) else None
            marker = "o" if len(x) == 1 else None  # a single point would be invisible as a line
            axes.plot(x, y, self.fmts[i % len(self.fmts)], label=label, marker=marker)
        c = self.config
        axes.set_xlabel(c["xlabel"])
        axes.set_ylabel(c["ylabel"])
        axes.set_xscale(c["xscale"])
        axes.set_yscale(c["yscale"])
        axes.set_xlim(c["xlim"])
        axes.set_ylim(c["ylim"])
        if self.legend:
            axes.legend()
        axes.grid()
        return axes

    def show(self) -> None:
        """画出一张图并调用 ``plt.show()``。"""
        self.draw()
        plt.show()


# --8<-- [end:Animator]


# --8<-- [start:show_images]
def show_images(imgs, num_rows, num_cols, titles=None, scale=1.5):
    """以网格显示一组图像（参数与返回值同 d2l.show_images）。返回坐标轴数组。

    图宽不超过 :data:`MAX_FIGURE_WIDTH`（列数多时每张图缩小），手机上标题仍清楚；标题用中文类别名
    （``get_fashion_mnist_labels(..., lang="zh")``）时每张图宽 0.6 英寸也放得下。
    """
    scale = min(scale, MAX_FIGURE_WIDTH / num_cols)
    figsize = (num_cols * scale, num_rows * scale)
    _, axes = plt.subplots(num_rows, num_cols, figsize=figsize, squeeze=False)
    axes = axes.flatten()
    for i, (ax, img) in enumerate(zip(axes, imgs, strict=False)):
        if hasattr(img, "detach"):
            img = img.detach().cpu()
            if img.ndim == 3 and img.shape[0] in (1, 3):
                img = img.permute(1, 2, 0)
            if img.ndim == 3 and img.shape[-1] == 1:
                img = img[..., 0]
            img = img.numpy()
        ax.imshow(img, cmap="gray" if getattr(img, "ndim", 2) == 2 else None)
        ax.axes.get_xaxis().set_visible(False)
        ax.axes.get_yaxis().set_visible(False)
        if titles:
            ax.set_title(titles[i])
    for ax in axes[len(imgs) if hasattr(imgs, "__len__") else num_rows * num_cols :]:
        ax.axis("off")
    return axes


# --8<-- [end:show_images]
