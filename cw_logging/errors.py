"""The error taxonomy of cw_logging and the mapping from botocore failures onto it."""

from __future__ import annotations

from typing import Any

from ._secrets import mask_secrets

__all__ = [
    "NO_REGION_MESSAGE",
    "AuthenticationError",
    "CloudWatchLogsError",
    "ConfigurationError",
    "DataAlreadyAcceptedError",
    "EntityTooLargeError",
    "InvalidParameterError",
    "LimitExceededError",
    "MalformedQueryError",
    "NetworkError",
    "QueryCancelledError",
    "QueryError",
    "QueryFailedError",
    "QueryNotFoundError",
    "QueryTimeout",
    "RateLimitError",
    "RequestError",
    "ResourceAlreadyExistsError",
    "ResourceError",
    "ResourceNotFoundError",
    "ServerError",
    "from_exception",
    "region_hint",
]


def region_hint(option: str) -> str:
    """Return what to do when no region is configured, ``option`` being how the caller passes
    one (``region_name=``, ``--region``): the lookup order of every client of the package."""
    return (
        f"pass {option} or set AWS_REGION, AWS_DEFAULT_REGION or a region in the AWS profile "
        "(looked up in that order)"
    )


NO_REGION_MESSAGE = "no AWS region configured; " + region_hint("region_name=")
"""The message of the ``NoRegionError`` a client without a region raises."""


class CloudWatchLogsError(Exception):
    """Base of every error raised by cw_logging.

    ``code`` is the service's error code (or a local one), ``request_id`` the AWS request id when
    the service answered, ``retryable`` whether the same call may succeed later, and
    ``retry_after`` a suggested wait in seconds when the service gave one. Credentials in the
    message (URL passwords, session tokens, signatures, secret keys) are masked.
    """

    default_retryable = False

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        request_id: str | None = None,
        retryable: bool | None = None,
        retry_after: float | None = None,
    ) -> None:
        message = mask_secrets(message)  # service text may echo a token, URLs carry passwords
        super().__init__(message)
        self.message = message
        self.code = code or type(self).__name__
        self.request_id = request_id
        self.retryable = self.default_retryable if retryable is None else retryable
        self.retry_after = retry_after

    def __str__(self) -> str:
        suffix = f" (request id {self.request_id})" if self.request_id else ""
        return f"{self.code}: {self.message}{suffix}"


class ConfigurationError(CloudWatchLogsError, ValueError):
    """A setting is invalid or missing (bad name, unknown policy, no region)."""


class AuthenticationError(CloudWatchLogsError):
    """Credentials are missing, expired, unrecognised, or lack permission."""


class ResourceError(CloudWatchLogsError):
    """A log group or stream is missing, already exists, or a resource limit was hit."""


class ResourceNotFoundError(ResourceError):
    """The log group or log stream does not exist."""


class ResourceAlreadyExistsError(ResourceError):
    """The log group or log stream already exists."""


class LimitExceededError(ResourceError):
    """An account resource limit was reached (for example the number of log groups)."""


class RequestError(CloudWatchLogsError):
    """The service refused the request as malformed or invalid."""


class InvalidParameterError(RequestError):
    """A parameter was refused (InvalidParameterException or ValidationException)."""


class EntityTooLargeError(RequestError):
    """The request or one event in it is larger than the service accepts."""


class DataAlreadyAcceptedError(RequestError):
    """The batch was already accepted; callers treat this as success."""


class QueryError(CloudWatchLogsError):
    """A Logs Insights query failed, was cancelled, timed out or is unknown."""


class MalformedQueryError(QueryError):
    """The query text is not valid Logs Insights syntax."""


class QueryFailedError(QueryError):
    """The service ran the query and reported it Failed."""


class QueryCancelledError(QueryError):
    """The query was cancelled (StopQuery or the service)."""


class QueryTimeout(QueryError):
    """The query did not complete in the allowed time."""


class QueryNotFoundError(QueryError):
    """The service does not know the query id."""


class RateLimitError(CloudWatchLogsError):
    """The call was throttled or a service quota was exceeded; retry later."""

    default_retryable = True


class ServerError(CloudWatchLogsError):
    """The service failed internally or is unavailable; retry later."""

    default_retryable = True


class NetworkError(CloudWatchLogsError):
    """The endpoint could not be reached or the connection failed or timed out."""

    default_retryable = True


_CODE_TO_CLASS: dict[str, type[CloudWatchLogsError]] = {
    "AccessDeniedException": AuthenticationError,
    "AccessDenied": AuthenticationError,
    "UnrecognizedClientException": AuthenticationError,
    "InvalidClientTokenId": AuthenticationError,
    "ExpiredTokenException": AuthenticationError,
    "ExpiredToken": AuthenticationError,
    "InvalidSignatureException": AuthenticationError,
    "IncompleteSignature": AuthenticationError,
    "MissingAuthenticationToken": AuthenticationError,
    "ResourceNotFoundException": ResourceNotFoundError,
    "ResourceAlreadyExistsException": ResourceAlreadyExistsError,
    "LimitExceededException": LimitExceededError,
    "InvalidParameterException": InvalidParameterError,
    "ValidationException": InvalidParameterError,
    "InvalidOperationException": InvalidParameterError,
    "InvalidSequenceTokenException": InvalidParameterError,
    "UnsupportedOperationException": InvalidParameterError,
    "RequestEntityTooLargeException": EntityTooLargeError,
    "RequestEntityTooLarge": EntityTooLargeError,
    "DataAlreadyAcceptedException": DataAlreadyAcceptedError,
    "MalformedQueryException": MalformedQueryError,
    "ThrottlingException": RateLimitError,
    "Throttling": RateLimitError,
    "TooManyRequestsException": RateLimitError,
    "RequestLimitExceeded": RateLimitError,
    "ServiceQuotaExceededException": RateLimitError,
    "ServiceUnavailableException": ServerError,
    "ServiceUnavailable": ServerError,
    "InternalFailure": ServerError,
    "InternalServerError": ServerError,
    "InternalServerException": ServerError,
    "OperationAbortedException": ServerError,
}

_HINTS: dict[type[CloudWatchLogsError], str] = {
    AuthenticationError: "check the AWS credentials, region and IAM permissions (logs:*)",
    ResourceNotFoundError: "create the log group/stream, or enable create_log_group",
    RateLimitError: "the call is retried with backoff; lower the call rate if it persists",
    NetworkError: "check endpoint_url, the network and the region",
}


def _status_class(status: int | None) -> type[CloudWatchLogsError]:
    if status == 429:
        return RateLimitError
    if status is not None and status >= 500:
        return ServerError
    return RequestError


def _from_client_error(exc: Any) -> CloudWatchLogsError:
    response: dict[str, Any] = getattr(exc, "response", None) or {}
    error = response.get("Error") or {}
    meta = response.get("ResponseMetadata") or {}
    code = str(error.get("Code") or "Unknown")
    status = meta.get("HTTPStatusCode")
    cls = _CODE_TO_CLASS.get(code) or _status_class(status)
    message = str(error.get("Message") or exc)
    retry_after: float | None = None
    header = (meta.get("HTTPHeaders") or {}).get("retry-after")
    if header is not None:
        try:
            retry_after = float(header)
        except ValueError:
            retry_after = None
    return cls(message, code=code, request_id=meta.get("RequestId"), retry_after=retry_after)


def from_exception(exc: BaseException) -> CloudWatchLogsError:
    """Return the taxonomy error for ``exc`` (a botocore failure or an already mapped error).

    botocore ``ClientError`` maps by error code, then by HTTP status; connection failures and
    timeouts become :class:`NetworkError`; missing credentials :class:`AuthenticationError`; a
    missing region :class:`ConfigurationError`. Anything else becomes a non-retryable
    :class:`CloudWatchLogsError` that keeps the original as ``__cause__`` (its text, and that of
    the exceptions behind it, with credentials masked).
    """
    if isinstance(exc, CloudWatchLogsError):
        return exc
    from botocore import exceptions as bex

    mapped: CloudWatchLogsError
    if isinstance(exc, bex.ClientError):
        mapped = _from_client_error(exc)
    elif isinstance(exc, (bex.ConnectionError, bex.HTTPClientError)):
        mapped = NetworkError(str(exc), code=type(exc).__name__)
    elif isinstance(exc, (bex.NoCredentialsError, bex.PartialCredentialsError)):
        mapped = AuthenticationError(
            f"{exc}; configure credentials (environment, profile, SSO or instance role)",
            code=type(exc).__name__,
        )
    elif isinstance(exc, bex.NoRegionError):
        mapped = ConfigurationError(NO_REGION_MESSAGE, code="NoRegionError")
    elif isinstance(exc, (ConnectionError, TimeoutError)):
        mapped = NetworkError(str(exc) or type(exc).__name__, code=type(exc).__name__)
    else:
        mapped = CloudWatchLogsError(f"{type(exc).__name__}: {exc}", code=type(exc).__name__)
    _mask_chain(exc)
    mapped.__cause__ = exc
    return mapped


def _mask_chain(exc: BaseException | None) -> None:
    """Mask credentials in the text of ``exc`` and the exceptions behind it, which a logged
    traceback shows as the cause of the mapped error."""
    for _ in range(8):
        if exc is None:
            return
        try:
            args = tuple(mask_secrets(arg) if isinstance(arg, str) else arg for arg in exc.args)
            if args != exc.args:
                exc.args = args
        except Exception:  # an exception class with unusual args: leave it
            pass
        exc = exc.__cause__ or exc.__context__


def hint_for(error: CloudWatchLogsError) -> str | None:
    """Return a one-line suggestion of what to do about ``error``, when there is one."""
    for cls, hint in _HINTS.items():
        if isinstance(error, cls):
            return hint
    return None
