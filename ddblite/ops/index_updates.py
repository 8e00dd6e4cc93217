"""UpdateTable's GlobalSecondaryIndexUpdates: checks, record changes, build and response."""

from __future__ import annotations

from ddblite.engine import indexes
from ddblite.engine.catalog import TableInfo
from ddblite.errors import (
    LimitExceededException,
    ResourceNotFoundException,
    ValidationException,
)
from ddblite.ops.table_describe import describe_gsi
from ddblite.ops.table_schema import (
    check_gsis,
    check_projected_total,
    check_throughput_bounds,
    invalid,
    stored_index,
)

# ddblite builds a new GSI inside the UpdateTable write transaction: every existing
# item is indexed before the call returns, so the index is exact and queryable at
# once. The UpdateTable response shows what DynamoDB shows at that moment (table
# UPDATING, the index CREATING with Backfilling false); DescribeTable afterwards
# shows the index ACTIVE (and, as on AWS once done, no Backfilling member). A
# deleted index is gone from DescribeTable right away (DELETING in the response).

MAX_INDEX_NUMBER = 255  # one byte of every index entry key
ONLINE_INDEX_LIMIT = (
    "Subscriber limit exceeded: Only 1 online index can be created or deleted "
    "simultaneously per table"
)
INDEX_EXISTS = "Attempting to create an index which already exists"
MAX_GSIS = 20


class _IndexChanges:
    """What one UpdateTable did to the table's GSIs, for the build and the response."""

    def __init__(self) -> None:
        self.created: str | None = None
        self.deleted: dict | None = None
        self.updated: list[str] = []


def apply_index_updates(txn, table: TableInfo, record: dict, updates: list[dict],
                        definitions: list[dict], now: float) -> _IndexChanges:
    """Validate the updates against the table, then change the record (and drop a deleted
    index's entries). A new index is built by build_created once the record is saved."""
    online = sum(1 for u in updates if u.get("Create") is not None or u.get("Delete") is not None)
    if online > 1:
        raise LimitExceededException(ONLINE_INDEX_LIMIT)
    gsis = [dict(index) for index in record.get("gsi") or []]
    names = {index["IndexName"] for index in gsis} | {
        index["IndexName"] for index in record.get("lsi") or []
    }
    changes = _IndexChanges()
    for update in updates:
        create, change, delete = update.get("Create"), update.get("Update"), update.get("Delete")
        if create is not None:
            if create["IndexName"] in names:
                raise ValidationException(INDEX_EXISTS)
            _check_new_gsi(create, definitions, record)
        for action in (change, delete):
            if action is not None and action["IndexName"] not in {i["IndexName"] for i in gsis}:
                raise ResourceNotFoundException(
                    f"Requested resource not found: Index: {action['IndexName']} not found"
                )
    for update in updates:
        create, change, delete = update.get("Create"), update.get("Update"), update.get("Delete")
        if create is not None:
            spec = stored_index(create, record["billing_mode"] == "PROVISIONED")
            number = record.get("next_index_number", len(gsis) + len(record.get("lsi") or []))
            if number > MAX_INDEX_NUMBER:
                raise LimitExceededException(
                    "Subscriber limit exceeded: too many indexes created on this table"
                )  # INFERRED: ddblite's own limit (index numbers are one byte)
            spec["_number"] = number
            record["next_index_number"] = number + 1
            gsis.append(spec)
            _add_definitions(record, create, definitions)
            changes.created = spec["IndexName"]
        if change is not None:
            spec = next(i for i in gsis if i["IndexName"] == change["IndexName"])
            _update_index_throughput(record, spec, change["ProvisionedThroughput"], now)
            changes.updated.append(spec["IndexName"])
        if delete is not None:
            spec = next(i for i in gsis if i["IndexName"] == delete["IndexName"])
            index = table.index(spec["IndexName"])
            if index is not None:
                indexes.drop(txn, index)
            gsis.remove(spec)
            changes.deleted = spec
    record["gsi"] = gsis
    _drop_unused_definitions(record)
    return changes


def _check_new_gsi(create: dict, definitions: list[dict], record: dict) -> None:
    defined = [d.get("AttributeName") for d in definitions]
    keys = [e.get("AttributeName") for e in create["KeySchema"]]
    missing = [name for name in keys if name not in defined]
    if missing:
        raise invalid(
            "Some index key attributes are not defined in AttributeDefinitions. "
            f"Keys: [{', '.join(missing)}], AttributeDefinitions: [{', '.join(defined)}]"
        )
    if len(record.get("gsi") or []) >= MAX_GSIS:
        raise invalid(f"GlobalSecondaryIndex count exceeds the per-table limit of {MAX_GSIS}")
    check_gsis([create], defined, record["billing_mode"], set())
    check_projected_total([*(record.get("lsi") or []), *(record.get("gsi") or []), create])
    if create.get("ProvisionedThroughput") is not None:
        check_throughput_bounds(create["ProvisionedThroughput"])
    known = {d["AttributeName"]: d["AttributeType"] for d in record["attribute_definitions"]}
    for definition in definitions:
        name, kind = definition["AttributeName"], definition["AttributeType"]
        if name in keys and known.get(name, kind) != kind:
            # INFERRED wording: a key attribute keeps one type across the table's keys.
            raise invalid(
                f"Cannot change the type of attribute {name} from {known[name]} to {kind}"
            )


def _add_definitions(record: dict, create: dict, definitions: list[dict]) -> None:
    known = {d["AttributeName"] for d in record["attribute_definitions"]}
    keys = {e["AttributeName"] for e in create["KeySchema"]}
    record["attribute_definitions"] = list(record["attribute_definitions"]) + [
        {"AttributeName": d["AttributeName"], "AttributeType": d["AttributeType"]}
        for d in definitions if d["AttributeName"] in keys and d["AttributeName"] not in known
    ]


def _drop_unused_definitions(record: dict) -> None:
    used = {e["AttributeName"] for e in record["key_schema"]}
    for index in (record.get("lsi") or []) + (record.get("gsi") or []):
        used.update(e["AttributeName"] for e in index["KeySchema"])
    record["attribute_definitions"] = [
        d for d in record["attribute_definitions"] if d["AttributeName"] in used
    ]


def _update_index_throughput(record: dict, spec: dict, throughput: dict, now: float) -> None:
    if record["billing_mode"] == "PAY_PER_REQUEST":
        raise invalid(
            f"ProvisionedThroughput should not be specified for index: {spec['IndexName']} "
            "when BillingMode is PAY_PER_REQUEST"
        )
    check_throughput_bounds(throughput)
    current = dict(spec.get("ProvisionedThroughput") or {})
    read, write = throughput["ReadCapacityUnits"], throughput["WriteCapacityUnits"]
    old_read = current.get("ReadCapacityUnits", 0)
    old_write = current.get("WriteCapacityUnits", 0)
    if read > old_read or write > old_write:
        current["_last_increase"] = now
    if read < old_read or write < old_write:
        current["_last_decrease"] = now
        current["_decreases"] = current.get("_decreases", 0) + 1
    current["ReadCapacityUnits"], current["WriteCapacityUnits"] = read, write
    spec["ProvisionedThroughput"] = current


def build_created(txn, table: TableInfo, changes: _IndexChanges) -> None:
    if changes.created is None:
        return
    index = table.index(changes.created)
    assert index is not None
    indexes.backfill(txn, index, table.prefix, None, None)


def show_index_changes(description: dict, changes: _IndexChanges) -> None:
    shown = description.setdefault("GlobalSecondaryIndexes", [])
    for index in shown:
        if index["IndexName"] == changes.created:
            index["IndexStatus"] = "CREATING"
            index["Backfilling"] = False
            index["IndexSizeBytes"] = 0
            index["ItemCount"] = 0
        elif index["IndexName"] in changes.updated:
            index["IndexStatus"] = "UPDATING"
    if changes.deleted is not None:
        gone = describe_gsi(changes.deleted, description["TableArn"], {})
        gone["IndexStatus"] = "DELETING"
        shown.append(gone)
    if not shown:
        del description["GlobalSecondaryIndexes"]
