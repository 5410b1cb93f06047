"""ResNet：残差块与 ResNet-18，在 Fashion-MNIST 上训练（d2l 7.6 节）。

默认设置（完整数据集，2 核 CPU 上一两分钟）：所有通道数缩小为 1/4（--ratio 4）、输入 32×32（--resize 32）、
2 轮、学习率 0.05、批量 128。缩小的原因：原书设置每张图的计算量约是默认设置的 140 倍，在 CPU 上要十几个小时；
有批量规范化，两轮就接近收敛。
原书的设置（完整宽度的 ResNet-18、96×96 输入、10 轮、学习率 0.05、批量 256）：
    python snippets/resnet.py --full --device cuda
命令行上显式给出的参数总是优先。残差块 Residual 来自 dlnotes（与 d2l 相同）。
"""
# --8<-- [start:setup]
import torch
from torch import nn

import dlnotes
from dlnotes import Residual

# 关键字是 2 核 CPU 上的默认设置，full= 是原书的设置（--full）；命令行显式给出的参数优先
args = dlnotes.parse_args(
    __doc__, epochs=2, lr=0.05, batch_size=128, resize=32, ratio=4, seed=0, channels_last=True,
    full=dict(epochs=10, lr=0.05, batch_size=256, resize=96, ratio=1))
dlnotes.set_seed(args.seed)
device = dlnotes.get_device(args.device)
# --8<-- [end:setup]


# --8<-- [start:residual]
# 输入和输出形状一致
blk = Residual(3, 3)
X = torch.rand(4, 3, 6, 6)
Y = blk(X)
print(Y.shape)

# 增加输出通道数的同时，减半输出的高和宽：此时需要 1×1 卷积调整捷径上的 X
blk = Residual(3, 6, use_1x1conv=True, strides=2)
print(blk(X).shape)
# --8<-- [end:residual]


# --8<-- [start:model]
def resnet_block(input_channels, num_channels, num_residuals, first_block=False):
    blk = []
    for i in range(num_residuals):
        if i == 0 and not first_block:
            blk.append(Residual(input_channels, num_channels, use_1x1conv=True, strides=2))
        else:
            blk.append(Residual(num_channels, num_channels))
    return blk


def resnet18(ratio=1):
    """d2l 的 ResNet-18（单通道输入、10 类输出）；ratio > 1 时所有通道数除以 ratio。"""
    c = [64 // ratio, 128 // ratio, 256 // ratio, 512 // ratio]
    b1 = nn.Sequential(nn.Conv2d(1, c[0], kernel_size=7, stride=2, padding=3),
                       nn.BatchNorm2d(c[0]), nn.ReLU(),
                       nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    b2 = nn.Sequential(*resnet_block(c[0], c[0], 2, first_block=True))
    b3 = nn.Sequential(*resnet_block(c[0], c[1], 2))
    b4 = nn.Sequential(*resnet_block(c[1], c[2], 2))
    b5 = nn.Sequential(*resnet_block(c[2], c[3], 2))
    return nn.Sequential(b1, b2, b3, b4, b5,
                         nn.AdaptiveAvgPool2d((1, 1)),
                         nn.Flatten(), nn.Linear(c[3], 10))
# --8<-- [end:model]


# --8<-- [start:shapes]
# d2l 的完整 ResNet-18：224×224 的输入在各模块间的形状变化
net = resnet18()
X = torch.rand(size=(1, 1, 224, 224))
for layer in net:
    X = layer(X)
    print(f"{layer.__class__.__name__:<17} 输出形状：\t{tuple(X.shape)}")
print(f"完整 ResNet-18 的参数个数：{sum(p.numel() for p in net.parameters()):,}")
# --8<-- [end:shapes]


# --8<-- [start:gradient]
# 数值稳定性：把乘法变成加法。20 层 sigmoid 全连接网络里，第 1 层权重的梯度有多大？
# 普通堆叠 h ← f(h)：梯度是 20 个雅可比矩阵的连乘；残差连接 h ← h + f(h)：每个因子是 I + ∂f/∂h
def first_layer_grad(residual, depth=20, width=64):
    # 固定的种子只用于这个实验；fork_rng 结束时恢复 CPU 上原来的随机数状态，后面的训练仍由 --seed 决定
    # （实验的张量都在 CPU 上生成；devices=[]：不去读写 GPU 的随机数状态）
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        layers = [nn.Linear(width, width).to(device) for _ in range(depth)]
        h = torch.randn(16, width).to(device)
        for layer in layers:
            out = torch.sigmoid(layer(h))
            h = h + out if residual else out
        h.sum().backward()
    return layers[0].weight.grad.norm().item()


print(f"普通网络 第 1 层梯度范数：{first_layer_grad(False):.3e}")
print(f"残差网络 第 1 层梯度范数：{first_layer_grad(True):.3e}")
# --8<-- [end:gradient]


# --8<-- [start:data]
batch_size = args.batch_size
train_iter, test_iter = dlnotes.load_data_fashion_mnist(batch_size, resize=args.resize)
print(train_iter.info, "| 输入尺寸：", next(iter(train_iter))[0].shape)
# --8<-- [end:data]


# --8<-- [start:train]
net = resnet18(ratio=args.ratio)
print(f"训练的模型：宽度 1/{args.ratio}，参数个数 {sum(p.numel() for p in net.parameters()):,}")
lr, num_epochs = args.lr, args.epochs
metrics = dlnotes.train_ch6(net, train_iter, test_iter, num_epochs, lr, device, name="ResNet-18",
                            settings=dict(resize=args.resize, ratio=args.ratio),
                            channels_last=args.channels_last)
# --8<-- [end:train]
