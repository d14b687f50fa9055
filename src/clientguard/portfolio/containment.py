"""Whether a file of a lake is in the lake: the one rule by which the lake's reader refuses a
link (a file, or a folder above it) that points out of the lake.

A path is in the lake when, every link resolved (:meth:`pathlib.Path.resolve` with
``strict=True``), it is the lake's folder, resolved alike, or below it, compared folder by
folder (``lake2/x.csv`` is not in ``lake``). Names are compared as the platform compares them
(:func:`os.path.normcase`: Windows folds case, so ``C:\\Lake\\x.csv`` is in ``c:\\lake``). A
file system that folds case where the platform's names do not (macOS's default, whose
``normcase`` keeps case) may hand back a name spelt in another case than the lake's: the lake
is then found among the file's folders by identity (:func:`os.path.samefile`), never by its
spelling, so a file in the lake is read whatever the case a link or the user spelt, and a file
out of it is refused whatever its name.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePath

__all__ = ["is_within", "names_within"]


def names_within(real: str, folder: str) -> bool:
    """``real`` is ``folder`` or below it, both resolved paths, compared by their names folder
    by folder as the platform compares names (:func:`os.path.normcase`). Pure: it reads no
    file."""
    return PurePath(os.path.normcase(real)).is_relative_to(os.path.normcase(folder))


def is_within(path: Path, folder: Path) -> bool:
    """``path`` is in ``folder`` once every link of both is resolved (see the module): by
    name, else (a file system that folds case where the platform's names do not) by the
    identity of one of its folders with ``folder``.

    Raises :class:`FileNotFoundError` where ``path`` or ``folder`` (or what a link of them
    names) is not there, and :class:`OSError` where it cannot be looked at."""
    real, top = path.resolve(strict=True), folder.resolve(strict=True)
    if names_within(str(real), str(top)):
        return True
    # Only on the way to a refusal, or where the case differs: a look-up a folder up.
    return any(os.path.samefile(above, top) for above in (real, *real.parents))
