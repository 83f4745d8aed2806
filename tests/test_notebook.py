"""A real notebook (nbformat + nbclient + an IPython kernel): a Value and a page display
themselves with text/html and the static picture (image/svg+xml) beside it.

The kernel runs this very Python (a kernelspec written to a temporary folder points at
sys.executable) and imports the package from this checkout.  Without nbclient, nbformat
or ipykernel the module skips, saying which.
"""

import os
import shutil
import sys
from pathlib import Path

import pytest

from tinygrad_edu._optional import install_hint

nbformat = pytest.importorskip(
    "nbformat", reason=f"nbformat is not installed: {install_hint('test')}"
)
nbclient = pytest.importorskip(
    "nbclient", reason=f"nbclient is not installed: {install_hint('test')}"
)
kernelspec = pytest.importorskip(
    "ipykernel.kernelspec", reason=f"ipykernel is not installed: {install_hint('test')}"
)

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(
    shutil.which("dot") is None,
    reason="Graphviz's `dot` is not installed (apt-get install graphviz); "
    "without it a Value shows its text only",
)


@pytest.fixture
def kernel_env(tmp_path, monkeypatch):
    """A python3 kernelspec for this interpreter, found first; Jupyter's and IPython's
    files in tmp_path; the kernel imports tinygrad_edu from this checkout."""
    prefix = tmp_path / "prefix"
    kernelspec.install(prefix=str(prefix), kernel_name="python3")
    monkeypatch.setenv("JUPYTER_PATH", str(prefix / "share" / "jupyter"))
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    monkeypatch.setenv("MPLCONFIGDIR", str(tmp_path / "matplotlib"))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    return tmp_path


def test_a_notebook_shows_the_value_and_the_page_as_html_and_svg(kernel_env):
    cells = [
        "import sys, tinygrad_edu\nprint(sys.executable)\nprint(tinygrad_edu.__file__)",
        "from tinygrad_edu import Value",
        "a = Value(2.0, label='a'); b = Value(-3.0, label='b'); c = a*b; c.backward(); c",
        "from tinygrad_edu.viz import page; page(c)",
        "y = Value(0.5, label='x')\nfor _ in range(60): y = y.tanh()\ny",  # 61 nodes: text only
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(src) for src in cells])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    client = nbclient.NotebookClient(
        nb, kernel_name="python3", timeout=120, resources={"metadata": {"path": str(kernel_env)}}
    )
    client.execute()

    for cell in nb.cells:
        errors = [o for o in cell.outputs if o.output_type == "error"]
        assert errors == [], "\n".join(o.get("evalue", "") for o in errors)
    printed = "".join(o.get("text", "") for o in nb.cells[0].outputs).split()
    assert printed[0] == sys.executable, "the kernel runs this Python"
    assert Path(printed[1]).resolve().is_relative_to(ROOT)

    for index in (2, 3):
        [result] = [o for o in nb.cells[index].outputs if o.output_type == "execute_result"]
        data = result["data"]
        assert {"text/html", "image/svg+xml", "text/plain"} <= set(data), (cells[index], set(data))
        assert "<svg" in data["image/svg+xml"]
        assert '<div class="tinygrad-edu-page">' in data["text/html"]
        assert "<iframe" in data["text/html"]
        assert 'data-field="grad"' in data["image/svg+xml"]
    assert nb.cells[2].outputs[0]["data"]["text/plain"].startswith("Value(data=-6.0")
    [large] = [o for o in nb.cells[4].outputs if o.output_type == "execute_result"]
    assert set(large["data"]) == {"text/plain"}
