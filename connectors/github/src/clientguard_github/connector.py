"""The GitHub issues connector: issues of named repositories as work requests.

::

    import clientguard as cg

    conn = cg.connectors.load("github")(
        token="...", repositories=["acme/website"],
        clients=[{"customer": "xero:8f0c...", "repository": "acme/website"}],
    )

Reading (docs.github.com/en/rest/issues/issues#list-repository-issues):

* ``GET /repos/{owner}/{repo}/issues?state=all&sort=created&direction=asc&per_page=100``
  for each repository, with ``Authorization: Bearer <token>``, ``Accept:
  application/vnd.github+json`` and ``X-GitHub-Api-Version``. Paging follows the ``Link``
  header's ``rel="next"`` address as GitHub gives it, until there is none, and only on the
  server of ``base_url`` (the same scheme, host and port): an address elsewhere stops the read
  with an :class:`~clientguard.errors.ApiError` before the token is sent there
  (:meth:`clientguard.http.ApiClient.next_url`).
* Pull requests come through the same endpoint (they carry ``pull_request``): left out,
  counted. So is an issue closed as a duplicate (``state_reason`` ``duplicate``) or labelled
  as one (``duplicate_labels``, GitHub's default ``duplicate`` label): the request it repeats
  is counted once, under the issue it duplicates.
* Incremental: ``since`` (issues updated at or after it) from the stream's cursor, the
  latest ``updated_at`` seen. Pages are numbered positions in the order issues were opened
  (``sort=created``), which an edit never changes: in ``sort=updated`` order an issue edited
  between two pages moved to the end, every issue after it moved up a place, and the one
  that crossed onto the page already read was never read (its change older than the
  cursor). Repositories are read one after another: the cursor advances when the stream
  ends.
* A deletion while paging: an issue deleted or transferred to another repository between
  two page requests leaves the list, and every issue after it moves up a place. GitHub
  gives no count, so each page after the first is checked at its boundary
  (:class:`~clientguard.http.PageBoundaries`): unless it begins with an issue already read,
  the place before it (``per_page=1&page=<place>``) must still hold the last issue read;
  else the read stops with :class:`~clientguard.http.SourceChanged` (nothing pruned, the
  cursor kept: run the sync again) rather than missing an untouched issue.
* Moved milestones: a milestone's new due date leaves its issues' ``updated_at`` as it was,
  so ``since`` does not list them. Each incremental read lists the repository's milestones
  (``GET /repos/{owner}/{repo}/milestones?state=all``, paged) and reads again the issues of
  each one changed at or after ``since`` (``GET .../issues?milestone=<number>&state=all``).
* Rate limits: a 403 or 429 with ``x-ratelimit-remaining: 0`` waits until
  ``x-ratelimit-reset``; one with ``Retry-After`` (a secondary limit) waits that long; a
  secondary limit that names no time waits a minute, as GitHub asks
  (:func:`classify_github`). A wait longer than ``max_wait`` fails at once saying when to
  try again.
* Each issue is a work request of the client the configuration's rules give it
  (:mod:`clientguard.tickets`): ``requested_on`` the day it was opened, ``wanted_by`` the date
  of its ``due:YYYY-MM-DD`` label, else its milestone's due date.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar, Self
from urllib.parse import quote
from zoneinfo import ZoneInfo

import requests
from pydantic import Field, SecretStr, field_validator, model_validator

from clientguard.connector import (
    ConnectorOptions,
    Mapped,
    RawPage,
    Skip,
    Stream,
    zone_option,
)
from clientguard.errors import ApiError, AuthError, DataError, ErrorContext, RateLimitError
from clientguard.http import (
    BearerToken,
    Boundary,
    HttpConnector,
    HttpOptions,
    HttpStream,
    MissingRecords,
    PageBoundaries,
    Paginator,
    SourceChanged,
    Verdict,
    classify,
    decode_json,
    records_in,
    redirect_refused,
    request_id_of,
    response_date,
)
from clientguard.records import Location
from clientguard.tickets import TicketRule, client_of, same_text, work_request

__all__ = [
    "API_VERSION",
    "MILESTONE_ZONE",
    "REPOSITORY_KEY",
    "SECONDARY_WAIT",
    "SOURCE",
    "GitHubConnector",
    "GitHubOptions",
    "GitHubRule",
    "classify_github",
]

SOURCE = "github"
API_VERSION = "2022-11-28"
"""The REST API version sent as ``X-GitHub-Api-Version``."""
REPOSITORY_KEY = "clientguard:repository"
"""The key under which the connector adds the repository to each raw issue (not GitHub's)."""
SECONDARY_WAIT = 60.0
"""Seconds to wait after a secondary rate limit that names no time, as GitHub asks."""
MILESTONE_ZONE = ZoneInfo("America/Los_Angeles")
"""The zone in which GitHub stores a milestone's due day: ``due_on`` is midnight Pacific of
the day set (``2026-05-06T07:00:00Z`` in summer, ``T08:00:00Z`` in winter; GitHub floors any
time it is given to that midnight, as reported in microsoft/PowerShellForGitHub#133 and
wordpress-mobile/release-toolkit#419). The day GitHub shows is ``due_on``'s date there."""

_REPOSITORY = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
_REAUTHORISE = (
    "check the token (GitHub > Settings > Developer settings > Personal access tokens: a "
    "fine-grained token with read access to the repositories' issues), and that it is not "
    "expired"
)


_MOVED = "a repository renamed or transferred: set repositories to its new owner/name"
"""What to do about a redirect on GitHub's own server (:func:`redirect_refused`)."""


def classify_github(response: requests.Response, *, now: datetime | None = None) -> Verdict:
    """What a GitHub response means: :func:`~clientguard.http.classify`, with GitHub's rate
    limits (a 403 as well as a 429) waited out rather than taken for a refusal. Pure."""
    verdict = classify(response, now=now)
    if 300 <= response.status_code < 400 and response.status_code != 304:
        # GitHub answers 301 for a renamed or transferred repository, on its own server
        # (Location: /repositories/<id>/...): the option to fix is repositories.
        return Verdict(verdict.action, verdict.status,
                       redirect_refused(response, moved=_MOVED), verdict.error,
                       request_id=verdict.request_id)
    if response.status_code not in (403, 429):
        return verdict
    headers = response.headers
    if headers.get("x-ratelimit-remaining") == "0" and headers.get("x-ratelimit-reset"):
        reference = now or response_date(response)
        try:
            reset = datetime.fromtimestamp(int(headers["x-ratelimit-reset"]), UTC)
        except (ValueError, OverflowError, OSError):
            reset = None
        seconds = (
            max(0.0, (reset - reference).total_seconds())
            if reset is not None and reference is not None
            else None
        )
        when = f"; it resets at {reset:%Y-%m-%d %H:%M:%S} UTC" if reset else ""
        return Verdict("wait", verdict.status, f"rate limit{when}", RateLimitError,
                       retry_after=seconds, request_id=request_id_of(response))
    # A 429 is a rate limit whatever language the verdict's words are in; a 403 is one where
    # GitHub's own message (never translated) says so.
    if (verdict.retry_after is not None or verdict.status == 429
            or "rate limit" in verdict.reason.lower()):
        return Verdict("wait", verdict.status, "secondary rate limit", RateLimitError,
                       retry_after=verdict.retry_after if verdict.retry_after is not None
                       else SECONDARY_WAIT, request_id=request_id_of(response))
    return verdict


class GitHubRule(TicketRule):
    """A rule of the ``clients`` option: the customer, and what its issues have. Every
    condition given must hold; give at least one."""

    repository: str | None = None
    """The repository, ``owner/name``."""
    label: str | None = None
    """A label the issue has."""

    @model_validator(mode="after")
    def _has_a_condition(self) -> Self:
        if not self.conditions():
            raise ValueError("a rule needs a condition: repository or label")
        return self

    def matches(self, ticket: Mapping[str, Any]) -> bool:
        if self.repository is not None and not same_text(
            ticket.get("repository"), self.repository
        ):
            return False
        return self.label is None or any(
            same_text(label, self.label) for label in ticket.get("labels") or ()
        )


class GitHubOptions(HttpOptions):
    """Options of the GitHub issues connector (keyword arguments)."""

    token: SecretStr
    """A token that can read the repositories' issues (a secret: from the environment)."""
    repositories: list[str] = Field(min_length=1)
    """The repositories to read, ``owner/name``."""
    clients: list[GitHubRule] = Field(min_length=1)
    """The rules that map issues to clients (see docs/connectors/github.md)."""
    wanted_label_prefix: str = Field(default="due:", min_length=1)
    """A label made of this prefix and a date (``due:2026-05-06``) names the wanted date;
    without one, the milestone's due date does."""
    duplicate_labels: list[str] = Field(default_factory=lambda: ["duplicate"])
    """Labels that mark an issue as a duplicate of another (GitHub's default label
    ``duplicate``): such an issue is left out, as one closed as a duplicate is; ``[]``: none."""
    timezone: str = "UTC"
    """The firm's time zone: turns the moment an issue was opened into the day it was asked
    for. (A milestone's due day is GitHub's own, stored at midnight Pacific: see
    :data:`MILESTONE_ZONE`.)"""
    page_size: int = Field(default=100, ge=1, le=100)
    """Issues (and milestones) per request (1..100)."""
    base_url: str = "https://api.github.com"
    """Where the API is (GitHub Enterprise Server: ``https://HOST/api/v3``); a proxy or a
    local test server."""
    user_agent: str = Field(default="clientguard-github", min_length=1)
    """The ``User-Agent`` GitHub requires."""

    @field_validator("repositories")
    @classmethod
    def _repositories(cls, value: list[str]) -> list[str]:
        names = [v.strip().removesuffix(".git") for v in value]
        for name in names:
            if not _REPOSITORY.match(name):
                raise ValueError(f"{name!r} is not a repository: write owner/name")
        return list(dict.fromkeys(names))

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        return zone_option(value)


def _moment(value: object, field: str) -> datetime:
    if not isinstance(value, str) or not value.strip():
        raise DataError(f"{field}: is missing")
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise DataError(f"{field}: {value!r} is not a date-time") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _version(issue: Mapping[str, Any]) -> tuple[object, ...]:
    """What says an issue read twice in one sync is the same: its own change time and its
    milestone's (whose edits leave the issue's ``updated_at`` as it was)."""
    milestone = issue.get("milestone")
    if not isinstance(milestone, Mapping):
        return (issue.get("updated_at"), None)
    return (issue.get("updated_at"), milestone.get("number"), milestone.get("due_on"),
            milestone.get("updated_at"))


def _labels(raw: Mapping[str, Any]) -> list[str]:
    found = []
    for label in raw.get("labels") or ():
        name = label.get("name") if isinstance(label, Mapping) else label
        if isinstance(name, str) and name.strip():
            found.append(name.strip())
    return found


LOOP_AFTER = 3
"""How many times in a row the same page of a GitHub list comes before the read is a paging
loop (and how many pages in a row hold only issues read already, plus one). Issues edited
during an incremental read join its ``since`` list ahead of the read position: ``per_page``
of them shift the list by a whole page, so the next page is the page just read, once. A
server that ignores ``?page=`` repeats it for ever."""


class _LinkPages(Paginator):
    """The pages of one GitHub list, for the shared loop guard
    (:meth:`~clientguard.http.Paginator.advance`): the first page is asked for as the list
    is, each next one at the address its page before names in ``Link`` (``rel="next"``).
    The same page may come twice in a row (a shift, :data:`LOOP_AFTER`)."""

    loop_after = LOOP_AFTER

    def __init__(self) -> None:
        super().__init__()
        self.read_already_in_a_row = 0
        """Pages in a row, up to this one, whose every issue was read already."""

    def first(self) -> dict[str, Any]:
        return {}

    def _next(
        self, response: requests.Response, body: Any, records: Sequence[Mapping[str, Any]]
    ) -> dict[str, Any] | None:
        following = response.links.get("next", {}).get("url")
        return {"url": following} if following else None


class GitHubConnector(HttpConnector):
    """GitHub issues: issues as work requests of the clients the rules give them.

    Options: see :class:`GitHubOptions`; ``clock`` and ``progress`` as for every connector.
    """

    name: ClassVar[str] = SOURCE
    summary: ClassVar[str] = "GitHub issues: issues as work requests (opened, wanted date)"
    Options: ClassVar[type[ConnectorOptions]] = GitHubOptions
    lookback: ClassVar[timedelta] = timedelta(seconds=1)
    streams: ClassVar[tuple[Stream, ...]] = (
        HttpStream(
            name="work_requests",
            kind="work_request",
            path="repos/{repository}/issues",
            id_field="number",
            cursor_field="updated_at",
            duplicates="latest",
            description="Issues with a wanted date (a due: label or the milestone's due "
            "date), as work requests of the client a rule maps them to; pull requests and "
            "unmatched issues are counted, never guessed.",
        ),
    )

    options: GitHubOptions

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        opts = self.options
        self.zone = ZoneInfo(opts.timezone)
        self.client = self.api_client(
            opts.base_url.rstrip("/") + "/",
            # A refused token's error says what to do (_REAUTHORISE): GitHub has no refresh.
            auth=BearerToken(opts.token.get_secret_value(), when_refused=None),
            headers={
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": API_VERSION,
                "User-Agent": opts.user_agent,
            },
            classifier=classify_github,
        )

    def fetch(self, stream: Stream, *, since: datetime | None) -> Iterator[RawPage]:
        if not isinstance(stream, HttpStream):
            raise TypeError(f"stream {stream.name!r} is not an HttpStream")
        try:
            for repository in self.options.repositories:
                yield from self._issues(stream, repository, since)
        except AuthError as exc:
            said = str(exc).removesuffix(f" ({exc.context.describe()})")
            raise AuthError(f"{said}. GitHub refused the token: {_REAUTHORISE}",
                            exc.context) from None
        yield RawPage((), last=True)

    def _issues(
        self, stream: HttpStream, repository: str, since: datetime | None
    ) -> Iterator[RawPage]:
        """One repository's issues (changed since ``since``), then, on an incremental read,
        those of every milestone changed since then: a milestone's new due date leaves its
        issues' ``updated_at`` as it was, so ``since`` alone never reads them again."""
        owner_repo = "/".join(quote(part, safe="") for part in repository.split("/"))
        path = stream.path.format(repository=owner_repo)
        # In the order issues were opened, which no edit changes: the pages are positions
        # in it (see the module's docstring).
        first: dict[str, Any] = {
            "state": "all", "sort": "created", "direction": "asc",
            "per_page": self.options.page_size,
        }
        if since is not None:
            first["since"] = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        # What each issue read so far said (by number): read again unchanged through its
        # milestone, it is not yielded twice (nor counted twice among the skipped).
        read: dict[object, tuple[object, ...]] = {}
        for issues, where in self._list(stream, path, first, by_position=repository):
            read.update((issue.get("number"), _version(issue)) for issue in issues)
            yield RawPage.of([{**issue, REPOSITORY_KEY: repository} for issue in issues],
                             Location(detail=where), last=False)
        if since is None:
            return  # a full read: every issue came with its milestone as it is now
        for number in self._moved_milestones(stream, owner_repo, since):
            params = {**first, "milestone": str(number)}
            del params["since"]
            for issues, where in self._list(stream, path, params, by_position=repository):
                again = [{**issue, REPOSITORY_KEY: repository} for issue in issues
                         if read.get(issue.get("number")) != _version(issue)]
                yield RawPage.of(again, Location(detail=f"{where} (milestone {number})"),
                                 last=False)

    def _moved_milestones(
        self, stream: HttpStream, owner_repo: str, since: datetime
    ) -> list[int]:
        """The numbers of the repository's milestones (open and closed) changed at or after
        ``since``: a new due date, title or state, or removed due date. All are listed (one
        request per hundred milestones): GitHub sorts milestones only by ``due_on`` or
        ``completeness``, so no order lets the read stop at the first unchanged one."""
        path = f"repos/{owner_repo}/milestones"
        params = {"state": "all", "per_page": self.options.page_size}
        moved: list[int] = []
        for milestones, where in self._list(stream, path, params):
            for milestone in milestones:
                number = milestone.get("number")
                if isinstance(number, bool) or not isinstance(number, int) or number < 1:
                    raise ApiError(
                        f"{where}: a milestone without a number ({number!r}); its issues "
                        "cannot be read again: report it, or sync with --full",
                        ErrorContext(connector=self.name, stream=stream.name),
                    )
                try:
                    changed = _moment(milestone.get("updated_at"), "updated_at") >= since
                except DataError:
                    changed = True  # no readable change time: read its issues again
                if changed and number not in moved:
                    moved.append(number)
        return moved

    def _list(
        self, stream: HttpStream, path: str, first: dict[str, Any], *,
        by_position: str | None = None,
    ) -> Iterator[tuple[list[dict[str, Any]], str]]:
        """One GitHub list, page by page (its items, and the page named for errors and
        locations), following the ``Link`` header on the API's server only.

        ``by_position`` (the repository, for the messages) makes it a list of issues in the
        order they were opened, whose pages are positions: each page after the first is then
        checked at its boundary (:meth:`_check_boundary`), so that an issue deleted or
        transferred while the pages are read stops the read with
        :class:`~clientguard.http.SourceChanged` instead of an untouched issue after it
        crossing onto a page already read, unseen."""
        # The next page's address carries every parameter: it is followed as it is.
        params: dict[str, Any] | None = first
        url: str | None = path
        number = 0
        pages = _LinkPages()
        read: set[str] = set()
        boundaries = PageBoundaries() if by_position is not None else None
        while url is not None:
            number += 1
            self.before_request(stream)
            response = self.client.request("GET", url, params=params, stream=stream.name,
                                           what=f"GET {path} page {number}")
            label = f"page {number} of {path}"
            body = decode_json(response, client=self.client, what=label, stream=stream.name)
            following = response.links.get("next", {}).get("url")
            try:
                listed = records_in(body, None)
                if following and not listed:
                    raise MissingRecords("an empty list, though GitHub names a next page")
            except MissingRecords as exc:
                raise self.missing_records(exc, stream=stream.name, page=label,
                                           response=response) from None
            if following:
                # Only on the configured API's server: the token goes with the request.
                following = self.client.next_url(following, stream=stream.name,
                                                 what=f"GET {path} page {number}")
            self._guard_loop(pages, response, body, listed, read, stream, path, number)
            url, params = (following, None) if following else (None, None)
            if boundaries is not None and by_position is not None:
                due = boundaries.take([str(item.get("number")) for item in listed])
                if due is not None:
                    self._check_boundary(stream, path, first, due, by_position)
            yield [dict(item) for item in listed], f"GET {path} page {number}"

    def _guard_loop(
        self, pages: _LinkPages, response: requests.Response, body: Any,
        listed: Sequence[Mapping[str, Any]], read: set[str], stream: HttpStream, path: str,
        number: int,
    ) -> None:
        """Stop the read of ``path`` with an :class:`ApiError` (a paging loop) instead of
        reading on for ever when GitHub (or a proxy) ignores the page asked for while its
        ``Link`` names one more: page ``number`` repeats the page before, or its ``Link``
        names a page already read (the shared guard, :meth:`~clientguard.http.Paginator.
        advance`, :data:`LOOP_AFTER` times in a row), or every record on it and on the page
        before, by ``number``, was read already (pages that cycle:
        :class:`~clientguard.http.PageBoundaries` asks for no check on a page that begins
        with a record read already). One such page is read on: the list shifted by a whole
        page (issues edited mid-read joined it ahead of the read position), its issues are
        dropped as duplicates, and those that joined are read by the next sync. ``read``
        gathers the numbers read so far."""
        context = ErrorContext(connector=self.name, stream=stream.name,
                               status=response.status_code)
        try:
            pages.advance(response, body, listed)
        except ApiError as exc:
            raise ApiError(f"GET {path}: {exc}; the read stops here", context) from None
        numbers = [str(n) for item in listed
                   if isinstance(n := item.get("number"), int) and not isinstance(n, bool)]
        if listed and len(numbers) == len(listed) and read.issuperset(numbers):
            pages.read_already_in_a_row += 1
        else:
            pages.read_already_in_a_row = 0
        if pages.read_already_in_a_row >= LOOP_AFTER - 1:
            raise ApiError(
                f"GET {path}: paging loop: page {number} of {path} holds only records "
                f"already read (numbers {', '.join(numbers)}), as did page {number - 1}: "
                "GitHub ignored the page asked for; the read stops here (nothing of the "
                "stream was pruned, and its cursor did not move): run the sync again",
                context,
            )
        read.update(numbers)

    def _check_boundary(
        self, stream: HttpStream, path: str, first: dict[str, Any], due: Boundary,
        repository: str,
    ) -> None:
        """Ask the list (``first``'s parameters) for the one issue at ``due.place``
        (``per_page=1&page=<place>``); raise :class:`~clientguard.http.SourceChanged` unless
        it is ``due.expected``, the last issue read."""
        label = f"place {due.place} of {path}"
        self.before_request(stream)
        response = self.client.request(
            "GET", path, params={**first, "per_page": 1, "page": due.place},
            stream=stream.name, what=f"GET {label}")
        body = decode_json(response, client=self.client, what=label, stream=stream.name)
        try:
            there = records_in(body, None)
        except MissingRecords as exc:
            raise self.missing_records(exc, stream=stream.name, page=label,
                                       response=response) from None
        if not there or str(there[0].get("number")) != due.expected:
            raise SourceChanged(
                f"the issues of {repository} changed on GitHub while their pages were read: "
                f"after page {due.page}, place {due.place} of the list (in the order issues "
                f"were opened) no longer held issue #{due.expected}, the last one read (most "
                "likely an issue was deleted or transferred to another repository during the "
                "sync)",
                ErrorContext(connector=self.name, stream=stream.name),
            )

    def raw_id(self, stream: Stream, raw: Mapping[str, Any]) -> str | None:
        number = raw.get("number")
        repository = raw.get(REPOSITORY_KEY)
        if number is None or not repository:
            return None
        return f"{repository}#{number}"

    def wanted_by(self, raw: Mapping[str, Any], labels: list[str]) -> date | None:
        """The wanted date: a ``due:`` label's, else the milestone's due day (the date of
        ``due_on`` in :data:`MILESTONE_ZONE`, the day GitHub shows, whatever the firm's zone);
        None when neither says."""
        prefix = self.options.wanted_label_prefix
        named = sorted({
            label[len(prefix):].strip() for label in labels
            if label.casefold().startswith(prefix.casefold())
        })
        if len(named) > 1:
            raise DataError(
                f"labels: {len(named)} wanted dates ({', '.join(named)}); keep one {prefix} label"
            )
        if named:
            try:
                return date.fromisoformat(named[0])
            except ValueError:
                raise DataError(
                    f"labels: {prefix}{named[0]!r} does not name a date ({prefix}YYYY-MM-DD)"
                ) from None
        milestone = raw.get("milestone")
        due = milestone.get("due_on") if isinstance(milestone, Mapping) else None
        if due is None:
            return None
        # A day stored as a moment (midnight Pacific): read in the firm's zone, west of
        # Pacific time (Honolulu, Anchorage) it fell on the day before the one set.
        return _moment(due, "milestone.due_on").astimezone(MILESTONE_ZONE).date()

    def to_model(self, stream: Stream, raw: Mapping[str, Any]) -> Mapped:
        ident = self.raw_id(stream, raw)
        if ident is None:
            raise DataError("number: is missing")
        if raw.get("pull_request") is not None:
            return Skip("pull request, not an issue")
        labels = _labels(raw)
        # A duplicate repeats a request another issue already counts: counting it too would
        # make one request two (and one rush two).
        if raw.get("state_reason") == "duplicate" or any(
            same_text(label, marker) for label in labels
            for marker in self.options.duplicate_labels
        ):
            return Skip("a duplicate of another issue (closed as a duplicate, or labelled so)",
                        deleted=True)
        wanted = self.wanted_by(raw, labels)
        if wanted is None:
            return Skip(
                f"no wanted date (a {self.options.wanted_label_prefix} label or the "
                "milestone's due date)", deleted=True,
            )
        opened = _moment(raw.get("created_at"), "created_at").astimezone(self.zone).date()
        repository = str(raw.get(REPOSITORY_KEY))
        ticket = {"repository": repository, "labels": labels}
        rule = client_of(self.options.clients, ticket, has=f"repository {repository}")
        if isinstance(rule, Skip):
            # No longer a request of a client: a copy an earlier sync stored goes too.
            return Skip(rule.reason, deleted=True)
        return work_request(ident, rule, requested_on=opened, wanted_by=wanted, source=SOURCE)

