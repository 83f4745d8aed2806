"""Optional dependencies (matplotlib, tqdm): imported only where they are used.

``import tinygrad_edu`` never imports them.  A demo asks for one when it
needs it; if it is not installed the demo carries on without the picture or
the progress bar and tells the learner which extra to install.
:func:`save_figure` writes a finished matplotlib figure to a file.

>>> optional_import("a_module_that_is_not_installed", extra="demos", quiet=True) is None
True
>>> install_hint("demos")
'pip install "tinygrad-edu[demos]" (in a source checkout: pip install -e ".[demos]")'
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from .i18n import gettext as _

if TYPE_CHECKING:
    from types import ModuleType
    from typing import Protocol

__all__ = ["optional_import", "install_hint", "progress", "save_figure"]

_T = TypeVar("_T")
_T_co = TypeVar("_T_co", covariant=True)
_PathT = TypeVar("_PathT", str, "os.PathLike[str]")

_warned: set[str] = set()

if TYPE_CHECKING:

    class _Bar(Protocol[_T_co]):
        """What :func:`progress` returns: a tqdm bar, or :class:`_Plain` without tqdm."""

        def __iter__(self) -> Iterator[_T_co]: ...
        def set_postfix_str(self, text: str, refresh: bool = True) -> None: ...
        def write(self, text: str) -> None: ...
        def close(self) -> None: ...


def install_hint(extra: str = "demos") -> str:
    """The commands that install one of the project's optional extras: for an installed
    package, and for a source checkout."""
    return _(
        'pip install "tinygrad-edu[{extra}]" (in a source checkout: pip install -e ".[{extra}]")'
    ).format(extra=extra)


def optional_import(
    module: str, extra: str = "demos", purpose: str | None = None, quiet: bool = False
) -> ModuleType | None:
    """Import ``module`` (e.g. ``"matplotlib.pyplot"``) or return None if it is missing.

    When it is missing, prints once to stderr what is skipped and the command
    that installs it (``pip install "tinygrad-edu[demos]"``), unless ``quiet``.
    """
    try:
        if module == "matplotlib.pyplot":
            # Demos write PNG files; a non-interactive backend works without a display.
            import matplotlib

            matplotlib.use("Agg")
        return importlib.import_module(module)
    except ImportError:
        if not quiet and module not in _warned:
            _warned.add(module)
            if purpose:
                note = _("note: {module} is not installed for {purpose}; install the extra: {hint}")
            else:
                note = _("note: {module} is not installed; install the extra: {hint}")
            hint = install_hint(extra)
            print(
                note.format(module=module.split(".")[0], purpose=purpose, hint=hint),
                file=sys.stderr,
            )
        return None


def save_figure(fig: Any, path: _PathT, dpi: float = 120) -> _PathT:
    """Lay out the matplotlib figure ``fig``, write it to ``path`` and close it.

    Creates the file's folder if needed (demos write to ``demos/out/``).
    Returns ``path``.  Only called with a figure in hand, so matplotlib is
    already imported by then.
    """
    import matplotlib.pyplot as plt

    fig.tight_layout()
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fig.savefig(path, dpi=dpi)
    plt.close(fig)
    return path


def progress(
    iterable: Iterable[_T], total: int | None = None, desc: str | None = None, disable: bool = False
) -> _Bar[_T]:
    """``iterable`` wrapped in a tqdm progress bar when tqdm is installed, else as is.

    The returned object always has ``set_postfix_str(text)`` (a no-op without
    tqdm) and ``write(text)`` (prints a line without breaking the bar), so a
    training loop can report its loss either way.
    """
    tqdm = None if disable else optional_import("tqdm", purpose=_("the progress bar"))
    if tqdm is None:
        return _Plain(iterable)
    bar: _Bar[_T] = tqdm.tqdm(iterable, total=total, desc=desc, leave=False)
    return bar


class _Plain(Generic[_T]):
    """Stands in for a tqdm bar: iterates, and ignores what a bar would show."""

    def __init__(self, iterable: Iterable[_T]) -> None:
        self._iterable = iterable

    def __iter__(self) -> Iterator[_T]:
        return iter(self._iterable)

    def set_postfix_str(self, text: str, refresh: bool = True) -> None:
        """Ignored without tqdm."""

    def write(self, text: str) -> None:
        """Print a line."""
        print(text)

    def close(self) -> None:
        """Nothing to close without tqdm."""
