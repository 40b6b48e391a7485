"""Writing files atomically: a reader sees the old file or the new one, never half of one."""

from __future__ import annotations

import contextlib
import errno
import glob
import json
import os
import re
import stat
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

_TEMP_SUFFIX = ".tmp"  # of atomic_write's temporary files


def atomic_write(path: str | Path, write: Callable[[Path], object]) -> None:
    """Call ``write(tmp_path)`` then move the file into place, so ``path`` is never half-written.

    The temporary file sits beside ``path``, named ``.NAME.PID.XXXXXXXX.tmp`` for the process writing it:
    one that a killed process left behind is removed by the next write to ``path``. A file replaced keeps its
    permissions, a new one gets the umask's; a symbolic link is written through, to the file it names.
    """
    atomic_write_all([(path, write)])


def atomic_write_all(writes: Sequence[tuple[str | Path, Callable[[Path], object]]]) -> None:
    """:func:`atomic_write` of files that belong together (a model and its gradient graphs): every ``write``
    to its temporary file first, however long they take, then the files moved into place one after another,
    in the order given (each move takes microseconds). A failure or a kill while writing leaves every old file."""
    staged: list[tuple[Path, Path, int]] = []  # (temporary file, its place, the mode it gets)
    made: list[Path] = []  # folders made for the files, the deepest first
    written = False
    try:
        for path, write in writes:
            path = Path(os.path.realpath(path))  # through a symbolic link to the file it names, which stays a link
            try:
                mode = stat.S_IMODE(path.stat().st_mode)  # a file replaced keeps its permissions (0600 stays private)
            except OSError:
                mode = 0o666 & ~_UMASK  # a new file gets what open() would give it
            made += [folder for folder in path.parents if not folder.exists() and folder not in made]
            tmp = _temp_file(path)
            staged.append((tmp, path, mode))
            write(tmp)
            os.chmod(tmp, mode)  # mkstemp makes the file 0600
        for tmp, path, _ in staged:
            os.replace(tmp, path)
        written = True
    finally:
        for tmp, _, _ in staged:
            if os.path.exists(tmp):
                os.unlink(tmp)
        if not written:  # a failed write leaves no folder it made (adversarial round 54: a refused run did)
            for folder in sorted(made, key=lambda folder: len(folder.parts), reverse=True):
                with contextlib.suppress(OSError):  # (not empty: something else wrote there meanwhile)
                    folder.rmdir()


def _read_umask() -> int:
    mask = os.umask(0o022)  # the only way to read it: set, then put back (at import, before any threads)
    os.umask(mask)
    return mask


_UMASK = _read_umask()


def check_writable(path: str | Path) -> None:
    """Raise ``OSError`` now if :func:`atomic_write` could not write ``path``, before any long work: a folder
    or a device in its place, a read-only file, a name too long, a parent that cannot be made, no right to
    create files there. Makes nothing: a missing folder is made when the file is written (a refused run
    left new folders behind)."""
    path = Path(os.path.realpath(path))
    if path.parent.exists():
        os.unlink(_temp_file(path))
        return
    existing = _existing_folder(path)
    if not os.access(existing, os.W_OK | os.X_OK):
        raise PermissionError(errno.EACCES, f"{existing} cannot hold new folders", str(path))
    name_max = _name_max(existing)
    for part in path.relative_to(existing).parts:
        if len(os.fsencode(part)) > name_max:
            raise OSError(errno.ENAMETOOLONG, f"the name {part[:20]}... is longer than {name_max} bytes", str(path))


def _existing_folder(path: Path) -> Path:
    """The nearest of ``path``'s folders that exists; ``NotADirectoryError`` where that is a file (mkdir would
    say only "File exists" or "Not a directory")."""
    existing = next(folder for folder in path.parents if folder.exists())
    if not existing.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, f"{existing} is a file, not a folder", str(path))
    return existing


def _name_max(folder: Path) -> int:
    """The longest file name, in bytes, that ``folder``'s file system takes."""
    return os.pathconf(folder, "PC_NAME_MAX") if hasattr(os, "pathconf") else 255


def check_output(path: str | Path, what: str) -> None:
    """:func:`check_writable` as the one-line ``ValueError`` the CLI prints, naming ``what`` is written."""
    check_file_name(path, what)
    try:
        check_writable(path)
    except OSError as err:
        raise ValueError(
            f"cannot write {what} to {path}: {err.strerror or err}; choose a place where you can create files"
        ) from None


def check_file_name(path: str | Path, what: str) -> None:
    """A one-line ``ValueError`` for an output name that names no file: empty, or ending in a slash (a
    folder's: ``y.png/`` was written as ``y.png``, and said so with the slash)."""
    text = os.fspath(path)
    if not text.strip() or text.endswith(("/", os.sep)):
        raise ValueError(f"cannot write {what} to {text!r}: give a file name, not a folder or nothing")


def check_folder(path: str | Path, what: str) -> None:
    """Raise a one-line ``ValueError`` now if ``what`` could not be written into the folder ``path`` (made
    later if need be): a file in its place, or an existing ancestor that is not a folder one may write in (a
    folder is made in it and removed again to know)."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise ValueError(f"cannot write {what} to {path}: it is a file, not a folder; give a folder")
    existing = next(folder for folder in (path, *path.parents) if folder.exists())
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        raise ValueError(f"cannot write {what} to {path}: {existing} cannot hold new files; give another folder")
    try:  # tried: root may write anywhere os.access looks, but not into /proc or an immutable folder (round 52)
        os.rmdir(tempfile.mkdtemp(prefix=".numseries-check-", dir=existing))
    except OSError as err:
        raise ValueError(
            f"cannot write {what} to {path}: {existing} cannot hold new folders ({err.strerror or err}); give another folder"
        ) from None


def _temp_file(path: Path) -> Path:
    """Make ``path``'s folder and an empty temporary file in it, after removing those dead processes left."""
    _existing_folder(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_dir():
        raise IsADirectoryError(errno.EISDIR, "it is a folder", str(path))
    if path.exists() and not path.is_file():
        raise FileExistsError(errno.EEXIST, "it exists and is not a regular file", str(path))
    if path.exists() and not os.access(path, os.W_OK):  # protected by its owner: as cp and > refuse it
        raise PermissionError(errno.EACCES, "it is read-only (chmod u+w to let it be replaced)", str(path))
    name_max = _name_max(path.parent)
    if len(os.fsencode(path.name)) > name_max:
        raise OSError(errno.ENAMETOOLONG, f"the name is longer than {name_max} bytes", str(path))
    prefix = _temp_prefix(path)
    for leftover in path.parent.glob(f"{glob.escape(prefix)}*{_TEMP_SUFFIX}"):
        pid = re.fullmatch(rf"{re.escape(prefix)}(\d+)\.[a-z0-9_]+{re.escape(_TEMP_SUFFIX)}", leftover.name)
        if pid and not _alive(int(pid.group(1))):
            leftover.unlink(missing_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f"{prefix}{os.getpid()}.", suffix=_TEMP_SUFFIX)
    os.close(fd)
    return Path(tmp)


def _temp_prefix(path: Path) -> str:
    """``.NAME.`` with NAME cut to 200 bytes, so that the temporary name fits wherever ``path`` does."""
    return "." + os.fsencode(path.name)[:200].decode("utf-8", "ignore") + "."


def _alive(pid: int) -> bool:
    """Whether process ``pid`` runs on this machine (always true off POSIX, where this cannot be asked)."""
    if os.name != "posix" or pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def json_text(values: dict[str, Any]) -> str:
    """``values`` as the JSON text numseries writes: indented, keys sorted, a final newline."""
    return json.dumps(values, indent=2, sort_keys=True) + "\n"


def write_json(path: str | Path, values: dict[str, Any]) -> None:
    atomic_write(path, lambda tmp: tmp.write_text(json_text(values)))
