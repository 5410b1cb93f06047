"""线性回归的从零实现：只用张量和自动微分，在人造数据集上训练 y = Xw + b + 噪声。

按 生成数据集 → 读取数据集 → 初始化模型参数 → 定义模型 → 定义损失函数 → 定义优化算法 → 训练
的顺序实现，最后比较学到的参数与生成数据时用的真实参数。

"""

# --8<-- [start:setup]
import random

import torch

import dlnotes

args = dlnotes.parse_args(__doc__, epochs=3, lr=0.03, batch_size=10, seed=0)
dlnotes.set_seed(args.seed)
device = dlnotes.get_device(args.device)
# --8<-- [end:setup]


# --8<-- [start:data]
def synthetic_data(w, b, num_examples):
    """生成 y = Xw + b + 噪声"""
    X = torch.normal(0, 1, (num_examples, len(w)))
    y = torch.matmul(X, w) + b
    y += torch.normal(0, 0.01, y.shape)
    return X, y.reshape((-1, 1))


true_w = torch.tensor([2, -3.4])
true_b = 4.2
features, labels = synthetic_data(true_w, true_b, 1000)
features, labels = features.to(device), labels.to(device)  # 放到 --device 选定的设备上
print("特征（features）：", features[0], "\n标签（label）：", labels[0])
# --8<-- [end:data]


# --8<-- [start:data_iter]
def data_iter(batch_size, features, labels):
    """打乱样本顺序，每次返回 batch_size 个样本的特征和标签"""
    num_examples = len(features)
    indices = list(range(num_examples))
    random.shuffle(indices)  # 样本随机读取，没有特定顺序
    for i in range(0, num_examples, batch_size):
        batch_indices = torch.tensor(indices[i : min(i + batch_size, num_examples)])
        yield features[batch_indices], labels[batch_indices]


batch_size = args.batch_size
for X, y in data_iter(batch_size, features, labels):
    print(X, "\n", y)
    break
# --8<-- [end:data_iter]

# --8<-- [start:init]
w = torch.normal(0, 0.01, size=(2, 1), device=device, requires_grad=True)
b = torch.zeros(1, device=device, requires_grad=True)
# --8<-- [end:init]


# --8<-- [start:model]
def linreg(X, w, b):
    """线性回归模型"""
    return torch.matmul(X, w) + b


# --8<-- [end:model]


# --8<-- [start:loss]
def squared_loss(y_hat, y):
    """均方损失"""
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


# --8<-- [end:loss]


# --8<-- [start:optim]
def sgd(params, lr, batch_size):
    """小批量随机梯度下降"""
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()


# --8<-- [end:optim]

# --8<-- [start:train]
lr = args.lr
num_epochs = args.epochs
net = linreg
loss = squared_loss

for epoch in range(num_epochs):
    for X, y in data_iter(batch_size, features, labels):
        l = loss(net(X, w, b), y)  # noqa: E741  X 和 y 的小批量损失
        # l 的形状是 (batch_size, 1)，不是标量：先求和，再对 [w, b] 求梯度
        l.sum().backward()
        sgd([w, b], lr, batch_size)  # 使用参数的梯度更新参数
    with torch.no_grad():
        train_l = loss(net(features, w, b), labels)
        print(f"迭代周期 {epoch + 1}：损失 {float(train_l.mean()):f}")
# --8<-- [end:train]

# --8<-- [start:compare]
print(f"w 的估计误差：{true_w - w.detach().cpu().reshape(true_w.shape)}")
print(f"b 的估计误差：{true_b - b.detach().cpu()}")
# --8<-- [end:compare]
