"""VGG：用重复的 VGG 块搭出 VGG-11，在 Fashion-MNIST 上训练（d2l 7.2 节）。

默认设置（完整数据集，2 核 CPU 上两三分钟）：卷积通道数缩小为 1/8（--ratio 8）、全连接层宽 256（--fc 256）、
输入 32×32（--resize 32；5 次减半后是 1×1）、6 轮、学习率 0.05、批量 128，He 初始化（--init kaiming）。
缩小的原因：原书设置每张图的计算量约是默认设置的 200 倍，在 CPU 上要十几个小时。
He 初始化的原因：VGG-11 有 8 个不带批量规范化的卷积层，用 d2l 的 Xavier 初始化时各层输出中随输入变化的部分
可能逐层变小，训练初期停在 ln 10 附近的平台期（snippets/nin.py 的 init-compare 部分对照了两种初始化；--init xavier 可以自己试试）。
原书的设置（通道数 1/4 的 VGG-11、全连接层 4096、224×224 输入、10 轮、学习率 0.05、批量 128、Xavier 初始化）：
    python snippets/vgg.py --full --device cuda
命令行上显式给出的参数总是优先。
"""
# --8<-- [start:setup]
import torch
from torch import nn

import dlnotes

# 关键字是 2 核 CPU 上的默认设置，full= 是原书的设置（--full）；命令行显式给出的参数优先
args = dlnotes.parse_args(
    __doc__, epochs=6, lr=0.05, batch_size=128, resize=32, ratio=8, fc=256, init="kaiming", seed=0, channels_last=True,
    full=dict(epochs=10, lr=0.05, batch_size=128, resize=224, ratio=4, fc=4096, init="xavier"))
dlnotes.set_seed(args.seed)
device = dlnotes.get_device(args.device)
# --8<-- [end:setup]


# --8<-- [start:vgg_block]
def vgg_block(num_convs, in_channels, out_channels):
    """VGG 块：num_convs 个「3×3 卷积（填充 1）+ ReLU」保持高宽不变，再用 2×2 最大汇聚把高宽减半。"""
    layers = []
    for _ in range(num_convs):
        layers.append(nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1))
        layers.append(nn.ReLU())
        in_channels = out_channels
    layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
    return nn.Sequential(*layers)


blk = vgg_block(2, 3, 16)
print(blk)
print(blk(torch.rand(1, 3, 32, 32)).shape)  # 通道 3 → 16，高宽 32 → 16
# --8<-- [end:vgg_block]


# --8<-- [start:vgg]
# 5 个 VGG 块：(卷积层个数, 输出通道数)，共 8 个卷积层，加上 3 个全连接层，即 VGG-11
conv_arch = ((1, 64), (1, 128), (2, 256), (2, 512), (2, 512))


def vgg(conv_arch, size=224, fc=4096):
    conv_blks = []
    in_channels = 1
    # 卷积层部分
    for (num_convs, out_channels) in conv_arch:
        conv_blks.append(vgg_block(num_convs, in_channels, out_channels))
        in_channels = out_channels
    side = size // 2 ** len(conv_arch)  # 每个块把高宽减半：224 → 7
    return nn.Sequential(
        *conv_blks, nn.Flatten(),
        # 全连接层部分
        nn.Linear(out_channels * side * side, fc), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(fc, fc), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(fc, 10))
# --8<-- [end:vgg]


# --8<-- [start:shapes]
# 完整的 VGG-11 有一亿多个参数。只看形状时在 "meta" 设备上构造：不分配内存，也不做真正的计算
with torch.device("meta"):
    net = vgg(conv_arch)
    X = torch.randn(size=(1, 1, 224, 224))
    for blk in net:
        X = blk(X)
        print(f"{blk.__class__.__name__:<10} 输出形状：\t{tuple(X.shape)}")
print(f"完整 VGG-11 的参数个数：{sum(p.numel() for p in net.parameters()):,}")
# --8<-- [end:shapes]


# --8<-- [start:data]
batch_size = args.batch_size
train_iter, test_iter = dlnotes.load_data_fashion_mnist(batch_size, resize=args.resize)
print(train_iter.info, "| 输入尺寸：", next(iter(train_iter))[0].shape)
# --8<-- [end:data]


# --8<-- [start:train]
# 用通道数缩小为 1/ratio 的 VGG-11 训练（d2l 取 ratio = 4）
ratio = args.ratio
small_conv_arch = [(pair[0], pair[1] // ratio) for pair in conv_arch]
net = vgg(small_conv_arch, size=args.resize, fc=args.fc)
print(f"训练的模型：{small_conv_arch}，全连接层宽 {args.fc}，"
      f"参数个数 {sum(p.numel() for p in net.parameters()):,}")
lr, num_epochs = args.lr, args.epochs
metrics = dlnotes.train_ch6(net, train_iter, test_iter, num_epochs, lr, device, name="VGG-11",
                            settings=dict(resize=args.resize, ratio=args.ratio, fc=args.fc, init=args.init),
                            init=args.init,
                            channels_last=args.channels_last)
# --8<-- [end:train]
