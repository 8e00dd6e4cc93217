"""Syntax errors and the text-only rules, with DynamoDB's exact messages."""

import pytest

from ddblite.expressions import parse_condition, parse_projection, parse_update
from tests.expressions.conftest import message_of

SYNTAX = [
    ("ConditionExpression", "a x", 'token: "x", near: "a x"'),
    ("ProjectionExpression", "!!! INVALID !!!", 'token: "!", near: "!!"'),
    ("ProjectionExpression", "dummy-id", 'token: "-", near: "dummy-id"'),
    ("ProjectionExpression", "#n_2021-03-03", 'token: "-", near: "#n_2021-0"'),
    ("UpdateExpression", "INVALID SYNTAX HERE", 'token: "INVALID", near: "INVALID SYNTAX"'),
    ("ConditionExpression", "a = :v AND", 'token: "<EOF>", near: "AND"'),
    ("ProjectionExpression", "a,", 'token: "<EOF>", near: ","'),
    ("UpdateExpression", "SET", 'token: "<EOF>", near: "SET"'),
    ("FilterExpression", "a > 4", 'token: "4", near: "> 4"'),
    ("UpdateExpression", "SET a = b / c", 'token: "/", near: "b / c"'),
]


def _parse(kind, text):
    if kind == "ProjectionExpression":
        return parse_projection(text, {"#n_2021": "x"})
    if kind == "UpdateExpression":
        return parse_update(text, None, {":v": {"S": "x"}})
    return parse_condition(text, None, {":v": {"S": "x"}}, kind)


@pytest.mark.parametrize("kind,text,detail", SYNTAX)
def test_syntax_error_names_token_and_window(kind, text, detail):
    assert message_of(_parse, kind, text) == f"Invalid {kind}: Syntax error; {detail}"


@pytest.mark.parametrize("text", [
    "things are not gonna be ok", "attribute_exists(Pictures-RearView)",
    'attribute_exists("Pictures.RearView")', "attribute_exists(Pictures..RearView)",
    "attribute_exists(asdf[a])", "a in b, c", "a > between", "a in b", "a in (b,c,)",
    "(a)between(b.(c.d))and(c)", "#$.b > a", "a > :things.stuff", "b[:a] > a", "ü > a",
    "size(a).b > a", "(size(a)).b > a", "size(a)[0] > a", "(size(a))[0] > a",
])
def test_condition_syntax_errors(text):
    assert message_of(parse_condition, text, None, None, "FilterExpression").startswith(
        "Invalid FilterExpression: Syntax error; "
    )


@pytest.mark.parametrize("text", [
    "add :a b", "delete :a b", "remove :a", "set a = b * c", 'set a[1] = "eight"',
    "set a[1] = 1", "SET if_not_exist(a, b) = a", "set (a = (b + c))", "set a = (b.c).d + e",
    "set a = b + c + d", "SET a = :v,",
])
def test_update_syntax_errors(text):
    assert message_of(parse_update, text, None, {":v": {"S": "x"}}).startswith(
        "Invalid UpdateExpression: Syntax error; "
    )


@pytest.mark.parametrize("kind", ["ConditionExpression", "FilterExpression"])
@pytest.mark.parametrize("text", ["", "   "])
def test_empty_expression(kind, text):
    assert message_of(parse_condition, text, None, None, kind) == (
        f"Invalid {kind}: The expression can not be empty;"
    )


def test_empty_update_and_projection():
    assert message_of(parse_update, "") == (
        "Invalid UpdateExpression: The expression can not be empty;"
    )
    assert message_of(parse_projection, "") == (
        "Invalid ProjectionExpression: The expression can not be empty;"
    )


def test_expression_size_limit_is_4096_bytes():
    ok = "a = :v" + " " * (4096 - 6)
    parse_condition(ok, None, {":v": {"S": "x"}})
    assert message_of(parse_condition, ok + " ", None, {":v": {"S": "x"}}) == (
        "Invalid ConditionExpression: Expression size has exceeded the maximum allowed size; "
        "expression size: 4097"
    )


@pytest.mark.parametrize("text", [
    "a=a and a > ((views))", "(a)between(((b.c)).d)and(c)", "a > whatever((:things), ((a)))",
    "a=a AND ((a=a AND a=a)) AND a=a", "a=a OR ((a=a OR a=a)) OR a=a",
    "a=a AND ((a=a AND (a=a AND a=a)))", "NOT ((a = b))",
])
def test_redundant_parentheses(text):
    assert message_of(parse_condition, text, None, None, "FilterExpression") == (
        "Invalid FilterExpression: The expression has redundant parentheses;"
    )


@pytest.mark.parametrize("text", [
    "(a = b)", "((a = b) AND (c = d))", "(size(b)) = :b", "((size(b)) = :b) AND c = :c",
    "(a)between(b)and(c)", "NOT (a = b)",
])
def test_single_parentheses_are_fine(text):
    parse_condition(text, None, {":b": {"N": "1"}, ":c": {"S": "x"}})


@pytest.mark.parametrize("text,function", [
    ("a=a and whatever((:things)) > a", "whatever"),
    ("attRIbute_exIsts((views), #a)", "attRIbute_exIsts"),
    ("ATTRIBUTE_EXISTS(a)", "ATTRIBUTE_EXISTS"),
])
def test_invalid_function_name(text, function):
    assert message_of(parse_condition, text, None, None) == (
        f"Invalid ConditionExpression: Invalid function name; function: {function}"
    )


@pytest.mark.parametrize("text,function", [
    ("a=a and attribute_exists((views), (#a)) > b", "attribute_exists"),
    ("attribute_not_exists(things) > b", "attribute_not_exists"),
    ("attribute_type(things, :a) > b", "attribute_type"),
    ("begins_with(things, a) > b", "begins_with"),
    ("contains(:things, c) > b", "contains"),
    ("size(contains(a, b)) > a", "contains"),
    ("size(things)", "size"),
    ("a between b and attribute_exists(things)", "attribute_exists"),
    ("a in (b, attribute_exists(things))", "attribute_exists"),
])
def test_function_used_the_wrong_way(text, function):
    assert message_of(parse_condition, text, None, None) == (
        "Invalid ConditionExpression: The function is not allowed to be used this way in an "
        f"expression; function: {function}"
    )


def test_update_functions_are_refused_in_conditions_and_vice_versa():
    assert message_of(parse_condition, "list_append(a, b) = c") == (
        "Invalid ConditionExpression: The function is not allowed in a condition expression; "
        "function: list_append"
    )
    assert message_of(parse_update, "SET a = size(b)") == (
        "Invalid UpdateExpression: The function is not allowed in an update expression; "
        "function: size"
    )
    assert message_of(parse_update, "set #c = if_not_exist(:c) set c = d", {"#c": "c"}) == (
        "Invalid UpdateExpression: Invalid function name; function: if_not_exist"
    )


@pytest.mark.parametrize("call,word", [
    (lambda: parse_condition("attribute_exists(views, #a)"), "views"),
    (lambda: parse_condition(":a < abOrT"), "abOrT"),
    (lambda: parse_condition("a.status = :v", None, {":v": {"S": "x"}}), "status"),
    (lambda: parse_projection("pk, status"), "status"),
    (lambda: parse_update(" set #c = :c set abOrt = true "), "abOrt"),
    (lambda: parse_update(" remove Absolute "), "Absolute"),
])
def test_reserved_words_need_placeholders(call, word):
    assert message_of(call).endswith(
        f"Attribute name is a reserved keyword; reserved keyword: {word}"
    )


def test_reserved_word_list_is_complete():
    from ddblite.expressions.reserved import RESERVED_WORDS

    assert len(RESERVED_WORDS) == 573
    assert {"ABORT", "STATUS", "NAME", "DATA", "COUNT", "ITEMS", "ZONE"} <= RESERVED_WORDS


@pytest.mark.parametrize("text,section", [
    ("set a = #c set c = :d", "SET"), ("remove #d set a = b remove e", "REMOVE"),
    ("add #d :e set a = b add e :f", "ADD"), ("delete #d :e set a = b delete #e :f", "DELETE"),
])
def test_update_clause_only_once(text, section):
    assert message_of(parse_update, text) == (
        f'Invalid UpdateExpression: The "{section}" section can only be used once in an update '
        "expression;"
    )


def test_keywords_are_case_insensitive():
    cond = parse_condition(
        "n between :lo and :hi Or s in (:a)", None,
        {":lo": {"N": "1"}, ":hi": {"N": "20"}, ":a": {"S": "x"}},
    )
    assert cond.evaluate({"n": {"N": "5"}})
    update = parse_update("set a = :lo remove b", None, {":lo": {"N": "1"}})
    assert update.apply({"b": {"S": "x"}}) == {"a": {"N": "1"}}
