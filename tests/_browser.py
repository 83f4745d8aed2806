"""What the browser tests share: Playwright for Python driving Debian's Chromium.

Playwright never downloads a browser here: it runs /usr/bin/chromium (or a chromium on
PATH; ``.ci/run`` installs Debian's package when missing).  A test module calls
:func:`require` first, which skips the module, saying what is missing, without
Playwright, Chromium or Graphviz's dot, and its ``browser`` fixture yields from
:func:`launched`.
"""

import os
import shutil

import pytest

from tinygrad_edu._optional import install_hint

#: Chromium's flags here: no sandbox (the tests run as root), no GPU, no /dev/shm limit.
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]


def chromium():
    """The path of an executable Chromium, or None."""
    for candidate in (shutil.which("chromium"), "/usr/bin/chromium"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def require(dot_is_for):
    """Chromium's path; skips the calling test module unless Playwright, Chromium and
    Graphviz's dot are all here (``dot_is_for``: what the module needs dot for)."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.skip(
            f"Playwright for Python is not installed: {install_hint('test')}",
            allow_module_level=True,
        )
    path = chromium()
    if path is None:
        pytest.skip(
            "no Chromium at /usr/bin/chromium or on PATH (apt-get install chromium; "
            ".ci/run installs it): the browser tests skip",
            allow_module_level=True,
        )
    if shutil.which("dot") is None:
        pytest.skip(
            f"Graphviz's `dot` is not installed (apt-get install graphviz): {dot_is_for}",
            allow_module_level=True,
        )
    return path


def launched(path):
    """For a module-scoped ``browser`` fixture: Chromium launched, closed afterwards."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=path, args=ARGS)
        yield browser
        browser.close()
