"""Writing output: every file atomically, never outside the output folder."""

from __future__ import annotations

import fcntl
import os
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import BuildError, display_path, shown

# The temporary files of write_atomic: '.notice.pdf.3f9a0c1e.tmp' (8 random characters; the
# letters and '_' of mkstemp's names, which earlier versions used, are matched too)
TEMPORARY = re.compile(r"\..+\.[a-z0-9_]{8}\.tmp")


def safe_path(out: Path, *parts: str) -> Path:
    """`out/part/...`, refusing any part that would lead outside `out`, also through a symlink."""
    odd = any(p in ("", ".", "..") or any(c in p for c in "/\\\0") for p in parts)
    target = out.resolve() if odd else out.joinpath(*parts).resolve()  # resolve() fails on NUL
    if odd or not target.is_relative_to(out.resolve()):
        raise BuildError(f"refused to write outside the output folder: {shown('/'.join(parts))}")
    return target


def write_atomic(path: Path, data: bytes | str, *, mode: int = 0o644) -> bool:
    """Write via a temporary file and a rename, so readers see the old or the new file, never
    half of one. Returns False (and leaves the file alone) when the content is unchanged.
    `mode` 0o600 keeps personal data (roster sheets) readable by their owner only."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        if path.stat().st_size == len(payload) and path.read_bytes() == payload:
            return False
    except (FileNotFoundError, IsADirectoryError):
        pass
    fd, tmp = _temporary(path)
    try:
        with os.fdopen(fd, "wb") as fp:
            os.fchmod(fd, mode)
            # no fsync: the rename is atomic for readers and against a killed build; a power
            # failure is left to the file system (syncing thousands of small files is slow)
            fp.write(payload)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return True


def _temporary(path: Path) -> tuple[int, Path]:
    """A new file beside `path`, named like TEMPORARY, opened for writing (what mkstemp does,
    with fewer system calls: a county build writes thousands of files)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | \
        getattr(os, "O_CLOEXEC", 0)
    while True:
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
        try:
            return os.open(tmp, flags, 0o600), tmp
        except FileExistsError:
            continue  # the name of another build's temporary file: draw again
        except FileNotFoundError:
            if path.parent.is_dir():
                raise
            path.parent.mkdir(parents=True, exist_ok=True)  # the first file of a new folder


@contextmanager
def claimed(out: Path) -> Iterator[None]:
    """Hold the output folder for one build: a second build at the same time is refused, and
    temporary files left by an earlier build that was killed are removed.

    The lock is an flock on the folder itself, so it leaves no file behind and ends with the
    process, however it ends."""
    out.mkdir(parents=True, exist_ok=True)
    fd = os.open(out, os.O_RDONLY | os.O_DIRECTORY)
    CLAIMS.add(fd)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildError(f"another build is writing into {display_path(out)}/ right now: "
                             "wait until it has finished, then build again") from None
        remove_stale_temporaries(out)
        yield
    finally:
        CLAIMS.discard(fd)
        os.close(fd)


CLAIMS: set[int] = set()  # open claims; forked workers let go of them (release_claims)


def release_claims() -> None:
    """In a forked worker: close the inherited lock, so that it ends with the build itself."""
    for fd in list(CLAIMS):
        os.close(fd)
    CLAIMS.clear()


def remove_stale_temporaries(out: Path) -> list[Path]:
    """Delete the temporary files of write_atomic under `out`; returns what was removed."""
    removed = []
    for folder, _, names in os.walk(out):
        for name in names:
            if TEMPORARY.fullmatch(name):
                path = Path(folder) / name
                path.unlink(missing_ok=True)
                removed.append(path)
    return removed
