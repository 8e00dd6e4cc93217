"""Table options CreateTable and UpdateTable accept beyond the key schema: server-side
encryption (SSESpecification -> SSEDescription) and warm throughput.

Both are recorded in the table's catalog record and described back; a local engine
encrypts nothing with KMS and pre-warms no partitions, but a table says what it was
asked to be, as DynamoDB's DescribeTable does.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from ddblite.errors import ValidationException

if TYPE_CHECKING:
    from ddblite.database import Database

# What DynamoDB shows for a table that never asked for more (on-demand and new
# provisioned tables alike; the provisioned case is INFERRED).
DEFAULT_WARM = (12000, 4000)


# ------------------------------------------------------------------ encryption


def _key_arn(db: Database, region: str, key_id: str | None) -> str:
    """The KMS key ARN DynamoDB reports for a key id, alias or ARN."""
    if key_id is None:
        # The AWS managed key alias/aws/dynamodb: one key per account and region.
        key_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"kms:{db.account_id}:{region}:dynamodb"))
    if key_id.startswith("arn:"):
        return key_id
    return f"arn:aws:kms:{region}:{db.account_id}:key/{key_id}"  # INFERRED for aliases


def sse_setting(db: Database, region: str, spec: dict | None) -> dict | None:
    """The record's "sse" entry: None = the AWS owned key (DynamoDB describes nothing)."""
    if not spec or not spec.get("Enabled"):
        return None
    return {"type": "KMS", "key": _key_arn(db, region, spec.get("KMSMasterKeyId"))}


def update_sse(db: Database, record: dict, spec: dict) -> None:
    """UpdateTable's SSESpecification: switch keys, or back to the AWS owned key."""
    current = record.get("sse")
    wanted = sse_setting(db, record["region"], spec)
    if current is None and wanted is None:
        raise ValidationException("Table is already encrypted by default")  # INFERRED
    record["sse"] = wanted


def describe_sse(record: dict) -> dict | None:
    sse = record.get("sse")
    if sse is None:
        return None
    return {"Status": "ENABLED", "SSEType": sse["type"], "KMSMasterKeyArn": sse["key"]}


# ------------------------------------------------------------------ warm throughput


def warm_setting(current: dict | None, warm: dict | None) -> dict | None:
    """The record's "warm" entry after a request (a member left out keeps its value)."""
    if warm is None:
        return current
    read, write = current_warm(current)
    return {"read": warm.get("ReadUnitsPerSecond", read),
            "write": warm.get("WriteUnitsPerSecond", write)}


def current_warm(warm: dict | None) -> tuple[int, int]:
    return DEFAULT_WARM if warm is None else (warm["read"], warm["write"])


def describe_warm(record: dict) -> dict[str, Any]:
    read, write = current_warm(record.get("warm"))
    return {"ReadUnitsPerSecond": read, "WriteUnitsPerSecond": write, "Status": "ACTIVE"}
