"""批量归一化（批量规范化）：从零实现与简洁实现，并用于 LeNet（d2l 7.5 节）。

默认设置（完整数据集，2 核 CPU 上一两分钟）：d2l 的模型、学习率 1.0、批量 256，只训练 3 轮（d2l 是 10 轮）：
有批量规范化，几轮就接近收敛，而两次训练（从零实现和简洁实现）在 CPU 上各要十几秒一轮。
原书的设置（10 轮）：python snippets/batch_norm.py --full
依次：从零实现 batch_norm 并与 nn.BatchNorm2d 对照；BatchNorm 层；带批量归一化的 LeNet
从零实现训练一次（"BN-LeNet（从零实现）"），再用 nn.BatchNorm2d/nn.BatchNorm1d 简洁实现训练一次。
"""
# --8<-- [start:setup]
import torch
from torch import nn

import dlnotes

args = dlnotes.parse_args(__doc__, epochs=3, lr=1.0, batch_size=256, seed=0, full=dict(epochs=10))
dlnotes.set_seed(args.seed)
device = dlnotes.get_device(args.device)
# --8<-- [end:setup]


# --8<-- [start:batch_norm]
def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum):
    # 通过 is_grad_enabled 来判断当前模式是训练模式还是预测模式
    if not torch.is_grad_enabled():
        # 如果是在预测模式下，直接使用传入的移动平均所得的均值和方差
        X_hat = (X - moving_mean) / torch.sqrt(moving_var + eps)
    else:
        assert len(X.shape) in (2, 4)
        if len(X.shape) == 2:
            # 使用全连接层的情况，计算特征维上的均值和方差
            mean = X.mean(dim=0)
            var = ((X - mean) ** 2).mean(dim=0)
        else:
            # 使用二维卷积层的情况，计算通道维上（axis=1）的均值和方差。
            # 这里我们需要保持 X 的形状以便后面可以做广播运算
            mean = X.mean(dim=(0, 2, 3), keepdim=True)
            var = ((X - mean) ** 2).mean(dim=(0, 2, 3), keepdim=True)
        # 训练模式下，用当前的均值和方差做标准化
        X_hat = (X - mean) / torch.sqrt(var + eps)
        # 更新移动平均的均值和方差
        moving_mean = momentum * moving_mean + (1.0 - momentum) * mean
        moving_var = momentum * moving_var + (1.0 - momentum) * var
    Y = gamma * X_hat + beta  # 缩放和移位
    return Y, moving_mean.data, moving_var.data
# --8<-- [end:batch_norm]


# --8<-- [start:check]
# 卷积层的输出：批量 8、3 个通道、5×5。每个通道在「批量 × 高 × 宽」上求均值和方差
X = torch.randn(8, 3, 5, 5) * 4 + 2
gamma, beta = torch.ones(1, 3, 1, 1), torch.zeros(1, 3, 1, 1)
Y, _, _ = batch_norm(X, gamma, beta, torch.zeros(1, 3, 1, 1), torch.ones(1, 3, 1, 1),
                     eps=1e-5, momentum=0.9)
print("归一化前各通道均值：", X.mean(dim=(0, 2, 3)))
print("归一化后各通道均值：", Y.mean(dim=(0, 2, 3)))
print("归一化后各通道方差：", Y.var(dim=(0, 2, 3), unbiased=False))
# 与 PyTorch 的 nn.BatchNorm2d（训练模式，γ = 1、β = 0）数值一致
print(torch.allclose(Y, nn.BatchNorm2d(3)(X), atol=1e-5))
# --8<-- [end:check]


# --8<-- [start:layer]
class BatchNorm(nn.Module):
    # num_features：完全连接层的输出数量或卷积层的输出通道数。
    # num_dims：2 表示完全连接层，4 表示卷积层
    def __init__(self, num_features, num_dims):
        super().__init__()
        if num_dims == 2:
            shape = (1, num_features)
        else:
            shape = (1, num_features, 1, 1)
        # 参与求梯度和迭代的拉伸和偏移参数，分别初始化成 1 和 0
        self.gamma = nn.Parameter(torch.ones(shape))
        self.beta = nn.Parameter(torch.zeros(shape))
        # 非模型参数的变量初始化为 0 和 1
        self.moving_mean = torch.zeros(shape)
        self.moving_var = torch.ones(shape)

    def forward(self, X):
        # 如果 X 不在内存上，将 moving_mean 和 moving_var 复制到 X 所在显存上
        if self.moving_mean.device != X.device:
            self.moving_mean = self.moving_mean.to(X.device)
            self.moving_var = self.moving_var.to(X.device)
        # 保存更新过的 moving_mean 和 moving_var
        Y, self.moving_mean, self.moving_var = batch_norm(
            X, self.gamma, self.beta, self.moving_mean,
            self.moving_var, eps=1e-5, momentum=0.9)
        return Y
# --8<-- [end:layer]


# --8<-- [start:scratch_net]
net = nn.Sequential(
    nn.Conv2d(1, 6, kernel_size=5), BatchNorm(6, num_dims=4), nn.Sigmoid(),
    nn.AvgPool2d(kernel_size=2, stride=2),
    nn.Conv2d(6, 16, kernel_size=5), BatchNorm(16, num_dims=4), nn.Sigmoid(),
    nn.AvgPool2d(kernel_size=2, stride=2), nn.Flatten(),
    nn.Linear(16 * 4 * 4, 120), BatchNorm(120, num_dims=2), nn.Sigmoid(),
    nn.Linear(120, 84), BatchNorm(84, num_dims=2), nn.Sigmoid(),
    nn.Linear(84, 10))
# --8<-- [end:scratch_net]


# --8<-- [start:data]
lr, num_epochs, batch_size = args.lr, args.epochs, args.batch_size
train_iter, test_iter = dlnotes.load_data_fashion_mnist(batch_size)
print(train_iter.info)
# --8<-- [end:data]


# --8<-- [start:train_scratch]
scratch_metrics = dlnotes.train_ch6(net, train_iter, test_iter, num_epochs, lr, device,
                                    name="BN-LeNet（从零实现）")
# --8<-- [end:train_scratch]


# --8<-- [start:gamma_beta]
# 第一个批量归一化层学到的拉伸参数 gamma 和偏移参数 beta（每个通道一个）
print(net[1].gamma.reshape((-1,)), net[1].beta.reshape((-1,)), sep="\n")
# --8<-- [end:gamma_beta]


# --8<-- [start:concise_net]
net = nn.Sequential(
    nn.Conv2d(1, 6, kernel_size=5), nn.BatchNorm2d(6), nn.Sigmoid(),
    nn.AvgPool2d(kernel_size=2, stride=2),
    nn.Conv2d(6, 16, kernel_size=5), nn.BatchNorm2d(16), nn.Sigmoid(),
    nn.AvgPool2d(kernel_size=2, stride=2), nn.Flatten(),
    nn.Linear(256, 120), nn.BatchNorm1d(120), nn.Sigmoid(),
    nn.Linear(120, 84), nn.BatchNorm1d(84), nn.Sigmoid(),
    nn.Linear(84, 10))
# --8<-- [end:concise_net]


# --8<-- [start:train_concise]
concise_metrics = dlnotes.train_ch6(net, train_iter, test_iter, num_epochs, lr, device,
                                    name="BN-LeNet（简洁实现）")
# --8<-- [end:train_concise]
