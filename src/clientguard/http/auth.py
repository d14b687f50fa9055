"""OAuth 2.0 for :class:`~clientguard.http.ApiClient`: a fixed token, the refresh-token grant
with rotation, client credentials, and the token file.

:class:`RefreshTokenAuth` hands the new refresh token to a callback *before* the new access
token is used; :func:`token_file_saver` is a callback that writes it atomically to a file only
the user can read. No token is in a repr, a message or a log line.
"""

from __future__ import annotations

import json
import logging
import os
import stat
import tempfile
import threading
from abc import abstractmethod
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from clientguard.errors import ApiError, AuthError, ConfigError
from clientguard.http.client import ApiClient, Auth, decode_json
from clientguard.http.redact import describe_url, url_secrets
from clientguard.redaction import basic_credentials, clean_secret

__all__ = [
    "BearerToken",
    "ClientCredentialsAuth",
    "RefreshTokenAuth",
    "TokenSet",
    "load_token_file",
    "token_expiry",
    "token_file_saver",
]

log = logging.getLogger("clientguard.http")  # the name REDACTED_LOGGERS scrubs


@dataclass(frozen=True)
class TokenSet:
    """Tokens from a token endpoint. Its repr shows no token."""

    access_token: str = field(repr=False)
    refresh_token: str | None = field(default=None, repr=False)
    expires_at: datetime | None = None
    scope: str | None = None

    def __post_init__(self) -> None:
        # Tokens from a file or a token endpoint: a line break around one is dropped, one
        # inside it is refused (ConfigError naming the token, never showing it).
        object.__setattr__(
            self, "access_token", clean_secret(str(self.access_token), name="access_token")
        )
        if self.refresh_token is not None:
            refresh = clean_secret(str(self.refresh_token), name="refresh_token")
            object.__setattr__(self, "refresh_token", refresh or None)

    def to_json(self) -> str:
        return json.dumps(
            {
                "access_token": self.access_token,
                "refresh_token": self.refresh_token,
                "expires_at": self.expires_at.isoformat() if self.expires_at else None,
                "scope": self.scope,
            },
            indent=2,
        )

    @classmethod
    def from_json(cls, text: str) -> TokenSet:
        raw = json.loads(text)
        expires = raw.get("expires_at")
        return cls(
            access_token=str(raw.get("access_token") or ""),
            refresh_token=raw.get("refresh_token"),
            expires_at=datetime.fromisoformat(expires) if expires else None,
            scope=raw.get("scope"),
        )


def token_file_saver(path: str | os.PathLike[str]) -> Callable[[TokenSet], None]:
    """A callback for :class:`RefreshTokenAuth` that writes each new token set to ``path``.

    The file is replaced atomically (a temporary file in the same folder, flushed to disk,
    then ``os.replace``), so a crash leaves the old tokens or the new ones, never half a file;
    it is created readable and writable by the user only (mode 0600). A ``path`` that is a
    symbolic link stays one: the file it points to is replaced, in that file's folder.

    Each save raises ConfigError, writing nothing, where another user could swap the file
    (:func:`_token_file_problem`: a folder on the way writable by others, or owned by another
    user; a file there owned by another user). An existing file readable by others is not
    refused here: the save replaces it with one that is not.
    """
    target = Path(path).expanduser()

    def save(tokens: TokenSet) -> None:
        real = Path(os.path.realpath(target))
        real.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        _refuse_unsafe(target, reading=False)
        fd, temporary = tempfile.mkstemp(prefix=f".{real.name}.", dir=real.parent)
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(tokens.to_json())
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, real)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    return save


def load_token_file(path: str | os.PathLike[str]) -> TokenSet:
    """The tokens a :func:`token_file_saver` wrote. Raises ConfigError when unreadable, and
    before reading a file another user could have written, swapped or read
    (:func:`_token_file_problem`)."""
    _refuse_unsafe(Path(path).expanduser(), reading=True)
    try:
        return TokenSet.from_json(Path(path).expanduser().read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"token file {os.fspath(path)!r} does not exist") from None
    except ConfigError as exc:  # a token with a control character in it: never quoted
        raise ConfigError(f"token file {os.fspath(path)!r}: {exc}") from None
    except (OSError, ValueError, TypeError, AttributeError) as exc:
        raise ConfigError(
            f"token file {os.fspath(path)!r} cannot be read: {type(exc).__name__}"
        ) from None


def _token_file_problem(path: Path, *, user: int, reading: bool) -> str | None:
    """Why tokens of ``user`` (a uid) must not be read from (``reading``) or written to
    ``path``, in words that name the path and the fix; None where they may.

    The rule is OpenSSH's for private keys (``StrictModes``), so that no other user can read
    the tokens, replace them with their own (the connector would then read another account)
    or swap the file after it is written:

    - every folder on the way to the file, as written and as its links resolve, is owned by
      ``user`` or root, and not writable by its group or others unless it has the sticky bit
      (``/tmp``: there nobody but an entry's owner can rename or remove it);
    - the file, where it exists, is owned by ``user``; and, when ``reading``, its mode gives
      its group and others nothing (0600 or less), as ssh refuses a key that is "too open".

    A folder that does not exist yet is skipped (it will be created, by the user).
    """
    target = Path(os.path.abspath(path))
    real = Path(os.path.realpath(target))
    # The folders as written (a link among them is judged by what it points to) and as
    # resolved: another user who may write to either could swap the file or a link to it.
    folders = dict.fromkeys([*target.parents, *real.parents])
    for folder in folders:
        try:
            info = os.stat(folder)
        except FileNotFoundError:
            continue
        if info.st_uid not in (user, 0):
            return (
                f"the folder {os.fspath(folder)!r} of the token file {os.fspath(target)!r} is "
                f"owned by another user (uid {info.st_uid}): keep token files in a folder of "
                "your own"
            )
        if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH) and not info.st_mode & stat.S_ISVTX:
            return (
                f"the folder {os.fspath(folder)!r} of the token file {os.fspath(target)!r} can "
                "be written by other users, who could replace the tokens: run "
                f"`chmod 700 {os.fspath(folder)}` (or `chmod go-w`), or keep the file elsewhere"
            )
    try:
        info = os.stat(real)
    except FileNotFoundError:
        return None
    if info.st_uid != user:
        return (
            f"the token file {os.fspath(target)!r} is owned by another user (uid "
            f"{info.st_uid}), who could have put their own tokens there: remove it and "
            "connect again"
        )
    if reading and info.st_mode & 0o077:
        access = (("read", 0o044), ("written", 0o022), ("run", 0o011))
        done = " or ".join(word for word, bits in access if info.st_mode & bits)
        return (
            f"the token file {os.fspath(target)!r} can be {done} by other users "
            f"(mode {stat.S_IMODE(info.st_mode):04o}): run `chmod 600 {os.fspath(target)}`, "
            "and revoke the tokens if someone else may have read them"
        )
    return None


def _refuse_unsafe(path: Path, *, reading: bool) -> None:
    """Raises ConfigError where :func:`_token_file_problem` names one. POSIX only: Windows has
    no owner and mode bits to judge (its folders' access lists are left to the user)."""
    if os.name != "posix":
        return
    problem = _token_file_problem(path, user=os.getuid(), reading=reading)
    if problem is not None:
        raise ConfigError(problem)


MAX_EXPIRES_IN = 366 * 24 * 3600
"""The longest ``expires_in`` read as given (a year and a day, in seconds); a longer one, or
one that is not a positive number, is read as unknown (:func:`token_expiry`)."""


def token_expiry(now: datetime, expires_in: object) -> datetime | None:
    """When an access token a token endpoint issued at ``now`` expires: ``now`` plus
    ``expires_in`` seconds (a number, or a number as text). None (unknown: the token is used
    until the API refuses it, then refreshed once) for anything else: absent, not a number,
    not finite, 0 or less, or more than :data:`MAX_EXPIRES_IN`, which no datetime arithmetic
    must be asked to hold (``99999999999999999999`` overflows it). Never raises."""
    if isinstance(expires_in, bool) or not isinstance(expires_in, int | float | Decimal | str):
        return None
    try:
        seconds = float(expires_in)
    except (ValueError, OverflowError):
        return None
    if not (0 < seconds <= MAX_EXPIRES_IN):  # also false for nan and inf
        return None
    return now + timedelta(seconds=seconds)


class BearerToken(Auth):
    """A fixed access token (e.g. one a script obtained elsewhere). Not refreshed."""

    def __init__(self, access_token: str) -> None:
        access_token = clean_secret(access_token, name="access_token")
        if not access_token:
            raise ConfigError("access_token is empty")
        self._token = access_token

    def header(self, client: ApiClient) -> str:
        return f"Bearer {self._token}"

    def refresh(self, client: ApiClient, stale: str) -> None:
        raise AuthError(
            "the access token was refused (expired or revoked); a fixed access_token cannot be "
            "refreshed: pass a new one, or use the refresh-token or client-credentials options"
        )

    def secrets(self) -> Iterable[str]:
        return (self._token,)


class _TokenEndpointAuth(Auth):
    """Shared by the OAuth 2.0 grants: a token endpoint, client authentication, expiry."""

    can_refresh = True
    #: Refresh this long before the token expires, so that it never dies in flight.
    early = timedelta(seconds=60)

    def __init__(
        self,
        *,
        token_url: str,
        client_id: str,
        client_secret: str | None,
        access_token: str | None = None,
        expires_at: datetime | None = None,
    ) -> None:
        client_id = clean_secret(client_id, name="client_id")
        if not client_id:
            raise ConfigError("client_id is empty")
        self.token_url = token_url
        self._client_id = client_id
        self._client_secret = (
            clean_secret(client_secret, name="client_secret") if client_secret else None
        ) or None
        self._access = (
            clean_secret(access_token, name="access_token") if access_token else None
        ) or None
        self._expires_at = expires_at
        # One refresh at a time per connection: a second thread waits and reuses the result
        # (two concurrent refreshes of one rotating token set kill it with invalid_grant).
        self._lock = threading.Lock()

    def header(self, client: ApiClient) -> str:
        with self._lock:
            if self._access is None or self._expiring(client):
                self._obtain(client)
            assert self._access is not None
            return f"Bearer {self._access}"

    def refresh(self, client: ApiClient, stale: str) -> None:
        with self._lock:
            if self._access is not None and f"Bearer {self._access}" != stale:
                return  # another caller refreshed while we waited
            self._obtain(client)

    def _expiring(self, client: ApiClient) -> bool:
        return self._expires_at is not None and client.clock() >= self._expires_at - self.early

    @abstractmethod
    def _grant(self) -> dict[str, str]:
        """The form fields of the token request."""

    def _accept(self, tokens: TokenSet) -> None:
        self._access = tokens.access_token
        self._expires_at = tokens.expires_at

    def _obtain(self, client: ApiClient) -> None:
        form = self._grant()
        basic: tuple[str, str] | None = None
        if self._client_secret:
            basic = (self._client_id, self._client_secret)
        else:  # a public (PKCE) client names itself in the form
            form["client_id"] = self._client_id
        try:
            response = client.request(
                "POST",
                self.token_url,
                data=form,
                auth=basic,
                authenticate=False,
                what="token request",
            )
        except (ApiError, AuthError) as exc:
            if exc.status is None or exc.status >= 500:
                raise
            # invalid_grant, invalid_client...: no retry helps, a person must re-authorise.
            said = str(exc).removesuffix(f" ({exc.context.describe()})")
            raise AuthError(
                f"{said}: the token endpoint refused the credentials; re-authorise "
                "(a refresh token is single-use: one already used, or refreshed by another "
                "process, is dead)",
                exc.context,
            ) from None
        body = decode_json(response, client=client, what="token response")
        if not isinstance(body, dict) or not body.get("access_token"):
            raise AuthError("the token endpoint answered without an access_token")
        # Nothing between the answer and _accept (which saves a rotated refresh token) may
        # raise on a value the endpoint chose: an expiry that cannot be read is unknown.
        expires_at = token_expiry(client.clock(), body.get("expires_in"))
        try:
            tokens = TokenSet(
                access_token=str(body["access_token"]),
                refresh_token=body.get("refresh_token"),
                expires_at=expires_at,
                scope=body.get("scope"),
            )
        except ConfigError as exc:
            kept = self._keep_refresh_token(body.get("refresh_token"))
            raise AuthError(f"the token endpoint's answer cannot be used: {exc}{kept}") from None
        self._accept(tokens)
        log.info("obtained a new access token from %s", describe_url("POST", self.token_url))

    def _keep_refresh_token(self, value: object) -> str:
        """Keep a rotated refresh token from an answer that cannot be used otherwise (its
        access token holds a line break); says what was done, for the error. Here: nothing,
        this grant has no refresh token."""
        return ""

    def secrets(self) -> Iterable[str]:
        basic = (
            basic_credentials(self._client_id, self._client_secret) if self._client_secret else None
        )
        return tuple(
            s for s in (self._access, self._client_secret, basic, *url_secrets(self.token_url)) if s
        )


class RefreshTokenAuth(_TokenEndpointAuth):
    """OAuth 2.0 refresh-token grant, for tokens that rotate (Xero, QuickBooks).

    Each refresh returns a new refresh token and voids the old one, so the new one is handed
    to ``on_refresh`` (the whole :class:`TokenSet`) *before* the new access token is used: if
    saving it fails, the error propagates and nothing is sent with the new token. Use
    :func:`token_file_saver` for a file only the user can read.
    """

    def __init__(
        self,
        *,
        token_url: str,
        client_id: str,
        client_secret: str | None,
        refresh_token: str,
        on_refresh: Callable[[TokenSet], None],
        access_token: str | None = None,
        expires_at: datetime | None = None,
    ) -> None:
        super().__init__(
            token_url=token_url,
            client_id=client_id,
            client_secret=client_secret,
            access_token=access_token,
            expires_at=expires_at,
        )
        refresh_token = clean_secret(refresh_token, name="refresh_token")
        if not refresh_token:
            raise ConfigError("refresh_token is empty")
        self._refresh_token = refresh_token
        self._on_refresh = on_refresh

    def _grant(self) -> dict[str, str]:
        return {"grant_type": "refresh_token", "refresh_token": self._refresh_token}

    def _accept(self, tokens: TokenSet) -> None:
        rotated = TokenSet(
            access_token=tokens.access_token,
            refresh_token=tokens.refresh_token or self._refresh_token,
            expires_at=tokens.expires_at,
            scope=tokens.scope,
        )
        try:
            self._on_refresh(rotated)
        except Exception as exc:
            raise AuthError(
                "a new refresh token was issued but could not be saved "
                f"({type(exc).__name__}); the previous one stays valid for about 30 minutes, "
                "so fix the token store and run again"
            ) from exc
        assert rotated.refresh_token is not None
        self._refresh_token = rotated.refresh_token
        super()._accept(rotated)

    def _keep_refresh_token(self, value: object) -> str:
        """The endpoint rotated the refresh token (and voided ours) but its access token
        cannot be used: the new refresh token still goes to ``on_refresh``, so that the next
        run can refresh again rather than the user having to re-authorise."""
        if not isinstance(value, str) or value.strip() in ("", self._refresh_token):
            return ""
        try:
            rotated = TokenSet(access_token="", refresh_token=value)
            self._on_refresh(rotated)
        except Exception:  # a token that cannot be kept: the error says so
            return "; the new refresh token could not be kept either: re-authorise"
        assert rotated.refresh_token is not None
        self._refresh_token = rotated.refresh_token
        return "; the new refresh token was saved: run again"

    def secrets(self) -> Iterable[str]:
        return (*super().secrets(), self._refresh_token)


class ClientCredentialsAuth(_TokenEndpointAuth):
    """OAuth 2.0 client-credentials grant (Xero custom connections): no refresh token; a new
    access token is requested when the old one expires or is refused."""

    def __init__(
        self,
        *,
        token_url: str,
        client_id: str,
        client_secret: str,
        scope: str | None = None,
    ) -> None:
        if not client_secret or not client_secret.strip():
            raise ConfigError("client_secret is empty")
        super().__init__(token_url=token_url, client_id=client_id, client_secret=client_secret)
        self._scope = scope

    def _grant(self) -> dict[str, str]:
        grant = {"grant_type": "client_credentials"}
        if self._scope:
            grant["scope"] = self._scope
        return grant
