"""汇聚层（pooling，也常称池化层）：最大汇聚、平均汇聚、填充与步幅、多通道，以及缓解位置敏感性。

依次演示（对应 d2l 6.5 节）：
1. 从零实现 pool2d（最大 / 平均），在 3×3 输入上验证；
2. 与 nn.MaxPool2d / nn.AvgPool2d（步幅 1）在随机输入上数值对照；
3. 填充与步幅：nn.MaxPool2d 的默认步幅等于窗口大小；
4. 多通道：汇聚对每个通道单独运算，输出通道数 = 输入通道数；
5. 位置敏感性：图像平移 1 个像素后，边缘检测的输出跟着移动，而 2×2 最大汇聚后仍有重合。
"""
# --8<-- [start:setup]
import torch
from torch import nn

import dlnotes

args = dlnotes.parse_args(__doc__, seed=0)
dlnotes.set_seed(args.seed)
# --8<-- [end:setup]


# --8<-- [start:pool2d]
def pool2d(X, pool_size, mode="max"):
    p_h, p_w = pool_size
    Y = torch.zeros((X.shape[0] - p_h + 1, X.shape[1] - p_w + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            if mode == "max":
                Y[i, j] = X[i: i + p_h, j: j + p_w].max()
            elif mode == "avg":
                Y[i, j] = X[i: i + p_h, j: j + p_w].mean()
    return Y


X = torch.tensor([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]])
print(pool2d(X, (2, 2)))
print(pool2d(X, (2, 2), "avg"))
# --8<-- [end:pool2d]


# --8<-- [start:compare]
# 从零实现的 pool2d（步幅 1、无填充）与框架的汇聚层对照
R = torch.rand(size=(6, 7))
ours_max, ours_avg = pool2d(R, (2, 3)), pool2d(R, (2, 3), "avg")
torch_max = nn.MaxPool2d((2, 3), stride=1)(R.reshape(1, 1, 6, 7))[0, 0]
torch_avg = nn.AvgPool2d((2, 3), stride=1)(R.reshape(1, 1, 6, 7))[0, 0]
print(torch.equal(ours_max, torch_max), torch.allclose(ours_avg, torch_avg))
# --8<-- [end:compare]


# --8<-- [start:padding_stride]
X = torch.arange(16, dtype=torch.float32).reshape((1, 1, 4, 4))
print(X)

# 默认情况下，步幅与汇聚窗口大小相同：3×3 窗口在 4×4 输入上只放得下一次
pool2d_layer = nn.MaxPool2d(3)
print(pool2d_layer(X))

# 手动设定填充和步幅
pool2d_layer = nn.MaxPool2d(3, padding=1, stride=2)
print(pool2d_layer(X))

# 任意大小的矩形汇聚窗口，并分别设定高度和宽度上的填充和步幅
pool2d_layer = nn.MaxPool2d((2, 3), stride=(2, 3), padding=(0, 1))
print(pool2d_layer(X))
# --8<-- [end:padding_stride]


# --8<-- [start:channels]
# 在通道维度上连结 X 和 X + 1，构建具有 2 个通道的输入
X = torch.cat((X, X + 1), 1)
print(X.shape)

pool2d_layer = nn.MaxPool2d(3, padding=1, stride=2)
print(pool2d_layer(X))  # 输出通道数仍然是 2
# --8<-- [end:channels]


# --8<-- [start:shift]
# 位置敏感性：黑白竖条图像，[1, -1] 核检测垂直边缘
img = torch.ones((6, 8))
img[:, 2:6] = 0
img_shift = torch.roll(img, shifts=1, dims=1)  # 整幅图向右平移 1 个像素
K = torch.tensor([[1.0, -1.0]])
edge, edge_shift = dlnotes.corr2d(img, K), dlnotes.corr2d(img_shift, K)
print("卷积输出（第 0 行）：       ", edge[0].tolist())
print("平移后卷积输出（第 0 行）： ", edge_shift[0].tolist())

# 2×2 最大汇聚（步幅 1）：边缘响应扩展到相邻的位置
pooled, pooled_shift = pool2d(edge, (2, 2)), pool2d(edge_shift, (2, 2))
print("汇聚输出（第 0 行）：       ", pooled[0].tolist())
print("平移后汇聚输出（第 0 行）： ", pooled_shift[0].tolist())


def cols(row):
    """边缘（值为 1）所在的列。"""
    return set(torch.nonzero(row == 1).flatten().tolist())


# 卷积输出完全错开，汇聚输出仍有重合的位置
print("卷积输出共同检测到边缘的列：", cols(edge[0]) & cols(edge_shift[0]))
print("汇聚输出共同检测到边缘的列：", cols(pooled[0]) & cols(pooled_shift[0]))
# --8<-- [end:shift]
