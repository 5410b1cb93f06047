"""循环神经网络的从零实现：在本站笔记的中文语料上训练字符级语言模型。

按 d2l 8.5 节从零实现单隐藏层的循环神经网络（独热编码、参数初始化、隐状态、前向计算、梯度裁剪），
用顺序分区的小批量训练，打印困惑度、每秒词元数和从中文前缀生成的文本。语料是
dlnotes/data/corpus.txt（五份笔记的中文正文，字符级）。默认设置在 2 个 CPU 核上几十秒跑完。

--full 使用 d2l 的设置（num_hiddens=512，num_steps=35，500 轮，学习率 1）：
    python snippets/rnn_scratch.py --full --device cuda
"""
# --8<-- [start:setup]
import math

import torch
from torch.nn import functional as F

import dlnotes

args = dlnotes.parse_args(__doc__, epochs=40, lr=2.0, batch_size=32, num_hiddens=128,
                          num_steps=32, max_tokens=10000, random_iter=False, seed=0,
                          full=dict(epochs=500, lr=1.0, num_hiddens=512, num_steps=35))
dlnotes.set_seed(args.seed)
device = dlnotes.get_device(args.device)
num_hiddens, num_steps = args.num_hiddens, args.num_steps

batch_size = args.batch_size
train_iter, vocab = dlnotes.load_data_text(batch_size, num_steps, args.random_iter,
                                           max_tokens=args.max_tokens)
print(train_iter.info)
# --8<-- [end:setup]

# --8<-- [start:one-hot]
print(F.one_hot(torch.tensor([0, 2]), len(vocab)))
# --8<-- [end:one-hot]

# --8<-- [start:one-hot-batch]
X = torch.arange(10).reshape((2, 5))
print(F.one_hot(X.T, 28).shape)
# --8<-- [end:one-hot-batch]

# --8<-- [start:params]
def get_params(vocab_size, num_hiddens, device):
    num_inputs = num_outputs = vocab_size

    # d2l 用标准差 0.01；本站语料的词表有几百个字符、只训练几十个迭代周期，这里改用
    # 与隐藏单元数相称的标准差 1/sqrt(num_hiddens)（与 nn.RNN 默认初始化同一量级）
    sigma = 1 / math.sqrt(num_hiddens)

    def normal(shape):
        return torch.randn(size=shape, device=device) * sigma

    # 隐藏层参数
    W_xh = normal((num_inputs, num_hiddens))
    W_hh = normal((num_hiddens, num_hiddens))
    b_h = torch.zeros(num_hiddens, device=device)
    # 输出层参数
    W_hq = normal((num_hiddens, num_outputs))
    b_q = torch.zeros(num_outputs, device=device)
    # 附加梯度
    params = [W_xh, W_hh, b_h, W_hq, b_q]
    for param in params:
        param.requires_grad_(True)
    return params
# --8<-- [end:params]

# --8<-- [start:model]
def init_rnn_state(batch_size, num_hiddens, device):
    return (torch.zeros((batch_size, num_hiddens), device=device), )


def rnn(inputs, state, params):
    # inputs 的形状：（时间步数量，批量大小，词表大小）
    W_xh, W_hh, b_h, W_hq, b_q = params
    H, = state
    outputs = []
    # X 的形状：（批量大小，词表大小）
    for X in inputs:
        H = torch.tanh(torch.mm(X, W_xh) + torch.mm(H, W_hh) + b_h)
        Y = torch.mm(H, W_hq) + b_q
        outputs.append(Y)
    return torch.cat(outputs, dim=0), (H,)
# --8<-- [end:model]

# --8<-- [start:check]
net = dlnotes.RNNModelScratch(len(vocab), num_hiddens, device, get_params,
                              init_rnn_state, rnn)
state = net.begin_state(X.shape[0], device)
Y, new_state = net(X.to(device), state)
print(Y.shape, len(new_state), new_state[0].shape)
# --8<-- [end:check]

# --8<-- [start:predict]
print(dlnotes.predict_ch8('深度学习', 10, net, vocab, device))
# --8<-- [end:predict]

# --8<-- [start:train]
num_epochs, lr = args.epochs, args.lr
scratch_metrics = dlnotes.train_ch8(net, train_iter, vocab, lr, num_epochs, device,
                                    args.random_iter, name="字符级 RNN（从零实现）",
                                    predict_prefix=('深度学习', '循环神经网络'))
ppl = scratch_metrics['perplexity']
print(f"最终困惑度 {ppl:.1f}（交叉熵 {math.log(ppl):.2f}）")
# --8<-- [end:train]
