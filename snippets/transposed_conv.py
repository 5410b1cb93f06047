"""转置卷积：从零实现基本的转置卷积运算，与 nn.ConvTranspose2d 比较，并用矩阵乘法验证它与卷积的「转置」关系。

内容（d2l 13.10 节）：2×2 输入与 2×2 卷积核得到 3×3 输出的逐步示意图（由代码计算并画出）、
trans_conv 的从零实现与 nn.ConvTranspose2d 结果相同、填充/步幅/多通道下的输出形状，
以及把卷积写成矩阵 W 之后，转置卷积就是乘以 W 的转置。全部在 CPU 上瞬间完成。

"""
# --8<-- [start:setup]
import matplotlib.pyplot as plt
import torch
from torch import nn

import dlnotes

dlnotes.parse_args(__doc__)
dlnotes.set_seed(0)
# --8<-- [end:setup]

# --8<-- [start:trans-conv]
def trans_conv(X, K):
    h, w = K.shape
    Y = torch.zeros((X.shape[0] + h - 1, X.shape[1] + w - 1))
    for i in range(X.shape[0]):
        for j in range(X.shape[1]):
            Y[i: i + h, j: j + w] += X[i, j] * K
    return Y
# --8<-- [end:trans-conv]

# --8<-- [start:example]
X = torch.tensor([[0.0, 1.0], [2.0, 3.0]])
K = torch.tensor([[0.0, 1.0], [2.0, 3.0]])
print(trans_conv(X, K))
# --8<-- [end:example]

# --8<-- [start:figure]
def draw_grid(ax, M, x0, y0, title, highlight=None):
    """把矩阵 M 画成带数字的方格，放在左下角为 (x0, y0) 的 3×3 区域的中间；
    highlight=(i, j, h, w) 标出一块区域。"""
    M = M.tolist()
    n_rows, n_cols = len(M), len(M[0])
    dy, dx = y0 + (3 - n_rows) / 2, x0 + (3 - n_cols) / 2
    for i in range(n_rows):
        for j in range(n_cols):
            inside = (highlight is not None and highlight[0] <= i < highlight[0] + highlight[2]
                      and highlight[1] <= j < highlight[1] + highlight[3])
            ax.add_patch(plt.Rectangle((dx + j, dy + n_rows - 1 - i), 1, 1, edgecolor='black',
                                       facecolor='#9ecae1' if inside else 'white'))
            ax.text(dx + j + 0.5, dy + n_rows - 0.5 - i, f'{M[i][j]:g}', ha='center',
                    va='center', fontsize=10)
    ax.text(x0 + 1.5, y0 + 3.3, title, ha='center', va='bottom', fontsize=10)


# 两行排列（手机上缩小后文字仍不小于 9 像素）：X、K → 四个部分和 = Y
fig, ax = plt.subplots(figsize=(5.5, 3.3))
parts = []
for i, j in [(0, 0), (0, 1), (1, 0), (1, 1)]:
    part = torch.zeros(3, 3)
    part[i: i + 2, j: j + 2] = X[i, j] * K   # 输入的一个元素乘以整个卷积核
    parts.append((part, f'$X[{i},{j}]\\cdot K$', (i, j, 2, 2)))
top, bottom = 4.5, 0
draw_grid(ax, X, 0, top, '输入 $X$')
draw_grid(ax, K, 3.5, top, '卷积核 $K$')
draw_grid(ax, parts[0][0], 8, top, parts[0][1], parts[0][2])
draw_grid(ax, parts[1][0], 12, top, parts[1][1], parts[1][2])
draw_grid(ax, parts[2][0], 1, bottom, parts[2][1], parts[2][2])
draw_grid(ax, parts[3][0], 5, bottom, parts[3][1], parts[3][2])
draw_grid(ax, trans_conv(X, K), 10, bottom, '输出 $Y$')
for x, y, sign in [(7.25, top, '$\\rightarrow$'), (11.5, top, '$+$'), (0.5, bottom, '$+$'),
                   (4.5, bottom, '$+$'), (8.75, bottom, '$=$')]:
    ax.text(x, y + 1.5, sign, ha='center', va='center', fontsize=16)
ax.set_xlim(-0.1, 15.1)
ax.set_ylim(-0.1, 8.4)
ax.set_aspect('equal')
ax.axis('off')
plt.show()
# --8<-- [end:figure]

# --8<-- [start:api]
X, K = X.reshape(1, 1, 2, 2), K.reshape(1, 1, 2, 2)
tconv = nn.ConvTranspose2d(1, 1, kernel_size=2, bias=False)
tconv.weight.data = K
print(tconv(X))
print('与 trans_conv 相同：', torch.equal(tconv(X).detach()[0, 0], trans_conv(X[0, 0], K[0, 0])))
# --8<-- [end:api]

# --8<-- [start:padding]
tconv = nn.ConvTranspose2d(1, 1, kernel_size=2, padding=1, bias=False)
tconv.weight.data = K
print(tconv(X))
# --8<-- [end:padding]

# --8<-- [start:stride]
tconv = nn.ConvTranspose2d(1, 1, kernel_size=2, stride=2, bias=False)
tconv.weight.data = K
print(tconv(X))
# --8<-- [end:stride]

# --8<-- [start:channels]
X = torch.rand(size=(1, 10, 16, 16))
conv = nn.Conv2d(10, 20, kernel_size=5, padding=2, stride=3)
tconv = nn.ConvTranspose2d(20, 10, kernel_size=5, padding=2, stride=3)
print(conv(X).shape, tconv(conv(X)).shape == X.shape)
# --8<-- [end:channels]

# --8<-- [start:matrix]
X = torch.arange(9.0).reshape(3, 3)
K = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
Y = dlnotes.corr2d(X, K)
print(Y)


def kernel2matrix(K):
    k, W = torch.zeros(5), torch.zeros((4, 9))
    k[:2], k[3:5] = K[0, :], K[1, :]
    W[0, :5], W[1, 1:6], W[2, 3:8], W[3, 4:] = k, k, k, k
    return W


W = kernel2matrix(K)
print(W)
# --8<-- [end:matrix]

# --8<-- [start:matrix-check]
print('卷积 = 乘以 W：', torch.equal(Y, torch.matmul(W, X.reshape(-1)).reshape(2, 2)))
Z = trans_conv(Y, K)
print('转置卷积 = 乘以 W 的转置：', torch.equal(Z, torch.matmul(W.T, Y.reshape(-1)).reshape(3, 3)))
# --8<-- [end:matrix-check]

# --8<-- [start:matrix-general]
def conv_matrix(K, in_shape):
    """一般情形：卷积作为线性映射的矩阵。

    把单位向量 e_k（变形成输入的形状）送进卷积，输出展平后就是矩阵的第 k 列。
    """
    n = in_shape[0] * in_shape[1]
    cols = [dlnotes.corr2d(torch.eye(n)[k].reshape(in_shape), K).reshape(-1) for k in range(n)]
    return torch.stack(cols, dim=1)


X = torch.rand(5, 6)
K = torch.rand(3, 2)
W = conv_matrix(K, X.shape)
Y = dlnotes.corr2d(X, K)
print(W.shape, Y.shape)
print('卷积 = 乘以 W：', torch.allclose(W @ X.reshape(-1), Y.reshape(-1)))
print('转置卷积 = 乘以 W 的转置：',
      torch.allclose(W.T @ Y.reshape(-1), trans_conv(Y, K).reshape(-1)))
# --8<-- [end:matrix-general]
