"""Writing output: every file atomically, never outside the output folder."""

from __future__ import annotations

import errno
import fcntl
import os
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import BuildError, display_path, shown
from .messages import Msg

# The temporary files of write_atomic: '.notice.pdf.3f9a0c1e.tmp' (8 random characters; the
# letters and '_' of mkstemp's names, which earlier versions used, are matched too)
TEMPORARY = re.compile(r"\..+\.[a-z0-9_]{8}\.tmp")


class WriteError(BuildError):
    """A file could not be written (read-only folder, full disk ...); what was there is intact."""


def safe_path(out: Path, *parts: str) -> Path:
    """`out/part/...`, refusing any part that would lead outside `out`, also through a symlink."""
    odd = any(p in ("", ".", "..") or any(c in p for c in "/\\\0") for p in parts)
    try:
        target = out.resolve() if odd else out.joinpath(*parts).resolve()  # resolve() fails on NUL
        inside = target.is_relative_to(out.resolve())
    except (OSError, RuntimeError):  # a symbolic link loop
        odd, inside = True, False
    if odd or not inside:
        raise BuildError(Msg("refused to write outside the output folder: {path}",
                             path=shown("/".join(parts))))
    return target


_ADVICE = {errno.ENOSPC: Msg("free some space on the disk"),
           errno.EDQUOT: Msg("free some space on the disk"),
           errno.EROFS: Msg("choose a folder on a disk that can be written"),
           errno.EACCES: Msg("make the folder writable for you, or choose another one"),
           errno.EPERM: Msg("make the folder writable for you, or choose another one")}


def write_error(folder: Path, exc: OSError) -> WriteError:
    """One line for a failed write: the folder (never the file's name, which may come from a
    roster's class), what the system said, what to do."""
    reason = exc.strerror or type(exc).__name__
    advice = _ADVICE.get(exc.errno or 0, Msg("check the folder and the disk"))
    return WriteError(Msg("cannot write into {folder}/: {reason}: {advice}, then run the command "
                          "again; the files already there are unchanged",
                          folder=shown(display_path(folder), 200), reason=reason, advice=advice))


def write_atomic(path: Path, data: bytes | str, *, mode: int = 0o644) -> bool:
    """Write via a temporary file and a rename, so readers see the old or the new file, never
    half of one. Returns False (and leaves the file alone) when the content is unchanged.
    `mode` 0o600 keeps personal data (roster sheets) readable by their owner only."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        if path.stat().st_size == len(payload) and path.read_bytes() == payload:
            return False
    except OSError:  # not there, or not readable: writing it says what is wrong
        pass
    try:
        fd, tmp = _temporary(path)
    except OSError as exc:
        raise write_error(path.parent, exc) from None
    try:
        with os.fdopen(fd, "wb") as fp:
            os.fchmod(fd, mode)
            # no fsync: the rename is atomic for readers and against a killed build; a power
            # failure is left to the file system (syncing thousands of small files is slow)
            fp.write(payload)
        os.replace(tmp, path)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise write_error(path.parent, exc) from None
        raise
    return True


def private_folder(path: Path) -> None:
    """Create `path` readable by its owner only (mode 0700), for personal data; a folder that
    is there already keeps its mode."""
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise write_error(path, exc) from None


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
    try:
        out.mkdir(parents=True, exist_ok=True)
        fd = os.open(out, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as exc:
        raise write_error(out, exc) from None
    CLAIMS.add(fd)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildError(Msg("another build is writing into {folder}/ right now: wait until it "
                                 "has finished, then build again", folder=display_path(out))) from None
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
                try:
                    path.unlink(missing_ok=True)
                except OSError:  # a read-only folder: the build itself will say so
                    continue
                removed.append(path)
    return removed
