"""Native values <-> AttributeValues: round trips, the twins agree, boto3's behaviour."""

from __future__ import annotations

import decimal
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from boto3.dynamodb.types import Binary as Boto3Binary
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from hypothesis import given, settings
from hypothesis import strategies as st

from ddblite import _typeconv_pure, typeconv
from ddblite.native import pure_requested
from ddblite.typeconv import Binary
from tests.table.strategies import (
    malformed_attribute_values,
    round_trip_items,
    round_trip_values,
    wild_values,
)

IMPLEMENTATIONS = typeconv.implementations()
TWINS = sorted(IMPLEMENTATIONS)
FLOAT_MESSAGE = "Float types are not supported. Use Decimal types instead."
REPO_ROOT = Path(__file__).resolve().parents[2]


def outcome(function, value):
    """What a call did: its result, or the exception's type and text."""
    try:
        return ("ok", function(value))
    except Exception as exc:  # noqa: BLE001 - the exception is the result compared
        return ("raised", type(exc), str(exc))


# ---------------------------------------------------------------- which module loads


def test_compiled_twin_loads_by_default() -> None:
    # A build that silently failed must fail here rather than quietly run slow.
    if pure_requested():
        assert typeconv.IMPLEMENTATION == "pure"
        assert typeconv.serialize is _typeconv_pure.serialize
    else:
        reason = f"ddblite._typeconv not importable: {typeconv.IMPORT_ERROR}"
        assert typeconv.COMPILED is True, reason
        assert typeconv.IMPLEMENTATION == "cython"
        assert typeconv.serialize is IMPLEMENTATIONS["cython"].serialize
        assert IMPLEMENTATIONS["cython"].__file__.endswith(".so")


PROBE = """
import json
from ddblite import typeconv
print(json.dumps([typeconv.IMPLEMENTATION, typeconv._impl.__name__]))
"""


def _probe(env_value: str | None) -> list:
    env = {k: v for k, v in os.environ.items() if k != "DDBLITE_PUREPYTHON"}
    if env_value is not None:
        env["DDBLITE_PUREPYTHON"] = env_value
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    completed = subprocess.run([sys.executable, "-c", PROBE], cwd=REPO_ROOT, env=env,
                               capture_output=True, text=True, check=True, timeout=60)
    return json.loads(completed.stdout.strip().splitlines()[-1])


def test_env_var_forces_pure_and_default_is_compiled() -> None:
    assert _probe("1") == ["pure", "ddblite._typeconv_pure"]
    if not pure_requested():
        assert _probe(None) == ["cython", "ddblite._typeconv"]


# ---------------------------------------------------------------- round trips


@pytest.mark.parametrize("twin", TWINS)
@given(value=round_trip_values)
def test_value_round_trip(twin, value) -> None:
    module = IMPLEMENTATIONS[twin]
    assert module.deserialize(module.serialize(value)) == value


@pytest.mark.parametrize("twin", TWINS)
@given(item=round_trip_items)
def test_item_round_trip(twin, item) -> None:
    module = IMPLEMENTATIONS[twin]
    assert module.deserialize_item(module.serialize_item(item)) == item


@pytest.mark.parametrize("twin", TWINS)
def test_types_of_values_read_back(twin) -> None:
    module = IMPLEMENTATIONS[twin]
    back = module.deserialize_item(module.serialize_item({
        "n": 5, "b": b"x", "bs": {b"y"}, "t": ("a", 1), "fs": frozenset(["s"]), "f": False,
    }))
    assert type(back["n"]) is Decimal
    assert type(back["b"]) is Binary and back["b"].value == b"x"
    assert {type(member) for member in back["bs"]} == {Binary}
    assert back["t"] == ["a", Decimal(1)]
    assert type(back["fs"]) is set
    assert back["f"] is False


# ---------------------------------------------------------------- twins agree, errors included


@given(value=wild_values())
@settings(max_examples=300)
def test_twins_serialize_alike(value) -> None:
    results = {twin: outcome(IMPLEMENTATIONS[twin].serialize, value) for twin in TWINS}
    assert len({repr(result) for result in results.values()}) == 1, results


@given(value=st.one_of(round_trip_values.map(_typeconv_pure.serialize),
                       malformed_attribute_values))
@settings(max_examples=300)
def test_twins_deserialize_alike(value) -> None:
    results = {twin: outcome(IMPLEMENTATIONS[twin].deserialize, value) for twin in TWINS}
    assert len({repr(result) for result in results.values()}) == 1, results


def _nested(depth: int, leaf, wrap):
    value = leaf
    for _ in range(depth):
        value = wrap(value)
    return value


@given(depth=st.integers(min_value=60, max_value=70),
       wrap=st.sampled_from([lambda v: [v], lambda v: {"k": v}, lambda v: (v, 1)]),
       leaf=st.sampled_from([1, "s", 1.5, object()]))
@settings(max_examples=60)
def test_twins_stand_in_past_the_stand_in_depth_alike(depth, wrap, leaf) -> None:
    # Deeper than any value DynamoDB accepts: both twins stop at the same level, so
    # whatever sits below (even an unsupported type) is never looked at.
    value = _nested(depth, leaf, wrap)
    results = {twin: outcome(IMPLEMENTATIONS[twin].serialize, value) for twin in TWINS}
    assert len({repr(result) for result in results.values()}) == 1, results


@pytest.mark.parametrize("twin", TWINS)
def test_very_deep_native_values_neither_recurse_nor_crash(twin) -> None:
    serialized = IMPLEMENTATIONS[twin].serialize(_nested(200_000, 1, lambda v: [v]))
    levels = 0
    while "L" in serialized:
        serialized = serialized["L"][0]
        levels += 1
    assert (levels, serialized) == (_typeconv_pure.STAND_IN_DEPTH, {"NULL": True})


# ---------------------------------------------------------------- boto3's behaviour


@pytest.mark.parametrize("twin", TWINS)
@given(value=wild_values(Boto3Binary, non_finite=False))
@settings(max_examples=200)
def test_serialize_matches_boto3(twin, value) -> None:
    ours = outcome(IMPLEMENTATIONS[twin].serialize, value)
    theirs = outcome(TypeSerializer().serialize, value)
    assert repr(ours) == repr(theirs)


@pytest.mark.parametrize("twin", TWINS)
@pytest.mark.parametrize("text", ["Infinity", "-Infinity", "NaN", "-NaN", "sNaN"])
def test_non_finite_numbers_refused(twin, text) -> None:
    # boto3 refuses "Infinity" and "NaN" and passes the other spellings on for
    # DynamoDB to refuse; ddblite refuses every non-finite number itself.
    with pytest.raises(TypeError) as excinfo:
        IMPLEMENTATIONS[twin].serialize(Decimal(text))
    assert str(excinfo.value) == "Infinity and NaN not supported"


@pytest.mark.parametrize("twin", TWINS)
@given(value=st.one_of(round_trip_values.map(TypeSerializer().serialize),
                       malformed_attribute_values.filter(lambda v: isinstance(v, dict))))
def test_deserialize_matches_boto3(twin, value) -> None:
    ours = outcome(IMPLEMENTATIONS[twin].deserialize, value)
    theirs = outcome(TypeDeserializer().deserialize, value)
    assert ours == theirs


@pytest.mark.parametrize("twin", TWINS)
@pytest.mark.parametrize("value", [
    1.5, 0.0, float("nan"), [1, 2.5], {"a": {"b": 1.0}}, {1.5}, (Decimal(1), 2.0),
])
def test_floats_refused_with_boto3_text(twin, value) -> None:
    with pytest.raises(TypeError) as excinfo:
        IMPLEMENTATIONS[twin].serialize(value)
    assert str(excinfo.value) == FLOAT_MESSAGE


@pytest.mark.parametrize("twin", TWINS)
def test_numbers(twin) -> None:
    serialize = IMPLEMENTATIONS[twin].serialize
    assert serialize(10**37) == {"N": str(10**37)}
    assert serialize(-(10**38) + 1) == {"N": str(-(10**38) + 1)}
    assert serialize(Decimal("1.50")) == {"N": "1.50"}
    assert serialize(Decimal("1e5")) == {"N": "1E+5"}
    assert serialize(True) == {"BOOL": True}
    with pytest.raises(decimal.Rounded):
        serialize(10**38)  # 39 digits: boto3's context refuses to round
    with pytest.raises(decimal.Inexact):
        serialize(Decimal("1." + "1" * 40))
    with pytest.raises(decimal.Overflow):
        serialize(Decimal("1e200"))


@pytest.mark.parametrize("twin", TWINS)
def test_sets_and_binaries(twin) -> None:
    module = IMPLEMENTATIONS[twin]
    # An empty set is a number set, as boto3 sends it; DynamoDB then refuses it.
    assert module.serialize(set()) == {"NS": []}
    assert module.serialize(frozenset()) == {"NS": []}
    assert module.serialize({Binary(b"a")}) == {"BS": [b"a"]}
    assert module.serialize(bytearray(b"ab")) == {"B": bytearray(b"ab")}
    # boto3's own Binary is taken as binary too.
    assert module.serialize(Boto3Binary(b"q")) == {"B": b"q"}
    assert module.serialize({Boto3Binary(b"q")}) == {"BS": [b"q"]}
    with pytest.raises(TypeError, match='^Unsupported type "<class \'set\'>"'):
        module.serialize({"a", b"b"})
    with pytest.raises(TypeError, match="^Unsupported type \"<class 'memoryview'>\""):
        module.serialize(memoryview(b"x"))


@pytest.mark.parametrize("twin", TWINS)
def test_deserialize_errors(twin) -> None:
    deserialize = IMPLEMENTATIONS[twin].deserialize
    message = "Value must be a nonempty dictionary whose key is a valid dynamodb type."
    for bad in ({}, None, "S"):
        with pytest.raises(TypeError) as excinfo:
            deserialize(bad)
        assert str(excinfo.value) == message
    with pytest.raises(TypeError) as excinfo:
        deserialize({"X": 1})
    assert str(excinfo.value) == "Dynamodb type X is not supported"
    assert deserialize({"ns": ["1"]}) == {Decimal(1)}  # boto3 takes lower-case tags too


def test_binary_behaves_like_boto3s() -> None:
    ours, theirs = Binary(b"ab"), Boto3Binary(b"ab")
    assert ours == b"ab" and ours == Binary(b"ab") and ours != b"x"
    assert hash(ours) == hash(theirs) == hash(b"ab")
    assert bytes(ours) == b"ab" and ours.value == b"ab"
    assert repr(ours) == repr(theirs) == "Binary(b'ab')"
    assert b"ab" in {ours} and ours in {b"ab"}
    with pytest.raises(TypeError) as excinfo:
        Binary("text")
    with pytest.raises(TypeError) as boto3_excinfo:
        Boto3Binary("text")
    assert str(excinfo.value) == str(boto3_excinfo.value)


@pytest.mark.parametrize("twin", TWINS)
def test_numbers_read_back_exactly(twin) -> None:
    deserialize = IMPLEMENTATIONS[twin].deserialize
    # 39 digits, one significant: DynamoDB's answer for 1E+38 (boto3 raises decimal.Rounded).
    assert deserialize({"N": "1" + "0" * 38}) == Decimal("1E+38")
    assert deserialize({"NS": ["1" + "0" * 38]}) == {Decimal("1E+38")}
    assert str(deserialize({"N": "-0.50"})) == "-0.50"
