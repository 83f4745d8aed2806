"""Expressions as text, read safely: ``"tanh(x*w + b)"`` into a Value.

:func:`parse_expression` walks Python's ``ast`` with an allow-list (numbers,
variable names, ``+ - * / **``, unary minus and plus, and the engine's
functions) -- the text is never run as Python.  Anything else is an
:class:`ExpressionError` naming the problem and its column:

>>> from tinygrad_edu import Value
>>> x = Value(2.0, label='x')
>>> parse_expression("x**2 + exp(-x)", {"x": x}).formula()
'x**2 + exp(-x)'
>>> parse_expression("x.__class__", {"x": x})
Traceback (most recent call last):
...
tinygrad_edu.expr.ExpressionError: column 2: attribute access (.__class__) is not supported; write functions as exp(x)

A learner's usual slips get a hint: a * left out, and full-width characters
from a Japanese keyboard are read as ASCII (one for one: columns stay right):

>>> parse_expression("2x + 1", {"x": x})
Traceback (most recent call last):
...
tinygrad_edu.expr.ExpressionError: column 2: a * is missing: to multiply, write 2*x
>>> parse_expression("ｘ＊＊２　＋　１", {"x": x}).data
5.0

The command line (:mod:`tinygrad_edu.cli`) reads its expressions with it.
"""

from __future__ import annotations

import ast
import difflib
import io
import keyword
import math
import re
import tokenize
import unicodedata
import warnings
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from typing import Any, Literal, NoReturn, TypeVar

from .engine import Value
from .i18n import N_, gettext as _
from .ops import OPS

__all__ = [
    "parse_expression",
    "parse_assignments",
    "ExpressionError",
    "FUNCTIONS",
    "MAX_LENGTH",
    "MAX_DEPTH",
    "MAX_EXPONENT",
]

#: The functions an expression may call, by name: the registry's one-input ops
#: written as functions (exp, log, ... abs; -x is written as a sign).
FUNCTIONS = {
    name: op for name, op in OPS.items() if op.arity == 1 and op.infix is None and name != "neg"
}

#: Longest expression text accepted (characters): room for a sum of 10,000
#: variables; a command-line argument can carry at most 128 KiB on Linux.
MAX_LENGTH = 100_000
#: Deepest nesting accepted.  A chain of + and - (or of * and /) is one level
#: however long it is (x0 + x1 + ... + x9999); each operand that is itself
#: another operation -- a function call, a unary minus, a power, a chain of the
#: other kind -- adds one.
MAX_DEPTH = 200
MAX_EXPONENT = 1000  #: largest |k| accepted in x ** k with a number k

_BINARY = {
    ast.Add: "__add__",
    ast.Sub: "__sub__",
    ast.Mult: "__mul__",
    ast.Div: "__truediv__",
    ast.Pow: "__pow__",
}

#: Operators that form one chain with their left operand: a + b - c, a * b / c.
_CHAIN_KIND = {ast.Add: "+", ast.Sub: "+", ast.Mult: "*", ast.Div: "*"}

#: Functions with a kink (a corner where the derivative jumps): at it, backward() uses a convention.
_KINK_FUNCTIONS = tuple(name for name, op in FUNCTIONS.items() if op.kinks)

#: What evaluate() reports of a relu or abs call: (function name, its Value, its argument).
_Kink = tuple[str, Value, Value]
_NodeT = TypeVar("_NodeT", bound=ast.expr)

#: How much of a piece of the input an error message quotes (characters).
_QUOTE = 60

#: What a learner might type, and what to call it in an error message (translated
#: where the message is written).
_UNSUPPORTED = {
    ast.Compare: N_("a comparison"),
    ast.BoolOp: N_("and/or"),
    ast.IfExp: N_("if-else"),
    ast.Lambda: "lambda",
    ast.Subscript: N_("indexing with [ ]"),
    ast.Slice: N_("a slice"),
    ast.List: N_("a list"),
    ast.Tuple: N_("a tuple (or a stray comma)"),
    ast.Dict: N_("a dict"),
    ast.Set: N_("a set"),
    ast.ListComp: N_("a comprehension"),
    ast.SetComp: N_("a comprehension"),
    ast.DictComp: N_("a comprehension"),
    ast.GeneratorExp: N_("a generator expression"),
    ast.JoinedStr: N_("an f-string"),
    ast.NamedExpr: N_("assignment (:=)"),
    ast.Starred: N_("* unpacking"),
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
    ast.FloorDiv: N_("// (floor division; use /)"),
    ast.Mod: N_("% (modulo)"),
    ast.MatMult: "@",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.BitOr: N_("| (bitwise or)"),
    ast.BitAnd: N_("& (bitwise and)"),
    ast.Not: "not",
    ast.Invert: "~",
}

#: The messages of Python's parser that a learner's typing can bring up, with the
#: parts that vary as named groups: translated where the language has them, else
#: shown as Python wrote them (a message not listed here is shown as it is).
_PYTHON_MESSAGES = [
    (re.compile(pattern), message)
    for pattern, message in (
        (r"invalid syntax", N_("invalid syntax")),
        (
            r"invalid syntax\. Perhaps you forgot a comma\?",
            N_("invalid syntax. Perhaps you forgot a comma?"),
        ),
        (
            r"invalid syntax\. Maybe you meant '==' or ':=' instead of '='\?",
            N_("invalid syntax. Maybe you meant '==' or ':=' instead of '='?"),
        ),
        (r"'(?P<bracket>.)' was never closed", N_("'{bracket}' was never closed")),
        (r"unmatched '(?P<bracket>.)'", N_("unmatched '{bracket}'")),
        (
            r"closing parenthesis '(?P<closing>.)' does not match opening parenthesis "
            r"'(?P<opening>.)'",
            N_("closing parenthesis '{closing}' does not match opening parenthesis '{opening}'"),
        ),
        (
            r"closing parenthesis '(?P<closing>.)' does not match opening parenthesis "
            r"'(?P<opening>.)' on line (?P<line>\d+)",
            N_(
                "closing parenthesis '{closing}' does not match opening parenthesis "
                "'{opening}' on line {line}"
            ),
        ),
        (r"invalid decimal literal", N_("invalid decimal literal")),
        (r"invalid hexadecimal literal", N_("invalid hexadecimal literal")),
        (r"invalid octal literal", N_("invalid octal literal")),
        (r"invalid binary literal", N_("invalid binary literal")),
        (r"invalid imaginary literal", N_("invalid imaginary literal")),
        (
            r"invalid character '(?P<character>.+)' \((?P<code>U\+[0-9A-F]+)\)",
            N_("invalid character '{character}' ({code})"),
        ),
        (
            r"invalid non-printable character (?P<code>U\+[0-9A-F]+)",
            N_("invalid non-printable character {code}"),
        ),
        (
            r"unterminated string literal \(detected at line (?P<line>\d+)\)",
            N_("unterminated string literal (detected at line {line})"),
        ),
        (
            r"unterminated triple-quoted string literal \(detected at line (?P<line>\d+)\)",
            N_("unterminated triple-quoted string literal (detected at line {line})"),
        ),
        (
            r"leading zeros in decimal integer literals are not permitted; "
            r"use an 0o prefix for octal integers",
            N_(
                "leading zeros in decimal integer literals are not permitted; "
                "use an 0o prefix for octal integers"
            ),
        ),
        (
            r"source code string cannot contain null bytes",
            N_("source code string cannot contain null bytes"),
        ),
        (r"unexpected EOF while parsing", N_("unexpected EOF while parsing")),
    )
]


#: The full-width forms of ASCII (U+FF01-U+FF5E: ＊ ２ （ ） ＝ ｘ ...) and the
#: ideographic space (U+3000), as a Japanese keyboard types them, read as ASCII:
#: one character for one, so that every column stays where it is.
_HALFWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_HALFWIDTH[0x3000] = 0x20
#: The same, leaving the letters alone: in a name Python reads ｘ as x already (NFKC),
#: and the messages quote a name as it was written.
_HALFWIDTH_BUT_LETTERS = {
    code: ascii for code, ascii in _HALFWIDTH.items() if not chr(ascii).isalpha()
}
#: A number as typed (it starts with a digit that does not continue a name), with
#: what runs on from it: its letters (1ｅ5, ２ｘ) are read as ASCII too.
_NUMBER_RUN = re.compile(r"(?<!\w)[0-9][\w.]*")


def _halfwidth(text: str) -> str:
    """``text`` with the full-width forms of ASCII read as ASCII (see _HALFWIDTH),
    except the letters of names; the same length, and ASCII text unchanged."""
    if text.isascii():
        return text
    text = text.translate(_HALFWIDTH_BUT_LETTERS)
    return _NUMBER_RUN.sub(lambda found: found.group().translate(_HALFWIDTH), text)


class ExpressionError(ValueError):
    """An expression (or a ``name=value`` assignment) the command line cannot use.

    The message names the problem and, where it has one, the column (from 1).
    ``column`` holds that column, or None.
    """

    def __init__(self, message: str, column: int | None = None) -> None:
        self.message = message
        self.column = column
        super().__init__(
            _("column {column}: {message}").format(column=column, message=message)
            if column
            else message
        )


def _cut(text: str, limit: int) -> str:
    """``text`` up to ``limit`` characters; past that its start and end around '…'."""
    return text if len(text) <= limit else f"{text[: limit * 2 // 3]}…{text[-(limit // 3) :]}"


def _shortened(text: str, limit: int = _QUOTE) -> str:
    """A piece of the input for a message: cut as :func:`_cut` does, so that an
    error never repeats a huge input, and with what would break the line or
    cannot be shown (a line break, a NUL, a lone surrogate) escaped as repr() does."""
    text = _cut(text, limit)
    if not text.isprintable():
        text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return text


def _quoted(text: str, limit: int = _QUOTE) -> str:
    """repr() of a piece of the input, cut as :func:`_cut` does (with its length then)."""
    if len(text) <= limit:
        return repr(text)
    return _("{text} ({count} characters)").format(
        text=repr(_cut(text, limit)), count=f"{len(text):,}"
    )


def _too_deep(column: int | None = None) -> ExpressionError:
    return ExpressionError(
        _(
            "the expression nests more than {limit} operations inside one another; split it up"
        ).format(limit=MAX_DEPTH),
        column,
    )


def _python_words(message: str) -> str:
    """One of Python's parser messages in the language in force (as it is if the
    language has no translation of it)."""
    for pattern, english in _PYTHON_MESSAGES:
        found = pattern.fullmatch(message)
        if found is not None:
            translated = _(english)
            return message if translated == english else translated.format(**found.groupdict())
    return message


def _syntax_error(
    message: str, column: int | None, body: str | None = None, end: int | None = None
) -> ExpressionError:
    """``syntax error: message`` for one of Python's parser messages, at ``column``
    (to ``end``, where Python gives one) of ``body``; or, where a * is missing there
    (2x, x y), the hint to write it."""
    if body is not None and column and message in _MISSING_OPERATOR:
        hint = _missing_operator(body, column, end)
        if hint is not None:
            return hint
    return ExpressionError(
        _("syntax error: {message}").format(message=_python_words(message)), column
    )


#: Python's messages for a text where a * may be missing: 2x, x y, sin(2 x).
_MISSING_OPERATOR = {
    "invalid syntax",
    "invalid decimal literal",
    "invalid syntax. Perhaps you forgot a comma?",
}
#: The pieces of a text, to tell where a * is missing: numbers (as Python writes them),
#: names, brackets, spaces; anything else is "other".
_LEXEME = re.compile(
    r"(?P<number>0[xX][0-9a-fA-F_]*|0[oO][0-7_]*|0[bB][01_]*"
    r"|(?:[0-9](?:_?[0-9])*(?:\.(?:[0-9](?:_?[0-9])*)?)?|\.[0-9](?:_?[0-9])*)"
    r"(?:[eE][+-]?[0-9](?:_?[0-9])*)?[jJ]?)"
    r"|(?P<name>[^\W\d]\w*)|(?P<open>\()|(?P<close>\))|(?P<space>\s+)|(?P<other>.)",
    re.DOTALL,
)


def _missing_operator(body: str, column: int, end: int | None) -> ExpressionError | None:
    """The hint for two operands side by side (2x, 2 x, x y, (x+1)y) where Python
    stopped -- at ``column`` (to ``end``) of ``body`` -- or None if there are none
    there.  After a function's name (sin x) the hint is to call it."""
    pieces = [
        (found.lastgroup, found.start(), found.end())
        for found in _LEXEME.finditer(body)
        if found.lastgroup != "space"
    ]
    closing: dict[int, int] = {}  # opening bracket -> its closing one, and back
    opened: list[int] = []
    for i, (kind, _start, _end) in enumerate(pieces):
        if kind == "open":
            opened.append(i)
        elif kind == "close" and opened:
            j = opened.pop()
            closing[i], closing[j] = j, i

    def word(i: int) -> str:
        kind, start, stop = pieces[i]
        return unicodedata.normalize("NFKC", body[start:stop]) if kind == "name" else ""

    def ends_operand(i: int) -> bool:
        kind = pieces[i][0]
        return kind in ("number", "close") or (kind == "name" and not keyword.iskeyword(word(i)))

    def starts_operand(i: int) -> bool:
        kind, start, _stop = pieces[i]
        if kind == "number":
            return body[start] != "."  # x.5 is something else
        return kind == "name" and not keyword.iskeyword(word(i))

    last = max(column, (end or 0) - 1)
    for i in range(len(pieces) - 1):
        (_kind, start, stop), (_next, after, after_stop) = pieces[i], pieces[i + 1]
        if start + 1 > last or after_stop < column:  # not where Python stopped
            continue
        if not (ends_operand(i) and starts_operand(i + 1)):
            continue
        if word(i) in FUNCTIONS:
            return ExpressionError(
                _("{name} is a function: call it, e.g. {name}(x)").format(name=word(i)), after + 1
            )
        first = closing.get(i, i)  # (x+1) y: from the opening bracket
        if first > 0 and pieces[first][0] == "open" and pieces[first - 1][0] == "name":
            first -= 1  # sin(x) y: from the function's name
        last_piece = i + 1
        if last_piece + 1 < len(pieces) and pieces[last_piece + 1][0] == "open":
            last_piece = closing.get(last_piece + 1, last_piece)  # 2 sin(x): to its bracket
        product = f"{body[pieces[first][1] : stop]}*{body[after : pieces[last_piece][2]]}"
        return _implicit_product(product, after + 1)
    return None


def _implicit_product(product: str, column: int) -> ExpressionError:
    """The hint for a * left out: ``product`` is the two operands with * between them."""
    return ExpressionError(
        _("a * is missing: to multiply, write {product}").format(product=_shortened(product, 40)),
        column,
    )


def _ends_too_early(column: int) -> ExpressionError:
    return ExpressionError(
        _("syntax error: the expression ends too early (is something missing at the end?)"),
        column,
    )


def _unreadable(err: ValueError) -> ExpressionError:
    return ExpressionError(
        _("cannot read the expression: {error}").format(error=_python_words(str(err)))
    )


def _column(text: str, node: ast.expr, end: bool = False) -> int:
    """1-based character column of an ast node in the whole text (ast counts
    UTF-8 bytes within a line; a line break counts as one character); with
    ``end``, the column just after the node."""
    lines = text.split("\n")
    lineno, offset = (
        (node.end_lineno, node.end_col_offset) if end else (node.lineno, node.col_offset)
    )
    row = min(lineno or 1, len(lines)) - 1
    before = sum(len(line) + 1 for line in lines[:row])
    return before + len(lines[row].encode("utf-8")[: offset or 0].decode("utf-8", "replace")) + 1


def _suggest(name: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(choices), n=1)
    return _(" (did you mean {name}?)").format(name=_shortened(close[0])) if close else ""


def _source(text: str, node: ast.expr) -> str:
    return _quoted(ast.get_source_segment(text, node) or "")


def _number(node: ast.Constant, text: str) -> float:
    """The float of a numeric literal, or an ExpressionError."""
    value = node.value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        message = (
            _("complex numbers ({source}) are not supported; use real numbers")
            if isinstance(value, complex)
            else _("{type} literals ({source}) are not supported; use real numbers")
        )
        raise ExpressionError(
            message.format(type=type(value).__name__, source=_source(text, node)),
            _column(text, node),
        )
    try:
        x = float(value)
    except OverflowError:
        raise ExpressionError(_("a number is too large for a float"), _column(text, node)) from None
    if not math.isfinite(x):
        raise ExpressionError(
            _("{number} is not a finite number").format(
                number=_shortened(ast.get_source_segment(text, node) or "")
            ),
            _column(text, node),
        )
    return x


def _literal(node: ast.expr, text: str) -> float | None:
    """A number written directly, possibly signed (-3, +2.5): its float, else None."""
    sign = 1.0
    while isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        if isinstance(node.op, ast.USub):
            sign = -sign
        node = node.operand
    if isinstance(node, ast.Constant):
        return sign * _number(node, text)
    return None


def _continues_chain(node: ast.BinOp, operand: ast.expr) -> bool:
    """Whether ``operand`` (the left operand of ``node``) belongs to the same chain
    as node: a + b - c and a * b / c nest no deeper however long they are."""
    kind = _CHAIN_KIND.get(type(node.op))
    return (
        kind is not None
        and isinstance(operand, ast.BinOp)
        and _CHAIN_KIND.get(type(operand.op)) == kind
    )


# ---------------------------------------------------------------------------
# Reading the text: Python's own parser, in pieces when the text is too deep for it


def _syntax_tree(body: str) -> ast.Expression:
    """Python's syntax tree (mode 'eval') of ``body``, the stripped text.

    Python's parser turns a long chain such as ``x0 + x1 + ... + x9999`` into a
    tree as deep as the chain, which some versions cannot build (3.11 and 3.12
    stop near 3,000 terms, 3.13 near 10,000; 3.10 goes on).  Such a text is read
    by :class:`_Pieces` instead: the chains are split where Python would split
    them and each piece goes through ``ast.parse``, so the tree is the same on
    every version.
    """
    try:
        with warnings.catch_warnings():  # e.g. "1if x else 2": our error says it all
            warnings.simplefilter("ignore")
            return ast.parse(body, mode="eval")
    except SyntaxError as err:
        if err.offset == 0 and err.msg == "invalid syntax":  # ast's way of saying "at the end"
            raise _ends_too_early(len(body) + 1) from None
        first_line = (err.lineno or 1) == 1
        offset = err.offset if err.offset and first_line else None
        end = err.end_offset if first_line and (err.end_lineno or 1) == 1 else None
        raise _syntax_error(err.msg, offset, body, end) from None
    except (RecursionError, MemoryError):
        pass  # too deep for this Python's parser: read it in pieces
    except ValueError as err:  # e.g. a null byte, on some Python versions
        raise _unreadable(err) from None
    return ast.Expression(body=_Pieces(body).tree())


_OPENERS = {"(": ")", "[": "]", "{": "}", "FSTRING_START": "FSTRING_END"}
_ADDITIVE = {"+": ast.Add, "-": ast.Sub}
_MULTIPLICATIVE = {"*": ast.Mult, "/": ast.Div, "//": ast.FloorDiv, "%": ast.Mod, "@": ast.MatMult}
_UNARY = {"-": ast.USub, "+": ast.UAdd, "~": ast.Invert}
#: Tokens a chain may hold outside brackets; anything else (a keyword, a comma, a
#: comparison) leaves the span to ast.parse whole.
_OUTSIDE = {
    "NAME",
    "NUMBER",
    "STRING",
    "FSTRING_START",
    "**",
    ".",
    "(",
    "[",
    "{",
    *_ADDITIVE,
    *_MULTIPLICATIVE,
    *_UNARY,
}
#: Tokens that stand only after an operand (unlike + and -, which may be signs).
_AFTER_OPERANDS = {"**", ".", *_MULTIPLICATIVE}
#: Tokens after which + - * / are binary operators (otherwise + and - are signs).
_OPERAND_ENDS = {"NAME", "NUMBER", "STRING", "FSTRING_END", ")", "]", "}"}
_TOKEN_KINDS = {
    getattr(tokenize, kind): kind
    for kind in ("NAME", "NUMBER", "STRING", "FSTRING_START", "FSTRING_MIDDLE", "FSTRING_END")
    if hasattr(tokenize, kind)
}  # f-strings have tokens of their own from 3.12
_SKIPPED = {
    tokenize.NL,
    tokenize.NEWLINE,
    tokenize.COMMENT,
    tokenize.DEDENT,
    tokenize.ENDMARKER,
    tokenize.ENCODING,
}


class _Pieces:
    """Build the syntax tree of a text too deep for ``ast.parse`` in one go.

    The text is split into tokens (Python's ``tokenize``, which only reads);
    chains of ``+ -`` and ``* /``, signs, powers, parentheses and calls of one
    argument are assembled here, iteratively where they can be long, into the
    very nodes Python would make (positions included); every other piece -- a
    name, a number, anything in brackets that is not such a chain -- goes to
    ``ast.parse``.  A piece that is still too deep is an ExpressionError.
    """

    body: str
    lines: list[str]
    line_starts: list[int]  # the character offset of each line in the body
    byte_columns: dict[int, list[int] | Literal[False]]  # False: an ASCII line
    kinds: list[str]  # each token's kind: an operator as written, NAME, NUMBER, KEYWORD ...
    texts: list[str]
    starts: list[tuple[int, int]]  # (row from 1, column) as tokenize gives them
    ends: list[tuple[int, int]]
    match: dict[int, int]

    def __init__(self, body: str) -> None:
        self.body = body
        if any(c in body for c in "\r\x0c\x00"):  # line ends tokenize and ast could count apart
            raise _too_deep()
        self.lines = body.split("\n")
        self.line_starts = [0]
        for line in self.lines[:-1]:
            self.line_starts.append(self.line_starts[-1] + len(line) + 1)
        self.byte_columns = {}
        self.kinds, self.texts, self.starts, self.ends = [], [], [], []
        depth, line_ended = 0, False
        try:
            for token in tokenize.generate_tokens(io.StringIO(body).readline):
                if token.type in _SKIPPED:
                    if token.type in (tokenize.NL, tokenize.NEWLINE) and depth == 0 and self.kinds:
                        line_ended = True
                    continue
                if line_ended:  # a line break outside brackets, then more
                    raise _too_deep()
                if token.type == tokenize.OP and token.string in ("(", "[", "{"):
                    depth += 1
                elif token.type == tokenize.OP and token.string in (")", "]", "}"):
                    depth -= 1
                if token.type == tokenize.OP:
                    kind = token.string
                elif token.type in _TOKEN_KINDS:
                    kind = _TOKEN_KINDS[token.type]
                    if kind == "NAME" and keyword.iskeyword(token.string):
                        kind = "KEYWORD"
                else:  # an indent, ERRORTOKEN: not an expression
                    raise _too_deep()
                self.kinds.append(kind)
                self.texts.append(token.string)
                self.starts.append(token.start)
                self.ends.append(token.end)
        except (tokenize.TokenError, SyntaxError):
            raise _too_deep() from None
        self.match = {}  # opening bracket -> its closing one
        stack: list[int] = []
        for i, kind in enumerate(self.kinds):
            if kind in _OPENERS:
                stack.append(i)
            elif kind in (")", "]", "}", "FSTRING_END"):
                if not stack or _OPENERS[self.kinds[stack[-1]]] != kind:
                    raise _too_deep()
                self.match[stack.pop()] = i
        if stack or not self.kinds:
            raise _too_deep()

    def tree(self) -> ast.expr:
        return self._expression(0, len(self.kinds), 1)

    # -- positions -------------------------------------------------------------
    def _offset(self, row_col: tuple[int, int]) -> int:
        """Character offset in the body of a token position (row from 1, column)."""
        row, col = row_col
        return self.line_starts[row - 1] + col

    def _byte_column(self, row: int, col: int) -> int:
        """ast counts columns in UTF-8 bytes; tokenize in characters."""
        columns = self.byte_columns.get(row)
        if columns is None:
            line = self.lines[row - 1]
            if line.isascii():
                columns = None
            else:
                columns, total = [0], 0
                for ch in line:
                    total += len(ch.encode("utf-8", "surrogatepass"))
                    columns.append(total)
            self.byte_columns[row] = columns or False
        return columns[col] if columns else col

    def _place(self, node: _NodeT, lo: int, hi: int) -> _NodeT:
        """Give node the position of tokens lo..hi-1, as ast.parse would."""
        (row, col), (end_row, end_col) = self.starts[lo], self.ends[hi - 1]
        node.lineno, node.col_offset = row, self._byte_column(row, col)
        node.end_lineno, node.end_col_offset = end_row, self._byte_column(end_row, end_col)
        return node

    # -- the grammar: expression = term (+|- term)*, term = factor (*|/ factor)* ----
    def _walk(self, lo: int, hi: int) -> Iterator[int]:
        """The tokens of lo..hi outside brackets, one by one (a bracketed group
        appears as its opening and its closing token)."""
        i = lo
        while i < hi:
            yield i
            if self.kinds[i] in _OPENERS:
                i = self.match[i]
                if i >= hi:
                    return
                yield i
            i += 1

    def _outside(self, lo: int, hi: int) -> list[int] | None:
        """The tokens of lo..hi outside brackets, or None if one of them cannot be
        part of a chain (a keyword, a comma, a comparison ...)."""
        found: list[int] = []
        i = lo
        while i < hi:
            kind = self.kinds[i]
            if kind not in _OUTSIDE or (
                kind in _AFTER_OPERANDS and not self._binary(found[-1] if found else None)
            ):
                return None  # f(**kw), *args: for ast.parse
            found.append(i)
            if kind in _OPENERS:
                i = self.match[i]
                if i >= hi:
                    return None
                found.append(i)
            i += 1
        return found or None

    def _binary(self, previous: int | None) -> bool:
        return previous is not None and self.kinds[previous] in _OPERAND_ENDS

    def _expression(self, lo: int, hi: int, level: int) -> ast.expr:
        if level > MAX_DEPTH:
            raise _too_deep()
        outside = self._outside(lo, hi) if lo < hi else None
        if outside is None:
            return self._leaf(lo, hi)
        # Split once, left to right: terms at binary + -, factors at binary * / // % @.
        # (the operator before it or None, its factors); a factor: (operator or None, lo, hi)
        terms: list[tuple[int | None, list[tuple[int | None, int, int]]]] = []
        factors: list[tuple[int | None, int, int]] = []
        term_operator, operator, start, previous = None, None, lo, None
        for i in outside:
            kind = self.kinds[i]
            if self._binary(previous) and (kind in _ADDITIVE or kind in _MULTIPLICATIVE):
                factors.append((operator, start, i))
                start = i + 1
                if kind in _ADDITIVE:
                    terms.append((term_operator, factors))
                    factors, operator, term_operator = [], None, i
                else:
                    operator = i
            previous = i
        factors.append((operator, start, hi))
        terms.append((term_operator, factors))
        node = None
        for term_operator, factors in terms:
            term = None
            for operator, a, b in factors:
                factor = self._factor(a, b, level)
                if term is None:
                    term = factor
                else:
                    assert operator is not None  # only the first factor has none
                    term = self._place(
                        ast.BinOp(
                            left=term, op=_MULTIPLICATIVE[self.kinds[operator]](), right=factor
                        ),
                        factors[0][1],
                        b,
                    )
            if node is None:
                node = term
            else:
                assert term is not None and term_operator is not None  # only the first term's
                node = self._place(
                    ast.BinOp(left=node, op=_ADDITIVE[self.kinds[term_operator]](), right=term),
                    lo,
                    b,
                )
        assert node is not None  # there is at least one term
        return node

    def _factor(self, lo: int, hi: int, level: int) -> ast.expr:
        """Signs and powers: -a ** -b ** c is -(a ** (-(b ** c))), built with a loop."""
        pending: list[tuple[int, ast.expr | None]] = []  # (first token, base of a power or None)
        while True:
            if lo >= hi:
                return self._leaf(lo, hi)  # nothing where an operand belongs
            if self.kinds[lo] in _UNARY:
                pending.append((lo, None))
                lo += 1
                continue
            power, previous = None, None
            for i in self._walk(lo, hi):  # stops at the first power
                if self.kinds[i] == "**" and self._binary(previous):
                    power = i
                    break
                previous = i
            if power is None:
                node = self._primary(lo, hi, level)
                break
            pending.append((lo, self._primary(lo, power, level)))
            lo = power + 1
        for start, base in reversed(pending):
            if base is None:
                node = ast.UnaryOp(op=_UNARY[self.kinds[start]](), operand=node)
            else:
                node = ast.BinOp(left=base, op=ast.Pow(), right=node)
            self._place(node, start, hi)
        return node

    def _primary(self, lo: int, hi: int, level: int) -> ast.expr:
        """(chain) and f(chain) are read here; every other operand by ast.parse."""
        kind = self.kinds[lo]
        if kind == "(" and self.match[lo] == hi - 1 and hi - lo > 2:
            if self._outside(lo + 1, hi - 1) is not None:
                return self._expression(lo + 1, hi - 1, level + 1)  # parentheses make no node
        elif (
            kind == "NAME"
            and hi - lo > 3
            and self.kinds[lo + 1] == "("
            and self.match[lo + 1] == hi - 1
            and self._outside(lo + 2, hi - 1) is not None
        ):
            argument = self._expression(lo + 2, hi - 1, level + 1)
            name = unicodedata.normalize("NFKC", self.texts[lo])  # as Python names it
            func = self._place(ast.Name(id=name, ctx=ast.Load()), lo, lo + 1)
            return self._place(ast.Call(func=func, args=[argument], keywords=[]), lo, hi)
        return self._leaf(lo, hi)

    def _leaf(self, lo: int, hi: int) -> ast.expr:
        """Tokens lo..hi-1 read by ast.parse, moved to where they stand in the body."""
        if lo >= hi:  # an operator with nothing after it
            at = self._offset(self.starts[lo]) + 1 if lo < len(self.kinds) else None
            if at is None:
                raise _ends_too_early(len(self.body) + 1)
            raise _syntax_error("invalid syntax", at)
        start = self._offset(self.starts[lo])
        text = self.body[start : self._offset(self.ends[hi - 1])]
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                piece = ast.parse(text, mode="eval").body
        except SyntaxError as err:
            column = end = None
            if err.lineno and err.offset:
                line_start = sum(len(line) + 1 for line in text.split("\n")[: err.lineno - 1])
                column = start + line_start + err.offset
                if err.end_offset and err.end_lineno == err.lineno:
                    end = start + line_start + err.end_offset
            raise _syntax_error(err.msg, column, self.body, end) from None
        except (RecursionError, MemoryError):
            raise _too_deep(start + 1) from None
        except ValueError as err:
            raise _unreadable(err) from None
        row, col = self.starts[lo]
        shift = self._byte_column(row, col)
        node: Any  # an expr, arg, keyword ...: the classes with a position have no common base
        for node in ast.walk(piece):
            if getattr(node, "lineno", None) is None:
                continue  # operators and contexts: shared, no position
            if node.lineno == 1:
                node.col_offset += shift
            if node.end_lineno == 1:
                node.end_col_offset += shift
            node.lineno += row - 1
            node.end_lineno += row - 1
        return piece


# ---------------------------------------------------------------------------
# Checking and evaluating the tree


class _Expression:
    """An expression read and checked once, to be evaluated as often as needed
    (the finite-difference check evaluates it twice per variable).

    ``names``: the variables it uses; ``size``: how many steps (numbers, names,
    operations) one evaluation takes; ``kinks``: the relu and abs calls whose
    argument depends on a variable (at a kink the derivative is a convention).
    """

    def __init__(self, text: str, variables: Collection[str]) -> None:
        if not isinstance(text, str):
            raise ExpressionError(
                _("the expression must be text, got {type}").format(type=type(text).__name__)
            )
        if len(text) > MAX_LENGTH:
            raise ExpressionError(
                _("the expression is {length} characters long; the limit is {limit}").format(
                    length=len(text), limit=MAX_LENGTH
                )
            )
        text = _halfwidth(text)
        if not text.strip():
            raise ExpressionError(_("the expression is empty"))
        body = text.strip()  # ast reads leading spaces as an indent; columns count from `text`
        lead = len(text) - len(text.lstrip())
        try:
            self.tree = _syntax_tree(body)
            self.names, self.kinks = _check(self.tree, body, variables)
            self.program = _program(self.tree, body)
            self.size = len(self.program)
        except ExpressionError as err:
            if err.column is None or not lead:
                raise
            raise ExpressionError(err.message, err.column + lead) from None
        self.body, self.lead = body, lead

    def evaluate(self, values: Mapping[str, Value], kinks: list[_Kink] | None = None) -> Value:
        """The Value of the expression, ``values`` mapping each name to a Value.

        ``kinks``, a list, receives (function name, its Value, its argument) for
        each relu and abs in :attr:`kinks`, in the order they are computed.
        """
        try:
            return _run(self.program, self.body, values, self.kinks, kinks)
        except ExpressionError as err:
            if err.column is None or not self.lead:
                raise
            raise ExpressionError(err.message, err.column + self.lead) from None


def _check(
    tree: ast.Expression, text: str, variables: Collection[str]
) -> tuple[set[str], set[ast.Call]]:
    """Walk the tree once (iteratively): allow-listed nodes only, depth bounded,
    every name given.  Returns the names used and the kink calls whose argument
    depends on a variable."""
    names, order = set(), []
    stack = [(tree.body, 1)]

    def fail(message: str, node: ast.expr) -> NoReturn:
        raise ExpressionError(message, _column(text, node) if hasattr(node, "col_offset") else None)

    while stack:
        node, depth = stack.pop()
        order.append(node)
        if depth > MAX_DEPTH:
            raise _too_deep(_column(text, node) if hasattr(node, "col_offset") else None)
        if isinstance(node, ast.Constant):
            _number(node, text)
        elif isinstance(node, ast.Name):
            if node.id in FUNCTIONS:
                fail(_("{name} is a function: call it, e.g. {name}(x)").format(name=node.id), node)
            if node.id not in variables:
                name = _shortened(node.id)
                if keyword.iskeyword(node.id):
                    fail(
                        _(
                            "'{written}' reads as the Python keyword '{name}', "
                            "which cannot name a variable"
                        ).format(
                            written=_shortened(ast.get_source_segment(text, node) or name),
                            name=name,
                        ),
                        node,
                    )
                fail(
                    _(
                        "'{name}' has no value{suggestion}; give one after the expression, "
                        "e.g. {name}=1.5 (variables given: {variables})"
                    ).format(
                        name=name,
                        suggestion=_suggest(node.id, variables),
                        variables=_listed(variables),
                    ),
                    node,
                )
            names.add(node.id)
        elif isinstance(node, ast.BinOp):
            if isinstance(node.op, ast.BitXor):
                fail(_("^ (write powers as **) is not supported: write x squared as x**2"), node)
            if type(node.op) not in _BINARY:
                fail(
                    _("{what} is not supported; use + - * / **").format(
                        what=_(_UNSUPPORTED.get(type(node.op), type(node.op).__name__))
                    ),
                    node,
                )
            if isinstance(node.op, ast.Pow):
                k = _literal(node.right, text)
                if k is not None and abs(k) > MAX_EXPONENT:
                    fail(
                        _("exponent {exponent} is too large (the limit is ±{limit})").format(
                            exponent=f"{k:g}", limit=MAX_EXPONENT
                        ),
                        node.right,
                    )
            left_depth = depth if _continues_chain(node, node.left) else depth + 1
            stack += [(node.right, depth + 1), (node.left, left_depth)]
        elif isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, (ast.USub, ast.UAdd)):
                fail(_("{what} is not supported").format(what=_(_UNSUPPORTED[type(node.op)])), node)
            stack.append((node.operand, depth + 1))
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute):
                fail(
                    _("method calls (.{name}) are not supported; write {name}(...)").format(
                        name=_shortened(func.attr)
                    ),
                    node,
                )
            if (
                (
                    not isinstance(func, ast.Name)
                    or (func.id in variables and func.id not in FUNCTIONS)
                )
                and len(node.args) == 1
                and not node.keywords
                and not isinstance(node.args[0], ast.Starred)
            ):  # 2(x+1), (x+1)(x-1), x(y+1): a * left out
                raise _product_of_call(text, node)
            if not isinstance(func, ast.Name):
                fail(
                    _("only the functions {functions} can be called").format(
                        functions=", ".join(FUNCTIONS)
                    ),
                    node,
                )
            if func.id not in FUNCTIONS:
                fail(
                    _(
                        "unknown function '{name}'{suggestion}; the functions are {functions}"
                    ).format(
                        name=_shortened(func.id),
                        suggestion=_suggest(func.id, FUNCTIONS),
                        functions=", ".join(FUNCTIONS),
                    ),
                    node,
                )
            if node.keywords:
                fail(_("{name}() takes no keyword arguments").format(name=func.id), node)
            if any(isinstance(arg, ast.Starred) for arg in node.args):
                fail(_("* unpacking is not supported"), node)
            if len(node.args) != 1:
                fail(
                    _("{name}() takes exactly one argument, got {count}").format(
                        name=func.id, count=len(node.args)
                    ),
                    node,
                )
            stack.append((node.args[0], depth + 1))
        elif isinstance(node, ast.Attribute):
            raise ExpressionError(
                _("attribute access (.{name}) is not supported; write functions as exp(x)").format(
                    name=_shortened(node.attr)
                ),
                _column(text, node.value) + len(ast.get_source_segment(text, node.value) or ""),
            )
        else:
            what = _UNSUPPORTED.get(type(node), f"'{type(node).__name__}'")
            fail(_("{what} is not supported here").format(what=_(what)), node)
    # Which nodes depend on a variable, children before parents (the walk's order reversed).
    depends: set[ast.expr] = set()
    kinks: set[ast.Call] = set()
    for node in reversed(order):
        if isinstance(node, ast.Name):
            depends.add(node)
        elif isinstance(node, ast.BinOp):
            if node.left in depends or node.right in depends:
                depends.add(node)
        elif isinstance(node, ast.UnaryOp):
            if node.operand in depends:
                depends.add(node)
        elif isinstance(node, ast.Call) and node.args[0] in depends:
            depends.add(node)
            assert isinstance(node.func, ast.Name)  # checked above: only names are called
            if node.func.id in _KINK_FUNCTIONS:
                kinks.add(node)
    return names, kinks


def _product_of_call(text: str, node: ast.Call) -> ExpressionError:
    """The hint for a call of something that is not a function, 2(x+1): a * left out."""
    start, stop = _column(text, node) - 1, _column(text, node, end=True) - 1
    bracket = _column(text, node.func, end=True) - 1
    while bracket < stop and text[bracket] != "(":  # past the brackets around (x+1)(x-1)'s first
        bracket += 1
    return _implicit_product(f"{text[start:bracket].rstrip()}*{text[bracket:stop]}", bracket + 1)


def _listed(names: Collection[str], most: int = 10) -> str:
    """Up to ``most`` names, each shortened, for a message."""
    shown = sorted(names)[:most]
    text = ", ".join(_shortened(name, 20) for name in shown) or _("none")
    if len(names) <= most:
        return text
    return _("{names} and {count} more").format(names=text, count=f"{len(names) - most:,}")


# The instructions of a program (see _program): push a number, push a variable,
# apply a binary op to the top two, a power with a number exponent, a sign, a function.
_NUMBER, _NAME, _BINARY_OP, _POWER, _NEGATE, _FUNCTION = range(6)
#: The operators whose errors name them as written (see _failed).
_NAMED_AS_WRITTEN = (ast.Div, ast.Pow)
#: (instruction, argument, its node); the argument's type depends on the instruction
#: (a float, a name, a Value method or None), so it is Any here.
_Instruction = tuple[int, Any, ast.expr]
_METHODS: dict[type[ast.operator], Callable[[Value, Value], Value]] = {
    op: getattr(Value, name) for op, name in _BINARY.items()
}


def _program(tree: ast.Expression, text: str) -> list[_Instruction]:
    """The checked tree as a list of instructions in the order the forward pass
    computes them (postfix), each (instruction, argument, its node).  Built and
    run with loops, so a chain as long as the text needs no recursion."""
    program: list[_Instruction] = []
    stack = [(tree.body, False)]
    while stack:
        node, operands_done = stack.pop()
        if operands_done:
            if isinstance(node, ast.BinOp):
                k = _literal(node.right, text) if isinstance(node.op, ast.Pow) else None
                program.append(
                    (_BINARY_OP, _METHODS[type(node.op)], node) if k is None else (_POWER, k, node)
                )
            elif isinstance(node, ast.UnaryOp):
                if isinstance(node.op, ast.USub):  # +x is x itself
                    program.append((_NEGATE, None, node))
            else:
                assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)  # see _check
                program.append((_FUNCTION, node.func.id, node))
            continue
        k = _literal(node, text)
        if k is not None:  # -3 is a number, not neg(3)
            program.append((_NUMBER, k, node))
        elif isinstance(node, ast.Name):
            program.append((_NAME, node.id, node))
        elif isinstance(node, ast.BinOp):
            stack.append((node, True))
            if not (isinstance(node.op, ast.Pow) and _literal(node.right, text) is not None):
                stack.append((node.right, False))  # x ** 2: a number exponent, d/dx = 2x
            stack.append((node.left, False))
        elif isinstance(node, ast.UnaryOp):
            stack += [(node, True), (node.operand, False)]
        else:
            assert isinstance(node, ast.Call)  # the only other node _check lets through
            stack += [(node, True), (node.args[0], False)]
    return program


def _run(
    program: list[_Instruction],
    text: str,
    variables: Mapping[str, Value],
    kink_nodes: Collection[ast.Call],
    kinks: list[_Kink] | None,
) -> Value:
    """The Value of a program, ``variables`` mapping names to Values; ``kinks``
    (a list or None) receives (function, its Value, its argument) for each call
    in ``kink_nodes``."""
    stack: list[Value] = []
    push, pop = stack.append, stack.pop
    for instruction, argument, node in program:
        try:
            if instruction == _NAME:
                push(variables[argument])
            elif instruction == _BINARY_OP:
                right = pop()
                stack[-1] = argument(stack[-1], right)
            elif instruction == _NUMBER:
                push(Value(argument))
            elif instruction == _POWER:
                stack[-1] = stack[-1] ** argument
            elif instruction == _NEGATE:
                stack[-1] = -stack[-1]
            else:
                operand = stack[-1]
                stack[-1] = FUNCTIONS[argument](operand)
                if kinks is not None and node in kink_nodes:
                    kinks.append((argument, stack[-1], operand))
        except (ValueError, ZeroDivisionError, OverflowError) as err:
            operands = [stack[-1], right] if instruction == _BINARY_OP else [stack[-1]]
            raise _failed(err, text, node, operands) from None
    return stack[0]


def _failed(err: Exception, text: str, node: ast.expr, operands: list[Value]) -> ExpressionError:
    """The error of one step of the forward pass.  A division or a power is named
    as the learner wrote it, with its operands' values: ``1/x: division by zero
    (x = 0)``, where the engine says div(1.0, x = 0.0), an op the learner never
    wrote.  Other errors keep the engine's words: a function call, ``log(x =
    0.0): ...``, is what the learner wrote, and an overflow of + - * names the
    operation, ``mul(x = 1e+308, y = 1e+308)``."""
    reason = getattr(err, "reason", None)
    if reason is None or not (
        isinstance(node, ast.BinOp) and isinstance(node.op, _NAMED_AS_WRITTEN)
    ):
        return ExpressionError(str(err), _column(text, node))
    values = ", ".join(
        f"{_shortened(ast.get_source_segment(text, operand) or '', 30)} = {value.data:.10g}"
        for operand, value in zip((node.left, node.right), operands)
        if _literal(operand, text) is None
    )
    expression = _shortened(ast.get_source_segment(text, node) or "")
    return ExpressionError(
        _("{expression}: {reason} ({values})").format(
            expression=expression, reason=reason, values=values
        )
        if values
        else f"{expression}: {reason}",
        _column(text, node),
    )


def parse_expression(text: str, variables: Mapping[str, Value | float]) -> Value:
    """The Value computed by the expression ``text``, e.g. ``"tanh(x*w + b)"``.

    ``variables`` maps each name to a Value (used as is, so its ``.grad`` is
    filled by ``backward()``) or a number (wrapped in a Value labelled with
    the name).  Allowed: numbers, the variables, ``+ - * / **``, unary ``-``
    and ``+``, parentheses and calls of :data:`FUNCTIONS` with one argument.
    Names are read as Python reads identifiers (NFKC: ``ｘ`` is ``x``), the
    names of ``variables`` too, and the full-width forms of ASCII that a
    Japanese keyboard types (``ｘ＊ｙ＋２``, the ideographic space) as ASCII.
    Raises :class:`ExpressionError` for anything else -- unknown names,
    syntax errors, other constructs, numbers that are not finite, exponents
    beyond :data:`MAX_EXPONENT`, text longer than :data:`MAX_LENGTH` or nested
    deeper than :data:`MAX_DEPTH` -- and for domain errors of the engine
    (``log(0)``); never anything else.  Time and memory grow in proportion
    to the length of the text.

    >>> parse_expression("2*y", {"y": 1.5}).data
    3.0
    """
    values: dict[str, Value] = {}
    written: dict[str, str] = {}
    for given, v in variables.items():
        # the expression's names are read as Python reads identifiers (ｘ is x): the keys too
        name = given if not isinstance(given, str) or given.isascii() else _nfkc(given)
        if name in values:
            raise ExpressionError(
                _("{name} is given twice ({first} and {second})").format(
                    name=_shortened(name),
                    first=_shortened(written[name]),
                    second=_shortened(given),
                )
            )
        values[name] = v if isinstance(v, Value) else _variable(name, v)
        written[name] = given
    return _Expression(text, values).evaluate(values)


def _nfkc(name: str) -> str:
    return unicodedata.normalize("NFKC", name)


def _variable(name: str, value: float) -> Value:
    try:
        return Value(value, label=name)
    except (TypeError, ValueError) as err:
        raise ExpressionError(
            _("variable {name}: {error}").format(name=_shortened(name), error=err)
        ) from None


def _variable_name(item: str, equals: int) -> str:
    """The variable name of ``name=value`` (its = at ``equals``), normalised as Python
    normalises identifiers."""
    written = item[:equals].strip()
    if not written.isidentifier():
        raise ExpressionError(
            _("{name} is not a valid variable name (in {item})").format(
                name=_quoted(written), item=_quoted(item)
            )
        )
    name = unicodedata.normalize("NFKC", written)
    if keyword.iskeyword(name) or name in FUNCTIONS:
        shown = (
            _shortened(written)
            if name == written
            else _("{written} (read as {name})").format(
                written=_shortened(written), name=_shortened(name)
            )
        )
        if keyword.iskeyword(name):
            raise ExpressionError(
                _(
                    "{name} is a Python keyword, which cannot name a variable; "
                    "call it something else, e.g. {suggestion}"
                ).format(name=shown, suggestion=f"{name}_")
            )
        raise ExpressionError(
            _("{name} is a function name; call the variable something else").format(name=shown)
        )
    return name


def parse_assignments(items: Iterable[str]) -> dict[str, float]:
    """``['x=2', 'w=-3']`` -> ``{'x': 2.0, 'w': -3.0}``, or an ExpressionError.

    Names are normalised as Python normalises identifiers (NFKC), so ``ｘ=3``
    gives ``x``; Python's keywords cannot be names.  Full-width forms of ASCII
    are read as ASCII: ``ｙ＝－１．５`` is ``y=-1.5``.

    >>> parse_assignments(['x=2', 'w=-3e-1', 'ｙ=1', 'ｚ＝－１．５'])
    {'x': 2.0, 'w': -0.3, 'y': 1.0, 'z': -1.5}
    """
    values: dict[str, float] = {}
    written: dict[str, str] = {}
    for item in items:
        halfwidth = item.translate(_HALFWIDTH) if not item.isascii() else item  # ｘ＝－１．５
        equals = halfwidth.find("=")
        if equals < 0:
            raise ExpressionError(
                _("expected name=value after the expression, got {item}").format(item=_quoted(item))
            )
        name = _variable_name(item, equals)
        text = item[equals + 1 :]  # as written, for the messages
        number = halfwidth[equals + 1 :]
        if name in values:
            raise ExpressionError(
                _("{name} is given twice ({first} and {second})").format(
                    name=_shortened(name),
                    first=_shortened(written[name]),
                    second=_shortened(item),
                )
            )
        try:
            x = float(number)
        except ValueError:
            raise ExpressionError(
                _("{name}={text}: {value} is not a number").format(
                    name=_shortened(name), text=_shortened(text), value=_quoted(text.strip())
                )
            ) from None
        if not math.isfinite(x):
            raise ExpressionError(
                _("{name}={text}: the value must be a finite number").format(
                    name=_shortened(name), text=_shortened(text)
                )
            )
        values[name] = x
        written[name] = item
    return values
