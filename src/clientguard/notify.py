"""Sending what changed between saved reviews: by e-mail (SMTP with STARTTLS) or to a webhook.

::

    from datetime import UTC, datetime
    from clientguard import notify
    from clientguard.store import Store

    channel = notify.channel_from_environment("webhook")      # CLIENTGUARD_NOTIFY_* only
    with Store.open("clientguard.db") as store:
        result = notify.notify(store, channel, now=datetime.now(UTC))

What it guarantees (``docs/history.md``):

* **Credentials from the environment only.** The SMTP password and the webhook URL (which
  holds the receiver's token) come from ``CLIENTGUARD_NOTIFY_*`` variables, never from the
  config; no error, log or report shows them (:mod:`clientguard.redaction`): the webhook's
  credentials are the URL and the parts of it that are tokens
  (:attr:`WebhookChannel.secrets`), and while it is sent, urllib3's log records (which
  name the URL at DEBUG level) are scrubbed of them as an API client's are
  (:func:`clientguard.http.redact.redacted_logs`).
* **Never the same change twice.** Each change delivered on a channel is recorded in the store
  by its key (:attr:`clientguard.changes.Change.key`); the next run leaves it out.
* **The data drives no chat.** The webhook's ``text`` is plain text (:func:`_chat_text`): a
  client named ``<!channel>`` pings nobody, a Slack or Markdown link in a name is no link,
  and a line break in a name writes no line (docs/security.md, "What the data may not do:
  a chat").
* **A redirect is not followed.** A webhook that answers 3xx fails the send, naming the new
  address's scheme and host only, and nothing is recorded as sent.
* **A failed send is not lost.** Transient failures (a connection error, a 5xx or 429, an SMTP
  4xx) are retried through tenacity; a send that still fails records nothing, and the next run
  compares the newest review with the last one delivered, so its changes are sent then.
* **A flapping client is said once, not every day.** A client whose verdict or worst severity
  goes back and forth (:class:`clientguard.changes.FlapRule`, read from the saved reviews
  alone) has its changes held: one notice says it flaps, between what and since when, and one
  more when it settles, leaves for a standing it had not had, is missing from the newest
  review, or its policy is no longer in use (``flapping=None``: every change is sent, as
  before). A review under a trial policy (another policy, while the flap's is among the
  last :attr:`~clientguard.changes.FlapRule.settle` reviews) neither ends nor starts it: the
  client stays held. A channel's flap notices go ``flapping``, ``stopped_flapping``... each
  once, whatever ``history prune`` removed: notify reads what the channel was told
  (:func:`_flap_notices`), and prune keeps a flap's reviews until every channel told of it was
  told that it stopped.
"""

from __future__ import annotations

import os
import smtplib
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from email.message import EmailMessage
from typing import Any, Literal
from urllib.parse import parse_qsl, unquote, urlsplit

import requests
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from clientguard import history
from clientguard.changes import (
    Change,
    ChangeKind,
    Changes,
    Flap,
    FlapNotice,
    FlapRule,
    ReviewSummary,
    Standing,
    compare,
    flap_ended,
    flap_notices,
    flaps,
)
from clientguard.connector import printable
from clientguard.errors import ClientguardError, ConfigError
from clientguard.http.redact import redacted_logs, secret_name, url_secrets
from clientguard.i18n import gettext as _
from clientguard.i18n import ngettext
from clientguard.redaction import Scrubber
from clientguard.store import SavedReview, Store

__all__ = [
    "DEFAULT_FLAP_RULE",
    "ENV_PREFIX",
    "READABLE_SETTINGS",
    "EmailChannel",
    "NotifyError",
    "NotifyResult",
    "WebhookChannel",
    "channel_from_environment",
    "email_message",
    "environment_secrets",
    "notify",
    "webhook_body",
]

ENV_PREFIX = "CLIENTGUARD_NOTIFY_"
"""Every setting of notify is an environment variable with this prefix."""

ATTEMPTS = 4
"""Tries of one send before it fails (and waits for the next run)."""
DEFAULT_FLAP_RULE = FlapRule()
"""When notify holds a flapping client's changes, unless told otherwise: 3 changes over its
last 6 saved reviews start a flap, 3 reviews at one standing settle it."""
TIMEOUT = 30.0
"""Seconds a connection or a response may take."""
MESSAGE_LIMIT = 200
"""The most characters of a refusing receiver's reply a :class:`NotifyError` quotes (scrubbed
in full first, then cut)."""
TOKEN_LENGTH = 16
"""A part of a webhook URL this long is taken for a token whatever it is made of."""
SHORT_TOKEN_LENGTH = 8
"""A part this long is taken for a token when it holds a digit (a short id or key); shorter
and wordlike parts (``services``, ``hook``, ``IncomingWebhook``) are not."""


class NotifyError(ClientguardError):
    """A send that failed after its retries (nothing is recorded: the next run sends it)."""


class _Transient(Exception):
    """A failure worth another try: a connection error, a 5xx or 429, an SMTP 4xx."""


@dataclass(frozen=True)
class EmailChannel:
    """An SMTP server and who gets the mail."""

    host: str
    port: int
    sender: str
    recipients: tuple[str, ...]
    username: str | None = field(default=None, repr=False)
    password: str | None = field(default=None, repr=False)
    security: Literal["starttls", "none"] = "starttls"
    """``starttls`` (the default): the connection is upgraded before anything else is sent,
    and fails when the server does not offer it. ``none``: plain SMTP, for a relay on this
    machine, never with a password."""
    cafile: str | None = None
    """A CA bundle to trust besides the system's (a company's own mail server)."""
    name: str = "email"

    @property
    def secrets(self) -> tuple[str, ...]:
        return tuple(s for s in (self.password,) if s)


@dataclass(frozen=True)
class WebhookChannel:
    """A URL that takes a JSON POST: a Slack or Teams incoming webhook, or your own."""

    url: str = field(repr=False)
    name: str = "webhook"

    @property
    def secrets(self) -> tuple[str, ...]:
        """What a message must never show: the whole URL (a Slack, Teams or Discord webhook
        URL is itself the credential), the user name and password written into it, each
        query value whose parameter names a credential (``token``, ``sig``, ``key``: see
        :func:`clientguard.http.redact.secret_name`), and each path segment or other query
        value that is a token by its shape (:func:`_token_like`). Whole values only: a
        segment such as ``hook`` or ``services`` is no secret, so it never blanks out a part
        of another word (``webhook``)."""
        try:
            parts = urlsplit(self.url)
            url_parts = url_secrets(self.url)
        except ValueError:  # not a URL (an unclosed "[" of an IPv6 host): the whole is secret
            return (self.url,) if self.url else ()
        found = [self.url, *url_parts, unquote(parts.username or "")]
        found += [s for s in (unquote(p) for p in parts.path.split("/")) if _token_like(s)]
        for key, value in parse_qsl(parts.query, keep_blank_values=False):
            if secret_name(key) or _token_like(value):
                found.append(value)
        return tuple(dict.fromkeys(s for s in found if s))


READABLE_SETTINGS = frozenset(
    {"SMTP_HOST", "SMTP_PORT", "SMTP_SECURITY", "SMTP_CAFILE", "EMAIL_FROM", "EMAIL_TO"})
"""The ``CLIENTGUARD_NOTIFY_*`` settings that are no credential: an error may quote them
(``CLIENTGUARD_NOTIFY_SMTP_PORT '99999' is not a port``). Every other variable of the prefix
is a secret to the command line's last line of defence (:func:`environment_secrets`)."""


def environment_secrets(environ: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """The values of the ``CLIENTGUARD_NOTIFY_*`` variables that are, or may carry, a
    credential: what no text may show. ``SMTP_PASSWORD``; ``SMTP_USER`` (half of the login);
    ``WEBHOOK_URL`` whole, and the parts of it that are secrets
    (:attr:`WebhookChannel.secrets`: a user name and password in it, a token in its path or
    query); and any variable this module does not read (a misspelt ``SMTP_PASSWD`` may hold
    a password). The settings of :data:`READABLE_SETTINGS` are not among them, so that an
    error about them is readable."""
    env = os.environ if environ is None else environ
    found: list[str] = []
    for name, value in env.items():
        if not name.startswith(ENV_PREFIX) or name[len(ENV_PREFIX):] in READABLE_SETTINGS:
            continue
        found += [value, value.strip()]
        if name == ENV_PREFIX + "WEBHOOK_URL":
            found += WebhookChannel(value.strip()).secrets
    return tuple(dict.fromkeys(s for s in found if s))


def _token_like(text: str) -> bool:
    """A part of a URL that is a token by its shape: at least :data:`TOKEN_LENGTH`
    characters, or at least :data:`SHORT_TOKEN_LENGTH` with a digit among them."""
    return len(text) >= TOKEN_LENGTH or (
        len(text) >= SHORT_TOKEN_LENGTH and any(c.isdigit() for c in text))


Channel = EmailChannel | WebhookChannel


def channel_from_environment(
    kind: str, environ: Mapping[str, str] | None = None
) -> Channel:
    """The ``email`` or ``webhook`` channel from ``CLIENTGUARD_NOTIFY_*`` variables.

    ``webhook``: ``CLIENTGUARD_NOTIFY_WEBHOOK_URL``. ``email``: ``..._SMTP_HOST``,
    ``..._SMTP_PORT`` (587), ``..._SMTP_USER``, ``..._SMTP_PASSWORD``, ``..._SMTP_SECURITY``
    (``starttls`` or ``none``), ``..._SMTP_CAFILE``, ``..._EMAIL_FROM``, ``..._EMAIL_TO``
    (comma-separated). Raises :class:`~clientguard.errors.ConfigError` naming what is missing.
    """
    env = os.environ if environ is None else environ

    def get(name: str) -> str | None:
        value = env.get(ENV_PREFIX + name, "").strip()
        return value or None

    def need(name: str) -> str:
        value = get(name)
        if value is None:
            raise ConfigError(
                _("notify {kind}: set {variable} (notify reads its settings and credentials "
                  "from the environment only; docs/history.md)").format(
                    kind=kind, variable=ENV_PREFIX + name
                )
            )
        return value

    if kind == "webhook":
        url = need("WEBHOOK_URL")
        if not url.startswith(("https://", "http://")):
            raise ConfigError(
                _("notify webhook: {variable} is not an http(s) URL").format(
                    variable=ENV_PREFIX + "WEBHOOK_URL"
                )
            )
        return WebhookChannel(url)
    if kind != "email":
        raise ConfigError(
            _("notify: unknown channel {kind}; use email or webhook").format(kind=repr(kind))
        )
    port_text = get("SMTP_PORT") or "587"
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ConfigError(
            _("notify email: {variable} {value} is not a port").format(
                variable=ENV_PREFIX + "SMTP_PORT", value=repr(port_text)
            )
        )
    security = get("SMTP_SECURITY") or "starttls"
    if security not in ("starttls", "none"):
        raise ConfigError(
            _("notify email: {variable} {value}: use starttls or none").format(
                variable=ENV_PREFIX + "SMTP_SECURITY", value=repr(security)
            )
        )
    password = get("SMTP_PASSWORD")
    if security == "none" and password:
        raise ConfigError(
            _("notify email: {variable}=none would send the password unencrypted; use "
              "starttls").format(variable=ENV_PREFIX + "SMTP_SECURITY")
        )
    recipients = tuple(a.strip() for a in need("EMAIL_TO").split(",") if a.strip())
    return EmailChannel(
        host=need("SMTP_HOST"), port=int(port_text), sender=need("EMAIL_FROM"),
        recipients=recipients, username=get("SMTP_USER"), password=password,
        security="none" if security == "none" else "starttls", cafile=get("SMTP_CAFILE"),
    )


# --------------------------------------------------------------------------- the messages


def _title(changes: Changes) -> str:
    count = len(changes.changes)
    text = ngettext("clientguard: {n} change since {before}",
                    "clientguard: {n} changes since {before}", count)
    if changes.before is None:
        text = ngettext("clientguard: {n} finding in the first review",
                        "clientguard: {n} findings in the first review", count)
    return text.format(n=count, before=changes.before)


def email_message(changes: Changes, channel: EmailChannel) -> EmailMessage:
    """The e-mail of ``changes``: plain text, one change a line."""
    message = EmailMessage()
    message["Subject"] = _title(changes) + _(" (review as of {as_of})").format(
        as_of=changes.after)
    message["From"] = channel.sender
    message["To"] = ", ".join(channel.recipients)
    message.set_content("\n".join(f"- {_one_line(c.message)}" for c in changes.changes)
                        + "\n")
    return message


def _one_line(text: str) -> str:
    """``text`` on one line: each line break in it (a client's name can hold one) becomes a
    space, so that one change is one line and no name writes a line that reads as another
    change; and :func:`~clientguard.connector.printable`, so that a control character or a
    bidirectional control in a name (``\\x1b[2J``, U+202E) reaches the mail reader or the
    chat as an escape, never as a control that reorders or hides the line."""
    return printable(" ".join(text.splitlines()))


_CHAT_MARKUP = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def _chat_text(text: str) -> str:
    """``text`` as plain text to a chat's incoming webhook (docs/security.md, "What the data
    may not do: a chat"): ``&``, ``<`` and ``>`` as the HTML entities Slack's formatting
    reference asks for (https://api.slack.com/reference/surfaces/formatting#escaping), so
    that a client named ``<!channel>`` pings nobody and ``<https://evil|Pay here>`` is no
    link; and a space between the ``]`` and ``(`` of a Markdown link ``[Pay here](https://evil)``
    (Teams), which Markdown then shows as the text it is, address included."""
    return text.translate(_CHAT_MARKUP).replace("](", "] (")


def webhook_body(changes: Changes) -> dict[str, Any]:
    """The JSON body of ``changes``: ``text`` (what Slack and Teams incoming webhooks show,
    one change a line, made plain text by :func:`_chat_text`) and the changes as data
    (``as_of``, ``since``, ``changes``, their messages as they are) for a receiver of your
    own."""
    lines = [_title(changes) + _(" (review as of {as_of})").format(as_of=changes.after)]
    lines += [f"- {_one_line(c.message)}" for c in changes.changes]
    return {
        "text": _chat_text("\n".join(lines)),
        "as_of": changes.after.isoformat(),
        "since": changes.before.isoformat() if changes.before else None,
        "changes": [
            {**c.model_dump(mode="json", exclude={"message", "as_of"}), "message": c.message,
             "key": c.key}
            for c in changes.changes
        ],
    }


# --------------------------------------------------------------------------- sending


def _send_email(channel: EmailChannel, message: EmailMessage) -> None:
    context = ssl.create_default_context(cafile=channel.cafile)
    try:
        with smtplib.SMTP(channel.host, channel.port, timeout=TIMEOUT) as smtp:
            smtp.ehlo()
            if channel.security == "starttls":
                if not smtp.has_extn("starttls"):
                    raise NotifyError(
                        _("the SMTP server {server} does not offer STARTTLS: nothing was sent "
                          "(the password never goes unencrypted)").format(
                            server=f"{channel.host}:{channel.port}"
                        )
                    )
                smtp.starttls(context=context)
                smtp.ehlo()
            if channel.username and channel.password:
                smtp.login(channel.username, channel.password)
            smtp.send_message(message)
    except smtplib.SMTPResponseException as exc:
        if 400 <= exc.smtp_code < 500:
            raise _Transient(f"SMTP {exc.smtp_code}") from None
        raise NotifyError(
            _("the SMTP server {server} refused: {reply}").format(
                server=f"{channel.host}:{channel.port}",
                reply=f"{exc.smtp_code} {_text(exc.smtp_error)}",
            )
        ) from None
    except (TimeoutError, smtplib.SMTPServerDisconnected, ConnectionError) as exc:
        raise _Transient(f"{type(exc).__name__}") from None
    except ssl.SSLError as exc:
        raise NotifyError(
            _("TLS with the SMTP server {server} failed: {reason}").format(
                server=f"{channel.host}:{channel.port}", reason=exc.reason
            )
        ) from None
    except OSError as exc:
        raise _Transient(exc.strerror or type(exc).__name__) from None


def _redirect_target(location: str) -> str:
    """`` to https://host`` for a redirect's ``Location``: its scheme and host only, never
    its path or query (a moved webhook's address holds its token); empty when it names
    none."""
    try:
        parts = urlsplit(location.strip())
        host = parts.hostname
    except ValueError:
        return ""
    if not host or parts.scheme not in ("http", "https"):
        return ""
    return _(" to {address}").format(address=f"{parts.scheme}://{host}")


def _text(reply: bytes | str) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else reply


def _post(
    channel: WebhookChannel, body: dict[str, Any], session: requests.Session, scrubber: Scrubber
) -> None:
    try:
        # Never followed: requests turns a POST redirected by 301, 302 or 303 into a GET
        # without the body, whose 200 would record as delivered what nobody got; and a 307
        # or 308 sends the body (the clients' names and findings) on to wherever it points.
        response = session.post(channel.url, json=body, timeout=TIMEOUT, allow_redirects=False)
    except requests.RequestException as exc:
        raise _Transient(type(exc).__name__) from None
    if 300 <= response.status_code < 400:
        raise NotifyError(
            _("the webhook answered HTTP {status} (a redirect{target}), which notify does "
              "not follow: nothing was delivered; set CLIENTGUARD_NOTIFY_WEBHOOK_URL to the "
              "address your chat service or receiver gives now").format(
                status=response.status_code,
                target=_redirect_target(response.headers.get("Location", "")),
            )
        )
    if response.status_code == 429 or response.status_code >= 500:
        raise _Transient(f"HTTP {response.status_code}")
    if response.status_code >= 400:
        # Scrubbed in full, then cut: a cut made first would leave a token's first
        # characters, which no longer match it.
        raise NotifyError(
            _("the webhook refused the message: HTTP {status} {reply}").format(
                status=response.status_code,
                reply=scrubber.shorten(response.text, MESSAGE_LIMIT),
            )
        )


@dataclass(frozen=True)
class NotifyResult:
    """What one run of notify did."""

    before: SavedReview | None
    after: SavedReview
    sent: int
    """Changes delivered now."""
    already_sent: int
    """Changes left out: delivered by an earlier run."""
    held: int = 0
    """Changes of flapping clients left out (their flap notice, sent once, says why)."""
    flapping: tuple[str, ...] = ()
    """The names of the clients that flap at the newest review, in the order of their ids."""


def notify(
    store: Store,
    channel: Channel,
    *,
    now: datetime,
    sleep: Callable[[float], None] = time.sleep,
    session: requests.Session | None = None,
    flapping: FlapRule | None = DEFAULT_FLAP_RULE,
) -> NotifyResult:
    """Send the changes of the newest saved review on ``channel`` and record them.

    The newest review is compared with the newest earlier review under its policy whose
    changes were delivered on the channel (else under any policy, else the review before it:
    :func:`_pair`), so that two configurations run in turn each compare with their own last
    run; changes delivered before are left out; nothing is sent when nothing is left.
    ``now`` (the caller's clock) is recorded with each change sent.

    ``flapping`` is when a client flaps (:class:`~clientguard.changes.FlapRule`, over the saved
    reviews under the newest review's policy): the changes of a client flapping at the newest
    review are held, except an invoice newly overdue, and its notices (it started flapping;
    it stopped) are sent once each, like any change. A client the channel was told flaps
    under a policy still in use (among the last ``flapping.settle`` reviews') stays held at a
    review under another policy, a trial, which says nothing of its flap. None: no client is
    held.

    Raises :class:`NotifyError` when the send fails after its retries (with nothing
    recorded), :class:`~clientguard.errors.ClientguardError` when the store has no saved
    review.
    """
    before, after = _pair(store, channel)
    newest = history.saved_summary(store, after)
    changes = compare(
        history.saved_summary(store, before) if before is not None else None, newest)
    held_names: dict[str, str] = {}
    notices: list[Change] = []
    if flapping is not None:
        notices, held_names = _flap_notices(store, channel.name, before, after, newest,
                                            flapping)

    def held(change: Change) -> bool:
        # An invoice newly overdue is a fact, not a standing that goes back and forth.
        return change.client_id in held_names and change.kind is not ChangeKind.NEWLY_OVERDUE

    kept = [c for c in changes.changes if not held(c)]
    shown = sorted([*kept, *notices], key=_order)
    sent = store.sent_changes(channel.name)
    fresh = tuple(c for c in shown if c.key not in sent)
    result = NotifyResult(before, after, sent=len(fresh), already_sent=len(shown) - len(fresh),
                          held=len(changes.changes) - len(kept),
                          flapping=tuple(held_names[cid] for cid in sorted(held_names)))
    if not fresh:
        store.record_sent(channel.name, [_delivered(after)], review_id=after.id, sent_at=now)
        return result
    changes = changes.model_copy(update={"changes": fresh})
    scrubber = Scrubber(channel.secrets)
    retrying = Retrying(
        stop=stop_after_attempt(ATTEMPTS),
        wait=wait_exponential(multiplier=2, max=60),
        retry=retry_if_exception(lambda exc: isinstance(exc, _Transient)),
        sleep=sleep,
        reraise=True,
    )
    try:
        if isinstance(channel, EmailChannel):
            message = email_message(changes, channel)
            retrying(_send_email, channel, message)
        else:
            http = session or requests.Session()
            try:
                # urllib3 logs the URL (the receiver's token) at DEBUG level.
                with redacted_logs(scrubber.scrub):
                    retrying(_post, channel, webhook_body(changes), http, scrubber)
            finally:
                if session is None:  # a caller's session stays open for the caller
                    http.close()
    except (_Transient, NotifyError) as exc:
        if before is not None:
            store.record_failed(channel.name, baseline=before.id, failed_at=now)
        if isinstance(exc, _Transient):
            failed = ngettext(
                "notify {channel}: the send failed {n} time ({problem}); nothing is recorded "
                "as sent, so the next run sends these changes",
                "notify {channel}: the send failed {n} times ({problem}); nothing is recorded "
                "as sent, so the next run sends these changes",
                ATTEMPTS,
            )
        else:
            failed = _("notify {channel}: the send failed ({problem}); nothing is recorded as "
                       "sent, so the next run sends these changes")
        raise NotifyError(scrubber.scrub(
            failed.format(channel=channel.name, n=ATTEMPTS, problem=exc)
        )) from None
    store.record_sent(channel.name, [*(c.key for c in fresh), _delivered(after)],
                      review_id=after.id, sent_at=now)
    return result


_KIND_RANK = {kind: rank for rank, kind in enumerate(ChangeKind)}


def _order(change: Change) -> tuple[bool, str, int, str, str]:
    """The order of a message's lines: as :func:`~clientguard.changes.compare` orders them
    (the book first, then by client, then by kind), a client's flap notices after its
    changes, by date."""
    return (change.client_id is not None, change.client_id or "", _KIND_RANK[change.kind],
            change.as_of.isoformat(), change.subject)


def _flaps(store: Store, after: SavedReview, rule: FlapRule) -> dict[str, tuple[Flap, ...]]:
    """Each client's flaps (:func:`~clientguard.changes.flaps`) over the saved reviews under
    ``after``'s policy up to its date (another policy's verdicts would be changes of the
    policy, not of the client), by client id; a review a client is missing from stops its
    flap."""
    standings: dict[str, list[Standing]] = {}
    names: dict[str, str] = {}
    for saved, row in store.client_history():
        if saved.policy_digest != after.policy_digest or saved.as_of > after.as_of:
            continue
        cid = str(row["client_id"])
        standings.setdefault(cid, []).append(Standing(
            as_of=saved.as_of, verdict=str(row["verdict"]), severity=row.get("severity")))
        names[cid] = str(row.get("name") or cid)
    reviews = [s.as_of for s in store.saved_reviews()
               if s.policy_digest == after.policy_digest and s.as_of <= after.as_of]
    return {cid: flaps(cid, names[cid], standings[cid], rule, reviews=reviews)
            for cid in sorted(standings)}


def _flap_notices(
    store: Store, channel: str, before: SavedReview | None, after: SavedReview,
    newest: ReviewSummary, rule: FlapRule,
) -> tuple[list[Change], dict[str, str]]:
    """The flap notices to send on ``channel`` now, and the clients whose changes are held
    (their names, by id).

    The saved reviews say who flaps (:func:`_flaps`); what the channel was told
    (:func:`~clientguard.changes.last_flap_notices`) says what is news to it, so that each
    client's notices on a channel go ``flapping``, ``stopped_flapping``, ``flapping``... and
    a client is held only while the channel was last told that it flaps. Whatever
    ``history prune`` removed, then: a flap the channel was told of is not told again when
    fewer reviews make it seem to start later, and when the reviews no longer show it
    flapping (they were removed; its policy is no longer in use), the channel is told that it
    stopped (:func:`~clientguard.changes.flap_ended`).

    Each flap is counted under one policy, the one it was told under
    (:func:`~clientguard.history.told_flaps`). A review under another policy while that one
    is among the newest ``rule.settle`` reviews is a trial (:func:`_trial`): it says nothing
    of the flap and the client stays held; the next review under the flap's policy goes on
    counting it, as if the trials had not been saved: ``before`` is the newest review
    delivered under that policy (:func:`_pair`), whose date says which of its flap's notices
    are news and which review the client's changes are compared from. Each notice's key names
    the policy its flap was counted under (:attr:`~clientguard.changes.Change.policy_digest`):
    two policies' flaps of a client, started the same day at the same standing, are two
    notices. Once the flap's policy
    has been unused for ``rule.settle`` reviews in a row it was changed, not tried, and the
    flap is said to stop (unless the client flaps under the new policy too: then it stays
    held, as the same flap)."""
    found = _flaps(store, after, rule)
    sent = store.sent_changes(channel)
    saved = store.saved_reviews()
    told = history.told_flaps(store, channel, saved)
    # The policies of the newest reviews, as many as settle a flap, up to ``after``: a flap
    # counted under one of them is under a policy still in use.
    upto = [s for s in saved if (s.as_of, s.id) <= (after.as_of, after.id)]
    in_use = {s.policy_digest for s in upto[-rule.settle:]}
    notices: list[Change] = []
    held: dict[str, str] = {}
    for cid in sorted(found.keys() | told.keys()):
        own = found.get(cid, ())
        last = told.get(cid)
        told_flapping = last is not None and last.kind is ChangeKind.FLAPPING
        if told_flapping and last is not None and _trial(last, after, in_use):
            # Said to flap under a policy still in use, and ``after`` is under another (a
            # trial): its reviews neither end that flap nor start one, and the client's
            # changes stay held as the channel was told.
            held[cid] = _name(store, cid, newest)
            continue
        since = before
        # Counted under ``after``'s policy (_flaps): its notices say so in their keys.
        due = [notice.model_copy(update={"policy_digest": after.policy_digest})
               for notice in flap_notices(own, rule, since=since.as_of if since else None,
                                          until=after.as_of)]
        for notice in sorted(due, key=lambda c: c.as_of):
            # A start while the channel was told it flaps is the same flap, seen from fewer
            # reviews; a stop of a flap it was not told of is none of its business.
            if (_sent_before(notice, sent, last)
                    or (notice.kind is ChangeKind.FLAPPING) == told_flapping):
                continue
            told_flapping = notice.kind is ChangeKind.FLAPPING
            notices.append(notice)
        running = bool(own) and own[-1].running
        if running and told_flapping:
            held[cid] = own[-1].name
        elif told_flapping and last is not None:
            notices.append(_flap_ended(store, last, after, newest, upto))
    return notices, held


def _sent_before(notice: Change, sent: set[str], told: FlapNotice | None) -> bool:
    """``notice`` (of a flap of its policy) was delivered on the channel: by its key, or, when
    the notice in force on the channel (``told``) was delivered before keys named a policy,
    by the key it then had (a flap told before is not told again)."""
    if notice.key in sent:
        return True
    legacy = told is not None and told.flap_policy is None
    return legacy and notice.model_copy(update={"policy_digest": None}).key in sent


def _trial(told: FlapNotice, after: SavedReview, in_use: set[str]) -> bool:
    """``after`` is under a trial policy for the flap the channel was told of (``told``, a
    ``flapping`` notice): another policy than the flap's, while the flap's policy is among
    those of the newest reviews (``in_use``: as many as :attr:`FlapRule.settle`). A policy
    unused for that many reviews in a row was changed, not tried: the flap ends
    (:func:`_flap_ended`)."""
    return (told.policy_digest is not None and told.policy_digest != after.policy_digest
            and told.policy_digest in in_use)


def _name(store: Store, client_id: str, newest: ReviewSummary) -> str:
    """The client's name in the newest review, else in the newest saved review it is in."""
    client = newest.clients.get(client_id)
    if client is not None:
        return client.name
    return next((str(row.get("name") or client_id)
                 for _saved, row in reversed(store.client_history(client_id))), client_id)


def _flap_ended(store: Store, told: FlapNotice, after: SavedReview, newest: ReviewSummary,
                upto: list[SavedReview]) -> Change:
    """The notice that a flap the channel was told of (``told``) is no longer seen: its
    policy is no longer in use (``upto``, the saved reviews up to ``after``, end with reviews
    under other policies, as many as settle a flap), or the reviews that showed it are
    gone."""
    client = newest.clients.get(told.client_id)
    now = Standing(as_of=after.as_of, verdict=client.verdict, severity=client.severity) \
        if client is not None else None
    since: date | None = None
    if told.policy_digest is not None and told.policy_digest != after.policy_digest:
        # The first of the newest reviews under other policies than the flap's.
        for saved in reversed(upto):
            if saved.policy_digest == told.policy_digest:
                break
            since = saved.as_of
    ended = flap_ended(told, _name(store, told.client_id, newest), now, as_of=after.as_of,
                       other_policy_since=since)
    # The stop of the flap of the policy it was told under: its key names that policy.
    return ended.model_copy(update={"policy_digest": told.flap_policy or told.policy_digest})


def _delivered(review: SavedReview) -> str:
    """The key that marks ``review`` delivered, even when it had nothing new to send."""
    return f"@delivered|{review.as_of.isoformat()}|{review.policy_digest}"


def _pair(store: Store, channel: Channel) -> tuple[SavedReview | None, SavedReview]:
    """The newest review, and the one to compare it with: the newest earlier review under
    the newest's policy whose changes were delivered on ``channel`` (or that a failed send
    compared from), else the newest earlier one delivered under any policy (a policy new to
    the channel: its differences are sent once), else the one before it.

    Under its own policy: two configurations run in turn (a review under A, then B, then
    A...) each compare with their own last run, so a day's changes go once, and what one
    policy says that the other does not is not sent again at every run."""
    before, after = history.reviews_to_compare(store)
    delivered = store.delivered_reviews(channel.name)
    pending = store.pending_baseline(channel.name)
    saved = [s for s in store.saved_reviews() if s.id != after.id and s.as_of <= after.as_of]
    own = [s for s in saved if s.policy_digest == after.policy_digest]
    for candidates in (own, saved):
        earlier = ([s for s in candidates if s.id in delivered]
                   or [s for s in candidates if s.id == pending])
        if earlier:
            return earlier[-1], after
    return before, after
