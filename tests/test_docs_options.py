"""Every ``clientguard COMMAND ... --option`` the docs write is an option of that command.

The docs said ``sync --streams`` (docs/cli.md, docs/connectors/stripe.md) for a whole release
while the option is ``--stream``: a reader who copied it got "unrecognized arguments". This
test reads every fenced block and inline code span of ``README.md`` and ``docs/**/*.md``,
finds each command line (``clientguard [global options] COMMAND [SUBCOMMAND] ...``, or a span
opening with a command's name and an option, such as `` `sync --full` ``) and checks each
``--option`` against the parser's own options of that command (and the global ones).
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from clientguard.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")], key=str)
FENCED = re.compile(r"```[A-Za-z]*\n(.*?)```", re.DOTALL)
SPAN = re.compile(r"```.*?```|`([^`]+)`", re.DOTALL)
# Options the docs write on purpose as what the parser refuses, each with why.
REFUSED_ON_PURPOSE = {
    ("docs/cli.md", "--kep"),  # the example of a mistyped option and its suggestion
    ("docs/portfolio.md", "--acknowledged"),  # says portfolio has no such option (exit 2)
}
ENDS = ("|", ";", "&&", "\\")


def _commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _options(parser: argparse.ArgumentParser) -> set[str]:
    return {option for action in parser._actions for option in action.option_strings}


def _pieces(text: str) -> list[tuple[int, str]]:
    """Each line of a fenced block and each inline span (its lines joined), with its line."""
    pieces = []
    for block in FENCED.finditer(text):
        first = text.count("\n", 0, block.start(1)) + 1
        pieces += [(first + i, line) for i, line in enumerate(block.group(1).splitlines())]
    for span in SPAN.finditer(text):
        if span.group(1):
            pieces.append((text.count("\n", 0, span.start()) + 1, " ".join(span.group(1).split())))
    return pieces


def uses(text: str, parser: argparse.ArgumentParser) -> list[tuple[int, str, str, bool]]:
    """``(line, command, option, known)`` of every option given to a command in ``text``."""
    commands, top = _commands(parser), _options(parser)
    valued = {option for action in parser._actions if action.nargs != 0
              for option in action.option_strings}
    found = []
    for line, piece in _pieces(text):
        words = piece.split(" #")[0].split()
        for i, word in enumerate(words):
            if word == "clientguard":
                j = i + 1
            elif i == 0 and word in commands and len(words) > 1 and words[1].startswith("--"):
                j = 0
            else:
                continue
            while j < len(words) and words[j].startswith("-"):
                # The global options before the command, and the value of one that takes it.
                j += 2 if words[j] in valued else 1
            if j >= len(words) or words[j] not in commands:
                continue
            command = commands[words[j]]
            name, k = words[j], j + 1
            if k < len(words) and words[k] in _commands(command):
                command, name, k = _commands(command)[words[k]], f"{name} {words[k]}", k + 1
            known = _options(command) | top
            for token in words[k:]:
                if token in ENDS or token.startswith(">") or token.startswith("2>"):
                    break
                if token.startswith("--"):
                    option = token.split("=")[0].rstrip(",.):")
                    found.append((line, name, option, option in known))
    return found


def test_every_option_the_docs_give_a_command_is_one_it_takes() -> None:
    parser = build_parser()
    unknown = [
        f"{path.relative_to(ROOT)}:{line}: clientguard {command} has no {option}"
        for path in DOCUMENTS
        for line, command, option, known in uses(path.read_text("utf-8"), parser)
        if not known and (path.relative_to(ROOT).as_posix(), option) not in REFUSED_ON_PURPOSE
    ]
    assert unknown == []


def test_the_finder_sees_a_wrong_option_in_a_span_and_a_block() -> None:
    # docs/cli.md's sentence until 2026-12-07, a span wrapped over two lines, and a shell line.
    text = ("Before, `sync --streams contacts --full\n  --prune` removed it.\n\n"
            "```sh\nclientguard --lang pl review --as-of 2026-06-30 --frmat json  # x\n```\n")
    found = uses(text, build_parser())
    assert sorted((c, o) for _, c, o, known in found if not known) == [
        ("review", "--frmat"), ("sync", "--streams")]
    assert ("sync", "--full", True) in [(c, o, k) for _, c, o, k in found]
