import pytest

from ddblite.expressions import attributes_to_get, parse_projection
from tests.expressions.conftest import N, S, message_of

ITEM = {
    "a": S("x"), "l": {"L": [S("w"), S("x"), {"M": {"p": N("1"), "q": N("2")}}, S("z")]},
    "m": {"M": {"b": S("y"), "c": {"M": {"d": N("4")}}}}, "status": S("on"),
}


@pytest.mark.parametrize("text,expected", [
    ("a", {"a": S("x")}),
    ("l[1], l[3]", {"l": {"L": [S("x"), S("z")]}}),
    ("l[3], l[1]", {"l": {"L": [S("x"), S("z")]}}),
    ("l[2].q, l[9]", {"l": {"L": [{"M": {"q": N("2")}}]}}),
    ("m.c.d, m.b", {"m": {"M": {"c": {"M": {"d": N("4")}}, "b": S("y")}}}),
    ("m.nope, nope, a.b, l[0].x", {}),
    ("#s", {"status": S("on")}),
])
def test_projection_shapes(text, expected):
    names = {"#s": "status"} if "#s" in text else None
    assert parse_projection(text, names).apply(ITEM) == expected


def test_projection_attributes_read():
    assert parse_projection("m.b, a, m.c").attributes == ("m", "a")


def test_projection_errors():
    assert message_of(parse_projection, "a, a") == (
        "Invalid ProjectionExpression: Two document paths overlap with each other; must remove "
        "or rewrite one of these paths; path one: [a], path two: [a]"
    )
    assert message_of(parse_projection, "a[1], a.b") == (
        "Invalid ProjectionExpression: Two document paths conflict with each other; must remove "
        "or rewrite one of these paths; path one: [a, [1]], path two: [a, b]"
    )
    assert message_of(parse_projection, "#a") == (
        "Invalid ProjectionExpression: An expression attribute name used in the document path is "
        "not defined; attribute name: #a"
    )


def test_attributes_to_get():
    assert attributes_to_get(["a", "status"]).apply(ITEM) == {"a": S("x"), "status": S("on")}
    assert message_of(attributes_to_get, ["a", "a"]) == (
        "One or more parameter values were invalid: Duplicate value in attribute name: a"
    )
