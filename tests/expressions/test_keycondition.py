import pytest

from ddblite.expressions import KeyRange, key_conditions, parse_key_condition
from tests.expressions.conftest import N, S, message_of

A = {":a": S("1"), ":b": S("1")}


def key_range(text, values, *schema):
    return parse_key_condition(text, None, values).key_range(*schema)


@pytest.mark.parametrize("text,op,sort_values", [
    ("pk = :p", None, []),
    ("pk = :p AND sk = :a", "EQ", [N("1")]),
    ("pk = :p AND sk < :a", "LT", [N("1")]),
    (":a >= sk AND pk = :p", "LE", [N("1")]),  # flipped when the key is on the right
    ("pk = :p AND sk BETWEEN :a AND :b", "BETWEEN", [N("1"), N("2")]),
    ("(pk = :p) AND (sk > :a)", "GT", [N("1")]),
])
def test_key_range(text, op, sort_values):
    values = {":p": S("x"), ":a": N("1"), ":b": N("2")}
    values = {k: v for k, v in values.items() if k in text}
    found = key_range(text, values, "pk", "S", "sk", "N")
    assert found.partition_value == S("x") and found.sort_op == op
    assert found.sort_values == sort_values


def test_begins_with_range():
    found = key_range("pk = :p AND begins_with(sk, :s)", {":p": S("x"), ":s": S("ab")},
                      "pk", "S", "sk", "S")
    assert found == KeyRange("pk", S("x"), "sk", "BEGINS_WITH", [S("ab")])


@pytest.mark.parametrize("text,message", [
    ("a > b and size(b) > c or a > c", "Invalid operator used in KeyConditionExpression: OR"),
    ("a in (b, size(c), d)", "Invalid operator used in KeyConditionExpression: IN"),
    ("attribute_exists(a)", "Invalid operator used in KeyConditionExpression: attribute_exists"),
    ("contains(a.d, b)", "Invalid operator used in KeyConditionExpression: contains"),
    ("not a > b", "Invalid operator used in KeyConditionExpression: NOT"),
    ("a <> b", "Invalid operator used in KeyConditionExpression: <>"),
    (":a between size(b) and size(a) and b > :b", "Invalid condition in KeyConditionExpression: "
     "BETWEEN operator must have the key attribute as its first operand"),
    ("begins_with(:a, b) and a > :b", "Invalid condition in KeyConditionExpression: begins_with "
     "operator must have the key attribute as its first operand"),
    ("size(b) > a AND a.b > b AND b > c",
     "KeyConditionExpressions cannot contain nested operations"),
    ("a between size(b) and size(a)", "KeyConditionExpressions cannot contain nested operations"),
    ("b > a.b", "Invalid condition in KeyConditionExpression: Multiple attribute names used in "
     "one condition"),
    ("begins_with(a, b)", "Invalid condition in KeyConditionExpression: Multiple attribute names "
     "used in one condition"),
    ("a.d > :a", "KeyConditionExpressions cannot have conditions on nested attributes"),
    ("b[0] > :a", "KeyConditionExpressions cannot have conditions on nested attributes"),
    (":b > :a AND a < :b", "Invalid condition in KeyConditionExpression: No key attribute "
     "specified"),
    ("b > :a AND b < :a and c = :a and d = :a",
     "KeyConditionExpressions must only contain one condition per key"),
    (":a = a and b = :a and :a = c", "Conditions can be of length 1 or 2 only"),
    ("attribute_type(a, :a)", "Invalid operator used in KeyConditionExpression: attribute_type"),
])
def test_key_condition_shape(text, message):
    values = {k: v for k, v in A.items() if k in text} or None
    assert message_of(parse_key_condition, text, None, values) == message


def test_general_rules_come_first():
    assert message_of(parse_key_condition, "attribute_type(a, :a)", None, {":a": N("1")}) == (
        "Invalid KeyConditionExpression: Incorrect operand type for operator or function; "
        "operator or function: attribute_type, operand type: N"
    )
    assert message_of(parse_key_condition, "") == (
        "Invalid KeyConditionExpression: The expression can not be empty;"
    )


@pytest.mark.parametrize("text,schema,message", [
    ("sk = :a", ("pk", "S", "sk", "S"), "Query condition missed key schema element: pk"),
    ("attr1 = :a", ("pk", "S", "sk", "S"), "Query condition missed key schema element: pk"),
    ("pk = :a and c = :b", ("pk", "S", "sk", "S"), "Query condition missed key schema element: sk"),
    ("pk > :a", ("pk", "S"), "Query key condition not supported"),
    ("begins_with(pk, :a)", ("pk", "S"), "Query key condition not supported"),
    ("pk = :a AND b = :b", ("pk", "S"), "Query key condition not supported"),
    ("y = :a and z = :b", ("pk", "S"), "Query key condition not supported"),
    (":a > pk", ("pk", "N"), "One or more parameter values were invalid: Condition parameter "
     "type does not match schema type"),
])
def test_key_schema_rules(text, schema, message):
    values = {k: v for k, v in A.items() if k in text}
    assert message_of(key_range, text, values, *schema) == message


def test_legacy_key_conditions():
    found = key_conditions({
        "pk": {"ComparisonOperator": "EQ", "AttributeValueList": [S("x")]},
        "sk": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [S("a")]},
    }).key_range("pk", "S", "sk", "S")
    assert found.sort_op == "BEGINS_WITH"
    legacy = key_conditions({"pk": {"ComparisonOperator": "NULL"}})
    assert message_of(legacy.key_range, "pk", "S") == (
        "Attempted conditional constraint is not an indexable operation"
    )
    assert message_of(key_conditions, {}) == "Conditions can be of length 1 or 2 only"
