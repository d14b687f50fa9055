"""The official daily tables of two central banks, as rate sources.

* **NBP** (Narodowy Bank Polski), table A of mid rates, from its Web API:
  ``GET {base_url}/api/exchangerates/tables/A/{start}/{end}/?format=json``, which answers
  ``[{"table": "A", "no": "001/A/NBP/2025", "effectiveDate": "2025-01-02", "rates":
  [{"currency": "dolar amerykański", "code": "USD", "mid": 4.1219}, ...]}, ...]``: ``mid``
  is PLN per one unit. One query covers at most 93 days, so a longer range is read in
  slices; a slice with no table at all (holidays) answers 404, which is no rates, not an
  error. Polish VAT converts an invoice at the rate of the last business day **before** its
  date (art. 31a of the VAT Act), so each table applies from the day after its
  ``effectiveDate`` (the row's ``applies_from``). The row's ``published`` keeps the table's
  own day: the Polish fixed compensation is converted at the table announced *on* its rule
  date (art. 10 ust. 1a of the 2013 late-payment Act), not at the one a document of that date
  takes (``clientguard.metrics.cost.PublishedFxRates``).
* **ECB** euro reference rates, from ``{base_url}/stats/eurofxref/eurofxref-hist.xml`` (the
  whole history; ``eurofxref-hist-90d.xml`` and ``eurofxref-daily.xml`` have the same form):
  ``<Cube time="2025-01-02"><Cube currency="USD" rate="1.0321"/>...`` is USD per one EUR, so
  the row's rate (EUR per unit) is its inverse. The same data as CSV (``eurofxref-hist.csv``,
  alone or in the ``.zip``: ``Date,USD,JPY,...`` with ``N/A`` for no rate) is read too. A
  rate applies from its own day.

Both speak HTTP through :class:`~clientguard.http.ApiClient` (a timeout on every call,
retries with backoff on 5xx and lost connections); ``base_url`` points them at a proxy or a
local test server.
"""

from __future__ import annotations

import csv
import io
import time
import zipfile
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar
from xml.etree import ElementTree

from clientguard.errors import ConfigError, ConnectorError, DataError
from clientguard.fx import RateRow
from clientguard.http import ApiClient, decode_json
from clientguard.money import ONE, is_currency

__all__ = ["BANKS", "EcbRates", "NbpRates", "RateSource"]

NBP_MAX_DAYS = 93
"""The longest range one NBP query may cover (api.nbp.pl)."""


class RateSource:
    """A central bank's daily table: :meth:`fetch` the rates of a range of days."""

    name: ClassVar[str]
    base: ClassVar[str]
    default_url: ClassVar[str]

    def __init__(
        self,
        *,
        base_url: str | None = None,
        timeout: float = 60.0,
        max_attempts: int = 5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.client = ApiClient(
            base_url or self.default_url,
            connector=self.name,
            timeout=timeout,
            max_attempts=max_attempts,
            sleep=sleep,
        )

    def fetch(self, start: date, end: date) -> list[RateRow]:
        raise NotImplementedError

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> RateSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class NbpRates(RateSource):
    """The NBP's table A (mid rates, PLN per unit), applied to documents from the day after
    each table, and published on the table's own day (see the module)."""

    name = "nbp"
    base = "PLN"
    default_url = "https://api.nbp.pl"

    def fetch(self, start: date, end: date) -> list[RateRow]:
        rows: list[RateRow] = []
        for first, last in _slices(start, end, NBP_MAX_DAYS):
            path = f"api/exchangerates/tables/A/{first}/{last}/"
            try:
                response = self.client.get(path, params={"format": "json"})
            except ConnectorError as exc:
                if exc.status == 404:  # no table in the slice (holidays): no rates
                    continue
                raise
            rows.extend(nbp_rows(decode_json(response, client=self.client), where=path))
        return rows


class EcbRates(RateSource):
    """The ECB's euro reference rates (EUR per unit: the inverse of the published rate)."""

    name = "ecb"
    base = "EUR"
    default_url = "https://www.ecb.europa.eu"
    path = "stats/eurofxref/eurofxref-hist.xml"

    def fetch(self, start: date, end: date) -> list[RateRow]:
        response = self.client.get(self.path)
        return [
            row for row in ecb_rows(response.content, where=self.path)
            if start <= row.published <= end
        ]


BANKS: dict[str, type[RateSource]] = {"nbp": NbpRates, "ecb": EcbRates}
"""The rate sources a ``[rates.NAME]`` table can name."""


def _slices(start: date, end: date, days: int) -> Iterator[tuple[date, date]]:
    while start <= end:
        last = min(start + timedelta(days=days - 1), end)
        yield start, last
        start = last + timedelta(days=1)


# --------------------------------------------------------------------------- parsing


def nbp_rows(body: Any, *, where: str = "NBP") -> list[RateRow]:
    """The rows of an NBP table A response (see the module)."""
    if not isinstance(body, list):
        raise DataError(f"{where}: expected a list of tables, got {type(body).__name__}")
    rows = []
    for table in body:
        if not isinstance(table, dict) or not isinstance(table.get("rates"), list):
            raise DataError(f"{where}: a table without rates: {str(table)[:80]!r}")
        try:
            day = date.fromisoformat(str(table.get("effectiveDate")))
        except ValueError:
            raise DataError(f"{where}: effectiveDate {table.get('effectiveDate')!r} is not a "
                            "date") from None
        for item in table["rates"]:
            code = str(item.get("code", "")) if isinstance(item, dict) else ""
            if not is_currency(code):
                continue  # e.g. XDR, the IMF's unit: not a document currency
            rate = _positive(item.get("mid"), f"{where}: {code} on {day}")
            rows.append(RateRow("nbp", "PLN", code, day, rate, day + timedelta(days=1)))
    return rows


def ecb_rows(content: bytes, *, where: str = "ECB") -> list[RateRow]:
    """The rows of an ECB eurofxref file: XML, CSV, or the CSV in its zip (see the module)."""
    if content[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = [n for n in archive.namelist() if n.lower().endswith(".csv")]
            if not names:
                raise DataError(f"{where}: the zip holds no CSV file")
            content = archive.read(names[0])
    text = content.decode("utf-8-sig").lstrip()
    published = _ecb_xml(text, where) if text.startswith("<") else _ecb_csv(text, where)
    rows = []
    for day, code, value in published:
        if not is_currency(code):
            continue
        per_euro = _positive(value, f"{where}: {code} on {day}")
        rows.append(RateRow("ecb", "EUR", code, day, ONE / per_euro, day))
    return rows


def _ecb_xml(text: str, where: str) -> list[tuple[date, str, object]]:
    if "<!" in text:
        # No DTD, entity or CDATA in an ECB file: refusing them leaves the parser nothing to
        # expand (no "billion laughs"), without a dependency on defusedxml.
        raise DataError(f"{where}: the XML declares a DTD or entities; not an ECB rates file")
    try:
        root = ElementTree.fromstring(text)  # noqa: S314 (no DTD: checked above)
    except ElementTree.ParseError as exc:
        raise DataError(f"{where}: not an ECB rates file ({exc})") from None
    found: list[tuple[date, str, object]] = []
    for cube in root.iter():
        stamp = cube.get("time")
        if stamp is None:
            continue
        day = _day(stamp, where)
        for child in cube:
            code, rate = child.get("currency"), child.get("rate")
            if code is not None:
                found.append((day, code, rate))
    return found


def _ecb_csv(text: str, where: str) -> list[tuple[date, str, object]]:
    reader = csv.reader(io.StringIO(text))
    header = [cell.strip() for cell in next(reader, [])]
    if not header or header[0] != "Date":
        raise DataError(f"{where}: not an ECB rates file (no 'Date' header)")
    found: list[tuple[date, str, object]] = []
    for cells in reader:
        if not cells or not cells[0].strip():
            continue
        day = _day(cells[0].strip(), where)
        for code, value in zip(header[1:], cells[1:], strict=False):
            value = value.strip()
            if code and value and value != "N/A":
                found.append((day, code, value))
    return found


def _day(text: str, where: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise DataError(f"{where}: {text!r} is not a date") from None


def _positive(value: object, where: str) -> Decimal:
    if isinstance(value, float | bool) or value is None:
        raise DataError(f"{where}: {value!r} is not a rate")
    try:
        rate = Decimal(str(value))
    except InvalidOperation:
        raise DataError(f"{where}: {value!r} is not a rate") from None
    if not rate.is_finite() or rate <= 0:
        raise DataError(f"{where}: {value!r} is not a positive rate")
    return rate


def bank(name: str, options: dict[str, Any]) -> RateSource:
    """The rate source ``name`` (``nbp`` or ``ecb``) with ``options`` (``base_url``,
    ``timeout``); a ConfigError naming what is unknown."""
    cls = BANKS.get(name)
    if cls is None:
        raise ConfigError(f"[rates.{name}]: not a rate source; use one of {', '.join(BANKS)}")
    unknown = sorted(set(options) - {"base_url", "timeout"})
    if unknown:
        raise ConfigError(f"[rates.{name}]: unknown option {unknown[0]!r} (known: base_url, "
                          "timeout)")
    base_url = options.get("base_url")
    if base_url is not None and not (isinstance(base_url, str) and base_url.startswith(
            ("http://", "https://"))):
        raise ConfigError(f"[rates.{name}]: base_url must be an http(s) address")
    timeout = options.get("timeout", 60)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float | Decimal) or timeout <= 0:
        raise ConfigError(f"[rates.{name}]: timeout must be a positive number of seconds")
    return cls(base_url=base_url, timeout=float(timeout))
