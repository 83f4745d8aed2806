"""The translations: every message has its Japanese, the compiled catalog is the
translators' file, and the language is chosen the way the docs say."""

import gettext
import io
import re
import string
from pathlib import Path

import pytest

from tinygrad_edu import i18n
from tinygrad_edu.explain import explain

babel = pytest.importorskip("babel", reason="the catalog checks need Babel (the test extra)")
from babel.messages.extract import extract_from_dir  # noqa: E402
from babel.messages.frontend import parse_mapping_cfg  # noqa: E402
from babel.messages.mofile import write_mo  # noqa: E402
from babel.messages.pofile import read_po  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "tinygrad_edu" / "locale"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}


def code_messages():
    """{msgid: where} for every message the code marks for translation, found with
    the same mapping the catalog is extracted with (tinygrad_edu/locale/babel.cfg)."""
    with open(LOCALE / "babel.cfg") as f:
        method_map, options_map = parse_mapping_cfg(f)
    found = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        found.setdefault(_singular(message), f"{filename}:{lineno}")
    return found


def catalog(lang):
    with open(LOCALE / lang / "LC_MESSAGES" / "tinygrad_edu.po", "rb") as f:
        return read_po(f)


def untranslated(messages, po):
    """The messages that have no usable translation in ``po``: absent, empty or fuzzy."""
    missing = []
    for key, where in sorted(messages.items()):
        entry = po.get(key)
        text = None if entry is None else entry.string
        if isinstance(text, tuple | list):
            text = text[0] if all(text) else ""
        if entry is None or not text or entry.fuzzy:
            missing.append(f"{where}: {key!r}")
    return missing


def _singular(message_id):
    """A catalog entry's message: its singular form when it has plural forms."""
    return message_id if isinstance(message_id, str) else message_id[0]


def fields(text):
    """The str.format fields of a message: {'name', 'value'} ..."""
    return sorted(name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name)


@pytest.fixture(scope="module")
def messages():
    found = code_messages()
    assert len(found) > 10, "the extraction found almost nothing: is babel.cfg right?"
    return found


@pytest.mark.parametrize("lang", [lang for lang in i18n.LANGUAGES if lang != "en"])
def test_every_message_has_a_translation(messages, lang):
    missing = untranslated(messages, catalog(lang))
    assert not missing, (
        f"{len(missing)} message(s) without a {lang} translation "
        f"(run .ci/translations, then translate them in "
        f"tinygrad_edu/locale/{lang}/LC_MESSAGES/tinygrad_edu.po):\n" + "\n".join(missing)
    )


def test_the_check_catches_a_message_without_translation(messages):
    po = catalog("ja")
    assert untranslated(messages, po) == []
    added = dict(messages, **{"a message added later": "tinygrad_edu/x.py:1"})
    assert untranslated(added, po) == ["tinygrad_edu/x.py:1: 'a message added later'"]
    key = next(iter(messages))
    po[key].flags.add("fuzzy")
    assert untranslated(messages, po) == [f"{messages[key]}: {key!r}"]


@pytest.mark.parametrize("lang", [lang for lang in i18n.LANGUAGES if lang != "en"])
def test_no_translation_is_left_over(messages, lang):
    stale = sorted(str(m.id) for m in catalog(lang) if m.id and _singular(m.id) not in messages)
    assert not stale, f"translations of messages the code no longer has: {stale}"


@pytest.mark.parametrize("lang", [lang for lang in i18n.LANGUAGES if lang != "en"])
def test_translations_keep_the_placeholders(lang):
    for m in catalog(lang):
        if not m.id or not m.string:
            continue
        ids = m.id if isinstance(m.id, tuple | list) else (m.id,)
        strings = m.string if isinstance(m.string, tuple | list) else (m.string,)
        for text in strings:
            assert fields(text) == fields(ids[0]), (m.id, text)
            assert re.findall(r"%\(?\w*\)?[sdr]", text) == re.findall(r"%\(?\w*\)?[sdr]", ids[0])


@pytest.mark.parametrize("lang", [lang for lang in i18n.LANGUAGES if lang != "en"])
def test_the_shipped_catalog_is_the_compiled_po(lang):
    """The .mo in the package says what the .po says (`.ci/translations compile`)."""
    compiled = io.BytesIO()
    write_mo(compiled, catalog(lang))
    compiled.seek(0)
    want = gettext.GNUTranslations(compiled)
    with open(LOCALE / lang / "LC_MESSAGES" / "tinygrad_edu.mo", "rb") as f:
        shipped = gettext.GNUTranslations(f)
    assert shipped.plural(1) == want.plural(1) and shipped.plural(2) == want.plural(2)
    messages = {k: v for k, v in want._catalog.items() if k != ""}  # "" is the header
    assert {k: v for k, v in shipped._catalog.items() if k != ""} == messages, (
        "the .mo is out of date: run .ci/translations compile"
    )


def test_locale_language_reads_the_environment_as_gettext_does():
    assert i18n.locale_language({}) == "en"
    assert i18n.locale_language({"LANG": "ja_JP.UTF-8"}) == "ja"
    assert i18n.locale_language({"LANG": "ja_JP.UTF-8", "LC_ALL": "C"}) == "en"
    assert i18n.locale_language({"LC_MESSAGES": "ja_JP.eucJP", "LANG": "en_US.UTF-8"}) == "ja"
    assert i18n.locale_language({"LANGUAGE": "de:ja", "LANG": "de_DE.UTF-8"}) == "ja"
    assert i18n.locale_language({"LANGUAGE": "de", "LANG": "ja_JP.UTF-8"}) == "ja"
    assert i18n.locale_language({"LANG": "fr_FR.UTF-8"}) == "en"


def test_language_is_chosen_by_locale_then_set_language_then_the_block(monkeypatch):
    monkeypatch.setenv("LANGUAGE", "")
    monkeypatch.setenv("LC_ALL", "")
    monkeypatch.setenv("LC_MESSAGES", "")
    monkeypatch.setenv("LANG", "ja_JP.UTF-8")
    assert i18n.current_language() == "ja"
    assert i18n.gettext("gradients:") == "勾配:"
    try:
        i18n.set_language("en")
        assert i18n.current_language() == "en"
        with i18n.language("ja_JP"):
            assert i18n.gettext("gradients:") == "勾配:"
            with i18n.language(None):
                assert i18n.current_language() == "ja"
        assert i18n.gettext("gradients:") == "gradients:"
    finally:
        i18n.set_language(None)
    monkeypatch.setenv("LANG", "C.UTF-8")
    assert i18n.current_language() == "en"


@pytest.mark.parametrize("bad", ["xx", "fr_FR", ""])
def test_an_unknown_language_names_the_ones_there_are(bad):
    with pytest.raises(ValueError, match=r"no translation for .*the languages are en, ja"):
        i18n.set_language(bad)
    with pytest.raises(ValueError, match="the languages are en, ja"), i18n.language(bad):
        pass


def test_a_language_must_be_a_string():
    with pytest.raises(TypeError, match="language code"):
        i18n.set_language(1)


def test_catalog_for_the_pages():
    ja = i18n.catalog("ja")
    assert ja["gradients:"] == "勾配:"
    assert i18n.catalog("ja", ["gradients:", "not a message"]) == {"gradients:": "勾配:"}
    assert i18n.catalog("en") == {}


def _seed_000_loss():
    from tinygrad_edu.nn import MLP

    model = MLP(2, [3, 1], activation="sigmoid", output_activation="sigmoid", seed=0)
    y = model([1.0, 0.0])[0]
    return 0.5 * (y - 1.0) ** 2


def test_explain_in_japanese_names_the_deltas_and_layers_as_seed_000_does():
    text = explain(_seed_000_loss(), lang="ja", max_steps=None)
    assert "逆伝播" in text and "勾配:" in text
    assert "出力層" in text and "δ_0" in text
    assert "中間層" in text and "δ_m" in text
    assert text.count("δ_m") == 3  # one per hidden neuron of the 2-3-1 network
    assert "backward pass" not in text and "gradients:" not in text


def test_explain_keeps_names_numbers_and_formulas_in_every_language():
    loss = _seed_000_loss()
    english, japanese = explain(loss, lang="en"), explain(loss, lang="ja")
    number = re.compile(r"-?\d+\.\d+(?:e-?\d+)?")
    assert number.findall(english) == number.findall(japanese)
    grads = re.compile(r"[\w.]+\.grad = \S+")
    assert grads.findall(english)[-15:] == grads.findall(japanese)[-15:]
    assert english.count("\n") == japanese.count("\n")


def test_explain_lang_leaves_the_language_in_force_alone():
    before = i18n.current_language()
    explain(_seed_000_loss(), lang="ja", max_steps=1)
    assert i18n.current_language() == before
    with pytest.raises(ValueError, match="no translation for 'xx'"):
        explain(_seed_000_loss(), lang="xx")


def test_the_pages_find_the_messages_babel_extracts():
    """What a page embeds for its script (i18n.script_messages) is what the catalog has for it."""
    from babel.messages.extract import extract

    static = ROOT / "tinygrad_edu" / "static"
    for script in sorted(static.glob("*.js")):
        with open(script, "rb") as f:
            babel_found = [m[1] for m in extract("javascript", f, keywords={"_": None})]
        assert i18n.script_messages(script.read_text(encoding="utf-8")) == list(
            dict.fromkeys(babel_found)
        ), script.name
    for page in sorted(static.glob("*.html")):
        with open(page, "rb") as f:
            babel_found = [m[2] for m in i18n.extract_html(f, None, None, {})]
        assert i18n.script_messages(page=page.read_text(encoding="utf-8")) == list(
            dict.fromkeys(babel_found)
        )


def test_script_messages_reads_string_literals_and_marked_html():
    script = (
        r"""a = _("gradients:"); b = _( 'it\'s' ); c = _("say \"hi\" \u00e9"); f_("no"); _(x)"""
    )
    page = '<p data-i18n>Next  step</p><button data-i18n-attr="title aria-label" title="Play"'
    page += ' aria-label="Play it">x</button><span>not marked</span>'
    assert i18n.script_messages(script, page) == [
        "gradients:",
        "it's",
        'say "hi" é',
        "Next step",
        "Play",
        "Play it",
    ]


def test_page_catalogs_carry_the_menu_and_the_translations():
    data = i18n.page_catalogs(["gradients:", "not a message"], preferred="ja_JP.UTF-8")
    assert data == {
        "languages": [["en", "English"], ["ja", "日本語"]],
        "preferred": "ja",
        "catalogs": {"ja": {"gradients:": "勾配:"}},
    }
    assert i18n.page_catalogs([])["preferred"] is None


def _glossary_pairs():
    import importlib.util

    spec = importlib.util.spec_from_file_location("glossary", ROOT / "tests" / "test_glossary.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.read_glossary()


#: (English term, start of the message): where a translation rightly does not use the
#: glossary's word, and why.
GLOSSARY_EXCEPTIONS = {
    # The diagrams draw their edges as arrows and the legend says so (矢印, as in "arrows: ...").
    ("edge", "edge colour and width"),
    # A weight's step in seed 000's delta rule is its 修正量 (the seed's word for the update).
    ("step", "* w_im:"),
    ("step", "the seed's w_im steps"),
    # "step along the gradient" is a verb here: 進む.
    ("step", "With the seed's train()"),
    ("step", "Experiment with the chain rule"),  # "step by step": 一歩ずつ
    # A program's error (エラー), not the network's error (誤差).
    ("error", "internal error"),
    ("error", "{prog}: error:"),
    ("error", "%(prog)s: error:"),  # argparse's, in the demos
    # The command line's command names and the lab extra's name are code.
    ("graph", "missing the command"),
    ("lab", "missing the command"),
    ("graph", "unknown command"),
    ("lab", "unknown command"),
    ("lab", "train a network in the browser"),
    # "the edge of its domain": a function's domain, not a graph's edge.
    ("edge", "note: d{root}/d{name}"),
    # A syntax error is a mistake in the typed text (構文エラー), and Python's "math domain
    # error" a failed math function: neither is a network's 誤差.
    ("error", "syntax error:"),
    ("error", "math domain error"),
    ("error", "math range error"),
    # label='x' is code in the example (x = Value(2.0, label='x')), kept as written.
    ("label", "{caller}() needs a Value, got the number"),
    # The generated code's comment names the functions it calls (code), and a domain error
    # is a program's error (エラー).
    ("sigmoid", "exp, log, sqrt, tanh, sigmoid, sin, cos, power"),
    ("error", "functions of tinygrad_edu.ops.FLOAT"),
    # Value(data, _children, _op, label): the lecture's signature, code.
    ("label", "Value takes at most four arguments"),
}


def glossary_misses(pairs, po):
    """(term, message) for each translation that does not use the glossary's Japanese
    for an English term its message uses.  Terms are matched as written (lower case:
    'Value', the class, is not 'value'), as whole words: not inside {fields}, code
    (x.grad, backward()) or hyphenated words (pre-activation is not activation)."""
    misses = []
    for m in po:
        if not m.id or not m.string or not isinstance(m.id, str):
            continue
        words = re.sub(r"\{\w*\}|\S*[.(]\S*", " ", m.id)
        # code: a quoted name ('linear'), the names on either side of = and arithmetic
        # (correct = 1, output_o - correct)
        words = re.sub(r"(?<!\w)'[^'\s]+'(?!\w)", " ", words)
        words = re.sub(r"\w+(?=\s*[-+*/=^]\s)|(?<=\s[-+*/=^])\s*\w+", " ", words)
        for english, japanese in pairs:
            if any(english == term and m.id.startswith(s) for term, s in GLOSSARY_EXCEPTIONS):
                continue
            if re.search(rf"(?<![\w-]){re.escape(english)}(?![\w-])", words) and (
                japanese not in m.string
            ):
                misses.append((english, japanese, m.id))
    return misses


def test_translations_use_the_glossary_words():
    misses = glossary_misses(_glossary_pairs(), catalog("ja"))
    assert not misses, "translations that do not use the glossary's term:\n" + "\n".join(
        f"  {english!r} should be {japanese!r} in: {message!r}"
        for english, japanese, message in misses
    )


def test_the_glossary_check_catches_another_word():
    from babel.messages.catalog import Catalog

    po = Catalog(locale="ja")
    po.add("the output layer", "出力の層")
    po.add("the hidden layer", "中間層")
    assert glossary_misses([("output layer", "出力層"), ("hidden layer", "中間層")], po) == [
        ("output layer", "出力層", "the output layer")
    ]


def test_the_delta_rule_and_the_install_hints_speak_the_language_in_force(capsys):
    from tinygrad_edu import delta
    from tinygrad_edu._optional import install_hint, optional_import

    with i18n.language("ja"):
        with pytest.raises(ValueError, match="不明な活性化関数 'swish'。デルタ則が扱えるのは"):
            delta.activation("swish", 0.5)
        assert install_hint("lab") == (
            'pip install "tinygrad-edu[lab]" (ソースのチェックアウトでは: pip install -e ".[lab]")'
        )
        assert (
            optional_import("a_module_that_is_not_here", purpose=i18n.gettext("the progress bar"))
            is None
        )
    assert (
        "進捗バーに使う a_module_that_is_not_here がインストールされていません"
        in capsys.readouterr().err
    )
    with pytest.raises(ValueError, match="unknown activation 'swish'; the delta rule knows"):
        delta.activation("swish", 0.5)
