"""文本预处理与语言模型数据：词元化、词表、字符级语料和小批量迭代器（同 d2l 第 8 章）。

Text preprocessing and language-model data (d2l chapter 8): ``tokenize``, ``Vocab``,
``load_corpus``, ``seq_data_iter_random``, ``seq_data_iter_sequential``, ``SeqDataLoader``
and ``load_data_text``.

语料不是《时间机器》，而是本项目自己的文本：站点所复现的五份中文学习笔记的中文正文
（去掉代码块、公式和 Markdown 标记，只保留汉字和中文标点），固定保存在
``dlnotes/data/corpus.txt``，因此结果可复现，也不随页面的修改而变化。重新生成它::

    python -m dlnotes.text --rebuild-corpus /work/shared/seeds

The corpus is the Chinese prose of the five source notes the site reproduces, extracted once
into the fixed file ``dlnotes/data/corpus.txt`` (one paragraph per line; newlines are not tokens).
Tokens are characters (``token='char'``).
"""

from __future__ import annotations

import argparse
import collections
import random
import re
import sys
from pathlib import Path

import torch

__all__ = [
    "CORPUS_PATH",
    "tokenize",
    "count_corpus",
    "Vocab",
    "read_corpus",
    "extract_chinese_prose",
    "build_corpus",
    "load_corpus",
    "seq_data_iter_random",
    "seq_data_iter_sequential",
    "SeqDataLoader",
    "load_data_text",
]

#: 固定语料文件的位置。Location of the fixed corpus file shipped with the package.
CORPUS_PATH = Path(__file__).resolve().parent / "data" / "corpus.txt"


# ---------------------------------------------------------------------------
# 词元化与词表 Tokenization and vocabulary
# ---------------------------------------------------------------------------
# --8<-- [start:vocab]
def tokenize(lines, token: str = "char"):
    """把文本行拆分为词元列表（参数名同 d2l，但默认按字符拆分；未知的词元类型、单个字符串都报错）。

    ``token='char'``：每个字符是一个词元（中文的默认做法）；``token='word'``：按空白切分。
    Split each line into word or character tokens.
    """
    if isinstance(lines, str):
        raise TypeError("tokenize 需要一个文本行的列表（list of str），而不是单个字符串")
    if token == "word":
        return [line.split() for line in lines]
    if token == "char":
        return [list(line) for line in lines]
    raise ValueError(f"未知词元类型 / unknown token type: {token!r}（可选 'char' 或 'word'）")


def count_corpus(tokens) -> collections.Counter:
    """统计词元频率；``tokens`` 可以是一维或二维（按行）列表。Count token frequencies."""
    if len(tokens) == 0 or isinstance(tokens[0], list):
        tokens = [tok for line in tokens for tok in line]
    return collections.Counter(tokens)


class Vocab:
    """文本词表（用法同 d2l）：把词元映射到从 0 开始的整数索引。

    索引 0 是未知词元 ``<unk>``，其后是 ``reserved_tokens``，再后是按频率从高到低排序的词元
    （频率相同时按首次出现的先后，因此结果是确定的）；频率低于 ``min_freq`` 的词元被丢弃。
    Vocabulary for text: index 0 is ``<unk>``, then reserved tokens, then tokens by descending
    frequency (ties broken by first appearance, so the result is deterministic).
    """

    def __init__(self, tokens=None, min_freq: int = 0, reserved_tokens=None):
        if tokens is None:
            tokens = []
        if reserved_tokens is None:
            reserved_tokens = []
        counter = count_corpus(tokens)
        # sorted() is stable and Counter keeps first-appearance order -> deterministic
        self._token_freqs = sorted(counter.items(), key=lambda x: x[1], reverse=True)
        self.idx_to_token = ["<unk>"] + list(reserved_tokens)
        self.token_to_idx = {token: idx for idx, token in enumerate(self.idx_to_token)}
        for token, freq in self._token_freqs:
            if freq < min_freq:
                break
            if token not in self.token_to_idx:
                self.idx_to_token.append(token)
                self.token_to_idx[token] = len(self.idx_to_token) - 1

    def __len__(self) -> int:
        return len(self.idx_to_token)

    def __getitem__(self, tokens):
        """词元（或词元的列表/元组）→ 索引；未知词元映射到 ``unk``。"""
        if not isinstance(tokens, (list, tuple)):
            return self.token_to_idx.get(tokens, self.unk)
        return [self.__getitem__(token) for token in tokens]

    def to_tokens(self, indices):
        """索引（或索引的列表/张量）→ 词元。Indices to tokens."""
        if isinstance(indices, torch.Tensor):
            indices = indices.tolist()
        if not isinstance(indices, (list, tuple)):
            return self.idx_to_token[int(indices)]
        return [self.to_tokens(index) for index in indices]

    @property
    def unk(self) -> int:
        """未知词元的索引（0）。Index of the unknown token."""
        return 0

    @property
    def token_freqs(self):
        """按频率降序排列的 ``(词元, 频率)`` 列表。Tokens with their frequencies."""
        return self._token_freqs

    def __repr__(self) -> str:
        return f"Vocab(size={len(self)})"


# --8<-- [end:vocab]


# ---------------------------------------------------------------------------
# 语料：从笔记中抽取中文正文 Corpus: Chinese prose extracted from the notes
# ---------------------------------------------------------------------------
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_ZH_PUNCT = "，。、；：？！“”‘’（）《》【】—…·「」『』"
_NOT_KEPT = re.compile("[^" + _CJK + re.escape(_ZH_PUNCT) + "]")
_HAS_CJK = re.compile("[" + _CJK + "]")
_EMPTY_PAIRS = re.compile("（）|《》|【】|“”|‘’|「」|『』")
_REPEATED_SEP = re.compile("([，、；：])[，、；：]+")
_LEADING_PUNCT = re.compile("^[，。、；：？！）》】”’…—·」』]+")


def extract_chinese_prose(markdown: str) -> list[str]:
    """从一份 Markdown 笔记中抽取中文正文，每段一行。

    去掉围栏代码块、``$$…$$`` 与 ``$…$`` 公式、行内代码、图片、HTML 标签、网址和 Markdown
    标记，只保留汉字与中文标点（拉丁字母、数字和空白都被去掉），再清理因此留下的空括号和
    重复的分隔标点。少于两个汉字的行被丢弃。
    Extract the Chinese prose of one Markdown note: one paragraph per line, only CJK characters
    and Chinese punctuation kept.
    """
    text = markdown.replace("\r\n", "\n")
    text = re.sub(r"^[ \t>]*(```|~~~).*?^[ \t>]*(```|~~~)[^\n]*$", "\n", text, flags=re.S | re.M)
    text = re.sub(r"\$\$.*?\$\$", "\n", text, flags=re.S)
    text = re.sub(r"\$[^$\n]*\$", " ", text)
    text = re.sub(r"`[^`\n]*`", " ", text)
    text = re.sub(r"!\[\[[^\]]*\]\]", " ", text)
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", " ", text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"<[^>\n]*>", " ", text)
    text = re.sub(r"https?://\S+", " ", text)
    paragraphs = []
    for line in text.split("\n"):
        s = _NOT_KEPT.sub("", line)
        previous = None
        while previous != s:
            previous = s
            s = _EMPTY_PAIRS.sub("", s)
            s = _REPEATED_SEP.sub(r"\1", s)
        s = _LEADING_PUNCT.sub("", s)
        if len(_HAS_CJK.findall(s)) >= 2:
            paragraphs.append(s)
    return paragraphs


def build_corpus(seeds_dir) -> str:
    """由笔记目录（``*.txt``，按文件名排序）生成语料文本，每段一行。Build the corpus text."""
    seeds_dir = Path(seeds_dir)
    files = sorted(seeds_dir.glob("*.txt"))
    if not files:
        raise FileNotFoundError(f"{seeds_dir} 中没有笔记文件（*.txt）")
    paragraphs = []
    for path in files:
        paragraphs.extend(extract_chinese_prose(path.read_text(encoding="utf-8")))
    return "\n".join(paragraphs) + "\n"


# --8<-- [start:load_corpus]
def read_corpus(path=None) -> list[str]:
    """读取语料文件，返回非空文本行的列表。Read the corpus file as a list of lines."""
    path = Path(path) if path is not None else CORPUS_PATH
    if not path.exists():
        raise FileNotFoundError(
            f"找不到语料文件 {path}；请运行 python -m dlnotes.text --rebuild-corpus SEEDS_DIR"
        )
    lines = path.read_text(encoding="utf-8").split("\n")
    return [line.strip() for line in lines if line.strip()]


def load_corpus(max_tokens: int = -1):
    """返回字符级语料的索引列表和词表（相当于 d2l 的 ``load_corpus_time_machine``）。

    词表由整份语料建立；``max_tokens > 0`` 时只保留语料的前 ``max_tokens`` 个词元。
    Return ``(corpus, vocab)``: the list of token indices of the character-level corpus and its
    vocabulary (built from the whole corpus); keep the first ``max_tokens`` tokens if > 0.
    """
    lines = read_corpus()
    tokens = tokenize(lines, "char")
    vocab = Vocab(tokens)
    # 换行不是词元：各行的字符直接首尾相连（与 d2l 相同） newlines are not tokens
    corpus = [vocab[token] for line in tokens for token in line]
    if max_tokens > 0:
        corpus = corpus[:max_tokens]
    return corpus, vocab


# --8<-- [end:load_corpus]


# ---------------------------------------------------------------------------
# 小批量迭代器 Minibatch iterators
# ---------------------------------------------------------------------------
# --8<-- [start:seq_data_iter_random]
def seq_data_iter_random(corpus, batch_size: int, num_steps: int):
    """随机采样：每个小批量的子序列从语料中随机位置截取，相邻小批量互不相邻（同 d2l）。

    Random sampling: yields ``(X, Y)`` of shape ``(batch_size, num_steps)``; ``Y`` is ``X``
    shifted by one token. Uses Python's ``random`` (seed it with ``dlnotes.set_seed``).
    """
    # 从随机偏移量开始对序列进行分区，随机范围包括 num_steps-1
    corpus = corpus[random.randint(0, num_steps - 1) :]
    # 减去 1，是因为我们需要考虑标签
    num_subseqs = (len(corpus) - 1) // num_steps
    # 长度为 num_steps 的子序列的起始索引
    initial_indices = list(range(0, num_subseqs * num_steps, num_steps))
    # 在随机抽样的迭代过程中，来自两个相邻的、随机的、小批量中的子序列不一定在原始序列上相邻
    random.shuffle(initial_indices)

    def data(pos):
        # 返回从 pos 位置开始的长度为 num_steps 的序列
        return corpus[pos : pos + num_steps]

    num_batches = num_subseqs // batch_size
    for i in range(0, batch_size * num_batches, batch_size):
        initial_indices_per_batch = initial_indices[i : i + batch_size]
        X = [data(j) for j in initial_indices_per_batch]
        Y = [data(j + 1) for j in initial_indices_per_batch]
        yield torch.tensor(X), torch.tensor(Y)


# --8<-- [end:seq_data_iter_random]


# --8<-- [start:seq_data_iter_sequential]
def seq_data_iter_sequential(corpus, batch_size: int, num_steps: int):
    """顺序分区：相邻两个小批量中同一行的子序列在语料中首尾相接（同 d2l）。

    Sequential partitioning: row ``i`` of batch ``k+1`` continues row ``i`` of batch ``k``.
    """
    # 从随机偏移量开始划分序列
    offset = random.randint(0, num_steps)
    num_tokens = ((len(corpus) - offset - 1) // batch_size) * batch_size
    Xs = torch.tensor(corpus[offset : offset + num_tokens])
    Ys = torch.tensor(corpus[offset + 1 : offset + 1 + num_tokens])
    Xs, Ys = Xs.reshape(batch_size, -1), Ys.reshape(batch_size, -1)
    num_batches = Xs.shape[1] // num_steps
    for i in range(0, num_steps * num_batches, num_steps):
        X = Xs[:, i : i + num_steps]
        Y = Ys[:, i : i + num_steps]
        yield X, Y


# --8<-- [end:seq_data_iter_sequential]


# --8<-- [start:SeqDataLoader]
class SeqDataLoader:
    """加载序列数据的迭代器（d2l 的 SeqDataLoader，读本站语料）；每次 ``iter()`` 都重新划分一遍语料。

    Iterable over ``(X, Y)`` minibatches of the character-level corpus; ``.corpus``, ``.vocab``
    and ``.info`` (a Chinese description of the data) are available.
    """

    def __init__(self, batch_size: int, num_steps: int, use_random_iter: bool, max_tokens: int):
        if use_random_iter:
            self.data_iter_fn = seq_data_iter_random
        else:
            self.data_iter_fn = seq_data_iter_sequential
        self.corpus, self.vocab = load_corpus(max_tokens)
        self.batch_size, self.num_steps = batch_size, num_steps
        self.use_random_iter = use_random_iter
        sampling = "随机采样" if use_random_iter else "顺序分区"
        self.info = (
            f"本站笔记的中文语料（dlnotes/data/corpus.txt 的前 {len(self.corpus)} 个字符，"
            f"字符级，词表大小 {len(self.vocab)}，{sampling}）"
        )

    def __iter__(self):
        return self.data_iter_fn(self.corpus, self.batch_size, self.num_steps)

    def __len__(self) -> int:
        """每个迭代周期的小批量个数（上界；两种采样的随机偏移都可能使实际少一个）。"""
        return (len(self.corpus) - 1) // self.num_steps // self.batch_size


def load_data_text(
    batch_size: int, num_steps: int, use_random_iter: bool = False, max_tokens: int = 10000
):
    """返回语料的迭代器和词表（相当于 d2l 的 ``load_data_time_machine``）。

    Return ``(data_iter, vocab)`` for the character-level corpus of the site's notes.
    """
    data_iter = SeqDataLoader(batch_size, num_steps, use_random_iter, max_tokens)
    return data_iter, data_iter.vocab


# --8<-- [end:SeqDataLoader]


# ---------------------------------------------------------------------------
# 命令行 Command line
# ---------------------------------------------------------------------------
def main(argv=None) -> int:
    """``python -m dlnotes.text --rebuild-corpus SEEDS_DIR``：重新生成固定语料文件。"""
    parser = argparse.ArgumentParser(
        prog="python -m dlnotes.text",
        description="重新生成字符级语料 dlnotes/data/corpus.txt（笔记的中文正文）/ "
        "rebuild the character-level corpus from the source notes",
    )
    parser.add_argument(
        "--rebuild-corpus",
        metavar="SEEDS_DIR",
        required=True,
        help="笔记目录（其中的 *.txt 按文件名排序读取）",
    )
    parser.add_argument(
        "--output", metavar="PATH", default=str(CORPUS_PATH), help=f"输出文件（默认 {CORPUS_PATH}）"
    )
    args = parser.parse_args(argv)
    text = build_corpus(args.rebuild_corpus)
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    lines = [line for line in text.split("\n") if line]
    chars = sum(len(line) for line in lines)
    vocab = len({c for line in lines for c in line})
    print(f"写入 {out}：{len(lines)} 行，{chars} 个字符，{vocab} 个不同字符")
    return 0


if __name__ == "__main__":
    sys.exit(main())
