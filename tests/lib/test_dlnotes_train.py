"""dlnotes.train（train_ch3 / train_ch6）与 dlnotes.results.report_result。"""

import json
import re
import sys
import types
import warnings

import matplotlib
import pytest
import torch
from torch import nn

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

import dlnotes  # noqa: E402
from dlnotes import results  # noqa: E402
from dlnotes.data import TensorLoader  # noqa: E402

KEYS = {
    "train_loss",
    "train_acc",
    "test_acc",
    "examples_per_sec",
    "epochs",
    "lr",
    "batch_size",
    "device",
    "data",
    "is_sample",
    "seconds",
    "settings",
    "history",
}
EPOCH_LINE = re.compile(
    r"^迭代周期 \d+：损失 \d+\.\d{3}，训练精度 [01]\.\d{3}，测试精度 [01]\.\d{3}$"
)


def blobs(n, seed):
    """两类可分的 1×4×4 "图像"：类别 1 的像素均值高。"""
    g = torch.Generator().manual_seed(seed)
    y = torch.arange(n) % 2
    X = torch.rand(n, 1, 4, 4, generator=g) * 0.5 + y.view(-1, 1, 1, 1) * 0.5
    return X, y


@pytest.fixture
def loaders():
    Xtr, ytr = blobs(256, 0)
    Xte, yte = blobs(64, 1)
    info = "toy blobs"
    train = TensorLoader(Xtr, ytr, 32, shuffle=True, info=info, is_sample=True)
    test = TensorLoader(Xte, yte, 32, info=info, is_sample=True)
    return train, test


@pytest.fixture(autouse=True)
def no_results_file(monkeypatch):
    monkeypatch.delenv("DLNOTES_RESULTS_FILE", raising=False)
    yield
    plt.close("all")


def test_accuracy():
    y_hat = torch.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
    assert dlnotes.accuracy(y_hat, torch.tensor([0, 2])) == 1.0
    assert dlnotes.accuracy(torch.tensor([1, 2]), torch.tensor([1, 2])) == 2.0


def test_evaluate_accuracy_restores_train_mode(loaders):
    _, test = loaders
    net = nn.Sequential(nn.Flatten(), nn.Dropout(0.5), nn.Linear(16, 2))
    net.train()
    acc = dlnotes.evaluate_accuracy(net, test)
    assert 0.0 <= acc <= 1.0 and net.training
    assert dlnotes.evaluate_accuracy_gpu(net, test) == pytest.approx(
        acc
    )  # eval mode: deterministic


def test_train_ch3_optimizer(loaders, capsys, tmp_path, monkeypatch):
    train, test = loaders
    torch.manual_seed(0)
    net = nn.Sequential(nn.Flatten(), nn.Linear(16, 2))
    out_file = tmp_path / "results.jsonl"
    monkeypatch.setenv("DLNOTES_RESULTS_FILE", str(out_file))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # Agg backend: plt.show() is a no-op
        m = dlnotes.train_ch3(
            net,
            train,
            test,
            nn.CrossEntropyLoss(reduction="none"),
            3,
            torch.optim.SGD(net.parameters(), lr=0.5),
            name="toy softmax",
        )
    assert set(m) == KEYS
    assert m["test_acc"] > 0.9 and m["train_acc"] > 0.8
    assert 0 < m["train_loss"] < 0.7  # below log(2) = chance
    assert m["examples_per_sec"] > 0 and m["epochs"] == 3 and m["lr"] == 0.5
    assert m["batch_size"] == 32 and m["device"] == "cpu" and m["data"] == "toy blobs"
    assert m["is_sample"] is True
    lines = capsys.readouterr().out.splitlines()
    assert [bool(EPOCH_LINE.match(line)) for line in lines[:3]] == [True] * 3
    assert lines[3].startswith("损失 ") and lines[4].endswith("个样本（examples/sec），设备 cpu")
    assert lines[5] == "数据：toy blobs；设备：cpu；迭代周期 3，学习率 0.5，批量大小 32"
    assert len(plt.get_fignums()) == 1  # the curves are drawn once
    (record,) = [json.loads(line) for line in out_file.read_text().splitlines()]
    assert record["name"] == "toy softmax" and record["test_acc"] == m["test_acc"]
    # 每次运行都保存逐轮曲线（与打印的每一行一致）和训练用时
    assert record["history"] == m["history"]
    assert [len(v) for v in m["history"].values()] == [3, 3, 3]
    assert m["history"]["test_acc"][-1] == round(m["test_acc"], 4)
    assert m["seconds"] > 0 and m["settings"] == {}


def test_train_ch3_scratch_updater(loaders, capsys):
    train, test = loaders
    W = torch.normal(0, 0.01, size=(16, 2), requires_grad=True)
    b = torch.zeros(2, requires_grad=True)

    def net(X):
        return X.reshape(-1, 16) @ W + b

    def cross_entropy(y_hat, y):
        return -torch.log_softmax(y_hat, dim=1)[range(len(y_hat)), y]

    def updater(batch_size):
        dlnotes.sgd([W, b], 0.5, batch_size)

    m = dlnotes.train_ch3(net, train, test, cross_entropy, 2, updater, lr=0.5, plot=False)
    assert m["lr"] == 0.5 and m["test_acc"] > 0.9
    assert plt.get_fignums() == []


def test_train_ch3_mean_loss(loaders):
    """标量（均值）损失也能得到正确的平均损失。"""
    train, test = loaders
    torch.manual_seed(0)
    net = nn.Sequential(nn.Flatten(), nn.Linear(16, 2))
    loss_none = nn.CrossEntropyLoss(reduction="none")
    with torch.no_grad():
        before = sum(float(loss_none(net(X), y).sum()) for X, y in test) / test.num_examples
    opt = torch.optim.SGD(net.parameters(), lr=0.0)  # lr 0: the loss is just evaluated
    loss, _ = dlnotes.train_epoch_ch3(net, test, nn.CrossEntropyLoss(), opt)
    assert loss == pytest.approx(before, rel=1e-5)


def test_train_ch6_records_result(loaders, capsys, tmp_path, monkeypatch):
    train, test = loaders
    torch.manual_seed(0)
    net = nn.Sequential(
        nn.Conv2d(1, 2, kernel_size=3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(32, 2)
    )
    out_file = tmp_path / "results.jsonl"
    monkeypatch.setenv("DLNOTES_RESULTS_FILE", str(out_file))
    m = dlnotes.train_ch6(net, train, test, 2, 0.5, "cpu", name="toy cnn", plot=False)
    assert set(m) == KEYS and m["device"] == "cpu" and m["lr"] == 0.5
    assert m["test_acc"] > 0.9
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "训练设备：cpu" and EPOCH_LINE.match(out[1])
    record = json.loads(out_file.read_text())
    assert record["name"] == "toy cnn" and record["epochs"] == 2 and record["data"] == "toy blobs"
    assert record["torch"] == torch.__version__ and record["is_sample"] is True


def test_train_ch6_rejects_unavailable_device(loaders, monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    train, test = loaders
    net = nn.Sequential(nn.Flatten(), nn.Linear(16, 2))
    with pytest.raises(dlnotes.DeviceError):
        dlnotes.train_ch6(net, train, test, 1, 0.1, "cuda", plot=False)


def test_report_result_file_and_provenance(tmp_path, monkeypatch, capsys):
    out_file = tmp_path / "r.jsonl"
    monkeypatch.setenv("DLNOTES_RESULTS_FILE", str(out_file))
    rec = results.report_result(
        "MLP", test_acc=torch.tensor(0.8125), epochs=2, data="d", device="cpu"
    )
    results.report_result("MLP2", test_acc=float("nan"))
    assert capsys.readouterr().out == ""  # prints nothing
    lines = [json.loads(x) for x in out_file.read_text(encoding="utf-8").splitlines()]
    assert lines[0] == rec
    assert rec["name"] == "MLP" and rec["test_acc"] == 0.8125 and rec["data"] == "d"
    assert rec["device"] == "cpu" and rec["python"].startswith("3.")
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$", rec["date"])
    assert lines[1]["test_acc"] is None and lines[1]["data"] is None


def test_report_result_displays_in_ipython(monkeypatch):
    import IPython
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython, "get_ipython", lambda: object())
    monkeypatch.setattr(IPython.display, "display", lambda obj, raw: shown.append((obj, raw)))
    rec = results.report_result("LeNet", test_acc=0.75, data="样本", device="cpu")
    ((obj, raw),) = shown
    assert raw is True and obj[results.RESULT_MIME] == rec
    assert obj["text/plain"].startswith("LeNet：") and "\n" not in obj["text/plain"]


def test_report_result_outside_ipython_displays_nothing(monkeypatch):
    fake = types.SimpleNamespace(display=lambda *a, **k: pytest.fail("display called"))
    monkeypatch.setitem(sys.modules, "IPython.display", fake)
    import IPython

    monkeypatch.setattr(IPython, "get_ipython", lambda: None)
    assert results.report_result("x", a=1)["a"] == 1


def test_train_ch3_with_plain_dataloader(capsys):
    """任意 (X, y) 可迭代对象都可以：吞吐量按实际样本数计算，data 退回为类名。"""
    Xtr, ytr = blobs(128, 2)
    train = dlnotes.load_array((Xtr, ytr), 32)
    test = dlnotes.load_array(blobs(64, 3), 32, is_train=False)
    net = nn.Sequential(nn.Flatten(), nn.Linear(16, 2))
    m = dlnotes.train_ch3(
        net,
        train,
        test,
        nn.CrossEntropyLoss(),
        1,
        torch.optim.SGD(net.parameters(), lr=0.5),
        plot=False,
    )
    assert m["examples_per_sec"] > 0 and m["data"] == "DataLoader" and m["is_sample"] is None
    assert m["batch_size"] == 32
