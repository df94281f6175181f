"""Writing output: every file atomically, never outside the output folder."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import BuildError, shown


def safe_path(out: Path, *parts: str) -> Path:
    """`out/part/...`, refusing any part that would lead outside `out`, also through a symlink."""
    odd = any(p in ("", ".", "..") or any(c in p for c in "/\\\0") for p in parts)
    target = out.resolve() if odd else out.joinpath(*parts).resolve()  # resolve() fails on NUL
    if odd or not target.is_relative_to(out.resolve()):
        raise BuildError(f"refused to write outside the output folder: {shown('/'.join(parts))}")
    return target


def write_atomic(path: Path, data: bytes | str) -> bool:
    """Write via a temporary file and a rename, so readers see the old or the new file, never
    half of one. Returns False (and leaves the file alone) when the content is unchanged."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    if path.is_file() and path.stat().st_size == len(payload) and path.read_bytes() == payload:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fp:
            fp.write(payload)
            fp.flush()
            os.fsync(fp.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True
