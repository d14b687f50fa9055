"""Two processes refreshing one rotating token set through one token file.

Xero (after its 30-minute grace period) and QuickBooks rotate refresh tokens: each refresh
answers a new one and voids the one used; a used one is answered ``400 {"error":
"invalid_grant"}`` (the body both send: intuit/oauth-jsclient #77, Xero-NetStandard #257;
shared/reference/apis/NOTES.md 1.7 and 2.4). Two processes that read the same token file at
start (a cron sync and a hand-run review) each hold the refresh token they read: the second
to refresh used to send the dead one, and the organisation had to be authorised again.

The endpoint here (:class:`RotatingTokens`, in the test process) rotates so and refuses a used
token; the processes are real ones (``subprocess``), each reading the token file as the
connectors do. Every token holds ``SECRET``, so one scan of a message or a log finds a leak.
"""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

import clientguard as cg
from clientguard.errors import AuthError, ClientguardError, ConfigError, ConnectorError
from clientguard.http import (
    ApiClient,
    HttpConnector,
    RefreshTokenAuth,
    TokenSet,
    token_file_saver,
)
from clientguard.i18n import using

# The lock holders here use fcntl, the read-only test fork and a user of pwd: POSIX only.
pwd = pytest.importorskip("pwd", reason="POSIX only: flock, fork and users")

NOW = datetime(2025, 6, 2, 12, 0, tzinfo=UTC)
FIRST = TokenSet("access-SECRET-1", "refresh-SECRET-1", NOW - timedelta(minutes=1))
"""What the token file holds at start: an access token that expired a minute ago (so that
the first call of every process refreshes) and the first refresh token."""


class RotatingTokens:
    """A token endpoint and an API. The n-th refresh answers ``access-SECRET-<n+1>`` and
    ``refresh-SECRET-<n+1>`` (expires_in 1800, Xero's 30 minutes) and voids the refresh token
    it was sent; any other refresh token is answered 400 invalid_grant. The API answers the
    number of any access token issued (the first one included) and 401 to anything else."""

    def __init__(self) -> None:
        self.valid = "refresh-SECRET-1"
        self.issued = 1
        self.sent: list[str] = []  # every refresh token sent, in order
        self.refused: list[str] = []
        self.before: Callable[[], None] | None = None  # run as a token request arrives
        self._lock = threading.Lock()

    def rotate(self) -> TokenSet:
        self.issued += 1
        self.valid = f"refresh-SECRET-{self.issued}"
        return TokenSet(f"access-SECRET-{self.issued}", self.valid, NOW + timedelta(minutes=30))

    def token(self, request: Request) -> Response:
        with self._lock:
            if self.before is not None:
                self.before()
            used = request.form["refresh_token"]
            self.sent.append(used)
            if request.form["grant_type"] != "refresh_token" or used != self.valid:
                self.refused.append(used)
                return Response(json.dumps({"error": "invalid_grant"}), status=400,
                                content_type="application/json")
            new = self.rotate()
            return Response(json.dumps({"access_token": new.access_token, "refresh_token":
                                        new.refresh_token, "expires_in": 1800,
                                        "token_type": "Bearer"}),
                            content_type="application/json")

    def api(self, request: Request) -> Response:
        number = request.headers.get("Authorization", "").removeprefix("Bearer access-SECRET-")
        if not number.isdigit() or not 1 <= int(number) <= self.issued:
            return Response(json.dumps({"Detail": "TokenExpired"}), status=401,
                            content_type="application/json")
        return Response(json.dumps({"token": int(number)}), content_type="application/json")


@pytest.fixture
def endpoint(httpserver: HTTPServer) -> RotatingTokens:
    tokens = RotatingTokens()
    httpserver.expect_request("/token", method="POST").respond_with_handler(tokens.token)
    httpserver.expect_request("/api/things").respond_with_handler(tokens.api)
    return tokens


@pytest.fixture
def token_file(tmp_path: Path) -> Path:
    path = tmp_path / "tokens" / "xero.json"
    token_file_saver(path)(FIRST)
    return path


def saved_refresh_token(path: Path) -> str | None:
    return TokenSet.from_json(path.read_text(encoding="utf-8")).refresh_token


# ============================================================== the processes

WORKER = textwrap.dedent('''
    """One clientguard process: reads the token file as a connector does, says it is ready,
    waits for the go, then makes one call (which refreshes: the access token has expired)."""
    import json, logging, sys, time
    from datetime import datetime
    from pathlib import Path

    args = json.loads(sys.argv[1])
    logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
    now = datetime.fromisoformat(args["now"])
    import clientguard as cg
    from clientguard.errors import ClientguardError
    from clientguard.http import ApiClient, RefreshTokenAuth, load_token_file

    common = dict(client_id="app-1", client_secret="app-SECRET", token_file=args["file"],
                  token_url=args["token_url"], clock=lambda: now, sleep=lambda s: None)
    try:
        if args["mode"] == "xero":
            client = cg.connectors.load("xero")(
                tenant_id="tenant-SECRET", base_url=args["api"], **common).client
        elif args["mode"] == "quickbooks":
            client = cg.connectors.load("quickbooks")(
                realm_id="realm-SECRET", base_url=args["api"], **common).client
        else:
            saved = load_token_file(args["file"])
            auth = RefreshTokenAuth(
                token_url=args["token_url"], client_id="app-1", client_secret="app-SECRET",
                refresh_token=saved.refresh_token, access_token=saved.access_token,
                expires_at=saved.expires_at, token_file=args["file"])
            client = ApiClient(args["api"], auth=auth, clock=lambda: now,
                               sleep=lambda s: None)
        Path(args["ready"]).touch()
        deadline = time.monotonic() + 60
        while not Path(args["go"]).exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        answer = {"token": client.get(args["api"] + "/things").json()["token"]}
    except ClientguardError as exc:
        answer = {"error": type(exc).__name__, "message": str(exc)}
    print(json.dumps(answer))
''')


class Process:
    """A worker process, started at once; :meth:`go` lets it call, :meth:`result` waits."""

    def __init__(self, tmp_path: Path, name: str, *, mode: str, file: Path,
                 httpserver: HTTPServer, now: datetime) -> None:
        script = tmp_path / "worker.py"
        script.write_text(WORKER, encoding="utf-8")
        self.ready = tmp_path / f"{name}.ready"
        self.go_file = tmp_path / f"{name}.go"
        args = {"mode": mode, "file": os.fspath(file), "now": now.isoformat(),
                "token_url": httpserver.url_for("/token"), "api": httpserver.url_for("/api"),
                "ready": os.fspath(self.ready), "go": os.fspath(self.go_file)}
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        self.popen = subprocess.Popen([sys.executable, os.fspath(script), json.dumps(args)],
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      text=True, env=env)

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 60
        while not self.ready.exists():
            if self.popen.poll() is not None or time.monotonic() > deadline:
                out, err = self.popen.communicate()
                pytest.fail(f"the worker did not start: {out}{err[-3000:]}")
            time.sleep(0.01)

    def go(self) -> None:
        self.go_file.touch()

    def result(self) -> tuple[dict[str, Any], str]:
        out, err = self.popen.communicate(timeout=120)
        assert out.strip(), err[-3000:]
        return json.loads(out.strip().splitlines()[-1]), out + err


def connectors_for(mode: str) -> None:
    if mode in ("xero", "quickbooks"):
        pytest.importorskip(f"clientguard_{mode}")


MODES = ["xero", "quickbooks", "RefreshTokenAuth"]


@pytest.mark.parametrize("mode", MODES)
def test_two_processes_refreshing_at_once_make_one_refresh_and_both_use_it(
    mode: str, endpoint: RotatingTokens, token_file: Path, httpserver: HTTPServer,
    tmp_path: Path
) -> None:
    connectors_for(mode)
    one, two = (Process(tmp_path, name, mode=mode, file=token_file, httpserver=httpserver,
                        now=NOW) for name in ("one", "two"))
    one.wait_ready()
    two.wait_ready()  # both hold refresh-SECRET-1, read from the file
    one.go()
    two.go()
    (first, first_out), (second, second_out) = one.result(), two.result()
    # Before: both refreshed with refresh-SECRET-1, and the second was refused
    # (invalid_grant: "re-authorise"). Now the second waits for the first, finds the rotated
    # tokens in the file and uses them: one refresh, both on the second access token.
    assert [first, second] == [{"token": 2}, {"token": 2}]
    assert endpoint.sent == ["refresh-SECRET-1"]
    assert saved_refresh_token(token_file) == "refresh-SECRET-2"
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    # No token in either process's output or DEBUG log (the tenant and realm ids neither).
    assert "SECRET" not in first_out + second_out
    assert "took the tokens another process saved" in first_out + second_out


@pytest.mark.parametrize("mode", MODES)
def test_a_process_refreshing_after_another_rotated_uses_the_rotated_refresh_token(
    mode: str, endpoint: RotatingTokens, token_file: Path, httpserver: HTTPServer,
    tmp_path: Path
) -> None:
    connectors_for(mode)
    later = Process(tmp_path, "later", mode=mode, file=token_file, httpserver=httpserver,
                    now=NOW + timedelta(minutes=45))
    later.wait_ready()  # holds refresh-SECRET-1
    first = Process(tmp_path, "first", mode=mode, file=token_file, httpserver=httpserver,
                    now=NOW)
    first.wait_ready()
    first.go()
    assert first.result()[0] == {"token": 2}
    # 45 minutes on, the access token the first process saved (30 minutes) has expired as
    # well: the later process refreshes, with the refresh token the file holds now.
    later.go()
    answer, output = later.result()
    assert answer == {"token": 3}
    assert endpoint.sent == ["refresh-SECRET-1", "refresh-SECRET-2"]
    assert endpoint.refused == []
    assert saved_refresh_token(token_file) == "refresh-SECRET-3"
    assert "SECRET" not in output


# ============================================================== invalid_grant, once more


def connector(name: str, httpserver: HTTPServer, file: Path, **options: Any) -> HttpConnector:
    """The connector ``name`` reading ``file``, pointed at the local endpoint."""
    pytest.importorskip(f"clientguard_{name}")
    conn = cg.connectors.load(name)(
        client_id="app-1", client_secret="app-SECRET", token_file=file,
        token_url=httpserver.url_for("/token"), base_url=httpserver.url_for("/api"),
        clock=lambda: NOW, sleep=lambda s: None, **options)
    assert isinstance(conn, HttpConnector)
    return conn


def xero(httpserver: HTTPServer, file: Path) -> HttpConnector:
    return connector("xero", httpserver, file, tenant_id="tenant-SECRET")


def rotated_by_a_process_without_the_lock(
    endpoint: RotatingTokens, file: Path, *, then_revoked: bool = False
) -> None:
    """As the first token request arrives, another process that does not take the lock (an
    older clientguard) refreshes and saves first: the request then carries a dead token.
    ``then_revoked``: and the connection is revoked right after (nothing is accepted)."""

    def other() -> None:
        endpoint.before = None
        token_file_saver(file)(endpoint.rotate())
        if then_revoked:
            endpoint.valid = "revoked"

    endpoint.before = other


def test_refused_as_invalid_grant_it_refreshes_once_more_with_the_token_the_file_holds_now(
    endpoint: RotatingTokens, token_file: Path, httpserver: HTTPServer,
    caplog: pytest.LogCaptureFixture
) -> None:
    conn = xero(httpserver, token_file)
    rotated_by_a_process_without_the_lock(endpoint, token_file)
    with caplog.at_level(logging.DEBUG, logger="clientguard"):
        answer = conn.client.get(httpserver.url_for("/api/things")).json()
    # Before: AuthError invalid_grant. Now: refused with refresh-SECRET-1 (voided by the
    # other process), then once with the refresh-SECRET-2 it saved, which answers the third.
    assert answer == {"token": 3}
    assert endpoint.sent == ["refresh-SECRET-1", "refresh-SECRET-2"]
    assert saved_refresh_token(token_file) == "refresh-SECRET-3"
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "invalid_grant" in logged
    assert "SECRET" not in logged


def test_refused_again_with_the_files_token_it_fails_after_two_requests_saying_so(
    endpoint: RotatingTokens, token_file: Path, httpserver: HTTPServer,
    caplog: pytest.LogCaptureFixture
) -> None:
    conn = xero(httpserver, token_file)
    rotated_by_a_process_without_the_lock(endpoint, token_file, then_revoked=True)
    with (caplog.at_level(logging.DEBUG, logger="clientguard"),
          pytest.raises(AuthError, match="invalid_grant") as caught):
        conn.client.get(httpserver.url_for("/api/things"))
    assert endpoint.sent == ["refresh-SECRET-1", "refresh-SECRET-2"]  # once more, no loop
    assert "re-authorise" in str(caught.value)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "SECRET" not in str(caught.value) + logged


def test_refused_while_the_file_holds_the_same_token_it_fails_at_once(
    endpoint: RotatingTokens, token_file: Path, httpserver: HTTPServer
) -> None:
    conn = xero(httpserver, token_file)
    endpoint.valid = "revoked"
    with pytest.raises(AuthError, match="invalid_grant") as caught:
        conn.client.get(httpserver.url_for("/api/things"))
    assert endpoint.sent == ["refresh-SECRET-1"]
    assert "SECRET" not in str(caught.value)
    # Kept for the next run, untouched: nothing was rotated.
    assert saved_refresh_token(token_file) == "refresh-SECRET-1"


def test_a_refresh_token_given_anew_is_used_before_an_older_one_in_the_file(
    endpoint: RotatingTokens, token_file: Path, httpserver: HTTPServer
) -> None:
    # A new authorisation passed as refresh_token=, the file still holding the previous
    # connection's (dead) token: the one given is sent, the file then holds its successor.
    endpoint.valid = "refresh-SECRET-new"
    conn = connector("quickbooks", httpserver, token_file, realm_id="realm-SECRET",
                     refresh_token="refresh-SECRET-new")
    assert conn.client.get(httpserver.url_for("/api/things")).json() == {"token": 2}
    assert endpoint.sent == ["refresh-SECRET-new"]
    assert saved_refresh_token(token_file) == "refresh-SECRET-2"


# ============================================================== the lock


def refresh_auth(httpserver: HTTPServer, file: Path, *, lock_wait: float) -> RefreshTokenAuth:
    saved = TokenSet.from_json(file.read_text(encoding="utf-8"))
    assert saved.refresh_token is not None
    return RefreshTokenAuth(
        token_url=httpserver.url_for("/token"), client_id="app-1", client_secret="app-SECRET",
        refresh_token=saved.refresh_token, access_token=saved.access_token,
        expires_at=saved.expires_at, token_file=file, lock_wait=lock_wait)


def client(httpserver: HTTPServer, auth: RefreshTokenAuth) -> ApiClient:
    return ApiClient(httpserver.url_for("/api"), auth=auth, clock=lambda: NOW,
                     sleep=lambda s: None)


HOLDER = textwrap.dedent('''
    import fcntl, os, sys, time
    handle = open(sys.argv[1], "a+")
    fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
    handle.write(f"process {os.getpid()}"); handle.flush()
    print("held", flush=True)
    if sys.argv[2] == "crash":
        os.kill(os.getpid(), 9)  # SIGKILL: no cleanup of any kind runs
    time.sleep(120)
''')


@pytest.fixture
def hold_lock(tmp_path: Path) -> Iterator[Callable[[Path, str], subprocess.Popen[str]]]:
    """Starts a process that locks ``<token file>.lock`` with flock, then crashes or holds it
    (killed when the test ends)."""
    started: list[subprocess.Popen[str]] = []

    def hold(file: Path, how: str) -> subprocess.Popen[str]:
        script = tmp_path / "holder.py"
        script.write_text(HOLDER, encoding="utf-8")
        process = subprocess.Popen(
            [sys.executable, os.fspath(script), os.fspath(file.with_name(file.name + ".lock")),
             how], stdout=subprocess.PIPE, text=True)
        started.append(process)
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "held"
        return process

    yield hold
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def test_a_lock_left_by_a_crashed_process_does_not_block(
    endpoint: RotatingTokens, token_file: Path, httpserver: HTTPServer,
    hold_lock: Callable[[Path, str], subprocess.Popen[str]]
) -> None:
    crashed = hold_lock(token_file, "crash")
    assert crashed.wait(timeout=30) == -signal.SIGKILL
    # The lock file is still there, with its holder's note; the kernel dropped the lock.
    assert token_file.with_name("xero.json.lock").exists()
    started = time.monotonic()
    api = client(httpserver, refresh_auth(httpserver, token_file, lock_wait=0))
    assert api.get("things").json() == {"token": 2}  # lock_wait=0: it was free at once
    assert time.monotonic() - started < 10
    assert endpoint.sent == ["refresh-SECRET-1"]


def test_waiting_for_a_live_holder_is_bounded_and_says_who_holds_it(
    endpoint: RotatingTokens, token_file: Path, httpserver: HTTPServer,
    hold_lock: Callable[[Path, str], subprocess.Popen[str]], caplog: pytest.LogCaptureFixture
) -> None:
    holder = hold_lock(token_file, "hold")
    api = client(httpserver, refresh_auth(httpserver, token_file, lock_wait=0.5))
    started = time.monotonic()
    with (caplog.at_level(logging.DEBUG, logger="clientguard"),
          pytest.raises(ConnectorError) as caught):
        api.get("things")
    waited = time.monotonic() - started
    assert 0.5 <= waited < 10
    message = str(caught.value)
    assert not isinstance(caught.value, AuthError)  # nothing to re-authorise
    assert f"another process (PID {holder.pid})" in message  # "process" once
    assert "for 0.5 s" in message
    assert os.fspath(token_file) in message
    assert "nothing was refreshed" in message
    assert endpoint.sent == []  # the tokens were not touched
    assert saved_refresh_token(token_file) == "refresh-SECRET-1"
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "SECRET" not in message + logged


def test_waiting_in_vain_is_said_in_polish_for_a_polish_reader(
    endpoint: RotatingTokens, token_file: Path, httpserver: HTTPServer,
    hold_lock: Callable[[Path, str], subprocess.Popen[str]]
) -> None:
    # By hand: the English sentence above in Polish (before: English whatever the language),
    # the holder's note (written "process N" by the holder, in English) in Polish too, and
    # the wait with a decimal comma (before: "(process N)" and "po 0.5 s"), the process's
    # number said once (before: "inny proces (proces N)").
    holder = hold_lock(token_file, "hold")
    api = client(httpserver, refresh_auth(httpserver, token_file, lock_wait=0.5))
    with using("pl"), pytest.raises(ConnectorError) as caught:
        api.get("things")
    lock = token_file.with_name("xero.json.lock")
    assert str(caught.value) == (
        f"plik tokenów {os.fspath(token_file)!r} odświeża właśnie inny proces (nr "
        f"{holder.pid}): po 0,5 s czekania nic tu nie odświeżono (tokeny są takie, jak były); "
        "uruchom ponownie, gdy tamten proces skończy, albo zatrzymaj go, jeśli się zawiesił "
        f"(blokada pliku {os.fspath(lock)!r} zostanie zwolniona, gdy się zakończy)")
    assert endpoint.sent == []


def test_the_lock_file_lies_beside_the_file_a_link_points_to(
    endpoint: RotatingTokens, token_file: Path, httpserver: HTTPServer, tmp_path: Path,
    hold_lock: Callable[[Path, str], subprocess.Popen[str]]
) -> None:
    # Two processes naming one file by two paths must take one lock.
    link_folder = tmp_path / "links"
    link_folder.mkdir(mode=0o700)
    link = link_folder / "tokens.json"
    link.symlink_to(token_file)
    hold_lock(token_file, "hold")
    with pytest.raises(ConnectorError, match="nothing was refreshed"):
        client(httpserver, refresh_auth(httpserver, link, lock_wait=0)).get("things")
    assert not (link_folder / "tokens.json.lock").exists()
    assert endpoint.sent == []


def made_a_link(lock: Path, victim: Path) -> None:
    lock.symlink_to(victim)


def made_a_file_of_another_user(lock: Path, victim: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("only root can make a file another user owns")
    lock.write_text("")
    os.chown(lock, pwd.getpwnam("nobody").pw_uid, -1)


def made_a_hard_link(lock: Path, victim: Path) -> None:
    os.link(victim, lock)


def made_a_named_pipe(lock: Path, victim: Path) -> None:
    os.mkfifo(lock)


def made_a_folder(lock: Path, victim: Path) -> None:
    lock.mkdir()


def made_a_socket(lock: Path, victim: Path) -> None:
    # By its name from its own folder: the socket's full path below pytest's temporary folder
    # may be longer than the 108 bytes the system takes.
    here = Path.cwd()
    os.chdir(lock.parent)
    try:
        with socket.socket(socket.AF_UNIX) as unix:
            unix.bind(lock.name)
    finally:
        os.chdir(here)


# What is planted, and what the refusal says it is (the words of the task: a link count of 2
# is the victim's name and the lock file's). The hard link used to have the victim emptied
# and hold "process <pid>" during the refresh; the pipe, the folder and the socket used to
# be passed over with a warning, the refresh going ahead without a lock.
PLANTED = [
    (made_a_link, "is a symbolic link, which clientguard does not follow: remove it"),
    (made_a_file_of_another_user, "is not a file of your own"),
    (made_a_hard_link, "is a hard link (link count 2), another name of a file the lock would "
                       "empty: remove it"),
    (made_a_named_pipe, "is a named pipe (FIFO), not a regular file: remove it"),
    (made_a_folder, "is a folder, not a regular file: remove it"),
    (made_a_socket, "is a socket, not a regular file: remove it"),
]
PLANTED_IDS = ["a link", "another user's file", "a hard link", "a named pipe", "a folder",
               "a socket"]


@pytest.mark.parametrize(("plant", "refusal"), PLANTED, ids=PLANTED_IDS)
def test_a_lock_file_someone_else_made_is_refused_before_any_refresh(
    plant: Callable[[Path, Path], None], refusal: str, endpoint: RotatingTokens,
    token_file: Path, httpserver: HTTPServer, tmp_path: Path
) -> None:
    # In a folder others may add names to (/tmp, sticky), another user could make the lock
    # file's name first: a link to a file of yours would have it emptied and written to, a
    # file of theirs would let them hold the lock for ever. A hard link (a process of yours,
    # a mistake) would have its other name emptied; what is no file cannot be locked.
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    plant(token_file.with_name("xero.json.lock"), victim)
    with pytest.raises(ConfigError, match=re.escape(refusal)) as caught:
        client(httpserver, refresh_auth(httpserver, token_file, lock_wait=0)).get("things")
    assert victim.read_text(encoding="utf-8") == "keep me"
    assert endpoint.sent == []
    assert "SECRET" not in str(caught.value)


@pytest.mark.parametrize("plant", [plant for plant, _ in PLANTED], ids=PLANTED_IDS)
def test_every_lock_file_refusal_names_the_lock_the_token_file_and_the_fix(
    plant: Callable[[Path, Path], None], endpoint: RotatingTokens, token_file: Path,
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    # One rule (oslock.open_lock_file, as the store's lock), one message: whichever way the
    # lock file was planted, the user learns which lock file, of which token file, and what to
    # do about it (the words of the refusal of an unsafe token file's folder).
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    lock = token_file.with_name("xero.json.lock")
    plant(lock, victim)
    with pytest.raises(ConfigError) as caught:
        client(httpserver, refresh_auth(httpserver, token_file, lock_wait=0)).get("things")
    message = str(caught.value)
    assert message.startswith(
        f"the lock file {os.fspath(lock)!r} of the token file {os.fspath(token_file)!r} is ")
    assert message.endswith(": remove it, and keep token files in a folder of your own")


# What a Polish reader reads, by hand (before: the English sentence, whatever the language):
# where the lock file should be there is something else, and "remove it" agrees with it (a
# folder, a pipe: "usuń go"; a socket, a link: "usuń je").
POLISH_REFUSALS = [
    (made_a_link, "w miejscu pliku blokady {lock} pliku tokenów {path} jest dowiązanie "
                  "symboliczne, a clientguard nie podąża za dowiązaniami: usuń je i trzymaj "
                  "pliki tokenów we własnym folderze"),
    (made_a_hard_link, "plik blokady {lock} pliku tokenów {path} to dowiązanie twarde (liczba "
                       "dowiązań: 2), czyli inna nazwa pliku, który blokada by opróżniła: usuń "
                       "je i trzymaj pliki tokenów we własnym folderze"),
    (made_a_named_pipe, "w miejscu pliku blokady {lock} pliku tokenów {path} jest potok nazwany "
                        "(FIFO), a nie zwykły plik: usuń go i trzymaj pliki tokenów we własnym "
                        "folderze"),
    (made_a_folder, "w miejscu pliku blokady {lock} pliku tokenów {path} jest folder, a nie "
                    "zwykły plik: usuń go i trzymaj pliki tokenów we własnym folderze"),
    (made_a_socket, "w miejscu pliku blokady {lock} pliku tokenów {path} jest gniazdo, a nie "
                    "zwykły plik: usuń je i trzymaj pliki tokenów we własnym folderze"),
]


@pytest.mark.parametrize(("plant", "refusal"), POLISH_REFUSALS,
                         ids=["a link", "a hard link", "a named pipe", "a folder", "a socket"])
def test_a_lock_file_refusal_is_in_polish_for_a_polish_reader(
    plant: Callable[[Path, Path], None], refusal: str, endpoint: RotatingTokens,
    token_file: Path, httpserver: HTTPServer, tmp_path: Path
) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    lock = token_file.with_name("xero.json.lock")
    plant(lock, victim)
    with using("pl"), pytest.raises(ConfigError) as caught:
        client(httpserver, refresh_auth(httpserver, token_file, lock_wait=0)).get("things")
    assert str(caught.value) == refusal.format(lock=repr(os.fspath(lock)),
                                               path=repr(os.fspath(token_file)))
    assert victim.read_text(encoding="utf-8") == "keep me"
    assert endpoint.sent == []


# ============================================================== a read-only folder


def test_a_token_file_in_a_read_only_folder_keeps_its_error(
    endpoint: RotatingTokens, httpserver: HTTPServer,
    as_nobody: Callable[[Path, Callable[[], list[Any]]], list[Any]],
) -> None:
    pytest.importorskip("clientguard_xero")
    # Not below pytest's own temporary folder, which only its owner may enter.
    folder = Path(tempfile.mkdtemp(prefix="clientguard-tokens-", dir="/tmp"))
    try:
        file = folder / "xero.json"
        token_file_saver(file)(FIRST)

        def steps() -> list[str]:
            conn = xero(httpserver, file)
            folder.chmod(0o500)
            try:
                conn.client.get(httpserver.url_for("/api/things"))
            except ClientguardError as exc:
                return [type(exc).__name__, str(exc)]
            return ["no error"]

        kind, message = as_nobody(folder, steps)
        # As before the lock: the refresh is made (no other process can save to the folder
        # either, so there is nothing to wait for), and saving its answer fails, saying so.
        assert kind == "AuthError"
        assert "a new refresh token was issued but could not be saved (PermissionError)" in (
            message)
        assert "SECRET" not in message
        assert endpoint.sent == ["refresh-SECRET-1"]
        assert sorted(p.name for p in folder.iterdir()) == ["xero.json"]  # no lock file
    finally:
        folder.chmod(0o700)
        for path in folder.iterdir():
            path.unlink()
        folder.rmdir()
