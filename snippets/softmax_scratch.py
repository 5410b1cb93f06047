"""softmax 回归的从零实现：在 Fashion-MNIST 上训练一个 784 → 10 的线性分类器。

自己写 softmax、模型、交叉熵损失和小批量随机梯度下降的更新函数，用 dlnotes.train_ch3 训练。
设置与 d2l 相同（完整数据集，10 轮、学习率 0.1、批量 256）。

"""

# --8<-- [start:setup]
import torch

import dlnotes

args = dlnotes.parse_args(__doc__, epochs=10, lr=0.1, batch_size=256, seed=0)
dlnotes.set_seed(args.seed)
device = dlnotes.get_device(args.device)

batch_size = args.batch_size
train_iter, test_iter = dlnotes.load_data_fashion_mnist(batch_size)
print(train_iter.info)
# --8<-- [end:setup]

# --8<-- [start:params]
# 每张 28×28 的图像展平成长度 784 的向量；10 个类别对应 10 个输出
num_inputs = 784
num_outputs = 10

W = torch.normal(0, 0.01, size=(num_inputs, num_outputs), device=device, requires_grad=True)
b = torch.zeros(num_outputs, device=device, requires_grad=True)
# --8<-- [end:params]


# --8<-- [start:softmax]
def softmax(X):
    """对 X 的每一行做 softmax：求幂 → 按行求和 → 除以规范化常数"""
    X_exp = torch.exp(X)
    partition = X_exp.sum(1, keepdim=True)
    return X_exp / partition  # 这里应用了广播机制


X = torch.normal(0, 1, (2, 5))
X_prob = softmax(X)
print(X_prob, X_prob.sum(1))
# --8<-- [end:softmax]


# --8<-- [start:model]
def net(X):
    """softmax 回归模型：展平 → 线性变换 → softmax"""
    return softmax(torch.matmul(X.reshape((-1, W.shape[0])), W) + b)


# --8<-- [end:model]


# --8<-- [start:loss]
def cross_entropy(y_hat, y):
    """交叉熵损失：取出每个样本真实类别的预测概率，再取负对数"""
    return -torch.log(y_hat[range(len(y_hat)), y])


y = torch.tensor([0, 2])
y_hat = torch.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
print(y_hat[[0, 1], y])
print(cross_entropy(y_hat, y))
print("精度（accuracy）：", dlnotes.accuracy(y_hat, y) / len(y))
# --8<-- [end:loss]

# --8<-- [start:optim]
lr = args.lr


def updater(batch_size):
    return dlnotes.sgd([W, b], lr, batch_size)


# --8<-- [end:optim]

# --8<-- [start:train]
num_epochs = args.epochs
scratch_metrics = dlnotes.train_ch3(
    net,
    train_iter,
    test_iter,
    cross_entropy,
    num_epochs,
    updater,
    device=device,
    name="softmax 回归（从零实现）",
    lr=lr,
)
# --8<-- [end:train]
