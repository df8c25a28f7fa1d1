"""User-facing names for the grammar's terminals, for parser diagnostics.

Stage: part of parsing.  Consumes lark terminal names (`NAME`, `_RBRACE`, `$END` ...)
and tokens; produces the phrases diagnostics show ("a name", "`}`", "end of file"),
never lark's internal names.
"""

from __future__ import annotations

from collections.abc import Iterable

from lark import Token

KEYWORDS = frozenset(
    "import property check expect always eventually forall exists in where count "
    "and or not implies true false".split()
)

_PUNCTUATION = {
    "_LEADSTO": "~>",
    "_PLUS": "+",
    "_MINUS": "-",
    "_STAR": "*",
    "_DOTDOT": "..",
    "_DOT": ".",
    "_COLON": ":",
    "_COMMA": ",",
    "_LBRACE": "{",
    "_RBRACE": "}",
    "_LBRACK": "[",
    "_RBRACK": "]",
    "_LPAR": "(",
    "_RPAR": ")",
}
_WORDS = {
    "NAME": "a name",
    "FIELD": "a field name",
    "INT": "an integer",
    "DURATION": "a duration",
    "QUANTITY": "a quantity",
    "PERCENT": "a percentage",
    "STRING": "a string",
    "BOOL": "`true` or `false`",
    "OUTCOME": "`holds` or `violated`",
    "PODS": "`pods`",
    "NODES": "`nodes`",
    "CONTAINERS": "`containers`",
    "INIT_CONTAINERS": "`initContainers`",
    "CMP_OP": "a comparison",
    "ELAPSED": "`elapsed`",
    "$END": "end of file",
}
_FOUND = {
    "NAME": "name",
    "FIELD": "name",
    "INT": "integer",
    "DURATION": "duration",
    "QUANTITY": "quantity",
    "PERCENT": "percentage",
    "STRING": "string",
}

VALUE_START = frozenset(
    {"INT", "DURATION", "QUANTITY", "PERCENT", "STRING", "BOOL", "NAME", "_LBRACE", "_LBRACK"}
)
_DECLARATION_START = frozenset({"_IMPORT", "_PROPERTY", "_CHECK", "_EXPECT"})
_OPERAND_START = frozenset({"INT", "NAME", "_COUNT", "_LPAR"})
_PREFIXES = frozenset({"BOOL", "_MINUS", "_NOT", "_ALWAYS", "_EVENTUALLY", "_FORALL", "_EXISTS",
                       "DURATION", "ELAPSED"})
_OPERATORS = frozenset({"_AND", "_OR"})
_ALL_OPERATORS = frozenset(
    {"_AND", "_OR", "_IMPLIES", "_LEADSTO", "CMP_OP", "_PLUS", "_MINUS", "_STAR", "_DOT"}
)

# Groups of terminals shown as one phrase, tried in order; NAME goes with a declaration
# because wherever a declaration may start, a name can only start a block.
_GROUPS: tuple[tuple[frozenset[str], frozenset[str], str], ...] = (
    (_DECLARATION_START, _DECLARATION_START | {"NAME"}, "a new declaration"),
    (VALUE_START, VALUE_START | {"FIXED"}, "a value"),  # `fixed 20s..120s` is a value too
    (_OPERAND_START, _OPERAND_START | _PREFIXES, "an expression"),
    (_OPERATORS, _ALL_OPERATORS, "an operator"),
    # After `.`: `container(` (p.container(app)) is one of the words a field may be.
    (frozenset({"FIELD"}), frozenset({"FIELD", "_CONTAINER_OF"}), "a field name"),
)
MAX_SHOWN = 6


def terminal_phrase(name: str) -> str:
    """How one terminal is named in a message."""
    if name in _PUNCTUATION:
        return f"`{_PUNCTUATION[name]}`"
    if name in _WORDS:
        return _WORDS[name]
    word = name.lstrip("_").lower()
    return f"`{word}`" if word in KEYWORDS else "a symbol"


def describe_expected(names: Iterable[str]) -> str:
    """`a name, `:` or `{`` for a set of acceptable terminals, grouped and ordered."""
    left = set(names)
    phrases: list[str] = []
    for needed, covered, phrase in _GROUPS:
        if needed <= left:
            phrases.append(phrase)
            left -= covered
    phrases += sorted({terminal_phrase(n) for n in left}, key=_order)
    if not phrases:
        return "nothing more"
    if len(phrases) > MAX_SHOWN:
        phrases = phrases[: MAX_SHOWN - 1] + ["more"]
    if len(phrases) == 1:
        return phrases[0]
    return ", ".join(phrases[:-1]) + " or " + phrases[-1]


def _order(phrase: str) -> tuple[int, str]:
    return (0 if phrase.startswith("`") else 1, phrase)


def describe_token(tok: Token) -> str:
    """What was found: "name `foo`", "`}`", "keyword `in`", "end of file"."""
    if tok.type == "$END":
        return "end of file"
    text = str(tok)
    shown = text if len(text) <= 30 else text[:27] + "..."
    if text in KEYWORDS:
        return f"keyword `{shown}`"
    if tok.type in _FOUND:
        return f"{_FOUND[tok.type]} `{shown}`"
    return f"`{shown}`"
