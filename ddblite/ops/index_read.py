"""Query and Scan on a secondary index (IndexName): what differs from a table read.

The Query/Scan request path (ddblite.ops.query) validates the request and parses the
expressions as for a table, then hands index reads to `query_index` / `scan_index`.
Each is built from small steps usable on their own:

  find_index            the index, or "The table does not have the specified index"
  check_consistent      ConsistentRead is refused on a GSI
  check_key_condition   conditions against the index key schema, multi-attribute rules
                        included: equality on every partition attribute, sort attributes
                        conditioned left to right, a range only on the last one used
  index_bounds          the [lo, hi) range of entry keys the key condition reads
  index_start_key       ExclusiveStartKey (index key + table key) -> entry key
  needs_table_fetch     Select / projection rules per index projection
  fetch_from_table      an LSI read of non-projected attributes reads each item from
                        the table, at one more read of that item's size

Entries are laid out by engine.indexes; every index key part is terminated, so a
value's entries are exactly the keys starting with its encoding.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ddblite.engine.capacity import index_read_consumed, read_units
from ddblite.engine.indexes import IndexInfo
from ddblite.engine.items import get as get_item
from ddblite.engine.keys import SCHEMA_MISMATCH, check_key
from ddblite.engine.reader import Page, read_range
from ddblite.errors import ValidationException
from ddblite.expressions.keycondition import (
    NOT_SUPPORTED,
    TOO_MANY_CONDITIONS,
    check_operand,
    multi_attribute_keys,
    sort_condition_holds,
)
from ddblite.native import encode_key_part, segment_bounds
from ddblite.ops.common import find_table, page_response
from ddblite.storage.interface import prefix_end

if TYPE_CHECKING:
    from ddblite.database import Database
    from ddblite.engine.catalog import TableInfo
    from ddblite.storage import ReadTxn

__all__ = [
    "check_consistent",
    "check_key_condition",
    "fetch_from_table",
    "find_index",
    "index_bounds",
    "index_start_key",
    "multi_attribute_keys",
    "needs_table_fetch",
    "query_index",
    "scan_bounds",
    "scan_index",
]

GSI_CONSISTENT_READ = "Consistent reads are not supported on global secondary indexes"
START_KEY_INVALID = "The provided starting key is invalid"
OUTSIDE_QUERY = "The provided starting key is outside query boundaries based on provided conditions"
OUTSIDE_RANGE_PREDICATE = "The provided starting key does not match the range key predicate"

Conditions = dict[str, tuple[str, list[dict]]]


# ------------------------------------------------------------------ the index


def find_index(table: TableInfo, name: str) -> IndexInfo:
    index = table.index(name)
    if index is None:
        raise ValidationException(f"The table does not have the specified index: {name}")
    return index


def check_consistent(index: IndexInfo, consistent: bool) -> None:
    if consistent and index.is_global:
        raise ValidationException(GSI_CONSISTENT_READ)


def _all_attributes_unsupported(index: IndexInfo) -> ValidationException:
    return ValidationException(
        "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not "
        f"supported for global secondary index {index.name} because its projection type is "
        "not ALL"
    )


def needs_table_fetch(index: IndexInfo, select: str | None,
                      attribute_heads: set[str] | frozenset[str]) -> bool:
    """Whether results need attributes the index does not hold.

    attribute_heads: top-level names the projection (and filter) read. Only an LSI
    fetches them from the table; a GSI refuses Select=ALL_ATTRIBUTES unless it
    projects ALL, and otherwise simply returns what it holds.
    """
    projected = index.projected_names
    if projected is None or select == "COUNT":
        return False
    if select == "ALL_ATTRIBUTES":
        if index.is_global:
            raise _all_attributes_unsupported(index)
        return True
    if index.is_global:
        return False
    return any(name not in projected for name in attribute_heads)


def fetch_from_table(txn: ReadTxn, table: TableInfo, entries: list[dict],
                     consistent: bool) -> tuple[list[dict], float]:
    """The table items behind LSI entries, and the extra read units (one read of each
    item's own size, rounded up per item, as DynamoDB charges an LSI fetch)."""
    items = []
    units = 0.0
    for entry in entries:
        item, size = get_item(txn, table.item_key(entry))
        units += read_units(size, consistent)
        items.append(item if item is not None else entry)
    return items, units


# ------------------------------------------------------------------ key condition


def check_key_condition(index: IndexInfo, conditions: Conditions) -> None:
    """The key condition against the index key schema, in DynamoDB's order: each key
    attribute in schema order (present, indexable operator, type, equality on partition
    attributes), then the multi-attribute sort rules."""
    hash_attrs, range_attrs = index.hash_attrs, index.range_attrs
    multi = len(hash_attrs) > 1 or len(range_attrs) > 1
    if not multi and len(conditions) > 2:
        raise ValidationException(TOO_MANY_CONDITIONS)
    if not range_attrs and len(conditions) > len(hash_attrs) and not multi:
        raise ValidationException(NOT_SUPPORTED)
    for name, kind in hash_attrs:
        condition = conditions.get(name)
        if condition is None:
            raise ValidationException(f"Query condition missed key schema element: {name}")
        check_operand(condition, kind)
        if condition[0] != "EQ":
            raise ValidationException(NOT_SUPPORTED)
    missing = None
    conditioned = 0
    for position, (name, kind) in enumerate(range_attrs):
        condition = conditions.get(name)
        if condition is None:
            missing = missing or name
            continue
        if missing is not None:
            # A sort attribute conditioned after one that was skipped.
            raise ValidationException(f"Query condition missed key schema element: {missing}")
        check_operand(condition, kind)
        conditioned = position + 1
    used = len(hash_attrs) + conditioned
    if len(conditions) > used:
        # A condition on an attribute that is not (or not next in) the index key.
        if missing is not None:
            raise ValidationException(f"Query condition missed key schema element: {missing}")
        raise ValidationException(NOT_SUPPORTED)
    for name, _ in range_attrs[: max(conditioned - 1, 0)]:
        if conditions[name][0] != "EQ":
            # INFERRED wording: only the last sort attribute used may take a range.
            raise ValidationException(NOT_SUPPORTED)


def _partition(index: IndexInfo, conditions: Conditions) -> bytes:
    return index.partition_bytes(
        [conditions[name][1][0][kind] for name, kind in index.hash_attrs]
    )


def index_bounds(index: IndexInfo, conditions: Conditions) -> tuple[bytes, bytes | None]:
    """The entry-key range [lo, hi) a checked key condition reads.

    Sort parts are terminated, so for a value v of the last conditioned sort attribute
    (after the equal ones, `head`) the entries equal to v are exactly the keys that
    start with head + enc(v): [at(v), prefix_end(at(v))).
    """
    head = _partition(index, conditions)
    last = None
    for name, kind in index.range_attrs:
        condition = conditions.get(name)
        if condition is None:
            break
        if last is not None:
            _, (value,) = last[1]
            head += encode_key_part(last[0], value[last[0]], True)
        last = (kind, condition)
    end = prefix_end(head)
    if last is None:
        return head, end
    kind, (op, operands) = last

    def at(value: dict) -> bytes:
        return head + encode_key_part(kind, value[kind], True)

    if op == "EQ":
        return at(operands[0]), prefix_end(at(operands[0]))
    if op == "LT":
        return head, at(operands[0])
    if op == "LE":
        return head, prefix_end(at(operands[0]))
    if op == "GT":
        return prefix_end(at(operands[0])) or end, end  # type: ignore[return-value]
    if op == "GE":
        return at(operands[0]), end
    if op == "BETWEEN":
        return at(operands[0]), prefix_end(at(operands[1]))
    # BEGINS_WITH: the escaped prefix without a terminator starts every longer value.
    (prefix_value,) = operands
    start = head + encode_key_part(kind, prefix_value[kind], True)[:-2]
    return start, (prefix_end(start) if start != head else end)


def _check_start_types(index: IndexInfo, table: TableInfo, start: dict) -> None:
    if len(start) != len(index.key_names) or any(n not in start for n in index.key_names):
        raise ValidationException(START_KEY_INVALID)
    for name, kind in index.hash_attrs + index.range_attrs:
        if kind not in start[name]:
            raise ValidationException(SCHEMA_MISMATCH)
    check_key(table, {name: start[name] for name in table.key_names})


def index_start_key(index: IndexInfo, table: TableInfo, start: dict,
                    conditions: Conditions | None = None) -> bytes:
    """The entry key of an ExclusiveStartKey; with a Query's conditions, it must lie in
    the partition and sort range the query reads."""
    _check_start_types(index, table, start)
    if conditions is not None:
        for name, _ in index.range_attrs:
            condition = conditions.get(name)
            if condition is not None and not sort_condition_holds(condition[0], condition[1],
                                                           start[name]):
                raise ValidationException(OUTSIDE_RANGE_PREDICATE)
        for name, _ in index.hash_attrs:
            if start[name] != conditions[name][1][0]:
                raise ValidationException(OUTSIDE_QUERY)
    key = index.entry_key(start, table.item_key(start))
    assert key is not None  # every index key attribute was checked present and typed
    return key


def scan_bounds(index: IndexInfo, segment: int | None,
                total: int | None) -> tuple[bytes, bytes | None]:
    lo, hi = index.prefix, prefix_end(index.prefix)
    if total is not None:
        seg_lo, seg_hi = segment_bounds(segment, total)  # type: ignore[arg-type]
        lo = index.prefix + seg_lo
        hi = index.prefix + seg_hi if seg_hi is not None else hi
    return lo, hi


# ------------------------------------------------------------------ whole reads


def _attribute_heads(exprs: Any) -> set[str]:
    heads = {elements[0] for elements in exprs.projection_paths}
    heads.update(elements[0] for elements in exprs.filter_paths)
    return heads


def _check_filter_keys(index: IndexInfo, exprs: Any) -> None:
    """A Query's filter may not name the index key attributes."""
    if exprs.filter is None:
        return
    heads = {elements[0] for elements in exprs.filter_paths}
    for name in index.index_key_names:
        if name in heads:
            raise ValidationException(
                f"{exprs.filter_label} can only contain non-primary key attributes: "
                f"Primary key attribute: {name}"
            )


def _read(txn: ReadTxn, table: TableInfo, index: IndexInfo, lo: bytes, hi: bytes | None,
          request: Any, exprs: Any, *, reverse: bool = False, after: bytes | None = None
          ) -> tuple[Page, float]:
    """Read entries; an LSI read that needs more attributes fetches items and filters
    them whole. Returns the page and the table units of the fetches."""
    fetch = needs_table_fetch(index, request.select, _attribute_heads(exprs))
    page = read_range(txn, lo, hi, reverse=reverse, after=after, limit=request.limit,
                      keep=None if fetch else exprs.filter, space="index")
    if not fetch:
        return page, 0.0
    items, units = fetch_from_table(txn, table, page.items, request.consistent)
    if exprs.filter is not None:
        items = [item for item in items if exprs.filter(item)]
    page.items = items
    return page, units


def _response(db: Database, index: IndexInfo, table: TableInfo, page: Page,
              table_units: float, request: Any, project: Any,
              partition: bytes | None = None) -> dict[str, Any]:
    """`partition`: the index partition a Query read (None for a Scan)."""
    index_units = read_units(page.read_bytes, request.consistent)
    if db.throttle is not None:
        # A GSI pays from its own buckets; an LSI read is the table's (its partition
        # key is the table's).
        db.throttle.read(table, index_units + table_units, partition,
                         index if index.is_global else None)
    db.usage_counters.charge(table.name, False, table_units, {index.name: index_units})
    capacity = None
    if request.rcc is not None:
        capacity = index_read_consumed(
            request.rcc, table.name, index.name, index.is_global, index_units, table_units,
        )
    return page_response(page, request.select, project, index.key_names, capacity)


def _throttled_partition(index: IndexInfo, conditions: Conditions) -> Any:
    """What picks a Query's partition bucket: a GSI's encoded partition key, or for an
    LSI the table's partition key value (as GetItem and a table Query name it)."""
    if index.is_global:
        return _partition(index, conditions)
    for value in conditions[index.hash_attrs[0][0]][1][0].values():
        return value
    return None


def query_index(db: Database, region: str, request: Any, conditions: Conditions,
                start: dict | None, exprs: Any, forward: bool | None) -> dict[str, Any]:
    """A validated Query with IndexName (request: query.py's parsed request)."""

    def run(txn):
        table = find_table(db, txn, region, request.name)
        index = find_index(table, request.index)
        check_consistent(index, request.consistent)
        check_key_condition(index, conditions)
        after = index_start_key(index, table, start, conditions) if start is not None else None
        _check_filter_keys(index, exprs)
        lo, hi = index_bounds(index, conditions)
        page, units = _read(txn, table, index, lo, hi, request, exprs,
                            reverse=forward is False, after=after)
        return index, table, page, units

    index, table, page, units = db.storage.read(run)
    return _response(db, index, table, page, units, request, exprs.project,
                     _throttled_partition(index, conditions))


def scan_index(db: Database, region: str, request: Any, start: dict | None, exprs: Any,
               segment: int | None, total: int | None) -> dict[str, Any]:
    """A validated Scan with IndexName (parallel segments included)."""

    def run(txn):
        table = find_table(db, txn, region, request.name)
        index = find_index(table, request.index)
        check_consistent(index, request.consistent)
        lo, hi = scan_bounds(index, segment, total)
        after = None
        if start is not None:
            try:
                after = index_start_key(index, table, start)
            except ValidationException as exc:
                if exc.message == START_KEY_INVALID:
                    raise
                raise ValidationException(f"{START_KEY_INVALID}: {exc.message}") from None
            if after < lo or (hi is not None and after >= hi):
                raise ValidationException(
                    f"{START_KEY_INVALID}: Invalid ExclusiveStartKey. Please use "
                    f"ExclusiveStartKey with correct Segment. TotalSegments: {total} "
                    f"Segment: {segment}"
                )
        page, units = _read(txn, table, index, lo, hi, request, exprs, after=after)
        return index, table, page, units

    return _response(db, *db.storage.read(run), request, exprs.project)
