"""自定义层：不带参数的 CenteredLayer 和带参数的 MyLinear（d2l 5.4）。

笔记三（和 d2l）的 MyLinear 在 forward 中使用 self.weight.data，这会切断梯度：输出不再依赖
可训练的参数。这里先运行原版并用梯度检查暴露问题，再给出修正版。

"""
# --8<-- [start:setup]
import dlnotes

args = dlnotes.parse_args(__doc__, seed=0)
dlnotes.set_seed(args.seed)
# --8<-- [end:setup]

# --8<-- [start:layers]
import torch
import torch.nn.functional as F
from torch import nn


class CenteredLayer(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, X):
        return X - X.mean()


class MyLinear(nn.Module):
    def __init__(self, in_units, units):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(in_units, units))
        self.bias = nn.Parameter(torch.randn(units,))
    def forward(self, X):
        linear = torch.matmul(X, self.weight.data) + self.bias.data
        return F.relu(linear)
# --8<-- [end:layers]

# --8<-- [start:centered]
layer = CenteredLayer()
print(layer(torch.FloatTensor([1, 2, 3, 4, 5])))

net = nn.Sequential(nn.Linear(8, 128), CenteredLayer())
Y = net(torch.rand(4, 8))
print('均值：', Y.mean().item())
# --8<-- [end:centered]

# --8<-- [start:mylinear]
linear = MyLinear(5, 3)
print(linear.weight)
print(linear(torch.rand(2, 5)))
# --8<-- [end:mylinear]

# --8<-- [start:grad-check]
out = linear(torch.rand(2, 5)).sum()
print('输出需要梯度吗？', out.requires_grad)
try:
    out.backward()
except RuntimeError as e:
    print('backward() 出错：', e)
print('weight 的梯度：', linear.weight.grad)
# --8<-- [end:grad-check]

# --8<-- [start:mylinear-fixed]
class MyLinear(nn.Module):
    def __init__(self, in_units, units):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(in_units, units))
        self.bias = nn.Parameter(torch.randn(units,))

    def forward(self, X):
        linear = torch.matmul(X, self.weight) + self.bias   # 直接使用参数，不用 .data
        return F.relu(linear)


linear = MyLinear(5, 3)
out = linear(torch.rand(2, 5)).sum()
out.backward()
print('输出需要梯度吗？', out.requires_grad)
print('weight 的梯度：', linear.weight.grad)
# --8<-- [end:mylinear-fixed]

# --8<-- [start:use]
print(linear(torch.rand(2, 5)))

net = nn.Sequential(MyLinear(64, 8), MyLinear(8, 1))
print(net(torch.rand(2, 64)))
# --8<-- [end:use]
