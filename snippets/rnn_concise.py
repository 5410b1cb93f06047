"""循环神经网络的简洁实现：用 nn.RNN 在本站笔记的中文语料上训练字符级语言模型。

按 d2l 8.6 节用 PyTorch 的 nn.RNN 层加一个全连接输出层（dlnotes.RNNModel）构造模型，
训练方法（顺序分区、梯度裁剪、SGD）与从零实现相同，打印困惑度、每秒词元数和从中文前缀生成的文本。
语料是 dlnotes/data/corpus.txt（五份笔记的中文正文，字符级）。默认设置在 2 个 CPU 核上几十秒跑完。

--full 使用 d2l 的设置（num_hiddens=256，num_steps=35，500 轮，学习率 1）：
    python snippets/rnn_concise.py --full --device cuda
"""
# --8<-- [start:setup]
import torch
from torch import nn

import dlnotes

args = dlnotes.parse_args(__doc__, epochs=40, lr=2.0, batch_size=32, num_hiddens=128,
                          num_steps=32, max_tokens=10000, random_iter=False, seed=0,
                          full=dict(epochs=500, lr=1.0, num_hiddens=256, num_steps=35))
dlnotes.set_seed(args.seed)
device = dlnotes.get_device(args.device)
num_hiddens, num_steps = args.num_hiddens, args.num_steps

batch_size = args.batch_size
train_iter, vocab = dlnotes.load_data_text(batch_size, num_steps, args.random_iter,
                                           max_tokens=args.max_tokens)
print(train_iter.info)
# --8<-- [end:setup]

# --8<-- [start:layer]
rnn_layer = nn.RNN(len(vocab), num_hiddens)
state = torch.zeros((1, batch_size, num_hiddens))
print(state.shape)
# --8<-- [end:layer]

# --8<-- [start:layer-shapes]
X = torch.rand(size=(num_steps, batch_size, len(vocab)))
Y, state_new = rnn_layer(X, state)
print(Y.shape, state_new.shape)
# --8<-- [end:layer-shapes]

# --8<-- [start:model]
net = dlnotes.RNNModel(rnn_layer, vocab_size=len(vocab))
net = net.to(device)
print(dlnotes.predict_ch8('深度学习', 10, net, vocab, device))
# --8<-- [end:model]

# --8<-- [start:train]
num_epochs, lr = args.epochs, args.lr
concise_metrics = dlnotes.train_ch8(net, train_iter, vocab, lr, num_epochs, device,
                                    args.random_iter, name="字符级 RNN（简洁实现）",
                                    predict_prefix=('深度学习', '循环神经网络'))
# --8<-- [end:train]
