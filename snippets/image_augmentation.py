"""图像增广：只用 torch 运算实现翻转、随机裁剪和颜色变换，并比较有无增广时训练的小型卷积网络。

不依赖 torchvision：augment 部分用张量运算实现水平/上下翻转、随机大小与高宽比的裁剪
（affine_grid + grid_sample）、亮度/对比度（以及彩色图像的饱和度/色调）的随机调整，每张图各自
随机取参数，整批一次完成。然后在 Fashion-MNIST 上训练同一个小型卷积网络两次（不增广 / 在线增广），
比较训练精度和测试精度。数据是完整的 Fashion-MNIST。

默认只用前 400 张训练图片训练 40 个迭代周期，让不增广的模型明显过拟合，并只在前 2000 张测试图片上评估
（每轮都评估，两次训练共 80 次，完整测试集的评估会占去大部分时间）；--full 使用全部训练图片和全部测试图片。

"""
# --8<-- [start:setup]
import math

import matplotlib.pyplot as plt
import torch
from torch import nn
from torch.nn import functional as F

import dlnotes

args = dlnotes.parse_args(__doc__, epochs=40, lr=0.3, batch_size=64, num_train=400, seed=0,
                          full=dict(num_train=0))
dlnotes.set_seed(args.seed)
device = dlnotes.get_device(args.device)
# --8<-- [end:setup]

# --8<-- [start:image]
fmnist = dlnotes.load_fashion_mnist()
img = fmnist.train_images[0].float().div(255).unsqueeze(0)  # 形状（通道，高，宽）=（1，28，28）
print(fmnist.info, dlnotes.get_fashion_mnist_labels(fmnist.train_labels[:1]), img.shape)
dlnotes.show_images([img], 1, 1, scale=2)
plt.show()
# --8<-- [end:image]

# --8<-- [start:apply]
def apply(img, aug, num_rows=2, num_cols=4, scale=1.5):
    """把增广函数 aug 作用在 img 的 num_rows*num_cols 个副本上（每个副本的随机参数不同）并显示。"""
    Y = aug(img.unsqueeze(0).repeat(num_rows * num_cols, 1, 1, 1))
    # 灰度图复制成三个通道再显示：imshow 对单通道图像会自动拉伸灰度范围，看不出亮度的变化
    Y = Y.expand(-1, 3, -1, -1)
    dlnotes.show_images(list(Y), num_rows, num_cols, scale=scale)
    plt.show()
# --8<-- [end:apply]

# --8<-- [start:flip]
def _where(mask, A, B):
    """按样本选择：mask 为 True 的样本取 A，否则取 B。"""
    return torch.where(mask.reshape(-1, 1, 1, 1), A, B)


def random_hflip(X, p=0.5):
    """以概率 p 左右翻转每张图像。X 的形状：（批量大小，通道，高，宽）。"""
    return _where(torch.rand(X.shape[0]) < p, X.flip(-1), X)


def random_vflip(X, p=0.5):
    """以概率 p 上下翻转每张图像。"""
    return _where(torch.rand(X.shape[0]) < p, X.flip(-2), X)
# --8<-- [end:flip]

# --8<-- [start:crop]
def random_resized_crop(X, size, scale=(0.08, 1.0), ratio=(3 / 4, 4 / 3)):
    """随机裁剪：面积占比取自 scale、高宽比（宽/高）取自 ratio、位置随机，再缩放到 size。"""
    n, _, H, W = X.shape
    area = torch.empty(n).uniform_(*scale) * H * W
    log_r = torch.empty(n).uniform_(math.log(ratio[0]), math.log(ratio[1]))
    r = torch.exp(log_r)
    w = torch.sqrt(area * r).clamp(1, W)   # 裁剪区域的宽（像素）
    h = torch.sqrt(area / r).clamp(1, H)   # 裁剪区域的高（像素）
    x0 = torch.rand(n) * (W - w)           # 左上角位置
    y0 = torch.rand(n) * (H - h)
    # 仿射变换把输出坐标 [-1, 1] 映射到输入中裁剪区域的坐标（归一化坐标）
    theta = torch.zeros(n, 2, 3)
    theta[:, 0, 0] = w / W
    theta[:, 0, 2] = (2 * x0 + w) / W - 1
    theta[:, 1, 1] = h / H
    theta[:, 1, 2] = (2 * y0 + h) / H - 1
    grid = F.affine_grid(theta, (n, X.shape[1], *size), align_corners=False)
    return F.grid_sample(X, grid, mode='bilinear', padding_mode='border', align_corners=False)
# --8<-- [end:crop]

# --8<-- [start:color]
def _factors(n, amount):
    """每张图一个随机因子，均匀分布在 [max(0, 1-amount), 1+amount]。"""
    return torch.empty(n, 1, 1, 1).uniform_(max(0.0, 1 - amount), 1 + amount)


def _gray(X):
    """灰度（亮度）图：彩色图像按 ITU-R 601 的权重加权，灰度图像原样返回。"""
    if X.shape[1] == 1:
        return X
    return (0.299 * X[:, 0:1] + 0.587 * X[:, 1:2] + 0.114 * X[:, 2:3])


def adjust_brightness(X, f):
    return (X * f).clamp(0, 1)


def adjust_contrast(X, f):
    mean = _gray(X).mean(dim=(1, 2, 3), keepdim=True)
    return ((X - mean) * f + mean).clamp(0, 1)


def adjust_saturation(X, f):
    gray = _gray(X)
    return ((X - gray) * f + gray).clamp(0, 1)


_RGB2YIQ = torch.tensor([[0.299, 0.587, 0.114],
                         [0.596, -0.274, -0.322],
                         [0.211, -0.523, 0.312]])


def adjust_hue(X, angle):
    """色调：在 YIQ 颜色空间里把色度 (I, Q) 旋转 angle（弧度），亮度 Y 不变。"""
    yiq = torch.einsum('ij,njhw->nihw', _RGB2YIQ, X)
    c, s = torch.cos(angle).reshape(-1, 1, 1), torch.sin(angle).reshape(-1, 1, 1)
    i, q = yiq[:, 1], yiq[:, 2]
    yiq = torch.stack([yiq[:, 0], c * i - s * q, s * i + c * q], dim=1)
    return torch.einsum('ij,njhw->nihw', torch.linalg.inv(_RGB2YIQ), yiq).clamp(0, 1)


def color_jitter(X, brightness=0.0, contrast=0.0, saturation=0.0, hue=0.0):
    """随机改变亮度、对比度、饱和度和色调（后两者只对三通道彩色图像有意义）。

    brightness/contrast/saturation = a：因子取自 [max(0, 1-a), 1+a]；hue = h：色调旋转取自 [-h, h] 圈。
    """
    n = X.shape[0]
    if brightness:
        X = adjust_brightness(X, _factors(n, brightness))
    if contrast:
        X = adjust_contrast(X, _factors(n, contrast))
    if X.shape[1] == 3:
        if saturation:
            X = adjust_saturation(X, _factors(n, saturation))
        if hue:
            X = adjust_hue(X, torch.empty(n).uniform_(-hue, hue) * 2 * math.pi)
    return X


def compose(*augs):
    """依次应用多个增广函数（相当于 torchvision 的 Compose）。"""
    def aug(X):
        for a in augs:
            X = a(X)
        return X
    return aug
# --8<-- [end:color]

# --8<-- [start:show-flip]
apply(img, random_hflip)
apply(img, random_vflip)
# --8<-- [end:show-flip]

# --8<-- [start:show-crop]
apply(img, lambda X: random_resized_crop(X, (28, 28), scale=(0.1, 1), ratio=(0.5, 2)))
# --8<-- [end:show-crop]

# --8<-- [start:show-brightness]
apply(img, lambda X: color_jitter(X, brightness=0.5))
apply(img, lambda X: color_jitter(X, contrast=0.5))
# --8<-- [end:show-brightness]

# --8<-- [start:show-color]
# Fashion-MNIST 是灰度图，饱和度和色调对它没有意义；这里用代码生成一张彩色的色轮图来演示
u = torch.linspace(-1, 1, 64)
yy, xx = torch.meshgrid(u, u, indexing='ij')
angle = torch.atan2(yy, xx)
wheel = torch.stack([0.5 + 0.5 * torch.cos(angle - k * 2 * math.pi / 3) for k in range(3)])
wheel = wheel * (xx ** 2 + yy ** 2 < 1) + 0.5 * (xx ** 2 + yy ** 2 >= 1)  # 圆外为灰色
apply(wheel, lambda X: color_jitter(X, saturation=0.8), scale=1.2)
apply(wheel, lambda X: color_jitter(X, hue=0.5), scale=1.2)
apply(wheel, lambda X: color_jitter(X, brightness=0.5, contrast=0.5, saturation=0.5, hue=0.5),
      scale=1.2)
# --8<-- [end:show-color]

# --8<-- [start:combined]
train_augs = compose(
    random_hflip,
    lambda X: random_resized_crop(X, (28, 28), scale=(0.85, 1), ratio=(3 / 4, 4 / 3)),
    lambda X: color_jitter(X, brightness=0.1, contrast=0.1))
apply(img, train_augs)
# --8<-- [end:combined]

# --8<-- [start:data]
class AugmentedIter:
    """在线增广：每次迭代都对训练集的小批量重新做随机增广（其余属性沿用原迭代器）。"""

    def __init__(self, data_iter, aug):
        self.data_iter, self.aug = data_iter, aug

    def __iter__(self):
        for X, y in self.data_iter:
            yield self.aug(X), y

    def __len__(self):
        return len(self.data_iter)

    def __getattr__(self, name):  # info, is_sample, batch_size, ...
        return getattr(self.data_iter, name)


batch_size, num_train = args.batch_size, args.num_train
train_iter, test_iter = dlnotes.load_data_fashion_mnist(batch_size)
if num_train:  # 只用前 num_train 张训练图片：训练集小，过拟合才明显
    train_iter = dlnotes.TensorLoader(
        train_iter.X[:num_train], train_iter.y[:num_train], batch_size, shuffle=True,
        info=f"{train_iter.info}中的前 {num_train} 张训练图片", is_sample=train_iter.is_sample)
    # 每轮都要在测试集上评估（两次训练共 80 次），只用前 2000 张测试图片，省下大部分评估时间
    test_iter = dlnotes.TensorLoader(test_iter.X[:2000], test_iter.y[:2000], 256,
                                     info="测试集中的前 2000 张", is_sample=test_iter.is_sample)
print(train_iter.info, "；", test_iter.info)
# --8<-- [end:data]

# --8<-- [start:model]
def small_cnn():
    return nn.Sequential(
        nn.Conv2d(1, 16, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 7 * 7, 10))
# --8<-- [end:model]

# --8<-- [start:train-plain]
dlnotes.set_seed(args.seed)
net = small_cnn()
plain = dlnotes.train_ch6(net, train_iter, test_iter, args.epochs, args.lr, device,
                          name="图像增广：小型 CNN（不增广）")
# --8<-- [end:train-plain]

# --8<-- [start:train-aug]
dlnotes.set_seed(args.seed)
net = small_cnn()
augmented = dlnotes.train_ch6(net, AugmentedIter(train_iter, train_augs), test_iter,
                              args.epochs, args.lr, device, name="图像增广：小型 CNN（在线增广）")
# --8<-- [end:train-aug]

# --8<-- [start:compare]
for title, m in (('不增广', plain), ('在线增广', augmented)):
    print(f"{title}：训练精度 {m['train_acc']:.3f}，测试精度 {m['test_acc']:.3f}，"
          f"差距 {m['train_acc'] - m['test_acc']:.3f}")
# --8<-- [end:compare]
