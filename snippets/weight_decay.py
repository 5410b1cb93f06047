"""权重衰减：在高维线性回归上比较不加正则化（λ=0）和 L2 正则化（λ=3）的训练/测试损失。

数据按 d2l 4.5 生成：y = 0.05 + Σ 0.01·x_i + ε，输入 200 维，只有 20 个训练样本，很容易过拟合。
先从零实现（init_params、l2_penalty），再用优化器的 weight_decay 参数简洁实现（偏置不衰减）。

"""
# --8<-- [start:setup]
import torch
from matplotlib import pyplot as plt
from torch import nn

import dlnotes

args = dlnotes.parse_args(__doc__, epochs=100, lr=0.003, batch_size=5, wd=3.0, seed=0)
dlnotes.set_seed(args.seed)
device = dlnotes.get_device(args.device)
# --8<-- [end:setup]

# --8<-- [start:data]
n_train, n_test, num_inputs, batch_size = 20, 100, 200, args.batch_size
true_w, true_b = torch.ones((num_inputs, 1)) * 0.01, 0.05
# 数据放在 device 上（--device / $D2L_DEVICE），模型参数也建在那里
train_data = [t.to(device) for t in dlnotes.synthetic_data(true_w, true_b, n_train)]
train_iter = dlnotes.load_array(train_data, batch_size)
test_data = [t.to(device) for t in dlnotes.synthetic_data(true_w, true_b, n_test)]
test_iter = dlnotes.load_array(test_data, batch_size, is_train=False)


def evaluate_loss(net, data_iter, loss):
    """评估给定数据集上模型的平均损失。"""
    total, n = 0.0, 0
    with torch.no_grad():
        for X, y in data_iter:
            total += loss(net(X), y.reshape(-1, 1)).sum().item()
            n += y.numel()
    return total / n
# --8<-- [end:data]

# --8<-- [start:init-params]
def init_params():
    w = torch.normal(0, 1, size=(num_inputs, 1), device=device, requires_grad=True)
    b = torch.zeros(1, device=device, requires_grad=True)
    return [w, b]
# --8<-- [end:init-params]

# --8<-- [start:l2-penalty]
def l2_penalty(w):
    return torch.sum(w.pow(2)) / 2
# --8<-- [end:l2-penalty]

# --8<-- [start:train-scratch]
def train(lambd):
    w, b = init_params()
    net, loss = lambda X: dlnotes.linreg(X, w, b), dlnotes.squared_loss
    num_epochs, lr = args.epochs, args.lr
    animator = dlnotes.Animator(xlabel='迭代周期', ylabel='损失', yscale='log',
                                xlim=[5, num_epochs], legend=['训练', '测试'])
    for epoch in range(num_epochs):
        for X, y in train_iter:
            # 增加了 L2 范数惩罚项，广播机制使 l2_penalty(w) 成为一个长度为 batch_size 的向量
            batch_loss = loss(net(X), y) + lambd * l2_penalty(w)
            batch_loss.sum().backward()
            dlnotes.sgd([w, b], lr, batch_size)
        if (epoch + 1) % 5 == 0 or epoch + 1 == num_epochs:
            animator.add(epoch + 1, (evaluate_loss(net, train_iter, loss),
                                     evaluate_loss(net, test_iter, loss)))
    print(f'λ = {lambd}：w 的 L2 范数是 {torch.norm(w).item():.4f}，'
          f'训练损失 {animator.Y[0][-1]:.4g}，测试损失 {animator.Y[1][-1]:.4g}')
    return animator


def compare(animators, title):
    """左右并排画出 λ=0 与 λ=wd 的训练/测试损失曲线。"""
    _, axes = plt.subplots(1, 2, figsize=(5.5, 2.5), sharey=True)
    for ax, (lambd, animator) in zip(axes, animators.items()):
        animator.draw(ax)
        ax.set_title(f'{title}，$\\lambda$ = {lambd:g}')
    plt.tight_layout()
    plt.show()
# --8<-- [end:train-scratch]

# --8<-- [start:run-scratch]
scratch = {0: train(lambd=0), args.wd: train(lambd=args.wd)}
compare(scratch, '从零实现')
# --8<-- [end:run-scratch]

# --8<-- [start:train-concise]
def train_concise(wd):
    net = nn.Sequential(nn.Linear(num_inputs, 1)).to(device)
    for param in net.parameters():
        param.data.normal_()
    loss = nn.MSELoss(reduction='none')
    num_epochs, lr = args.epochs, args.lr
    # 偏置参数没有衰减
    trainer = torch.optim.SGD([
        {"params":net[0].weight,'weight_decay': wd},
        {"params":net[0].bias}], lr=lr)
    animator = dlnotes.Animator(xlabel='迭代周期', ylabel='损失', yscale='log',
                                xlim=[5, num_epochs], legend=['训练', '测试'])
    for epoch in range(num_epochs):
        for X, y in train_iter:
            trainer.zero_grad()
            batch_loss = loss(net(X), y)
            batch_loss.mean().backward()
            trainer.step()
        if (epoch + 1) % 5 == 0 or epoch + 1 == num_epochs:
            animator.add(epoch + 1, (evaluate_loss(net, train_iter, loss),
                                     evaluate_loss(net, test_iter, loss)))
    print(f'wd = {wd}：w 的 L2 范数是 {net[0].weight.norm().item():.4f}，'
          f'训练损失 {animator.Y[0][-1]:.4g}，测试损失 {animator.Y[1][-1]:.4g}')
    return animator
# --8<-- [end:train-concise]

# --8<-- [start:run-concise]
concise = {0: train_concise(0), args.wd: train_concise(args.wd)}
compare(concise, '简洁实现')
# --8<-- [end:run-concise]
