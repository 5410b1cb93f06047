"""图像卷积：二维互相关运算、卷积层、边缘检测，以及从数据中学习卷积核。

依次演示（对应 d2l 6.2 节）：
1. 从零实现二维互相关运算 corr2d（与 dlnotes.corr2d 相同），并在 3×3 输入、2×2 核上验证；
2. 基于 corr2d 的卷积层 Conv2D（权重与偏置都是可学习参数）；
3. 用卷积核 [1, -1] 检测图像中的垂直边缘（对转置后的图像则检测不到）；
4. 只给输入 X 和输出 Y，用梯度下降学出卷积核（--epochs 次迭代，每 2 次打印一次损失）；
5. 互相关与严格意义上的卷积：卷积 = 把核上下、左右翻转后做互相关。
"""
# --8<-- [start:setup]
import torch
from torch import nn

import dlnotes

args = dlnotes.parse_args(__doc__, epochs=10, lr=3e-2, seed=0)
dlnotes.set_seed(args.seed)
device = dlnotes.get_device(args.device)
# --8<-- [end:setup]


# --8<-- [start:corr2d]
def corr2d(X, K):
    """计算二维互相关运算（与 dlnotes.corr2d 的实现相同）。"""
    h, w = K.shape
    Y = torch.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
    return Y


X = torch.tensor([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]])
K = torch.tensor([[0.0, 1.0], [2.0, 3.0]])
print(corr2d(X, K))
print("与 dlnotes.corr2d 相同：", torch.equal(corr2d(X, K), dlnotes.corr2d(X, K)))
# --8<-- [end:corr2d]


# --8<-- [start:conv2d_class]
class Conv2D(nn.Module):
    """二维卷积层：对输入和卷积核权重做互相关运算，再加上标量偏置。"""

    def __init__(self, kernel_size):
        super().__init__()
        self.weight = nn.Parameter(torch.rand(kernel_size))
        self.bias = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        return corr2d(x, self.weight) + self.bias


layer = Conv2D(kernel_size=(2, 2))
print(layer(X).shape, [name for name, _ in layer.named_parameters()])
# --8<-- [end:conv2d_class]


# --8<-- [start:edge]
X = torch.ones((6, 8))
X[:, 2:6] = 0  # 中间四列是黑色（0），其余是白色（1）
print(X)

K = torch.tensor([[1.0, -1.0]])  # 横向相邻元素相同则输出 0，否则非 0
Y = corr2d(X, K)
print(Y)  # 1：白到黑的边缘；-1：黑到白的边缘

print(corr2d(X.t(), K))  # 这个核只能检测垂直边缘，水平边缘全部消失
# --8<-- [end:edge]


# --8<-- [start:learn_kernel]
# 构造一个二维卷积层，它具有 1 个输出通道和形状为（1，2）的卷积核
conv2d = nn.Conv2d(1, 1, kernel_size=(1, 2), bias=False).to(device)

# 这个二维卷积层使用四维输入和输出格式（批量大小、通道、高度、宽度），
# 其中批量大小和通道数都为 1
X = X.reshape((1, 1, 6, 8)).to(device)  # 数据和卷积层都在 --device 选定的设备上
Y = Y.reshape((1, 1, 6, 7)).to(device)
lr = args.lr  # 学习率

for i in range(args.epochs):
    Y_hat = conv2d(X)
    l = (Y_hat - Y) ** 2  # noqa: E741 - 沿用 d2l 的变量名
    conv2d.zero_grad()
    l.sum().backward()
    # 迭代卷积核
    conv2d.weight.data[:] -= lr * conv2d.weight.grad
    if (i + 1) % 2 == 0:
        print(f"迭代周期 {i + 1}：损失 {l.sum():.3f}")

print("学到的卷积核：", conv2d.weight.data.reshape((1, 2)).cpu())
# --8<-- [end:learn_kernel]


# --8<-- [start:flip]
def conv2d_strict(X, K):
    """严格意义上的二维卷积：先把核上下、左右翻转，再做互相关。"""
    return corr2d(X, torch.flip(K, dims=(0, 1)))


X = torch.tensor([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]])
K = torch.tensor([[0.0, 1.0], [2.0, 3.0]])
print("互相关：", corr2d(X, K))
print("卷积：  ", conv2d_strict(X, K))
# 用翻转后的核做卷积，得到的正是原核的互相关：学到的核只是翻转了一下，输出不变
print(torch.equal(conv2d_strict(X, torch.flip(K, dims=(0, 1))), corr2d(X, K)))
# --8<-- [end:flip]
