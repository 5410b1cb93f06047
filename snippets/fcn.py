"""全卷积网络（FCN）：用 1×1 卷积和转置卷积为每个像素预测类别，在合成的语义分割任务上训练。

d2l 13.11 节用预训练的 ResNet-18 和 Pascal VOC；这里不下载任何东西：数据是代码生成的 32×32 噪声图像，
上面随机画矩形和圆（亮度分布相同，只能靠形状区分），每个像素的标签是 背景 0 / 矩形 1 / 圆 2。
网络 = 小型卷积主干（高宽缩小 8 倍）+ 1×1 卷积（通道数变为类别数）+ 转置卷积（高宽放大 8 倍，
用双线性插值核初始化）。训练后打印像素精度，并显示输入、真实标签和预测。

"""
# --8<-- [start:setup]
import matplotlib.pyplot as plt
import torch
from torch import nn
from torch.nn import functional as F

import dlnotes

args = dlnotes.parse_args(__doc__, epochs=10, lr=0.1, batch_size=32, num_train=800, size=32, seed=0,
                          full=dict(num_train=3200, size=64))
dlnotes.set_seed(args.seed)
device = dlnotes.get_device(args.device)
# --8<-- [end:setup]

# --8<-- [start:data]
def make_shapes(n, size=32, seed=0):
    """生成 n 张 size×size 的灰度图像及逐像素标签：0 背景，1 矩形，2 圆。"""
    g = torch.Generator().manual_seed(seed)

    def rand(*shape):
        return torch.rand(*shape, generator=g)

    X = 0.3 + 0.15 * torch.randn(n, 1, size, size, generator=g)   # 背景：噪声
    Y = torch.zeros(n, size, size, dtype=torch.long)
    yy, xx = torch.meshgrid(torch.arange(size), torch.arange(size), indexing='ij')
    for k in range(n):
        for _ in range(int(rand(1) * 3) + 1):                # 每张图 1–3 个形状
            cls = 1 + int(rand(1) * 2)                        # 1 矩形 / 2 圆
            r = size * (0.12 + 0.16 * float(rand(1)))         # 半宽或半径
            cy, cx = float(rand(1)) * size, float(rand(1)) * size
            if cls == 1:
                rh = r * (0.6 + 0.8 * float(rand(1)))         # 矩形的高宽比随机
                mask = ((yy - cy).abs() <= rh) & ((xx - cx).abs() <= r)
            else:
                mask = (yy - cy) ** 2 + (xx - cx) ** 2 <= r ** 2
            brightness = 0.6 + 0.4 * float(rand(1))           # 两类形状的亮度分布相同
            X[k, 0][mask] = brightness + 0.15 * torch.randn(int(mask.sum()), generator=g)
            Y[k][mask] = cls
    return X.clamp(0, 1), Y


size, num_train = args.size, args.num_train
train_data = make_shapes(num_train, size, seed=args.seed)
test_data = make_shapes(200, size, seed=args.seed + 1)
batch_size = args.batch_size
info = f'合成分割数据（{size}×{size} 噪声图像上的矩形和圆，{num_train} 张训练 / 200 张测试）'
train_iter = dlnotes.TensorLoader(*train_data, batch_size, shuffle=True, seed=args.seed, info=info)
test_iter = dlnotes.TensorLoader(*test_data, batch_size, shuffle=False, info=info)
print(info, '各类像素占比：', (torch.bincount(train_data[1].reshape(-1)) / train_data[1].numel()))

# 标签的配色：背景黑、矩形红、圆绿
palette = torch.tensor([[0.0, 0.0, 0.0], [0.9, 0.2, 0.2], [0.2, 0.8, 0.3]])


def label2image(Y):
    return palette[Y]  # (高, 宽) -> (高, 宽, 3)


n = 6
dlnotes.show_images([x[0] for x in train_data[0][:n]] + [label2image(y) for y in train_data[1][:n]],
                    2, n, scale=1.3)
plt.show()
# --8<-- [end:data]

# --8<-- [start:backbone]
def conv_block(in_channels, out_channels):
    return nn.Sequential(nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1),
                         nn.BatchNorm2d(out_channels), nn.ReLU())


backbone = nn.Sequential(
    conv_block(1, 16), nn.MaxPool2d(2),                        # 高宽 / 2
    conv_block(16, 32), nn.MaxPool2d(2),                       # 高宽 / 4
    conv_block(32, 64), conv_block(64, 64), nn.MaxPool2d(2))   # 高宽 / 8
X = torch.rand(size=(1, 1, size, size))
print(backbone(X).shape)
# --8<-- [end:backbone]

# --8<-- [start:fcn]
num_classes = 3
net = nn.Sequential(
    backbone,
    nn.Conv2d(64, num_classes, kernel_size=1),                # 1×1 卷积：通道数 -> 类别数
    nn.ConvTranspose2d(num_classes, num_classes, kernel_size=16, padding=4, stride=8))
print(net(X).shape)
# --8<-- [end:fcn]

# --8<-- [start:bilinear]
def bilinear_kernel(in_channels, out_channels, kernel_size):
    factor = (kernel_size + 1) // 2
    if kernel_size % 2 == 1:
        center = factor - 1
    else:
        center = factor - 0.5
    og = (torch.arange(kernel_size).reshape(-1, 1),
          torch.arange(kernel_size).reshape(1, -1))
    filt = (1 - torch.abs(og[0] - center) / factor) * \
           (1 - torch.abs(og[1] - center) / factor)
    weight = torch.zeros((in_channels, out_channels,
                          kernel_size, kernel_size))
    weight[range(in_channels), range(out_channels), :, :] = filt
    return weight
# --8<-- [end:bilinear]

# --8<-- [start:upsample]
conv_trans = nn.ConvTranspose2d(1, 1, kernel_size=4, padding=1, stride=2, bias=False)
conv_trans.weight.data.copy_(bilinear_kernel(1, 1, 4))
img = dlnotes.load_fashion_mnist().test_images[0].float().div(255).reshape(1, 1, 28, 28)
with torch.no_grad():
    out = conv_trans(img)
print('输入图像形状：', img.shape, '输出图像形状：', out.shape)
dlnotes.show_images([img[0, 0], out[0, 0]], 1, 2, titles=['输入 28×28', '输出 56×56'],
                    scale=2.5)
plt.show()
# 与双线性插值比较（边缘一圈因转置卷积的零填充而不同）
ref = F.interpolate(img, scale_factor=2, mode='bilinear', align_corners=False)
print('内部像素与 F.interpolate 的最大差：', float((out - ref)[..., 1:-1, 1:-1].abs().max()))
# --8<-- [end:upsample]

# --8<-- [start:init]
W = bilinear_kernel(num_classes, num_classes, 16)
with torch.no_grad():
    net[2].weight.copy_(W)
# --8<-- [end:init]

# --8<-- [start:train]
def loss(inputs, targets):
    return F.cross_entropy(inputs, targets, reduction='none').mean(1).mean(1)


def pixel_accuracy(net, data_iter):
    net.eval()
    metric = dlnotes.Accumulator(2)  # 预测正确的像素数, 像素总数
    with torch.no_grad():
        for X, Y in data_iter:
            X, Y = X.to(device), Y.to(device)
            metric.add(dlnotes.accuracy(net(X), Y), Y.numel())
    return metric[0] / metric[1]


def train_fcn(net, train_iter, test_iter, num_epochs, lr):
    net.to(device)
    trainer = torch.optim.SGD(net.parameters(), lr=lr, momentum=0.9, weight_decay=1e-4)
    # 学习率按余弦曲线从 lr 逐渐降到 0，最后几个周期更稳定
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(trainer, num_epochs)
    animator = dlnotes.Animator(xlabel='迭代周期', xlim=[1, num_epochs], ylim=[0, 1],
                                legend=['训练损失', '训练像素精度', '测试像素精度'])
    timer = dlnotes.Timer()
    for epoch in range(num_epochs):
        net.train()
        metric = dlnotes.Accumulator(4)  # 损失之和, 样本数, 正确的像素数, 像素数
        timer.start()
        for X, Y in train_iter:
            X, Y = X.to(device), Y.to(device)
            trainer.zero_grad()
            Y_hat = net(X)
            l = loss(Y_hat, Y)  # noqa: E741
            l.mean().backward()
            trainer.step()
            metric.add(l.sum().item(), len(Y), dlnotes.accuracy(Y_hat, Y), Y.numel())
        timer.stop()
        scheduler.step()
        test_acc = pixel_accuracy(net, test_iter)
        animator.add(epoch + 1, (metric[0] / metric[1], metric[2] / metric[3], test_acc))
        print(f'迭代周期 {epoch + 1}：损失 {metric[0] / metric[1]:.3f}，'
              f'训练像素精度 {metric[2] / metric[3]:.3f}，测试像素精度 {test_acc:.3f}')
    animator.show()
    speed = metric[1] * num_epochs / timer.sum()
    print(f'每秒 {speed:.1f} 个样本（examples/sec），设备 {device}')
    return metric[0] / metric[1], metric[2] / metric[3], test_acc


train_loss, train_acc, test_acc = train_fcn(net, train_iter, test_iter, args.epochs, args.lr)
dlnotes.report_result('全卷积网络（合成分割数据）', train_loss=train_loss,
                      train_pixel_acc=train_acc, test_pixel_acc=test_acc, epochs=args.epochs,
                      lr=args.lr, device=str(device), data=info)
# --8<-- [end:train]

# --8<-- [start:predict]
def predict(X):
    net.eval()
    with torch.no_grad():
        return net(X.to(device)).argmax(dim=1).cpu()


X_test, Y_test = test_data[0][:4], test_data[1][:4]
pred = predict(X_test)
imgs = []
for i in range(4):
    imgs += [X_test[i, 0], label2image(Y_test[i]), label2image(pred[i])]
dlnotes.show_images(imgs, 4, 3, titles=['输入', '真实标签', '预测'] * 4, scale=1.6)
plt.show()
per_class = [float((pred[Y_test == c] == c).float().mean()) for c in range(num_classes)]
print('前 4 张测试图像各类像素的召回率（背景, 矩形, 圆）：', [f'{a:.3f}' for a in per_class])
# --8<-- [end:predict]
