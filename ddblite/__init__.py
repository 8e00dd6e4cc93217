"""ddblite: an embedded storage engine for Python that speaks DynamoDB."""

from ddblite.clock import Clock, ManualClock
from ddblite.database import Database, connect
from ddblite.errors import DynamoDBError
from ddblite.mock import mock

__version__ = "0.1.0"

__all__ = [
    "Clock",
    "Database",
    "DynamoDBError",
    "ManualClock",
    "__version__",
    "connect",
    "mock",
]
