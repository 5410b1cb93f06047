"""dlnotes.device 与 dlnotes 包的惰性导出。"""

import subprocess
import sys
from pathlib import Path

import pytest
import torch

import dlnotes
from dlnotes import device as dev


@pytest.fixture
def no_cuda(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 0)


@pytest.fixture
def two_gpus(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)


def test_cpu_and_auto_without_cuda(no_cuda, monkeypatch):
    monkeypatch.delenv("D2L_DEVICE", raising=False)
    assert dev.get_device("cpu") == torch.device("cpu")
    assert dev.get_device("auto") == torch.device("cpu")
    assert dev.get_device(None) == torch.device("cpu")
    assert dev.get_device(torch.device("cpu")) == torch.device("cpu")


def test_auto_with_cuda(two_gpus, monkeypatch):
    monkeypatch.delenv("D2L_DEVICE", raising=False)
    assert dev.get_device() == torch.device("cuda:0")
    assert dev.get_device("cuda") == torch.device("cuda:0")
    assert dev.get_device("cuda:1") == torch.device("cuda:1")
    assert dev.try_gpu(1) == torch.device("cuda:1")
    assert dev.try_gpu(2) == torch.device("cpu")
    assert dev.try_all_gpus() == [torch.device("cuda:0"), torch.device("cuda:1")]


def test_env_variable_is_read(no_cuda, monkeypatch):
    monkeypatch.setenv("D2L_DEVICE", "cuda")
    with pytest.raises(dev.DeviceError):
        dev.get_device()
    monkeypatch.setenv("D2L_DEVICE", "cpu")
    assert dev.get_device() == torch.device("cpu")


@pytest.mark.parametrize("name", ["cuda", "cuda:0", "gpu"])
def test_cuda_without_cuda_raises(no_cuda, name):
    with pytest.raises(dev.DeviceError) as info:
        dev.get_device(name)
    msg = str(info.value)
    assert "CUDA" in msg and "\n" not in msg
    assert isinstance(info.value, RuntimeError)


def test_cuda_index_out_of_range(two_gpus):
    with pytest.raises(dev.DeviceError, match="out of range"):
        dev.get_device("cuda:2")


@pytest.mark.parametrize("name", ["tpu", "cuda:x", "cpu0", ""])
def test_unknown_device_lists_choices(no_cuda, name):
    with pytest.raises(dev.DeviceError, match="valid choices"):
        dev.get_device(name)


def test_try_helpers_without_cuda(no_cuda):
    assert dev.try_gpu() == torch.device("cpu")
    assert dev.try_all_gpus() == [torch.device("cpu")]


def test_import_is_lazy():
    code = (
        "import sys, dlnotes; "
        "assert 'torch' not in sys.modules and 'matplotlib' not in sys.modules, sorted(sys.modules)"
    )
    root = Path(dlnotes.__file__).resolve().parent.parent
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root)


def test_lazy_names_resolve_to_their_modules():
    """每个惰性导出的名字都来自它登记的子模块（模块文件或包）。"""
    for name, module in dlnotes._LAZY.items():
        obj = getattr(dlnotes, name)
        assert obj is getattr(sys.modules[f"dlnotes.{module}"], name), name


def test_dir_and_unknown_attribute():
    assert {"get_device", "train_ch6", "load_data_fashion_mnist"} <= set(dir(dlnotes))
    assert set(dlnotes.__all__) >= set(dlnotes._LAZY)
    with pytest.raises(AttributeError):
        dlnotes.no_such_name  # noqa: B018
