"""NiN（网络中的网络）：用 1×1 卷积代替全连接层、用全局平均汇聚输出，在 Fashion-MNIST 上训练（d2l 7.3 节）。

默认设置（完整数据集，2 核 CPU 上三分钟左右）：通道数缩小为 1/4（--ratio 4；输出层的 10 个通道不变）、
输入 68×68（--resize 68；这个结构要求至少 67×67）、5 轮，学习率 0.1、批量 128（与原书相同），He 初始化（--init kaiming），
最后一个 NiN 块去掉最后的 ReLU（--head linear）。
缩小的原因：原书的完整宽度与 224×224 输入在 CPU 上要十几个小时。
宽度取 1/4 是在 CPU 时间与精度之间的取舍（更窄的可以用 --ratio 8 自己试）。
He 初始化的原因：NiN 有 12 个带 ReLU 的卷积层，用 d2l 的 Xavier 初始化时，信号中随输入变化的部分逐层变小，
输出几乎只由偏置决定、对不同图像几乎一样，传回前面各层的梯度也很小，损失停在 ln 10、精度停在 0.1
（下面 300 步的对照里一直停在平台期）。He 初始化按 ReLU 保持各层输出的方差，第一轮就走出平台期。
去掉最后一个 ReLU 的原因：d2l 的 NiN 让 10 个类别通道也经过 ReLU，再做全局平均汇聚，类别分数不会是负数。
一个类别的通道一旦对所有图像都输出 0（ReLU 前全为负），它的梯度也全是 0，这个类别就再也不会被预测出来；
学习率 0.1 下，有的随机种子在训练早期就出现这种情况，之后测试精度上不去（见 benchmarks/ 里
bench_accuracy_spread 的记录中 head = relu 的运行）。去掉它，类别分数就是最后一个 1×1 卷积的
输出（和全连接层输出的分数一样可正可负），网络的其余部分不变；--head relu 换回 d2l 的结构。
最后的 init-compare 部分是这个现象的对照实验：同一个缩小的 NiN 分别用 Xavier 和 He 初始化，在前 3200 张
训练图片上各训练 300 步（批量 32、3 轮、学习率 0.05）。
原书的设置（完整宽度、224×224 输入、10 轮、学习率 0.1、批量 128、Xavier 初始化）：
    python snippets/nin.py --full --device cuda
命令行上显式给出的参数总是优先。
"""
# --8<-- [start:setup]
import torch
from torch import nn

import dlnotes

# 关键字是 2 核 CPU 上的默认设置，full= 是原书的设置（--full）；命令行显式给出的参数优先
args = dlnotes.parse_args(
    __doc__, epochs=5, lr=0.1, batch_size=128, resize=68, ratio=4, init="kaiming", head="linear",
    seed=0, channels_last=True,
    full=dict(epochs=10, lr=0.1, batch_size=128, resize=224, ratio=1, init="xavier", head="relu"))
dlnotes.set_seed(args.seed)
device = dlnotes.get_device(args.device)
# --8<-- [end:setup]


# --8<-- [start:nin_block]
def nin_block(in_channels, out_channels, kernel_size, strides, padding):
    """NiN 块：一个普通卷积层，后面跟两个 1×1 卷积层（逐像素的全连接层），每层后接 ReLU。"""
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, kernel_size, strides, padding), nn.ReLU(),
        nn.Conv2d(out_channels, out_channels, kernel_size=1), nn.ReLU(),
        nn.Conv2d(out_channels, out_channels, kernel_size=1), nn.ReLU())


blk = nin_block(1, 8, kernel_size=5, strides=1, padding=0)
X = torch.rand(1, 1, 12, 12)
print("普通卷积后：", blk[0](X).shape, " 整个 NiN 块后：", blk(X).shape)
# --8<-- [end:nin_block]


# --8<-- [start:model]
def nin(ratio=1, head="relu"):
    """d2l 的 NiN；ratio > 1 时前三个 NiN 块的通道数除以 ratio（最后一块的输出通道 = 类别数 10）。
    head="linear" 时去掉最后一个 NiN 块末尾的 ReLU，类别分数可以是负数（d2l 的是 head="relu"）。"""
    c = [96 // ratio, 256 // ratio, 384 // ratio]
    last = nin_block(c[2], 10, kernel_size=3, strides=1, padding=1)
    if head == "linear":
        last = last[:-1]  # nn.Sequential 的切片：去掉最后的 nn.ReLU()
    return nn.Sequential(
        nin_block(1, c[0], kernel_size=11, strides=4, padding=0),
        nn.MaxPool2d(3, stride=2),
        nin_block(c[0], c[1], kernel_size=5, strides=1, padding=2),
        nn.MaxPool2d(3, stride=2),
        nin_block(c[1], c[2], kernel_size=3, strides=1, padding=1),
        nn.MaxPool2d(3, stride=2),
        nn.Dropout(0.5),
        # 标签类别数是 10
        last,
        nn.AdaptiveAvgPool2d((1, 1)),
        # 将四维的输出转成二维的输出，其形状为（批量大小，10）
        nn.Flatten())
# --8<-- [end:model]


# --8<-- [start:shapes]
# d2l 的完整 NiN：一个 224×224 的单通道样本逐层走过网络
net = nin()
X = torch.rand(size=(1, 1, 224, 224))
for layer in net:
    X = layer(X)
    print(f"{layer.__class__.__name__:<17} 输出形状：\t{tuple(X.shape)}")
print(f"完整 NiN 的参数个数：{sum(p.numel() for p in net.parameters()):,}")
# --8<-- [end:shapes]


# --8<-- [start:params]
# 全连接层很「贵」：对比 VGG-11 末尾的三个全连接层与整个 NiN 的参数个数
with torch.device("meta"):  # 只数参数，不分配内存
    vgg_fc = [nn.Linear(512 * 7 * 7, 4096), nn.Linear(4096, 4096), nn.Linear(4096, 10)]
print(f"VGG-11 三个全连接层：{sum(p.numel() for fc in vgg_fc for p in fc.parameters()):,}")
print(f"NiN 整个网络：       {sum(p.numel() for p in net.parameters()):,}")
# --8<-- [end:params]


# --8<-- [start:data]
batch_size = args.batch_size
train_iter, test_iter = dlnotes.load_data_fashion_mnist(batch_size, resize=args.resize)
print(train_iter.info, "| 输入尺寸：", next(iter(train_iter))[0].shape)
# --8<-- [end:data]


# --8<-- [start:train]
net = nin(ratio=args.ratio, head=args.head)
print(f"训练的模型：宽度 1/{args.ratio}，参数个数 {sum(p.numel() for p in net.parameters()):,}")
lr, num_epochs = args.lr, args.epochs
metrics = dlnotes.train_ch6(net, train_iter, test_iter, num_epochs, lr, device, name="NiN",
                            settings=dict(resize=args.resize, ratio=args.ratio, init=args.init, head=args.head),
                            init=args.init,
                            channels_last=args.channels_last)
# --8<-- [end:train]


# --8<-- [start:init-compare]
# 对照实验：同一个缩小的 NiN（d2l 的结构，输出层带 ReLU），Xavier 初始化与 He 初始化各训练 300 步
# （前 3200 张训练图片、批量 32、学习率 0.05、3 轮；在前 500 张测试图片上评估），宽度与输入同上
sub_train = dlnotes.TensorLoader(
    train_iter.X[:3200], train_iter.y[:3200], 32, shuffle=True, transform=train_iter.transform,
    info=f"{train_iter.info}中的前 3200 张训练图片", is_sample=train_iter.is_sample)
sub_test = dlnotes.TensorLoader(test_iter.X[:500], test_iter.y[:500], 256, transform=test_iter.transform,
                                info="测试集中的前 500 张", is_sample=test_iter.is_sample)
init_runs = {}
for init in ("xavier", "kaiming"):
    dlnotes.set_seed(args.seed)
    print(f"--- init={init}")
    init_runs[init] = dlnotes.train_ch6(nin(ratio=args.ratio), sub_train, sub_test, 3, 0.05, device,
                                        init=init, plot=False, channels_last=args.channels_last)
for init, m in init_runs.items():
    print(f"{init:8s} 各迭代周期的训练损失 {m['history']['train_loss']}，测试精度 {m['history']['test_acc']}")
# --8<-- [end:init-compare]
