"""微调：在 Fashion-MNIST 的前 5 类上预训练小型卷积网络，再迁移到只有少量样本的后 5 类。

源数据集：类别 0–4（T 恤、裤子、套衫、连衣裙、外套）的全部训练图片，用来预训练；
目标数据集：类别 5–9（凉鞋、衬衫、运动鞋、包、短靴）每类只取 shots 张训练图片。
微调模型复制预训练模型除输出层以外的全部层和参数，新的输出层随机初始化、用 10 倍学习率从头训练，
其余层用较小的学习率微调；与同样结构、从随机初始化开始训练的模型，以及冻结其余层只训练输出层的模型
比较目标数据集上的测试精度。不下载任何预训练权重。数据是完整的 Fashion-MNIST。

"""
# --8<-- [start:setup]
import copy

import matplotlib.pyplot as plt
import torch
from torch import nn

import dlnotes

args = dlnotes.parse_args(__doc__, epochs=20, lr=0.01, batch_size=64, pretrain_epochs=3,
                          pretrain_lr=0.3, shots=10, seed=0,
                          full=dict(shots=0))
dlnotes.set_seed(args.seed)
device = dlnotes.get_device(args.device)
# --8<-- [end:setup]

# --8<-- [start:data]
fmnist = dlnotes.load_fashion_mnist()
print(fmnist.info)


def to_float(images):
    return images.float().div(255).unsqueeze(1)  # (N, 1, 28, 28)，取值 [0, 1]


def subset(images, labels, classes, shots=None):
    """取出属于 classes 的样本（标签改为 0..len(classes)-1）；shots 给定时每类只取前 shots 张。"""
    idx = []
    for c in classes:
        where = torch.nonzero(labels == c, as_tuple=True)[0]
        idx.append(where if shots is None else where[:shots])
    idx = torch.sort(torch.cat(idx)).values
    return to_float(images[idx]), labels[idx] - classes[0]


source_classes, target_classes = [0, 1, 2, 3, 4], [5, 6, 7, 8, 9]
shots = args.shots or None  # 0：目标类别的全部训练图片
src_train = subset(fmnist.train_images, fmnist.train_labels, source_classes)
src_test = subset(fmnist.test_images, fmnist.test_labels, source_classes)
tgt_train = subset(fmnist.train_images, fmnist.train_labels, target_classes, shots)
tgt_test = subset(fmnist.test_images, fmnist.test_labels, target_classes)
for name, (_, y) in [('源训练集', src_train), ('源测试集', src_test),
                     ('目标训练集', tgt_train), ('目标测试集', tgt_test)]:
    print(f'{name}：{len(y)} 张图片，各类数量 {torch.bincount(y).tolist()}')


def loader(data, batch_size, is_train, what):
    return dlnotes.TensorLoader(*data, batch_size, shuffle=is_train, seed=args.seed,
                                info=f'{fmnist.info}中的{what}', is_sample=fmnist.is_sample)


batch_size = args.batch_size
src_train_iter = loader(src_train, batch_size, True, '类别 0–4（源数据集，训练）')
src_test_iter = loader(src_test, batch_size, False, '类别 0–4（源数据集，测试）')
tgt_train_iter = loader(tgt_train, min(batch_size, 16), True, '类别 5–9（目标数据集，训练）')
tgt_test_iter = loader(tgt_test, batch_size, False, '类别 5–9（目标数据集，测试）')
step = max(1, len(tgt_train[1]) // 8)
dlnotes.show_images(list(tgt_train[0][::step][:8]), 1, 8,
                    titles=dlnotes.get_fashion_mnist_labels(tgt_train[1][::step][:8] + 5, lang='zh'))
plt.show()
# --8<-- [end:data]

# --8<-- [start:model]
class SmallCNN(nn.Module):
    """特征提取部分 features（卷积层 + 隐藏全连接层）加一个输出层 fc。"""

    def __init__(self, num_classes):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(32 * 7 * 7, 128), nn.ReLU())
        self.fc = nn.Linear(128, num_classes)

    def forward(self, X):
        return self.fc(self.features(X))
# --8<-- [end:model]

# --8<-- [start:pretrain]
pretrained_net = SmallCNN(len(source_classes))
pretrain_metrics = dlnotes.train_ch6(pretrained_net, src_train_iter, src_test_iter,
                                     args.pretrain_epochs, args.pretrain_lr, device)
# --8<-- [end:pretrain]

# --8<-- [start:finetune-net]
finetune_net = copy.deepcopy(pretrained_net)   # 复制源模型的全部层和参数（输出层在下一行换掉）
finetune_net.fc = nn.Linear(finetune_net.fc.in_features, len(target_classes))
nn.init.xavier_uniform_(finetune_net.fc.weight)  # 新的输出层：随机初始化
print(finetune_net.fc)
# --8<-- [end:finetune-net]

# --8<-- [start:train-fn]
def train_fine_tuning(net, learning_rate, num_epochs, param_group=True, freeze=False):
    """param_group=True：输出层的学习率是其余层的 10 倍；freeze=True：只训练输出层。"""
    net = net.to(device)
    loss = nn.CrossEntropyLoss()
    if freeze:
        for param in net.features.parameters():
            param.requires_grad_(False)
        trainer = torch.optim.SGD(net.fc.parameters(), lr=learning_rate * 10,
                                  weight_decay=0.001)
    elif param_group:
        params_1x = [param for name, param in net.named_parameters()
                     if name not in ["fc.weight", "fc.bias"]]
        trainer = torch.optim.SGD([{'params': params_1x},
                                   {'params': net.fc.parameters(),
                                    'lr': learning_rate * 10}],
                                  lr=learning_rate, weight_decay=0.001)
    else:
        trainer = torch.optim.SGD(net.parameters(), lr=learning_rate, weight_decay=0.001)
    test_accs = []
    for epoch in range(num_epochs):
        net.train()
        metric = dlnotes.Accumulator(3)  # 损失之和, 正确预测数, 样本数
        for X, y in tgt_train_iter:
            X, y = X.to(device), y.to(device)
            trainer.zero_grad()
            y_hat = net(X)
            l = loss(y_hat, y)  # noqa: E741
            l.backward()
            trainer.step()
            metric.add(l.item() * len(y), dlnotes.accuracy(y_hat, y), len(y))
        test_accs.append(dlnotes.evaluate_accuracy_gpu(net, tgt_test_iter, device))
        if (epoch + 1) % 5 == 0 or epoch + 1 == num_epochs:
            print(f'迭代周期 {epoch + 1}：损失 {metric[0] / metric[2]:.3f}，'
                  f'训练精度 {metric[1] / metric[2]:.3f}，测试精度 {test_accs[-1]:.3f}')
    return test_accs
# --8<-- [end:train-fn]

# --8<-- [start:finetune]
finetune_accs = train_fine_tuning(finetune_net, args.lr, args.epochs)
# --8<-- [end:finetune]

# --8<-- [start:scratch]
scratch_net = SmallCNN(len(target_classes))
for m in scratch_net.modules():
    if isinstance(m, (nn.Linear, nn.Conv2d)):
        nn.init.xavier_uniform_(m.weight)
scratch_accs = train_fine_tuning(scratch_net, args.lr * 10, args.epochs, param_group=False)
# --8<-- [end:scratch]

# --8<-- [start:freeze]
frozen_net = copy.deepcopy(pretrained_net)
frozen_net.fc = nn.Linear(frozen_net.fc.in_features, len(target_classes))
nn.init.xavier_uniform_(frozen_net.fc.weight)
frozen_accs = train_fine_tuning(frozen_net, args.lr, args.epochs, freeze=True)
# --8<-- [end:freeze]

# --8<-- [start:compare]
animator = dlnotes.Animator(xlabel='迭代周期', ylabel='测试精度', xlim=[1, args.epochs],
                            legend=['微调', '从零训练', '只训练输出层'],
                            figsize=(4.5, 3))
for epoch, accs in enumerate(zip(finetune_accs, scratch_accs, frozen_accs, strict=True)):
    animator.add(epoch + 1, accs)
animator.show()
for title, accs in [('微调', finetune_accs), ('从零训练', scratch_accs),
                    ('冻结特征、只训练输出层', frozen_accs)]:
    print(f'{title}：目标测试集精度 {accs[-1]:.3f}')
dlnotes.report_result('微调：预训练小型 CNN 迁移到 Fashion-MNIST 后 5 类', test_acc=finetune_accs[-1],
                      scratch_test_acc=scratch_accs[-1], frozen_test_acc=frozen_accs[-1],
                      epochs=args.epochs, lr=args.lr, shots=args.shots if shots else 'all',
                      device=str(device), data=fmnist.info, is_sample=fmnist.is_sample)
# --8<-- [end:compare]
