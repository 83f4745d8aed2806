"""The tutorial notebooks in docs/tutorials/ and their Japanese versions in docs/tutorials/ja/:
stored without outputs, and each runs top to bottom.

* Every notebook is kept without outputs and without execution counts, so that its diffs show
  only what a person wrote (checked with the json module alone: this part always runs).
* Tutorials 01-05 have Japanese versions of the same file name in docs/tutorials/ja/, with as
  many code cells as the English ones (the same code; prose, comments and printed words in
  Japanese), and every Japanese notebook has its English original.
* Every notebook executes in a fresh kernel with nbclient, its working folder its own
  (docs/tutorials/ or docs/tutorials/ja/), at most 120 s a cell. The kernel is this very Python
  (a kernelspec written to a temporary folder points at sys.executable) and imports tinygrad_edu
  from this checkout, as tests/test_notebook.py does. Without nbclient, nbformat or ipykernel
  these tests skip, saying which is missing.
* The time each notebook took, and their total, are printed at the end of the module.

Notebooks are found by glob, so a new one is checked as soon as it is added.
"""

import json
import os
import re
import time
from pathlib import Path

import pytest

from tinygrad_edu._optional import install_hint
from tinygrad_edu.viz import japanese_font

ROOT = Path(__file__).resolve().parent.parent
TUTORIALS = ROOT / "docs" / "tutorials"
JAPANESE = TUTORIALS / "ja"
ENGLISH_NOTEBOOKS = sorted(TUTORIALS.glob("*.ipynb"))
JAPANESE_NOTEBOOKS = sorted(JAPANESE.glob("*.ipynb"))
NOTEBOOKS = ENGLISH_NOTEBOOKS + JAPANESE_NOTEBOOKS
IDS = [str(p.relative_to(TUTORIALS)) for p in NOTEBOOKS]
# The English tutorials that have a Japanese version (docs/tutorials/ja/, same file name).
TRANSLATED = [p for p in ENGLISH_NOTEBOOKS if p.name[:2] in ("01", "02", "03", "04", "05")]
CELL_TIMEOUT = 120  # seconds, for any one cell

CLEAR_HINT = (
    "clear it with:  jupyter nbconvert --clear-output --inplace {path}\n"
    "or, without Jupyter's command line:  python -c \"import nbformat as n; p='{path}'; "
    "nb=n.read(p, 4); [c.update(outputs=[], execution_count=None) for c in nb.cells "
    "if c.cell_type == 'code']; n.write(nb, p)\""
)

_run_times = {}


def test_there_are_tutorials():
    assert ENGLISH_NOTEBOOKS, f"no notebooks found in {TUTORIALS}"
    assert JAPANESE_NOTEBOOKS, f"no notebooks found in {JAPANESE}"


def _code_cells(path):
    with open(path, encoding="utf-8") as f:
        return [c for c in json.load(f).get("cells", []) if c.get("cell_type") == "code"]


@pytest.mark.parametrize("english", TRANSLATED, ids=[p.name for p in TRANSLATED])
def test_japanese_version_has_the_same_code_cells(english):
    japanese = JAPANESE / english.name
    assert japanese.exists(), (
        f"{english.relative_to(ROOT)} has no Japanese version {japanese.relative_to(ROOT)}"
    )
    en, ja = len(_code_cells(english)), len(_code_cells(japanese))
    assert en == ja, (
        f"{japanese.relative_to(ROOT)} has {ja} code cells, {english.relative_to(ROOT)} has {en}: "
        "the Japanese version runs and checks the same code, cell for cell"
    )


def test_every_japanese_notebook_has_an_english_original():
    orphans = [p.name for p in JAPANESE_NOTEBOOKS if not (TUTORIALS / p.name).exists()]
    assert not orphans, f"Japanese notebooks without an English one in {TUTORIALS}: {orphans}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_stored_without_outputs(path):
    with open(path, encoding="utf-8") as f:
        nb = json.load(f)
    relative = path.relative_to(ROOT)
    problems = []
    for index, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        source = "".join(cell.get("source", ""))
        first_line = source.strip().splitlines()[0] if source.strip() else "(empty cell)"
        if cell.get("outputs"):
            problems.append(f"cell {index} ({first_line!r}) has {len(cell['outputs'])} output(s)")
        if cell.get("execution_count") is not None:
            problems.append(
                f"cell {index} ({first_line!r}) has execution_count {cell['execution_count']}"
            )
    assert not problems, (
        f"{relative} must be stored without outputs:\n  "
        + "\n  ".join(problems)
        + "\n"
        + CLEAR_HINT.format(path=relative)
    )


@pytest.fixture(scope="module")
def kernel_env(tmp_path_factory):
    """A python3 kernelspec for this interpreter, found first; Jupyter's, IPython's,
    matplotlib's and hypothesis's files in a temporary folder; the kernel imports tinygrad_edu from this checkout."""
    for name in ("nbformat", "nbclient"):
        pytest.importorskip(name, reason=f"{name} is not installed: {install_hint('test')}")
    kernelspec = pytest.importorskip(
        "ipykernel.kernelspec", reason=f"ipykernel is not installed: {install_hint('test')}"
    )
    home = tmp_path_factory.mktemp("jupyter")
    prefix = home / "prefix"
    kernelspec.install(prefix=str(prefix), kernel_name="python3")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JUPYTER_PATH", str(prefix / "share" / "jupyter"))
        mp.setenv("JUPYTER_DATA_DIR", str(home / "data"))
        mp.setenv("JUPYTER_RUNTIME_DIR", str(home / "runtime"))
        mp.setenv("JUPYTER_CONFIG_DIR", str(home / "config"))
        mp.setenv("IPYTHONDIR", str(home / "ipython"))
        mp.setenv("MPLCONFIGDIR", str(home / "matplotlib"))
        mp.setenv("HYPOTHESIS_STORAGE_DIRECTORY", str(home / "hypothesis"))  # not in docs/tutorials
        mp.setenv("PYTHONPATH", os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
        yield home


@pytest.fixture(scope="module", autouse=True)
def report_run_times(request):
    """After the module: each notebook's run time and the total, on the terminal."""
    yield
    if not _run_times:
        return
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    lines = [f"  {name:40} {seconds:6.1f} s" for name, seconds in _run_times.items()]
    lines.append(f"  {'total':40} {sum(_run_times.values()):6.1f} s")
    text = "tutorial notebooks, execution time (kernel start included):\n" + "\n".join(lines)
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is None or capture is None:
        print(text)
        return
    with capture.global_and_fixture_disabled():  # the teardown's output is captured otherwise
        reporter.write_line("")
        reporter.write_line(text)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_runs_top_to_bottom(path, kernel_env):
    import nbclient
    import nbformat

    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        nb,
        kernel_name="python3",
        timeout=CELL_TIMEOUT,
        resources={"metadata": {"path": str(path.parent)}},
    )
    name = str(path.relative_to(TUTORIALS))
    started = time.perf_counter()
    try:
        client.execute()
    finally:
        _run_times[name] = time.perf_counter() - started
    print(f"{name}: {_run_times[name]:.1f} s")
    for index, cell in enumerate(nb.cells):
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        assert not errors, (
            f"{name}, cell {index}: {errors[0].get('ename')}: {errors[0].get('evalue')}"
        )
    # Every glyph of every plot drawn: matplotlib warns of one its font lacks (a Japanese
    # label without japanese_plots()); without a Japanese font, japanese_plots says so.
    printed = "".join(
        output.get("text", "")
        for cell in nb.cells
        for output in cell.get("outputs", [])
        if output.get("output_type") == "stream"
    )
    if path.parent == JAPANESE:  # the library speaks Japanese there (i18n.set_language)
        assert not re.search(r"\b(disagree|mismatch|gradient\(s\)|backward pass of)\b", printed), (
            f"{name} printed English: {printed}"
        )
    if "japanese_plots()" in "".join(cell.source for cell in nb.cells) and not japanese_font():
        assert "fonts-noto-cjk" in printed, f"{name}: japanese_plots() did not warn"
    else:
        assert "missing from font" not in printed, f"{name}: {printed}"
