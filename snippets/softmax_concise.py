"""softmax 回归的简洁实现：nn.Flatten + nn.Linear(784, 10)，nn.CrossEntropyLoss，torch.optim.SGD。

nn.CrossEntropyLoss 直接接收未规范化的输出（logits），在内部用 LogSumExp 技巧计算
log-softmax，避免 exp 的上溢和 log(0) 的下溢。设置与 d2l 相同（完整数据集，10 轮、学习率 0.1、批量 256）。

"""

# --8<-- [start:setup]
import torch
from torch import nn

import dlnotes

args = dlnotes.parse_args(__doc__, epochs=10, lr=0.1, batch_size=256, seed=0)
dlnotes.set_seed(args.seed)
device = dlnotes.get_device(args.device)

batch_size = args.batch_size
train_iter, test_iter = dlnotes.load_data_fashion_mnist(batch_size)
print(train_iter.info)
# --8<-- [end:setup]

# --8<-- [start:model]
# PyTorch 不会隐式地调整输入的形状：在线性层前用展平层（flatten）把 (N, 1, 28, 28) 变成 (N, 784)
net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))


def init_weights(m):
    if isinstance(m, nn.Linear):
        nn.init.normal_(m.weight, std=0.01)


net.apply(init_weights)
net.to(device)
print(net)
# --8<-- [end:model]

# --8<-- [start:loss]
# 输入未规范化的 o（logits）；reduction='none' 返回每个样本的损失，由训练函数求平均
loss = nn.CrossEntropyLoss(reduction="none")
# --8<-- [end:loss]

# --8<-- [start:optim]
trainer = torch.optim.SGD(net.parameters(), lr=args.lr)
# --8<-- [end:optim]

# --8<-- [start:train]
num_epochs = args.epochs
concise_metrics = dlnotes.train_ch3(
    net,
    train_iter,
    test_iter,
    loss,
    num_epochs,
    trainer,
    device=device,
    name="softmax 回归（简洁实现）",
    lr=args.lr,
)
# --8<-- [end:train]
