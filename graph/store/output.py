"""Every output file is written here: a set of files appears complete or not at all.

``write_set`` writes all files of a set (Turtle + N-Triples of a build; the two KGX files;
one export file) into a fresh staging folder inside the target folder, fsyncs them and the
staging folder, then commits: it writes a journal naming the staging folder and its files
(atomically, by rename), renames each file into place, fsyncs the folder and removes the
journal. A run killed before the journal exists leaves the old set untouched; a run killed
after it is completed by the next run that writes to the folder (``recover``), so the set is
the complete old one or the complete new one. Staging folders and journals have names that
the next run cleans up. A writer holds an exclusive lock (``flock``) on the folder for the
whole commit, so two builds into one folder take turns.

Files are created with mode 0666 less the umask, as any other tool's output. A target that
exists and is not a regular file (a directory, a device, a FIFO, a symlink such as
``/dev/stdout``) is refused, never replaced. Every ``OSError`` becomes one ``OutputError``
naming the path.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import shutil
import stat
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Mapping

from vexas_kg.errors import OutputError

STAGING_PREFIX = ".vexas-kg-staging-"
JOURNAL = ".vexas-kg-commit.json"
LOCK_WAIT_S = 60.0
"""How long a writer waits for another run writing to the same folder before giving up."""

Content = str | bytes


def write_set(files: Mapping[Path, Content], *, lock_wait_s: float = LOCK_WAIT_S) -> list[Path]:
    """Write ``files`` (all in one folder) so that they replace the old set together; return their paths."""
    if not files:
        return []
    folders = {path.parent for path in files}
    if len(folders) != 1:
        raise OutputError(f"the files of one output set must share a folder, not {sorted(map(str, folders))}")
    folder = folders.pop()
    names = sorted(path.name for path in files)
    for name in names:
        if name.startswith((STAGING_PREFIX, JOURNAL)):
            raise OutputError(f"{folder / name}: this name is reserved for vexas-kg's temporary files")
    _refuse_non_regular([folder / name for name in names])
    created = _make_folder(folder)
    try:
        with locked(folder, lock_wait_s):
            recover(folder)
            _refuse_non_regular([folder / name for name in names])
            staging = _stage(folder, {path.name: content for path, content in files.items()})
            _commit(folder, staging, names)
    except OSError as exc:
        if created:
            _remove_if_empty(folder)
        raise OutputError(f"cannot write {_where(exc, folder)}: {_reason(exc)}") from None
    except BaseException:
        if created:
            _remove_if_empty(folder)
        raise
    return [folder / name for name in names]


def write_stdout(content: Content) -> None:
    """Write one output to standard output (``--out -``)."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    except OSError as exc:
        raise OutputError(f"cannot write to standard output: {exc.strerror or exc}") from None


def recover(folder: Path) -> None:
    """Finish a commit a killed run left (its journal names a complete staging folder) and drop stale staging."""
    journal = folder / JOURNAL
    try:
        if journal.is_file():
            record = json.loads(journal.read_text(encoding="utf-8"))
            staging = folder / record["staging"]
            for name in record["files"]:
                if (staging / name).exists():
                    os.replace(staging / name, folder / name)
            _fsync_folder(folder)
            journal.unlink()
            _fsync_folder(folder)
        for entry in folder.iterdir():
            if entry.name.startswith(STAGING_PREFIX) and entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
    except OSError as exc:
        raise OutputError(f"cannot finish an interrupted write in {folder}: {_reason(exc)}") from None
    except (ValueError, KeyError, TypeError):
        raise OutputError(f"{journal} is not a journal vexas-kg wrote; remove it by hand") from None


@contextmanager
def locked(folder: Path, wait_s: float = LOCK_WAIT_S) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``folder`` (waiting up to ``wait_s`` for another writer)."""
    try:
        handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as exc:
        raise OutputError(f"cannot open the output folder {folder}: {_reason(exc)}") from None
    try:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise OutputError(f"another vexas-kg run is writing to {folder} (waited {wait_s:g} s); "
                                      "try again when it has finished") from None
                time.sleep(0.05)
        yield
    finally:
        os.close(handle)


def _refuse_non_regular(paths: list[Path]) -> None:
    for path in paths:
        try:
            mode = path.lstat().st_mode
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise OutputError(f"cannot write {path}: {_reason(exc)}") from None
        if not stat.S_ISREG(mode):
            raise OutputError(f"{path} exists and is not a regular file ({_kind(mode)}); it is left as it is — "
                              "remove it or choose another output path (--out - writes to standard output)")


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a directory"), (stat.S_ISLNK, "a symbolic link"), (stat.S_ISFIFO, "a FIFO"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a regular file"


def _make_folder(folder: Path) -> bool:
    """Create ``folder`` (and parents) if missing; True if this call created it."""
    if folder.is_dir():
        return False
    if folder.exists() or folder.is_symlink():
        raise OutputError(f"{folder} exists and is not a folder; it is left as it is")
    try:
        folder.mkdir(parents=True)
        return True
    except FileExistsError:
        if folder.is_dir():
            return False
        raise OutputError(f"{folder} exists and is not a folder; it is left as it is") from None
    except OSError as exc:
        raise OutputError(f"cannot create the output folder {_where(exc, folder)}: {_reason(exc)}") from None


def _stage(folder: Path, contents: Mapping[str, Content]) -> Path:
    try:
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=folder))
    except OSError as exc:
        raise OutputError(f"cannot write in {folder}: {_reason(exc)}") from None
    try:
        for name, content in contents.items():
            _write_file(staging / name, content.encode("utf-8") if isinstance(content, str) else content,
                        folder / name)
        _fsync_folder(staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return staging


def _write_file(path: Path, data: bytes, target: Path) -> None:
    try:
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(handle, view):]
            os.fsync(handle)
        finally:
            os.close(handle)
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {_reason(exc)}") from None


def _commit(folder: Path, staging: Path, names: list[str]) -> None:
    journal_temp = staging / JOURNAL
    try:
        _write_file(journal_temp, json.dumps({"staging": staging.name, "files": names}).encode("utf-8"),
                    folder / JOURNAL)
        os.replace(journal_temp, folder / JOURNAL)
        _fsync_folder(folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    try:
        for name in names:
            os.replace(staging / name, folder / name)
        _fsync_folder(folder)
        (folder / JOURNAL).unlink()
        staging.rmdir()
        _fsync_folder(folder)
    except OSError as exc:
        raise OutputError(f"cannot finish writing {_where(exc, folder)}: {_reason(exc)}; the next run into "
                          f"{folder} completes it") from None


def _fsync_folder(folder: Path) -> None:
    handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(handle)
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.EROFS):  # some file systems cannot sync a folder
            raise
    finally:
        os.close(handle)


def _remove_if_empty(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:
        pass


def _where(exc: OSError, default: Path) -> str:
    return str(exc.filename) if exc.filename else str(default)


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)
