"""执行缓存的条目接口（engine/cache.py）：读、核对、合并。"""

from __future__ import annotations

import json

import pytest

from execbook.engine.cache import Cache, checksum, make_entry, read_entry


def test_merge_rejects_tampered_entries(tmp_path):
    a, b = Cache(tmp_path / "a"), Cache(tmp_path / "b")
    a.put("aa" + "0" * 62, {"page": "p.md", "lineno": 1, "outputs": []})
    b.put("bb" + "1" * 62, {"page": "q.md", "lineno": 3, "outputs": []})
    stats = Cache(tmp_path / "c").merge([tmp_path / "a", tmp_path / "b"])
    assert stats == {"added": 2, "present": 0, "bad": []}
    assert Cache(tmp_path / "c").get("bb" + "1" * 62)["lineno"] == 3
    assert Cache(tmp_path / "c").merge([tmp_path / "a"])["present"] == 1
    bad = b.path("bb" + "1" * 62)
    bad.write_text(bad.read_text().replace('"lineno": 3', '"lineno": 4'))
    stats = Cache(tmp_path / "d").merge([tmp_path / "b"])
    assert stats["added"] == 0 and len(stats["bad"]) == 1 and "校验和不符" in stats["bad"][0]
    assert str(bad) in stats["bad"][0]


def test_read_entry_rejects_an_entry_whose_key_differs_from_its_file_name(tmp_path):
    path = tmp_path / "ab" / "ab12.json"
    path.parent.mkdir()
    path.write_text(json.dumps(make_entry("ab99", {"page": "p.md"})), encoding="utf-8")
    with pytest.raises(ValueError, match="键与文件名不符"):
        read_entry(path)


def test_entries_yields_good_entries_and_names_bad_files(tmp_path):
    cache = Cache(tmp_path)
    cache.put("aa11", {"page": "p.md", "lineno": 1, "outputs": []})
    broken = cache.path("bb22")
    broken.parent.mkdir(parents=True)
    broken.write_text('{"checksum": "0", "payload": {}}', encoding="utf-8")
    found = dict(cache.entries())
    assert found[cache.path("aa11")]["checksum"] == checksum(found[cache.path("aa11")]["payload"])
    assert isinstance(found[broken], ValueError) and "bb22.json" in str(found[broken])
