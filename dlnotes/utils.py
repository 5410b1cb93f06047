"""小工具：计时器、累加器、随机种子。Timer, Accumulator, set_seed."""

from __future__ import annotations

import random
import time

__all__ = ["Timer", "Accumulator", "set_seed"]


# --8<-- [start:Timer]
class Timer:
    """记录多次运行时间（方法与 d2l 的 Timer 相同，用 time.perf_counter 计时）。Record multiple running times."""

    def __init__(self):
        self.times: list[float] = []
        self.start()

    def start(self) -> None:
        """启动计时器。Start the timer."""
        self.tik = time.perf_counter()

    def stop(self) -> float:
        """停止计时并把这段时间记入列表，返回这段时间（秒）。"""
        self.times.append(time.perf_counter() - self.tik)
        return self.times[-1]

    def avg(self) -> float:
        """平均时间。Average time."""
        return sum(self.times) / len(self.times) if self.times else 0.0

    def sum(self) -> float:
        """总时间。Total time."""
        return sum(self.times)

    def cumsum(self) -> list[float]:
        """累计时间。Cumulative times."""
        out, total = [], 0.0
        for t in self.times:
            total += t
            out.append(total)
        return out


# --8<-- [end:Timer]


# --8<-- [start:Accumulator]
class Accumulator:
    """在 n 个变量上累加（同 d2l，另外检查每次给出的值的个数，并支持 len()）。Accumulate sums over n variables."""

    def __init__(self, n: int):
        self.data = [0.0] * n

    def add(self, *args) -> None:
        """逐项累加。Add each argument to the corresponding slot."""
        if len(args) != len(self.data):
            raise ValueError(f"Accumulator expects {len(self.data)} values, got {len(args)}")
        self.data = [a + float(b) for a, b in zip(self.data, args, strict=True)]

    def reset(self) -> None:
        """清零。Reset all slots to 0."""
        self.data = [0.0] * len(self.data)

    def __getitem__(self, idx):
        return self.data[idx]

    def __len__(self) -> int:
        return len(self.data)


# --8<-- [end:Accumulator]


def set_seed(seed: int = 0) -> None:
    """为 ``random``、NumPy、PyTorch（以及 CUDA，如可用）设置随机种子。"""
    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # also seeds all CUDA devices
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)
