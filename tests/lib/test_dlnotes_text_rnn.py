"""dlnotes.text 与 dlnotes.rnn 的单元测试（都很快）。Unit tests for the text and RNN helpers."""

from __future__ import annotations

import math
import random

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402
from torch.nn import functional as F  # noqa: E402

import dlnotes  # noqa: E402
from dlnotes import text as dtext  # noqa: E402


# --------------------------------------------------------------------------- text
def test_tokenize_char_and_word():
    assert dtext.tokenize(["深度 学习"], "char") == [["深", "度", " ", "学", "习"]]
    assert dtext.tokenize(["a b  c"], "word") == [["a", "b", "c"]]
    with pytest.raises(ValueError):
        dtext.tokenize(["x"], "byte")


def test_vocab_round_trip_and_order():
    tokens = dtext.tokenize(["深度学习深度", "学习"], "char")
    vocab = dtext.Vocab(tokens, reserved_tokens=["<pad>"])
    assert vocab.idx_to_token[:2] == ["<unk>", "<pad>"]
    assert vocab.unk == 0 and vocab["不存在"] == 0
    # frequencies descending, ties by first appearance -> deterministic
    assert vocab.token_freqs == [("深", 2), ("度", 2), ("学", 2), ("习", 2)]
    sentence = list("学习深度")
    indices = vocab[sentence]
    assert vocab.to_tokens(indices) == sentence
    assert vocab.to_tokens(torch.tensor(indices)) == sentence
    assert all(vocab.token_to_idx[vocab.idx_to_token[i]] == i for i in range(len(vocab)))
    assert len(dtext.Vocab(tokens, min_freq=3)) == 1  # only <unk>


def test_corpus_file_is_chinese_prose():
    lines = dtext.read_corpus()
    text = "".join(lines)
    assert 10000 <= len(text) <= 60000
    assert not any(c.isascii() for c in text)  # no Latin letters, digits, markup or spaces
    corpus, vocab = dtext.load_corpus()
    assert len(corpus) == len(text)
    assert "".join(vocab.to_tokens(corpus[:50])) == text[:50]
    short, vocab2 = dtext.load_corpus(max_tokens=100)
    assert len(short) == 100 and len(vocab2) == len(vocab)


def test_extract_chinese_prose_drops_code_math_markup():
    md = (
        "## 标题一\n\n正文，含公式 $x^2$ 和 `code`，以及**加粗**。\n\n"
        "```python\n# 代码里的注释\nx = 1\n```\n\n$$\ny = 中文公式\n$$\n\n"
        "![图片说明](a.png) 链接[文字](http://x.y)\n"
    )
    assert dtext.extract_chinese_prose(md) == ["标题一", "正文，含公式和，以及加粗。", "链接文字"]


def test_rebuild_corpus_cli(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "000_a.txt").write_text("# 第一份\n\n深度学习（deep learning）\n", encoding="utf-8")
    (seeds / "001_b.txt").write_text("循环神经网络 $h_t$ 很有用。\n", encoding="utf-8")
    out = tmp_path / "corpus.txt"
    assert dtext.main(["--rebuild-corpus", str(seeds), "--output", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == "第一份\n深度学习\n循环神经网络很有用。\n"


def test_random_iter_shapes_and_shift():
    random.seed(0)
    corpus = list(range(35))
    batches = list(dtext.seq_data_iter_random(corpus, batch_size=2, num_steps=5))
    assert len(batches) >= 2
    for X, Y in batches:
        assert X.shape == Y.shape == (2, 5)
        assert torch.equal(Y, X + 1)  # labels are inputs shifted by one token


def test_sequential_iter_batches_are_contiguous():
    random.seed(1)
    corpus = list(range(100))
    batches = list(dtext.seq_data_iter_sequential(corpus, batch_size=3, num_steps=4))
    assert len(batches) >= 2
    for X, Y in batches:
        assert X.shape == Y.shape == (3, 4)
        assert torch.equal(Y, X + 1)
    for (X1, _), (X2, _) in zip(batches, batches[1:], strict=False):
        # row i of the next batch continues row i of this batch
        assert torch.equal(X2[:, 0], X1[:, -1] + 1)


def test_load_data_text():
    random.seed(0)
    data_iter, vocab = dlnotes.load_data_text(batch_size=4, num_steps=8, max_tokens=200)
    assert len(data_iter.corpus) == 200 and "中文语料" in data_iter.info
    batches = list(data_iter)
    assert len(batches) in (len(data_iter), len(data_iter) - 1) and batches
    X, Y = batches[0]
    assert X.shape == (4, 8) and X.dtype == torch.int64
    assert int(X.max()) < len(vocab)
    random_iter, _ = dlnotes.load_data_text(4, 8, use_random_iter=True, max_tokens=200)
    assert next(iter(random_iter))[0].shape == (4, 8)


# --------------------------------------------------------------------------- rnn
def _norm(params):
    return math.sqrt(sum(float((p.grad**2).sum()) for p in params))


def test_grad_clipping_module_clips_to_theta():
    net = nn.Linear(10, 10)
    for p in net.parameters():
        p.grad = torch.full_like(p, 3.0)
    before = _norm(net.parameters())
    returned = dlnotes.grad_clipping(net, theta=1.0)
    assert returned == pytest.approx(before)
    assert _norm(net.parameters()) == pytest.approx(1.0, rel=1e-5)
    # below the threshold nothing changes
    dlnotes.grad_clipping(net, theta=5.0)
    assert _norm(net.parameters()) == pytest.approx(1.0, rel=1e-5)


def _get_params(vocab_size, num_hiddens, device):
    torch.manual_seed(0)

    def normal(shape):
        return torch.randn(size=shape, device=device) * 0.01

    params = [
        normal((vocab_size, num_hiddens)),
        normal((num_hiddens, num_hiddens)),
        torch.zeros(num_hiddens, device=device),
        normal((num_hiddens, vocab_size)),
        torch.zeros(vocab_size, device=device),
    ]
    for p in params:
        p.requires_grad_(True)
    return params


def _init_state(batch_size, num_hiddens, device):
    return (torch.zeros((batch_size, num_hiddens), device=device),)


def _rnn(inputs, state, params):
    W_xh, W_hh, b_h, W_hq, b_q = params
    (H,) = state
    outputs = []
    for X in inputs:
        H = torch.tanh(X @ W_xh + H @ W_hh + b_h)
        outputs.append(H @ W_hq + b_q)
    return torch.cat(outputs, dim=0), (H,)


def test_grad_clipping_scratch_params():
    net = dlnotes.RNNModelScratch(5, 4, "cpu", _get_params, _init_state, _rnn)
    for p in net.params:
        p.grad = torch.ones_like(p) * 10
    dlnotes.grad_clipping(net, theta=2.0)
    assert _norm(net.params) == pytest.approx(2.0, rel=1e-5)


def test_scratch_and_concise_shapes_and_predict():
    vocab = dtext.Vocab(dtext.tokenize(["深度学习循环网络"], "char"))
    X = torch.randint(0, len(vocab), (2, 3))
    net = dlnotes.RNNModelScratch(len(vocab), 4, "cpu", _get_params, _init_state, _rnn)
    Y, (H,) = net(X, net.begin_state(2, "cpu"))
    assert Y.shape == (6, len(vocab)) and H.shape == (2, 4)
    concise = dlnotes.RNNModel(nn.RNN(len(vocab), 4), len(vocab))
    Y2, H2 = concise(X, concise.begin_state("cpu", batch_size=2))
    assert Y2.shape == (6, len(vocab)) and H2.shape == (1, 2, 4)
    out = dlnotes.predict_ch8("深度", 5, concise, vocab, "cpu")
    assert out.startswith("深度") and len(out) == 7


@pytest.mark.parametrize("use_random_iter", [False, True])
def test_train_ch8_tiny(use_random_iter, monkeypatch):
    import matplotlib.pyplot as plt

    monkeypatch.setattr(plt, "show", lambda *a, **k: None)
    dlnotes.set_seed(0)
    train_iter, vocab = dlnotes.load_data_text(8, 8, use_random_iter, max_tokens=600)
    net = dlnotes.RNNModel(nn.RNN(len(vocab), 16), len(vocab))
    metrics = dlnotes.train_ch8(
        net,
        train_iter,
        vocab,
        1.0,
        2,
        "cpu",
        use_random_iter,
        predict_prefix=("深度", "网络"),
        num_preds=3,
    )
    assert math.isfinite(metrics["perplexity"]) and metrics["perplexity"] > 1
    assert metrics["tokens_per_sec"] > 0 and metrics["epochs"] == 2
    assert set(metrics["predictions"]) == {"深度", "网络"}
    # the scratch model trains through the same loop
    scratch = dlnotes.RNNModelScratch(len(vocab), 16, "cpu", _get_params, _init_state, _rnn)
    m2 = dlnotes.train_ch8(scratch, train_iter, vocab, 1.0, 2, "cpu", use_random_iter)
    assert math.isfinite(m2["perplexity"])
    plt.close("all")


def test_train_ch8_reports_result(monkeypatch):
    import matplotlib.pyplot as plt

    from dlnotes import rnn as drnn

    monkeypatch.setattr(plt, "show", lambda *a, **k: None)
    recorded = {}

    def fake_report(name, **metrics):
        recorded[name] = metrics

    import dlnotes.results

    monkeypatch.setattr(dlnotes.results, "report_result", fake_report)
    train_iter, vocab = dlnotes.load_data_text(8, 8, max_tokens=300)
    net = drnn.RNNModel(nn.RNN(len(vocab), 8), len(vocab))
    drnn.train_ch8(net, train_iter, vocab, 1.0, 1, "cpu", name="tiny-rnn")
    m = recorded["tiny-rnn"]
    assert set(m) >= {"perplexity", "tokens_per_sec", "epochs", "lr", "device", "data"}
    assert m["device"] == "cpu" and "中文语料" in m["data"]
    plt.close("all")


def test_one_hot_shape_matches_d2l():
    # sanity check of the input encoding used by both models
    X = torch.arange(10).reshape((2, 5))
    assert F.one_hot(X.T, 28).shape == (5, 2, 28)
