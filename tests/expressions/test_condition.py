"""Condition expressions: placeholder/operand rules and evaluation semantics."""

import pytest

from ddblite.expressions import parse_condition
from tests.expressions.conftest import N, S, message_of

PREFIX = "Invalid FilterExpression: "


def fails(text, names=None, values=None):
    return message_of(parse_condition, text, names, values, "FilterExpression")


@pytest.mark.parametrize("text,name", [
    ("attribute_exists(#Pictures.RearView, :a) and a=a", "#Pictures"),
    ("begins_with(Pictures.#RearView)", "#RearView"),
    ("(#P between :lo and :hi) and (#PC in (:cat1, :cat2))", "#P"),
    ("#4g > a", "#4g"),
    ("(a)between(b.c[45].#d)and(:a)", "#d"),
])
def test_undefined_name(text, name):
    assert fails(text) == PREFIX + (
        "An expression attribute name used in the document path is not defined; "
        f"attribute name: {name}"
    )


@pytest.mark.parametrize("text,value", [
    ("begins_with(:hello, #a, #b)", ":hello"), (":a < :b", ":a"), (":_ > a", ":_"),
])
def test_undefined_value(text, value):
    assert fails(text, {"#a": "a", "#b": "b"}) == PREFIX + (
        f"An expression attribute value used in expression is not defined; attribute value: {value}"
    )


@pytest.mark.parametrize("text,function,count", [
    ("attribute_exists(things, a) and a=a", "attribute_exists", 2),
    ("attribute_not_exists(things, b)", "attribute_not_exists", 2),
    ("attribute_type(things)", "attribute_type", 1),
    ("begins_with(things)", "begins_with", 1),
    ("begins_with(things, size(a), b)", "begins_with", 3),
    ("contains(things)", "contains", 1),
    ("size(things, a) > b", "size", 2),
])
def test_operand_count(text, function, count):
    assert fails(text) == PREFIX + (
        "Incorrect number of operands for operator or function; "
        f"operator or function: {function}, number of operands: {count}"
    )


@pytest.mark.parametrize("text,function,value,type_name", [
    ("attribute_type(a, :a)", "attribute_type", N("1"), "N"),
    ("attribute_type(a, :a)", "attribute_type", {"L": []}, "L"),
    ("begins_with(a, :a)", "begins_with", N("1"), "N"),
    ("begins_with(:a, a)", "begins_with", {"SS": ["1"]}, "SS"),
    ("begins_with(a, size(a)) and a=:a", "begins_with", N("1"), "N"),
    ("size(size(a)) > :a", "size", N("1"), "N"),
    ("attribute_not_exists(size(:a))", "size", N("1"), "N"),
    ("size(:a) > a", "size", {"BOOL": True}, "BOOL"),
    ("size(:a) > a", "size", {"NULL": True}, "NULL"),
    ("a < :a", "<", {"L": []}, "LIST"),
    ("a BETWEEN :a AND :a", "BETWEEN", {"BOOL": True}, "BOOLEAN"),
])
def test_operand_type(text, function, value, type_name):
    assert fails(text, None, {":a": value}) == PREFIX + (
        "Incorrect operand type for operator or function; "
        f"operator or function: {function}, operand type: {type_name}"
    )


def test_attribute_type_needs_a_known_type_name():
    assert fails("attribute_type(a, :a)", None, {":a": S("1")}) == PREFIX + (
        "Invalid attribute type name found; type: 1, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}"
    )


@pytest.mark.parametrize("text,function", [
    ("attribute_exists(:a) and a=a", "attribute_exists"),
    ("attribute_not_exists(size(:a))", "attribute_not_exists"),
])
def test_function_needs_a_document_path(text, function):
    assert fails(text, None, {":a": S("1")}) == PREFIX + (
        f"Operator or function requires a document path; operator or function: {function}"
    )


@pytest.mark.parametrize("text,operator,path", [
    ("a = a AND #a = b AND :views > a", "=", "[a]"),
    ("#a <> a", "<>", "[a]"),
    ("a > #a", ">", "[a]"),
    ("((a=a) OR (a=a))", "=", "[a]"),
    ("contains(ab.bc[1].a, ab.bc[1].#a)", "contains", "[ab, bc, [1], a]"),
    ("attribute_type(ab.bc[1].#a, ab.bc[1].a)", "attribute_type", "[ab, bc, [1], a]"),
    ("begins_with(ab.bc[1].a, ab.bc[1].#a)", "begins_with", "[ab, bc, [1], a]"),
])
def test_operands_must_be_distinct(text, operator, path):
    assert fails(text, {"#a": "a"}) == PREFIX + (
        "The first operand must be distinct from the remaining operands for this operator or "
        f"function; operator: {operator}, first operand: {path}"
    )


def test_between_bounds():
    assert fails("a between :b and :a", None, {":a": S("a"), ":b": N("1")}) == PREFIX + (
        "The BETWEEN operator requires same data type for lower and upper bounds; "
        "lower bound operand: AttributeValue: {N:1}, upper bound operand: AttributeValue: {S:a}"
    )
    assert fails("a between :b and :a", None, {":a": N("2"), ":b": N("10")}) == PREFIX + (
        "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; "
        "lower bound operand: AttributeValue: {N:10}, upper bound operand: AttributeValue: {N:2}"
    )


def test_limits():
    values = {f":v{i}": N(str(i)) for i in range(101)}
    assert fails("a IN (" + ", ".join(values) + ")", None, values) == PREFIX + (
        "The IN operator is provided with too many operands; number of operands: 101"
    )
    hundred = dict(list(values.items())[:100])
    assert parse_condition("a IN (" + ", ".join(hundred) + ")", None, hundred)
    assert fails(" OR ".join(["a < b"] * 151)) == PREFIX + (
        "The expression contains too many operators; operator count: 301"
    )
    assert fails("a" + ".b" * 32 + " = c") == PREFIX + (
        "The document path has too many nesting levels; nesting levels: 33"
    )
    parse_condition("a" + ".b" * 31 + " = c")


# ---------------------------------------------------------------- evaluation

ITEM = {
    "n": N("10"), "s": S("banana"), "b": {"B": b"\x01\x02\x03"}, "flag": {"BOOL": True},
    "nothing": {"NULL": True}, "tags": {"SS": ["green", "red"]}, "nums": {"NS": ["1", "5"]},
    "bins": {"BS": [b"\x01", b"\x02"]}, "letters": {"L": [S("a"), S("b"), N("3")]},
    "info": {"M": {"nested": {"M": {"deep": S("x")}}, "arr": {"L": [{"M": {"v": N("1")}}]}}},
    "dotted.name": S("yes"), "smile": S("\U0001F600"), "big": N("1" + "0" * 37),
}


@pytest.mark.parametrize("text,values,expected", [
    ("n > :v", {":v": N("9")}, True),
    ("n < :v", {":v": N("100")}, True),  # numeric, not text order
    ("n = :v", {":v": N("10")}, True),
    ("big > :v", {":v": N("9" * 37)}, True),
    ("big = :v", {":v": N("1" + "0" * 37)}, True),
    ("s > :v", {":v": S("apple")}, True),
    ("s < :v", {":v": S("banana_")}, True),
    ("smile > :v", {":v": S("\ufffd")}, True),  # UTF-8 byte order
    ("b < :v", {":v": {"B": b"\x01\x02\x04"}}, True),
    ("absent <> :v", {":v": N("1")}, True),
    ("absent < :v", {":v": N("1")}, False),
    ("absent = :v", {":v": N("1")}, False),
    ("s > :v", {":v": N("1")}, False),  # different types never order
    ("s <> :v", {":v": N("1")}, True),
    ("n BETWEEN :lo AND :hi", {":lo": N("10"), ":hi": N("20")}, True),
    ("n BETWEEN :lo AND :hi", {":lo": N("11"), ":hi": N("20")}, False),
    ("s IN (:a, :b)", {":a": S("apple"), ":b": S("banana")}, True),
    ("s IN (:a)", {":a": S("apple")}, False),
    ("n = :yes OR n = :yes AND n = :no", {":yes": N("10"), ":no": N("11")}, True),
    ("(n = :yes OR n = :yes) AND n = :no", {":yes": N("10"), ":no": N("11")}, False),
    ("NOT n = :no AND n = :yes", {":yes": N("10"), ":no": N("11")}, True),
    ("not (n = :yes)", {":yes": N("10")}, False),
    ("attribute_exists(n) AND attribute_not_exists(absent)", None, True),
    ("attribute_exists(nothing)", None, True),
    ("attribute_type(tags, :ss) AND attribute_type(nothing, :null)",
     {":ss": S("SS"), ":null": S("NULL")}, True),
    ("attribute_type(n, :s)", {":s": S("S")}, False),
    ("begins_with(s, :p)", {":p": S("ban")}, True),
    ("begins_with(s, :p)", {":p": S("nan")}, False),
    ("begins_with(b, :p)", {":p": {"B": b"\x01\x02"}}, True),
    ("begins_with(n, :p)", {":p": S("1")}, False),
    ("contains(s, :sub)", {":sub": S("nan")}, True),
    ("contains(tags, :v)", {":v": S("red")}, True),
    ("contains(tags, :v)", {":v": S("blue")}, False),
    ("contains(nums, :v)", {":v": N("5")}, True),
    ("contains(bins, :v)", {":v": {"B": b"\x02"}}, True),
    ("contains(letters, :v)", {":v": N("3")}, True),
    ("contains(b, :v)", {":v": {"B": b"\x02\x03"}}, True),
    ("contains(n, :v)", {":v": N("1")}, False),
    ("size(s) = :v", {":v": N("6")}, True),
    ("size(smile) = :v", {":v": N("2")}, True),  # UTF-16 code units
    ("size(tags) = :two AND size(letters) = :three AND size(info) = :two",
     {":two": N("2"), ":three": N("3")}, True),
    ("size(b) = :v", {":v": N("3")}, True),
    ("size(n) = :v", {":v": N("2")}, False),
    ("size(absent) < :v", {":v": N("2")}, False),
    ("info.nested.deep = :x", {":x": S("x")}, True),
    ("info.arr[0].v = :v", {":v": N("1")}, True),
    ("(info.arr)[0].v = :v", {":v": N("1")}, True),
    ("letters[0] = :a", {":a": S("a")}, True),
    ("attribute_not_exists(letters[9])", None, True),
    ("attribute_not_exists(s.x)", None, True),
    ("flag = :t", {":t": {"BOOL": True}}, True),
    ("tags = :v", {":v": {"SS": ["green", "red"]}}, True),
    ("info = :v", {":v": {"M": {"nested": {"M": {"deep": S("x")}},
                                 "arr": {"L": [{"M": {"v": N("1")}}]}}}}, True),
    ("n < s", None, False),
    ("size(s) > n", None, False),
    ("size(letters) < n", None, True),
])
def test_evaluation(text, values, expected):
    assert parse_condition(text, None, values).evaluate(ITEM) is expected


def test_placeholder_names_are_whole_attribute_names():
    cond = parse_condition("#d = :y", {"#d": "dotted.name"}, {":y": S("yes")})
    assert cond(ITEM)


def test_missing_item_is_empty():
    assert not parse_condition("attribute_exists(pk)").evaluate({})
    assert parse_condition("attribute_not_exists(pk)").evaluate({})


def test_parse_is_cached_but_values_rebind():
    first = parse_condition("n = :v", None, {":v": N("10")})
    second = parse_condition("n = :v", None, {":v": N("11")})
    assert first.tree is second.tree
    assert first(ITEM) and not second(ITEM)


def test_usage_is_reported():
    cond = parse_condition("#a = :v", {"#a": "a", "#b": "b"}, {":v": N("1"), ":w": N("2")})
    assert cond.names_used == {"#a"}
    assert cond.values_used == {":v"}


def test_repeated_expression_is_not_parsed_again():
    from ddblite.expressions import api

    api.clear_caches()
    text = "attribute_exists(#p) AND #c < :limit"
    names = {"#p": "pk", "#c": "count"}
    api.parse_condition(text, names, {":limit": {"N": "5"}})
    _, parse_misses = api.cache_stats()["parse"]
    _, resolve_misses = api.cache_stats()["resolve"]
    for limit in range(20):
        condition = api.parse_condition(text, names, {":limit": {"N": str(limit)}})
        assert condition.evaluate({"pk": {"S": "a"}, "count": {"N": "3"}}) == (3 < limit)
    assert api.cache_stats()["parse"][1] == parse_misses
    assert api.cache_stats()["resolve"][1] == resolve_misses
    assert api.cache_stats()["resolve"][0] >= 20
