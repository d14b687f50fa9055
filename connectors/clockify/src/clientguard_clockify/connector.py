"""The Clockify connector: the time entries of every user of a workspace.

::

    import clientguard as cg

    conn = cg.connectors.load("clockify")(api_key="...", workspace_id="...")

Reading (https://docs.clockify.me):

* ``X-Api-Key`` authenticates every call (a workspace admin's key: only an admin may read
  other users' entries).
* The users: ``GET /workspaces/{id}/users?status=ALL`` (paged); then each user's entries:
  ``GET /workspaces/{id}/user/{userId}/time-entries?hydrated=true`` (hydrated: the project,
  with its client's name, inside each entry). Both are paged by ``page`` (from 1) and
  ``page-size``; a page shorter than the size is the last. Each page after the first is
  checked at its boundary (the last record read must still be in its place, asked for with
  ``page-size`` 1): a list that shifted stops the read (:class:`SourceChanged`, try again).
* Incremental, as far as the API allows: Clockify cannot list entries by change time, only
  by start time (``start``). So an incremental read re-reads the entries started in the
  ``resync_days`` before the last sync (an entry edited long after it was worked on is
  caught by the next full read). The stream's cursor is the moment the read began.
* The day an entry was worked: its start (UTC) in the ``timezone`` option's zone, else in
  the time zone of the key owner's Clockify profile (``GET /user``'s ``settings.timeZone``),
  read once a sync (with the default workspace, when that is read too); UTC, with a note,
  when the profile names none, or no IANA zone.
* Rate limits: Clockify answers 429 past its limit (50 requests a second per workspace, as
  documented for add-ons); :class:`clientguard.http.ApiClient` waits (``Retry-After`` when
  sent, else backoff).
* Deletions: not listed; a full read (``clientguard sync --full``) replaces the stream's
  entries and drops them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any, ClassVar, cast

from pydantic import Field, SecretStr, field_validator

from clientguard.connector import ConnectorOptions, Mapped, RawPage, Stream, zone_option
from clientguard.errors import ApiError, AuthError, ErrorContext
from clientguard.http import (
    HttpConnector,
    HttpOptions,
    HttpStream,
    MissingRecords,
    PageNumberPaginator,
    Paginator,
    decode_json,
    records_in,
)
from clientguard.http.paging import PageBoundaries, SourceChanged
from clientguard.records import Location
from clientguard_clockify.mapping import (
    SOURCE,
    USER_NAME_KEY,
    iana_zone,
    time_entry_from_clockify,
)

__all__ = ["MAX_PAGE_SIZE", "OBSERVED_KEY", "ClockifyConnector", "ClockifyOptions"]

MAX_PAGE_SIZE = 1000
"""The largest ``page-size`` the connector asks for."""

_CREDENTIALS_HELP = (
    "check api_key (Clockify > Profile settings > API > Generate; a workspace admin's key), "
    "workspace_id, and base_url (a workspace on a regional server uses its region's, e.g. "
    "https://euc1.clockify.me/api/v1)"
)

#: Key under which the connector stamps each raw entry with the moment its read began (not
#: a Clockify field): the stream's cursor, since Clockify gives no change time to filter on.
OBSERVED_KEY = "clientguard:observed_at"


class ClockifyOptions(HttpOptions):
    """Options of the Clockify connector (keyword arguments)."""

    api_key: SecretStr
    """An API key of a workspace admin (Profile settings > API)."""
    workspace_id: SecretStr | None = None
    """The workspace's id (in the workspace settings' address); a tenant id: never shown.
    None: the key owner's default workspace (``GET /user``)."""
    base_url: str = "https://api.clockify.me/api/v1"
    """Where the API is (a regional one, e.g. ``https://euc1.clockify.me/api/v1``, a
    proxy, or a local test server)."""
    timezone: str | None = None
    """The IANA time zone that turns an entry's start into the day it was worked
    (``Europe/Warsaw``). None: the time zone of the key owner's Clockify profile
    (``settings.timeZone``), read once a sync (UTC, with a note, when it names none)."""
    from_date: date | None = None
    """A full read starts at this day (entries started on or after it); None: all."""
    resync_days: int = Field(default=31, ge=0)
    """How far before the last sync an incremental read goes back (by start time)."""
    page_size: int = Field(default=200, ge=1, le=MAX_PAGE_SIZE)
    """Entries (or users) per request."""

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        return None if value is None else zone_option(value)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class ClockifyConnector(HttpConnector):
    """Clockify: a workspace's time entries with their project's client (matched to a
    customer by name).

    Options: see :class:`ClockifyOptions`; ``clock`` and ``progress`` as for every connector.
    """

    name: ClassVar[str] = SOURCE
    summary: ClassVar[str] = "Clockify: a workspace's time entries with their client"
    Options: ClassVar[type[ConnectorOptions]] = ClockifyOptions
    streams: ClassVar[tuple[Stream, ...]] = (
        HttpStream(
            name="time_entries",
            kind="time_entry",
            path="workspaces/{workspace}/user/{user}/time-entries",
            id_field="id",
            cursor_field=OBSERVED_KEY,
            duplicates="latest",
            description="Every user's time entries, with the client's name of the entry's "
            "project (matched to a customer by the ledger).",
        ),
    )

    options: ClockifyOptions

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        opts = self.options
        key = opts.api_key.get_secret_value().strip()
        given = opts.workspace_id
        self.workspace: str | None = given.get_secret_value().strip() if given else None
        self.zone: tzinfo | None = iana_zone(opts.timezone)
        """The ``timezone`` option's zone; None: the profile's, read by each sync."""
        self.days_zone: tzinfo = self.zone or UTC
        """The zone the current sync counts days in (set by :meth:`fetch` before any entry
        is mapped)."""
        self.client = self.api_client(
            opts.base_url,
            headers={"Accept": "application/json", "X-Api-Key": key},
            secrets=(key, *([self.workspace] if self.workspace else [])),
        )

    def _user(self, stream: str) -> Mapping[str, Any]:
        """The key owner (``GET /user``); an empty mapping when the body is no object (each
        field read from it is then missing, and said so)."""
        response = self.client.request("GET", "user", stream=stream, what="GET user")
        body = decode_json(response, client=self.client, what="GET user", stream=stream)
        return cast(Mapping[str, Any], body) if isinstance(body, Mapping) else {}

    def _days_zone(self, stream: str, user: Mapping[str, Any] | None
                   ) -> tuple[tzinfo, str | None]:
        """The zone this sync counts days in, and the note to give when it is UTC for want
        of a zone in the profile: the option's, else the key owner's (``user``)."""
        if self.zone is not None:
            return self.zone, None
        settings = (user or {}).get("settings")
        given = settings.get("timeZone") if isinstance(settings, Mapping) else None
        zone = iana_zone(given)
        if zone is not None:
            return zone, None
        said = ("names no time zone" if given is None or given == ""
                else f"names {str(given)[:60]!r}, which is not an IANA time zone")
        return UTC, (
            f"{stream}: days counted in UTC: the Clockify profile of the key's user "
            f"(GET /user, settings.timeZone) {said}; an entry started near midnight may count "
            "on the day before or after the one it was worked. Set the timezone option "
            "(e.g. timezone = \"Europe/Warsaw\")"
        )

    def _workspace(self, stream: str, user: Mapping[str, Any] | None = None) -> str:
        """The workspace to read: the option, else the key owner's default workspace (from
        ``user``, the key owner when the caller has read it)."""
        if self.workspace is None:
            found = (self._user(stream) if user is None else user).get("defaultWorkspace")
            if not isinstance(found, str) or not found.strip():
                raise ApiError(
                    "GET user: the key's user has no default workspace; give workspace_id",
                    ErrorContext(connector=self.name, stream=stream),
                )
            self.workspace = found.strip()
            self.client.add_secret(self.workspace)
        return self.workspace

    def _pages(
        self, path: str, params: Mapping[str, Any], stream: str, what: str
    ) -> Iterator[tuple[int, list[Mapping[str, Any]], bool, tuple[str, ...]]]:
        """(page number, records, last?, notes) of a list paged by ``page`` and
        ``page-size``.

        ``page`` is a position, and Clockify gives no count to check it by: a record deleted
        or moved on a page already read shifts the later pages up, and a record that was not
        changed at all crosses onto a page already read, unseen. So each page after the first
        is checked at its boundary by the shared rule, :class:`~clientguard.http.
        PageBoundaries` (GitHub's and Xero Projects' too): unless the page begins with a
        record read already (records added before it pushed the list down: read twice,
        stored once, and none after the last one read can be on a page already read), the
        place of the last record read (asked for as ``page`` that place, ``page-size`` 1)
        must still hold it; else :class:`SourceChanged` stops the read.

        A page may legitimately repeat the one before: ``page-size`` records added before
        the page being read (a time entry logged now sorts first) push the next page onto
        the one just read. So the read goes on; the records read again unchanged are left
        out (counted once, :meth:`~clientguard.http.Paginator.new_records`) and the page is
        said in the notes (yielded with the page). The loop guards (the shared ones,
        :meth:`~clientguard.http.Paginator.advance`, with ``id_field``): the same page three
        times in a row (records without an ``id`` are caught too), or a run of pages holding
        only ids read already that comes back to a page it read or is longer than the pages
        before it, is the API ignoring ``page`` (or the list shifting again and again): an
        :class:`ApiError`, not a loop.
        Yields (page number, the page's new records, last?, notes)."""
        size = self.options.page_size
        number = 1
        boundaries = PageBoundaries()
        guard = PageNumberPaginator(page_param="page", size_param="page-size", size=size,
                                    id_field="id")
        while True:
            records = self._page(path, {**params, "page": number, "page-size": size},
                                 stream, f"page {number} of {what}", guard=(guard, what))
            due = boundaries.take([str(r.get("id")) for r in records])
            if due is not None:
                there = self._page(path, {**params, "page": due.place, "page-size": 1},
                                   stream, f"place {due.place} of {what}")
                found = there[0].get("id") if there else None
                if str(found) != due.expected:
                    raise SourceChanged(
                        f"GET {what}: the list changed while it was read by page number: "
                        f"after page {due.page} was read, place {due.place} no longer holds "
                        f"the last record page {due.page - 1} gave",
                        ErrorContext(connector=self.name, stream=stream),
                    )
            last = len(records) < size
            notes = tuple(f"{what}: {note}" for note in guard.take_notes())
            yield number, list(guard.new_records(records)), last, notes
            if last:
                return
            number += 1

    def _page(self, path: str, params: Mapping[str, Any], stream: str, label: str, *,
              guard: tuple[Paginator, str] | None = None) -> list[Mapping[str, Any]]:
        """The records of one page (``label``: ``page 2 of users``); ``guard``, the list's
        paginator and name, is shown the page (:meth:`~clientguard.http.Paginator.advance`),
        which raises :class:`ApiError` for a page that repeats the one before."""
        response = self.client.request("GET", path, params=params, stream=stream,
                                       what=f"GET {label}")
        body = decode_json(response, client=self.client, what=label, stream=stream)
        try:
            records = records_in(body, None)
        except MissingRecords as exc:
            raise self.missing_records(exc, stream=stream, page=label,
                                       response=response) from None
        if guard is not None:
            paginator, what = guard
            try:
                paginator.advance(response, body, records)
            except ApiError as exc:
                raise ApiError(f"GET {what}: {exc}, so the read stops here instead of looping",
                               ErrorContext(connector=self.name, stream=stream,
                                            status=response.status_code)) from None
        return records

    def fetch(self, stream: Stream, *, since: datetime | None) -> Iterator[RawPage]:
        try:
            yield from self._read(stream, since)
        except AuthError as exc:
            said = str(exc).removesuffix(f" ({exc.context.describe()})")
            raise AuthError(f"{said}. Clockify refused the API key: {_CREDENTIALS_HELP}",
                            exc.context) from None

    def _read(self, stream: Stream, since: datetime | None) -> Iterator[RawPage]:
        observed = self.clock().astimezone(UTC).isoformat()
        # One GET /user a sync, for the default workspace and the profile's time zone alike,
        # and only when an option does not give them.
        owner = self._user(stream.name) if self.workspace is None or self.zone is None else None
        workspace = self._workspace(stream.name, owner)
        self.days_zone, zone_note = self._days_zone(stream.name, owner)
        notes = () if zone_note is None else (zone_note,)
        params: dict[str, Any] = {"hydrated": "true"}
        if since is not None:
            params["start"] = _utc(since - timedelta(days=self.options.resync_days))
        elif self.options.from_date is not None:
            start = datetime.combine(self.options.from_date, datetime.min.time(),
                                     self.days_zone)
            params["start"] = _utc(start)
        users: list[tuple[str, str | None]] = []
        for _, records, _, shifted in self._pages(
            f"workspaces/{workspace}/users", {"status": "ALL"}, stream.name, "users"
        ):
            # A users page of users read already (the list shifted) is said with the first
            # page of entries, as an entries page's is.
            notes = (*notes, *shifted)
            for listed in records:
                ident = listed.get("id")
                if ident:
                    name = listed.get("name")
                    users.append((str(ident), name if isinstance(name, str) else None))
        if not users:
            yield RawPage((), last=True, notes=("the workspace lists no users", *notes))
            return
        for index, (user, user_name) in enumerate(users):
            path = f"workspaces/{workspace}/user/{user}/time-entries"
            for number, records, last, shifted in self._pages(
                path, params, stream.name, f"time-entries of user {user}"
            ):
                stamped = [{**r, OBSERVED_KEY: observed, USER_NAME_KEY: user_name}
                           for r in records]
                page = RawPage.of(
                    stamped,
                    Location(detail=f"GET time-entries of user {user} page {number}"),
                    last=last and index == len(users) - 1,
                )
                yield replace(page, notes=(*notes, *shifted))
                notes = ()  # said once, on the first page

    def to_model(self, stream: Stream, raw: Mapping[str, Any]) -> Mapped:
        return time_entry_from_clockify(raw, self.days_zone)
