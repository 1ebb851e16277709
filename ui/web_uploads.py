"""Where an uploaded CV is kept: copied into the data dir under its own name, made safe.

No Gradio here: these take paths and return paths or the library's ``FileResult`` for a file that
can't be kept, so the upload callbacks only report what happened.
"""
from __future__ import annotations

import hashlib
import re
import shutil
import unicodedata
from pathlib import Path

_BAD_NAME_CHARS = re.compile(r'[\x00-\x1f\x7f<>:"|?*]')


def safe_upload_name(name: str, max_len: int = 150) -> str:
    """The file name an upload is stored (and cited) under: its own base name, made safe.

    Path parts (``../``, ``C:\\``, ``/etc/``) are dropped, so the file always lands directly in the
    upload folder; control and shell-special characters go; a name that is empty or only dots becomes
    ``upload``; very long names keep their extension.
    """
    name = unicodedata.normalize("NFC", str(name or ""))
    name = re.split(r"[\\/]", name)[-1]
    name = _BAD_NAME_CHARS.sub("", name).strip().strip(".").strip()
    name = name.lstrip("~$").strip() or "upload"
    if len(name) > max_len:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            name = stem[: max_len - len(ext) - 1].rstrip() + "." + ext
        else:
            name = name[:max_len]
    return name


def stage_upload(tmp_path: str, uploads: Path, max_bytes: int) -> tuple[Path | None, str, object | None, bool]:
    """Copy one uploaded file into the data dir under its own (safe) name.

    Returns (staged path, source name, failure FileResult or None, whether that exact file was
    there already). Each upload goes to
    ``home/uploads/<content hash>/<name>``: a name can't leave that folder, and two different files
    with the same name don't overwrite each other on disk.
    """
    from recruiter.assistant.library import FileResult
    src = Path(tmp_path)
    name = safe_upload_name(src.name)
    try:
        size = src.stat().st_size
    except OSError as e:
        return None, name, FileResult(str(src), name, "failed", reason="unreadable",
                                      message=f"Could not read the upload of {name}: {e.strerror}. Upload it again."), False
    if size > max_bytes:
        return None, name, FileResult(
            str(src), name, "failed", reason="too_large",
            message=f"{name} is {size / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.1f} MB. "
                    f"Upload a smaller file (e.g. a PDF without scanned images) or raise RECRUITER_MAX_FILE_MB."), False
    h = hashlib.sha256()
    with open(src, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    dest_dir = (uploads / h.hexdigest()[:16]).resolve()
    dest = (dest_dir / name).resolve()
    if dest.parent != dest_dir or not dest.is_relative_to(uploads):
        return None, name, FileResult(str(src), name, "failed", reason="bad_name",
                                      message=f"{name!r} is not a usable file name. Rename the file and upload it again."), False
    dest_dir.mkdir(parents=True, exist_ok=True)
    existed = dest.exists()
    if not existed:
        shutil.copyfile(src, dest)
    return dest, name, None, existed


def discard_failed(results, existed: dict[str, bool], uploads: Path) -> None:
    """Delete the staged copy of every file the library could not read (unless it was there before)."""
    for r in results:
        if r.status == "failed" and not existed.get(r.path):
            p = Path(r.path)
            if p.is_relative_to(uploads):
                p.unlink(missing_ok=True)
                try:
                    p.parent.rmdir()
                except OSError:
                    pass


def remove_temp_files(files) -> None:
    """The copies in Gradio's temp folder are no longer needed once staged."""
    for f in files:
        try:
            Path(str(f)).unlink(missing_ok=True)
        except OSError:
            pass
