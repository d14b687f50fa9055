"""One source, one account: a store source re-pointed at another account or mode is stopped.

A ``[sources.NAME]`` synced from one account (a Stripe account in test or live mode, a Xero
organisation, a QuickBooks company, a Fakturownia account) and then pointed at another would
otherwise keep the first account's records and cursors, and read only the second account's
changes after the first one's cursor: a review mixing two companies' books, without the new
account's older history. Each connector names the account it reads
(:meth:`Connector.identity`); the store keeps a digest of it per source, and a sync whose
account differs stops before it writes a record or a cursor, saying so without the ids
(tenant and account ids are secrets: docs/security.md).

Every test runs the real connector over real HTTP (pytest-httpserver) into a real SQLite
store. The fake servers answer with the data of the account the request is for (its key,
tenant header or realm path), one customer each, so that what the store holds says which
account it came from.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from clientguard import testing
from clientguard.cli import EXIT_OK, EXIT_USAGE, main
from clientguard.connector import Connector, Mapped, RawPage, Stream
from clientguard.errors import ConnectorError, StoreError
from clientguard.i18n import using
from clientguard.store import Store
from clientguard_fakturownia import FakturowniaConnector
from clientguard_quickbooks import QuickBooksConnector
from clientguard_stripe import StripeConnector
from clientguard_xero import XeroConnector

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
LATER = datetime(2026, 6, 2, 12, 0, tzinfo=UTC)
ANY_PATH = re.compile(".*")


def _json(body: Any) -> Response:
    return Response(json.dumps(body), content_type="application/json")


# --------------------------------------------------------------------------- the fake sources


@dataclass
class Fake:
    """One connector's fake source: who its accounts are and how each is read."""

    name: str
    make: Callable[[HTTPServer, str, datetime], Connector]
    """A connector for the account (its key for Stripe), reading the server at ``now``."""
    answer: Callable[[Request, dict[str, str]], Response]
    """The server's answer to a request; the dict holds the account served (``served``)."""
    accounts: tuple[str, str]
    """Two accounts, as :attr:`make` takes them."""
    secrets: Callable[[str], tuple[str, ...]]
    """What of an account may never appear in an error or the store."""
    customer: Callable[[str], str]
    """The id of the one customer an account has."""


# Stripe: the key says the mode (sk_test_/sk_live_), GET /v1/account the account.
STRIPE_ACCOUNTS = {"alpha": "acct_1AlphaSecret0001", "beta": "acct_1BetaSecret00002"}


def stripe_key(account: str) -> str:
    """``alpha/test`` -> a test-mode key of the alpha account."""
    who, mode = account.split("/")
    return f"sk_{mode}_51KeyOf{who.capitalize()}NeverShown"


def stripe_make(server: HTTPServer, account: str, now: datetime) -> Connector:
    return StripeConnector(api_key=stripe_key(account), base_url=server.url_for("/"),
                           clock=lambda: now, sleep=lambda seconds: None, timezone="UTC")


def stripe_answer(request: Request, state: dict[str, str]) -> Response:
    key = request.headers.get("Authorization", "").removeprefix("Bearer ")
    (account,) = [a for a in ("alpha/test", "alpha/live", "beta/test", "beta/live")
                  if stripe_key(a) == key]
    who = account.split("/")[0]
    if request.path == "/v1/account":
        if state.get("account") == "forbidden":
            # Stripe's answer names the account (a secret): it must go no further.
            return Response(json.dumps({"error": {"type": "invalid_request_error", "message": (
                "The provided key does not have the required permissions for this endpoint "
                f"on account '{STRIPE_ACCOUNTS[who]}'.")}}),
                status=403, content_type="application/json")
        return _json({"id": STRIPE_ACCOUNTS[who], "object": "account",
                      "settings": {"dashboard": {"timezone": "UTC"}}})
    data = []
    if request.path == "/v1/customers":
        data = [{"id": f"cus_{who}_{account.split('/')[1]}", "object": "customer",
                 "name": f"Client of {who}", "created": 1_700_000_000}]
    return _json({"object": "list", "url": request.path, "has_more": False, "data": data})


# Xero: the organisation is the tenant id option, sent as xero-tenant-id.
XERO_TENANTS = {"alpha": "0f1e2d3c-tenant-ALPHA-secret", "beta": "9a8b7c6d-tenant-BETA-secret"}


def xero_make(server: HTTPServer, account: str, now: datetime) -> Connector:
    return XeroConnector(tenant_id=XERO_TENANTS[account], access_token="access-SECRET-1",
                         base_url=server.url_for("/api.xro/2.0"), clock=lambda: now,
                         sleep=lambda seconds: None)


def xero_answer(request: Request, state: dict[str, str]) -> Response:
    (who,) = [w for w, t in XERO_TENANTS.items() if request.headers["xero-tenant-id"] == t]
    key = request.path.rsplit("/", 1)[-1]
    records = []
    if key == "Contacts":
        records = [{"ContactID": f"contact-{who}", "Name": f"Client of {who}",
                    "IsCustomer": True, "UpdatedDateUTC": "/Date(1746057600000+0000)/"}]
    return _json({"Status": "OK", "pagination": {"page": 1, "pageSize": 1000, "pageCount": 1,
                                                 "itemCount": len(records)}, key: records})


# QuickBooks: the company is the realm id, in every path.
QBO_REALMS = {"alpha": "4620816365178199", "beta": "9130354867123456"}


def qbo_make(server: HTTPServer, account: str, now: datetime) -> Connector:
    return QuickBooksConnector(realm_id=QBO_REALMS[account], access_token="access-token-7781",
                               base_url=server.url_for("/"), clock=lambda: now,
                               sleep=lambda seconds: None, home_currency="USD",
                               time_activities=False)


def qbo_answer(request: Request, state: dict[str, str]) -> Response:
    (who,) = [w for w, r in QBO_REALMS.items() if f"/company/{r}/" in request.path]
    if request.path.endswith("/cdc"):
        return _json({"CDCResponse": [{"QueryResponse": [{}]}],
                      "time": "2026-06-02T05:00:00.000-07:00"})
    entity = request.args["query"].split(" FROM ")[1].split()[0]
    if entity != "Customer" or "STARTPOSITION 1 " not in request.args["query"].upper() + " ":
        return _json({"QueryResponse": {}})
    found = [{"Id": f"1{len(who)}", "DisplayName": f"Client of {who}",
              "MetaData": {"LastUpdatedTime": "2026-05-01T10:00:00-07:00"}}]
    return _json({"QueryResponse": {"Customer": found, "startPosition": 1, "maxResults": 1}})


# Fakturownia: the account is the subdomain (not a secret, but the store keeps a digest).
def fakturownia_make(server: HTTPServer, account: str, now: datetime) -> Connector:
    return FakturowniaConnector(subdomain=account, api_token="fk-TOKEN-never-shown-123",
                                base_url=server.url_for("/"), clock=lambda: now,
                                sleep=lambda seconds: None)


def fakturownia_answer(request: Request, state: dict[str, str]) -> Response:
    # One server for both accounts (base_url replaces the subdomain): it serves the account
    # the test says is being read.
    who = state["served"]
    if request.path == "/clients.json" and request.args.get("page") == "1":
        return _json([{"id": 7 if who == "alpha" else 8, "name": f"Client of {who}",
                       "tax_no": "5252445767"}])
    return _json([])


FAKES = [
    Fake("stripe", stripe_make, stripe_answer, ("alpha/test", "beta/test"),
         lambda a: (STRIPE_ACCOUNTS[a.split("/")[0]], stripe_key(a)),
         lambda a: f"cus_{a.replace('/', '_')}"),
    Fake("xero", xero_make, xero_answer, ("alpha", "beta"),
         lambda a: (XERO_TENANTS[a], XERO_TENANTS[a].upper()), lambda a: f"contact-{a}"),
    Fake("quickbooks", qbo_make, qbo_answer, ("alpha", "beta"),
         lambda a: (QBO_REALMS[a],), lambda a: f"1{len(a)}"),
    Fake("fakturownia", fakturownia_make, fakturownia_answer, ("alpha", "beta"),
         lambda a: (), lambda a: "7" if a == "alpha" else "8"),
]
BY_NAME = {fake.name: fake for fake in FAKES}


class Source:
    """A fake source on the test server, and the store it syncs into as source ``books``."""

    def __init__(self, fake: Fake, server: HTTPServer, path: Path) -> None:
        self.fake = fake
        self.server = server
        self.path = path
        self.state: dict[str, str] = {}
        server.expect_request(ANY_PATH).respond_with_handler(self.answer)

    def answer(self, request: Request) -> Response:
        if self.state.get("down") and request.path != "/v1/account":
            # The account's data cannot be read (the connector still tells its account: for
            # Stripe GET /v1/account): the sync fails before its first page.
            return Response("bad request", status=400)
        return self.fake.answer(request, self.state)

    def sync(self, account: str, *, now: datetime = NOW, **options: Any) -> Any:
        self.state["served"] = account
        with Store.open(self.path) as store:
            return store.sync(self.fake.make(self.server, account, now), source="books",
                              **options)

    def customers(self) -> set[str]:
        with Store.open(self.path) as store:
            return {c.id for c in store.customers()}

    def cursors(self) -> dict[str, str]:
        with closing(sqlite3.connect(self.path)) as db:
            return dict(db.execute("SELECT stream, cursor FROM cursors WHERE source = 'books'"))

    def stored_bytes(self) -> bytes:
        return b"".join(p.read_bytes() for p in self.path.parent.glob(self.path.name + "*")
                        if not p.name.endswith(".lock"))


@pytest.fixture(params=[fake.name for fake in FAKES])
def source(request: pytest.FixtureRequest, httpserver: HTTPServer, tmp_path: Path) -> Source:
    return Source(BY_NAME[request.param], httpserver, tmp_path / "cg.db")


def assert_names_no_secret(text: str, fake: Fake) -> None:
    for account in fake.accounts:
        for secret in fake.secrets(account):
            assert secret not in text


# --------------------------------------------------------------------------- the tests


def test_a_source_re_pointed_at_another_account_stops_before_writing_anything(
    source: Source,
) -> None:
    alpha, beta = source.fake.accounts
    source.sync(alpha)
    assert source.customers() == {source.fake.customer(alpha)}
    cursors = source.cursors()

    with pytest.raises(StoreError) as caught:
        source.sync(beta, now=LATER)

    message = str(caught.value)
    # What, where, what to do; never an id.
    assert "'books' was synced from another" in message
    assert "new source name" in message
    assert "clientguard sync --source books --full --prune" in message
    assert_names_no_secret(message, source.fake)
    # Nothing of beta stored, alpha's records and cursors as they were.
    assert source.customers() == {source.fake.customer(alpha)}
    assert source.cursors() == cursors
    with Store.open(source.path) as store:
        (status,) = store.status()
        assert status.last_sync_status == "failed"
        assert any("did not complete" in w for w in store.warnings())


def test_the_store_keeps_digests_of_the_accounts_never_their_ids(source: Source) -> None:
    alpha, beta = source.fake.accounts
    source.sync(alpha)
    with pytest.raises(StoreError):
        source.sync(beta, now=LATER)
    with closing(sqlite3.connect(source.path)) as db:
        (digests,) = db.execute("SELECT digests FROM source_identities").fetchone()
        (error,) = db.execute("SELECT error FROM syncs WHERE status = 'failed'").fetchone()
    parts = json.loads(digests)
    assert parts
    assert all(re.fullmatch("scrypt1:[0-9a-f]{64}", value) for value in parts.values())
    assert_names_no_secret(error, source.fake)
    for account in source.fake.accounts:
        for secret in source.fake.secrets(account):
            assert secret.encode() not in source.stored_bytes()


def test_the_same_account_syncs_on(source: Source) -> None:
    alpha, _ = source.fake.accounts
    source.sync(alpha)
    result = source.sync(alpha, now=LATER)
    assert sum(stream.new for stream in result.streams) == 0
    assert source.customers() == {source.fake.customer(alpha)}


def test_full_and_prune_replace_the_sources_records_with_the_new_accounts(
    source: Source,
) -> None:
    alpha, beta = source.fake.accounts
    source.sync(alpha)
    with Store.open(source.path) as store:
        held = len(list(store.records()))
    replaced = source.sync(beta, now=LATER, full=True, prune=True)
    assert source.customers() == {source.fake.customer(beta)}
    # The former account's records are counted removed (they were not counted at all).
    assert held >= 1
    assert replaced.removed == held
    # From then on the source is beta's: it syncs on, and alpha is the stranger.
    source.sync(beta, now=LATER)
    with pytest.raises(StoreError, match="synced from another"):
        source.sync(alpha, now=LATER)
    assert source.customers() == {source.fake.customer(beta)}


@pytest.mark.parametrize("options", [
    pytest.param({"full": True}, id="full without prune keeps the old records"),
    pytest.param({"prune": True}, id="prune without full prunes nothing"),
    pytest.param({"full": True, "prune": True, "streams": ["customers"]},
                 id="one stream leaves the others' old records"),
])
def test_anything_short_of_a_full_pruned_read_of_every_stream_is_refused(
    source: Source, options: dict[str, Any],
) -> None:
    alpha, beta = source.fake.accounts
    source.sync(alpha)
    with pytest.raises(StoreError, match="--full --prune"):
        source.sync(beta, now=LATER, **options)
    assert source.customers() == {source.fake.customer(alpha)}


def test_a_store_written_before_identities_records_the_account_on_its_next_sync(
    source: Source,
) -> None:
    alpha, beta = source.fake.accounts
    source.sync(alpha)
    # As clientguard wrote it before schema 7: no table of identities.
    with closing(sqlite3.connect(source.path)) as db, db:
        db.execute("DROP TABLE source_identities")
        db.execute("PRAGMA user_version = 6")
    result = source.sync(alpha, now=LATER)  # migrated; the same account: no error
    assert result.streams
    with Store.open(source.path) as store:
        assert store.schema_version == 12
    with pytest.raises(StoreError, match="synced from another"):
        source.sync(beta, now=LATER)


def test_a_stripe_key_switched_from_test_to_live_mode_is_another_source(
    httpserver: HTTPServer, tmp_path: Path,
) -> None:
    # One Stripe account's test and live modes share its account id: the key's mode tells
    # them apart.
    source = Source(BY_NAME["stripe"], httpserver, tmp_path / "cg.db")
    source.sync("alpha/test")
    with pytest.raises(StoreError, match=r"differs in: mode \(test or live\)\)") as caught:
        source.sync("alpha/live", now=LATER)
    assert_names_no_secret(str(caught.value), source.fake)
    assert source.customers() == {"cus_alpha_test"}
    # A Polish reader reads what differs in Polish (the part's name was English).
    with using("pl"), pytest.raises(StoreError, match=r"różni się: tryb \(testowy lub "
                                                        r"produkcyjny\)\)"):
        source.sync("alpha/live", now=LATER)


def test_a_stripe_key_that_may_not_read_its_account_is_compared_by_its_mode(
    httpserver: HTTPServer, tmp_path: Path,
) -> None:
    source = Source(BY_NAME["stripe"], httpserver, tmp_path / "cg.db")
    source.sync("alpha/test")  # account and mode recorded
    source.state["account"] = "forbidden"  # a restricted key without the permission: 403
    source.sync("alpha/test", now=LATER)  # the same mode: no error, the account kept
    with pytest.raises(StoreError, match=r"differs in: mode \(test or live\)\)"):
        source.sync("alpha/live", now=LATER)
    source.state["account"] = "readable"
    with pytest.raises(StoreError, match=r"differs in: account\)"):
        source.sync("beta/test", now=LATER)  # the account stored at first is still known
    assert source.customers() == {"cus_alpha_test"}


class Listed(Connector):
    """An in-memory source of customers that cannot tell which account it reads (as a file
    export cannot): the base class's identity, None."""

    name = "listed"
    streams = (Stream(name="customers", kind="customer", id_field="id"),)

    def __init__(self, *ids: str) -> None:
        super().__init__(clock=lambda: NOW)
        self.ids = ids

    def fetch(self, stream: Stream, *, since: datetime | None) -> Iterator[RawPage]:
        yield RawPage.of([{"id": ident} for ident in self.ids], last=True)

    def to_model(self, stream: Stream, raw: Mapping[str, Any]) -> Mapped:
        return testing.customer(str(raw["id"]))


def test_a_connector_that_cannot_tell_its_account_is_not_checked(tmp_path: Path) -> None:
    # Two exports synced under one source are the user's call: nothing to compare, nothing
    # stored.
    with Store.open(tmp_path / "cg.db") as store:
        store.sync(Listed("c1"), source="books")
        store.sync(Listed("c2"), source="books")
        assert {c.id for c in store.customers()} == {"c1", "c2"}
        assert store._db.execute("SELECT count(*) FROM source_identities").fetchone() == (0,)


def test_the_command_line_refuses_a_re_pointed_source_then_replaces_it_with_full_prune(
    httpserver: HTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The user's path: clientguard.toml's [sources.billing], the key in the environment,
    # switched from the test key to the live one.
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CLIENTGUARD_CONFIG", raising=False)
    Source(BY_NAME["stripe"], httpserver, tmp_path / "cg.db")  # serves the requests
    (tmp_path / "clientguard.toml").write_text(
        'store = "cg.db"\n\n[sources.billing]\nconnector = "stripe"\n'
        f'base_url = "{httpserver.url_for("/")}"\ntimezone = "UTC"\n', encoding="utf-8")

    def sync(account: str, *flags: str) -> tuple[int, str]:
        monkeypatch.setenv("CLIENTGUARD_BILLING_API_KEY", stripe_key(account))
        code = main(["sync", "--source", "billing", "--quiet", *flags])
        out, err = capsys.readouterr()
        return code, out + err

    code, said = sync("alpha/test")
    assert code == EXIT_OK, said
    code, said = sync("alpha/live")
    assert code == EXIT_USAGE
    assert "clientguard sync --source billing --full --prune" in said
    assert "Traceback" not in said
    assert_names_no_secret(said, BY_NAME["stripe"])
    assert sync("alpha/live", "--full", "--prune")[0] == EXIT_OK
    with Store.open(tmp_path / "cg.db") as store:
        assert {c.id for c in store.customers()} == {"cus_alpha_live"}


# --------------------------------------------------------------------------- digests, salted


class Named(Connector):
    """An in-memory source of one customer that names its account as Xero does (a tenant id),
    and can fail before its first page as a wrong or expired connection does."""

    name = "named"
    streams = (Stream(name="customers", kind="customer", id_field="id"),
               Stream(name="more", kind="customer", id_field="id"))

    def __init__(self, tenant: str, *ids: str, fail_at: int = 0) -> None:
        super().__init__(clock=lambda: NOW)
        self.tenant, self.ids, self.fail_at = tenant, ids or ("c1",), fail_at
        self.pages = 0

    def identity(self) -> Mapping[str, str]:
        return {"tenant": self.tenant}

    def fetch(self, stream: Stream, *, since: datetime | None) -> Iterator[RawPage]:
        self.pages += 1
        if self.pages == self.fail_at:
            raise ConnectorError(f"named: {stream.name}: HTTP 401 (the token was refused)")
        ids = self.ids if stream.name == "customers" else ()
        yield RawPage.of([{"id": ident} for ident in ids], last=True)

    def to_model(self, stream: Stream, raw: Mapping[str, Any]) -> Mapped:
        return testing.customer(str(raw["id"]))


def scrypt_digest(salt_hex: str, connector: str, part: str, value: str) -> str:
    """The digest docs/security.md describes, worked out here from its recipe: scrypt (N 2**14,
    r 8, p 1, 32 bytes) with the store's salt of the fixed prefix, the connector, the part
    and the value, NUL between them."""
    text = (b"clientguard store: source identity v1\x00"
            + f"{connector}\x00{part}\x00{value}".encode())
    key = hashlib.scrypt(text, salt=bytes.fromhex(salt_hex), n=2**14, r=8, p=1, dklen=32)
    return "scrypt1:" + key.hex()


def stored_identity(path: Path) -> tuple[str, dict[str, str]]:
    """The store's salt (hex) and the source ``books``' stored digests."""
    with closing(sqlite3.connect(path)) as db:
        (salt,) = db.execute("SELECT value FROM meta WHERE key = 'identity_salt'").fetchone()
        (digests,) = db.execute(
            "SELECT digests FROM source_identities WHERE source = 'books'").fetchone()
    return salt, json.loads(digests)


def test_a_digest_is_slow_and_salted_per_store_never_a_plain_hash_of_the_id(
    tmp_path: Path,
) -> None:
    # A realm or tenant id (or a subdomain, a dictionary word) is found from a plain hash by
    # hashing guesses: each store has its own random salt, and each guess costs a scrypt.
    tenant = "4620816365178199"
    for name in ("one.db", "two.db"):
        with Store.open(tmp_path / name) as store:
            store.sync(Named(tenant), source="books")
    (salt1, digests1), (salt2, digests2) = (stored_identity(tmp_path / n)
                                            for n in ("one.db", "two.db"))
    assert len(bytes.fromhex(salt1)) == 16
    assert salt1 != salt2
    assert digests1 == {"tenant": scrypt_digest(salt1, "named", "tenant", tenant)}
    assert digests2 == {"tenant": scrypt_digest(salt2, "named", "tenant", tenant)}
    plain = hashlib.sha256(
        b"clientguard store: source identity v1\x00" + f"named\x00tenant\x00{tenant}".encode()
    ).hexdigest()
    for path in (tmp_path / "one.db", tmp_path / "two.db"):
        data = b"".join(p.read_bytes() for p in tmp_path.glob(path.name + "*"))
        assert plain.encode() not in data
        assert tenant.encode() not in data


@pytest.mark.parametrize("edit", [
    pytest.param("UPDATE source_identities SET digests = '{\"tenant\": \"%s\"}'" % ("ab" * 32),
                 id="a plain sha256 digest of the development builds"),
    pytest.param("DELETE FROM meta WHERE key = 'identity_salt'", id="the salt deleted"),
    pytest.param("UPDATE meta SET value = 'not hex' WHERE key = 'identity_salt'",
                 id="the salt edited"),
])
def test_a_digest_that_cannot_be_compared_is_recorded_again_without_an_error(
    tmp_path: Path, edit: str,
) -> None:
    path = tmp_path / "cg.db"
    with Store.open(path) as store:
        store.sync(Named("tenant-alpha", "a1"), source="books")
    with closing(sqlite3.connect(path)) as db, db:
        db.execute(edit)
    with Store.open(path) as store:
        # Unknown, not another account: no "re-pointed" stop.
        store.sync(Named("tenant-alpha", "a1"), source="books")
    salt, digests = stored_identity(path)
    assert digests == {"tenant": scrypt_digest(salt, "named", "tenant", "tenant-alpha")}
    with Store.open(path) as store, pytest.raises(StoreError, match="synced from another"):
        store.sync(Named("tenant-beta", "b1"), source="books")


# --------------------------------------------------------------------------- a wrong account


def test_a_first_sync_that_stored_nothing_does_not_lock_the_source_to_its_account(
    source: Source,
) -> None:
    # The user's first try read the wrong tenant, realm or subdomain, and failed before its
    # first page; the configuration is fixed and synced again.
    alpha, beta = source.fake.accounts
    source.state["down"] = "1"
    with pytest.raises(ConnectorError):
        source.sync(alpha)
    assert source.customers() == set()
    del source.state["down"]
    source.sync(beta, now=LATER)  # no "--full --prune": the source held nothing
    assert source.customers() == {source.fake.customer(beta)}
    # The source is beta's now.
    with pytest.raises(StoreError, match="synced from another"):
        source.sync(alpha, now=LATER)


def test_a_replacement_whose_read_fails_before_its_first_page_keeps_the_old_account(
    source: Source,
) -> None:
    alpha, beta = source.fake.accounts
    source.sync(alpha)
    cursors = source.cursors()
    source.state["down"] = "1"
    with pytest.raises(ConnectorError):
        source.sync(beta, now=LATER, full=True, prune=True)
    del source.state["down"]
    # Nothing lost: alpha's records, cursors and account, and the warning.
    assert source.customers() == {source.fake.customer(alpha)}
    assert source.cursors() == cursors
    with Store.open(source.path) as store:
        assert any("did not complete" in w for w in store.warnings())
    with pytest.raises(StoreError, match="synced from another"):
        source.sync(beta, now=LATER)
    source.sync(beta, now=LATER, full=True, prune=True)  # tried again: replaced
    assert source.customers() == {source.fake.customer(beta)}


def test_a_replacement_that_fails_after_its_first_page_holds_the_new_account_and_warns(
    tmp_path: Path,
) -> None:
    with Store.open(tmp_path / "cg.db") as store:
        store.sync(Named("tenant-alpha", "a1", "a2"), source="books")
        with pytest.raises(ConnectorError):
            store.sync(Named("tenant-beta", "b1", fail_at=2), source="books",
                       full=True, prune=True)
        # Its first stream stored, the second not read: the old account is gone (never two
        # accounts under one source), and review says the last sync did not complete.
        assert {c.id for c in store.customers()} == {"b1"}
        assert any("did not complete" in w for w in store.warnings())
        store.sync(Named("tenant-beta", "b1"), source="books")  # beta's source now
        assert store.warnings() == ()


def test_a_lost_salt_makes_every_source_record_its_account_again_not_only_the_first(
    tmp_path: Path,
) -> None:
    # Two sources; the salt deleted: the first synced made a new salt, and the second, its
    # digests made with the old one, was then said re-pointed to the same tenant.
    path = tmp_path / "cg.db"
    with Store.open(path) as store:
        store.sync(Named("tenant-alpha", "a1"), source="books")
        store.sync(Named("tenant-omega", "o1"), source="other")
    with closing(sqlite3.connect(path)) as db, db:
        db.execute("DELETE FROM meta WHERE key = 'identity_salt'")
    with Store.open(path) as store:
        store.sync(Named("tenant-alpha", "a1"), source="books")
        store.sync(Named("tenant-omega", "o1"), source="other")  # no "re-pointed" stop
        with pytest.raises(StoreError, match="synced from another"):
            store.sync(Named("tenant-beta", "b1"), source="other")


@pytest.mark.parametrize(("part", "english", "polish"), [
    ("account", "account", "konto"),
    ("mode", "mode (test or live)", "tryb (testowy lub produkcyjny)"),
    ("realm", "company (realm id)", "firma (realm id)"),
    ("tenant", "organisation (tenant id)", "organizacja (tenant id)"),
    # Stripe Connect's part: English in a Polish message before.
    ("connected account", "connected account (Stripe Connect)",
     "konto połączone (Stripe Connect)"),
])
def test_every_part_of_an_identity_is_named_in_the_readers_words(
    part: str, english: str, polish: str
) -> None:
    from clientguard.store import _identity_part_word

    assert _identity_part_word(part) == english
    with using("pl"):
        assert _identity_part_word(part) == polish
