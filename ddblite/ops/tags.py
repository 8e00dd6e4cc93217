"""TagResource, UntagResource, ListTagsOfResource and DynamoDB's tag rules."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ddblite import constraints
from ddblite.dispatch import operation
from ddblite.errors import (
    AccessDeniedException,
    ResourceNotFoundException,
    ValidationException,
)
from ddblite.validate import Shape

if TYPE_CHECKING:
    from ddblite.database import Database

MAX_TAGS = 50
# Letters, numbers and spaces in any language, and + - = . _ : / @
_TAG_PATTERN = re.compile(r"^[\w\s+\-=._:/@]*$", re.UNICODE)
_ARN = re.compile(r"^arn:aws[\w-]*:dynamodb:([\w-]+):(\d{12}):table/([a-zA-Z0-9_.-]{3,255})$")


def check_tags(tags: list[Any]) -> dict[str, str]:
    """Validate a Tags list; returns it as a dict (later keys win, as DynamoDB does)."""
    shape = Shape()
    for i, tag in enumerate(tags, 1):
        if not isinstance(tag, dict):
            continue
        key, value = tag.get("Key"), tag.get("Value")
        if shape.not_null(key, f"tags.{i}.member.key"):
            shape.length_between(key, f"tags.{i}.member.key", 1, 128)
        if shape.not_null(value, f"tags.{i}.member.value"):
            shape.length_between(value, f"tags.{i}.member.value", 0, 256)
    shape.done()
    result: dict[str, str] = {}
    for tag in tags:
        key, value = tag["Key"], tag["Value"]
        if not _TAG_PATTERN.match(key) or not _TAG_PATTERN.match(value):
            raise ValidationException(
                "Invalid tag key or value: only letters, numbers, spaces and + - = . _ : / @ "
                "are allowed"
            )
        if key.startswith("aws:"):
            raise ValidationException(
                "One or more parameter values were invalid: Tag keys starting with 'aws:' are "
                "reserved for system use"
            )
        result[key] = value
    return result


def _check_arn(db: Database, arn: str, action: str, region: str) -> tuple[str, str]:
    """(region, table name) of a table ARN, or the error DynamoDB gives for it."""
    parts = arn.split(":", 5)
    if len(parts) == 6 and parts[0] == "arn" and parts[2] != "dynamodb":
        # Another service's resource: DynamoDB denies rather than calling it malformed.
        raise _denied(db, arn, action)  # INFERRED text, as for another account's ARN
    # Today's DynamoDB answers any other malformed ARN ("not-a-valid-arn", an index
    # ARN, another region's table) with a ValidationException.
    match = _ARN.match(arn)
    if match is not None and match.group(2) != db.account_id:
        raise _denied(db, arn, action)
    if match is None or match.group(1) != region:
        raise ValidationException(f"Invalid TableArn: Invalid ResourceArn provided as input {arn}")
    return match.group(1), match.group(3)


def _denied(db: Database, arn: str, action: str) -> AccessDeniedException:
    return AccessDeniedException(
        f"User: arn:aws:iam::{db.account_id}:root is not authorized to perform: "
        f"dynamodb:{action} on resource: {arn}"
    )


def _resolve(db: Database, txn, arn: str, action: str, region: str):
    region, name = _check_arn(db, arn, action, region)
    table = db.catalog.get(txn, region, name)
    if table is None or table.record.get("status") == "DELETING":
        if action == "UntagResource":
            raise ResourceNotFoundException("Requested resource not found")
        raise ResourceNotFoundException(
            f"Requested resource not found: ResourcArn: {arn} not found"
        )
    return table


@operation("TagResource")
def tag_resource(db: Database, params: dict, region: str) -> dict:
    constraints.check("TagResource", params)
    arn, tags = params["ResourceArn"], params["Tags"]
    _check_arn(db, arn, "TagResource", region)
    if not tags:
        raise ValidationException("Atleast one Tag needs to be provided as Input.")
    new_tags = check_tags(tags)

    def run(txn):
        table = _resolve(db, txn, arn, "TagResource", region)
        record = dict(table.record)
        merged = dict(record.get("tags") or {})
        merged.update(new_tags)
        if len(merged) > MAX_TAGS:
            raise ValidationException(
                "One or more parameter values were invalid: The number of tags exceeds the "
                f"limit of {MAX_TAGS}"
            )
        record["tags"] = merged
        db.catalog.save(txn, record)

    db.storage.write(run)
    return {}


@operation("UntagResource")
def untag_resource(db: Database, params: dict, region: str) -> dict:
    constraints.check("UntagResource", params)
    arn, keys = params["ResourceArn"], params["TagKeys"]
    _check_arn(db, arn, "UntagResource", region)
    if not keys:
        raise ValidationException("Atleast one Tag Key needs to be provided as Input.")

    def run(txn):
        table = _resolve(db, txn, arn, "UntagResource", region)
        record = dict(table.record)
        remaining = dict(record.get("tags") or {})
        for key in keys:
            remaining.pop(key, None)
        record["tags"] = remaining
        db.catalog.save(txn, record)

    db.storage.write(run)
    return {}


@operation("ListTagsOfResource", reads=True)
def list_tags_of_resource(db: Database, params: dict, region: str) -> dict:
    constraints.check("ListTagsOfResource", params)
    arn = params["ResourceArn"]
    table = db.storage.read(lambda txn: _resolve(db, txn, arn, "ListTagsOfResource", region))
    tags = table.record.get("tags") or {}
    return {"Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}
