"""卷积网络的辅助函数（同 d2l 第 6、7 章）。CNN helpers (d2l chapters 6-7)."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

__all__ = ["corr2d", "Residual"]


# --8<-- [start:corr2d]
def corr2d(X, K):
    """二维互相关运算（同 d2l）。2-D cross-correlation of ``X`` with kernel ``K``."""
    h, w = K.shape
    Y = torch.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i : i + h, j : j + w] * K).sum()
    return Y


# --8<-- [end:corr2d]


# --8<-- [start:Residual]
class Residual(nn.Module):
    """ResNet 的残差块（同 d2l）：两个 3×3 卷积 + 批量规范化，可选 1×1 卷积调整通道和步幅。"""

    def __init__(self, input_channels, num_channels, use_1x1conv=False, strides=1):
        super().__init__()
        self.conv1 = nn.Conv2d(
            input_channels, num_channels, kernel_size=3, padding=1, stride=strides
        )
        self.conv2 = nn.Conv2d(num_channels, num_channels, kernel_size=3, padding=1)
        if use_1x1conv:
            self.conv3 = nn.Conv2d(input_channels, num_channels, kernel_size=1, stride=strides)
        else:
            self.conv3 = None
        self.bn1 = nn.BatchNorm2d(num_channels)
        self.bn2 = nn.BatchNorm2d(num_channels)

    def forward(self, X):
        """前向计算：ReLU(g(X) + X)。g 是卷积、批量规范化、ReLU、卷积、批量规范化；形状不同时 X 先经过 1×1 卷积。"""
        Y = F.relu(self.bn1(self.conv1(X)))
        Y = self.bn2(self.conv2(Y))
        if self.conv3:
            X = self.conv3(X)
        Y += X
        return F.relu(Y)


# --8<-- [end:Residual]
