"""The Toggl Track connector: a workspace's time entries with their project's client.

::

    import clientguard as cg

    conn = cg.connectors.load("toggl")(api_token="...", workspace_id="1234567")

Reading (https://engineering.toggl.com/docs/):

* Authentication: HTTP Basic with the API token as the user and ``api_token`` as the
  password, as Toggl documents.
* The client of each project: ``GET /api/v9/workspaces/{id}/clients?status=both`` and
  ``GET /api/v9/workspaces/{id}/projects?active=both`` (paged by ``page``/``per_page``; a
  short page is the last). The page number is a position: a project an entry names that
  the pages did not give (created, or shifted onto a page already read by a project
  created or deleted between two requests) is read by its id
  (``GET /api/v9/workspaces/{id}/projects/{project_id}``), and so is a client the clients
  list did not give; only a project Toggl does not show by id (404, 403) is unknown.
* The entries of every user of the workspace: the Reports API v3 detailed search,
  ``POST /reports/api/v3/workspace/{id}/search/time_entries`` with ``start_date`` and
  ``end_date``, in windows of ``window_days``; a window is paged by the ``X-Next-ID``,
  ``X-Next-Row-Number`` and ``X-Next-Timestamp`` headers, sent back as ``first_id``,
  ``first_row_number`` and ``first_timestamp``: a page so named that comes back empty (or
  an empty page that names a next one) is :class:`~clientguard.http.MissingRecords`, never
  the end of the window (Toggl names a next page only when it has rows for it); headers
  naming a page of the window already read (a cycle) stop the read as a paging loop.
  (``GET /api/v9/me/time_entries`` would read
  only the token owner's entries.)
* Incremental, as far as the API allows: the report filters by the day an entry started,
  not by when it changed. An incremental read re-reads the days from ``resync_days`` before
  the stream's cursor (the latest ``at``, Toggl's change time, seen) to today; an entry
  edited after that window is caught by the next full read.
* The day an entry was worked: its ``start`` (UTC) in the ``timezone`` option's zone, else
  in the time zone of the token owner's Toggl profile (``GET /api/v9/me``'s ``timezone``),
  read once a sync (with the default workspace, when that is read too); UTC, with a note,
  when the profile names none, or no IANA zone.
* Rate limits: a 429 is waited out by :class:`clientguard.http.ApiClient`. Toggl also has
  hourly quotas per plan; past it, it answers 402 and the sync fails, saying so.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any, ClassVar, cast

import requests
from pydantic import Field, SecretStr, field_validator

from clientguard.connector import ConnectorOptions, Mapped, RawPage, Stream, zone_option
from clientguard.errors import ApiError, AuthError, ConnectorError, DataError, ErrorContext
from clientguard.http import (
    HttpConnector,
    HttpOptions,
    HttpStream,
    MissingRecords,
    Paginator,
    decode_json,
    records_in,
)
from clientguard.records import Location
from clientguard_toggl.mapping import CLIENT_NAME_KEY, SOURCE, iana_zone, time_entry_from_toggl

__all__ = ["NEXT_HEADERS", "PROJECT_UNKNOWN_KEY", "TogglConnector", "TogglOptions"]

#: The detailed search's paging headers, and the body fields they are sent back as.
NEXT_HEADERS: Mapping[str, str] = {
    "X-Next-ID": "first_id",
    "X-Next-Row-Number": "first_row_number",
    "X-Next-Timestamp": "first_timestamp",
}

_CREDENTIALS_HELP = (
    "check api_token (Toggl Track > Profile settings > API Token, of a workspace admin) and "
    "workspace_id (a workspace that admin belongs to)"
)

#: Added to a raw entry whose project the workspace's project list does not have (not Toggl's).
PROJECT_UNKNOWN_KEY = "clientguard:project_unknown"


class TogglOptions(HttpOptions):
    """Options of the Toggl Track connector (keyword arguments)."""

    api_token: SecretStr
    """The API token of a workspace admin (Profile settings > API Token)."""
    workspace_id: SecretStr | None = None
    """The workspace's id (in the address of its reports); a tenant id: never shown. None:
    the token owner's default workspace (``GET /api/v9/me``)."""
    base_url: str = "https://api.track.toggl.com"
    """Where the API is; point it at a proxy or a local test server."""
    timezone: str | None = None
    """The IANA time zone that turns an entry's start into the day it was worked
    (``Europe/Warsaw``). None: the time zone of the token owner's Toggl profile, read once a
    sync (UTC, with a note, when the profile names none)."""
    from_date: date | None = None
    """Where a full read starts; None: 730 days before today."""
    resync_days: int = Field(default=31, ge=0)
    """How far before the cursor an incremental read goes back (by start day)."""
    window_days: int = Field(default=90, ge=1, le=366)
    """Days per detailed search (the report's date range)."""
    page_size: int = Field(default=50, ge=1, le=200)
    """Rows per detailed-search page, and projects per page."""

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        return None if value is None else zone_option(value)


def _json_body(body: Mapping[str, Any]) -> Any:
    """``body`` as the bytes of a JSON request body. ``ApiClient.request`` hands ``data`` to
    requests as it is, and requests sends a ``bytes`` body unchanged (its form encoding is
    only for mappings); the caller sets ``Content-Type: application/json``."""
    return json.dumps(body, separators=(",", ":")).encode()


class TogglConnector(HttpConnector):
    """Toggl Track: a workspace's time entries with their project's client (matched to a
    customer by name).

    Options: see :class:`TogglOptions`; ``clock`` and ``progress`` as for every connector.
    """

    name: ClassVar[str] = SOURCE
    summary: ClassVar[str] = "Toggl Track: a workspace's time entries with their client"
    Options: ClassVar[type[ConnectorOptions]] = TogglOptions
    streams: ClassVar[tuple[Stream, ...]] = (
        HttpStream(
            name="time_entries",
            kind="time_entry",
            path="reports/api/v3/workspace/{workspace}/search/time_entries",
            id_field="id",
            cursor_field="at",
            duplicates="latest",
            description="Every user's time entries (Reports API v3), with the client's name "
            "of the entry's project (matched to a customer by the ledger).",
        ),
    )

    options: TogglOptions

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        opts = self.options
        token = opts.api_token.get_secret_value().strip()
        basic = base64.b64encode(f"{token}:api_token".encode()).decode()
        given = opts.workspace_id
        self.workspace: str | None = given.get_secret_value().strip() if given else None
        self.zone: tzinfo | None = iana_zone(opts.timezone)
        """The ``timezone`` option's zone; None: the profile's, read by each sync."""
        self.days_zone: tzinfo = self.zone or UTC
        """The zone the current sync counts days in (set by :meth:`fetch` before any entry
        is mapped)."""
        self._names: dict[str, Any] = {}
        """Client id -> name, of the current sync (clients read by id added)."""
        self._hidden: set[str] = set()
        """Projects asked for by id that Toggl does not show (404 or 403): asked once a sync."""
        self.client = self.api_client(
            opts.base_url,
            headers={"Accept": "application/json", "Authorization": f"Basic {basic}"},
            secrets=(token, basic, *([self.workspace] if self.workspace else [])),
        )

    # ----------------------------------------------------------------- reading

    def _list(self, path: str, params: Mapping[str, Any], stream: str, what: str,
              *, paged: bool) -> list[Mapping[str, Any]]:
        size = self.options.page_size
        found: list[Mapping[str, Any]] = []
        number = 1
        previous: object = None
        while True:
            query = {**params, "page": number, "per_page": size} if paged else dict(params)
            response = self.client.request("GET", path, params=query, stream=stream,
                                           what=f"GET {what} page {number}")
            label = f"page {number} of {what}"
            body = decode_json(response, client=self.client, what=label, stream=stream)
            records = self._listed(body, stream=stream, page=label, response=response)
            first = records[0].get("id") if records else None
            if first is not None and first == previous:
                raise ApiError(
                    f"GET {what}: page {number} repeats page {number - 1}; the API ignored "
                    "the paging, so the read stops here instead of looping",
                    ErrorContext(connector=self.name, stream=stream),
                )
            previous = first
            found += records
            if not paged or len(records) < size:
                return found
            number += 1

    def _listed(
        self, body: Any, *, stream: str, page: str, response: requests.Response
    ) -> list[Mapping[str, Any]]:
        """The records of a page whose body is the list. JSON ``null`` is an empty list: Toggl
        writes an empty list so (a workspace without clients). An empty body, or anything
        else that is not a list, is :class:`~clientguard.http.MissingRecords` naming the
        page: never an empty page, which would end the read as if it were complete."""
        try:
            return records_in([] if body is None else body, None)
        except MissingRecords as exc:
            raise self.missing_records(exc, stream=stream, page=page, response=response) from None

    def _me(self, stream: str) -> Mapping[str, Any]:
        """The token owner's profile (``GET /api/v9/me``); an empty mapping when the body is
        no object (each field read from it is then missing, and said so)."""
        response = self.client.request("GET", "api/v9/me", stream=stream, what="GET me")
        body = decode_json(response, client=self.client, what="GET me", stream=stream)
        return cast(Mapping[str, Any], body) if isinstance(body, Mapping) else {}

    def _workspace(self, stream: str, me: Mapping[str, Any] | None = None) -> str:
        """The workspace to read: the option, else the token owner's default workspace (from
        ``me``, the profile when the caller has read it)."""
        if self.workspace is None:
            found = (self._me(stream) if me is None else me).get("default_workspace_id")
            if found is None or isinstance(found, bool):
                raise ApiError(
                    "GET me: the token's user has no default workspace; give workspace_id",
                    ErrorContext(connector=self.name, stream=stream),
                )
            self.workspace = str(found)
            self.client.add_secret(self.workspace)
        return self.workspace

    def _days_zone(self, stream: str, me: Mapping[str, Any] | None) -> tuple[tzinfo, str | None]:
        """The zone this sync counts days in, and the note to give when it is UTC for want
        of a zone in the profile: the option's, else the profile's (``me``)."""
        if self.zone is not None:
            return self.zone, None
        given = (me or {}).get("timezone")
        zone = iana_zone(given)
        if zone is not None:
            return zone, None
        said = ("names no time zone" if given is None or given == ""
                else f"names {str(given)[:60]!r}, which is not an IANA time zone")
        return UTC, (
            f"{stream}: days counted in UTC: the Toggl profile of the token's user "
            f"(GET /api/v9/me, timezone) {said}; an entry started near midnight may count on "
            "the day before or after the one it was worked. Set the timezone option "
            "(e.g. timezone = \"Europe/Warsaw\")"
        )

    def _client_names(self, stream: str) -> dict[str, str | None]:
        """Project id -> its client's name (None: a project without a client).

        The projects are paged by number, a position: a project created or deleted between
        two page requests shifts the later pages, and a project can cross onto a page already
        read, unseen. Such a project is not lost: an entry that names a project the pages did
        not give has it read by its id (:meth:`_add_projects`)."""
        base = f"api/v9/workspaces/{self._workspace(stream)}"
        self._names = {
            str(c.get("id")): c.get("name")
            for c in self._list(f"{base}/clients", {"status": "both"}, stream, "clients",
                                paged=False)
        }
        self._hidden = set()
        result: dict[str, str | None] = {}
        for project in self._list(f"{base}/projects", {"active": "both"}, stream, "projects",
                                  paged=True):
            result[str(project.get("id"))] = self._client_name(project, stream)
        return result

    def _client_name(self, project: Mapping[str, Any], stream: str) -> str | None:
        """The name of a project's client (None: none). A client the clients list did not
        give (one created after it was read) is read by its id, once; one Toggl does not
        show by id either counts as none."""
        client = project.get("client_id", project.get("cid"))
        if client is None or isinstance(client, bool):
            return None
        key = str(client)
        if key not in self._names:
            found = self._by_id("clients", key, stream)
            self._names[key] = found.get("name") if found is not None else None
        name = self._names[key]
        return name if isinstance(name, str) else None

    def _by_id(self, kind: str, ident: str, stream: str) -> Mapping[str, Any] | None:
        """``GET /api/v9/workspaces/{id}/{kind}/{ident}``: the object, or None when Toggl
        answers 404 or 403 (it is not there, or the token's user may not see it)."""
        path = f"api/v9/workspaces/{self._workspace(stream)}/{kind}/{ident}"
        label = f"GET {kind} {ident}"
        try:
            response = self.client.request("GET", path, stream=stream, what=label)
        except ConnectorError as exc:
            if exc.status in (403, 404):
                return None
            raise
        body = decode_json(response, client=self.client, what=label, stream=stream)
        if not isinstance(body, Mapping):
            raise ApiError(
                f"{label}: the body is not an object (a {kind[:-1]} was due)",
                ErrorContext(connector=self.name, stream=stream),
            )
        return cast(Mapping[str, Any], body)

    def _add_projects(self, rows: list[Any], clients: dict[str, str | None], stream: str
                      ) -> None:
        """Read by id each project the rows name that the projects list did not give (one
        created, or shifted onto a page already read, while the list was paged), adding its
        client's name to ``clients``. A project Toggl does not show by id stays unknown: its
        entries are rejected (see :func:`_unknown_project`)."""
        for row in rows:
            project = row.get("project_id") if isinstance(row, Mapping) else None
            if project is None or isinstance(project, bool):
                continue
            key = str(project)
            if key in clients or key in self._hidden:
                continue
            found = self._by_id("projects", key, stream)
            if found is None or str(found.get("id")) != key:
                self._hidden.add(key)
                continue
            clients[key] = self._client_name(found, stream)

    def _windows(self, since: datetime | None) -> Iterator[tuple[date, date]]:
        zone = self.days_zone
        today = self.clock().astimezone(zone).date()
        if since is not None:
            start = (since - timedelta(days=self.options.resync_days)).astimezone(zone)
            first = start.date()
        else:
            first = self.options.from_date or today - timedelta(days=730)
        step = timedelta(days=self.options.window_days)
        while True:
            last = min(first + step, today)
            # A window's end day starts the next one: whether Toggl's end_date is inclusive
            # or not, no day falls between two windows (the overlap's entries are one each:
            # the sync keeps one record per id).
            yield first, max(last, first + timedelta(days=1))
            if last >= today:
                return
            first = last

    def fetch(self, stream: Stream, *, since: datetime | None) -> Iterator[RawPage]:
        try:
            yield from self._read(stream, since)
        except AuthError as exc:
            # Toggl answers a wrong token with 403 as well as 401.
            said = str(exc).removesuffix(f" ({exc.context.describe()})")
            raise AuthError(f"{said}. Toggl refused the API token: {_CREDENTIALS_HELP}",
                            exc.context) from None

    def _read(self, stream: Stream, since: datetime | None) -> Iterator[RawPage]:
        # One GET /me a sync, for the default workspace and the profile's time zone alike,
        # and only when an option does not give them.
        me = self._me(stream.name) if self.workspace is None or self.zone is None else None
        workspace = self._workspace(stream.name, me)
        self.days_zone, zone_note = self._days_zone(stream.name, me)
        notes = () if zone_note is None else (zone_note,)
        clients = self._client_names(stream.name)
        path = f"reports/api/v3/workspace/{workspace}/search/time_entries"
        windows = list(self._windows(since))
        for index, (first, last) in enumerate(windows):
            body: dict[str, Any] = {
                "start_date": first.isoformat(),
                "end_date": last.isoformat(),
                "page_size": self.options.page_size,
                "order_by": "date",
                "order_dir": "asc",
            }
            number = 1
            pages = _WindowPages()
            while True:
                response = self.client.request(
                    "POST", path, headers={"Content-Type": "application/json"},
                    data=_json_body(body), stream=stream.name,
                    what=f"POST search/time_entries {first}..{last} page {number}",
                )
                label = f"page {number} of the time entries of {first}..{last}"
                answer = decode_json(response, client=self.client, what=label,
                                     stream=stream.name)
                rows = self._listed(answer, stream=stream.name, page=label, response=response)
                following = _next_page(response)
                if not rows and (number > 1 or following is not None):
                    # Toggl names a next page only when it has rows for it (a full last page
                    # comes without X-Next-*, as live recordings show): an empty named page
                    # is rows lost on the way, never the end of the window.
                    said = ("though the page before named it as the next one (X-Next-*)"
                            if number > 1 else "though it names a next page (X-Next-*)")
                    raise self.missing_records(
                        MissingRecords(f"an empty list, {said}"), stream=stream.name,
                        page=label, response=response,
                    )
                try:
                    # The shared guard: a page that repeats the one before, or X-Next-*
                    # naming a page of this window already read (however many pages ago: a
                    # cycle A, B, A, ...), stops the read instead of looping for ever.
                    pages.advance(response, answer, rows)
                except ApiError as exc:
                    raise ApiError(
                        f"POST search/time_entries {first}..{last}: {exc}; the read stops here",
                        ErrorContext(connector=self.name, stream=stream.name,
                                     status=response.status_code),
                    ) from None
                self._add_projects(rows, clients, stream.name)
                try:
                    entries = self._entries(rows, clients)
                except MissingRecords as exc:
                    raise self.missing_records(exc, stream=stream.name, page=label,
                                               response=response) from None
                page = RawPage.of(
                    entries,
                    Location(detail=f"POST search/time_entries {first}..{last} page {number}"),
                    last=following is None and index == len(windows) - 1,
                )
                yield replace(page, notes=notes)
                notes = ()  # said once, on the first page
                if following is None:
                    break
                body.update(following)
                number += 1

    @staticmethod
    def _entries(
        rows: list[Any], clients: Mapping[str, str | None]
    ) -> list[Mapping[str, Any]]:
        """Each entry of each row, with its row's fields and its client's name merged in.

        Raises:
            MissingRecords: a row that is not an object, whose ``time_entries`` is not a
                list (missing, ``null``), or one of whose entries is not an object: the
                row's entries did not come (Toggl lists each row's entries, one at least),
                so the page is not read as if it held none; the caller names the page.
        """
        entries: list[Mapping[str, Any]] = []
        for place, row in enumerate(rows, 1):
            if not isinstance(row, Mapping):
                raise MissingRecords(f"row {place} is not an object (a row of entries)")
            listed = row.get("time_entries")
            if not isinstance(listed, list):
                said = (f"row {place} has no 'time_entries'" if "time_entries" not in row
                        else f"row {place}'s 'time_entries' is null" if listed is None
                        else f"row {place}'s 'time_entries' is not a list")
                raise MissingRecords(f"{said}: its entries did not come")
            shared = {k: v for k, v in row.items() if k != "time_entries"}
            project = row.get("project_id")
            name = clients.get(str(project)) if project is not None else None
            if project is not None:
                shared[PROJECT_UNKNOWN_KEY] = str(project) not in clients
            shared[CLIENT_NAME_KEY] = name
            for at, entry in enumerate(listed, 1):
                if not isinstance(entry, Mapping):
                    raise MissingRecords(
                        f"entry {at} of row {place}'s 'time_entries' is not an object (an "
                        "entry)")
                entries.append({**shared, **entry})
        return entries

    def to_model(self, stream: Stream, raw: Mapping[str, Any]) -> Mapped:
        if raw.get(PROJECT_UNKNOWN_KEY) is True:
            return _unknown_project(raw)
        return time_entry_from_toggl(raw, self.days_zone)


def _next_page(response: requests.Response) -> dict[str, int] | None:
    """The body fields naming the next page of a window (:data:`NEXT_HEADERS`), or None
    when the response names none (the window's last page)."""
    following: dict[str, int] = {}
    for header, field in NEXT_HEADERS.items():
        value = response.headers.get(header)
        if value is not None and value.strip().lstrip("-").isdigit():
            following[field] = int(value)
    return following if "first_row_number" in following or "first_id" in following else None


class _WindowPages(Paginator):
    """The pages of one window of the detailed search, for the shared loop guard
    (:meth:`~clientguard.http.Paginator.advance`): the first page is asked for without
    ``first_*`` fields, each next one with those its page before named."""

    def first(self) -> dict[str, Any]:
        return {}

    def _next(
        self, response: requests.Response, body: Any, records: Sequence[Mapping[str, Any]]
    ) -> dict[str, Any] | None:
        return _next_page(response)


def _unknown_project(raw: Mapping[str, Any]) -> Mapped:
    raise DataError(
        f"project_id: project {raw.get('project_id')} is not in the workspace's projects, and "
        "Toggl does not show it by its id either (GET projects/<id>: 404 or 403), so its "
        "client is unknown; check that the token's user sees every project"
    )
