"""Update expressions: validation and apply(old) -> new."""

import pytest

from ddblite.expressions import parse_update
from tests.expressions.conftest import N, S, message_of

PREFIX = "Invalid UpdateExpression: "
BASE = {
    "pk": S("p"), "tally": N("1"), "label": S("x"), "letters": {"L": [N("1"), N("2"), N("3")]},
    "info": {"M": {"a": N("1")}}, "tags": {"SS": ["a", "b"]}, "nums": {"NS": ["2", "10"]},
}


def run(text, values=None, names=None, item=BASE):
    return parse_update(text, names, values).apply(item)


def test_set_top_level_nested_and_list_element():
    new = run("SET a = :a, info.b = :b, #l[0] = :z", {":a": S("A"), ":b": N("2"), ":z": N("0")},
              {"#l": "letters"})
    assert new["a"] == S("A")
    assert new["info"] == {"M": {"a": N("1"), "b": N("2")}}
    assert new["letters"] == {"L": [N("0"), N("2"), N("3")]}
    assert BASE["info"] == {"M": {"a": N("1")}}  # old item untouched


def test_set_past_the_end_appends():
    assert run("SET letters[10] = :v", {":v": N("4")})["letters"]["L"][-1] == N("4")


def test_arithmetic_is_exact():
    new = run("SET f = f + :f, tally = tally - :one", {":f": N("0.2"), ":one": N("1")},
              item={"f": N("0.1"), "tally": N("1")})
    assert new == {"f": N("0.3"), "tally": N("0")}
    big = run("SET a = a + :b", {":b": N("1")}, item={"a": N("9" * 37)})
    assert big["a"] == N("1" + "0" * 37)


def test_operands_read_the_old_item():
    assert run("SET a = tally, tally = :ten", {":ten": N("10")})["a"] == N("1")


def test_if_not_exists_and_list_append():
    new = run(
        "SET tally = if_not_exists(tally, :zero) + :one, fresh = if_not_exists(fresh, :zero), "
        "letters = list_append(letters, :tail), alt = list_append(if_not_exists(alt, :empty), "
        ":tail), front = list_append(:head, label2)",
        {":zero": N("0"), ":one": N("1"), ":tail": {"L": [N("9")]}, ":empty": {"L": []},
         ":head": {"L": [N("0")]}},
        item={**BASE, "label2": {"L": [N("5")]}},
    )
    assert new["tally"] == N("2") and new["fresh"] == N("0")
    assert new["letters"]["L"] == [N("1"), N("2"), N("3"), N("9")]
    assert new["alt"]["L"] == [N("9")] and new["front"]["L"] == [N("0"), N("5")]


def test_remove_attributes_map_members_and_list_elements():
    new = run("REMOVE #n, info.a, letters[0], letters[2], absent", names={"#n": "label"})
    assert "label" not in new and "absent" not in new
    assert new["info"] == {"M": {}}
    assert new["letters"] == {"L": [N("2")]}


def test_add_numbers_and_sets():
    new = run("ADD tally :five, newCount :five, tags :more, nums :ns, newSet :ns",
              {":five": N("5"), ":more": {"SS": ["c", "b"]}, ":ns": {"NS": ["9", "1"]}})
    assert new["tally"] == N("6") and new["newCount"] == N("5")
    assert new["tags"] == {"SS": ["a", "b", "c"]}
    assert new["nums"] == {"NS": ["1", "2", "9", "10"]}  # numeric order
    assert new["newSet"] == {"NS": ["9", "1"]}


def test_delete_members_and_empty_set_disappears():
    assert run("DELETE tags :a", {":a": {"SS": ["a"]}})["tags"] == {"SS": ["b"]}
    assert "tags" not in run("DELETE tags :a", {":a": {"SS": ["a", "b", "z"]}})
    assert run("DELETE nums :a", {":a": {"NS": ["10.0"]}})["nums"] == {"NS": ["2"]}
    assert run("DELETE absent :a", {":a": {"SS": ["a"]}}) == BASE


def test_all_clauses_together():
    new = run("SET a = :a REMOVE info ADD tally :one DELETE tags :t",
              {":a": N("1"), ":one": N("1"), ":t": {"SS": ["a"]}})
    assert new["a"] == N("1") and "info" not in new
    assert new["tally"] == N("2") and new["tags"] == {"SS": ["b"]}


def test_updated_old_and_new_images():
    update = parse_update("SET info.a = :v, z = :v", None, {":v": N("7")})
    new = update.apply(BASE)
    assert update.updated_old(BASE) == {"info": {"M": {"a": N("1")}}}
    assert update.updated_new(new) == {"info": {"M": {"a": N("7")}}, "z": N("7")}
    assert update.attributes == ("info", "z")
    assert update.paths == [("info", "a"), ("z",)]


def test_key_attributes_cannot_be_updated():
    update = parse_update("SET sk = :v", None, {":v": S("x")})
    assert message_of(update.check_key_attributes, ("pk", "sk")) == (
        "One or more parameter values were invalid: Cannot update attribute sk. "
        "This attribute is part of the key"
    )
    parse_update("SET extra = :v", None, {":v": S("x")}).check_key_attributes(("pk", "sk"))


@pytest.mark.parametrize("text,one,two", [
    ("SET info = :m, info.a = :v", "[info]", "[info, a]"),
    ("set d[1] = a, d.b = a, c[1].a = a, #c = if_not_exists(a)", "[c, [1], a]", "[c]"),
    ("set #c[3].#d = a, #c[3] = a", "[c, [3], [3]]", "[c, [3]]"),
    ("SET a = :v REMOVE a", "[a]", "[a]"),
])
def test_overlapping_paths(text, one, two):
    assert message_of(parse_update, text, {"#c": "c", "#d": "[3]"},
                      {":m": {"M": {}}, ":v": N("1")}) == PREFIX + (
        "Two document paths overlap with each other; must remove or rewrite one of these "
        f"paths; path one: {one}, path two: {two}"
    )


@pytest.mark.parametrize("text,one,two", [
    ("set #c[3].#d = a, #c.#d[3] = if_not_exists(a)", "[c, [3], [3]]", "[c, [3], [3]]"),
    ("remove a.#c set a[1] = #d", "[a, c]", "[a, [1]]"),
])
def test_conflicting_paths(text, one, two):
    assert message_of(parse_update, text, {"#b": "b", "#c": "c", "#d": "[3]"}) == PREFIX + (
        "Two document paths conflict with each other; must remove or rewrite one of these "
        f"paths; path one: {one}, path two: {two}"
    )


@pytest.mark.parametrize("text,value,operator,type_name", [
    ("add a.b :a", S("a"), "ADD", "STRING"), ("delete a.b :a", S("a"), "DELETE", "STRING"),
    ("add a.b :a", {"NULL": True}, "ADD", "NULL"), ("add a.b :a", {"BOOL": True}, "ADD", "BOOLEAN"),
    ("delete a.b :a", {"B": b"a"}, "DELETE", "BINARY"), ("add a.b :a", {"M": {}}, "ADD", "MAP"),
    ("add a.b :a", {"L": []}, "ADD", "LIST"), ("delete a.b :a", N("1"), "DELETE", "NUMBER"),
])
def test_add_delete_operand_types(text, value, operator, type_name):
    assert message_of(parse_update, text, None, {":a": value}) == PREFIX + (
        f"Incorrect operand type for operator or function; operator: {operator}, "
        f"operand type: {type_name}"
    )


@pytest.mark.parametrize("text,function,type_name", [
    ("set a = list_append(:a, a)", "list_append", "S"),
    ("set a = list_append(a, :b)", "list_append", "N"),
    ("set a = a + :a", "+", "S"), ("set a = :c + a", "+", "B"), ("set a = a - :j", "-", "L"),
])
def test_function_operand_types(text, function, type_name):
    values = {":a": S("a"), ":b": N("1"), ":c": {"B": b"a"}, ":j": {"L": []}}
    assert message_of(parse_update, text, None, values) == PREFIX + (
        "Incorrect operand type for operator or function; "
        f"operator or function: {function}, operand type: {type_name}"
    )


def test_function_shape_errors():
    assert message_of(parse_update, "set a = if_not_exists(c)") == PREFIX + (
        "Incorrect number of operands for operator or function; "
        "operator or function: if_not_exists, number of operands: 1"
    )
    assert message_of(parse_update, "set a = if_not_exists(if_not_exists(a, b), c)") == PREFIX + (
        "Operator or function requires a document path; operator or function: if_not_exists"
    )


def test_undefined_placeholders():
    assert message_of(parse_update, "SET #c = if_not_exists(:c)", {"#a": "a"}) == PREFIX + (
        "An expression attribute name used in the document path is not defined; "
        "attribute name: #c"
    )
    assert message_of(parse_update, "SET attr1 = :v") == PREFIX + (
        "An expression attribute value used in expression is not defined; attribute value: :v"
    )


@pytest.mark.parametrize("text,values", [
    ("ADD label :one", {":one": N("1")}),
    ("ADD tally :s", {":s": {"SS": ["1"]}}),
    ("DELETE tags :n", {":n": {"NS": ["1"]}}),
    ("SET e = label + :one", {":one": N("1")}),
    ("SET e = list_append(info, :l)", {":l": {"L": []}}),
])
def test_wrong_data_type_in_item(text, values):
    assert message_of(run, text, values) == (
        "An operand in the update expression has an incorrect data type"
    )


@pytest.mark.parametrize("text", ["set c = absent", "set e = list_append(absent, letters)",
                                  "SET a = absent + :v"])
def test_missing_operand(text):
    assert message_of(run, text, {":v": N("1")}) == (
        "The provided expression refers to an attribute that does not exist in the item"
    )


@pytest.mark.parametrize("text", [
    "set nope.child = :a", "set nope[1] = :a", "set info[1] = :a", "set letters.x = :a",
    "remove nope.a", "remove info[1]", "remove letters.x", "add nope.a :a", "delete nope[1] :a",
])
def test_invalid_document_path_for_update(text):
    assert message_of(run, text, {":a": {"SS": ["a"]}}) == (
        "The document path provided in the update expression is invalid for update"
    )


def test_number_limits_after_arithmetic():
    assert message_of(run, "SET a = a + :b", {":b": N("9" + "0" * 125)},
                      item={"a": N("9" + "0" * 125)}) == (
        "Number overflow. Attempting to store a number with magnitude larger than supported range"
    )
    assert message_of(run, "SET a = a + :b", {":b": N("0.1")}, item={"a": N("9" * 38)}) == (
        "Attempting to store more than 38 significant digits in a Number"
    )


def test_list_index_actions_apply_in_index_order():
    # SET c[4] and c[2] both past the end: the lower index lands first.
    new = run("SET c[4] = :d, c[2] = :b, c[1] = :a ADD c[8] :s, c[6] :n",
              {":a": S("a"), ":b": S("b"), ":d": S("d"), ":s": {"SS": ["x"]}, ":n": N("6")},
              item={"c": {"L": [N("0"), N("1")]}})
    assert new["c"]["L"] == [N("0"), S("a"), S("b"), S("d"), N("6"), {"SS": ["x"]}]


def test_remove_of_several_list_elements_uses_the_original_indexes():
    new = run("REMOVE letters[0], letters[2]")
    assert new["letters"] == {"L": [N("2")]}
