"""Domain errors: what went wrong, in words meant for the client, with no HTTP.

`app.web.errors` maps each class to a status code in one table. `headers`
carries protocol hints that some answers need (`Retry-After`, `Location`).
"""

from __future__ import annotations


class DomainError(Exception):
    """An error whose message may be shown to the client as it is.

    `field` names the input at fault when the message is about one; `errors`
    lists (field, message) pairs when there are several.
    """

    def __init__(
        self,
        detail: str,
        *,
        headers: dict[str, str] | None = None,
        field: str | None = None,
        errors: list[tuple[str, str]] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers
        self.field = field
        self.errors = errors


class BadRequest(DomainError):
    """The request cannot be read (malformed JSON, a bad header)."""


class NotFound(DomainError):
    """No such thing, or the caller may not know it exists."""


class Conflict(DomainError):
    """The request clashes with the current state."""


class PayloadTooLarge(DomainError):
    """The body is over the configured limit."""


class UnsupportedMediaType(DomainError):
    """The body is not in a format this route reads."""


class Unprocessable(DomainError):
    """The request is well-formed but its values are not acceptable."""


class TooManyRequests(DomainError):
    """A rate limit was reached; `headers` says when to retry."""


class Unauthorized(DomainError):
    """No valid credentials were given."""


class Forbidden(DomainError):
    """The caller's roles do not allow this."""


class ForbiddenPage(Forbidden):
    """A staff page the user's roles do not open: answered as an HTML page."""


class LoginRequired(DomainError):
    """An anonymous visitor asked for a staff page: send them to the login form."""
