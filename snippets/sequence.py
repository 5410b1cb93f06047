"""序列模型：用多层感知机根据前 τ 个观测预测带噪声的正弦序列（d2l 8.1 节）。

生成 T=1000 个点的序列 x_t = sin(0.01 t) + ε，把每 τ=4 个相邻观测作为特征、下一个观测作为标签，
训练一个两层的多层感知机（自回归模型，满足 τ 阶马尔可夫假设），然后比较单步预测、
只用自己的预测往后推的多步预测，以及 k 步预测（k = 1, 4, 16, 64）的误差如何随 k 累积。

"""
# --8<-- [start:setup]
import matplotlib.pyplot as plt
import torch
from torch import nn

import dlnotes

args = dlnotes.parse_args(__doc__, epochs=5, lr=0.01, batch_size=16, tau=4, seed=0)
dlnotes.set_seed(args.seed)
device = dlnotes.get_device(args.device)
# --8<-- [end:setup]

# --8<-- [start:data]
T = 1000  # 总共产生 1000 个点
time = torch.arange(1, T + 1, dtype=torch.float32)
x = torch.sin(0.01 * time) + torch.normal(0, 0.2, (T,))
dlnotes.plot(time, [x], '时间步', 'x', xlim=[1, 1000], figsize=(5.5, 2.75))
plt.show()
# --8<-- [end:data]

# --8<-- [start:features]
tau = args.tau
features = torch.zeros((T - tau, tau))
for i in range(tau):
    features[:, i] = x[i: T - tau + i]
labels = x[tau:].reshape((-1, 1))

batch_size, n_train = args.batch_size, 600
# 只有前 n_train 个样本用于训练
# 训练数据放在 --device 选定的设备上
train_iter = dlnotes.load_array((features[:n_train].to(device), labels[:n_train].to(device)),
                                batch_size, is_train=True)
print(features.shape, labels.shape)
# --8<-- [end:features]

# --8<-- [start:model]
# 初始化网络权重的函数
def init_weights(m):
    if isinstance(m, nn.Linear):
        nn.init.xavier_uniform_(m.weight)


# 一个简单的多层感知机
def get_net():
    net = nn.Sequential(nn.Linear(tau, 10),
                        nn.ReLU(),
                        nn.Linear(10, 1))
    net.apply(init_weights)
    return net


# 平方损失。注意：MSELoss 计算平方误差时不带系数 1/2
loss = nn.MSELoss(reduction='none')
# --8<-- [end:model]

# --8<-- [start:train]
def evaluate_loss(net, data_iter, loss):
    """评估给定数据集上模型的损失。"""
    metric = dlnotes.Accumulator(2)  # 损失的总和, 样本数量
    with torch.no_grad():
        for X, y in data_iter:
            out = net(X)
            y = y.reshape(out.shape)
            l = loss(out, y)  # noqa: E741
            metric.add(l.sum(), l.numel())
    return metric[0] / metric[1]


def train(net, train_iter, loss, epochs, lr):
    trainer = torch.optim.Adam(net.parameters(), lr)
    for epoch in range(epochs):
        for X, y in train_iter:
            trainer.zero_grad()
            l = loss(net(X), y)  # noqa: E741
            l.sum().backward()
            trainer.step()
        print(f'迭代周期 {epoch + 1}：'
              f'损失 {evaluate_loss(net, train_iter, loss):f}')


net = get_net().to(device)
train(net, train_iter, loss, args.epochs, args.lr)
net = net.cpu()  # 下面的预测和画图都用 CPU 上的张量
# --8<-- [end:train]

# --8<-- [start:onestep]
with torch.no_grad():
    onestep_preds = net(features)
dlnotes.plot([time, time[tau:]],
             [x, onestep_preds],
             '时间步', 'x', legend=['数据', '单步预测'], xlim=[1, 1000], figsize=(5.5, 2.75))
plt.show()
# --8<-- [end:onestep]

# --8<-- [start:multistep]
multistep_preds = torch.zeros(T)
multistep_preds[: n_train + tau] = x[: n_train + tau]
with torch.no_grad():
    for i in range(n_train + tau, T):
        multistep_preds[i] = net(multistep_preds[i - tau:i].reshape((1, -1))).reshape(())

dlnotes.plot([time, time[tau:], time[n_train + tau:]],
             [x, onestep_preds, multistep_preds[n_train + tau:]],
             '时间步', 'x', legend=['数据', '单步预测', '多步预测'],
             xlim=[1, 1000], figsize=(5.5, 2.75))
plt.show()
# --8<-- [end:multistep]

# --8<-- [start:kstep]
max_steps = 64

features = torch.zeros((T - tau - max_steps + 1, tau + max_steps))
# 列 i（i < tau）是来自 x 的观测，其时间步从（i）到（i+T-tau-max_steps+1）
for i in range(tau):
    features[:, i] = x[i: i + T - tau - max_steps + 1]

# 列 i（i >= tau）是来自（i-tau+1）步的预测，其时间步从（i）到（i+T-tau-max_steps+1）
with torch.no_grad():
    for i in range(tau, tau + max_steps):
        features[:, i] = net(features[:, i - tau:i]).reshape(-1)

steps = (1, 4, 16, 64)
dlnotes.plot([time[tau + i - 1: T - max_steps + i] for i in steps],
             [features[:, tau + i - 1] for i in steps], '时间步', 'x',
             legend=[f'{i} 步预测' for i in steps], xlim=[5, 1000],
             figsize=(5.5, 2.75))
plt.show()
for i in steps:
    mse = torch.mean((features[:, tau + i - 1] - x[tau + i - 1: T - max_steps + i]) ** 2)
    print(f'{i}-step 预测的均方误差：{float(mse):.3f}')
# --8<-- [end:kstep]
