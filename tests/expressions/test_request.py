import pytest

from ddblite.expressions import RequestExpressions
from tests.expressions.conftest import S, message_of


@pytest.mark.parametrize("names,values,message", [
    ({}, None, "ExpressionAttributeNames must not be empty"),
    (None, {}, "ExpressionAttributeValues must not be empty"),
    ({"a": "a"}, None, 'ExpressionAttributeNames contains invalid key: Syntax error; key: "a"'),
    (None, {"a": S("b")}, 'ExpressionAttributeValues contains invalid key: Syntax error; key: "a"'),
])
def test_maps_are_checked(names, values, message):
    assert message_of(RequestExpressions, names, values) == message


def test_usage_is_checked_across_all_expressions():
    exprs = RequestExpressions({"#a": "a", "#p": "p", "#s": "status"}, {":v": S("x"), ":c": S("y")})
    exprs.update("SET #a = :v")
    exprs.condition("#s = :c")
    exprs.projection("#p")
    assert exprs.condition(None) is None
    exprs.finish()


@pytest.mark.parametrize("names,values,message", [
    ({"#a": "a", "#b": "b", "#c": "c"}, {":v": S("x")},
     "Value provided in ExpressionAttributeNames unused in expressions: keys: {#b, #c}"),
    ({"#a": "a"}, {":v": S("x"), ":unused": S("y")},
     "Value provided in ExpressionAttributeValues unused in expressions: keys: {:unused}"),
])
def test_unused_entries(names, values, message):
    exprs = RequestExpressions(names, values)
    exprs.update("SET #a = :v")
    assert message_of(exprs.finish) == message


def test_filter_and_key_condition_kinds():
    exprs = RequestExpressions({"#k": "pk"}, {":v": S("x")})
    assert exprs.key_condition("#k = :v").conditions == {"pk": ("EQ", [S("x")])}
    assert message_of(exprs.filter, "#missing = :v") == (
        "Invalid FilterExpression: An expression attribute name used in the document path is not "
        "defined; attribute name: #missing"
    )
