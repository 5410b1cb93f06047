"""层和块：用 nn.Sequential、自定义 nn.Module 和自定义的顺序块搭建网络（d2l 5.1）。

依次演示：nn.Sequential 写的多层感知机；继承 nn.Module 自定义 MLP 块；自己实现的 MySequential；
在前向传播中执行任意代码的 FixedHiddenMLP；以及块的嵌套组合。

"""
# --8<-- [start:setup]
import torch
from torch import nn
from torch.nn import functional as F

import dlnotes

args = dlnotes.parse_args(__doc__, seed=0)
dlnotes.set_seed(args.seed)
# --8<-- [end:setup]

# --8<-- [start:sequential]
net = nn.Sequential(nn.Linear(10,256), nn.ReLU(), nn.Linear(256,10))
print(net(torch.rand(2, 10)))
# --8<-- [end:sequential]

# --8<-- [start:mlp-class]
class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(20, 256)
        self.out = nn.Linear(256, 10)

    def forward(self, X):
        return self.out(F.relu(self.hidden(X)))

X = torch.rand(2, 20)
net = MLP()
net(X)
# --8<-- [end:mlp-class]

# --8<-- [start:mlp-check]
print(net)
print('输出形状：', net(X).shape)
# --8<-- [end:mlp-check]

# --8<-- [start:my-sequential]
class MySequential(nn.Module):
    def __init__(self, *args):
        super().__init__()
        for idx, module in enumerate(args):
            # 这里，module 是 Module 子类的一个实例。我们把它保存在 Module 类的成员
            # 变量 _modules 中。_modules 的类型是 OrderedDict
            self._modules[str(idx)] = module

    def forward(self, X):
        # OrderedDict 保证了按照成员添加的顺序遍历它们
        for block in self._modules.values():
            X = block(X)
        return X


net = MySequential(nn.Linear(20, 256), nn.ReLU(), nn.Linear(256, 10))
print(net(X))
# --8<-- [end:my-sequential]

# --8<-- [start:fixed-hidden]
class FixedHiddenMLP(nn.Module):
    def __init__(self):
        super().__init__()
        # 不计算梯度的随机权重参数。因此其在训练期间保持不变
        self.rand_weight = torch.rand((20, 20), requires_grad=False)
        self.linear = nn.Linear(20, 20)

    def forward(self, X):
        X = self.linear(X)
        # 使用创建的常量参数以及 relu 和 mm 函数
        X = F.relu(torch.mm(X, self.rand_weight) + 1)
        # 复用全连接层。这相当于两个全连接层共享参数
        X = self.linear(X)
        # 控制流
        while X.abs().sum() > 1:
            X /= 2
        return X.sum()


net = FixedHiddenMLP()
print(net(X))
# --8<-- [end:fixed-hidden]

# --8<-- [start:nest]
class NestMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(20, 64), nn.ReLU(),
                                 nn.Linear(64, 32), nn.ReLU())
        self.linear = nn.Linear(32, 16)

    def forward(self, X):
        return self.linear(self.net(X))


chimera = nn.Sequential(NestMLP(), nn.Linear(16, 20), FixedHiddenMLP())
print(chimera(X))
# --8<-- [end:nest]
