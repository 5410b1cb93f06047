"""线性回归的辅助函数（同 d2l 第 3 章）。Linear-regression helpers (d2l chapter 3)."""

from __future__ import annotations

import random

import torch
from torch.utils import data

__all__ = ["synthetic_data", "linreg", "squared_loss", "sgd", "data_iter", "load_array"]


# --8<-- [start:synthetic_data]
def synthetic_data(w, b, num_examples):
    """生成 y = Xw + b + 噪声（标准差 0.01）。返回 ``(X, y)``，y 形状为 (num_examples, 1)。"""
    X = torch.normal(0, 1, (num_examples, len(w)))
    y = torch.matmul(X, w) + b
    y += torch.normal(0, 0.01, y.shape)
    return X, y.reshape((-1, 1))


# --8<-- [end:synthetic_data]


# --8<-- [start:from_scratch]
def linreg(X, w, b):
    """线性回归模型 Xw + b。"""
    return torch.matmul(X, w) + b


def squared_loss(y_hat, y):
    """均方损失 (y_hat - y)^2 / 2（逐样本，不求和）。"""
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def sgd(params, lr, batch_size):
    """小批量随机梯度下降：原地更新参数并清零梯度。"""
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()


def data_iter(batch_size, features, labels):
    """随机打乱样本顺序，逐批产出 ``(features, labels)``（从零实现版）。"""
    num_examples = len(features)
    indices = list(range(num_examples))
    random.shuffle(indices)
    for i in range(0, num_examples, batch_size):
        batch_indices = torch.tensor(indices[i : min(i + batch_size, num_examples)])
        yield features[batch_indices], labels[batch_indices]


# --8<-- [end:from_scratch]


# --8<-- [start:load_array]
def load_array(data_arrays, batch_size, is_train=True):
    """用 ``TensorDataset`` + ``DataLoader`` 构造数据迭代器（简洁实现版）。"""
    dataset = data.TensorDataset(*data_arrays)
    return data.DataLoader(dataset, batch_size, shuffle=is_train)


# --8<-- [end:load_array]
