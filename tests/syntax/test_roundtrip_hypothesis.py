"""Generated ASTs survive print -> parse unchanged, and printing is idempotent.

The strategies generate exactly the ASTs `parse` can produce: names that are not
keywords, all of them `Ref` (state names too: the checker resolves them, not the
parser), non-negative integer literals, and `always eventually` as one operator.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from podcheck.lang.ast import (
    Block,
    CheckItem,
    ExpectItem,
    Field,
    Import,
    ListValue,
    MapValue,
    PropertyItem,
    Range,
    Scalar,
    SpecFile,
)
from podcheck.lang.expected import KEYWORDS
from podcheck.lang.parse import parse
from podcheck.lang.printer import format_formula, format_spec
from podcheck.spec import (
    ENUMS,
    Attr,
    Binary,
    BoolLit,
    Count,
    Domain,
    Expr,
    IntLit,
    Quant,
    Ref,
    Temporal,
    Unary,
)

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

words = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,4}(-[A-Za-z0-9_]{1,3}){0,2}", fullmatch=True)
names = words.filter(lambda w: w not in KEYWORDS)
refs = (names | st.sampled_from(sorted(ENUMS))).map(Ref)
fields_after_dot = words | st.sampled_from(sorted(KEYWORDS))


def scalar(kind: str, pattern: str) -> st.SearchStrategy[Scalar]:
    return st.from_regex(pattern, fullmatch=True).map(lambda text: Scalar(kind, text))


ints = scalar("int", r"[0-9]{1,4}")
durations = scalar("duration", r"[0-9]{1,3}(\.[0-9]{1,2})?(ms|s|m|h)")
scalars = st.one_of(
    ints,
    durations,
    scalar("quantity", r"[0-9]{1,3}(\.[0-9])?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E|e[+-]?[0-9])"),
    scalar("quantity", r"[0-9]{1,2}\.[0-9]{1,2}"),
    scalar("percent", r"[0-9]{1,3}%"),
    scalar("string", r'"([^"\\\n]|\\[\\"n])*"'),
    st.sampled_from(["true", "false"]).map(lambda b: Scalar("bool", b)),
    names.map(lambda n: Scalar("name", n)),
)
ranges = st.builds(Range, ints | durations, ints | durations)
values = st.recursive(
    scalars | ranges,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4).map(lambda xs: ListValue(tuple(xs))),
        st.lists(st.builds(Field, names, inner), max_size=4).map(lambda fs: MapValue(tuple(fs))),
    ),
    max_leaves=12,
)
blocks = st.recursive(
    st.builds(Block, names, st.none() | names, st.just(())),
    lambda inner: st.builds(
        Block,
        names,
        st.none() | names,
        st.lists(st.builds(Field, names, values) | inner, max_size=4).map(tuple),
    ),
    max_leaves=8,
)

domains = st.one_of(
    st.builds(Domain, st.just("pods"), st.none() | names),
    st.just(Domain("nodes")),
    st.builds(Domain, st.sampled_from(["containers", "initContainers"]), names),
)
OPS = ["+", "-", "*", "==", "!=", "<", "<=", ">", ">=", "and", "or", "implies"]


def _always(body: Expr) -> Temporal:
    if isinstance(body, Temporal) and body.op == "eventually":
        return Temporal("always_eventually", body.args)
    return Temporal("always", (body,))


def _extend(inner: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
    ops = st.sampled_from(OPS)
    return st.one_of(
        st.builds(Binary, ops, inner, inner),
        # operator pairs nested either way stress precedence and associativity
        st.builds(Binary, ops, inner, st.builds(Binary, ops, inner, inner)),
        st.builds(Binary, ops, st.builds(Binary, ops, inner, inner), inner),
        st.builds(Unary, st.sampled_from(["not", "-"]), inner),
        st.builds(Attr, inner, fields_after_dot),
        st.builds(Quant, st.sampled_from(["forall", "exists"]), names, domains, inner),
        st.builds(Count, names, domains, st.none() | inner),
        inner.map(_always),
        inner.map(lambda e: Temporal("eventually", (e,))),
        st.tuples(inner, inner).map(lambda pq: Temporal("leadsto", pq)),
    )


formulas: st.SearchStrategy[Expr] = st.recursive(
    st.one_of(
        st.integers(min_value=0, max_value=10**30).map(IntLit),
        st.booleans().map(BoolLit),
        refs,
        st.builds(Count, names, domains),
    ),
    _extend,
    max_leaves=15,
)

items = st.one_of(
    st.builds(Import, st.from_regex(r'[^"\\\n]{0,12}', fullmatch=True), st.just(True)),
    st.lists(names, min_size=1, max_size=3).map(lambda ps: Import(".".join(ps), False)),
    blocks,
    st.builds(PropertyItem, names, formulas),
    st.builds(CheckItem, names, st.lists(names, max_size=3).map(tuple)),
    st.builds(ExpectItem, names, st.sampled_from(["holds", "violated"])),
)
specs = st.lists(items, max_size=6).map(lambda xs: SpecFile(tuple(xs)))


def reparse(text: str) -> SpecFile:
    result = parse(text, "gen.pod")
    assert result.diagnostics == (), (text, result.diagnostics)
    assert result.value is not None
    return result.value


@SETTINGS
@given(specs)
def test_print_then_parse_gives_the_same_ast_and_printing_is_idempotent(spec: SpecFile) -> None:
    text = format_spec(spec)
    back = reparse(text)
    assert back == spec, text
    assert format_spec(back) == text


@settings(SETTINGS, max_examples=300)
@given(formulas)
def test_formulas_round_trip(expr: Expr) -> None:
    text = format_formula(expr)
    (item,) = reparse(f"property p: {text}").items
    assert isinstance(item, PropertyItem)
    assert item.formula == expr, text
