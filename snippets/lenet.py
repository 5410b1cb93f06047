"""LeNet：在 Fashion-MNIST 上训练经典卷积神经网络（d2l 6.6 节）。

默认设置（完整数据集）：d2l 的模型和学习率 0.9，批量从 256 减小到 128、只训练 6 轮——
每轮的参数更新次数是原书的 2 倍，6 轮就能达到与原书相当的测试精度（页面的检查要求至少是原书 10 轮 0.779 的 95%）。
原书的设置（10 轮、批量 256）：python snippets/lenet.py --full
"""
# --8<-- [start:setup]
import torch
from torch import nn

import dlnotes

args = dlnotes.parse_args(__doc__, epochs=6, lr=0.9, batch_size=128, seed=0, channels_last=True,
                          full=dict(epochs=10, batch_size=256))
dlnotes.set_seed(args.seed)
device = dlnotes.get_device(args.device)
# --8<-- [end:setup]

# --8<-- [start:conv1]
# 笔记三的例子：LeNet 的第一个卷积层 Conv1，1 个输入通道、6 个输出通道、5×5 卷积核
conv1 = nn.Conv2d(1, 6, kernel_size=5, padding=0, stride=1)
print(conv1)
print("权重形状：", conv1.weight.shape, "偏置形状：", conv1.bias.shape)
# 原始 LeNet 的输入是 32×32：不填充时输出 6 × 28 × 28
print("32×32 输入 →", conv1(torch.rand(1, 1, 32, 32)).shape)
# Fashion-MNIST 是 28×28：不填充时输出缩小为 24×24，所以 d2l 在第一层填充 2
print("28×28 输入 →", conv1(torch.rand(1, 1, 28, 28)).shape)
# --8<-- [end:conv1]

# --8<-- [start:model]
net = nn.Sequential(
    nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Sigmoid(),
    nn.AvgPool2d(kernel_size=2, stride=2),
    nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(),
    nn.AvgPool2d(kernel_size=2, stride=2),
    nn.Flatten(),
    nn.Linear(16 * 5 * 5, 120), nn.Sigmoid(),
    nn.Linear(120, 84), nn.Sigmoid(),
    nn.Linear(84, 10))
# --8<-- [end:model]

# --8<-- [start:shapes]
# 逐层打印输出形状和参数个数：一个 28×28 的单通道（黑白）样本走过整个网络
X = torch.rand(size=(1, 1, 28, 28), dtype=torch.float32)
print(f"{'层':<9} {'输出形状':<24} {'参数个数':>4}")  # 一个汉字占两个英文字符宽
for layer in net:
    X = layer(X)
    n_params = sum(p.numel() for p in layer.parameters())
    print(f"{layer.__class__.__name__:<10} {str(tuple(X.shape)):<28} {n_params:>8}")
print("参数总数：", sum(p.numel() for p in net.parameters()))
# --8<-- [end:shapes]

# --8<-- [start:data]
batch_size = args.batch_size
train_iter, test_iter = dlnotes.load_data_fashion_mnist(batch_size=batch_size)
print(train_iter.info)
print("每轮的小批量个数（参数更新次数）：", len(train_iter))
# --8<-- [end:data]

# --8<-- [start:train]
lr, num_epochs = args.lr, args.epochs
metrics = dlnotes.train_ch6(net, train_iter, test_iter, num_epochs, lr, device, name="LeNet",
                            channels_last=args.channels_last)
# --8<-- [end:train]
