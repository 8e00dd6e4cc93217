"""The mock's fast path: botocore's parsed response, built without the wire.

botocore emits `before-call` after it validated and serialized a request and
before it signs, sends, retries and parses. A handler that returns
`(http_response, parsed)` there ends the call: botocore emits `after-call` and
returns `parsed` (or raises the ClientError subclass its Error.Code names).
ddblite.mock answers there with the dict botocore's JSON parser would have
produced from ddblite's wire answer:

- structures keep only the members the output shape models, in the model's
  order, and drop null members (as botocore's parser does);
- AttributeValues pass through as the engine made them (bytes already bytes);
- timestamps become what botocore's timestamp parser makes of the epoch
  seconds the wire would carry (datetimes in the local zone, tzlocal());
- ResponseMetadata carries RequestId, HTTPStatusCode, the lower-cased
  HTTPHeaders (x-amzn-requestid, x-amz-crc32, ...) and RetryAttempts 0;
- errors: Error.Code/Message as botocore's JSON error parser reads them, plus
  the members the error's modeled shape holds (CancellationReasons, Item...).

The response is still encoded once (orjson, a few microseconds): Content-Length
and x-amz-crc32 are the length and CRC of the exact bytes the wire would carry.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable
from datetime import datetime
from typing import Any

# botocore retries these answers (standard and legacy modes): the wire path must
# see them so that boto3's retries, backoff and retry quota run as they would.
RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504})
RETRIED_CODES = frozenset(
    {
        "RequestTimeout",
        "RequestTimeoutException",
        "PriorRequestNotComplete",
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "TransactionInProgressException",
        "RequestLimitExceeded",
        "BandwidthLimitExceeded",
        "LimitExceededException",
        "RequestThrottled",
        "SlowDown",
        "EC2ThrottledException",
    }
)

# Events the short-circuit skips. A handler on one of them that is not
# botocore's, boto3's or ddblite's own means the user relies on the wire path;
# so does a user's before-call handler that botocore would call after ours.
SKIPPED_EVENTS = (
    "request-created",
    "before-sign",
    "before-send",
    "after-send",
    "response-received",
    "before-parse",
    "needs-retry",
)
_OWN_MODULES = ("botocore.", "boto3.", "ddblite.")


class Unsupported(Exception):
    """An output shape the fast path does not shape (the wire path answers)."""


# ------------------------------------------------------------------ shaping

Convert = Callable[[Any], Any]


# (parser, epoch seconds) -> botocore's datetime. Parsing into the local zone
# costs ~25 us (dateutil), and a table's description repeats the same few
# instants (created, billing mode set) on every call; datetimes are immutable.
_PARSED_TIMES: dict[tuple, datetime] = {}


def _timestamp(value: Any) -> Any:
    from botocore import parsers

    # The wire carries epoch seconds (protocol._encode_extra); botocore parses them.
    if isinstance(value, datetime):
        value = value.timestamp()
    parser = parsers.DEFAULT_TIMESTAMP_PARSER
    key = (parser, value)
    parsed = _PARSED_TIMES.get(key)
    if parsed is None:
        if len(_PARSED_TIMES) >= 256:
            _PARSED_TIMES.clear()
        parsed = _PARSED_TIMES[key] = parser(value)
    return parsed


def _blob(value: Any) -> bytes:
    return bytes(value)


def _compile(shape: Any, memo: dict[str, list]) -> Convert | None:
    """A converter for values of `shape`; None where the value is kept as it is."""
    kind = shape.type_name
    if kind == "structure":
        if shape.name == "AttributeValue":
            # The engine's AttributeValues are already what the parser yields.
            return None
        if shape.is_document_type or shape.is_tagged_union:
            raise Unsupported(shape.name)
        if shape.serialization.get("eventstream"):
            raise Unsupported(shape.name)
        cell = memo.get(shape.name)
        if cell is not None:  # a recursive shape: call through the cell
            return lambda value: cell[0](value)
        cell = memo[shape.name] = [None]
        members = tuple(
            (name, member.serialization.get("name", name), _compile(member, memo))
            for name, member in shape.members.items()
        )
        cell[0] = _structure(members)
        return cell[0]
    if kind == "list":
        return _list(_compile(shape.member, memo))
    if kind == "map":
        return _map(_compile(shape.value, memo))
    if kind == "timestamp":
        return _timestamp
    if kind == "blob":
        return _blob
    return None  # strings, numbers, booleans: JSON gives them back unchanged


def _structure(members: tuple) -> Convert:
    def convert(value: Any) -> dict:
        shaped = {}
        for name, key, member in members:
            raw = value.get(key)
            if raw is not None:
                shaped[name] = raw if member is None else member(raw)
        return shaped

    return convert


def _list(member: Convert | None) -> Convert:
    if member is None:
        return list  # a copy: the caller may keep and change it
    return lambda value: [None if item is None else member(item) for item in value]


def _map(member: Convert | None) -> Convert:
    if member is None:
        return dict
    return lambda value: {key: member(item) for key, item in value.items()}


def _structure_or_empty(shape: Any) -> Convert:
    try:
        convert = _compile(shape, {})
    except Unsupported as exc:
        return functools.partial(_unsupported, exc)  # kept, so it is not compiled again
    return convert if convert is not None else dict


def _unsupported(exc: Unsupported, value: Any) -> Any:
    raise exc


_OUTPUTS: dict[tuple[str, str], Convert] = {}
_ERRORS: dict[tuple[str, str], Convert | None] = {}


def output_converter(model: Any) -> Convert:
    """Converter of an operation's output (cached per service and operation)."""
    key = (model.service_model.service_name, model.name)
    made = _OUTPUTS.get(key)
    if made is None:
        shape = model.output_shape
        made = _OUTPUTS[key] = (lambda value: {}) if shape is None else _structure_or_empty(shape)
    return made


def error_converter(model: Any, code: str) -> Convert | None:
    """Converter of the modeled error shape for `code`, None if unmodeled."""
    service = model.service_model
    key = (service.service_name, code)
    if key not in _ERRORS:
        shape = service.shape_for_error_code(code)
        _ERRORS[key] = None if shape is None else _structure_or_empty(shape)
    return _ERRORS[key]


def parsed_success(model: Any, result: dict, metadata: dict) -> dict:
    parsed = output_converter(model)(result)
    parsed["ResponseMetadata"] = metadata
    return parsed


def parsed_error(model: Any, document: dict, metadata: dict) -> dict:
    """What botocore's JSON error parser and modeled-error pass make of `document`."""
    code = document.get("__type", str(metadata["HTTPStatusCode"]))
    if ":" in code:
        code = code.split(":", 1)[0]
    if "#" in code:
        code = code.rsplit("#", 1)[1]
    message = document.get("message", document.get("Message", ""))
    parsed = {"Error": {"Message": message, "Code": code}, "ResponseMetadata": metadata}
    modeled = error_converter(model, code)
    if modeled is not None:
        parsed.update(modeled(document))
    return parsed


def metadata(request_id: str, status: int, headers: dict, context: dict) -> dict:
    shaped = {
        "RequestId": request_id,
        "HTTPStatusCode": status,
        "HTTPHeaders": {key.lower(): value for key, value in headers.items()},
    }
    if _single_attempt(context.get("client_config")):
        # botocore's standard retry handler notes this on every answer
        # when the first attempt is also the last.
        shaped["MaxAttemptsReached"] = True
    shaped["RetryAttempts"] = 0
    return shaped


def _single_attempt(config: Any) -> bool:
    retries = getattr(config, "retries", None) or {}
    if retries.get("mode", "standard") not in ("standard", "adaptive"):
        return False  # legacy mode notes it only on answers it would retry
    return retries.get("total_max_attempts", 3) <= 1


# -------------------------------------------------------- the HTTP response


class Answered:
    """The http_response `after-call` handlers see: an AWSResponse made lazily."""

    __slots__ = ("url", "status_code", "_headers", "_content", "_full")

    def __init__(self, url: str, status: int, headers: dict, content: bytes) -> None:
        self.url = url
        self.status_code = status
        self._headers = headers
        self._content = content
        self._full = None

    @property
    def content(self) -> bytes:
        return self._content

    @property
    def text(self) -> str:
        return self._content.decode("utf-8")

    def __getattr__(self, name: str) -> Any:
        # headers, raw and the rest: a real AWSResponse, made on first use.
        if self._full is None:
            from botocore.awsrequest import AWSResponse

            self._full = AWSResponse(self.url, self.status_code, self._headers, None)
            self._full._content = self._content
        return getattr(self._full, name)


# ----------------------------------------------------- when the wire must run


_DECISIONS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _is_own(handler: Any) -> bool:
    target = getattr(handler, "func", handler)  # functools.partial
    module = getattr(target, "__module__", None) or type(target).__module__
    return (module or "").startswith(_OWN_MODULES)


def _is_live(handler: Any) -> bool:
    # moto puts its before-send handler into every client once it is imported;
    # it answers only while a moto mock is in force.
    if type(handler).__name__ == "BotocoreStubber" and type(handler).__module__.startswith("moto."):
        return bool(getattr(handler, "enabled", True))
    return True


def needs_wire(request_signer: Any, service_id: str, operation: str) -> bool:
    """True if the client has handlers of its own on the events the fast path skips.

    The foreign handlers are looked up once per client emitter and operation,
    and again whenever a handler is registered or removed (botocore then
    replaces its lookup cache).
    """
    try:
        emitter = request_signer._event_emitter._emitter
        lookup = emitter._lookup_cache
        handlers = emitter._handlers
    except (AttributeError, ReferenceError):
        return True  # not botocore's emitter: take the path it surely handles
    entry = _DECISIONS.get(emitter)
    if entry is None or entry[0] is not lookup:
        entry = _DECISIONS[emitter] = (lookup, {})
    foreign = entry[1].get(operation)
    if foreign is None:
        suffix = f"{service_id}.{operation}"
        # before-call handlers after ours (less specific ones) would never run.
        before_call = list(handlers.prefix_search(f"before-call.{suffix}"))
        ours = [index for index, handler in enumerate(before_call) if _is_ours(handler)]
        later = before_call[ours[0] + 1 :] if ours else []
        foreign = entry[1][operation] = tuple(
            handler
            for event in SKIPPED_EVENTS
            for handler in handlers.prefix_search(f"{event}.{suffix}")
            if not _is_own(handler)
        ) + tuple(handler for handler in later if not _is_own(handler))
    return any(_is_live(handler) for handler in foreign) if foreign else False


def _is_ours(handler: Any) -> bool:
    return getattr(handler, "__name__", "") == "_fast_answer" and _is_own(handler)


# ---------------------------------------------------------------- verifying


def differences(fast: Any, wire: Any, path: str = "") -> list[str]:
    """Where two parsed responses differ: types, key order, values, time zones."""
    if type(fast) is not type(wire):
        return [f"{path or '.'}: {type(fast).__name__} {fast!r} != {type(wire).__name__} {wire!r}"]
    if isinstance(fast, dict):
        if list(fast) != list(wire):
            return [f"{path or '.'}: keys {list(fast)} != {list(wire)}"]
        found: list[str] = []
        for key in fast:
            found += differences(fast[key], wire[key], f"{path}.{key}")
        return found
    if isinstance(fast, list):
        if len(fast) != len(wire):
            return [f"{path}: {len(fast)} items != {len(wire)}"]
        found = []
        for index, (left, right) in enumerate(zip(fast, wire)):
            found += differences(left, right, f"{path}[{index}]")
        return found
    if isinstance(fast, datetime):
        if fast != wire or fast.tzinfo != wire.tzinfo or fast.utcoffset() != wire.utcoffset():
            return [f"{path}: {fast!r} != {wire!r}"]
        return []
    if fast != wire:
        return [f"{path}: {fast!r} != {wire!r}"]
    return []
