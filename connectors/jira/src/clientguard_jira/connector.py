"""The Jira Cloud connector: issues as work requests, by JQL, incremental on ``updated``.

::

    import clientguard as cg

    conn = cg.connectors.load("jira")(
        site="acme.atlassian.net", email="ops@example.com", api_token="...",
        clients=[{"customer": "xero:8f0c...", "project": "ACME"}],
    )

Reading (developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-search):

* ``GET /rest/api/3/search/jql`` with ``jql``, ``fields`` and ``maxResults``, paged by the
  body's ``nextPageToken`` (absent, or ``isLast`` true, on the last page; ``isLast`` false
  without a token fails the read), in creation order
  (``ORDER BY created ASC, key ASC``): Atlassian does not say what the token names, and if
  it is a position, a list in change order skips an untouched issue whenever one already
  read is edited between two pages (it moves to the end); an edit moves nothing in creation
  order. Instances that still serve the older ``GET /rest/api/3/search`` are read with
  ``legacy_search=True``, paged by ``startAt`` (a position) until ``total``, in key order
  (``ORDER BY key ASC``), each page after the first from the last issue read, one more
  (:class:`StartAtPaginator`). The cursor moves when the stream ends.
* Authentication: HTTP Basic with the account's email and an API token (Atlassian account >
  Security > API tokens). The token, and the Basic credentials made from it, never appear in
  a log line, an error or a repr.
* Incremental: ``updated >= "yyyy-MM-dd HH:mm"`` from the stream's cursor (the latest
  ``updated`` seen, never past the sync's start), which moves when the stream's last page
  is stored (the pages are not in change order, see above). JQL reads a date to the minute
  in the time zone of the Jira profile of the token's user, which an incremental sync reads
  once (``GET /rest/api/3/myself``'s ``timeZone``): the cursor is written in that zone,
  floored to its minute, and the repeats are de-duplicated by the issue's ``id``. When the
  profile cannot be read or names no zone, the cursor is written as UTC less 12 hours (the
  furthest a zone is behind UTC), with a note: whatever zone Jira reads it in, it names a
  moment at or before the cursor, so an issue is read again rather than missed.
* Rate limits: Jira answers 429 with ``Retry-After``, which the HTTP layer waits out.
* Each issue is a work request of the client the configuration's rules give it
  (:mod:`clientguard.tickets`): ``requested_on`` the day it was created (in the
  ``timezone`` option's zone, the firm's day as for GitHub; without it, in the offset Jira
  wrote ``created`` in), ``wanted_by`` its
  due date (or the date field named by ``wanted_field``). An issue without that date, or
  that no rule maps to a client, is left out and counted by reason; so is an issue resolved
  as a duplicate (its ``resolution`` one of ``duplicate_resolutions``): the request it
  repeats is counted once, under the issue it duplicates.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, tzinfo
from decimal import Decimal
from typing import Any, ClassVar, Self

import requests
from pydantic import Field, SecretStr, field_validator, model_validator

from clientguard.connector import (
    ConnectorOptions,
    Mapped,
    RawPage,
    Skip,
    Stream,
    iana_zone,
    zone_option,
)
from clientguard.errors import ApiError, AuthError, DataError, ErrorContext
from clientguard.http import (
    Boundary,
    HttpConnector,
    HttpOptions,
    HttpRequest,
    HttpStream,
    MissingRecords,
    NextTokenPaginator,
    OverlapPaginator,
    SourceChanged,
    decode_json,
)
from clientguard.records import Rejection
from clientguard.tickets import TicketRule, client_of, same_text, work_request

__all__ = [
    "FARTHEST_BEHIND_UTC",
    "MAX_PAGE_SIZE",
    "SOURCE",
    "JiraConnector",
    "JiraOptions",
    "JiraRule",
    "StartAtPaginator",
    "parse_jira_time",
]

SOURCE = "jira"
MAX_PAGE_SIZE = 100
"""Issues per page asked for (Jira may return fewer)."""
FARTHEST_BEHIND_UTC = timedelta(hours=12)
"""How far behind UTC a time zone's clock can be (UTC-12:00, Baker Island; the IANA
database's ``Etc/GMT+12``): a cursor written as UTC less this names, in any zone Jira reads
it in, a moment at or before the cursor."""
_MYSELF = "rest/api/3/myself"

_REAUTHORISE = (
    "check email (the Atlassian account's address) and api_token (Atlassian account > "
    "Security > Create and manage API tokens; a token of that account), and that the account "
    "can browse the projects"
)


def parse_jira_time(value: object) -> datetime | None:
    """Jira's ``2026-05-04T10:15:30.123+0200`` as an aware datetime; None when absent or
    not a date-time."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _wall_time_at_or_before(moment: datetime, zone: tzinfo) -> datetime:
    """The wall-clock time in ``zone``, to the minute, that names ``moment`` or a moment
    before it however it is read: in the hour a change of daylight saving time repeats, a
    wall time names two moments, and which one Jira takes is not documented; the time is
    then moved back until both are at or before ``moment`` (an hour read again, never one
    missed)."""
    wall = moment.astimezone(zone).replace(second=0, microsecond=0, tzinfo=None)
    while True:
        latest = max(wall.replace(tzinfo=zone, fold=fold).astimezone(UTC) for fold in (0, 1))
        if latest <= moment:
            return wall
        wall -= latest - moment


def _values(value: object) -> Iterator[str]:
    """The texts a field's value can be matched by: a text or number as is, an option's
    ``value``, an object's ``name``/``key``, each item of a list."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, int | Decimal) and not isinstance(value, bool):
        yield str(value)
    elif isinstance(value, Mapping):
        for key in ("value", "name", "key"):
            if isinstance(value.get(key), str):
                yield value[key]
    elif isinstance(value, list):
        for item in value:
            yield from _values(item)


class JiraRule(TicketRule):
    """A rule of the ``clients`` option: the customer, and what its issues have. Every
    condition given must hold; give at least one."""

    project: str | None = None
    """The project key (``ACME`` of ``ACME-12``)."""
    component: str | None = None
    """A component the issue has."""
    label: str | None = None
    """A label the issue has."""
    field: str | None = None
    """A field (``customfield_10042``) whose value (``value``) names the client; for a select
    list, its option; for a multi-select, any of its options."""
    value: str | None = None
    """The value of ``field``."""

    @model_validator(mode="after")
    def _has_a_condition(self) -> Self:
        if (self.field is None) != (self.value is None):
            raise ValueError("field and value go together: the field's id and its value")
        if not self.conditions():
            raise ValueError(
                "a rule needs a condition: project, component, label, or field and value"
            )
        return self

    def matches(self, ticket: Mapping[str, Any]) -> bool:
        project = ticket.get("project")
        if self.project is not None and not (
            isinstance(project, Mapping) and same_text(project.get("key"), self.project)
        ):
            return False
        if self.component is not None:
            components = ticket.get("components")
            names = [c.get("name") for c in components or () if isinstance(c, Mapping)]
            if not any(same_text(n, self.component) for n in names):
                return False
        if self.label is not None and not any(
            same_text(label, self.label) for label in ticket.get("labels") or ()
        ):
            return False
        return self.field is None or self.value is None or any(
            same_text(v, self.value) for v in _values(ticket.get(self.field))
        )


class JiraOptions(HttpOptions):
    """Options of the Jira Cloud connector (keyword arguments)."""

    site: str = Field(min_length=1)
    """The Jira site: ``acme.atlassian.net`` (or its address)."""
    email: str = Field(min_length=3)
    """The Atlassian account's email, the user of the Basic credentials."""
    api_token: SecretStr
    """An API token of that account (a secret: from the environment)."""
    clients: list[JiraRule] = Field(min_length=1)
    """The rules that map issues to clients (see docs/connectors/jira.md)."""
    jql: str | None = None
    """JQL that narrows the issues read, e.g. ``project in (ACME, BOLT) AND type = Task``."""
    wanted_field: str = "duedate"
    """The field holding the day the client wanted the work by: ``duedate``, or a date
    custom field (``customfield_10050``)."""
    duplicate_resolutions: list[str] = Field(default_factory=lambda: ["Duplicate"])
    """The resolutions (their names, as the site writes them: ``Duplicate``, ``Duplikat``)
    that say an issue repeats another: such an issue is left out; ``[]``: none."""
    timezone: str | None = None
    """The firm's time zone (``Europe/Warsaw``): turns the moment an issue was created into
    the day it was asked, as the GitHub connector's ``timezone`` does. None: the day in the
    offset Jira writes ``created`` in. JQL dates are written in the zone of the token user's
    Jira profile, read from Jira, whatever this says."""
    from_date: date | None = None
    """Read only issues updated on or after this day; None: all."""
    page_size: int = Field(default=MAX_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)
    """Issues per request (1..100)."""
    legacy_search: bool = False
    """Use the older ``/rest/api/3/search`` (paged by ``startAt``) for an instance that still
    serves it instead of ``/rest/api/3/search/jql``."""
    base_url: str | None = None
    """Where the API is (default ``https://<site>``); a proxy or a local test server."""

    @field_validator("site")
    @classmethod
    def _site(cls, value: str) -> str:
        text = value.strip().removeprefix("https://").removeprefix("http://")
        return text.split("/")[0]

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        return None if value is None else zone_option(value)


class StartAtPaginator(OverlapPaginator):
    """The older search's paging: ``startAt`` (0-based) until ``total``, each page after the
    first asked from the last issue read, one more (:class:`~clientguard.http.OverlapPaginator`).

    An empty page before ``total`` is :class:`~clientguard.http.MissingRecords`: Jira counts
    more issues than were read, and ending there would take the stream for complete.

    ``startAt`` is a position in the list (``ORDER BY key ASC``): an issue deleted, moved to
    another project or edited out of the ``jql`` between two page requests leaves it, every
    issue after it moves up a place, and an untouched one crosses onto a page already read,
    unseen (a full read then drops it from the store; an incremental one moves its cursor
    past its change). Two checks stop such a read with
    :class:`~clientguard.http.SourceChanged` (nothing pruned, the cursor kept: run the sync
    again) instead of it ending as if whole: a page whose ``total`` is not the first page's,
    and a page that does not begin with an issue read already (its first issue is the last
    one read, asked again). The second catches what the count cannot: a deletion and a
    creation between the same two pages. ``context`` names the connector and stream in
    those errors."""

    repeats_guarded = True
    """A read that ends by ``total`` never asks a page that repeats the one before (the
    page holding the last issue ends it), so a repeat is a loop, as for other paginators."""

    def __init__(self, size: int, context: ErrorContext | None = None) -> None:
        def moved(boundary: Boundary) -> SourceChanged:
            return SourceChanged(
                f"Jira's search changed while its pages were read by startAt: page "
                f"{boundary.page}, asked from startAt {boundary.place - 1} where the last "
                f"issue of page {boundary.page - 1} was, began with none of the issues read "
                "(an issue was deleted, moved to another project or edited out of the jql "
                "during the sync)",
                context,
            )

        super().__init__(offset_param="startAt", limit_param="maxResults", limit=size,
                         id_of=lambda issue: str(issue.get("id")), moved=moved,
                         first_offset=0, largest=MAX_PAGE_SIZE)
        self.size = size
        self.context = context
        self.counted: int | None = None
        """The ``total`` of the first page that gave one."""

    def _next(
        self, response: requests.Response, body: Any, records: Sequence[Mapping[str, Any]]
    ) -> dict[str, Any] | None:
        found = body.get("total") if isinstance(body, Mapping) else None
        total = found if isinstance(found, int) and not isinstance(found, bool) else None
        place, _ = self.overlaps.ask()
        start = place - 1
        if total is not None:
            if self.counted is None:
                self.counted = total
            elif total != self.counted:
                raise SourceChanged(
                    f"Jira's search changed while its pages were read by startAt: the first "
                    f"page counted {self.counted} issues, page {self.pages} (startAt "
                    f"{start}) counts {total} (an issue was deleted, moved to another "
                    "project, edited out of the jql or created during the sync)",
                    self.context,
                )
        if not records:
            if total is not None and start < total:
                raise MissingRecords(f"an empty list at startAt {start}, though Jira "
                                     f"counts {total} issues")
            if self.overlaps.last_read is None:
                return None  # no issue matches
        seen = self.take(records)
        if total is not None:
            # The place of the last issue read (1-based) is the count of places read.
            return None if self.overlaps.place >= total else self._params()
        return self._params() if seen.full else None


_EMPTY_PAGE_ADVICE = (
    "Atlassian documents that a page of the enhanced search may hold fewer issues than "
    "maxResults, not that one may be empty while it names a next page (docs/connectors/"
    "jira.md, \"A page without its issues\"). If every sync stops at this page, Jira answers "
    "it empty each time: check that the account of api_token can browse every project your "
    "jql matches and see its issue security levels (or narrow jql to the projects it can), "
    "then report the empty page to Atlassian support with the time of the sync"
)
"""What to do when an empty page naming a next one stops a read and trying again does not
help: the likeliest cause, were Jira to filter a page by permission after paging (not
documented), is issues the token's account may not see."""


_UNNAMED_PAGE_ADVICE = (
    "Atlassian documents nextPageToken as null, or left out, only on the last page, and "
    "isLast as whether a page is the last (docs/connectors/jira.md, \"A page without its "
    "issues\"): a page that says it is not the last must name the next one, and the issues "
    "after it cannot be asked for. If every sync stops at this page, report it to Atlassian "
    "support with the time of the sync (and the request id, where this error names one); "
    "meanwhile a smaller page_size or a narrower jql moves where the pages break, and may "
    "read past it"
)
"""What to do when a page that says it is not the last names no next one and trying again
does not help: nothing in Atlassian's reference explains such a page, so the one who can is
Atlassian; what the connector can change is where the pages break."""


def _next_token(
    response: requests.Response, body: Any, records: Sequence[Mapping[str, Any]]
) -> str | None:
    """The enhanced search's ``nextPageToken``, or None on the last page (``isLast`` true, or
    neither ``isLast`` false nor a token: JRACLOUD-92184, the last page leaves the token's
    key out, and the schema marks ``isLast`` optional).

    Atlassian's reference for ``GET /rest/api/3/search/jql`` (the schema
    ``SearchAndReconcileResults`` and the ``nextPageToken`` parameter) says the token is
    null, or left out, on the last or only page, and that ``isLast`` says whether a page is
    the last. So:

    * a page that says ``isLast: false`` and names no token (absent, null or empty), with
      issues or without, is :class:`~clientguard.http.MissingRecords`: a page follows that
      nothing names, and ending there would take the stream for complete (a full read with
      ``--prune`` would delete the issues after it);
    * an empty page that names a next one is :class:`~clientguard.http.MissingRecords` too:
      Atlassian documents a page as holding fewer issues than ``maxResults`` (when many
      fields are asked for), never as empty while more follow, and no report of one was found
      (docs/connectors/jira.md). Following the token instead would take a page lost on the
      way for an empty one, and a full read would prune its issues."""
    if not isinstance(body, Mapping) or body.get("isLast") is True:
        return None
    token = body.get("nextPageToken")
    if not isinstance(token, str) or not token:
        if body.get("isLast") is False:
            count = len(records)
            said = f"{count} issue{'s' if count != 1 else ''}" if count else "no issues"
            raise MissingRecords(f"{said}, and Jira says more follow (isLast false) but names "
                                 "no next page (no nextPageToken)", advice=_UNNAMED_PAGE_ADVICE)
        return None
    if not records:
        raise MissingRecords("no issues, though Jira names a next page (nextPageToken, isLast "
                             "not true)", advice=_EMPTY_PAGE_ADVICE)
    return token


class JiraConnector(HttpConnector):
    """Jira Cloud: issues as work requests of the clients the rules give them.

    Options: see :class:`JiraOptions`; ``clock`` and ``progress`` as for every connector.
    """

    name: ClassVar[str] = SOURCE
    summary: ClassVar[str] = "Jira Cloud: issues as work requests (created, due date)"
    Options: ClassVar[type[ConnectorOptions]] = JiraOptions
    lookback: ClassVar[timedelta] = timedelta(minutes=1)
    streams: ClassVar[tuple[Stream, ...]] = (
        HttpStream(
            name="work_requests",
            kind="work_request",
            path="rest/api/3/search/jql",
            records_key="issues",
            # The issue's numeric id, which a move to another project keeps (its key
            # changes): the work request, shown by its key, follows the issue (see to_model).
            id_field="id",
            cursor_field="updated",
            duplicates="latest",
            description="Issues with a due date, as work requests of the client a rule maps "
            "them to; unmatched issues are counted, never guessed.",
        ),
    )

    options: JiraOptions

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        opts = self.options
        token = opts.api_token.get_secret_value()
        email = opts.email.strip()
        basic = base64.b64encode(f"{email}:{token}".encode()).decode()
        self.zone: tzinfo | None = iana_zone(opts.timezone)
        """The ``timezone`` option's zone (the day an issue was asked); None: the offset
        Jira wrote ``created`` in."""
        self.jql_zone: tzinfo | None = None
        """The zone JQL reads dates in: the profile's, set by :meth:`fetch` for an
        incremental read; None: unknown, and the cursor is written as UTC less
        :data:`FARTHEST_BEHIND_UTC`."""
        self.client = self.api_client(
            (opts.base_url or f"https://{opts.site}").rstrip("/") + "/",
            headers={"Accept": "application/json", "Authorization": f"Basic {basic}"},
            secrets=(token, basic, email),
        )

    def fields(self) -> str:
        """The issue fields asked for: what the mapping and the rules read."""
        wanted = ["created", "updated", "duedate", "project", "components", "labels",
                  "resolution", self.options.wanted_field]
        wanted += [r.field for r in self.options.clients if r.field]
        return ",".join(dict.fromkeys(wanted))

    def jql(self, since: datetime | None) -> str:
        """The query: the option's JQL, bounded by the cursor (or ``from_date``), oldest
        issue first (``created``, then ``key``); for the older search (``legacy_search``), in
        key order.

        Both searches page through an order that an edit does not change. The older one
        pages by position (``startAt``), and what the enhanced search's ``nextPageToken``
        names Atlassian does not document: if a position, then in change order an issue
        edited between two pages moves to the end, every issue after it moves up a place,
        and the one that crossed onto the page already read is never read, its change older
        than the cursor (a full read would drop it from the store). In creation or key order
        an edit moves nothing; the cursor then moves only when the stream ends (the stream
        is not ``sorted_by_cursor``)."""
        conditions = [f"({self.options.jql})"] if self.options.jql else []
        if since is not None:
            # Jira reads the text in the profile's zone. Unknown, the cursor is written as
            # UTC less the furthest a zone is behind it: in any zone the text then names a
            # moment at or before the cursor (an issue read twice is one: de-duplicated by
            # id), never one after it (an issue in between was never read, by any sync).
            local = (_wall_time_at_or_before(since, self.jql_zone)
                     if self.jql_zone is not None
                     else since.astimezone(UTC) - FARTHEST_BEHIND_UTC)
            conditions.append(f'updated >= "{local:%Y-%m-%d %H:%M}"')
        elif self.options.from_date is not None:
            conditions.append(f'updated >= "{self.options.from_date.isoformat()}"')
        if not conditions:
            # The enhanced search refuses an unbounded query.
            conditions.append('created >= "1970-01-01"')
        order = "key ASC" if self.options.legacy_search else "created ASC, key ASC"
        return " AND ".join(conditions) + f" ORDER BY {order}"

    def build_request(
        self, stream: HttpStream, *, since: datetime | None, page: Mapping[str, Any]
    ) -> HttpRequest:
        params: dict[str, Any] = {"jql": self.jql(since), "fields": self.fields(), **page}
        return HttpRequest("GET", stream.path, params)

    def fetch(self, stream: Stream, *, since: datetime | None) -> Iterator[RawPage]:
        if not isinstance(stream, HttpStream):
            raise TypeError(f"stream {stream.name!r} is not an HttpStream")
        size = self.options.page_size
        if self.options.legacy_search:
            paged = replace(stream, path="rest/api/3/search",
                            paginator=lambda: StartAtPaginator(
                                size, ErrorContext(connector=self.name, stream=stream.name)))
        else:
            paged = replace(stream, paginator=lambda: NextTokenPaginator(
                param="nextPageToken", token=_next_token, first_params={"maxResults": size}))
        try:
            # The profile's zone only matters to the cursor: a first read asks nothing of it.
            note = None if since is None else self._read_jql_zone(stream.name)
            notes = () if note is None else (note,)
            for page in super().fetch(paged, since=since):
                yield replace(page, notes=(*notes, *page.notes))
                notes = ()  # said once, on the first page
        except AuthError as exc:
            said = str(exc).removesuffix(f" ({exc.context.describe()})")
            raise AuthError(f"{said}. Jira refused the credentials: {_REAUTHORISE}",
                            exc.context) from None

    def _read_jql_zone(self, stream: str) -> str | None:
        """Set :attr:`jql_zone` to the zone of the token user's Jira profile (``GET
        /rest/api/3/myself``'s ``timeZone``, an IANA name), in which JQL reads a date; the
        note to give, if any.

        A 403 or 404 (a site or proxy that does not serve the profile), or a profile that
        names no IANA zone (hidden by the user's privacy settings: Atlassian writes null),
        leaves it unknown with a note: the cursor is then written early enough for any zone.
        A 401 fails as the search would; any other failure fails the sync as every call
        does."""
        self.jql_zone = None
        early = ("the cursor was written as UTC less 12 hours so that no issue is missed "
                 "whatever zone Jira reads it in: issues updated in those hours are read "
                 "again (once each)")
        try:
            response = self.client.request("GET", _MYSELF, stream=stream, what="GET myself")
        except (AuthError, ApiError) as exc:
            if exc.status not in (403, 404):
                raise
            return (f"{stream}: Jira's profile of the token's user (GET /rest/api/3/myself) "
                    f"could not be read (HTTP {exc.status}); {early}")
        body = decode_json(response, client=self.client, what="GET myself", stream=stream)
        given = body.get("timeZone") if isinstance(body, Mapping) else None
        zone = iana_zone(given)
        if zone is None:
            said = ("names no time zone" if given is None or given == ""
                    else f"names {str(given)[:60]!r}, which is not an IANA time zone")
            return (f"{stream}: Jira's profile of the token's user (GET /rest/api/3/myself, "
                    f"timeZone) {said}; {early}")
        self.jql_zone = zone
        option = self.options.timezone
        if option is not None and option != zone.key:
            return (f"{stream}: JQL dates written in {zone.key}, the zone of the token user's "
                    f"Jira profile, which Jira reads them in; the timezone option "
                    f"({option}) gives only the day an issue was asked")
        return None

    def total_of(self, stream: HttpStream, body: Any) -> int | None:
        total = body.get("total") if isinstance(body, Mapping) else None
        if isinstance(total, int) and not isinstance(total, bool) and total >= 0:
            return total
        return None

    def cursor_of(self, stream: Stream, raw: Mapping[str, Any]) -> datetime | None:
        fields = raw.get("fields")
        moment = parse_jira_time(fields.get("updated")) if isinstance(fields, Mapping) else None
        return None if moment is None else moment.astimezone(UTC)

    def raw_id(self, stream: Stream, raw: Mapping[str, Any]) -> str | None:
        """The issue's numeric ``id`` (``10012``), which a move to another project keeps;
        its key where a response has no id (Jira's search always gives both)."""
        for field in ("id", "key"):
            value = raw.get(field)
            if value is not None and str(value).strip():
                return str(value).strip()
        return None

    def to_model(self, stream: Stream, raw: Mapping[str, Any]) -> Mapped:
        """:meth:`_request`, whose rejections name the issue by its key (ACME-12, what a
        person looks up in Jira, and the id the request is stored under, so that the issue
        read again fixed replaces its rejection), not by its numeric id."""
        try:
            return self._request(stream, raw)
        except DataError as exc:
            key = raw.get("key")
            if not isinstance(key, str) or not key.strip():
                raise
            problems = exc.problems or (Rejection(
                kind=stream.kind, source=self.name, record_id=None, field=None,
                reason=str(exc)),)
            raise DataError(str(exc), [
                replace(problem, record_id=problem.record_id or key.strip())
                for problem in problems]) from None

    def _request(self, stream: Stream, raw: Mapping[str, Any]) -> Mapped:
        """The work request of an issue, under its key (what a person looks up, ACME-12).

        The raw record is the issue's numeric ``id``, which a move to another project keeps
        while the key changes (ACME-12 becomes BETA-3): read again, the issue yields the
        request under its new key, and the store drops the one it yielded under the old key
        (``record_origins``). An issue that is no longer a request (resolved as a duplicate,
        its wanted date removed, moved where no rule maps it) is a ``Skip`` with
        ``deleted=True``, so that a copy an earlier sync stored goes too."""
        key = raw.get("key")
        if not isinstance(key, str) or not key.strip():
            raise DataError("key: is missing")
        fields = raw.get("fields")
        if not isinstance(fields, Mapping):
            raise DataError("fields: is missing")
        created = parse_jira_time(fields.get("created"))
        if created is None:
            raise DataError(f"created: {fields.get('created')!r} is not a date-time")
        resolution = fields.get("resolution")
        resolved = resolution.get("name") if isinstance(resolution, Mapping) else None
        # A duplicate repeats a request another issue already counts: counting it too would
        # make one request two (and one rush two).
        if any(same_text(resolved, d) for d in self.options.duplicate_resolutions):
            return Skip(f"resolved as a duplicate ({str(resolved).strip()})", deleted=True)
        name = self.options.wanted_field
        wanted = fields.get(name)
        if wanted is None or wanted == "":
            return Skip(f"no wanted date ({name})", deleted=True)
        try:
            wanted_by = date.fromisoformat(str(wanted)[:10])
        except ValueError:
            raise DataError(f"{name}: {wanted!r} is not a date (YYYY-MM-DD)") from None
        project = fields.get("project")
        project_key = project.get("key") if isinstance(project, Mapping) else None
        rule = client_of(self.options.clients, fields, has=f"project {project_key or '?'}")
        if isinstance(rule, Skip):
            return Skip(rule.reason, deleted=True)
        return work_request(
            key.strip(), rule, requested_on=self._asked_on(created), wanted_by=wanted_by,
            source=SOURCE,
        )

    def _asked_on(self, created: datetime) -> date:
        """The day an issue was asked: ``created`` in the ``timezone`` option's zone (the
        firm's day, as for GitHub), else in the offset Jira wrote it in. Never the profile's
        zone read from ``myself``: a full read does not ask for it, and the same issue must
        give the same day in a full read and an incremental one."""
        return created.astimezone(self.zone).date() if self.zone is not None else created.date()
