"""The export/import line formats on their own: DynamoDB JSON and Ion round trips."""

from __future__ import annotations

import pytest

from ddblite.transfer import dynamodb_json, ion

ITEM = {
    "s": {"S": 'quote " backslash \\ newline \n tab \t unicode é 😀 nul \x00'},
    "int": {"N": "0"}, "neg": {"N": "-17"}, "dec": {"N": "3.25"}, "exp": {"N": "1.5E-7"},
    "b": {"B": bytes(range(256))}, "empty_b": {"B": b""},
    "t": {"BOOL": True}, "f": {"BOOL": False}, "z": {"NULL": True},
    "ss": {"SS": ["a", "b c"]}, "ns": {"NS": ["1", "-2.5"]}, "bs": {"BS": [b"\x00", b"\xff"]},
    "m": {"M": {"field with space": {"L": [{"N": "1"}, {"S": ""}, {"M": {}}]},
                "nested": {"M": {"deeper": {"BS": [b"x"]}}}}},
    "l": {"L": []},
}


def test_dynamodb_json_round_trip():
    assert dynamodb_json.load_line(dynamodb_json.dump_line(ITEM)) == ITEM


def test_ion_round_trip_with_numbers_in_ion_form():
    line = ion.dump_line(ITEM)
    assert b'"exp":1.5d-7' in line and b'"int":0' in line and b"$dynamodb_NS::[1,-2.5]" in line
    (back,) = ion.load_items("$ion_1_0 " + line.decode())
    assert back["exp"] == {"N": "1.5E-7"}
    assert {k: v for k, v in back.items() if k != "exp"} == {
        k: v for k, v in ITEM.items() if k != "exp"}


def test_ion_reads_symbols_and_whitespace_as_dynamodb_writes_them():
    text = "$ion_1_0\n{ Item: { 'pk': \"a\", n: 12d0, flag: true, blob: {{ aGk= }} } }\n"
    assert list(ion.load_items(text)) == [
        {"pk": {"S": "a"}, "n": {"N": "12E0"}, "flag": {"BOOL": True}, "blob": {"B": b"hi"}}]


@pytest.mark.parametrize("bad", ['{"Item": 3}', "[1]", "not json"])
def test_bad_json_lines_are_value_errors(bad):
    with pytest.raises(ValueError):
        dynamodb_json.load_line(bad)


def test_bad_ion_is_a_value_error():
    with pytest.raises(ValueError):
        list(ion.load_items("{Item:{a:"))
