"""读写文件：用 torch.save / torch.load 保存和加载张量、张量列表、字典以及模型参数（d2l 5.5）。

文件写在一个临时目录里（不会弄脏当前目录）。加载时使用 weights_only=True，只反序列化张量等
安全的数据类型。

"""
# --8<-- [start:setup]
import os
import tempfile

import dlnotes

args = dlnotes.parse_args(__doc__, seed=0)
dlnotes.set_seed(args.seed)
workdir = tempfile.TemporaryDirectory(prefix='dlnotes-read-write-')  # 程序结束时自动删除
os.chdir(workdir.name)   # 下面的文件都写到这个临时目录
# --8<-- [end:setup]

# --8<-- [start:tensors]
import torch
from torch import nn
from torch.nn import functional as F

# 存矩阵
x = torch.arange(4)
torch.save(x, 'x-file')
x2 = torch.load('x-file', weights_only=True)

# 存矩阵表
y = torch.zeros(4)
torch.save([x, y],'x-files')
x2, y2 = torch.load('x-files', weights_only=True)

# 存字典
mydict = {'x': x, 'y': y}
torch.save(mydict, 'mydict')
mydict2 = torch.load('mydict', weights_only=True)
# --8<-- [end:tensors]

# --8<-- [start:tensors-check]
print(x2)
print((x2, y2))
print(mydict2)
print('写出的文件：', sorted(os.listdir('.')))
# --8<-- [end:tensors-check]

# --8<-- [start:model]
# 存储模型
class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(20, 256)
        self.output = nn.Linear(256, 10)

    def forward(self, x):
        return self.output(F.relu(self.hidden(x)))

net = MLP()
X = torch.randn(size=(2, 20))
Y = net(X)

torch.save(net.state_dict(), 'mlp.params')

clone = MLP()
clone.load_state_dict(torch.load('mlp.params', weights_only=True))
clone.eval()
# --8<-- [end:model]

# --8<-- [start:check]
Y_clone = clone(X)
assert (Y_clone == Y).all()
print(Y_clone == Y)
# --8<-- [end:check]
