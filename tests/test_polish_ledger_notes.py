"""A Polish review says the ledger's own notes in Polish: documents counted in two sources, a
customer the source does not have, hours of a name that matches no customer, an invoice due
before its issue date. The ledger keeps the objects and their English (the load report, the
logs); the review words them in its language. The expected sentences are written by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from clientguard import Ledger, i18n, review
from clientguard.ledger import DeliveredTwice, SameInTwoSources, UnknownCustomer, UnmatchedHours
from clientguard.model import AnyRecord
from clientguard.testing import customer, invoice, time_entry

AS_OF = date(2026, 3, 31)


def two_sources() -> Ledger:
    """Stripe and Xero, one client (names alike): Xero's copy of FV/1/2026 is written with
    23% VAT (1000.00 net, 1230.00 gross); Xero has an invoice of a customer it does not give
    and one due before it was issued; Harvest's 7.5 + 2 hours name a client nobody has."""
    return Ledger.build(
        [
            customer("kestrel", "Kestrel Sp. z o.o.", source="stripe"),
            customer("k-1", "Kestrel sp. z o.o.", source="xero"),
            invoice("kestrel", id="in_1", number="FV/1/2026", issued="2026-03-02",
                    total="1000.00", currency="PLN", source="stripe"),
            invoice("k-1", id="x-1", number="FV/1/2026", issued="2026-03-02",
                    total="1230.00", currency="PLN", source="xero"),
            invoice("ghost", id="x-2", number="FV/2/2026", issued="2026-03-05",
                    total="250.50", currency="PLN", source="xero"),
            invoice("k-1", id="x-3", number="FV/3/2026", issued="2026-03-10", due="2026-03-01",
                    total="99.00", currency="PLN", source="xero"),
            time_entry(client_name="Nobody", on="2026-03-03", hours="7.5", source="harvest",
                       entry_id="h1"),
            time_entry(client_name="Nobody", on="2026-03-04", hours="2", source="harvest",
                       entry_id="h2"),
        ],
        base_currency="PLN",
        strict=False,
    )


# By hand: 7.5 + 2 = 9.5 hours in 2 entries, 3-4 March; 1230.00 = 1000.00 * 1.23. An amount
# and its currency are held together by a no-break space (U+00A0) in Polish, as all money.
HOURS_PL = (
    "harvest: klient 'Nobody': 2 wpisy czasu pracy (9,5 godziny, od 3 marca 2026 do 4 marca "
    "2026) nie są liczone: nazwa nie pasuje do żadnego kontrahenta"
)
GHOST_PL = (
    "xero: kontrahenta 'ghost' nie ma wśród kontrahentów źródła, choć wskazuje go rekord: "
    "1 faktura (x-2); jest liczony dla klienta znanego tylko z tego id (bez nazwy, grupy i "
    "NIP-u); dodaj kontrahenta w źródle (albo zsynchronizuj kontrahentów tego źródła) lub "
    "popraw customer_id rekordu; jeśli źródło usunęło kontrahenta, a zachowało jego dokumenty (tak "
    "robi Stripe), nic nie trzeba robić"
)
TWICE_PL = (
    "faktury stripe:in_1, xero:x-1 (numer FV/1/2026) to najpewniej jedna faktura policzona "
    "dwa razy: ten sam numer i dzień (2 marca 2026), jedna kwota to druga powiększona o 23% "
    "VAT (netto w jednym narzędziu, brutto w drugim) (stripe:in_1 na 1000,00\u00a0zł, xero:x-1 na "
    "1230,00\u00a0zł) "
    "w źródłach stripe i xero; jeśli jedno narzędzie kopiuje swoje faktury do drugiego, "
    "pobieraj faktury tylko z jednego z nich (do tego czasu liczone są obie)"
)
EARLY_PL = (
    "faktura x-3 (xero): due_date: termin płatności 1 marca 2026 przypada przed datą "
    "wystawienia 10 marca 2026 (wystawiona po wpływie pieniędzy?); liczona jako płatna w "
    "dniu wystawienia"
)

# The English as the ledger has always written it (the load report keeps it so).
HOURS_EN = (
    "harvest: client 'Nobody': 9.5 hours in 2 time entries (2026-03-03..2026-03-04) not "
    "counted: matches no customer"
)
GHOST_EN = (
    "xero: customer 'ghost' is not among the source's customers, but 1 invoice (x-2) names "
    "it: counted for a client known only by that id (no name, group or tax id); add the "
    "customer to the source (or sync its customers), or correct the records' customer_id; "
    "where the source deleted the customer and kept its documents (Stripe does), nothing "
    "needs doing"
)
TWICE_EN = (
    "invoices stripe:in_1, xero:x-1 (numbered FV/1/2026) are very likely one invoice counted "
    "twice: the same number and day (2026-03-02), one total the other's with 23% VAT (net in "
    "one tool, gross in the other) (stripe:in_1 for 1000.00 PLN, xero:x-1 for 1230.00 PLN) "
    "in stripe and xero; if one tool copies its invoices into the other, pull invoices from "
    "one of them only (both are counted until then)"
)
EARLY_EN = (
    "invoice x-3 (xero): due_date: due 2026-03-01, before its issue date 2026-03-10 (issued "
    "after the money came in?); counted as due on its issue date"
)


@pytest.mark.parametrize(
    ("lang", "hours", "ghost", "twice", "early"),
    [
        ("pl", HOURS_PL, GHOST_PL, TWICE_PL, EARLY_PL),
        ("en", HOURS_EN, GHOST_EN, TWICE_EN, EARLY_EN),
    ],
)
def test_the_ledgers_notes_are_said_in_the_reviews_language(
    lang: str, hours: str, ghost: str, twice: str, early: str
) -> None:
    quality = review(two_sources(), as_of=AS_OF, lang=lang).data_quality
    for sentence in (hours, ghost, twice):
        assert sentence in quality.notes
        # The groups (the reports' data-quality section) say the same sentence.
        assert any(sentence in group.examples for group in quality.groups)
    assert quality.due_before_issue == (early,)


def test_the_ledger_keeps_its_notes_in_english_whatever_the_language() -> None:
    with i18n.using("pl"):
        book = two_sources()
        report = book.report
        assert report.notes == (GHOST_EN, TWICE_EN)
        assert [str(u) for u in report.unmatched] == [HOURS_EN]
        assert [str(a) for a in report.adjusted] == [EARLY_EN]
        review(book, as_of=AS_OF)
    # The review in Polish leaves the ledger's report as it was.
    assert report.notes == (GHOST_EN, TWICE_EN)


@pytest.mark.parametrize(
    ("note", "english", "polish"),
    [
        # Three payments of one client, 500.00 EUR each on 1 June 2026: "3 times", "all".
        (
            SameInTwoSources("payment", ("a:p1", "b:p1", "c:p9"), date(2026, 6, 1), "EUR",
                             D("500.00")),
            "payments a:p1, b:p1, c:p9 may be one payment counted 3 times: the same client, "
            "day (2026-06-01) and amount (500.00 EUR) in a and b and c; if one tool copies its "
            "payments into the other, pull payments from one of them only (all are counted "
            "until then)",
            "płatności a:p1, b:p1, c:p9 mogą być jedną płatnością policzoną 3 razy: ten sam "
            "klient, ten sam dzień (1 czerwca 2026) i ta sama kwota (500,00\u00a0EUR) w źródłach "
            "a, b i c; jeśli jedno narzędzie kopiuje swoje płatności do drugiego, pobieraj "
            "płatności tylko z jednego z nich (do tego czasu liczone są wszystkie)",
        ),
        # One number issued a day apart (UTC and the firm's zone), one amount.
        (
            SameInTwoSources("invoice", ("a:1", "b:1"), date(2026, 1, 31), "PLN", D("12.5"),
                             ("INV-1",), ((date(2026, 1, 31), "PLN", D("12.5")),
                                          (date(2026, 2, 1), "PLN", D("12.5")))),
            "invoices a:1, b:1 (numbered INV-1) are very likely one invoice counted twice: the "
            "same number and amount (12.5 PLN), issued a day apart (a tool dating in UTC and "
            "one in the firm's zone) (a:1 on 2026-01-31, b:1 on 2026-02-01) in a and b; if one "
            "tool copies its invoices into the other, pull invoices from one of them only "
            "(both are counted until then)",
            "faktury a:1, b:1 (numer INV-1) to najpewniej jedna faktura policzona dwa razy: ten "
            "sam numer i ta sama kwota (12,5\u00a0zł), wystawione w odstępie jednego dnia (jedno "
            "narzędzie datuje w UTC, drugie w strefie czasowej firmy) (a:1 z dnia 31 stycznia "
            "2026, b:1 z dnia 1 lutego 2026) w źródłach a i b; jeśli jedno narzędzie kopiuje swoje "
            "faktury do drugiego, pobieraj faktury tylko z jednego z nich (do tego czasu "
            "liczone są obie)",
        ),
        # A copy converted into another currency, a day apart: each one's total and day.
        (
            SameInTwoSources("invoice", ("a:7", "b:7"), date(2026, 1, 31), "EUR", D("100.00"),
                             ("F/7", "F-7"), ((date(2026, 1, 31), "EUR", D("100.00")),
                                              (date(2026, 2, 1), "PLN", D("430.00")))),
            "invoices a:7, b:7 (numbered F/7, F-7) are very likely one invoice counted twice: "
            "the same number, issued a day apart, in other currencies worth the same (a:7 for "
            "100.00 EUR on 2026-01-31, b:7 for 430.00 PLN on 2026-02-01) in a and b; if one "
            "tool copies its invoices into the other, pull invoices from one of them only "
            "(both are counted until then)",
            "faktury a:7, b:7 (numery F/7, F-7) to najpewniej jedna faktura policzona dwa "
            "razy: ten sam numer, wystawione w odstępie jednego dnia, w różnych walutach o tej "
            "samej wartości (a:7 na 100,00\u00a0EUR z dnia 31 stycznia 2026, b:7 na "
            "430,00\u00a0zł z dnia "
            "1 lutego 2026) w źródłach a i b; jeśli jedno narzędzie kopiuje swoje faktury do "
            "drugiego, pobieraj faktury tylko z jednego z nich (do tego czasu liczone są obie)",
        ),
        # Seven invoices (five listed) and one credit note: "and 2 more", "i jeszcze 2".
        (
            UnknownCustomer("xero", "c-9", (*(("invoice", f"i{n}") for n in range(1, 8)),
                                            ("credit_note", "cn1"))),
            "xero: customer 'c-9' is not among the source's customers, but 7 invoices (i1, i2, "
            "i3, i4, i5 and 2 more) and 1 credit note (cn1) name it: counted for a client "
            "known only by that id (no name, group or tax id); add the customer to the source "
            "(or sync its customers), or correct the records' customer_id; where the source "
            "deleted the customer and kept its documents (Stripe does), nothing needs doing",
            "xero: kontrahenta 'c-9' nie ma wśród kontrahentów źródła, choć wskazują go "
            "rekordy: 7 faktur (i1, i2, i3, i4, i5 i jeszcze 2) i 1 korekta (cn1); są liczone "
            "dla klienta znanego tylko z tego id (bez nazwy, grupy i NIP-u); dodaj kontrahenta "
            "w źródle (albo zsynchronizuj kontrahentów tego źródła) lub popraw customer_id "
            "rekordów; "
            "jeśli źródło usunęło kontrahenta, a zachowało jego dokumenty (tak robi Stripe), "
            "nic nie trzeba robić",
        ),
        # One entry of a name two clients' customers share: the reason names them.
        (
            UnmatchedHours("toggl", "Acme", 1, D("1.25"), date(2026, 5, 4), date(2026, 5, 4),
                           "matches 2 customers of different clients (a:acme, b:acme)"),
            "toggl: client 'Acme': 1.25 hours in 1 time entry (2026-05-04) not counted: "
            "matches 2 customers of different clients (a:acme, b:acme)",
            "toggl: klient 'Acme': 1 wpis czasu pracy (1,25 godziny, 4 maja 2026) nie jest "
            "liczony: nazwa pasuje do 2 kontrahentów różnych klientów (a:acme, b:acme)",
        ),
        # Five entries: the Polish "many" form (5 wpisów ... nie jest liczonych).
        (
            UnmatchedHours("toggl", "Zeta", 5, D("10"), date(2026, 5, 4), date(2026, 5, 8),
                           "matches no customer"),
            "toggl: client 'Zeta': 10 hours in 5 time entries (2026-05-04..2026-05-08) not "
            "counted: matches no customer",
            "toggl: klient 'Zeta': 5 wpisów czasu pracy (10 godzin, od 4 maja 2026 do 8 maja "
            "2026) nie jest liczonych: nazwa nie pasuje do żadnego kontrahenta",
        ),
    ],
)
def test_each_note_in_each_language(
    note: SameInTwoSources | UnknownCustomer | UnmatchedHours, english: str, polish: str
) -> None:
    assert str(note) == english
    with i18n.using("pl"):
        assert str(note) == english  # the load report's and the logs' English, always
        assert note.words() == polish
    assert note.words() == english


# ---------------------------------------------------------------- several sources, copies
# Xero's export read twice (its customer and invoice come again, the same content) beside
# Stripe's copy of the invoice, and a link that names a customer neither source has.


def copies_of_two_sources() -> tuple[list[AnyRecord], list[AnyRecord]]:
    """Stripe's FV/1/2026 and its copy in Xero (one number, day and total: 1000.00 PLN),
    Xero's records as an export read twice gives them."""
    stripe: list[AnyRecord] = [
        customer("kestrel", "Kestrel Sp. z o.o.", source="stripe"),
        invoice("kestrel", id="in_1", number="FV/1/2026", issued="2026-03-02",
                total="1000.00", currency="PLN", source="stripe"),
    ]
    xero: list[AnyRecord] = [
        customer("k-1", "Kestrel sp. z o.o.", source="xero"),
        invoice("k-1", id="x-1", number="FV/1/2026", issued="2026-03-02", total="1000.00",
                currency="PLN", source="xero"),
    ]
    return stripe, [*xero, *(r.model_copy() for r in xero)]


LINKS = [(("stripe", "kestrel"), ("xero", "k-9"))]  # k-9: a typo of k-1

# By hand: 2 records again (Xero's customer k-1 and invoice x-1; customers are checked
# first, so the first named is the customer). Polish counts 2-4 with "rekordy" (few).
REPEATED_EN = (
    "2 records came twice with the same id and the same content (the first: customer k-1 "
    "of xero): each counted once"
)
REPEATED_PL = (
    "2 rekordy wczytano dwa razy z tym samym id i tą samą treścią (pierwszy z nich: "
    "kontrahent k-1 ze źródła xero); każdy jest liczony raz"
)
LINKS_EN = (
    "the links name customers the records do not hold, left out of their links: xero:k-9 "
    "(clientguard links suggest lists the customers' ids)"
)
LINKS_PL = (
    "powiązania wskazują kontrahentów, których nie ma w danych; pominięto ich w "
    "powiązaniach: xero:k-9 (identyfikatory kontrahentów wypisuje clientguard links suggest)"
)
COPY_PL = (
    "faktury stripe:in_1, xero:x-1 (numer FV/1/2026) mogą być jedną fakturą policzoną dwa "
    "razy: ten sam klient lub numer, ten sam dzień (2 marca 2026) i ta sama kwota "
    "(1000,00\u00a0zł) w źródłach stripe i xero; jeśli jedno narzędzie kopiuje swoje faktury "
    "do drugiego, pobieraj faktury tylko z jednego z nich (do tego czasu liczone są obie)"
)


def test_a_polish_review_of_two_sources_with_copies_says_every_ledger_note_in_polish() -> None:
    stripe, xero = copies_of_two_sources()
    book = Ledger.build([*stripe, *xero], base_currency="PLN", strict=False, links=LINKS)
    english = book.report.notes
    quality = review(book, as_of=AS_OF, lang="pl").data_quality
    for sentence in (REPEATED_PL, COPY_PL, LINKS_PL):
        assert sentence in quality.notes
        assert any(sentence in group.examples for group in quality.groups)
    assert not {REPEATED_EN, LINKS_EN} & set(quality.notes)
    # The ledger keeps its English, byte for byte (the load report, the logs), and an
    # English review says it as the ledger does.
    assert english[0] == REPEATED_EN
    assert english[-1] == LINKS_EN
    assert book.report.notes == english
    notes = review(book, as_of=AS_OF, lang="en").data_quality.notes
    assert REPEATED_EN in notes
    assert LINKS_EN in notes


@pytest.mark.parametrize("order", ["stripe first", "xero first"])
def test_a_note_a_merged_ledger_carries_is_said_in_polish_too(order: str) -> None:
    """Several sources pulled at once build a ledger each and merge them (the command line's
    --source a --source b): Xero's note of its export read twice is carried into the merge."""
    stripe, xero = copies_of_two_sources()
    halves = [Ledger.build(stripe, base_currency="PLN", strict=False, links=LINKS),
              Ledger.build(xero, base_currency="PLN", strict=False, links=LINKS)]
    if order == "xero first":
        halves.reverse()
    merged = halves[0].merge(halves[1], strict=False)
    assert REPEATED_EN in merged.report.notes
    assert LINKS_EN in merged.report.notes
    notes = review(merged, as_of=AS_OF, lang="pl").data_quality.notes
    for sentence in (REPEATED_PL, COPY_PL, LINKS_PL):
        assert sentence in notes
    assert not {REPEATED_EN, LINKS_EN} & set(notes)


@pytest.mark.parametrize(
    ("count", "kind", "ident", "polish"),
    [
        # One record: no "the first of them"; the three Polish forms of "rekord" by hand
        # (1 rekord; 2-4, 22-24 rekordy; 5-21, 25 rekordów).
        (1, "invoice", "I-1", "1 rekord wczytano dwa razy z tym samym id i tą samą treścią "
                              "(faktura I-1 ze źródła erp); jest liczony raz"),
        (3, "payment", "P-7", "3 rekordy wczytano dwa razy z tym samym id i tą samą treścią "
                              "(pierwszy z nich: płatność P-7 ze źródła erp); każdy jest "
                              "liczony raz"),
        (12, "credit_note", "K-2", "12 rekordów wczytano dwa razy z tym samym id i tą samą "
                                   "treścią (pierwszy z nich: korekta K-2 ze źródła erp); "
                                   "każdy jest liczony raz"),
        (22, "time_entry", "T-5", "22 rekordy wczytano dwa razy z tym samym id i tą samą "
                                  "treścią (pierwszy z nich: wpis czasu pracy T-5 ze źródła "
                                  "erp); każdy jest liczony raz"),
    ],
)
def test_records_delivered_twice_in_each_language(
    count: int, kind: str, ident: str, polish: str
) -> None:
    note = DeliveredTwice(count, kind, ident, "erp")
    # The English as the ledger has always written it ("1 record", the kind's code).
    english = (f"{count} record{'s' if count != 1 else ''} came twice with the same id and "
               f"the same content (the first: {kind} {ident} of erp): each counted once")
    assert str(note) == english
    with i18n.using("pl"):
        assert str(note) == english
        assert note.words() == polish
    assert note.words() == english
