"""A trigger function `ddblite serve --trigger` imports in the serve test: it appends the
keys of each batch to the file named by DDBLITE_TEST_TRIGGER_OUT."""

from __future__ import annotations

import os


def record(event: dict) -> None:
    with open(os.environ["DDBLITE_TEST_TRIGGER_OUT"], "a") as out:
        for item in event["Records"]:
            out.write(f"{item['eventName']} {item['dynamodb']['Keys']['pk']['S']}\n")
