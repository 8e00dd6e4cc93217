"""DynamoDB's expression language: parse once, cache, evaluate. See README.md."""

from ddblite.expressions.api import (
    Condition,
    Projection,
    Update,
    clear_caches,
    parse_condition,
    parse_projection,
    parse_update,
)
from ddblite.expressions.keycondition import KeyCondition, KeyRange, parse_key_condition
from ddblite.expressions.legacy import (
    attribute_updates,
    attributes_to_get,
    expected_condition,
    filter_condition,
    key_conditions,
)
from ddblite.expressions.request import RequestExpressions, check_attribute_maps

__all__ = [
    "Condition",
    "KeyCondition",
    "KeyRange",
    "Projection",
    "RequestExpressions",
    "Update",
    "attribute_updates",
    "attributes_to_get",
    "check_attribute_maps",
    "clear_caches",
    "expected_condition",
    "filter_condition",
    "key_conditions",
    "parse_condition",
    "parse_key_condition",
    "parse_projection",
    "parse_update",
]
