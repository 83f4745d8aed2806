"""docs/glossary.md: the English-Japanese table the translation follows, checked against the seeds.

``read_glossary()`` is the table as (English, Japanese) pairs, for any test that needs the
terms; the other tests hold the table to its format and its Seed column to the seeds' words.
"""

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
GLOSSARY = REPO / "docs" / "glossary.md"
SEEDS = REPO.parent / "shared" / "seeds"  # the seed documents sit beside the repository
COLUMNS = ["English", "日本語", "Seed", "Note"]
NO_SEED = "—"
SEED_CELL = re.compile(r"^00[0-3](, 00[0-3])*$")


def _cells(line):
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def read_table(path=GLOSSARY):
    """The glossary's one table: its header's cells and its rows' cells, in file order.

    Raises ``ValueError`` if the file has no table, more than one, or no separator row.
    """
    blocks, block = [], []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith("|"):
            block.append(line)
        elif block:
            blocks.append(block)
            block = []
    if block:
        blocks.append(block)
    if len(blocks) != 1:
        raise ValueError(f"{path}: expected one table, found {len(blocks)}")
    header, separator, *rows = blocks[0]
    if not all(set(cell) <= set(":-") and cell for cell in _cells(separator)):
        raise ValueError(f"{path}: the table's second line is not a separator: {separator!r}")
    return _cells(header), [_cells(row) for row in rows]


def read_glossary(path=GLOSSARY):
    """The glossary as a list of (English, Japanese) pairs, in the table's order."""
    _, rows = read_table(path)
    return [(row[0], row[1]) for row in rows]


def _seed_texts():
    """Each seed's number ('000') mapped to its text; skips the test if the seeds are absent."""
    if not SEEDS.is_dir():
        pytest.skip(f"the seed documents are not at {SEEDS} (expected beside the repository)")
    texts = {}
    for number in ("000", "001", "002", "003"):
        files = sorted(SEEDS.glob(f"{number}_*.txt"))
        assert len(files) == 1, f"expected one seed file {number}_*.txt in {SEEDS}, found {files}"
        texts[number] = files[0].read_text(encoding="utf-8")
    return texts


def _claims_not_in_seeds(rows, texts):
    """The rows whose Japanese term is missing from a seed their Seed cell names.

    Latin letters compare without case (000 writes ReLu, 002 Relu); kana and kanji as written.
    """
    missing = []
    for english, japanese, seed, *_ in rows:
        if seed == NO_SEED:
            continue
        for number in seed.split(", "):
            if japanese.casefold() not in texts[number].casefold():
                missing.append(f"{english} / {japanese}: not in seed {number}")
    return missing


def test_the_table_has_the_four_columns_and_every_row_has_four_cells():
    header, rows = read_table()
    assert header == COLUMNS
    bad = [row for row in rows if len(row) != len(COLUMNS)]
    assert not bad, f"rows without exactly {len(COLUMNS)} cells (a stray '|'?): {bad}"


def test_the_table_has_at_least_40_rows():
    assert len(read_glossary()) >= 40


def test_no_english_or_japanese_cell_is_empty():
    empty = [pair for pair in read_glossary() if not pair[0] or not pair[1]]
    assert not empty


def test_no_english_term_appears_twice():
    seen, twice = set(), []
    for english, _ in read_glossary():
        key = english.casefold()
        if key in seen:
            twice.append(english)
        seen.add(key)
    assert not twice, f"English terms in more than one row: {twice}"


def test_every_seed_cell_is_a_dash_or_a_list_of_seeds_in_order():
    _, rows = read_table()
    bad = [
        (row[0], row[2])
        for row in rows
        if row[2] != NO_SEED
        and (not SEED_CELL.match(row[2]) or row[2].split(", ") != sorted(set(row[2].split(", "))))
    ]
    assert not bad, f"Seed cells that are neither '{NO_SEED}' nor e.g. '000, 002': {bad}"


def test_a_dash_row_says_where_its_term_comes_from():
    _, rows = read_table()
    silent = [row[0] for row in rows if row[2] == NO_SEED and not row[3]]
    assert not silent, f"rows with no seed and no note on the term's source: {silent}"


def test_each_seed_named_uses_the_japanese_term():
    _, rows = read_table()
    assert _claims_not_in_seeds(rows, _seed_texts()) == []


def test_the_seed_check_catches_a_term_the_seed_does_not_use():
    texts = _seed_texts()
    rows = [
        ["hidden layer", "隠れ層", "001", ""],  # 001's word: passes
        ["hidden layer", "隠れ層", "000, 001", ""],  # 000 says 中間層: caught
        ["teacher signal", "教師信号", "000", ""],  # no seed says it: caught
        ["ReLU", "ReLU", "002", ""],  # 002's class Relu: passes, case aside
    ]
    assert _claims_not_in_seeds(rows, texts) == [
        "hidden layer / 隠れ層: not in seed 000",
        "teacher signal / 教師信号: not in seed 000",
    ]


def test_the_seeds_disagreements_are_settled_as_the_notes_say():
    glossary = dict(read_glossary())
    assert glossary["hidden layer"] == "中間層"
    assert glossary["learning rate"] == "学習率"
    assert glossary["learning coefficient"] == "学習係数"
    assert glossary["target"] == "正解"
    assert glossary["backpropagation"] == "誤差逆伝播法"
    assert glossary["backward pass"] == "逆伝播"


def test_the_glossary_is_in_the_sites_navigation():
    nav = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    assert re.search(r"^  - Glossary / 用語集: glossary\.md$", nav, re.MULTILINE)
