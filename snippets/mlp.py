"""多层感知机：在 Fashion-MNIST 上分别从零实现和简洁实现一个单隐藏层 MLP 并训练。

从零实现手写参数、ReLU 和模型，简洁实现用 nn.Sequential（笔记四的代码）。两者都用
交叉熵损失和小批量 SGD 训练，超参数默认取笔记四的 batch_size, lr, num_epochs = 256, 0.1, 10。
数据是完整的 Fashion-MNIST，设置与 d2l 相同，在 2 核 CPU 上约半分钟。

"""
# --8<-- [start:setup]
import torch
from torch import nn

import dlnotes

args = dlnotes.parse_args(__doc__, epochs=10, lr=0.1, batch_size=256, num_hiddens=256, seed=0)
dlnotes.set_seed(args.seed)
device = dlnotes.get_device(args.device)
# --8<-- [end:setup]

# --8<-- [start:data]
batch_size = args.batch_size
train_iter, test_iter = dlnotes.load_data_fashion_mnist(batch_size)
print(train_iter.info)
# --8<-- [end:data]

# --8<-- [start:scratch-params]
num_inputs, num_outputs, num_hiddens = 784, 10, args.num_hiddens

W1 = nn.Parameter(torch.randn(num_inputs, num_hiddens, device=device) * 0.01)
b1 = nn.Parameter(torch.zeros(num_hiddens, device=device))
W2 = nn.Parameter(torch.randn(num_hiddens, num_outputs, device=device) * 0.01)
b2 = nn.Parameter(torch.zeros(num_outputs, device=device))

params = [W1, b1, W2, b2]
# --8<-- [end:scratch-params]

# --8<-- [start:scratch-relu]
def relu(X):
    a = torch.zeros_like(X)
    return torch.max(X, a)
# --8<-- [end:scratch-relu]

# --8<-- [start:scratch-net]
def net(X):
    X = X.reshape((-1, num_inputs))
    H = relu(X @ W1 + b1)  # 这里“@”代表矩阵乘法
    return H @ W2 + b2
# --8<-- [end:scratch-net]

# --8<-- [start:scratch-train]
loss = nn.CrossEntropyLoss(reduction='none')
num_epochs, lr = args.epochs, args.lr
updater = torch.optim.SGD(params, lr=lr)
scratch_metrics = dlnotes.train_ch3(net, train_iter, test_iter, loss, num_epochs, updater,
                                    device=device, name="多层感知机（从零实现）")
# --8<-- [end:scratch-train]

# --8<-- [start:concise-net]
# 创建多层网络
net = nn.Sequential(nn.Flatten(),
                    nn.Linear(784, 256),
                    nn.ReLU(),
                    nn.Linear(256, 10))

def init_weights(m):
    if type(m) == nn.Linear:  # noqa: E721 （笔记四原文）
        nn.init.normal_(m.weight, std=0.01)

net.apply(init_weights).to(device);  # noqa: E703
# --8<-- [end:concise-net]

# --8<-- [start:concise-train]
# 笔记四：batch_size, lr, num_epochs = 256, 0.1, 10（这正是 parse_args 的默认值，命令行可以改）
batch_size, lr, num_epochs = args.batch_size, args.lr, args.epochs
loss = nn.CrossEntropyLoss(reduction='none')
trainer = torch.optim.SGD(net.parameters(), lr=lr)

train_iter, test_iter = dlnotes.load_data_fashion_mnist(batch_size)
concise_metrics = dlnotes.train_ch3(net, train_iter, test_iter, loss, num_epochs, trainer,
                                    device=device, name="多层感知机（简洁实现）")
# --8<-- [end:concise-train]
