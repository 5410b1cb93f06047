"""参数管理：访问、初始化和共享网络参数（d2l 5.2）。

依次演示：按层访问参数和梯度；一次访问所有参数；嵌套块的参数；用 net.apply 做内置初始化
（正态分布、常数、Xavier）和自定义初始化；直接修改参数；在多个层之间共享（绑定）参数。

"""
# --8<-- [start:setup]
import torch
from torch import nn

import dlnotes

args = dlnotes.parse_args(__doc__, seed=0)
dlnotes.set_seed(args.seed)
# --8<-- [end:setup]

# --8<-- [start:net]
net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
X = torch.rand(size=(2, 4))
print(net(X))
# --8<-- [end:net]

# --8<-- [start:access]
print(net[2].state_dict())
print(type(net[2].bias))
print(net[2].bias)
print(net[2].bias.data)
print('还没有反向传播，梯度为 None：', net[2].weight.grad is None)
# --8<-- [end:access]

# --8<-- [start:access-all]
print(*[(name, param.shape) for name, param in net[0].named_parameters()])
print(*[(name, param.shape) for name, param in net.named_parameters()])
print(net.state_dict()['2.bias'].data)
# --8<-- [end:access-all]

# --8<-- [start:nested]
def block1():
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(),
                         nn.Linear(8, 4), nn.ReLU())


def block2():
    net = nn.Sequential()
    for i in range(4):
        # 在这里嵌套
        net.add_module(f'block {i}', block1())
    return net


rgnet = nn.Sequential(block2(), nn.Linear(4, 1))
print(rgnet(X))
print(rgnet)
print(rgnet[0][1][0].bias.data)
# --8<-- [end:nested]

# --8<-- [start:init-normal]
def init_normal(m):
    if type(m) == nn.Linear:  # noqa: E721 （笔记三原文）
        nn.init.normal_(m.weight, mean=0, std=0.01)
        nn.init.zeros_(m.bias)

net.apply(init_normal)
# --8<-- [end:init-normal]

# --8<-- [start:init-normal-check]
print(net[0].weight.data[0], net[0].bias.data[0])
# --8<-- [end:init-normal-check]

# --8<-- [start:init-constant]
def init_constant(m):
    if isinstance(m, nn.Linear):
        nn.init.constant_(m.weight, 1)
        nn.init.zeros_(m.bias)


net.apply(init_constant)
print(net[0].weight.data[0], net[0].bias.data[0])
# --8<-- [end:init-constant]

# --8<-- [start:init-xavier]
def init_xavier(m):
    if isinstance(m, nn.Linear):
        nn.init.xavier_uniform_(m.weight)


def init_42(m):
    if isinstance(m, nn.Linear):
        nn.init.constant_(m.weight, 42)


net[0].apply(init_xavier)
net[2].apply(init_42)
print(net[0].weight.data[0])
print(net[2].weight.data)
# --8<-- [end:init-xavier]

# --8<-- [start:init-custom]
def my_init(m):
    if isinstance(m, nn.Linear):
        print("Init", *[(name, param.shape)
                        for name, param in m.named_parameters()][0])
        nn.init.uniform_(m.weight, -10, 10)
        m.weight.data *= m.weight.data.abs() >= 5


net.apply(my_init)
print(net[0].weight[:2])
# --8<-- [end:init-custom]

# --8<-- [start:set-directly]
net[0].weight.data[:] += 1
net[0].weight.data[0, 0] = 42
print(net[0].weight.data[0])
# --8<-- [end:set-directly]

# --8<-- [start:tied]
# 我们需要给共享层一个名称，以便可以引用它的参数
shared = nn.Linear(8, 8)
net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(),
                    shared, nn.ReLU(),
                    shared, nn.ReLU(),
                    nn.Linear(8, 1))
net(X)
# 检查参数是否相同
print(net[2].weight.data[0] == net[4].weight.data[0])
net[2].weight.data[0, 0] = 100
# 确保它们实际上是同一个对象，而不只是有相同的值
print(net[2].weight.data[0] == net[4].weight.data[0])
print('共享层只有一份参数：', net[2].weight is net[4].weight,
      '，参数总数', sum(p.numel() for p in net.parameters()))
# --8<-- [end:tied]
