"""All expressions of one request, sharing one ExpressionAttributeNames/Values pair.

DynamoDB checks the two maps once for the whole request: each must be non-empty when
given, keys must look like ``#name`` / ``:value``, and every entry must be used by at
least one of the request's expressions.
"""

from __future__ import annotations

import re

from ddblite.attrvalue import check_attribute_name
from ddblite.errors import ValidationException
from ddblite.expressions.api import (
    Condition,
    Projection,
    Update,
    parse_condition,
    parse_projection,
    parse_update,
)
from ddblite.expressions.evaluate import AttributeValue
from ddblite.expressions.keycondition import KeyCondition, parse_key_condition

_NAME_KEY = re.compile(r"#[A-Za-z0-9_]+")
_VALUE_KEY = re.compile(r":[A-Za-z0-9_]+")
MAX_KEY_BYTES = 255


def check_attribute_maps(names: dict[str, str] | None,
                         values: dict[str, AttributeValue] | None) -> None:
    """Emptiness and key syntax of ExpressionAttributeNames/Values."""
    if names is not None:
        if not names:
            raise ValidationException("ExpressionAttributeNames must not be empty")
        for key, name in names.items():
            _check_key_length("ExpressionAttributeNames", key, sized=True)
            if not _NAME_KEY.fullmatch(key):
                raise ValidationException(
                    f'ExpressionAttributeNames contains invalid key: Syntax error; key: "{key}"'
                )
            if not name:
                # Seen in DynamoDB's answers for an empty name behind a placeholder.
                raise ValidationException(
                    f"ExpressionAttributeNames contains invalid value: Empty attribute name "
                    f"for key {key}"
                )
            check_attribute_name(name)  # too long: the item wording (measured for SET #n)
    if values is not None:
        if not values:
            raise ValidationException("ExpressionAttributeValues must not be empty")
        for key in values:
            _check_key_length("ExpressionAttributeValues", key, sized=False)
            if not _VALUE_KEY.fullmatch(key):
                raise ValidationException(
                    f'ExpressionAttributeValues contains invalid key: Syntax error; key: "{key}"'
                )


def _check_key_length(label: str, key: str, sized: bool) -> None:
    # Measured (ExtendDB's dual-target tests): placeholders are at most 255 bytes with
    # their prefix, checked before their syntax; only the names' message gives the size.
    if len(key) > MAX_KEY_BYTES // 4 and len(key.encode("utf-8", "surrogatepass")) > MAX_KEY_BYTES:
        size = f" size of key: {len(key.encode('utf-8', 'surrogatepass'))}" if sized else ""
        raise ValidationException(
            f"{label} contains invalid key: The expression attribute map contains a key that "
            f"is too long;{size}"
        )


class RequestExpressions:
    """Parse a request's expressions in the order given, then check unused entries.

    >>> exprs = RequestExpressions(names, values)
    >>> cond = exprs.condition(request.get("ConditionExpression"))
    >>> upd = exprs.update(request["UpdateExpression"])
    >>> exprs.finish()   # raises if a #name or :value was never used

    Each method returns None when its text is None.
    """

    def __init__(self, names: dict[str, str] | None,
                 values: dict[str, AttributeValue] | None) -> None:
        check_attribute_maps(names, values)
        self.names = names
        self.values = values
        self._names_used: set[str] = set()
        self._values_used: set[str] = set()

    def _note(self, parsed: Condition | Update | Projection | KeyCondition) -> None:
        self._names_used.update(parsed.names_used)
        self._values_used.update(getattr(parsed, "values_used", ()))

    def condition(self, text: str | None, kind: str = "ConditionExpression") -> Condition | None:
        if text is None:
            return None
        parsed = parse_condition(text, self.names, self.values, kind)
        self._note(parsed)
        return parsed

    def filter(self, text: str | None) -> Condition | None:
        return self.condition(text, "FilterExpression")

    def key_condition(self, text: str | None) -> KeyCondition | None:
        if text is None:
            return None
        parsed = parse_key_condition(text, self.names, self.values)
        self._note(parsed)
        return parsed

    def update(self, text: str | None) -> Update | None:
        if text is None:
            return None
        parsed = parse_update(text, self.names, self.values)
        self._note(parsed)
        return parsed

    def projection(self, text: str | None) -> Projection | None:
        if text is None:
            return None
        parsed = parse_projection(text, self.names)
        self._note(parsed)
        return parsed

    def finish(self) -> None:
        """Refuse names/values no expression used (names are reported first)."""
        for label, given, used in (
            ("ExpressionAttributeNames", self.names, self._names_used),
            ("ExpressionAttributeValues", self.values, self._values_used),
        ):
            unused = [key for key in (given or {}) if key not in used]
            if unused:
                raise ValidationException(
                    f"Value provided in {label} unused in expressions: "
                    f"keys: {{{', '.join(unused)}}}"
                )
