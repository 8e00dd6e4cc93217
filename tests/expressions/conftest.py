import pytest

from ddblite.errors import ValidationException


def message_of(call, *args, **kwargs) -> str:
    """The ValidationException message a call raises (fails the test if none)."""
    with pytest.raises(ValidationException) as info:
        call(*args, **kwargs)
    return info.value.message


S = lambda text: {"S": text}  # noqa: E731
N = lambda text: {"N": text}  # noqa: E731
