"""Raw JSON requests to the session server: bad member types never pass botocore's
client-side validation, so the server is reached with hand-made bodies."""

from __future__ import annotations

import http.client
import json
from typing import Any
from urllib.parse import urlparse

from ddblite.server.app import DYNAMODB_PREFIX, STREAMS_OPERATIONS, STREAMS_PREFIX


class WireClient:
    """One keep-alive connection; `call` returns (status, decoded JSON body)."""

    def __init__(self, url: str) -> None:
        parsed = urlparse(url)
        self.host, self.port = parsed.hostname, parsed.port
        self.connection = http.client.HTTPConnection(self.host, self.port, timeout=30)

    def call(self, operation: str, params: Any) -> tuple[int, dict]:
        prefix = STREAMS_PREFIX if operation in STREAMS_OPERATIONS else DYNAMODB_PREFIX
        body = json.dumps(params).encode()
        headers = {
            "content-type": "application/x-amz-json-1.0",
            "x-amz-target": f"{prefix}.{operation}",
        }
        try:
            self.connection.request("POST", "/", body=body, headers=headers)
            response = self.connection.getresponse()
        except (ConnectionError, http.client.HTTPException):
            self.connection.close()
            self.connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
            self.connection.request("POST", "/", body=body, headers=headers)
            response = self.connection.getresponse()
        payload = response.read()
        return response.status, json.loads(payload) if payload else {}

    def close(self) -> None:
        self.connection.close()


def code_of(body: dict) -> str:
    return body.get("__type", "").rpartition("#")[2]
