"""Hypothesis strategies for native values and AttributeValues."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import strategies as st

from ddblite.typeconv import Binary

# Numbers DynamoDB (and boto3's Decimal context) keep exactly: <= 38 digits, modest exponent.
decimals = st.builds(
    lambda sign, digits, exponent: Decimal((sign, tuple(int(d) for d in digits), exponent)),
    st.integers(0, 1),
    st.text("0123456789", min_size=1, max_size=38),
    st.integers(-90, 80),
)
ints = st.integers(-(10**38) + 1, 10**38 - 1)
texts = st.text(max_size=20)
names = st.text(min_size=1, max_size=20)  # DynamoDB refuses empty attribute names
blobs = st.binary(max_size=20)

scalars = st.one_of(st.none(), st.booleans(), ints, decimals, texts, blobs)
sets = st.one_of(
    st.frozensets(st.one_of(ints, decimals), max_size=5).map(set),
    st.sets(texts, max_size=5),
    st.sets(blobs, max_size=5),
)

# Values that survive native -> AttributeValue -> native unchanged (lists, not tuples).
round_trip_values = st.recursive(
    st.one_of(scalars, sets),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(names, inner, max_size=4),
    ),
    max_leaves=20,
)
round_trip_items = st.dictionaries(names, round_trip_values, max_size=6)


class Opaque:
    """A value no converter knows."""

    def __repr__(self) -> str:
        return "Opaque()"




def wild_values(binary_class: type = Binary, non_finite: bool = True) -> st.SearchStrategy:
    """Anything a caller might hand over, including what must be refused."""
    wild_scalars = st.one_of(
        scalars,
        st.floats(allow_nan=True),
        st.integers(),
        st.decimals(allow_nan=non_finite, allow_infinity=non_finite),
        st.binary(max_size=5).map(bytearray),
        blobs.map(binary_class),
        st.just(Opaque()),
        st.just(memoryview(b"x")),
    )
    return st.recursive(
        st.one_of(
            wild_scalars,
            st.sets(st.one_of(texts, ints, st.floats(allow_nan=False), blobs), max_size=4),
            st.frozensets(st.one_of(texts, ints), max_size=4),
        ),
        lambda inner: st.one_of(
            st.lists(inner, max_size=3),
            st.lists(inner, max_size=3).map(tuple),
            st.dictionaries(texts, inner, max_size=3),
        ),
        max_leaves=12,
    )


# AttributeValues as they come back, and malformed ones.
malformed_attribute_values = st.one_of(
    st.just({}),
    st.just({"X": "1"}),
    st.just({"s": "lower-case tag"}),
    st.just({"nS": ["1", "2"]}),
    st.just({1: "x"}),
    st.just("not a dict"),
    st.just(None),
)
