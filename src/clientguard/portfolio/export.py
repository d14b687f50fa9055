"""A store into a lake: one firm's records, rejections, notes and rates in the Parquet layout,
the links of its customers that are one client (the config's ``[links]``, its ``links``
table), and the debtors' acknowledgements the store's review reads.

Read through the store's public API (:meth:`~clientguard.store.Store.records`,
:meth:`~clientguard.store.Store.rejections`, ``notes``, ``warnings``): what a review of the
store sees, a review of the lake sees too (the round trip is tested). The records' own places
in their sources (file and line) are not part of the store's API and are not exported; a
record the lake's reader rejects is named by its Parquet file and row instead.

The acknowledgements files (``clientguard review --acknowledged``, the config's
``acknowledgements``) are copied, byte for byte and under their own names, into the firm's
folder of them (:data:`~clientguard.portfolio.layout.ACKNOWLEDGEMENTS`), where
:func:`~clientguard.portfolio.review_firm` reads them: without them a debt the debtor
acknowledged reads as time-barred in the lake and not in the store. Each is read first, by
the rules of ``--acknowledged``, against the ledger the lake will hold: a file those rules
refuse fails the export, naming the file and the line, before anything is written. The
folder also holds the user's own files: an export replaces only what an earlier export
copied there (listed in :data:`COPIED_FILE`, which readers skip as they skip every name
starting with ``_``), and never a file of the user's.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from clientguard.acknowledgements import read_acknowledgements
from clientguard.errors import os_reason
from clientguard.i18n import gettext
from clientguard.money import FxTable
from clientguard.portfolio.layout import (
    ACKNOWLEDGEMENTS,
    FirmRecords,
    LayoutError,
    check_firm,
    replace_file,
    write_firm,
)
from clientguard.records import Link
from clientguard.store import Store

__all__ = ["COPIED_FILE", "export_store"]

COPIED_FILE = "_clientguard_export.json"
"""In a firm's acknowledgements folder: the names of the files the last export copied there
(``{"copied": ["acknowledged.csv"]}``), which the next export replaces or removes."""


def export_store(
    store: Store,
    root: str | Path,
    firm_id: str,
    *,
    base_currency: str,
    fx: FxTable | None = None,
    sources: Sequence[str] | None = None,
    acknowledgements: Sequence[Path] = (),
    links: Sequence[Link] = (),
) -> int:
    """Write the records of ``sources`` (default: all) of ``store`` as firm ``firm_id`` of the
    lake at ``root``, replacing what the lake held of the firm; return how many records were
    written. ``fx`` is the firm's exchange-rate table (to ``base_currency``).
    ``acknowledgements`` are the acknowledgements files to copy into the firm's folder of
    them, replacing what an earlier export copied there (see the module). ``links`` are the
    customers of different sources that are one client (the config's ``[links]``), written
    to the firm's ``links`` table: the lake's review counts them as one client, as the
    store's does.

    Raises :class:`~clientguard.errors.ConfigError` for an acknowledgements file the rules of
    ``--acknowledged`` refuse (naming the file and the line), and :class:`LayoutError` for
    one that cannot be copied under its name; in both cases nothing is written."""
    root = Path(root)
    check_firm(firm_id, base_currency, fx)
    records = list(store.records(sources))
    firm = FirmRecords(
        firm_id=firm_id, base_currency=base_currency, records=tuple(records), fx=fx,
        rejected=tuple(store.rejections(sources)), notes=tuple(store.notes(sources)),
        warnings=tuple(store.warnings(sources)), links=tuple(links),
    )
    folder = root / ACKNOWLEDGEMENTS / f"firm_id={firm_id}"
    copied = _copied_before(folder)
    if acknowledgements:
        # The ledger the lake's reader builds from these records (FirmRecords.ledger), so a
        # file that reads here reads there.
        read_acknowledgements(acknowledgements, firm.ledger())
        _check_names(acknowledgements, folder, copied)
    # The acknowledgements first, the tables after: an export cut short between the two then
    # leaves new acknowledgements beside the last export's tables (a row naming an invoice
    # those lack fails the firm, saying so), never new tables without their acknowledgements
    # (debts read as barred without a word).
    _copy_acknowledgements(acknowledgements, folder, copied)
    write_firm(
        root, firm_id, firm.records, base_currency=base_currency, fx=fx,
        rejected=firm.rejected, notes=firm.notes, warnings=firm.warnings, links=firm.links,
    )
    return len(records)


def _copied_before(folder: Path) -> frozenset[str]:
    """The names of the files an earlier export copied into ``folder`` (:data:`COPIED_FILE`);
    none where it is missing or unreadable (a file of the user's is then never taken for a
    copy: one of the same name as a file to copy is refused, and said)."""
    try:
        listed = json.loads((folder / COPIED_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return frozenset()
    names = listed.get("copied") if isinstance(listed, dict) else None
    if not isinstance(names, list):
        return frozenset()
    # Names only: a path in a damaged list never reaches outside the folder.
    return frozenset(n for n in names if isinstance(n, str) and n == Path(n).name and n)


def _check_names(files: Sequence[Path], folder: Path, copied: frozenset[str]) -> None:
    """Refuse a file the lake's reader would skip or refuse under its name (not ``.csv``, or
    hidden), two files of one name (the folder holds one), and a file of the user's in the
    folder under the name of one to copy (it would be lost) unless it is the same bytes."""
    seen: dict[str, Path] = {}
    for path in files:
        name = path.name
        if name.startswith((".", "_")) or not name.lower().endswith(".csv"):
            raise LayoutError(gettext(
                "{file}: the lake reads a firm's acknowledgements from files named name.csv, "
                "not starting with . or _: rename it so that the export copies it"
            ).format(file=path))
        if name in seen:
            raise LayoutError(gettext(
                "{first} and {second}: two acknowledgements files named {name}, but the "
                "firm's folder in the lake holds one file of a name: rename one"
            ).format(first=seen[name], second=path, name=name))
        seen[name] = path
        there = folder / name
        # A link to nothing is the user's too (exists() is False for it).
        if (name not in copied and (there.exists() or there.is_symlink())
                and not _same_bytes(there, path)):
            raise LayoutError(gettext(
                "{there} is in the lake already and no export put it there: move it out of "
                "the folder, or rename {file}, so that the export copies {file} without "
                "replacing it"
            ).format(there=there, file=path))


def _same_bytes(one: Path, other: Path) -> bool:
    try:
        return one.read_bytes() == other.read_bytes()
    except OSError:
        return False


def _copy_acknowledgements(files: Sequence[Path], folder: Path, copied: frozenset[str]
                           ) -> None:
    """Copy ``files`` into ``folder`` under their names, each written whole (beside its place
    and renamed over it); remove what an earlier export copied that is no longer given; list
    the copies in :data:`COPIED_FILE`. Nothing is made where there is nothing to copy and
    nothing was copied before."""
    if not files and not copied:
        return
    names = [path.name for path in files]
    for path in files:
        replace_file(folder / path.name, path.read_bytes())
    for name in sorted(copied - set(names)):
        try:
            (folder / name).unlink(missing_ok=True)
        except OSError as exc:
            raise LayoutError(gettext(
                "cannot remove {file}, which an earlier export copied and this one does not: "
                "{problem}"
            ).format(file=folder / name, problem=os_reason(exc))) from None
    replace_file(folder / COPIED_FILE,
                 (json.dumps({"copied": sorted(names)}, indent=2) + "\n").encode())
