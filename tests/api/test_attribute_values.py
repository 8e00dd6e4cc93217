"""AttributeValue rules: the ten types, malformed values, numbers, sets, empties, sizes, nesting.

Malformed values are sent through `db.call` (the low-level request every front
door hands to ddblite): botocore refuses some of them client-side before they
reach a server, so only the wire-level behaviour is DynamoDB's to define.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ddblite.errors import SerializationException, ValidationException
from tests.conftest import create_table, error_of

INVALID = "One or more parameter values were invalid: "


def put(db, item, table="things"):
    return db.call("PutItem", {"TableName": table, "Item": {"pk": {"S": "k"}, **item}})


@pytest.fixture
def table_db(db):
    create_table(db.client())
    return db


def roundtrip(client, value):
    client.put_item(TableName="things", Item={"pk": {"S": "k"}, "v": value})
    return client.get_item(TableName="things", Key={"pk": {"S": "k"}})["Item"]["v"]


# ------------------------------------------------------------------ serialization


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"S": 5}, "NUMBER_VALUE cannot be converted to String"),
        ({"S": 1.5}, "DECIMAL_VALUE cannot be converted to String"),
        ({"S": True}, "TRUE_VALUE cannot be converted to String"),
        ({"S": ["a"]}, "Unrecognized collection type class java.lang.String"),
        ({"S": {"a": 1}}, "Start of structure or map found where not expected"),
        ({"N": 5}, "NUMBER_VALUE cannot be converted to String"),
        ({"BOOL": "yes"}, "Unexpected token received from parser"),
        ({"BOOL": 1}, "NUMBER_VALUE cannot be converted to Boolean"),
        ({"NULL": []}, "Unrecognized collection type class java.lang.Boolean"),
        ({"B": 5}, "only base-64-encoded strings are convertible to bytes"),
        ({"B": [b"a"]}, "Unrecognized collection type class java.nio.ByteBuffer"),
        ({"SS": "a"}, "Unexpected field type"),
        ({"SS": {"a": "b"}}, "Start of structure or map found where not expected"),
        ({"NS": [1]}, "NUMBER_VALUE cannot be converted to String"),
        ({"L": "a"}, "Unexpected field type"),
        ({"M": "a"}, "Unexpected field type"),
        (
            {"M": []},
            "Unrecognized collection type java.util.Map<java.lang.String, "
            "com.amazonaws.dynamodb.v20120810.AttributeValue>",
        ),
    ],
)
def test_wrong_json_type_is_a_serialization_error(table_db, value, message):
    with pytest.raises(SerializationException) as excinfo:
        put(table_db, {"v": value})
    assert error_of(excinfo) == ("SerializationException", message)


def test_attribute_value_that_is_not_an_object(table_db):
    with pytest.raises(SerializationException) as excinfo:
        put(table_db, {"v": "text"})
    assert error_of(excinfo)[1] == "Unexpected value type in payload"
    with pytest.raises(SerializationException) as excinfo:
        put(table_db, {"v": [{"S": "a"}]})
    assert error_of(excinfo)[1] == (
        "Unrecognized collection type class com.amazonaws.dynamodb.v20120810.AttributeValue"
    )


def test_type_error_wins_over_an_earlier_validation_error(table_db):
    with pytest.raises(SerializationException):
        put(table_db, {"a": {"SS": []}, "b": {"S": 5}})


# ------------------------------------------------------------------ validation


def test_value_with_no_type(table_db):
    with pytest.raises(ValidationException) as excinfo:
        put(table_db, {"v": {}})
    assert error_of(excinfo)[1] == (
        "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
    )


def test_unknown_tag_is_dropped_like_an_unknown_json_member(table_db):
    with pytest.raises(ValidationException) as excinfo:
        put(table_db, {"v": {"X": "a"}})
    assert "Supplied AttributeValue is empty" in error_of(excinfo)[1]
    with pytest.raises(ValidationException) as excinfo:
        put(table_db, {"v": {"S": None}})
    assert "Supplied AttributeValue is empty" in error_of(excinfo)[1]


def test_value_with_two_types(table_db):
    with pytest.raises(ValidationException) as excinfo:
        put(table_db, {"v": {"S": "a", "N": "1"}})
    assert error_of(excinfo)[1] == (
        "Supplied AttributeValue has more than one datatypes set, must contain exactly one of "
        "the supported datatypes"
    )


def test_a_tags_own_problem_is_reported_before_two_types(table_db):
    with pytest.raises(ValidationException) as excinfo:
        put(table_db, {"v": {"S": "a", "N": "x"}})
    assert error_of(excinfo)[1] == "The parameter cannot be converted to a numeric value: x"


def test_null_must_be_true(table_db):
    with pytest.raises(ValidationException) as excinfo:
        put(table_db, {"v": {"NULL": False}})
    assert error_of(excinfo)[1] == (
        INVALID + "Null attribute value types must have the value of true"
    )


@pytest.mark.parametrize(
    ("tag", "message"),
    [
        ("SS", INVALID + "An string set  may not be empty"),
        ("NS", INVALID + "An number set  may not be empty"),
        ("BS", INVALID + "Binary sets should not be empty"),
    ],
)
def test_empty_sets_are_rejected_even_nested(table_db, tag, message):
    for value in ({tag: []}, {"M": {"x": {tag: []}}}, {"L": [{tag: []}]}):
        with pytest.raises(ValidationException) as excinfo:
            put(table_db, {"v": value})
        assert error_of(excinfo)[1] == message


def test_duplicate_set_members(table_db):
    cases = [
        ({"SS": ["a", "b", "a"]}, INVALID + "Input collection [a, b, a] contains duplicates."),
        ({"NS": ["1", "1.0"]}, "Input collection contains duplicates"),
        ({"NS": ["100", "1E2"]}, "Input collection contains duplicates"),
        (
            {"BS": [b"\x00", b"\xff", b"\x00"]},
            INVALID + "Input collection [AA==, /w==, AA==]of type BS contains duplicates.",
        ),
    ]
    for value, message in cases:
        with pytest.raises(ValidationException) as excinfo:
            put(table_db, {"v": value})
        assert error_of(excinfo)[1] == message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "The parameter cannot be converted to a numeric value"),
        ("abc", "The parameter cannot be converted to a numeric value: abc"),
        (" 1", "The parameter cannot be converted to a numeric value:  1"),
        ("1.2.3", "The parameter cannot be converted to a numeric value: 1.2.3"),
        ("1e", "The parameter cannot be converted to a numeric value: 1e"),
        ("NaN", "The parameter cannot be converted to a numeric value: NaN"),
        ("Infinity", "The parameter cannot be converted to a numeric value: Infinity"),
        ("0x10", "The parameter cannot be converted to a numeric value: 0x10"),
        ("1E+126", "Number overflow. Attempting to store a number with magnitude larger than "
         "supported range"),
        ("-1E+126", "Number overflow. Attempting to store a number with magnitude larger than "
         "supported range"),
        ("0e126", "Number overflow. Attempting to store a number with magnitude larger than "
         "supported range"),
        ("1E-131", "Number underflow. Attempting to store a number with magnitude smaller than "
         "supported range"),
        ("0e-131", "Number underflow. Attempting to store a number with magnitude smaller than "
         "supported range"),
        ("123456789012345678901234567890123456789",
         "Attempting to store more than 38 significant digits in a Number"),
        ("123456789012345678901234567890123456789E200",
         "Number overflow. Attempting to store a number with magnitude larger than "
         "supported range"),
    ],
)
def test_invalid_numbers(table_db, text, message):
    with pytest.raises(ValidationException) as excinfo:
        put(table_db, {"v": {"N": text}})
    assert error_of(excinfo)[1] == message
    with pytest.raises(ValidationException) as excinfo:
        put(table_db, {"v": {"NS": ["1", text]}})
    assert error_of(excinfo)[1] == message


def test_nesting_depth_limit(table_db):
    def wrap(levels, leaf):
        value = leaf
        for _ in range(levels):
            value = {"M": {"m": value}}
        return value

    put(table_db, {"v": wrap(31, {"S": "leaf"})})
    put(table_db, {"v": wrap(31, {"M": {}})})  # 32 maps: the empty innermost holds nothing
    with pytest.raises(ValidationException) as excinfo:
        put(table_db, {"v": wrap(32, {"S": "leaf"})})
    assert error_of(excinfo)[1] == (
        "Nesting Levels have exceeded supported limits: Attributes in the item have nested "
        "levels beyond supported limit"
    )
    lists = {"S": "leaf"}
    for _ in range(32):
        lists = {"L": [lists]}
    with pytest.raises(ValidationException):
        put(table_db, {"v": lists})


# ------------------------------------------------------------------ behaviour


def test_all_ten_types_round_trip(client):
    create_table(client)
    item = {
        "pk": {"S": "all"},
        "s": {"S": "text é"},
        "n": {"N": "-12.5"},
        "b": {"B": b"\x00\x01\xff"},
        "bool": {"BOOL": False},
        "null": {"NULL": True},
        "m": {"M": {"inner": {"S": "x"}, "empty": {"M": {}}}},
        "l": {"L": [{"N": "1"}, {"S": "two"}, {"L": []}]},
        "ss": {"SS": ["b", "a"]},
        "ns": {"NS": ["10", "2"]},
        "bs": {"BS": [b"\x02", b"\x01"]},
    }
    client.put_item(TableName="things", Item=item)
    got = client.get_item(TableName="things", Key={"pk": {"S": "all"}})["Item"]
    assert got.keys() == item.keys()
    for name in ("s", "n", "b", "bool", "null", "m", "l"):
        assert got[name] == item[name]
    assert sorted(got["ss"]["SS"]) == ["a", "b"]
    assert sorted(got["ns"]["NS"], key=float) == ["2", "10"]
    assert sorted(got["bs"]["BS"]) == [b"\x01", b"\x02"]


@pytest.mark.parametrize(
    ("written", "returned"),
    [
        ("01.50", "1.5"),
        ("1E2", "100"),
        ("-0", "0"),
        ("0e125", "0"),
        ("00042", "42"),
        ("3.1400", "3.14"),
        ("1.5E2", "150"),
        ("+5", "5"),
        (".5", "0.5"),
        ("5.", "5"),
        ("1E-3", "0.001"),
        ("12345678901234567890123456789012345678", "12345678901234567890123456789012345678"),
        ("9.9999999999999999999999999999999999999E+125", "99999999999999999999999999999999999999"
         + "0" * 88),
        ("1E-130", "0." + "0" * 129 + "1"),
    ],
)
def test_numbers_come_back_canonical(client, written, returned):
    create_table(client)
    assert roundtrip(client, {"N": written}) == {"N": returned}


def test_number_sets_come_back_canonical_and_in_a_stable_order(client):
    create_table(client)
    first = roundtrip(client, {"NS": ["10", "1E0", "-2.50"]})
    assert sorted(first["NS"]) == sorted(["10", "1", "-2.5"])
    assert roundtrip(client, {"NS": ["-2.50", "10", "1E0"]}) == first


def test_sets_may_hold_an_empty_string_or_binary(client):
    create_table(client)
    assert roundtrip(client, {"SS": [""]}) == {"SS": [""]}
    assert roundtrip(client, {"BS": [b""]}) == {"BS": [b""]}


def test_empty_strings_and_binaries_outside_keys(client):
    create_table(client)
    assert roundtrip(client, {"S": ""}) == {"S": ""}
    assert roundtrip(client, {"B": b""}) == {"B": b""}
    assert roundtrip(client, {"M": {"x": {"S": ""}}}) == {"M": {"x": {"S": ""}}}
    assert roundtrip(client, {"L": []}) == {"L": []}
    assert roundtrip(client, {"M": {}}) == {"M": {}}


def test_item_size_limit_is_400_kb_inclusive(client):
    create_table(client)
    # name "pk" (2) + "k" (1) + name "v" (1) + payload
    payload = 400 * 1024 - 4
    client.put_item(TableName="things", Item={"pk": {"S": "k"}, "v": {"S": "x" * payload}})
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        client.put_item(
            TableName="things", Item={"pk": {"S": "k"}, "v": {"S": "x" * (payload + 1)}}
        )
    assert error_of(excinfo) == (
        "ValidationException", "Item size has exceeded the maximum allowed size"
    )


def test_item_size_counts_names_nesting_and_numbers(client):
    create_table(client)
    # M: 3 + per entry (key bytes + 1 + value); N "12345": 1 + 3 digit pairs = 4 bytes
    nested = {"M": {"ab": {"N": "12345"}}}
    nested_size = 3 + 2 + 1 + 4
    base = 2 + 1 + 1 + nested_size + 1  # "pk"+"k", "m"+nested, "v" name
    payload = 400 * 1024 - base
    item = {"pk": {"S": "k"}, "m": nested, "v": {"S": "x" * payload}}
    client.put_item(TableName="things", Item=item)
    item["v"] = {"S": "x" * (payload + 1)}
    with pytest.raises(client.exceptions.ClientError):
        client.put_item(TableName="things", Item=item)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(min_value=-(10**38) + 1, max_value=10**38 - 1),
    st.integers(min_value=-130, max_value=88),
)
def test_number_canonical_form_is_numerically_equal(mantissa, exponent):
    from decimal import Decimal

    from ddblite.attrvalue import number

    text = f"{mantissa}E{exponent}"
    canonical = number(text)
    assert Decimal(canonical) == Decimal(text)
    assert number(canonical) == canonical
    assert "E" not in canonical and "e" not in canonical
