"""Token files are written atomically and readable by the user only: no other user may read
them, put their own tokens in their place, or swap them after they are written
(docs/security.md, "Token files"). The rule is OpenSSH's StrictModes for private keys.

Each row builds a folder under ``tmp_path`` with ``os.chmod`` (and, for another user's file,
``os.chown`` as root or a patched ``os.getuid``), then reads or writes the token file."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from clientguard.errors import ConfigError
from clientguard.http import TokenSet, load_token_file, token_file_saver

pytestmark = pytest.mark.skipif(
    os.name != "posix", reason="owner and mode checks are POSIX only (docs/security.md)"
)

SAVED_ACCESS, SAVED_REFRESH = "access-SAVED-0001", "refresh-SAVED-0001"
NEW_ACCESS, NEW_REFRESH = "access-NEW-0002", "refresh-NEW-0002"
SAVED = TokenSet(access_token=SAVED_ACCESS, refresh_token=SAVED_REFRESH)
NEW = TokenSet(access_token=NEW_ACCESS, refresh_token=NEW_REFRESH)
OTHER_USER = 4242
"""A uid that owns nothing here: the user the connector runs as, in the rows about files
that belong to someone else."""


def folder(parent: Path, name: str, mode: int) -> Path:
    made = parent / name
    made.mkdir()
    os.chmod(made, mode)  # not mkdir(mode=): the umask would take bits off
    return made


def token_file(where: Path, mode: int = 0o600) -> Path:
    path = where / "tokens.json"
    path.write_text(SAVED.to_json())
    os.chmod(path, mode)
    return path


def run_as_another_user(monkeypatch: pytest.MonkeyPatch) -> None:
    """The files are the test's (root's here); the connector runs as OTHER_USER."""
    monkeypatch.setattr(os, "getuid", lambda: OTHER_USER)


def give_away(path: Path, uid: int) -> None:
    if os.getuid() != 0:
        pytest.skip("giving a file to another user needs root")
    os.chown(path, uid, -1)


Setup = Callable[[Path, pytest.MonkeyPatch], tuple[Path, str]]
"""Builds a token file; returns the path given to clientguard and the path the error must
name (with the fix), or "" where the file is fine."""


def private(tmp: Path, mp: pytest.MonkeyPatch) -> tuple[Path, str]:
    return token_file(folder(tmp, "home", 0o700)), ""


def in_a_sticky_shared_folder(tmp: Path, mp: pytest.MonkeyPatch) -> tuple[Path, str]:
    return token_file(folder(tmp, "tmp", 0o1777)), ""  # like /tmp


def world_readable(tmp: Path, mp: pytest.MonkeyPatch) -> tuple[Path, str]:
    path = token_file(folder(tmp, "home", 0o700), 0o644)  # `echo ... > tokens.json`
    return path, f"chmod 600 {path}"


def group_readable(tmp: Path, mp: pytest.MonkeyPatch) -> tuple[Path, str]:
    path = token_file(folder(tmp, "home", 0o700), 0o640)
    return path, f"chmod 600 {path}"


def writable_by_others(tmp: Path, mp: pytest.MonkeyPatch) -> tuple[Path, str]:
    path = token_file(folder(tmp, "home", 0o700), 0o602)
    return path, f"chmod 600 {path}"


def in_a_world_writable_folder(tmp: Path, mp: pytest.MonkeyPatch) -> tuple[Path, str]:
    shared = folder(tmp, "shared", 0o777)
    return token_file(shared), f"chmod 700 {shared}"


def in_a_group_writable_folder(tmp: Path, mp: pytest.MonkeyPatch) -> tuple[Path, str]:
    shared = folder(tmp, "team", 0o770)
    return token_file(shared), f"chmod 700 {shared}"


def under_a_world_writable_folder(tmp: Path, mp: pytest.MonkeyPatch) -> tuple[Path, str]:
    """The private folder itself can be renamed away and replaced by another user's."""
    shared = folder(tmp, "shared", 0o777)
    return token_file(folder(shared, "mine", 0o700)), f"chmod 700 {shared}"


def owned_by_another_user(tmp: Path, mp: pytest.MonkeyPatch) -> tuple[Path, str]:
    """Planted by someone else: the connector would read their account."""
    path = token_file(folder(tmp, "home", 0o700))
    run_as_another_user(mp)
    return path, "owned by another user"


def in_a_folder_of_another_user(tmp: Path, mp: pytest.MonkeyPatch) -> tuple[Path, str]:
    """The file is the user's, but the owner of its folder can swap it."""
    home = folder(tmp, "home", 0o755)
    path = token_file(home)
    give_away(path, OTHER_USER)
    give_away(home, OTHER_USER + 1)
    run_as_another_user(mp)
    return path, f"{str(home)!r} of the token file"


def a_link_to_a_private_file(tmp: Path, mp: pytest.MonkeyPatch) -> tuple[Path, str]:
    real = token_file(folder(tmp, "vault", 0o700))
    link = folder(tmp, "home", 0o700) / "tokens.json"
    link.symlink_to(real)
    return link, ""


def a_link_to_a_file_in_a_shared_folder(tmp: Path, mp: pytest.MonkeyPatch) -> tuple[Path, str]:
    shared = folder(tmp, "shared", 0o777)
    link = folder(tmp, "home", 0o700) / "tokens.json"
    link.symlink_to(token_file(shared))
    return link, f"chmod 700 {shared}"


def a_link_in_a_shared_folder(tmp: Path, mp: pytest.MonkeyPatch) -> tuple[Path, str]:
    """Another user could point the link at a file of theirs, or at one of ours."""
    shared = folder(tmp, "shared", 0o777)
    link = shared / "tokens.json"
    link.symlink_to(token_file(folder(tmp, "vault", 0o700)))
    return link, f"chmod 700 {shared}"


READ_ROWS: list[Setup] = [
    private,
    in_a_sticky_shared_folder,
    world_readable,
    group_readable,
    writable_by_others,
    in_a_world_writable_folder,
    in_a_group_writable_folder,
    under_a_world_writable_folder,
    owned_by_another_user,
    in_a_folder_of_another_user,
    a_link_to_a_private_file,
    a_link_to_a_file_in_a_shared_folder,
    a_link_in_a_shared_folder,
]


@pytest.mark.parametrize("setup", READ_ROWS, ids=lambda setup: setup.__name__)
def test_a_token_file_is_read_only_where_no_other_user_could_have_touched_it(
    setup: Setup, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, named = setup(tmp_path, monkeypatch)
    if not named:
        assert load_token_file(path).refresh_token == SAVED.refresh_token
        return
    with pytest.raises(ConfigError) as refused:
        load_token_file(path)
    message = str(refused.value)
    assert named in message
    assert str(path) in message
    assert SAVED_ACCESS not in message
    assert SAVED_REFRESH not in message


SAVE_ROWS: list[tuple[Setup, str]] = [
    # (the setup, the refresh token the real file then holds)
    (private, NEW_REFRESH),
    (in_a_sticky_shared_folder, NEW_REFRESH),
    (in_a_world_writable_folder, SAVED_REFRESH),
    (in_a_group_writable_folder, SAVED_REFRESH),
    (in_a_folder_of_another_user, SAVED_REFRESH),
    (under_a_world_writable_folder, SAVED_REFRESH),
    (owned_by_another_user, SAVED_REFRESH),
    (a_link_to_a_private_file, NEW_REFRESH),
    (a_link_to_a_file_in_a_shared_folder, SAVED_REFRESH),
    (a_link_in_a_shared_folder, SAVED_REFRESH),
]


@pytest.mark.parametrize(
    ("setup", "holds"), SAVE_ROWS, ids=[setup.__name__ for setup, _ in SAVE_ROWS]
)
def test_a_token_file_is_written_only_where_no_other_user_could_swap_it(
    setup: Setup, holds: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, named = setup(tmp_path, monkeypatch)
    real = Path(os.path.realpath(path))
    if named:
        with pytest.raises(ConfigError) as refused:
            token_file_saver(path)(NEW)
        message = str(refused.value)
        assert named in message
        assert str(path) in message
        assert NEW_ACCESS not in message
        assert NEW_REFRESH not in message
    else:
        token_file_saver(path)(NEW)
        assert stat.S_IMODE(os.stat(real).st_mode) == 0o600
    assert TokenSet.from_json(real.read_text()).refresh_token == holds
    assert sorted(p.name for p in real.parent.iterdir()) == ["tokens.json"]  # no temporary


def test_a_link_stays_a_link_and_its_file_gets_the_new_tokens(tmp_path: Path) -> None:
    """Before, the link was cut: the path became a file of its own and the file it pointed
    to kept the old refresh token, which the refresh had just made useless."""
    vault = folder(tmp_path, "vault", 0o700)
    real = token_file(vault)
    link = folder(tmp_path, "home", 0o700) / "tokens.json"
    link.symlink_to(real)
    token_file_saver(link)(NEW)
    assert link.is_symlink()
    assert link.resolve() == real
    assert TokenSet.from_json(real.read_text()).refresh_token == NEW.refresh_token
    assert [p.name for p in link.parent.iterdir()] == ["tokens.json"]


def test_a_link_to_a_file_not_written_yet_creates_that_file(tmp_path: Path) -> None:
    real = folder(tmp_path, "vault", 0o700) / "tokens.json"
    link = folder(tmp_path, "home", 0o700) / "tokens.json"
    link.symlink_to(real)
    token_file_saver(link)(NEW)
    assert link.is_symlink()
    assert load_token_file(link).refresh_token == NEW_REFRESH
    assert stat.S_IMODE(os.stat(real).st_mode) == 0o600


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o666])
def test_saving_over_a_file_others_could_read_makes_it_private(tmp_path: Path, mode: int) -> None:
    """Reading it is refused; writing replaces it with a 0600 file, which is the fix (refusing
    would lose a refresh token the endpoint has just rotated)."""
    path = token_file(folder(tmp_path, "home", 0o700), mode)
    token_file_saver(path)(NEW)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert load_token_file(path).refresh_token == NEW.refresh_token


def test_a_missing_folder_is_created_private(tmp_path: Path) -> None:
    path = folder(tmp_path, "home", 0o700) / "clientguard" / "tokens.json"
    token_file_saver(path)(NEW)
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    assert load_token_file(path).refresh_token == NEW.refresh_token
