"""The DynamoDB wire front door.

protocol  wire JSON <-> request/response dicts, error bodies, crc32 (shared with ddblite.mock)
sigv4     Signature Version 4 checks for --require-auth
app       the endpoint (routing, auth, headers, thread pool); ASGI only for lifespan
encoding  compressed request bodies and answers (shared with ddblite.mock)
runner    uvicorn: `ddblite serve` and an in-process background server

Nothing is imported here, so the mock can use `protocol` without the HTTP stack.
"""
