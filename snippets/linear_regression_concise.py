"""线性回归的简洁实现：用 PyTorch 的 data 工具、nn.Linear、nn.MSELoss 和 torch.optim.SGD。

与从零实现使用同样的人造数据集 y = Xw + b + 噪声，最后比较学到的参数与真实参数。

"""

# --8<-- [start:setup]
import torch
from torch import nn

import dlnotes

args = dlnotes.parse_args(__doc__, epochs=3, lr=0.03, batch_size=10, seed=0)
dlnotes.set_seed(args.seed)
device = dlnotes.get_device(args.device)
# --8<-- [end:setup]

# --8<-- [start:data]
true_w = torch.tensor([2, -3.4])
true_b = 4.2
features, labels = dlnotes.synthetic_data(true_w, true_b, 1000)
features, labels = features.to(device), labels.to(device)  # 放到 --device 选定的设备上

batch_size = args.batch_size
data_iter = dlnotes.load_array((features, labels), batch_size)  # 基于 torch.utils.data.DataLoader
print(next(iter(data_iter)))
# --8<-- [end:data]

# --8<-- [start:model]
# nn.Sequential 把多个层串起来；这里只有一个全连接层：2 个输入，1 个输出
net = nn.Sequential(nn.Linear(2, 1))
# 以 _ 结尾的方法原地替换参数的值，用来初始化参数
net[0].weight.data.normal_(0, 0.01)
net[0].bias.data.fill_(0)
net.to(device)
# --8<-- [end:model]

# --8<-- [start:loss]
loss = nn.MSELoss()  # 默认 reduction='mean'：返回小批量上平方误差的平均值（没有 1/2）
# --8<-- [end:loss]

# --8<-- [start:optim]
trainer = torch.optim.SGD(net.parameters(), lr=args.lr)
# --8<-- [end:optim]

# --8<-- [start:train]
num_epochs = args.epochs
for epoch in range(num_epochs):
    for X, y in data_iter:
        l = loss(net(X), y)  # noqa: E741
        trainer.zero_grad()
        l.backward()
        trainer.step()
    l = loss(net(features), labels)  # noqa: E741
    print(f"迭代周期 {epoch + 1}：损失 {l:f}")
# --8<-- [end:train]

# --8<-- [start:compare]
w = net[0].weight.data.cpu()
print("w 的估计误差：", true_w - w.reshape(true_w.shape))
b = net[0].bias.data.cpu()
print("b 的估计误差：", true_b - b)
# --8<-- [end:compare]
