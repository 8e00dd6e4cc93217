"""The DynamoDB wire front door.

protocol  wire JSON <-> request/response dicts, error bodies, crc32 (shared with ddblite.mock)
sigv4     Signature Version 4 checks for --require-auth
app       the ASGI application (routing, auth, thread pool)
runner    uvicorn: `ddblite serve` and an in-process background server

Nothing is imported here, so the mock can use `protocol` without the HTTP stack.
"""
