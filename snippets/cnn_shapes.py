"""填充与步幅：用 nn.Conv2d 验证卷积层输出形状的公式。

依次演示（对应 d2l 6.3 节）：
1. 填充 p_h = k_h - 1 时输出与输入同形状（奇数核：两侧各填 (k_h-1)/2）；
2. 偶数核时上侧填 ⌈p_h/2⌉、下侧填 ⌊p_h/2⌋（与 padding='same' 对照）；
3. 步幅 s_h、s_w 使输出缩小为约 1/s_h × 1/s_w；
4. 打印一张「输入 / 核 / 填充 / 步幅 → 输出形状」表，公式与 nn.Conv2d 的实际输出逐行对照。
"""
# --8<-- [start:setup]
import warnings

import torch
from torch import nn
from torch.nn import functional as F

import dlnotes

args = dlnotes.parse_args(__doc__, seed=0)
dlnotes.set_seed(args.seed)
# --8<-- [end:setup]


# --8<-- [start:comp_conv2d]
def comp_conv2d(conv2d, X):
    """为了方便，定义一个计算卷积层输出形状的函数。"""
    # (1, 1) 表示批量大小和通道数都是 1
    X = X.reshape((1, 1) + X.shape)
    Y = conv2d(X)
    # 省略前两个维度：批量大小和通道
    return Y.reshape(Y.shape[2:])
# --8<-- [end:comp_conv2d]


# --8<-- [start:padding]
# 每边都填充 1 行或 1 列，因此总共添加了 2 行或 2 列：p_h = p_w = 2 = k - 1
conv2d = nn.Conv2d(1, 1, kernel_size=3, padding=1)
X = torch.rand(size=(8, 8))
print(comp_conv2d(conv2d, X).shape)

# 卷积核高 5 宽 3，上下各填充 2 行、左右各填充 1 列
conv2d = nn.Conv2d(1, 1, kernel_size=(5, 3), padding=(2, 1))
print(comp_conv2d(conv2d, X).shape)
# --8<-- [end:padding]


# --8<-- [start:asymmetric]
# 偶数核 4×4：p_h = p_w = 3 是奇数，上（左）侧填 ⌈3/2⌉ = 2，下（右）侧填 ⌊3/2⌋ = 1
k = 4
p = k - 1
top, bottom = (p + 1) // 2, p // 2
conv2d = nn.Conv2d(1, 1, kernel_size=k, bias=False)
X4 = X.reshape(1, 1, 8, 8)
Y_note = conv2d(F.pad(X4, (top, bottom, top, bottom)))  # F.pad 的顺序：左、右、上、下
print("上/下填充：", top, bottom, "输出形状：", Y_note.shape[2:])

# PyTorch 的 padding='same' 得到同样的形状，但把多出的一行（列）放在下（右）侧
same = nn.Conv2d(1, 1, kernel_size=k, padding="same", bias=False)
same.weight.data = conv2d.weight.data.clone()
with warnings.catch_warnings():  # PyTorch 提醒：偶数核的 'same' 需要先复制一份填充后的输入
    warnings.simplefilter("ignore", UserWarning)
    Y_same = same(X4)
print(Y_same.shape[2:], torch.allclose(Y_same, conv2d(F.pad(X4, (bottom, top, bottom, top)))))
# --8<-- [end:asymmetric]


# --8<-- [start:stride]
# 高度和宽度的步幅都是 2：输入的高度和宽度减半
conv2d = nn.Conv2d(1, 1, kernel_size=3, padding=1, stride=2)
print(comp_conv2d(conv2d, X).shape)

# 一个稍复杂的例子：高度步幅 3、宽度步幅 4
conv2d = nn.Conv2d(1, 1, kernel_size=(3, 5), padding=(0, 1), stride=(3, 4))
print(comp_conv2d(conv2d, X).shape)
# --8<-- [end:stride]


# --8<-- [start:table]
def conv_out(n, k, p, s):
    """输出长度 ⌊(n - k + p + s) / s⌋，其中 p 是两侧填充的总行（列）数。"""
    return (n - k + p + s) // s


# (输入 n_h×n_w, 核 k_h×k_w, 每侧填充, 步幅)
configs = [
    ((8, 8), (3, 3), (0, 0), (1, 1)),
    ((8, 8), (3, 3), (1, 1), (1, 1)),
    ((8, 8), (5, 3), (2, 1), (1, 1)),
    ((8, 8), (3, 3), (1, 1), (2, 2)),
    ((8, 8), (3, 5), (0, 1), (3, 4)),
    ((28, 28), (5, 5), (2, 2), (1, 1)),
    ((28, 28), (5, 5), (0, 0), (1, 1)),
    ((224, 224), (11, 11), (1, 1), (4, 4)),
    ((224, 224), (7, 7), (3, 3), (2, 2)),
    ((96, 96), (3, 3), (1, 1), (2, 2)),
]


def show(t, sep="×"):
    """(a, b) → "a×b"。"""
    return f"{t[0]}{sep}{t[1]}"


print(f"{'输入':>7} | {'卷积核':>3} | {'填充':>5} | {'步幅':>4} | {'公式':>7} | {'nn.Conv2d':>9}")  # 汉字占两格
for n, k, pad, s in configs:
    # 公式里的 p_h 是上下填充之和：nn.Conv2d 的 padding 是每侧的填充，故乘 2
    formula = tuple(conv_out(n[i], k[i], 2 * pad[i], s[i]) for i in range(2))
    conv = nn.Conv2d(1, 1, kernel_size=k, padding=pad, stride=s)
    actual = tuple(conv(torch.zeros((1, 1) + n)).shape[2:])
    assert formula == actual
    print(f"{show(n):>9} | {show(k):>6} | {show(pad, ','):>7} | {show(s, ','):>6} "
          f"| {show(formula):>9} | {show(actual):>9}")
# --8<-- [end:table]
