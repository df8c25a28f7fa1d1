"""Numbers and quantities of any size give a coded diagnostic, never a traceback (brief
item 2, issue 10; NOTE(number-limits) in podcheck/lang/values.py)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from podcheck.diagnostics import codes
from podcheck.exitcodes import ExitCode
from podcheck.kube.errors import KubeInputError
from podcheck.kube.resources import parse_quantity
from tests.reliability.helpers import run, spec_with

HUGE = "1" + "0" * 5000  # past Python's 4 300-digit int/str conversion limit

CASES = {
    # name: (spec text, expected code)
    "superscript-digit": (spec_with("ports: [8080²]"), codes.UNEXPECTED_CHARACTER),
    "arabic-indic-digit": (
        "deployment web { replicas: ٣\n  template { container app { } } }\n",
        codes.UNEXPECTED_CHARACTER,
    ),
    "huge-port": (spec_with(f"ports: [{HUGE}]"), codes.VALUE_OUT_OF_RANGE),
    "huge-replicas": (
        f"deployment web {{ replicas: {HUGE}\n  template {{ container app {{ }} }} }}\n",
        codes.VALUE_OUT_OF_RANGE,
    ),
    "huge-percent": (
        f"deployment web {{ maxSurge: {HUGE}%\n  template {{ container app {{ }} }} }}\n",
        codes.VALUE_OUT_OF_RANGE,
    ),
    "huge-quantity": (
        spec_with(f"resources {{ requests: {{ memory: {HUGE} }} }}"), codes.VALUE_OUT_OF_RANGE
    ),
    "huge-exponent": (
        spec_with("resources { requests: { memory: 1e999999999 } }"), codes.VALUE_OUT_OF_RANGE
    ),
    "exponent-past-int64": (
        spec_with("resources { requests: { cpu: 1e99999999999999999999 } }"),
        codes.INVALID_QUANTITY,
    ),
    "long-exponent-digits": (
        spec_with(f"resources {{ limits: {{ cpu: 1e{'0' * 5000}3 }} }}"), None,
    ),
    "just-past-int64": (
        spec_with("resources { requests: { memory: 9223372036854775808 } }"),
        codes.VALUE_OUT_OF_RANGE,
    ),
    "huge-duration": (spec_with(f"behavior {{ run: {HUGE}s }}"), codes.VALUE_OUT_OF_RANGE),
    "long-duration-fraction": (
        spec_with(f"behavior {{ run: 1.{'0' * 5000}1s }}"), codes.WRONG_VALUE_TYPE
    ),
    "duration-past-int64-ns": (
        spec_with("behavior { run: 1s..9223372036855s }"), codes.VALUE_OUT_OF_RANGE
    ),
    "huge-formula-int": (
        spec_with("ports: [80]") + f"property p: always count(q in pods) < {HUGE}\n",
        codes.INVALID_NUMBER,
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("command", ["parse", "check"])
def test_numbers_of_any_size(name: str, command: str, tmp_path: Path) -> None:
    text, code = CASES[name]
    path = tmp_path / f"{name}.pod"
    path.write_text(text, encoding="utf-8")
    out = run(command, path, *(["--max-states", "50"] if command == "check" else []))
    if code is None:  # accepted: a well-formed value in range
        assert out.codes == [] and out.exit_code in (ExitCode.OK, ExitCode.INCONCLUSIVE)
        return
    assert (out.exit_code, out.codes) == (ExitCode.INPUT_ERROR, [code])
    assert all(len(str(d["message"])) < 300 for d in out.diagnostics)  # long values cut


def test_the_largest_modelled_quantity_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "max.pod"
    path.write_text(spec_with("resources { requests: { memory: 9223372036854775807 } }"),
                    encoding="utf-8")
    out = run("check", path)
    assert out.codes == [] and out.exit_code == ExitCode.OK


# ParseQuantity (apimachinery pkg/api/resource/quantity.go) parses digit strings of any
# length into an inf.Dec, rounds up to 1n and caps binarySI at 2**63-1; these are the sizes
# that used to raise here (Python's int/str limit).
@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1e3", Decimal(1000)),
        ("1E-3", Decimal("0.001")),
        ("0.0000000001", Decimal("1E-9")),
        ("1" + "0" * 5000, Decimal("1E+5000")),
        ("0." + "0" * 5000 + "1Ki", Decimal("1E-9")),
        ("1" + "0" * 5000 + "Ki", Decimal(2**63 - 1)),  # binarySI is capped at maxAllowed
        ("1e999999999", Decimal("1E+999999999")),
        ("1e" + "0" * 5000 + "3", Decimal(1000)),
    ],
)
def test_parse_quantity_of_any_size(text: str, value: Decimal) -> None:
    assert parse_quantity(text) == value


@pytest.mark.parametrize("text", ["1e99999999999999999999", "1e" + "9" * 5000, "1e2147483648"])
def test_exponents_past_what_kubernetes_parses_are_invalid(text: str) -> None:
    with pytest.raises(KubeInputError):
        parse_quantity(text)
