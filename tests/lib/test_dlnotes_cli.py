"""dlnotes.cli.parse_args。"""

import sys
from pathlib import Path

import pytest
import torch

from dlnotes import cli

DOC = """测试程序。

说明文字。
"""


@pytest.fixture(autouse=True)
def no_cuda_plain_script(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 0)
    monkeypatch.delitem(sys.modules, "ipykernel", raising=False)
    monkeypatch.delenv("DLNOTES_ARGS", raising=False)
    monkeypatch.setattr(sys, "argv", ["x.py"])


def test_defaults():
    args = cli.parse_args(DOC, epochs=5, lr=0.9, batch_size=128, seed=0)
    assert vars(args) == {"epochs": 5, "lr": 0.9, "batch_size": 128, "seed": 0, "device": None}


def test_standard_flags_parse(monkeypatch):
    monkeypatch.setattr(
        sys,
        "argv",
        [
            "x.py",
            "--epochs",
            "2",
            "--lr",
            "0.5",
            "--batch-size",
            "64",
            "--device",
            "cpu",
            "--seed",
            "7",
        ],
    )
    args = cli.parse_args(DOC, epochs=10, lr=0.1, batch_size=256, seed=0)
    assert (args.epochs, args.lr, args.batch_size, args.device, args.seed) == (2, 0.5, 64, "cpu", 7)
    assert isinstance(args.lr, float) and isinstance(args.epochs, int)


def test_only_the_flags_a_program_uses(capsys):
    """不训练的程序没有训练参数；--device 随 epochs 出现；--full 只在有原书设置时出现。"""
    assert vars(cli.parse_args(DOC, argv=[])) == {}
    assert vars(cli.parse_args(DOC, argv=[], seed=3)) == {"seed": 3}
    for flag in ("--epochs", "--lr", "--device", "--full"):
        with pytest.raises(SystemExit) as info:
            cli.parse_args(DOC, argv=[flag, "1"], seed=0)
        assert info.value.code == 2
    assert "unrecognized arguments" in capsys.readouterr().err
    assert vars(cli.parse_args(DOC, argv=[], depth=5, device=True)) == {"depth": 5, "device": None}


def test_presets_fill_only_values_not_given():
    kw = dict(epochs=2, lr=0.2, resize=64, full=dict(epochs=10, lr=0.1, resize=224))
    args = cli.parse_args(None, argv=["--lr", "0.5"], **kw)
    assert (args.epochs, args.lr, args.resize, args.full) == (2, 0.5, 64, False)
    args = cli.parse_args(None, argv=["--full"], **kw)
    assert (args.epochs, args.lr, args.resize) == (10, 0.1, 224)
    args = cli.parse_args(None, argv=["--full", "--epochs", "1"], **kw)
    assert (args.epochs, args.lr, args.resize) == (1, 0.1, 224)  # 命令行优先于 --full


def test_zero_is_a_value_not_missing():
    """``None`` 才表示「没有给出」：``--lr 0``、``--epochs 0`` 是真正的值，即使有 --full 设置。"""
    kw = dict(epochs=2, lr=0.2, full=dict(epochs=10, lr=0.1))
    args = cli.parse_args(None, argv=["--lr", "0", "--epochs", "0"], **kw)
    assert (args.epochs, args.lr) == (0, 0.0)
    args = cli.parse_args(None, argv=["--full", "--lr", "0"], **kw)
    assert (args.epochs, args.lr) == (10, 0.0)
    assert cli.parse_args(None, argv=["--lr", "0"], lr=0.5).lr == 0.0


def test_full_keys_must_be_flags():
    with pytest.raises(TypeError, match="resize"):
        cli.parse_args(None, argv=[], epochs=2, full=dict(resize=224))


def test_help_shows_both_settings(capsys):
    with pytest.raises(SystemExit):
        cli.parse_args(DOC, argv=["--help"], epochs=2, ratio=8, full=dict(epochs=10, ratio=1))
    out = " ".join(capsys.readouterr().out.split())
    assert "默认 2；加 --full 时 10" in out and "默认 8；加 --full 时 1" in out
    assert "--full" in out and "--ratio 1" in out


def test_extra_keywords_become_typed_flags():
    args = cli.parse_args(
        DOC,
        argv=[
            "--num-hiddens",
            "64",
            "--dropout",
            "0.2",
            "--verbose",
            "--no-use-bias",
            "--name",
            "b",
        ],
        num_hiddens=256,
        dropout=0.5,
        verbose=False,
        use_bias=True,
        name="a",
    )
    assert args.num_hiddens == 64 and isinstance(args.num_hiddens, int)
    assert args.dropout == 0.2
    assert args.verbose is True
    assert args.use_bias is False
    assert args.name == "b"


def test_bad_type_exits_2():
    with pytest.raises(SystemExit) as info:
        cli.parse_args(DOC, argv=["--num-hiddens", "many"], num_hiddens=256)
    assert info.value.code == 2


@pytest.mark.parametrize("device", ["cuda", "tpu"])
def test_bad_device_exits_2_with_one_line(device, capsys):
    with pytest.raises(SystemExit) as info:
        cli.parse_args(DOC, argv=["--device", device], epochs=1)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert "error:" in err and device in err and "Traceback" not in err


def test_help_uses_docstring(capsys):
    with pytest.raises(SystemExit) as info:
        cli.parse_args(DOC, argv=["--help"], num_hiddens=256, batch_size=256)
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "测试程序。" in out and "--num-hiddens" in out and "--batch-size" in out


def _fake_kernel(monkeypatch):
    monkeypatch.setitem(sys.modules, "ipykernel", object())
    monkeypatch.setattr(
        sys,
        "argv",
        ["/usr/lib/python3/site-packages/ipykernel_launcher.py", "-f", "/tmp/kernel-abc.json"],
    )


def test_kernel_ignores_argv(monkeypatch):
    _fake_kernel(monkeypatch)
    assert cli.in_kernel()
    args = cli.parse_args(DOC, epochs=5)
    assert args.epochs == 5


def test_kernel_reads_dlnotes_args(monkeypatch):
    _fake_kernel(monkeypatch)
    monkeypatch.setenv("DLNOTES_ARGS", "--epochs 3 --num-hiddens ' 32'")
    args = cli.parse_args(DOC, epochs=5, num_hiddens=256)
    assert (args.epochs, args.num_hiddens) == (3, 32)


def test_kernel_ignores_flags_the_page_does_not_have(monkeypatch):
    """同一个 $DLNOTES_ARGS（如 ``--epochs 10 --full``）用于所有页面：不训练的页面忽略它。"""
    _fake_kernel(monkeypatch)
    monkeypatch.setenv("DLNOTES_ARGS", "--epochs 10 --full --seed 2")
    assert vars(cli.parse_args(DOC, seed=0)) == {"seed": 2}
    args = cli.parse_args(DOC, epochs=2, lr=0.2, full=dict(lr=0.1))
    assert (args.epochs, args.lr, args.full) == (10, 0.1, True)


def test_not_a_kernel_when_ipykernel_only_imported(monkeypatch):
    monkeypatch.setitem(sys.modules, "ipykernel", object())
    monkeypatch.setattr(sys, "argv", ["snippets/lenet.py", "--epochs", "4"])
    assert not cli.in_kernel()
    assert cli.parse_args(DOC, epochs=5).epochs == 4


def test_inside_a_real_kernel(tmp_path, monkeypatch):
    """在真正的 Jupyter 内核里：忽略内核的 argv，读取 $DLNOTES_ARGS；report_result 以 MIME 显示。"""
    import jupyter_client.manager

    import dlnotes

    root = Path(dlnotes.__file__).resolve().parent.parent
    monkeypatch.setenv("PYTHONPATH", str(root))
    monkeypatch.setenv("DLNOTES_ARGS", "--epochs 3 --num-hiddens 7")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    km, kc = jupyter_client.manager.start_new_kernel(kernel_name="python3", cwd=str(tmp_path))
    try:
        code = (
            "import dlnotes\n"
            "args = dlnotes.parse_args(None, epochs=5, num_hiddens=256)\n"
            "print(args.epochs, args.num_hiddens, args.device)\n"
            "rec = dlnotes.report_result('kernel test', test_acc=0.5, device='cpu')\n"
        )
        outputs = []
        reply = kc.execute_interactive(code, timeout=60, output_hook=outputs.append)
        assert reply["content"]["status"] == "ok", reply["content"]
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    streams = "".join(m["content"]["text"] for m in outputs if m["msg_type"] == "stream")
    assert streams == "3 7 None\n"
    (shown,) = [m["content"]["data"] for m in outputs if m["msg_type"] == "display_data"]
    assert shown["application/vnd.dlnotes.result+json"]["name"] == "kernel test"
    assert shown["text/plain"].startswith("kernel test：")
