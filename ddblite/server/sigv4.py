"""AWS Signature Version 4 checks for `ddblite serve --require-auth KEY:SECRET`.

Both forms are verified: the Authorization header (SDKs, the CLI) and the
query string (presigned URLs: X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date,
X-Amz-Expires, X-Amz-SignedHeaders, X-Amz-Signature). As DynamoDB does, the
credential scope must name the request's day and the `dynamodb` service,
`host` must be signed, and the request time must be within 15 minutes of the
server's clock (the database's injectable clock). Error codes and texts are
DynamoDB's; those AWS documents only for its services in general are marked
INFERRED.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, quote

from ddblite.clock import Clock
from ddblite.errors import (
    IncompleteSignatureException,
    InvalidSignatureException,
    MissingAuthenticationTokenException,
    UnrecognizedClientException,
)

ALGORITHM = "AWS4-HMAC-SHA256"
MAX_CLOCK_SKEW = timedelta(minutes=15)
_AMZ_DATE = "%Y%m%dT%H%M%SZ"
_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. "
    "Consult the service documentation for details."
)


def credential_region(authorization: str | None) -> str | None:
    """The region of an Authorization header's credential scope (no checks)."""
    if not authorization:
        return None
    start = authorization.find("Credential=")
    if start < 0:
        return None
    end = authorization.find(",", start)
    return _scope_region(authorization[start + 11 : end if end >= 0 else None])


@functools.lru_cache(maxsize=256)
def _scope_region(credential: str) -> str | None:
    # Requests of one client share the credential scope: parse it once.
    scope = credential.split("/")
    return scope[2] if len(scope) == 5 else None


def _auth_params(authorization: str) -> dict[str, str]:
    params: dict[str, str] = {}
    for part in authorization.replace(",", " ").split()[1:]:
        name, _, value = part.partition("=")
        params[name] = value
    return params


def _canonical_query(query: str) -> str:
    pairs = sorted(
        (quote(name, safe="-_.~"), quote(value, safe="-_.~"))
        for name, value in parse_qsl(query, keep_blank_values=True)
    )
    return "&".join(f"{name}={value}" for name, value in pairs)


def _signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    key = ("AWS4" + secret).encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


SERVICE = "dynamodb"  # DynamoDB Streams signs with the same name
MAX_PRESIGNED_EXPIRES = 7 * 24 * 3600
_QUERY_PARAMETERS = (
    "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders", "X-Amz-Date"
)


class SigV4Verifier:
    """Checks that requests are signed with one configured key pair.

    clock: the time to check signatures against; None takes the `now` each
    call passes (the served database's clock), or the wall clock.
    """

    def __init__(self, access_key: str, secret_key: str, clock: Clock | None = None) -> None:
        self.access_key = access_key
        self.secret_key = secret_key
        self.clock = clock

    def verify(
        self,
        method: str,
        path: str,
        query: str,
        headers: dict[str, str],
        body: bytes,
        now: float | None = None,
    ) -> None:
        """Raise DynamoDB's authentication error, or return if the signature holds.

        `headers` maps lower-case names to values.
        """
        if self.clock is not None:
            now = self.clock.now()
        elif now is None:
            now = Clock().now()
        authorization = headers.get("authorization", "").strip()
        if not authorization.startswith("AWS4-") and "X-Amz-" in query:
            self._verify_presigned(method, path, query, headers, body, now)
            return
        if not authorization.startswith("AWS4-"):
            raise MissingAuthenticationTokenException("Request is missing Authentication Token")
        params = _auth_params(authorization)
        missing = "".join(
            f"Authorization header requires '{name}' parameter. "
            for name in ("Credential", "Signature", "SignedHeaders")
            if not params.get(name)
        )
        amz_date = headers.get("x-amz-date") or headers.get("date")
        if not amz_date:
            missing += (
                "Authorization header requires existence of either a 'X-Amz-Date' or a "
                "'Date' header. "
            )
        if missing:
            raise IncompleteSignatureException(missing + "Authorization=" + authorization)
        algorithm = authorization.split(None, 1)[0]
        self._check(
            method, path, query, headers, body, now,
            algorithm=algorithm,
            credential=params["Credential"],
            signed_headers=params["SignedHeaders"],
            signature=params["Signature"],
            amz_date=amz_date,
        )

    def _verify_presigned(
        self, method: str, path: str, query: str, headers: dict[str, str], body: bytes, now: float
    ) -> None:
        pairs = parse_qsl(query, keep_blank_values=True)
        params = dict(pairs)
        missing = [name for name in _QUERY_PARAMETERS if not params.get(name)]
        if missing:
            # INFERRED: the texts of AWS's query-string signature checks.
            raise IncompleteSignatureException(
                "".join(f"AWS query-string parameters must include '{name}'. " for name in missing)
                + "Re-examine the query-string parameters."
            )
        expires = params.get("X-Amz-Expires", "")
        if expires and (not expires.isdigit() or int(expires) > MAX_PRESIGNED_EXPIRES):
            raise IncompleteSignatureException(  # INFERRED
                "X-Amz-Expires must be a number of seconds between 0 and 604800 (seven days)"
            )
        unsigned_query = "&".join(
            f"{quote(name, safe='-_.~')}={quote(value, safe='-_.~')}"
            for name, value in pairs
            if name != "X-Amz-Signature"
        )
        self._check(
            method, path, unsigned_query, headers, body, now,
            algorithm=params["X-Amz-Algorithm"],
            credential=params["X-Amz-Credential"],
            signed_headers=params["X-Amz-SignedHeaders"],
            signature=params["X-Amz-Signature"],
            amz_date=params["X-Amz-Date"],
            expires=int(expires) if expires else None,
        )

    def _check(
        self,
        method: str,
        path: str,
        query: str,
        headers: dict[str, str],
        body: bytes,
        now: float,
        *,
        algorithm: str,
        credential: str,
        signed_headers: str,
        signature: str,
        amz_date: str,
        expires: int | None = None,
    ) -> None:
        if algorithm != ALGORITHM:
            raise IncompleteSignatureException(
                f"Unsupported AWS 'algorithm': '{algorithm}' (only {ALGORITHM} for now). "
            )
        scope = credential.rstrip("/").split("/")
        if len(scope) != 5:
            raise IncompleteSignatureException(
                "Credential must have exactly 5 slash-delimited elements, "
                f"e.g. keyid/date/region/service/term, got '{credential}'"
            )
        signed_names = signed_headers.lower().split(";")
        if "host" not in signed_names:
            # AWS's text; INFERRED that DynamoDB reports it as an incomplete signature.
            raise IncompleteSignatureException(
                "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
            )
        self._check_date(amz_date, now, expires)
        access_key, date, region, service, _ = scope
        if access_key != self.access_key:
            raise UnrecognizedClientException(
                "The security token included in the request is invalid."
            )
        if date != amz_date[:8]:
            # AWS's documented text; the ". " ending is Coral's (as Kinesis answers). INFERRED
            raise InvalidSignatureException(
                "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of "
                "date from HTTP. "
            )
        if service != SERVICE:
            raise InvalidSignatureException(
                f"Credential should be scoped to correct service: '{SERVICE}'. "
            )
        canonical_request = "\n".join(
            (
                method,
                quote(path or "/", safe="/-_.~"),
                _canonical_query(query),
                "".join(
                    f"{name}:{' '.join(headers.get(name, '').split())}\n" for name in signed_names
                ),
                ";".join(signed_names),
                hashlib.sha256(body).hexdigest(),
            )
        )
        string_to_sign = "\n".join(
            (
                ALGORITHM,
                amz_date,
                "/".join(scope[1:]),
                hashlib.sha256(canonical_request.encode()).hexdigest(),
            )
        )
        key = _signing_key(self.secret_key, date, region, service)
        expected = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, signature):
            raise InvalidSignatureException(_MISMATCH)

    def _check_date(self, amz_date: str, now_seconds: float, expires: int | None) -> None:
        try:
            signed_at = datetime.strptime(amz_date, _AMZ_DATE).replace(tzinfo=UTC)
        except ValueError:
            raise IncompleteSignatureException(
                f"Date must be in ISO-8601 'basic format'. Got '{amz_date}'. "
                "See http://en.wikipedia.org/wiki/ISO_8601"
            ) from None
        now = datetime.fromtimestamp(now_seconds, UTC).replace(microsecond=0)
        if expires is not None:
            # A presigned URL holds from its date until X-Amz-Expires seconds later. INFERRED
            if signed_at + timedelta(seconds=expires) < now:
                raise InvalidSignatureException(
                    f"Signature expired: {amz_date} is now earlier than "
                    f"{(now - timedelta(seconds=expires)).strftime(_AMZ_DATE)} "
                    f"({now.strftime(_AMZ_DATE)} - {expires} sec.)"
                )
        elif signed_at < now - MAX_CLOCK_SKEW:
            raise InvalidSignatureException(
                f"Signature expired: {amz_date} is now earlier than "
                f"{(now - MAX_CLOCK_SKEW).strftime(_AMZ_DATE)} "
                f"({now.strftime(_AMZ_DATE)} - 15 min.)"
            )
        if signed_at > now + MAX_CLOCK_SKEW:
            raise InvalidSignatureException(
                f"Signature not yet current: {amz_date} is still later than "
                f"{(now + MAX_CLOCK_SKEW).strftime(_AMZ_DATE)} "
                f"({now.strftime(_AMZ_DATE)} + 15 min.)"
            )
