"""暂退法（dropout）：从零实现 dropout_layer，并在两个隐藏层的 MLP 上训练 Fashion-MNIST。

第一个隐藏层之后的暂退概率为 0.2，第二个为 0.5（d2l 4.6）。先从零实现（自定义 Net 类），
再用 nn.Dropout 简洁实现；dropout 只在训练模式下起作用。默认即 d2l 的设置（完整数据集，10 轮、学习率 0.5、批量 256），在 2 核 CPU 上约半分钟。

"""
# --8<-- [start:setup]
import torch
from torch import nn

import dlnotes

args = dlnotes.parse_args(__doc__, epochs=10, lr=0.5, batch_size=256, dropout1=0.2, dropout2=0.5, seed=0)
dlnotes.set_seed(args.seed)
device = dlnotes.get_device(args.device)
# --8<-- [end:setup]

# --8<-- [start:dropout-layer]
def dropout_layer(X, dropout):
    assert 0 <= dropout <= 1
    # 在本情况中，所有元素都被丢弃
    if dropout == 1:
        return torch.zeros_like(X)
    # 在本情况中，所有元素都被保留
    if dropout == 0:
        return X
    mask = (torch.rand(X.shape, device=X.device) > dropout).float()
    return mask * X / (1.0 - dropout)
# --8<-- [end:dropout-layer]

# --8<-- [start:dropout-test]
X = torch.arange(16, dtype=torch.float32).reshape((2, 8))
print(X)
print(dropout_layer(X, 0.))
print(dropout_layer(X, 0.5))
print(dropout_layer(X, 1.))
# --8<-- [end:dropout-test]

# --8<-- [start:scratch-net]
num_inputs, num_outputs, num_hiddens1, num_hiddens2 = 784, 10, 256, 256
dropout1, dropout2 = args.dropout1, args.dropout2   # 默认 0.2, 0.5


class Net(nn.Module):
    def __init__(self, num_inputs, num_outputs, num_hiddens1, num_hiddens2,
                 is_training=True):
        super().__init__()
        self.num_inputs = num_inputs
        self.training = is_training
        self.lin1 = nn.Linear(num_inputs, num_hiddens1)
        self.lin2 = nn.Linear(num_hiddens1, num_hiddens2)
        self.lin3 = nn.Linear(num_hiddens2, num_outputs)
        self.relu = nn.ReLU()

    def forward(self, X):
        H1 = self.relu(self.lin1(X.reshape((-1, self.num_inputs))))
        # 只有在训练模型时才使用 dropout
        if self.training:
            # 在第一个全连接层之后添加一个 dropout 层
            H1 = dropout_layer(H1, dropout1)
        H2 = self.relu(self.lin2(H1))
        if self.training:
            # 在第二个全连接层之后添加一个 dropout 层
            H2 = dropout_layer(H2, dropout2)
        out = self.lin3(H2)
        return out


net = Net(num_inputs, num_outputs, num_hiddens1, num_hiddens2).to(device)
# --8<-- [end:scratch-net]

# --8<-- [start:scratch-train]
num_epochs, lr, batch_size = args.epochs, args.lr, args.batch_size
loss = nn.CrossEntropyLoss(reduction='none')
train_iter, test_iter = dlnotes.load_data_fashion_mnist(batch_size)
trainer = torch.optim.SGD(net.parameters(), lr=lr)
scratch_metrics = dlnotes.train_ch3(net, train_iter, test_iter, loss, num_epochs, trainer,
                                    device=device, name="暂退法（从零实现）")
# --8<-- [end:scratch-train]

# --8<-- [start:concise-net]
net = nn.Sequential(nn.Flatten(),
        nn.Linear(784, 256),
        nn.ReLU(),
        # 在第一个全连接层之后添加一个dropout层
        nn.Dropout(dropout1),
        nn.Linear(256, 256),
        nn.ReLU(),
        # 在第二个全连接层之后添加一个dropout层
        nn.Dropout(dropout2),
        nn.Linear(256, 10))

def init_weights(m):
    if isinstance(m, nn.Linear):
        nn.init.normal_(m.weight, std=0.01)

net.apply(init_weights)
net.to(device)
# --8<-- [end:concise-net]

# --8<-- [start:concise-train]
trainer = torch.optim.SGD(net.parameters(), lr=lr)
concise_metrics = dlnotes.train_ch3(net, train_iter, test_iter, loss, num_epochs, trainer,
                                    device=device, name="暂退法（简洁实现）")
# --8<-- [end:concise-train]
