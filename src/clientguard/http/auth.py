"""OAuth 2.0 for :class:`~clientguard.http.ApiClient`: a fixed token, the refresh-token grant
with rotation, client credentials, and the token file.

:class:`RefreshTokenAuth` hands the new refresh token to a callback *before* the new access
token is used; :func:`token_file_saver` is a callback that writes it atomically to a file only
the user can read. Given the ``token_file`` itself, :class:`RefreshTokenAuth` writes it and
refreshes one process at a time through it (a lock file beside it), taking the tokens another
process saved there rather than refreshing a refresh token that process has voided. No token
is in a repr, a message or a log line.
"""

from __future__ import annotations

import json
import logging
import math
import os
import stat
import tempfile
import threading
from abc import abstractmethod
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from clientguard import oslock, wording
from clientguard.errors import (
    ApiError,
    AuthError,
    ConfigError,
    ConnectorError,
    ErrorContext,
    lock_holder,
    os_reason,
)
from clientguard.http.client import ApiClient, Auth, decode_json
from clientguard.http.redact import describe_url, url_secrets
from clientguard.i18n import gettext
from clientguard.redaction import basic_credentials, clean_secret

__all__ = [
    "TOKEN_LOCK_WAIT",
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
        raise ConfigError(gettext("token file {path} does not exist").format(
            path=repr(os.fspath(path)))) from None
    except ConfigError as exc:  # a token with a control character in it: never quoted
        raise ConfigError(gettext("token file {path}: {problem}").format(
            path=repr(os.fspath(path)), problem=exc)) from None
    except (OSError, ValueError, TypeError, AttributeError) as exc:
        raise ConfigError(gettext("token file {path} cannot be read: {error}").format(
            path=repr(os.fspath(path)), error=type(exc).__name__)) from None


TOKEN_LOCK_WAIT = 60.0
"""Seconds a refresh through a token file waits for another process refreshing through the
same file (:class:`RefreshTokenAuth`'s ``token_file``) before it gives up, refreshing nothing:
enough for a token request that is retried a few times, short enough for a person at a
terminal. Change it with ``RefreshTokenAuth(lock_wait=...)``."""


def _lock_file(path: Path) -> Path:
    """Where the lock of a token file is: ``<file>.lock`` beside the file ``path`` resolves
    to, so that one file named by two paths (a link, ``..``) has one lock."""
    real = Path(os.path.realpath(path))
    return real.with_name(real.name + ".lock")


@contextmanager
def _refreshing(path: Path, *, wait: float, connector: str | None) -> Iterator[None]:
    """Holds the lock of the token file ``path`` for one refresh, waiting up to ``wait``
    seconds for another process that holds it (:mod:`clientguard.oslock`: the operating
    system frees the lock of a process that ends, however it ends).

    Raises ConfigError, locking nothing, where another user could swap the file (the rule
    of :func:`token_file_saver`), and ConnectorError when the wait is over. A lock file that
    cannot be made (a read-only folder) is no reason to stop: no process can save rotated
    tokens in that folder either, so there is nothing to wait for; the refresh goes ahead and
    its save says what is wrong, as it did before there was a lock."""
    _refuse_unsafe(path, reading=False)
    lock = _lock_file(path)
    try:
        lock.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # Only a regular file of the user's with one name (oslock's rule, the store's lock's
        # too): in a shared folder with the sticky bit (/tmp), which the token file may be
        # in, another user may make the lock file's name first.
        handle = oslock.open_lock_file(lock)
    except oslock.UnsafeLockFile as exc:
        raise _foreign_lock(lock, path, exc) from None
    except OSError as exc:
        log.warning(
            "cannot make the lock file %s of the token file (%s): refreshing without waiting "
            "for other processes that use it", os.fspath(lock), os_reason(exc),
        )
        yield
        return
    if not oslock.acquire(handle, wait=wait, note=oslock.note(os.getpid())):
        who = oslock.holder(handle)
        handle.close()
        raise ConnectorError(
            gettext(
                "the token file {path} is being refreshed by another process{holder}: waited "
                "for it for {seconds} s, and nothing was refreshed here (the tokens are as they "
                "were); run again when that process is done, or stop it if it hangs (its lock, "
                "{lock}, ends with it)"
            ).format(path=repr(os.fspath(path)), holder=f" ({lock_holder(who)})" if who else "",
                     seconds=wording.seconds(wait), lock=repr(os.fspath(lock))),
            ErrorContext(connector=connector),
        )
    try:
        yield
    finally:
        oslock.release(handle)


def _foreign_lock(lock: Path, path: Path, refused: oslock.UnsafeLockFile) -> ConfigError:
    """The refusal of a lock file someone else (or a mistake) put in place, in the reader's
    language and in one shape for every case :mod:`clientguard.oslock` tells apart (a symbolic
    link, not a regular file, another user's file, a hard link): the lock file, the token
    file, what is at the lock file's name, and the fix (remove it; keep token files in a
    folder of your own)."""
    if refused.refusal == "symbolic link":
        text = gettext(
            "the lock file {lock} of the token file {path} is a symbolic link, which "
            "clientguard does not follow: remove it, and keep token files in a folder of your "
            "own")
    elif refused.refusal == "owner":
        text = gettext(
            "the lock file {lock} of the token file {path} is not a file of your own (owner "
            "uid {owner}): remove it, and keep token files in a folder of your own")
    elif refused.refusal == "links":
        text = gettext(
            "the lock file {lock} of the token file {path} is a hard link (link count {links}), "
            "another name of a file the lock would empty: remove it, and keep token files in a "
            "folder of your own")
    else:
        # A sentence a kind: the words around it agree with it in Polish ("usuń go", "usuń je").
        text = {
            "directory": gettext(
                "the lock file {lock} of the token file {path} is a folder, not a regular "
                "file: remove it, and keep token files in a folder of your own"),
            "named pipe": gettext(
                "the lock file {lock} of the token file {path} is a named pipe (FIFO), not a "
                "regular file: remove it, and keep token files in a folder of your own"),
            "socket": gettext(
                "the lock file {lock} of the token file {path} is a socket, not a regular "
                "file: remove it, and keep token files in a folder of your own"),
            "device": gettext(
                "the lock file {lock} of the token file {path} is a device, not a regular "
                "file: remove it, and keep token files in a folder of your own"),
            "special file": gettext(
                "the lock file {lock} of the token file {path} is a special file, not a "
                "regular file: remove it, and keep token files in a folder of your own"),
        }[refused.kind or "special file"]
    return ConfigError(text.format(
        lock=repr(os.fspath(lock)), path=repr(os.fspath(path)), owner=refused.owner,
        links=refused.links))


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
    """A fixed access token (e.g. one a script obtained elsewhere, or an API key sent as a
    bearer token). Not refreshed.

    ``when_refused`` is what the :class:`AuthError` of a refused token says to do: by
    default, pass a new one. A connector with other ways to authenticate names them (Xero:
    the refresh-token options); one that says what to do itself, naming its own credential
    and where to make one (Stripe's API key, GitHub's token), passes None.
    """

    def __init__(self, access_token: str, *, when_refused: str | None = Auth.when_refused
                 ) -> None:
        access_token = clean_secret(access_token, name="access_token")
        if not access_token:
            raise ConfigError(gettext("access_token is empty"))
        self._token = access_token
        self.when_refused = when_refused

    def header(self, client: ApiClient) -> str:
        return f"Bearer {self._token}"

    def refresh(self, client: ApiClient, stale: str) -> None:
        said = f"; {self.when_refused}" if self.when_refused else ""
        raise AuthError(gettext("the access token was refused (expired or revoked){said}").format(
            said=said))

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
            raise ConfigError(gettext("client_id is empty"))
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
                self._renew(client, stale=None)
            assert self._access is not None
            return f"Bearer {self._access}"

    def refresh(self, client: ApiClient, stale: str) -> None:
        with self._lock:
            if self._access is not None and f"Bearer {self._access}" != stale:
                return  # another caller refreshed while we waited
            self._renew(client, stale=stale)

    def _renew(self, client: ApiClient, *, stale: str | None) -> None:
        """A new access token, the lock of this connection held: ``stale`` is the header the
        API refused (None: the token expires, or there is none yet)."""
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
            raise AuthError(f"{said}: {self._refused(exc.context.failed_before)}",
                            exc.context) from None
        body = decode_json(response, client=client, what="token response")
        if not isinstance(body, dict) or not body.get("access_token"):
            raise AuthError(gettext("the token endpoint answered without an access_token"))
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
            raise AuthError(gettext("the token endpoint's answer cannot be used: {problem}{kept}")
                            .format(problem=exc, kept=kept)) from None
        self._accept(tokens)
        log.info("obtained a new access token from %s", describe_url("POST", self.token_url))

    def _refused(self, failed_before: tuple[str, ...]) -> str:
        """What a refusal of the token request means and what to do, for its error;
        ``failed_before``: what earlier attempts of the request got (ErrorContext's)."""
        return (
            "the token endpoint refused the credentials; re-authorise (a refresh token is "
            "single-use: one already used, or refreshed elsewhere from a copy of it, is dead)"
        )

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

    Each refresh returns a new refresh token and voids the old one, so the new token set is
    saved *before* the new access token is used: written to ``token_file`` (as
    :func:`token_file_saver` writes it), then handed to ``on_refresh`` (either may be left
    out, not both). If saving fails, the error propagates and nothing is sent with the new
    token.

    **A token file is shared by processes.** Two processes that read one ``token_file`` (a
    cron sync and a review run by hand) each hold the refresh token they read; the first to
    refresh voids it. So, given ``token_file``, each refresh holds an operating-system lock
    on ``<file>.lock`` (beside the file the path resolves to) and reads the file again first:

    - where the file holds another refresh token than it held when this process last read or
      wrote it, another process refreshed meanwhile: its tokens are taken, the access token
      too where it has not expired (then no token request is made at all; an access token of
      unknown expiry is used until the API refuses it);
    - otherwise, or where that access token has expired (or is the one the API just
      refused), the refresh is made, with the refresh token the file holds, and saved.

    Another process holding the lock is waited for up to ``lock_wait`` seconds
    (:data:`TOKEN_LOCK_WAIT`); then a :class:`~clientguard.errors.ConnectorError` names the
    file and the process, and nothing is refreshed. The lock of a process that ended, however
    it ended, is free: the operating system releases it. A lock file that cannot be made (a
    read-only folder) does not stop the refresh: see :func:`_refreshing`.

    **invalid_grant, once more.** Where the endpoint refuses the refresh token as
    ``invalid_grant`` and the token file now holds another one (saved by a process that does
    not take the lock, such as an older clientguard), the refresh is made once more with that
    one before the error is raised.

    ``from_token_file`` says that ``refresh_token`` is the one ``token_file`` held (the
    default). Pass False for a refresh token given anew (a first run, a new authorisation):
    it is used even where the file holds another, until this process has saved its first
    rotation.
    """

    def __init__(
        self,
        *,
        token_url: str,
        client_id: str,
        client_secret: str | None,
        refresh_token: str,
        on_refresh: Callable[[TokenSet], None] | None = None,
        access_token: str | None = None,
        expires_at: datetime | None = None,
        token_file: str | os.PathLike[str] | None = None,
        from_token_file: bool = True,
        lock_wait: float = TOKEN_LOCK_WAIT,
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
            raise ConfigError(gettext("refresh_token is empty"))
        if on_refresh is None and token_file is None:
            raise ConfigError(gettext(
                "refresh-token mode needs on_refresh= or token_file=, so that the rotated "
                "refresh token is kept (the old one stops working)"
            ))
        if isinstance(lock_wait, bool) or not (
            isinstance(lock_wait, int | float) and math.isfinite(lock_wait) and lock_wait >= 0
        ):
            raise ConfigError(gettext("lock_wait must be a number of seconds, 0 or more: {value}")
                              .format(value=repr(lock_wait)))
        self._refresh_token = refresh_token
        self._on_refresh = on_refresh
        self._token_file = Path(token_file).expanduser() if token_file is not None else None
        self._write_file = token_file_saver(self._token_file) if self._token_file else None
        self._lock_wait = float(lock_wait)
        # The refresh token the token file held when this process last read or wrote it
        # (None: not known yet, for a refresh token given anew): another one there now was
        # saved by another process.
        self._in_file: str | None = refresh_token if from_token_file else None
        # Every refresh token held before, still scrubbed from messages after a rotation.
        self._former: list[str] = []

    def _grant(self) -> dict[str, str]:
        return {"grant_type": "refresh_token", "refresh_token": self._refresh_token}

    def _renew(self, client: ApiClient, *, stale: str | None) -> None:
        if self._token_file is None:
            self._obtain(client)
            return
        with _refreshing(self._token_file, wait=self._lock_wait, connector=client.connector):
            if self._take_newer(client, stale):
                return
            used = self._refresh_token
            try:
                self._obtain(client)
            except AuthError as exc:
                if not _invalid_grant(exc):
                    raise
                saved = self._saved()
                if saved is None or saved.refresh_token in (None, used):
                    raise
                assert saved.refresh_token is not None
                log.info(
                    "the token endpoint refused the refresh token (invalid_grant) and the "
                    "token file %s holds another one, saved meanwhile: refreshing once more "
                    "with it", os.fspath(self._token_file),
                )
                self._hold(saved.refresh_token)
                self._obtain(client)

    def _take_newer(self, client: ApiClient, stale: str | None) -> bool:
        """Takes the tokens another process saved to the token file since this one last read
        or wrote it; True when its access token is taken too (no refresh is needed)."""
        saved = self._saved()
        if (
            saved is None
            or saved.refresh_token is None
            or self._in_file is None
            or saved.refresh_token == self._in_file
        ):
            return False
        self._hold(saved.refresh_token)
        access = saved.access_token
        expired = saved.expires_at is not None and client.clock() >= saved.expires_at - self.early
        where = os.fspath(self._token_file) if self._token_file else ""
        if not access or expired or f"Bearer {access}" == stale:
            log.info(
                "took the refresh token another process saved to the token file %s; its "
                "access token has expired: refreshing", where,
            )
            return False
        self._access = access
        self._expires_at = saved.expires_at
        log.info("took the tokens another process saved to the token file %s", where)
        return True

    def _saved(self) -> TokenSet | None:
        """The token file read again; None where it cannot be (missing, or refused as unsafe:
        then the tokens this process holds are refreshed, and the save says what is wrong)."""
        assert self._token_file is not None
        try:
            return load_token_file(self._token_file)
        except ConfigError as exc:  # names the file and the problem, never a token
            log.info("the token file was not read again before refreshing: %s", exc)
            return None

    def _hold(self, refresh_token: str) -> None:
        """This process's refresh token is now ``refresh_token``, which the file holds."""
        if refresh_token != self._refresh_token:
            self._former.append(self._refresh_token)
        self._refresh_token = refresh_token
        self._in_file = refresh_token

    def _save(self, tokens: TokenSet) -> None:
        """The token file first, then ``on_refresh``."""
        if self._write_file is not None:
            self._write_file(tokens)
        if self._on_refresh is not None:
            self._on_refresh(tokens)

    def _accept(self, tokens: TokenSet) -> None:
        rotated = TokenSet(
            access_token=tokens.access_token,
            refresh_token=tokens.refresh_token or self._refresh_token,
            expires_at=tokens.expires_at,
            scope=tokens.scope,
        )
        try:
            self._save(rotated)
        except Exception as exc:
            raise AuthError(gettext(
                "a new refresh token was issued but could not be saved ({error}): fix the "
                "token store and run again at once; Xero takes the previous refresh token for "
                "about 30 minutes, other providers may not, and then the app must be "
                "authorised again"
            ).format(error=type(exc).__name__)) from exc
        assert rotated.refresh_token is not None
        self._hold(rotated.refresh_token)
        super()._accept(rotated)

    def _refused(self, failed_before: tuple[str, ...]) -> str:
        """A refusal after the same token request failed (a 5xx, a lost connection): the
        endpoint may have rotated the refresh token in the answer that failed, which never
        came, and voided the one sent again. The request is sent again all the same: Xero
        takes the previous refresh token for 30 minutes after a rotation "if you don't
        receive a response" (developer.xero.com/faq/oauth2/oauth-refresh-fail), and where
        an endpoint does not, the new token was lost with the answer, whatever is done."""
        if not failed_before:
            return super()._refused(failed_before)
        failed = ", ".join(dict.fromkeys(failed_before))
        return (
            f"the token endpoint refused the refresh token when the request was sent again "
            f"after it failed ({failed}): it may have issued a new refresh token in the answer "
            "that failed, which never arrived, voiding this one; re-authorise"
        )

    def _keep_refresh_token(self, value: object) -> str:
        """The endpoint rotated the refresh token (and voided ours) but its access token
        cannot be used: the new refresh token is still saved, so that the next run can
        refresh again rather than the user having to re-authorise."""
        if not isinstance(value, str) or value.strip() in ("", self._refresh_token):
            return ""
        try:
            rotated = TokenSet(access_token="", refresh_token=value)
            self._save(rotated)
        except Exception:  # a token that cannot be kept: the error says so
            return "; the new refresh token could not be kept either: re-authorise"
        assert rotated.refresh_token is not None
        self._hold(rotated.refresh_token)
        return "; the new refresh token was saved: run again"

    def secrets(self) -> Iterable[str]:
        return (*super().secrets(), self._refresh_token, *self._former)


def _invalid_grant(exc: AuthError) -> bool:
    """Whether a token endpoint refused the grant itself (``{"error": "invalid_grant"}``,
    RFC 6749 5.2: the refresh token is dead), rather than the client or the request."""
    return exc.status is not None and 400 <= exc.status < 500 and "invalid_grant" in str(exc)


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
            raise ConfigError(gettext("client_secret is empty"))
        super().__init__(token_url=token_url, client_id=client_id, client_secret=client_secret)
        self._scope = scope

    def _grant(self) -> dict[str, str]:
        grant = {"grant_type": "client_credentials"}
        if self._scope:
            grant["scope"] = self._scope
        return grant
