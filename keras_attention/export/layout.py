"""The TF Serving folder layout: `BASE/<version>/`, each version written elsewhere and renamed in.

TF Serving watches a model's base folder and loads the folders whose names are integers. A version
is written into a hidden temporary folder next to them (`.incomplete-<pid>-<random>`, not an
integer, so never loaded) and renamed to its number only once complete: a rename within one file
system is atomic, so a server polling the folder sees either no version or a whole one, even when
the export is killed part-way.
"""

import errno
import os
import shutil
import tempfile
from pathlib import Path

from keras_attention.errors import ExportError

TEMPORARY_PREFIX = ".incomplete-"


def versions(base):
    """The integer version numbers of the folders in `base`, in increasing order."""
    base = Path(base)
    if not base.is_dir():
        return []
    return sorted(int(path.name) for path in base.iterdir() if path.is_dir() and path.name.isdigit())


def next_version(base):
    """One more than the highest version in `base`, or 1 for a new model folder."""
    existing = versions(base)
    return existing[-1] + 1 if existing else 1


def temporary_folder(base):
    """Creates `base` if needed and a new hidden folder in it for writing one version; returns it.

    Raises:
        ExportError: `base` exists but is not a folder, or cannot be written.
    """
    base = Path(base)
    try:
        base.mkdir(parents=True, exist_ok=True)
        remove_abandoned(base)
        temporary = Path(tempfile.mkdtemp(prefix=f"{TEMPORARY_PREFIX}{os.getpid()}-", dir=base))
        temporary.chmod(0o777 & ~_umask())  # mkdtemp's 0700 would hide the version from a server's user
        return temporary
    except (FileExistsError, NotADirectoryError):
        raise ExportError(f"{str(base)!r} exists and is not a folder; --output names a model's folder") from None
    except OSError as error:
        raise ExportError(f"cannot write into {str(base)!r}: {error.strerror}") from None


def remove_abandoned(base):
    """Removes the temporary folders in `base` left by exports whose process no longer runs."""
    for path in Path(base).glob(f"{TEMPORARY_PREFIX}*"):
        pid = path.name[len(TEMPORARY_PREFIX) :].split("-", 1)[0]
        if pid.isdigit() and not _running(int(pid)):
            shutil.rmtree(path, ignore_errors=True)


def publish(temporary, base, version):
    """Renames the complete `temporary` folder to `base/<version>`; returns that path.

    Raises:
        ExportError: the version exists already, or the rename failed (the temporary folder is
            removed).
    """
    target = Path(base) / str(version)
    try:
        if target.exists():  # os.rename would replace an empty folder
            raise FileExistsError(errno.EEXIST, "exists")
        os.rename(temporary, target)  # and fails on a non-empty one: never replaces a version
    except OSError as error:
        shutil.rmtree(temporary, ignore_errors=True)
        if error.errno in (errno.EEXIST, errno.ENOTEMPTY, errno.ENOTDIR):
            raise ExportError(f"version {version} already exists in {str(base)!r}; choose another --version") from None
        raise ExportError(f"cannot rename {str(temporary)!r} to {str(target)!r}: {error.strerror}") from None
    _sync_folder(base)
    return target


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _running(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _sync_folder(path):
    """Flushes a folder's entries (the rename) to disk, where the platform allows it."""
    try:
        descriptor = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
