"""DynamoDB's error hierarchy.

Every error ddblite raises for a request is a :class:`DynamoDBError` whose class
name is DynamoDB's error code. Each carries DynamoDB's message text and a
botocore-shaped ``.response`` so code written against boto3 works unchanged.
When botocore is installed the base class also derives from
``botocore.exceptions.ClientError``, so ``except ClientError`` catches it.
"""

from __future__ import annotations

from typing import Any

try:  # botocore is optional: only used so `except ClientError` works.
    from botocore.exceptions import ClientError as _ClientErrorBase
except ImportError:  # pragma: no cover - exercised only without botocore
    _ClientErrorBase = Exception  # type: ignore[assignment,misc]


class DynamoDBError(_ClientErrorBase):  # type: ignore[misc,valid-type]
    """Base of every error a DynamoDB operation can return."""

    code = "InternalServerError"
    http_status = 400
    # Prefix of the wire `__type` field.
    type_prefix = "com.amazonaws.dynamodb.v20120810#"

    def __init__(self, message: str = "", operation_name: str = "", **extra: Any) -> None:
        self.message = message
        # Extra top-level response members (Item, CancellationReasons, ...).
        self.extra = extra
        response = self._build_response()
        if _ClientErrorBase is not Exception:
            super().__init__(response, operation_name or "DynamoDB")
        else:  # pragma: no cover
            Exception.__init__(self, message)
            self.response = response
            self.operation_name = operation_name

    def _build_response(self) -> dict[str, Any]:
        error: dict[str, Any] = {"Code": self.code, "Message": self.message}
        response: dict[str, Any] = {
            "Error": error,
            "ResponseMetadata": {"HTTPStatusCode": self.http_status},
            "message": self.message,
        }
        response.update(self.extra)
        return response

    def wire_body(self) -> dict[str, Any]:
        """The JSON body DynamoDB sends for this error."""
        body: dict[str, Any] = {"__type": self.type_prefix + self.code, "message": self.message}
        body.update(self.extra)
        return body

    def __str__(self) -> str:
        return f"An error occurred ({self.code}): {self.message}"

    def __reduce__(self):  # keep errors picklable across processes
        return (_rebuild, (self.code, self.message, self.extra))


def _rebuild(code: str, message: str, extra: dict[str, Any]) -> DynamoDBError:
    return ERRORS_BY_CODE.get(code, DynamoDBError)(message, **extra)


def _error(code: str, http_status: int = 400, prefix: str | None = None) -> type[DynamoDBError]:
    attrs: dict[str, Any] = {"code": code, "http_status": http_status}
    if prefix is not None:
        attrs["type_prefix"] = prefix
    return type(code, (DynamoDBError,), attrs)


_COERCION = "com.amazon.coral.validate#"
_CORAL = "com.amazon.coral.service#"

ValidationException = _error("ValidationException", prefix=_COERCION)
SerializationException = _error("SerializationException", prefix="com.amazon.coral.service#")
UnknownOperationException = _error("UnknownOperationException", prefix=_CORAL)
MissingAuthenticationTokenException = _error("MissingAuthenticationTokenException", prefix=_CORAL)
UnrecognizedClientException = _error("UnrecognizedClientException", prefix=_CORAL)
InvalidSignatureException = _error("InvalidSignatureException", prefix=_CORAL)
IncompleteSignatureException = _error("IncompleteSignatureException", prefix=_CORAL)
AccessDeniedException = _error("AccessDeniedException", prefix=_CORAL)
ResourceNotFoundException = _error("ResourceNotFoundException")
ResourceInUseException = _error("ResourceInUseException")
ConditionalCheckFailedException = _error("ConditionalCheckFailedException")
ProvisionedThroughputExceededException = _error("ProvisionedThroughputExceededException")
ThrottlingException = _error("ThrottlingException")
RequestLimitExceeded = _error("RequestLimitExceeded")
LimitExceededException = _error("LimitExceededException")
ItemCollectionSizeLimitExceededException = _error("ItemCollectionSizeLimitExceededException")
TransactionCanceledException = _error("TransactionCanceledException")
TransactionConflictException = _error("TransactionConflictException")
TransactionInProgressException = _error("TransactionInProgressException")
IdempotentParameterMismatchException = _error("IdempotentParameterMismatchException")
DuplicateItemException = _error("DuplicateItemException")
TableNotFoundException = _error("TableNotFoundException")
TableAlreadyExistsException = _error("TableAlreadyExistsException")
TableInUseException = _error("TableInUseException")
BackupNotFoundException = _error("BackupNotFoundException")
BackupInUseException = _error("BackupInUseException")
ContinuousBackupsUnavailableException = _error("ContinuousBackupsUnavailableException")
PointInTimeRecoveryUnavailableException = _error("PointInTimeRecoveryUnavailableException")
ExpiredIteratorException = _error("ExpiredIteratorException")
PolicyNotFoundException = _error("PolicyNotFoundException")
GlobalTableNotFoundException = _error("GlobalTableNotFoundException")
ReplicaNotFoundException = _error("ReplicaNotFoundException")
ExportNotFoundException = _error("ExportNotFoundException")
InvalidExportTimeException = _error("InvalidExportTimeException")
InvalidRestoreTimeException = _error("InvalidRestoreTimeException")
ImportNotFoundException = _error("ImportNotFoundException")
ImportConflictException = _error("ImportConflictException")
TrimmedDataAccessException = _error("TrimmedDataAccessException")
InternalServerError = _error("InternalServerError", http_status=500)

ERRORS_BY_CODE: dict[str, type[DynamoDBError]] = {
    cls.code: cls
    for cls in list(globals().values())
    if isinstance(cls, type) and issubclass(cls, DynamoDBError) and cls is not DynamoDBError
}


# ---------------------------------------------------------------- messages


def validation_errors(problems: list[str]) -> ValidationException:  # type: ignore[valid-type]
    """DynamoDB's request-shape form: 'N validation error(s) detected: a; b'."""
    count = len(problems)
    noun = "error" if count == 1 else "errors"
    return ValidationException(f"{count} validation {noun} detected: " + "; ".join(problems))


def constraint(value: Any, member: str, rule: str) -> str:
    """One clause of a request-shape error, as DynamoDB words it."""
    return f"Value {render_value(value)} at '{member}' failed to satisfy constraint: {rule}"


def render_value(value: Any) -> str:
    """Render a request value the way DynamoDB's validation messages do."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, list):
        return "'[" + ", ".join(str(v) for v in value) + "]'"
    return f"'{value}'"
