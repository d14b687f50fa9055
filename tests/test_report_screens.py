"""The HTML report read on a desktop and on a phone, measured in a real browser.

Headless Chromium (Debian's ``chromium``; ``make test`` installs it when it can) opens a copy
of each report with a measuring script added, at 1280, 820 and 390 CSS px wide, and writes
what it measured into the page; ``--dump-dom`` hands the page back. Nothing is judged by eye: no box
wider than the window, chart text no smaller than 10 CSS px, a client's name given room.
Screenshots of the reports as they are (their Content-Security-Policy intact) are written to
pytest's temporary folder (``--basetemp=DIR`` keeps them in DIR) for a person to look at.

The reports: the sample firm's, the IBM receivables sample's from ``../shared`` (skipped when
absent) and a hostile one (100 clients, names of a thousand letters, amounts in the hundreds
of billions).
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import clientguard as cg
from clientguard.report import render
from clientguard.review import Review, review
from clientguard.sample import sample_ledger
from clientguard.testing import customer, invoice, ledger, payment

WIDTHS = (1280, 820, 390)
SMALLEST_TEXT_PX = 10.0
"""The smallest chart text that reads on a phone (CSS px, as drawn: an SVG's scale counted)."""


def _chromium() -> str | None:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


CHROMIUM = _chromium()
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Chromium is not installed (make test installs Debian's chromium when it runs as "
    "root with apt-get; else: apt-get install chromium)",
)

# Runs at the end of <body>: opens every <details> (their lists are measured too), then
# measures and writes the result into the page as JSON.
MEASURE = r"""
<script>
(() => {
  for (const d of document.querySelectorAll("details")) d.open = true;
  const vw = window.innerWidth;
  const name = (el) => {
    const css = typeof el.className === "string" ? el.className : el.className.baseVal;
    const text = (el.textContent || "").trim().replace(/\s+/g, " ").slice(0, 50);
    return `${el.tagName.toLowerCase()}${css ? "." + css.trim().split(/\s+/).join(".") : ""}`
      + ` "${text}"`;
  };
  const out = {innerWidth: vw, scrollWidth: document.documentElement.scrollWidth,
               scrollHeight: document.documentElement.scrollHeight, outside: [],
               smallest_chart_text: null, smallest_text: null, small_chart_text: [],
               names: [], charts: 0};
  for (const el of document.body.querySelectorAll("*")) {
    if (!el.getClientRects().length) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (r.left < -0.5 || r.right > vw + 0.5) out.outside.push([name(el), r.left, r.right]);
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.data.trim()) continue;
    const el = node.parentElement;
    if (el.closest("title") || !el.getClientRects().length) continue;
    let size = parseFloat(getComputedStyle(el).fontSize);
    if (el instanceof SVGElement) {
      const m = el.getScreenCTM();
      size *= Math.min(Math.hypot(m.a, m.b), Math.hypot(m.c, m.d));
    }
    if (out.smallest_text === null || size < out.smallest_text) out.smallest_text = size;
    if (el.closest("figure")) {
      if (out.smallest_chart_text === null || size < out.smallest_chart_text)
        out.smallest_chart_text = size;
      if (size < 10) out.small_chart_text.push([name(el), size]);
    }
  }
  out.charts = document.querySelectorAll("figure .chart").length;
  out.thinnest_bar = Math.min(...[...document.querySelectorAll(".hbars .bar.some")].map(
    (bar) => bar.getBoundingClientRect().width));
  for (const td of document.querySelectorAll("td.client")) {
    const range = document.createRange();
    range.selectNodeContents(td);
    const lineHeight = parseFloat(getComputedStyle(td).lineHeight);
    out.names.push({chars: td.textContent.length, width: td.getBoundingClientRect().width,
                    lines: Math.round(range.getBoundingClientRect().height / lineHeight)});
  }
  const pre = document.createElement("pre");
  pre.id = "measured";
  pre.hidden = true;
  pre.textContent = JSON.stringify(out);
  parent.document.body.appendChild(pre);
})();
</script>
"""


def _browser(width: int, height: int, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    with tempfile.TemporaryDirectory(prefix="chromium-") as profile:
        command = [
            CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
            "--no-first-run", "--no-default-browser-check", "--mute-audio",
            f"--user-data-dir={profile}", f"--window-size={width},{height}", *args,
        ]
        return subprocess.run(command, capture_output=True, text=True, timeout=180,
                              check=False)


def _framed(page: str, width: int, height: int) -> str:
    """``page`` in a frame ``width`` CSS px wide: Chromium's window is never narrower than
    500px, a frame is as narrow as asked (its media queries see its own width)."""
    return (
        '<!doctype html><html><head><meta charset="utf-8"></head>'
        '<body style="margin:0">'
        f'<iframe srcdoc="{html.escape(page, quote=True)}" width="{width}" height="{height}" '
        'style="border:0;display:block"></iframe></body></html>'
    )


def measure(page: str, width: int, tmp: Path) -> dict[str, Any]:
    """What Chromium measured of ``page`` in a window ``width`` CSS px wide."""
    # The report refuses every script (its Content-Security-Policy); the measuring copy, and
    # only it, drops the policy to let the measuring script run.
    copy = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", page)
    assert copy != page
    copy = copy.replace("</body>", MEASURE + "</body>")
    path = tmp / f"measure-{width}.html"
    path.write_text(_framed(copy, width, 900), encoding="utf-8")
    done = _browser(max(width, 500), 900, "--dump-dom", path.as_uri())
    found = re.search(r'<pre id="measured" hidden="">(.*?)</pre>', done.stdout, re.S)
    assert found, f"Chromium gave no measurement (exit {done.returncode}): {done.stderr[-2000:]}"
    result: dict[str, Any] = json.loads(html.unescape(found.group(1)))
    return result


def screenshot(page: str, width: int, height: int, folder: Path, stem: str) -> Path:
    """A full-page PNG of the report as it is (its policy intact), ``width`` px at the left."""
    height = min(height, 16_000)
    source = folder / f"{stem}-{width}.html"
    source.write_text(_framed(page, width, height), encoding="utf-8")
    shot = folder / f"{stem}-{width}.png"
    done = _browser(max(width, 500), height, f"--screenshot={shot}", source.as_uri())
    assert shot.exists(), f"Chromium wrote no screenshot: {done.stderr[-2000:]}"
    return shot


# ----------------------------------------------------------------------------- the reports


def sample_review() -> Review:
    as_of = date(2026, 6, 30)
    return cg.review(sample_ledger(as_of=as_of), as_of=as_of)


def ibm_review(reference_file: Any) -> Review:
    from clientguard_csv import CsvConnector

    path = reference_file("data/ibm_accounts_receivable.csv")
    book = cg.Ledger.from_connector(CsvConnector(invoices=path, preset="ibm-ar"),
                                    base_currency="USD", strict=False)
    return cg.review(book, as_of=date(2013, 12, 31))


def hostile_review() -> Review:
    """100 clients: names of a thousand letters without a space, of long words, of CJK; amounts
    up to hundreds of billions; each late on some invoices (so a days-late chart each), with
    months without invoices (gaps), and open invoices in every aging bucket."""
    as_of = date(2025, 6, 30)
    records: list[Any] = []
    for number in range(100):
        client = f"c{number:03d}"
        kind = number % 4
        if kind == 0:
            name = "Ż" * 1000
        elif kind == 1:
            name = " ".join(["Internationalisation"] * 40) + f" {number}"
        elif kind == 2:
            name = "株式会社テストカンパニー東京本社営業部" * 5
        else:
            name = f"Client {number} Sp. z o.o."
        records.append(customer(client, name))
        total = Decimal(987_654_321_098) / (number + 1)
        for month in (1, 2, 4, 5, 6, 8, 9, 11):  # no invoice in March, July, October
            inv = invoice(client, issued=f"2024-{month:02d}-01", total=f"{total:.2f}",
                          id=f"{client}-{month}")
            late = (number + month) % 3 != 0
            records.append(inv)
            records.append(payment(client, on=inv.due_date.replace(day=28) if late
                                   else inv.due_date, amount=f"{total:.2f}", pays=inv,
                                   id=f"pay-{client}-{month}"))
        for days, amount in ((-10, total), (15, total / 7), (45, total / 50),
                             (75, total / 90), (200, Decimal("0.01") * (number + 1))):
            due = date.fromordinal(as_of.toordinal() - days)
            issued = date.fromordinal(due.toordinal() - 30)
            records.append(invoice(client, issued=issued.isoformat(), due=due.isoformat(),
                                   total=f"{amount:.2f}", id=f"{client}-open-{days}"))
    return review(ledger(*records), as_of=as_of)


REPORTS = ["sample", "ibm", "hostile"]


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    return {"sample": render(sample_review(), "html", title="Sample firm"),
            "hostile": render(hostile_review(), "html")}


@pytest.fixture(scope="module", params=REPORTS)
def report(request: pytest.FixtureRequest, pages: dict[str, str],
           reference_file: Any) -> tuple[str, str]:
    stem: str = request.param
    if stem == "ibm":
        return stem, render(ibm_review(reference_file), "html", title="IBM receivables")
    return stem, pages[stem]


@pytest.fixture(scope="module")
def screens(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("screens")


# ----------------------------------------------------------------------------- the tests


@needs_chromium
@pytest.mark.parametrize("width", WIDTHS)
def test_the_report_fits_the_screen_and_its_charts_stay_legible(
    report: tuple[str, str], width: int, screens: Path
) -> None:
    stem, page = report
    folder = screens / f"{stem}-{width}"
    folder.mkdir()
    seen = measure(page, width, folder)
    screenshot(page, width, seen["scrollHeight"], screens, stem)

    assert seen["innerWidth"] == width  # the window really was that wide
    assert seen["scrollWidth"] <= width, "the page scrolls sideways"
    assert seen["outside"] == [], f"boxes outside the window: {seen['outside'][:5]}"
    assert seen["charts"] >= 2  # the revenue and aging charts at least were drawn
    assert seen["smallest_chart_text"] >= SMALLEST_TEXT_PX, seen["small_chart_text"][:5]
    assert seen["smallest_text"] >= SMALLEST_TEXT_PX
    # A bar that is not zero (the 91+ days of the hostile report: 0.0000001% of the largest)
    # is never thinner than 3px.
    assert seen["thinnest_bar"] >= 3
    # A client's name has room: on a phone the card's whole width, on a desktop a column of at
    # least 8rem, never a sliver that breaks the name into one letter a line.
    room = 0.75 * width if width < 960 else 128
    narrow = [n for n in seen["names"] if n["width"] < room]
    assert not narrow, narrow[:3]
    if stem != "hostile":
        # Real names (up to 65 letters here, a group's) take at most three lines.
        assert max(n["lines"] for n in seen["names"]) <= 3


# ----------------------------------------------------------------------------- without a browser

AS_OF = date(2025, 6, 30)


def _late_client(months: list[int]) -> Review:
    """One client whose invoices fall due on the 10th of ``months`` of 2025, each paid 40 days
    late (so that it is flagged and its days-late chart drawn), and nothing due in between."""
    records: list[Any] = [customer("late", "Late Ltd")]
    for month in months:
        due = date(2025, month, 10)
        records.append(invoice("late", issued=date(2025, month, 1).isoformat(),
                               due=due.isoformat(), total="1000.00", id=f"L-{month}",
                               paid=date.fromordinal(due.toordinal() + 40).isoformat()))
    return review(ledger(*records), as_of=AS_OF)


@pytest.mark.parametrize(
    ("months", "lines"),
    [
        ([1, 2, 4, 5], [[1, 2], [4, 5]]),  # March has nothing due: the line breaks there
        ([1, 2, 3, 4], [[1, 2, 3, 4]]),  # no gap: one line
        ([1, 3, 5], []),  # every month alone: dots, no line
    ],
    ids=["gap in march", "no gap", "only gaps"],
)
def test_the_days_late_line_breaks_where_a_month_has_nothing_due(
    months: list[int], lines: list[list[int]]
) -> None:
    page = render(_late_client(months), "html")
    plot = re.search(r'<svg class="plot" viewBox="0 0 (\d+) \d+"[^>]*>(.*?)</svg>', page, re.S)
    assert plot, "no days-late chart"
    width, body = float(plot.group(1)), plot.group(2)
    span = months[-1] - months[0]  # the x axis runs from the first month to the last

    def month_at(x: float) -> int:
        return months[0] + round(x / width * span)

    drawn = [
        [month_at(float(point.split(",")[0])) for point in points.split()]
        for points in re.findall(r'<polyline class="line"[^>]*points="([^"]*)"', body)
    ]
    assert drawn == lines
    dots = re.findall(r'<path class="dot"[^>]*d="M([\d.]+) ', body)
    assert [month_at(float(x)) for x in dots] == months


def test_every_aging_bucket_is_labelled_and_a_small_critical_bar_stays_visible() -> None:
    # 100,000.00 not yet due and 50.00 over 91 days past due (0.05% of the largest bar).
    book = ledger(
        customer("big", "Big Co"), customer("old", "Old Co"),
        invoice("big", issued="2025-06-20", due="2025-07-20", total="100000.00", id="B-1"),
        invoice("old", issued="2025-01-01", due="2025-02-01", total="50.00", id="O-1"),
    )
    page = render(review(book, as_of=AS_OF), "html")
    chart = re.search(r'aria-label="Open balances by days past due, EUR">(.*?)</div></figure>',
                      page, re.S)
    assert chart
    rows = re.findall(r'<span class="name">([^<]*)</span><span class="track"><span '
                      r'class="([^"]*)" style="width: ([^"]*)"></span></span>'
                      r'<span class="val">([^<]*)</span>', chart.group(1))
    assert [(name, value) for name, _, _, value in rows] == [
        ("not yet due", "100,000.00"), ("1-30 days", "0.00"), ("31-60 days", "0.00"),
        ("61-90 days", "0.00"), ("91+ days", "50.00"),
    ]
    css = {name: set(kind.split()) for name, kind, _, _ in rows}
    widths = {name: float(width.removesuffix("%")) for name, _, width, _ in rows}
    assert widths["not yet due"] == 100
    assert widths["1-30 days"] == 0
    assert widths["91+ days"] < 0.1  # drawn to scale it would be a sliver
    # A bar that is not zero gets a minimum width (class some) and the oldest bucket the
    # critical colour; an empty bucket draws nothing.
    assert {"some", "critical"} <= css["91+ days"]
    assert "some" in css["not yet due"]
    assert "some" not in css["1-30 days"]
    style = page[page.index("<style>"):page.index("</style>")]
    assert re.search(r"\.hbars \.bar\.some \{ min-width: [1-9]", style)
