"""GoogLeNet：Inception 块（四条并行路径，在通道维上连结），在 Fashion-MNIST 上训练（d2l 7.4 节）。

默认设置（完整数据集，2 核 CPU 上五六分钟）：所有通道数缩小为 1/8（--ratio 8）、输入 32×32（--resize 32；
5 次减半后是 1×1）、10 轮（同原书）、学习率 0.03、批量 64，He 初始化（--init kaiming）。
缩小的原因：原书设置每张图的计算量约是默认设置的 500 倍，在 CPU 上要十几个小时。
批量 64、学习率 0.03 的原因：这么窄的模型每个迭代周期学得慢，批量减半让每轮的参数更新次数加倍；
学习率比原书的 0.1 小，是为了让不带批量规范化的训练更平稳（0.03 时测试精度在相邻两轮之间仍有起伏）。
10 轮与原书相同，给测试精度留出余量。
He 初始化的原因：从输入到输出最长的一条路径要经过 21 个不带批量规范化的 ReLU 卷积层（全网共 57 个卷积层），用 d2l 的
Xavier 初始化时各层输出中随输入变化的部分可能逐层变小，训练初期停在 ln 10 附近的平台期（对照实验见 snippets/nin.py 的 init-compare）；
He 初始化按 ReLU 保持各层输出的方差。
原书的设置（完整宽度、96×96 输入、10 轮、学习率 0.1、批量 128、Xavier 初始化）：
    python snippets/googlenet.py --full --device cuda
命令行上显式给出的参数总是优先。
"""
# --8<-- [start:setup]
import torch
from torch import nn
from torch.nn import functional as F

import dlnotes

# 关键字是 2 核 CPU 上的默认设置，full= 是原书的设置（--full）；命令行显式给出的参数优先
args = dlnotes.parse_args(
    __doc__, epochs=10, lr=0.03, batch_size=64, resize=32, ratio=8, init="kaiming", seed=0,
    channels_last=True,
    full=dict(epochs=10, lr=0.1, batch_size=128, resize=96, ratio=1, init="xavier"))
dlnotes.set_seed(args.seed)
device = dlnotes.get_device(args.device)
# --8<-- [end:setup]


# --8<-- [start:inception]
class Inception(nn.Module):
    # c1--c4 是每条路径的输出通道数
    def __init__(self, in_channels, c1, c2, c3, c4, **kwargs):
        super().__init__(**kwargs)
        # 线路 1，单 1×1 卷积层
        self.p1_1 = nn.Conv2d(in_channels, c1, kernel_size=1)
        # 线路 2，1×1 卷积层后接 3×3 卷积层
        self.p2_1 = nn.Conv2d(in_channels, c2[0], kernel_size=1)
        self.p2_2 = nn.Conv2d(c2[0], c2[1], kernel_size=3, padding=1)
        # 线路 3，1×1 卷积层后接 5×5 卷积层
        self.p3_1 = nn.Conv2d(in_channels, c3[0], kernel_size=1)
        self.p3_2 = nn.Conv2d(c3[0], c3[1], kernel_size=5, padding=2)
        # 线路 4，3×3 最大汇聚层后接 1×1 卷积层
        self.p4_1 = nn.MaxPool2d(kernel_size=3, stride=1, padding=1)
        self.p4_2 = nn.Conv2d(in_channels, c4, kernel_size=1)

    def forward(self, x):
        p1 = F.relu(self.p1_1(x))
        p2 = F.relu(self.p2_2(F.relu(self.p2_1(x))))
        p3 = F.relu(self.p3_2(F.relu(self.p3_1(x))))
        p4 = F.relu(self.p4_2(self.p4_1(x)))
        # 在通道维度上连结输出
        return torch.cat((p1, p2, p3, p4), dim=1)
# --8<-- [end:inception]


# --8<-- [start:params]
# GoogLeNet 的第一个 Inception 块：192 个输入通道，64 + 128 + 32 + 32 = 256 个输出通道。
# 与输入、输出通道数相同的单个 3×3、5×5 卷积层比较参数个数
def count(module):
    return sum(p.numel() for p in module.parameters())


blk = Inception(192, 64, (96, 128), (16, 32), 32)
X = torch.rand(1, 192, 28, 28)
print("Inception 输出形状：", blk(X).shape)  # 高宽不变，通道在各路径间连结
for name, layer in [("Inception 块", blk),
                    ("单个 3×3 卷积", nn.Conv2d(192, 256, kernel_size=3, padding=1)),
                    ("单个 5×5 卷积", nn.Conv2d(192, 256, kernel_size=5, padding=2))]:
    # 28×28 输入上的乘加次数（只计卷积层）：每个输出元素需要 (输入通道 × 核面积) 次乘加
    macs = sum(m.weight.numel() * 28 * 28 for m in layer.modules() if isinstance(m, nn.Conv2d))
    print(f"{name}：参数 {count(layer):>9,}，乘加次数 {macs / 1e6:6.1f} M")
# --8<-- [end:params]


# --8<-- [start:model]
def googlenet(ratio=1):
    """d2l 的 GoogLeNet（单通道输入、10 类输出）；ratio > 1 时所有通道数除以 ratio。"""
    def r(c):
        return max(1, c // ratio)

    def inc(i, c1, c2, c3, c4):
        return Inception(r(i), r(c1), (r(c2[0]), r(c2[1])), (r(c3[0]), r(c3[1])), r(c4))

    b1 = nn.Sequential(nn.Conv2d(1, r(64), kernel_size=7, stride=2, padding=3),
                       nn.ReLU(),
                       nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    b2 = nn.Sequential(nn.Conv2d(r(64), r(64), kernel_size=1),
                       nn.ReLU(),
                       nn.Conv2d(r(64), r(192), kernel_size=3, padding=1),
                       nn.ReLU(),
                       nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    b3 = nn.Sequential(inc(192, 64, (96, 128), (16, 32), 32),
                       inc(256, 128, (128, 192), (32, 96), 64),
                       nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    b4 = nn.Sequential(inc(480, 192, (96, 208), (16, 48), 64),
                       inc(512, 160, (112, 224), (24, 64), 64),
                       inc(512, 128, (128, 256), (24, 64), 64),
                       inc(512, 112, (144, 288), (32, 64), 64),
                       inc(528, 256, (160, 320), (32, 128), 128),
                       nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    b5 = nn.Sequential(inc(832, 256, (160, 320), (32, 128), 128),
                       inc(832, 384, (192, 384), (48, 128), 128),
                       nn.AdaptiveAvgPool2d((1, 1)),
                       nn.Flatten())
    return nn.Sequential(b1, b2, b3, b4, b5, nn.Linear(r(1024), 10))
# --8<-- [end:model]


# --8<-- [start:shapes]
# d2l 的完整 GoogLeNet，输入 96×96：各模块输出的形状
net = googlenet()
X = torch.rand(size=(1, 1, 96, 96))
for layer in net:
    X = layer(X)
    print(f"{layer.__class__.__name__:<10} 输出形状：\t{tuple(X.shape)}")
print(f"完整 GoogLeNet 的参数个数：{count(net):,}")
# --8<-- [end:shapes]


# --8<-- [start:data]
batch_size = args.batch_size
train_iter, test_iter = dlnotes.load_data_fashion_mnist(batch_size, resize=args.resize)
print(train_iter.info, "| 输入尺寸：", next(iter(train_iter))[0].shape)
# --8<-- [end:data]


# --8<-- [start:train]
net = googlenet(ratio=args.ratio)
print(f"训练的模型：宽度 1/{args.ratio}，参数个数 {count(net):,}")
lr, num_epochs = args.lr, args.epochs
metrics = dlnotes.train_ch6(net, train_iter, test_iter, num_epochs, lr, device, name="GoogLeNet",
                            settings=dict(resize=args.resize, ratio=args.ratio, init=args.init),
                            init=args.init,
                            channels_last=args.channels_last)
# --8<-- [end:train]
