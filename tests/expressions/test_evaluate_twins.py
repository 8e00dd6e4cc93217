"""The compiled evaluator (ddblite._evaluate) answers exactly as the pure closures do.

Both twins run on the same random items and conditions (the generators of
test_differential) and must agree on every result and every raised error; number text
outside the canonical form checks that the compiled digit comparison hands off to
Decimal. Whatever DDBLITE_PUREPYTHON says, both twins are compared here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from ddblite import twins
from ddblite.errors import ValidationException
from ddblite.expressions import ast, evaluate, evaluator, parse_condition
from tests.expressions.test_differential import NAMES, Renderer, conditions, items

TWINS = evaluator.implementations()
REPO_ROOT = Path(__file__).resolve().parents[2]


def compiled():
    assert "cython" in TWINS, f"ddblite._evaluate not importable: {evaluator.IMPORT_ERROR}"
    return TWINS["cython"]


def outcome(call, *args):
    """What a call did: ("ok", result) or ("error", exception type, message)."""
    try:
        return ("ok", call(*args))
    except Exception as exc:  # noqa: BLE001 - the twins must raise the same thing
        return ("error", type(exc), str(exc))


def both(call_of, *args):
    """The outcome of the same call on each twin, pure first."""
    return outcome(call_of(evaluate), *args), outcome(call_of(compiled()), *args)


def evaluate_with(module, tree, values, item):
    return module.compile_condition(tree, values)(item)


def assert_same_evaluation(tree, values, item) -> None:
    pure, fast = (outcome(evaluate_with, module, tree, values, item)
                  for module in (evaluate, compiled()))
    assert fast == pure
    if fast[0] == "ok":
        assert type(fast[1]) is bool


# ---------------------------------------------------------------- random conditions


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(items, min_size=1, max_size=4), conditions)
def test_twins_agree_on_random_conditions(sample, tree):
    renderer = Renderer()
    text = renderer.condition(tree)
    names = {f"#{n}": n for n in NAMES if f"#{n}" in text}
    try:
        condition = parse_condition(text, names or None, renderer.values or None)
    except ValidationException:
        assume(False)
        raise
    for item in [*sample, {}]:
        assert_same_evaluation(condition.tree, renderer.values, item)


# Number text in and out of canonical form: exponents, signs, leading and trailing
# zeros, negative zero, NaN and garbage must all answer as Decimal does (or raise alike).
number_text = st.one_of(
    st.decimals(allow_nan=False, allow_infinity=False, places=4).map(str),
    st.integers(-10**40, 10**40).map(str),
    st.from_regex(r"\A[-+]?[0-9]{0,3}(\.[0-9]{0,3})?([eE][-+]?[0-9]{1,2})?\Z"),
    st.sampled_from(["0", "-0", "0.0", "-0.0", "00", "1.50", "NaN", "-Infinity", "x", "٣"]),
)
ORDER_OPS = ["<", "<=", ">", ">="]


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(["=", "<>", *ORDER_OPS]), number_text, number_text)
def test_compare_numbers(op, left, right):
    pure, fast = both(lambda m: m.compare, op, {"N": left}, {"N": right})
    assert fast == pure


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(ORDER_OPS), number_text, number_text)
def test_number_against_constant(op, stored, constant):
    tree = ast.Compare(0, op, path("n"), ast.ValueRef(0, ":c"))
    assert_same_evaluation(tree, {":c": {"N": constant}}, {"n": {"N": stored}})


def test_canonical_digit_order_matches_decimal():
    texts = ["-12.5", "-12", "-1.05", "-1", "-0.5", "-0.05", "0", "0.05", "0.5", "0.55",
             "1", "1.05", "9.9", "10", "12", "12.5", "100.001"]
    for left in texts:
        for right in texts:
            for op in ORDER_OPS:
                expected = evaluate.compare(op, {"N": left}, {"N": right})
                assert expected == {"<": Decimal(left) < Decimal(right), "<=": Decimal(left)
                                    <= Decimal(right), ">": Decimal(left) > Decimal(right),
                                    ">=": Decimal(left) >= Decimal(right)}[op]
                assert compiled().compare(op, {"N": left}, {"N": right}) is expected


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(ORDER_OPS), st.text(max_size=4), st.text(max_size=4),
       st.binary(max_size=4), st.binary(max_size=4))
def test_compare_strings_and_binary(op, s1, s2, b1, b2):
    for left, right in [({"S": s1}, {"S": s2}), ({"B": b1}, {"B": b2}), ({"S": s1}, {"B": b2})]:
        pure, fast = both(lambda m: m.compare, op, left, right)
        assert fast == pure


@given(st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x10FFFF), max_size=6))
def test_size_of_strings_counts_utf16_units(text):
    # Includes lone surrogates, which the UTF-16 encoder refuses in both twins.
    pure, fast = both(lambda m: m.size_of, {"S": text})
    assert fast == pure


# ---------------------------------------------------------------- hand-built trees


def path(*elements):
    node = ast.Path(0, list(elements))
    node.elements = tuple(elements)
    return node


def value(ref):
    return ast.ValueRef(0, ref)


ITEM = {
    "a": {"M": {"b": {"L": [{"S": "x"}, {"N": "2"}, {"B": b"\x00"}]}}},
    "s": {"S": "hello"},
    "b": {"B": b"\x01\x02"},
    "l": {"L": [{"S": "x"}, {"N": "1"}]},
    "ns": {"NS": ["1", "2.5"]},
}


@pytest.mark.parametrize("operand", [
    path("a", "b", 1), path("a", "b", 3), path("a", "b", -1), path("a", "b", 2**70),
    path("a", "b", True), path("a", "c"), path("s", "x"), path("s", 0), path("l", 1),
    path("missing", "x", 0), path(),
])
def test_paths(operand):
    pure, fast = both(lambda m: m.compile_operand, operand, {})
    assert pure[0] == fast[0] == "ok"
    assert outcome(fast[1], ITEM) == outcome(pure[1], ITEM)


@pytest.mark.parametrize("tree, values", [
    (ast.Call(0, "begins_with", [path("s"), value(":p")]), {":p": {"S": "he"}}),
    (ast.Call(0, "begins_with", [path("b"), value(":p")]), {":p": {"B": b"\x01"}}),
    (ast.Call(0, "begins_with", [path("b"), value(":p")]), {":p": {"B": b"\x01\x02\x03"}}),
    (ast.Call(0, "begins_with", [path("s"), value(":p")]), {":p": {"B": b"h"}}),
    (ast.Call(0, "contains", [path("s"), value(":p")]), {":p": {"S": "ell"}}),
    (ast.Call(0, "contains", [path("ns"), value(":p")]), {":p": {"N": "2.5"}}),
    (ast.Call(0, "contains", [path("l"), value(":p")]), {":p": {"N": "1"}}),
    (ast.Call(0, "attribute_type", [path("l"), value(":p")]), {":p": {"S": "L"}}),
    (ast.Call(0, "size", [path("s")]), {}),  # not a condition function
    (ast.Call(0, "nope", [path("s")]), {}),
    (ast.Call(0, "nope", [path("s"), path("b")]), {}),
    (ast.Compare(0, "<", path("s"), value(":missing")), {}),
    (ast.Compare(0, "<", path("s"), value(":c")), {":c": {"N": "not a number"}}),
    (ast.Compare(0, "<", path("s"), value(":c")), {":c": {"L": []}}),
    (ast.Compare(0, "<", path("s"), value(":c")), {":c": {}}),
    (ast.Compare(0, "!!", path("s"), value(":c")), {":c": {"S": "a"}}),
    (ast.Compare(0, "!!", path("s"), path("l", 0)), {}),
    (ast.Compare(0, "<", ast.Call(0, "size", [path("s")]), value(":c")), {":c": {"N": "6"}}),
    (ast.In(0, path("s"), [value(":c"), path("l", 0)]), {":c": {"S": "hello"}}),
    (ast.Not(0, ast.TrueCondition(0)), {}),
    (ast.Path(0, ["s"]), {}),
    (ast.Compare(0, "<", ast.Arith(0, "+", path("s"), path("s")), path("s")), {}),
])
def test_edge_trees(tree, values):
    assert_same_evaluation(tree, values, ITEM)


@pytest.mark.parametrize("item", [
    {"n": {"N": 5}}, {"n": {"S": b"bytes"}}, {"n": {"N": "1E+2"}}, {"n": {"N": "100"}},
])
def test_odd_payloads_fall_back_alike(item):
    for op in ORDER_OPS:
        tree = ast.Compare(0, op, path("n"), path("m"))
        assert_same_evaluation(tree, {}, {**item, "m": {"N": "99.5"}})


# ---------------------------------------------------------------- loading

PROBE = """
import json, types
from ddblite.expressions import evaluator, parse_condition
print(json.dumps({
    "implementation": evaluator.IMPLEMENTATION,
    "closures": isinstance(parse_condition("attribute_exists(a)").evaluate, types.FunctionType),
}))
"""


def probe(env_value: str | None) -> dict[str, object]:
    """Load the evaluator in a fresh interpreter with DDBLITE_PUREPYTHON set or unset."""
    env = dict(os.environ)
    env.pop("DDBLITE_PUREPYTHON", None)
    if env_value is not None:
        env["DDBLITE_PUREPYTHON"] = env_value
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    completed = subprocess.run([sys.executable, "-c", PROBE], cwd=REPO_ROOT, env=env,
                               capture_output=True, text=True, check=True, timeout=60)
    return json.loads(completed.stdout.strip().splitlines()[-1])


def test_compiled_evaluator_loads_by_default():
    # A build that silently failed must fail here rather than quietly run slow.
    compiled()
    assert probe(None) == {"implementation": "cython", "closures": False}
    assert probe("0") == {"implementation": "cython", "closures": False}


def test_env_var_forces_pure_evaluator():
    assert probe("1") == {"implementation": "pure", "closures": True}


def test_conditions_use_the_loaded_evaluator():
    condition = parse_condition("attribute_exists(a)")
    if twins.pure_requested():
        assert evaluator.IMPLEMENTATION == "pure"
        assert evaluator.compile_condition is evaluate.compile_condition
        assert condition.evaluate.__module__ == evaluate.__name__
    else:
        assert evaluator.IMPLEMENTATION == "cython", evaluator.IMPORT_ERROR
        assert evaluator.IMPORT_ERROR is None
        assert evaluator.compile_condition is compiled().compile_condition
        assert isinstance(condition.evaluate.__self__, compiled().Predicate)
    assert condition({"a": {"S": "x"}}) is True
    assert condition({}) is False
