"""What the command-line tests share: ``python -m tinygrad_edu`` run in a subprocess from
this checkout, in an English or a Japanese locale (the locale's variables set, so that
the machine's own locale cannot choose the language)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHONPATH = os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
#: No language from the locale: English, whatever the machine's locale says.
ENV_EN = {
    **os.environ,
    "PYTHONPATH": PYTHONPATH,
    "PYTHONIOENCODING": "utf-8",
    "LANGUAGE": "",
    "LC_ALL": "",
    "LC_MESSAGES": "",
    "LANG": "C.UTF-8",
}
#: Japanese, as a learner's locale asks for it.
ENV_JA = {**ENV_EN, "LANG": "ja_JP.UTF-8"}


def run(*args, env=ENV_EN, cwd=None):
    """``python -m tinygrad_edu *args``: the completed process, its output as text."""
    return subprocess.run(
        [sys.executable, "-m", "tinygrad_edu", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=cwd or ROOT,
        timeout=60,
    )
