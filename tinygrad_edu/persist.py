"""Model files: saving a module's shape and parameters as JSON, and loading them back.

``model.save(path)``, ``MLP.load(path)`` and ``model.load(path)`` in
:mod:`tinygrad_edu.nn` call :func:`save` and :func:`load` here.  A model file
is JSON, never pickle, so loading one runs no code::

    {"format": "tinygrad_edu.nn", "version": 1, "module": "Neuron",
     "config": {"nin": 2, "activation": "sigmoid"},
     "parameters": {"w.0": 0.5, "w.1": -0.25, "b": 0.1}}

>>> import os, tempfile
>>> from tinygrad_edu.nn import Neuron
>>> with tempfile.TemporaryDirectory() as folder:
...     path = Neuron(2, seed=0).save(os.path.join(folder, 'n.json'))
...     Neuron.load(path).state_dict() == Neuron(2, seed=0).state_dict()
True

What ``save`` writes: a regular file, or a new one.  A directory, device,
FIFO or socket at the path is refused, naming the path and what it is; a
symbolic link to a regular file updates the file it points to, never the
link; a read-only file is refused with a PermissionError (for root too).
The text goes to a temporary file beside the target, ``.<name>.tmp``, which
``os.replace`` then moves into place, so the target always holds either the
old model or the whole new one.  A crash mid-save can leave that one
temporary file; the next save of the same path removes it.

What ``load`` reads: only a regular file of at most :func:`max_file_bytes`
bytes (a FIFO is refused without waiting for a writer, a device without
reading it).  The whole file is checked before anything is built: the
format, the version, the module's class, its config, the parameter count
the config implies (at most :data:`MAX_PARAMETERS`) against the parameters
the file holds, and every number (finite; a ``true`` where a number belongs
is refused).  Every error names the file.

This module knows models only through what :class:`tinygrad_edu.nn.Module`
offers: ``config()``, ``named_parameters()``, ``state_dict()``,
``load_state_dict()`` and the class methods ``parameter_count(config)`` and
``validate_state(config, state)``.  It imports nothing from tinygrad_edu.
"""

from __future__ import annotations

import hashlib
import json
import math
import numbers
import os
import stat
import types
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, AnyStr, NoReturn, Protocol, TypeVar, cast

if TYPE_CHECKING:
    from _typeshed import StrOrBytesPath

    from .engine import Value

_fcntl: types.ModuleType | None
try:
    import fcntl as _fcntl
except ImportError:  # Windows: no advisory locks; see _try_lock
    _fcntl = None

__all__ = [
    "save",
    "load",
    "dumps",
    "loads",
    "max_file_bytes",
    "NotARegularFileError",
    "MAX_PARAMETERS",
    "FORMAT",
    "VERSION",
]

FORMAT = "tinygrad_edu.nn"
"""The ``"format"`` entry of every model file."""

VERSION = 1
"""The model-file version this tinygrad_edu writes and reads."""

MAX_PARAMETERS = 1_000_000
"""The most parameters a model file may hold.

A million parameters already take a scalar engine seconds per forward pass
and about a gigabyte to load; raise it (``tinygrad_edu.persist.MAX_PARAMETERS
= ...``) to save and load larger models.  The largest file ``load`` reads
grows with it (:func:`max_file_bytes`).
"""

_BYTES_PER_PARAMETER = 128  # save writes at most ~70 (indent, quoted name, 17 digits)
_HEADER_BYTES = 1 << 20
_MAX_DIGITS = 1000  # longer integers are refused before int() sees them
_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_O_BINARY = getattr(os, "O_BINARY", 0)
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_O_NOCTTY = getattr(os, "O_NOCTTY", 0)
_READ_CHUNK = 1 << 20


def max_file_bytes() -> int:
    """The largest model file ``load`` reads, in bytes: 1 MiB plus 128 bytes per
    parameter allowed by :data:`MAX_PARAMETERS` (a saved file needs about 70).

    >>> max_file_bytes() >= 64 * MAX_PARAMETERS
    True
    """
    return _HEADER_BYTES + _BYTES_PER_PARAMETER * MAX_PARAMETERS


class _Model(Protocol):
    """What this module uses of a model: the interface of :class:`tinygrad_edu.nn.Module`."""

    def __init__(self, *, seed: int, **config: Any) -> None: ...  # a class built from a file
    def config(self) -> Mapping[str, Any]: ...
    def named_parameters(self) -> Sequence[tuple[str, Value]]: ...
    def load_state_dict(self, state: dict[str, Any], _source: str | None = None) -> _Model: ...
    @classmethod
    def parameter_count(cls, config: dict[str, Any]) -> int: ...
    @classmethod
    def validate_state(
        cls, config: dict[str, Any], state: dict[str, Any], source: str | None = None
    ) -> object: ...


#: The kind of model asked for: load(MLP, ...) gives an MLP.
_M = TypeVar("_M", bound=_Model)


class NotARegularFileError(OSError):
    """The path names a device, FIFO, socket or other special file, where a
    model file (a regular file) belongs.  ``save`` never writes to one and
    ``load`` never reads one."""


# ---------------------------------------------------------------------------
# save


def save(module: _Model, path: AnyStr | os.PathLike[AnyStr]) -> AnyStr:
    """Write ``module``'s class name, ``config()`` and parameters to ``path`` as JSON.

    The module's own ``save`` calls this (see :meth:`tinygrad_edu.nn.Module.save`).
    Only a regular file, or nothing, at ``path`` is written; a symbolic link
    to a regular file updates that file.  Returns ``path`` as given
    (``os.fspath``).  Everything is checked before anything is written: a
    parameter that is not a finite float, more than :data:`MAX_PARAMETERS`
    parameters, a path that names a directory, device, FIFO, socket, dangling
    link or read-only file each raise an error naming the path.
    """
    given = os.fspath(path)
    name = _checked_name(given, "cannot save to")
    data = dumps(module, repr(name))
    target, existing = _save_target(name)
    _write_atomically(name, target, existing, data)
    return given


def dumps(module: _Model, name: str = "the model file") -> bytes:
    """The bytes :func:`save` writes for ``module`` (UTF-8 JSON); every check of
    :func:`save` is made, its messages naming the file as ``name``.

    >>> from tinygrad_edu.nn import MLP
    >>> text = dumps(MLP(2, [1], seed=0)).decode()
    >>> text.startswith('{'), '"module": "MLP"' in text
    (True, True)
    """
    name = _Named(name)
    named = module.named_parameters()
    if len(named) > MAX_PARAMETERS:
        raise ValueError(
            f"cannot save to {name!r}: the model has {len(named):,} parameters, and a "
            f"model file holds at most {MAX_PARAMETERS:,} (raise "
            "tinygrad_edu.persist.MAX_PARAMETERS to save it anyway)"
        )
    for pname, p in named:
        data = p.data
        if isinstance(data, bool) or not isinstance(data, numbers.Real):
            raise TypeError(
                f"cannot save to {name!r}: parameter {pname!r} has .data = {data!r:.60} "
                f"of type {type(data).__name__}; .data must be a float"
            )
        try:
            finite = math.isfinite(data)
        except OverflowError:  # an int beyond the float range
            finite = False
        if not finite:
            raise ValueError(
                f"cannot save to {name!r}: parameter {pname!r} is {data!r:.60}, not a "
                "finite number (did the training diverge?)"
            )
    doc = {
        "format": FORMAT,
        "version": VERSION,
        "module": type(module).__name__,
        "config": module.config(),
        "parameters": {pname: float(p.data) for pname, p in named},
    }
    return (json.dumps(doc, indent=1, allow_nan=False) + "\n").encode("utf-8")


class _Named(str):
    """A name for messages that is already written as it should appear: its
    repr is itself (a path is quoted with repr, 'the uploaded file' is not)."""

    def __repr__(self) -> str:
        return str(self)


def _save_target(name: str) -> tuple[str, os.stat_result | None]:
    """Where ``save(name)`` writes: ``(target path, its os.stat or None)``.

    Refuses, naming ``name``, anything but a regular file or nothing."""
    if name.endswith(tuple(s for s in (os.sep, os.altsep) if s)):
        raise IsADirectoryError(
            f"cannot save to {name!r}: a name ending in {name[-1]!r} is a "
            "directory; give a file name such as model.json"
        )
    try:
        st = os.lstat(name)
    except (FileNotFoundError, NotADirectoryError):
        st = None
    except OSError as err:
        raise _os_error(err, f"cannot save to {name!r}") from None
    target, via = name, ""
    if st is not None and stat.S_ISLNK(st.st_mode):
        try:
            st = os.stat(name)
        except FileNotFoundError:
            raise FileNotFoundError(
                f"cannot save to {name!r}: it is a symbolic link to "
                f"{_readlink(name)!r}, which does not exist; save to that "
                "name, or remove the link first"
            ) from None
        except OSError as err:  # a loop of links, a link through a file
            raise _os_error(err, f"cannot save to {name!r} (a symbolic link)") from None
        target = os.path.realpath(name)
        via = f" (a symbolic link to {target!r})"
    if st is not None:
        _check_kind(
            st,
            f"cannot save to {name!r}{via}",
            "; give a file name such as model.json",
            "; save writes only regular files",
        )
        mode = stat.S_IMODE(st.st_mode)
        if not mode & 0o222:  # checked by hand: root's writes ignore the bits
            raise PermissionError(
                f"cannot save to {name!r}{via}: the file is read-only (mode "
                f"{mode:#o}); make it writable (chmod u+w) or save under "
                "another name"
            )
        if not _may_write(target):
            raise PermissionError(
                f"cannot save to {name!r}{via}: permission denied: this user "
                f"may not write to it (mode {mode:#o})"
            )
    directory = os.path.dirname(os.path.abspath(target))
    if not os.path.isdir(directory):
        if os.path.exists(directory):
            raise NotADirectoryError(
                f"cannot save to {name!r}: {directory!r} is a file, not a directory"
            )
        raise FileNotFoundError(
            f"cannot save to {name!r}: the directory {directory!r} does not exist"
        )
    return target, st


def _may_write(path: str) -> bool:
    if os.access in os.supports_effective_ids:
        return os.access(path, os.W_OK, effective_ids=True)
    return os.access(path, os.W_OK)


def _temp_path(target: str) -> str:
    """The one temporary file every save of ``target`` uses: ``.<name>.tmp`` beside it."""
    directory, base = os.path.split(os.path.abspath(target))
    tmp = f".{base}.tmp"
    if len(os.fsencode(tmp)) > 255:  # the longest file name most systems allow
        tmp = f".{hashlib.sha256(os.fsencode(base)).hexdigest()[:32]}.tmp"
    return os.path.join(directory, tmp)


def _write_atomically(name: str, target: str, existing: os.stat_result | None, data: bytes) -> None:
    """Write ``data`` to the temporary file, then move it over ``target``.

    The temporary file is locked (flock) while it is written, which tells a
    crash's leftover (unlocked: removed) from a save still running (locked:
    refused), so two saves of one path never replace each other's files."""
    tmp = _temp_path(target)
    directory = os.path.dirname(tmp)
    fd: int | None = _create_temp(name, tmp, directory)  # None once closed (Windows)
    ours, refusal = None, None
    try:
        assert fd is not None  # for mypy, which forgets the narrowing inside try ... finally
        ours = os.fstat(fd)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
        if existing is not None:  # as open(path, 'w') would: keep mode and owner
            _copy_owner_and_mode(fd, tmp, existing, ours)
        refusal = _changed_meanwhile(name, target, tmp, ours)
        if refusal is None:
            if _fcntl is None:  # Windows cannot rename a file that is open
                os.close(fd)
                fd = None
            os.replace(tmp, target)
    except BaseException as err:
        if ours is not None and _same_file(tmp, ours):
            _remove_quietly(tmp)
        if isinstance(err, OSError):
            raise _os_error(err, f"cannot save to {name!r}") from None
        raise
    finally:
        if fd is not None:
            os.close(fd)
    if refusal is not None:
        if _same_file(tmp, ours):
            _remove_quietly(tmp)
        raise refusal
    _sync_directory(directory)


def _changed_meanwhile(name: str, target: str, tmp: str, ours: os.stat_result) -> OSError | None:
    """The error to raise if, while the temporary file was written, something other
    than a regular file took the target's place, or another save took the temporary
    file's name (possible only where locks are not); None if all is as it was."""
    if not _same_file(tmp, ours):
        return BlockingIOError(
            f"cannot save to {name!r}: another save of it took over the "
            f"temporary file {tmp!r} while this one was writing; nothing "
            "was replaced"
        )
    try:
        mode = os.lstat(target).st_mode
    except FileNotFoundError:
        return None
    except OSError as err:
        return _os_error(err, f"cannot save to {name!r}")
    if stat.S_ISREG(mode):
        return None
    return NotARegularFileError(
        f"cannot save to {name!r}: while it was being saved it became "
        f"{_kind(mode)}; save writes only regular files"
    )


def _create_temp(name: str, tmp: str, directory: str) -> int:
    """Create and lock the temporary file (removing a crash's leftover first): its fd."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_NOFOLLOW | _O_BINARY | _O_CLOEXEC
    for _ in range(3):
        try:
            fd = os.open(tmp, flags, 0o666)  # the umask narrows it, as for open(path, 'w')
        except FileExistsError:
            _remove_leftover(name, tmp)
            continue
        except OSError as err:
            raise _os_error(
                err, f"cannot save to {name!r}: cannot create a file in {directory!r}"
            ) from None
        if _try_lock(fd):
            return fd
        os.close(fd)  # another save took it as a leftover
        break
    raise BlockingIOError(_in_progress(name, tmp))


def _remove_leftover(name: str, tmp: str) -> None:
    """Remove the temporary file a crashed save left behind; refuse one still being written."""
    try:
        st = os.lstat(tmp)
    except FileNotFoundError:
        return
    except OSError as err:
        raise _os_error(err, f"cannot save to {name!r}: cannot look at {tmp!r}") from None
    if stat.S_ISLNK(st.st_mode):  # removing a link loses nothing
        _remove_quietly(tmp)
        return
    if not stat.S_ISREG(st.st_mode):
        raise FileExistsError(
            f"cannot save to {name!r}: {tmp!r}, the name save uses for its "
            f"temporary file, is {_kind(st.st_mode)}; move it out of the way"
        )
    try:
        fd = os.open(tmp, os.O_RDONLY | _O_NOFOLLOW | _O_NONBLOCK | _O_BINARY | _O_CLOEXEC)
    except FileNotFoundError:
        return
    except OSError as err:
        raise _os_error(
            err,
            f"cannot save to {name!r}: cannot remove the temporary file "
            f"{tmp!r} left by an earlier save",
        ) from None
    try:
        if not _try_lock(fd):
            raise BlockingIOError(_in_progress(name, tmp))
        if _same_file(tmp, os.fstat(fd)):
            os.unlink(tmp)
    except BlockingIOError:
        raise
    except OSError as err:
        raise _os_error(
            err,
            f"cannot save to {name!r}: cannot remove the temporary file "
            f"{tmp!r} left by an earlier save",
        ) from None
    finally:
        os.close(fd)


def _in_progress(name: str, tmp: str) -> str:
    return (
        f"cannot save to {name!r}: another save of it is in progress (it is writing {tmp!r}); "
        "try again when it has finished"
    )


def _try_lock(fd: int) -> bool:
    """Take the exclusive lock on ``fd`` without waiting: False if another process holds it."""
    if _fcntl is None:
        return True
    try:
        _fcntl.flock(fd, _fcntl.LOCK_EX | _fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError:  # a file system without locks: go on without one
        return True
    return True


def _same_file(path: str, st: os.stat_result) -> bool:
    """Whether ``path`` still names the file ``st`` describes."""
    try:
        now = os.lstat(path)
    except OSError:
        return False
    return (now.st_dev, now.st_ino) == (st.st_dev, st.st_ino)


def _copy_owner_and_mode(fd: int, tmp: str, existing: os.stat_result, ours: os.stat_result) -> None:
    if hasattr(os, "fchown") and (existing.st_uid, existing.st_gid) != (ours.st_uid, ours.st_gid):
        try:
            os.fchown(fd, existing.st_uid, existing.st_gid)
        except PermissionError:  # only root may give a file away
            pass
    mode = stat.S_IMODE(existing.st_mode)
    if hasattr(os, "fchmod"):
        os.fchmod(fd, mode)
    else:
        os.chmod(tmp, mode)


def _remove_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:  # cleaning up after an error: report that one
        pass


def _sync_directory(directory: str) -> None:
    """Make the rename itself durable (POSIX); a file system that cannot is left as it is."""
    if os.name != "posix":
        return
    try:
        fd = os.open(directory, os.O_RDONLY | _O_CLOEXEC)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# ---------------------------------------------------------------------------
# load


def load(target: type[_M] | _M, path: StrOrBytesPath, modules: Mapping[str, type[_Model]]) -> _M:
    """Load a model file written by :func:`save`; returns the module.

    ``target`` is a class (build a new module of the saved shape: the saved
    class must be it or, through the registry ``modules`` (name -> class), a
    subclass of it) or a module (load into it; its shape must match the
    file's).  The whole file is checked before anything is built or
    assigned; every error names the file and leaves ``target`` as it was.
    """
    name = _checked_name(os.fspath(path), "cannot load")
    return loads(target, _read_bounded(name), modules, repr(name))


def loads(
    target: type[_M] | _M,
    raw: bytes,
    modules: Mapping[str, type[_Model]],
    name: str = "the model file",
) -> _M:
    """:func:`load` from the bytes of a model file (``raw``); its messages name
    the file as ``name``.  ``raw`` longer than :func:`max_file_bytes` is refused."""
    name = _Named(name)
    if len(raw) > max_file_bytes():
        raise _too_large(name, f"it is {len(raw):,} bytes")
    doc = _parse(raw, name)
    saved, config, state = _check_document(doc, name)
    if isinstance(target, type):
        cls = target if saved == target.__name__ else modules.get(saved)
        if cls is None and target not in modules.values():  # Module.load: any known module
            raise ValueError(f"{name!r} holds an unknown module {_clip(saved)!r}")
        if cls is None or not issubclass(cls, target):
            raise ValueError(f"{name!r} holds a {_clip(saved)}, not a {target.__name__}")
    else:
        cls = type(target)
        if saved != cls.__name__:
            raise ValueError(f"{name!r} holds a {_clip(saved)}, but this is a {cls.__name__}")
        mine = target.config()
        for key in sorted(set(mine) | set(config), key=str):
            if mine.get(key) != config.get(key):
                raise ValueError(
                    f"{name!r} holds a model of another shape: {_clip(str(key))} is "
                    f"{_clip(repr(config.get(key)))} in the file but {mine.get(key)!r} "
                    f"here (file: {saved} with config {_clip(repr(config), 200)}, "
                    f"model: {target!r})"
                )
    try:
        count = cls.parameter_count(config)
    except NotImplementedError:
        if not isinstance(target, type):  # a module of the learner's own: it is built
            return cast("_M", target.load_state_dict(state, _source=repr(name)))
        raise ValueError(
            f"{name!r}: a {saved} cannot be built from a file; build one and call its .load(path)"
        ) from None
    except (TypeError, ValueError) as err:
        raise ValueError(
            f"{name!r}: cannot build a {saved} from its config {_clip(repr(config), 200)}: {err}"
        ) from None
    if count > MAX_PARAMETERS:
        raise ValueError(
            f"{name!r} asks for a {saved} with {count:,} parameters (config "
            f"{_clip(repr(config), 200)}), but a model file may hold at most "
            f"{MAX_PARAMETERS:,} (tinygrad_edu.persist.MAX_PARAMETERS); the file "
            f"holds {len(state):,}"
        )
    source = repr(name)
    model: _Model
    if isinstance(target, type):
        cls.validate_state(config, state, source=source)  # names and numbers, nothing built
        model = cls(**config, seed=0)
    else:
        model = target
    # cls is target's class or a subclass of it (checked above): the module is a _M
    return cast("_M", model.load_state_dict(state, _source=source))


def _checked_name(path: str | bytes, verb: str) -> str:
    """``path`` (from os.fspath) as a str; refuses an empty name or a NUL byte, naming it."""
    name = os.fsdecode(path)
    if not name:
        raise FileNotFoundError(f"{verb} '': the file name is empty; give one such as model.json")
    if "\x00" in name:
        raise ValueError(f"{verb} {name!r}: a file name cannot contain a NUL byte ('\\x00')")
    return name


def _read_bounded(name: str) -> bytes:
    """The bytes of the regular file ``name``, refusing special files and big files unread."""
    try:
        st = os.stat(name)
    except FileNotFoundError:
        raise FileNotFoundError(
            f"no saved model at {name!r} (write one with model.save(path))"
        ) from None
    except OSError as err:
        raise _os_error(err, f"cannot load {name!r}") from None
    _check_readable_kind(st, name)
    limit = max_file_bytes()
    if st.st_size > limit:
        raise _too_large(name, f"it is {st.st_size:,} bytes")
    try:  # O_NONBLOCK: a FIFO swapped in now cannot block us
        fd = os.open(name, os.O_RDONLY | _O_NONBLOCK | _O_NOCTTY | _O_BINARY | _O_CLOEXEC)
    except FileNotFoundError:
        raise FileNotFoundError(
            f"no saved model at {name!r} (write one with model.save(path))"
        ) from None
    except OSError as err:
        raise _os_error(err, f"cannot load {name!r}") from None
    try:
        _check_readable_kind(os.fstat(fd), name)
        chunks: list[bytes] = []
        total = 0
        while True:
            try:
                chunk = os.read(fd, min(_READ_CHUNK, limit + 1 - total))
            except OSError as err:
                raise _os_error(err, f"cannot load {name!r}") from None
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:  # the file grew while it was read
                raise _too_large(name, f"it grew past {limit:,} bytes while being read")
    finally:
        os.close(fd)


def _check_readable_kind(st: os.stat_result, name: str) -> None:
    _check_kind(
        st,
        f"cannot load {name!r}",
        ", not a file written by model.save()",
        " written by model.save(); it was not read",
    )


def _check_kind(st: os.stat_result, what: str, if_directory: str, if_special: str) -> None:
    """Refuse anything but a regular file: ``what: it is a directory`` (or a FIFO, a
    device ...) followed by the caller's advice."""
    if stat.S_ISDIR(st.st_mode):
        raise IsADirectoryError(f"{what}: it is a directory{if_directory}")
    if not stat.S_ISREG(st.st_mode):
        raise NotARegularFileError(
            f"{what}: it is {_kind(st.st_mode)}, not a regular file{if_special}"
        )


def _too_large(name: str, size: str) -> ValueError:
    return ValueError(
        f"cannot load {name!r}: {size}, more than any model file "
        f"({max_file_bytes():,} bytes at most, for the "
        f"{MAX_PARAMETERS:,} parameters tinygrad_edu.persist.MAX_PARAMETERS allows)"
    )


def _parse(raw: bytes, name: str) -> object:
    """The JSON document in ``raw``; every way it can fail is one ValueError naming the file."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ValueError(
            f"{name!r} is not a text file (byte 0x{err.object[err.start]:02x} at "
            f"position {err.start} is not UTF-8); was it written by "
            "model.save()?"
        ) from None
    try:
        return json.loads(
            text,
            parse_constant=_reject_constant,
            parse_int=_parse_int,
            object_pairs_hook=_unique_keys,
        )
    except json.JSONDecodeError as err:
        raise ValueError(
            f"{name!r} is not valid JSON (line {err.lineno}, column {err.colno}: "
            f"{err.msg}); was it written by model.save()?"
        ) from None
    except _Refused as err:
        raise ValueError(f"{name!r} {err}") from None
    except RecursionError:
        raise ValueError(
            f"{name!r} nests lists or objects too deeply to read; "
            "it was not written by model.save()"
        ) from None
    except MemoryError:
        raise ValueError(
            f"{name!r} is too large to read as JSON; it was not written by model.save()"
        ) from None
    except ValueError as err:
        raise ValueError(f"{name!r} cannot be read as JSON: {err}") from None


class _Refused(Exception):
    """Raised from inside json.loads; the message completes "<file> ..."."""


def _reject_constant(word: str) -> NoReturn:
    raise _Refused(f"holds {word}, which is not a finite number")


def _parse_int(digits: str) -> int:
    if len(digits) > _MAX_DIGITS:
        raise _Refused(f"cannot be read as JSON: it holds an integer of {len(digits):,} digits")
    return int(digits)


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen = set()
        for key, _ in pairs:
            if key in seen:
                raise _Refused(
                    f"has the key {_clip(key)!r} twice in one object; "
                    "model.save() never writes that"
                )
            seen.add(key)
    return obj


_ENTRIES = {"format": str, "version": int, "module": str, "config": dict, "parameters": dict}


def _check_document(doc: object, name: str) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """``(module name, config, parameters)`` of a parsed model file, its entries checked."""
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ValueError(f'{name!r} is not a tinygrad_edu model file (no "format": "{FORMAT}")')
    for key in _ENTRIES:
        if key not in doc:
            raise ValueError(f"{name!r}: the entry {key!r} is missing")
    extra = [key for key in doc if key not in _ENTRIES]
    if extra:
        raise ValueError(f"{name!r} has an entry model.save() does not write: {_clip(extra[0])!r}")
    version = doc["version"]
    if type(version) is not int or version != VERSION:
        raise ValueError(
            f"{name!r} has format version {_json_text(version)}"
            f"{'' if type(version) is int else ' (not an integer)'}; "
            f"this tinygrad_edu reads version {VERSION}"
        )
    for key, kind in _ENTRIES.items():
        if not isinstance(doc[key], kind):
            raise ValueError(
                f"{name!r}: the entry {key!r} is {_json_text(doc[key])}, not "
                f"{'a string' if kind is str else 'an object'}"
            )
    return doc["module"], doc["config"], doc["parameters"]


def _json_text(v: object) -> str:
    """A JSON value as the file spells it, briefly."""
    if isinstance(v, (bool, type(None), numbers.Real)):
        return json.dumps(v)
    if isinstance(v, str):
        return json.dumps(_clip(v))
    return "an array" if isinstance(v, list) else "an object"


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


def _kind(mode: int) -> str:
    """What a non-regular file is, in words."""
    for test, words in (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISLNK, "a symbolic link"),
    ):
        if test(mode):
            return words
    return "a special file"


def _readlink(path: str) -> str:
    try:
        return os.readlink(path)
    except OSError:
        return "?"


def _os_error(err: OSError, what: str) -> OSError:
    """The same kind of OSError as ``err``, its message led by ``what`` (which names the file)."""
    reason = err.strerror or str(err) or type(err).__name__
    try:
        return type(err)(f"{what}: {reason}")
    except TypeError:  # an OSError subclass with another signature
        return OSError(f"{what}: {reason}")
