"""数值稳定性和模型初始化：梯度消失、梯度爆炸、参数化对称性与 Xavier 初始化。

依次演示：MLP 一层的雅可比矩阵；sigmoid 的梯度在输入很大或很小时消失；PyTorch 会累积梯度；
100 个随机矩阵的乘积爆炸；相同初始化的隐藏单元永远相同（暂退法可以打破）；Xavier 初始化的方差；
50 层网络中 N(0,1) 初始化与 Xavier 初始化下活性值和梯度的标准差。

"""
# --8<-- [start:setup]
import math

import torch
from matplotlib import pyplot as plt
from torch import nn

import dlnotes

args = dlnotes.parse_args(__doc__, depth=50, width=256, seed=0)
dlnotes.set_seed(args.seed)
# --8<-- [end:setup]

# --8<-- [start:jacobian]
W_t = torch.randn(3, 3, dtype=torch.float64)
h_prev = torch.randn(3, dtype=torch.float64)
jac = torch.autograd.functional.jacobian(lambda h: torch.sigmoid(W_t @ h), h_prev)
a = W_t @ h_prev
sigma_prime = torch.sigmoid(a) * (1 - torch.sigmoid(a))
print('雅可比矩阵 = diag(σ\'(W h)) W   ：', torch.allclose(jac, torch.diag(sigma_prime) @ W_t))
print('雅可比矩阵 = diag(σ\'(W h)) W^T ：', torch.allclose(jac, torch.diag(sigma_prime) @ W_t.T))
# --8<-- [end:jacobian]

# --8<-- [start:sigmoid]
x = torch.arange(-8.0, 8.0, 0.1, requires_grad=True)
y = torch.sigmoid(x)
y.backward(torch.ones_like(x))

dlnotes.plot(x.detach().numpy(), [y.detach().numpy(), x.grad.numpy()],
             legend=['sigmoid', '梯度'], figsize=(4.5, 2.5))
plt.show()
# --8<-- [end:sigmoid]

# --8<-- [start:accumulate]
i = 80                                   # x[80] = 0，sigmoid 在这里的导数最大，为 0.25
print(f'x = {x[i].item():.1f} 处的梯度：{x.grad[i].item():.4f}')
torch.sigmoid(x).backward(torch.ones_like(x))          # 再做一次反向传播，不清零
print(f'再反向传播一次（未清零）：{x.grad[i].item():.4f}')  # 两次的梯度被累加
x.grad.zero_()                                         # 清除之前的值
torch.sigmoid(x).backward(torch.ones_like(x))
print(f'先 x.grad.zero_() 再反向传播：{x.grad[i].item():.4f}')
# --8<-- [end:accumulate]

# --8<-- [start:exploding]
M = torch.normal(0, 1, size=(4, 4))
print('一个矩阵 \n', M)
for _ in range(100):
    M = torch.mm(M, torch.normal(0, 1, size=(4, 4)))

print('乘以100个矩阵后\n', M)
# --8<-- [end:exploding]

# --8<-- [start:symmetry]
def train_constant_init(dropout):
    """两个隐藏单元的参数初始化成相同的常数，训练 100 步后返回隐藏层权重。"""
    torch.manual_seed(args.seed)
    net = nn.Sequential(nn.Linear(4, 2), nn.ReLU(), nn.Dropout(dropout), nn.Linear(2, 1))
    for m in net:
        if isinstance(m, nn.Linear):
            nn.init.constant_(m.weight, 0.5)
            nn.init.zeros_(m.bias)
    X, y = torch.randn(64, 4), torch.randn(64, 1)
    trainer = torch.optim.SGD(net.parameters(), lr=0.1)
    for _ in range(100):
        trainer.zero_grad()
        ((net(X) - y) ** 2).mean().backward()
        trainer.step()
    return net[0].weight.data

print('小批量 SGD，无暂退法：两个隐藏单元的权重\n', train_constant_init(0.0))
print('加上暂退法（p = 0.5）：两个隐藏单元的权重\n', train_constant_init(0.5))
# --8<-- [end:symmetry]

# --8<-- [start:xavier-uniform]
n_in, n_out = 256, 128
a = math.sqrt(6 / (n_in + n_out))
W = torch.empty(n_out, n_in)          # nn.Linear 的权重形状是 (输出数, 输入数)
nn.init.xavier_uniform_(W)
print(f'理论边界 a = {a:.4f}，实际取值范围 [{W.min().item():.4f}, {W.max().item():.4f}]')
print(f'理论方差 2/(n_in+n_out) = {2 / (n_in + n_out):.6f}，实际方差 {W.var().item():.6f}')
# --8<-- [end:xavier-uniform]

# --8<-- [start:xavier-depth]
def activation_and_grad_std(init, depth=args.depth, width=args.width):
    """depth 层、每层 width 个单元的线性网络：返回各层活性值与梯度的标准差。"""
    torch.manual_seed(args.seed)
    layers = [nn.Linear(width, width, bias=False).double() for _ in range(depth)]
    for layer in layers:
        init(layer.weight)
    h = torch.randn(512, width, dtype=torch.float64)
    hs = []
    for layer in layers:
        h = layer(h)
        h.retain_grad()                  # 保留中间变量的梯度
        hs.append(h)
    (h * torch.randn_like(h)).sum().backward()
    return [t.std().item() for t in hs], [t.grad.std().item() for t in hs]

inits = {
    'N(0, 1)': lambda w: nn.init.normal_(w, 0, 1),
    'N(0, 0.01^2)': lambda w: nn.init.normal_(w, 0, 0.01),
    'Xavier': nn.init.xavier_normal_,
}
fig, axes = plt.subplots(1, 2, figsize=(5.5, 2.6))
for name, init in inits.items():
    act_std, grad_std = activation_and_grad_std(init)
    layer_ids = range(1, len(act_std) + 1)
    axes[0].plot(layer_ids, act_std, label=name)
    axes[1].plot(layer_ids, grad_std, label=name)
    print(f'{name:>13}：第 1 层激活标准差 {act_std[0]:.3g}，第 {len(act_std)} 层 {act_std[-1]:.3g}；'
          f'第 1 层梯度标准差 {grad_std[0]:.3g}')
for ax, title in zip(axes, ['激活（前向传播）', '梯度（反向传播）']):
    ax.set_yscale('log')
    ax.set_xlabel('层')
    ax.set_ylabel('标准差')
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
axes[0].legend()
plt.tight_layout()
plt.show()
# --8<-- [end:xavier-depth]
