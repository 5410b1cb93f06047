"""多输入多输出通道：多通道互相关、1×1 卷积，以及 1×1 卷积 = 逐像素的全连接层。

依次演示（对应 d2l 6.4 节）：
1. 多输入通道：每个通道各做一次互相关，再按通道求和（corr2d_multi_in）；
2. 多输出通道：每个输出通道有自己的一组核，结果在通道维上堆叠（corr2d_multi_in_out）；
3. 1×1 卷积用矩阵乘法实现，并与 corr2d_multi_in_out 对照；
4. nn.Conv2d 的 1×1 卷积与作用在每个像素上的 nn.Linear（共享权重）数值相等；
5. RGB 图像上的 nn.Conv2d(3, c_o, k) 与从零实现的结果相等。
"""
# --8<-- [start:setup]
import torch
from torch import nn

import dlnotes

args = dlnotes.parse_args(__doc__, seed=0)
dlnotes.set_seed(args.seed)
# --8<-- [end:setup]


# --8<-- [start:multi_in]
def corr2d_multi_in(X, K):
    # 先遍历 X 和 K 的第 0 个维度（通道维度），再把它们加在一起
    return sum(dlnotes.corr2d(x, k) for x, k in zip(X, K))


X = torch.tensor([[[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]],
                  [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]])
K = torch.tensor([[[0.0, 1.0], [2.0, 3.0]], [[1.0, 2.0], [3.0, 4.0]]])

print(corr2d_multi_in(X, K))
# --8<-- [end:multi_in]


# --8<-- [start:multi_out]
def corr2d_multi_in_out(X, K):
    # 迭代 K 的第 0 个维度，每次都对输入 X 执行互相关运算。
    # 最后将所有结果都叠加在一起
    return torch.stack([corr2d_multi_in(X, k) for k in K], 0)


K = torch.stack((K, K + 1, K + 2), 0)  # 3 个输出通道
print(K.shape)
print(corr2d_multi_in_out(X, K))
# --8<-- [end:multi_out]


# --8<-- [start:conv1x1]
def corr2d_multi_in_out_1x1(X, K):
    c_i, h, w = X.shape
    c_o = K.shape[0]
    X = X.reshape((c_i, h * w))
    K = K.reshape((c_o, c_i))
    # 全连接层中的矩阵乘法
    Y = torch.matmul(K, X)
    return Y.reshape((c_o, h, w))


X = torch.normal(0, 1, (3, 3, 3))
K = torch.normal(0, 1, (2, 3, 1, 1))
Y1 = corr2d_multi_in_out_1x1(X, K)
Y2 = corr2d_multi_in_out(X, K)
print(float(torch.abs(Y1 - Y2).sum()) < 1e-6)
# --8<-- [end:conv1x1]


# --8<-- [start:conv1x1_linear]
# 1×1 卷积层 = 在每个像素位置上、以通道为特征的全连接层（所有像素共享同一组权重）
conv = nn.Conv2d(3, 2, kernel_size=1)
fc = nn.Linear(3, 2)
fc.weight.data = conv.weight.data.reshape(2, 3).clone()
fc.bias.data = conv.bias.data.clone()

X = torch.rand(size=(4, 3, 5, 5))  # 批量 4，3 个通道，5×5 像素
Y_conv = conv(X)                                     # (4, 2, 5, 5)
Y_fc = fc(X.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)  # 把通道移到最后，逐像素做全连接
print(Y_conv.shape, Y_fc.shape, torch.allclose(Y_conv, Y_fc, atol=1e-6))
# --8<-- [end:conv1x1_linear]


# --8<-- [start:rgb]
# RGB 图像有 3 个输入通道；卷积核的形状是 c_o × c_i × k_h × k_w
conv = nn.Conv2d(3, 4, kernel_size=3)
img = torch.rand(size=(1, 3, 8, 8))
print("权重形状：", conv.weight.shape, "输出形状：", conv(img).shape)

Y_scratch = corr2d_multi_in_out(img[0], conv.weight.data) + conv.bias.data.reshape(-1, 1, 1)
print(torch.allclose(conv(img)[0], Y_scratch, atol=1e-5))
# --8<-- [end:rgb]
