import os

import pytest
from hypothesis import HealthCheck, settings

from tinygrad_edu import i18n

# Shared machines are noisy: no per-example deadlines; CI runs a few more examples.
settings.register_profile("default", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("ci", parent=settings.get_profile("default"), max_examples=150)
settings.load_profile("ci" if os.environ.get("CI") else "default")

# The tests read English unless they ask for another language (lang="ja", --lang ja, or a
# subprocess given LANG=ja_JP.UTF-8): a Japanese locale on the machine running them must not
# change what the library and the demos print.  tinygrad_edu.i18n reads LANGUAGE first.
os.environ["LANGUAGE"] = "en"


@pytest.fixture(autouse=True)
def _no_language_left_chosen():
    """A test that chooses a language in code (set_language, cli.main's --lang) leaves
    none chosen for the next one."""
    yield
    i18n.set_language(None)
