"""Every failure the SDK reports, as one exception hierarchy.

::

    InvoError                          every failure; .message .code .status .body .request_id
    ├── InvalidInputError              bad arguments, caught before any request (also ValueError)
    ├── ConfigurationError             a bad constructor argument or environment (also ValueError)
    ├── NetworkError                   no HTTP answer (status 0)
    │   ├── NotSentError               the request never left: DNS, refused, TLS handshake
    │   │   └── ConnectTimeoutError    no connection in time (also a RequestTimeoutError)
    │   ├── MaybeSentError             the request may have reached INVO: reset, read timeout
    │   │   └── ReadTimeoutError       no (whole) answer in time (also a RequestTimeoutError)
    │   └── RequestTimeoutError        connect or read timeout (code TIMEOUT)
    ├── InvalidResponseError           a 2xx answer the SDK cannot use (code INVALID_RESPONSE)
    ├── WebhookVerificationError       a webhook that failed verification (codes WEBHOOK_*)
    └── APIError                       INVO answered with a non-2xx status
        ├── UnexpectedRedirectError    3xx: never followed, so the secret never travels on
        ├── BadRequestError            400
        │   └── InsufficientBalanceError   400 with INSUFFICIENT_BALANCE / required_amount
        ├── AuthenticationError        401 (INVALID_GAME_SECRET, ...)
        ├── PermissionDeniedError      403
        ├── NotFoundError              404
        ├── ConflictError              409
        │   ├── DuplicateRequestError          a replayed idempotency key
        │   └── PhoneShareApprovalRequiredError  the phone's owner must consent first
        ├── GoneError                  410 (SESSION_EXPIRED, ...)
        ├── RateLimitError             429 (see .retry_after)
        └── ServerError                5xx

A ``NotSentError`` is safe to act on by calling again, even for a call that moves money: INVO
never saw the request. After a ``MaybeSentError`` INVO may have acted: reconcile (read the
order back, or replay the same idempotency key) before calling again.

``str(err)`` is the message. ``repr(err)`` adds the class, status, code and request id, never
the body. The classifier properties (``is_insufficient_balance`` and friends) read only
``code``, ``status``, ``message`` and ``body``, so they work on any subclass, and on an error a
user built by hand in a test.

This module imports nothing outside the standard library, so webhook-only services that
catch ``InvoError`` stay light.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Optional

from ._classifiers import ErrorClassifiers, error_fields_from_body

__all__ = [
    "APIError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ConflictError",
    "ConnectTimeoutError",
    "DuplicateRequestError",
    "EnvironmentUnknownError",
    "GoneError",
    "InsufficientBalanceError",
    "InvalidInputError",
    "InvalidResponseError",
    "InvoError",
    "KeyEnvironmentMismatchError",
    "MaybeSentError",
    "NetworkError",
    "NotFoundError",
    "NotSentError",
    "PermissionDeniedError",
    "PhoneShareApprovalRequiredError",
    "RateLimitError",
    "ReadTimeoutError",
    "RequestTimeoutError",
    "ServerError",
    "UnexpectedRedirectError",
    "WebhookVerificationError",
    "error_from_response",
]


class InvoError(ErrorClassifiers, Exception):
    """Base class of every error the SDK raises.

    Attributes:
        message: Human-readable description (also ``str(err)``).
        code: Machine-readable code such as ``INVALID_INPUT`` or ``SESSION_EXPIRED``, or
            ``None`` when INVO gave none.
        status: HTTP status of INVO's answer, or ``0`` when there was no HTTP answer
            (client-side validation, network failure, webhook verification).
        body: The answer's parsed JSON body, or its text when it was not JSON, or ``None``.
        request_id: INVO's request id (quote it in support tickets), or ``None``.
        raw_code: The wire's own code (body ``code``, else ``error_code``) before the public
            alias; defaults to ``code``.
        public_code: Body ``error_code_public`` (a stable public code), or ``None``.
        retry_after_header: The answer's ``Retry-After`` header, or ``None``.
        headers: The answer's headers, names lower-cased, minus cookies and anything that
            carried the game secret (``{}`` when there was no answer).
    """

    #: The code an error of this class gets when none is given (``None``: no default).
    default_code: ClassVar[Optional[str]] = None

    def __init__(
        self,
        message: str,
        *,
        code: Optional[str] = None,
        status: int = 0,
        body: Any = None,
        request_id: Optional[str] = None,
        retry_after_header: Optional[str] = None,
        headers: Optional[Mapping[str, str]] = None,
        raw_code: Optional[str] = None,
        public_code: Optional[str] = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code if code is not None else self.default_code
        self.status = status
        self.body = body
        self.request_id = request_id
        self.raw_code = raw_code if raw_code is not None else self.code
        self.public_code = public_code
        self.headers: dict[str, str] = {k.lower(): v for k, v in (headers or {}).items()}
        if retry_after_header is None:
            retry_after_header = self.headers.get("retry-after")
        self.retry_after_header = retry_after_header

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(message={self.message!r}, status={self.status}, "
            f"code={self.code!r}, request_id={self.request_id!r})"
        )

    def __reduce__(self) -> Any:
        # Keyword-only constructor: teach pickle (multiprocessing, task queues) to rebuild it.
        return (_rebuild_error, (type(self), self.message, self.__dict__.copy()))

    # -- classifiers ----------------------------------------------------------------------

    def _body_get(self, key: str) -> Any:
        return self.body.get(key) if isinstance(self.body, Mapping) else None

    @property
    def is_token_expired(self) -> bool:
        """The player token expired (``SDK_TOKEN_EXPIRED``): mint a new one and retry."""
        return self.code == "SDK_TOKEN_EXPIRED"

    @property
    def is_receiver_not_enrolled(self) -> bool:
        """The receiver has no passkey: switch the player to claim-code entry."""
        marker = "receiver_not_enrolled_use_claim_code"
        return self.code == marker or marker in (self.message or "").lower()

    @property
    def is_enrollment_authorization_required(self) -> bool:
        """Passkey enrollment needs the player's authorization first."""
        return self.code == "ENROLLMENT_REQUIRES_AUTHORIZATION"

    @property
    def is_enrollment_proof_required(self) -> bool:
        """Passkey enrollment needs proof of an already-enrolled method first."""
        return self.code == "ENROLLMENT_REQUIRES_PROOF"

    @property
    def is_phone_share_approval_required(self) -> bool:
        """The phone belongs to another INVO account whose owner must consent.

        The owner received a consent SMS; once approved, issue the same call again.
        """
        return self.code == "PHONE_SHARE_APPROVAL_REQUIRED"

    @property
    def is_phone_share_already_approved(self) -> bool:
        """The phone-share consent was already given."""
        return self.code == "PHONE_SHARE_ALREADY_APPROVED"

    @property
    def phone_share_approval_id(self) -> Optional[str]:
        """The pending phone-share ``approval_id`` from the body, when there is one."""
        value = self._body_get("approval_id")
        return value if isinstance(value, str) and value else None


def _rebuild_error(cls: type[InvoError], message: str, state: dict[str, Any]) -> InvoError:
    err = cls.__new__(cls)
    Exception.__init__(err, message)
    err.__dict__.update(state)
    return err


class InvalidInputError(InvoError, ValueError):
    """An argument broke a rule; raised before anything was sent (status 0).

    Codes: ``INVALID_INPUT``, ``MISSING_PURCHASE_REFERENCE``, ``WRONG_RAIL_ENDPOINT``.
    Also a ``ValueError``, so ``except ValueError`` keeps working.
    """


class ConfigurationError(InvoError, ValueError):
    """A constructor argument or environment variable is unusable (code ``INVALID_CONFIGURATION``).

    Raised when the client is built, before any request. Also a ``ValueError``, so
    ``except ValueError`` keeps working.
    """

    default_code = "INVALID_CONFIGURATION"


class KeyEnvironmentMismatchError(ConfigurationError):
    """The game secret is for one environment and ``base_url`` names INVO's other one.

    Raised at construction (code ``KEY_ENVIRONMENT_MISMATCH``): an ``ivsdk_live_`` key with
    the sandbox host, or an ``ivsdk_test_`` key with production. ``key_environment`` and
    ``configured_environment`` are ``"production"`` or ``"sandbox"``. A ``ValueError``.
    """

    default_code = "KEY_ENVIRONMENT_MISMATCH"

    def __init__(self, message: str, *, key_environment: str = "",
                 configured_environment: str = "", **fields: Any) -> None:
        super().__init__(message, **fields)
        self.key_environment = key_environment
        self.configured_environment = configured_environment


class EnvironmentUnknownError(ConfigurationError):
    """Neither INVO environment claimed a game secret that does not name its environment.

    Raised by the first request of a client built without ``base_url`` from a key lacking
    the ``ivsdk_live_`` / ``ivsdk_test_`` / ``ivsdk_demo_`` prefixes (code
    ``ENVIRONMENT_UNKNOWN``, status 0): check the key, or pass ``base_url``. A ``ValueError``.
    """

    default_code = "ENVIRONMENT_UNKNOWN"


class NetworkError(InvoError):
    """No HTTP answer arrived (status 0). See the two subclasses for whether INVO saw it."""


class NotSentError(NetworkError):
    """The request never left this machine: DNS failure, connection refused, TLS handshake
    failure, connect timeout. INVO did nothing; calling again is safe, whatever the call."""


class MaybeSentError(NetworkError):
    """The request may have reached INVO: the connection broke after it was sent, or the
    answer did not come in time. INVO may have acted: reconcile before calling again."""


class RequestTimeoutError(NetworkError):
    """The connect or read timeout elapsed (status 0, code ``TIMEOUT``)."""


class ConnectTimeoutError(NotSentError, RequestTimeoutError):
    """No connection within the connect timeout: nothing was sent (code ``TIMEOUT``)."""


class ReadTimeoutError(MaybeSentError, RequestTimeoutError):
    """The request was sent but the answer did not arrive in time (code ``TIMEOUT``)."""


class InvalidResponseError(InvoError):
    """INVO answered 2xx with a body the SDK cannot use (code ``INVALID_RESPONSE``)."""


class WebhookVerificationError(InvoError):
    """A webhook delivery failed verification (status 0, codes ``WEBHOOK_*``).

    ``code`` is always a ``str`` here, so ``return err.code, 400`` type-checks.
    """

    code: str
    default_code = "WEBHOOK_SIGNATURE_INVALID"


class APIError(InvoError):
    """INVO answered with a non-2xx HTTP status.

    ``headers`` holds the answer's headers (names lower-cased), minus cookies and anything
    that carried the game secret.
    """


class UnexpectedRedirectError(APIError):
    """INVO answered 3xx. Redirects are never followed, so the game secret never moves on."""


class BadRequestError(APIError):
    """HTTP 400: INVO refused the request's content."""


class InsufficientBalanceError(BadRequestError):
    """HTTP 400: the player lacks the currency (``required_amount`` on ``body``)."""


class AuthenticationError(APIError):
    """HTTP 401: the game secret is missing, wrong, or for the other environment."""


class PermissionDeniedError(APIError):
    """HTTP 403: the game may not do this (state, feature flag, environment)."""


class NotFoundError(APIError):
    """HTTP 404: the thing asked for does not exist."""


class ConflictError(APIError):
    """HTTP 409: the request conflicts with current state."""


class DuplicateRequestError(ConflictError):
    """HTTP 409: this idempotency key was already used; nothing was done twice."""


class PhoneShareApprovalRequiredError(ConflictError):
    """HTTP 409 ``PHONE_SHARE_APPROVAL_REQUIRED``: the phone's owner must consent first."""


class GoneError(APIError):
    """HTTP 410: the thing expired (``SESSION_EXPIRED`` ...)."""


class RateLimitError(APIError):
    """HTTP 429: slow down; ``retry_after`` says for how long when INVO said."""


class ServerError(APIError):
    """HTTP 5xx: INVO failed or is paused (``flow_paused``)."""


_CLASS_BY_STATUS: dict[int, type[APIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    410: GoneError,
    429: RateLimitError,
}


def _class_for(status: int, code: Optional[str], probe: InvoError) -> type[APIError]:
    if 300 <= status < 400:
        return UnexpectedRedirectError
    if status >= 500:
        return ServerError
    if status == 400 and probe.is_insufficient_balance:
        return InsufficientBalanceError
    if status == 409:
        if code == "PHONE_SHARE_APPROVAL_REQUIRED":
            return PhoneShareApprovalRequiredError
        if probe.is_duplicate_request:
            return DuplicateRequestError
    return _CLASS_BY_STATUS.get(status, APIError)


def error_from_response(
    status: int,
    body: Any,
    request_id: Optional[str] = None,
    retry_after_header: Optional[str] = None,
    *,
    headers: Optional[Mapping[str, str]] = None,
) -> APIError:
    """Build the error, of the fitting subclass, for a non-2xx answer.

    ``code`` is body ``error_code_public``, else ``code``, else ``error_code``, else body
    ``error`` when it is one of the tokens INVO uses as codes (then ``message`` is body
    ``message`` when given). ``message`` is otherwise body ``error``, else ``message``, else a
    non-blank text body, else ``"INVO request failed (HTTP <status>)"``. ``raw_code`` and
    ``public_code`` keep the wire's own code and the public one. ``headers`` (names
    lower-cased) are kept on the error; ``retry_after_header`` defaults to their
    ``retry-after``.
    """
    fields = error_fields_from_body(status, body)
    code, message = fields.code, fields.message
    probe = InvoError(message, code=code, status=status, body=body)
    cls = _class_for(status, code, probe)
    return cls(message, code=code, status=status, body=body, request_id=request_id,
               retry_after_header=retry_after_header, headers=headers,
               raw_code=fields.raw_code, public_code=fields.public_code)
