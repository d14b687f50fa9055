"""Which query parameters and headers carry a credential by their name
(:func:`clientguard.http.redact.secret_name`): whole words of the name, not any substring.

Before, the rule matched ``key``, ``auth``, ``token``... anywhere in a name, so the logs and
errors showed ``keyword=[redacted]`` and ``author=[redacted]`` (a search term, a commit's
author: not credentials) and a person reading them could not tell what was asked for. The
names below are the real APIs' (each API's documentation: Fakturownia's ``api_token``,
Clockify's ``X-Api-Key``, Harvest's ``Harvest-Account-Id``, Xero's ``xero-tenant-id``,
QuickBooks' ``realmId``, Stripe's ``Stripe-Account``, OAuth 2.0's ``access_token``,
``refresh_token``, ``client_secret`` and the authorization ``code`` of RFC 6749 4.1.2, AWS's
``X-Amz-Signature``/``X-Amz-Credential``/``X-Amz-Security-Token``, Google's ``key``).
"""

from __future__ import annotations

import string
from urllib.parse import unquote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clientguard.http.redact import scrub_query, secret_name

REDACTED_NAMES = [
    # OAuth 2.0 (RFC 6749) and bearer tokens in a query string (RFC 6750 2.3).
    "access_token", "refresh_token", "id_token", "client_secret", "code", "Authorization",
    "Proxy-Authorization", "oauth_token", "oauth_signature",
    # The connectors' own names.
    "api_token",  # Fakturownia
    "X-Api-Key", "x-api-key",  # Clockify
    "Harvest-Account-Id",  # Harvest's account: the tenant
    "xero-tenant-id", "XeroTenantId",  # Xero
    "realmId", "realm_id",  # QuickBooks' company
    "Stripe-Account",  # Stripe's connected account: the tenant
    "workspaceId",  # Clockify's and Toggl's workspace
    # Other APIs' credentials.
    "key", "api_key", "apiKey", "APIKey", "apikey", "access_key", "private_key",
    "X-Amz-Signature", "X-Amz-Credential", "X-Amz-Security-Token", "sig", "signature",
    "token", "auth", "auth_token", "X-Auth-Token", "PRIVATE-TOKEN", "password", "passwd",
    "pwd", "passphrase", "secret", "webhook_secret", "session", "sessionid", "PHPSESSID",
    "Cookie", "Set-Cookie", "jwt", "hmac", "accessToken", "apitoken", "clientsecret",
    "Access%5FToken",  # URL-encoded: scrub_query unquotes a name before it asks
    # Run-together compounds of APIs no connector here reads, and acronyms before a word: the
    # whole-word rule of 2026-12-07 showed them, the rule before it did not (it fails safe
    # now: a word holding "key" is a credential's unless it is a known other word).
    "hapikey",  # HubSpot
    "wskey",  # OCLC WorldCat
    "userkey",  # TheTVDB
    "APIkey", "X-APIkey", "SSOkey", "HMACsig", "APIauth", "apikeys", "ACCESSKEYID", "authn",
    "authz", "basicauth",
    # OAuth's other credentials: RFC 7523 2.1-2.2, RFC 7636 4.1, RFC 8628 3.2, OAuth 1.0a;
    # SAML; session ids; one-time codes.
    "client_assertion", "assertion", "code_verifier", "device_code", "oauth_verifier",
    "SAMLResponse", "sid", "connect.sid", "otp", "pin", "passcode", "pw",
]

SHOWN_NAMES = [
    # Words that hold a credential's word without being one.
    "keyword", "keywords", "author", "authored_since", "authority", "monkey", "hockey",
    "tokenizer", "sigma", "accounting_period", "passage", "secretary", "sessional",
    "authorName", "shipping", "mapping", "design", "consignee", "footprint",
    # A code that is no OAuth code.
    "currency_code", "error_code", "country_code", "code_page",
    # Paging and filters.
    "page", "per_page", "pageSize", "state", "since", "updated_since", "client_id",
    "subdomain", "If-Modified-Since", "Content-Type",
]


@pytest.mark.parametrize("name", REDACTED_NAMES)
def test_a_credentials_name_is_recognised(name: str) -> None:
    assert secret_name(unquote(name))


@pytest.mark.parametrize("name", SHOWN_NAMES)
def test_a_name_that_only_holds_a_credentials_word_is_not(name: str) -> None:
    assert not secret_name(name)


def test_a_url_keeps_its_search_terms_and_loses_its_credentials() -> None:
    # Before: ?keyword=[redacted]&author=[redacted]&authored_since=[redacted].
    url = ("https://api.example.com/search?keyword=overdue&author=ana&authored_since=2026-01-01"
           "&api_token=fkt-T0ken-123&currency_code=PLN&code=oauth-code-987")
    assert scrub_query(url) == (
        "https://api.example.com/search?keyword=overdue&author=ana&authored_since=2026-01-01"
        "&api_token=[redacted]&currency_code=PLN&code=[redacted]"
    )


@pytest.mark.parametrize(
    ("text", "scrubbed"),
    [
        # An implicit grant's fragment (it showed the token).
        ("https://app.example.test/cb#access_token=FAKEtok&token_type=bearer",
         "https://app.example.test/cb#access_token=[redacted]&token_type=[redacted]"),
        ("GET /v1/contacts?page=2&hapikey=FAKEhubspot&wskey=FAKEworldcat",
         "GET /v1/contacts?page=2&hapikey=[redacted]&wskey=[redacted]"),
    ],
)
def test_a_credentials_value_is_scrubbed_wherever_a_text_writes_it(
    text: str, scrubbed: str
) -> None:
    assert scrub_query(text) == scrubbed


# A credential behind a separator written another way than ``&`` or ``?``. Every value here
# is made up; each text is the shape in which an API or a proxy hands a URL back:
# percent-encoded (a next-page address inside another URL's parameter, a proxy's plain-text
# error echoing the request line encoded), JSON-escaped (Rails' and Go's JSON escape ``&`` as
# ``\u0026``: Harvest is a Rails app; a body cut off is quoted raw, escapes and all),
# HTML-escaped (``&amp;``, an error page's text), the old ``;`` separator (HTML 4.01 B.2.2),
# and a query string written alone (a form body echoed: the text starts with the name).
# The expected text is the input with only the credential's value replaced, by hand.
ENCODED_SEPARATORS = [
    # Stripe-like plain-text refusal from a proxy, the request line percent-encoded.
    ("400 Bad Request: GET /v1/invoices?limit=100%26api_key=sk_test_FAKE51Hq",
     "400 Bad Request: GET /v1/invoices?limit=100%26api_key=[redacted]"),
    # Lower-case hex, and encoded twice (%25 is '%').
    ("GET /v1/invoices?limit=100%26api_key=sk_FAKE%26starting_after=in_1",
     "GET /v1/invoices?limit=100%26api_key=[redacted]%26starting_after=in_1"),
    ("return_to=https%253A%252F%252Fh%252Fx%253Fpage%253D2%2526access_token%253DFAKEtok9",
     "return_to=https%253A%252F%252Fh%252Fx%253Fpage%253D2%2526access_token%253D[redacted]"),
    # A whole URL percent-encoded as another's parameter: %3F, %3D and %26.
    ("https://h/cb?next=https%3A%2F%2Fapi.harvestapp.com%2Fv2%2Ftime_entries%3Faccess_token"
     "%3DFAKEharvest1%26page%3D2",
     "https://h/cb?next=https%3A%2F%2Fapi.harvestapp.com%2Fv2%2Ftime_entries%3Faccess_token"
     "%3D[redacted]%26page%3D2"),
    ("https://h/cb?next=https%3a%2f%2fh%2fx%3fkey%3dFAKEgoogle7",
     "https://h/cb?next=https%3a%2f%2fh%2fx%3fkey%3d[redacted]"),
    # Harvest (Rails) JSON with its escapes, as a body cut off is quoted: raw.
    ('{"error":"invalid_token","error_description":"see https://api.harvestapp.com/v2/'
     'time_entries?page=2\\u0026access_token=FAKEharvest2\\u0026per_page=100","links":',
     '{"error":"invalid_token","error_description":"see https://api.harvestapp.com/v2/'
     'time_entries?page=2\\u0026access_token=[redacted]\\u0026per_page=100","links":'),
    # JSON-escaped '?' and '=', and a value that ends at an escaped quote.
    ('{"next": "https://h/x\\u003Fapi_token\\u003dFAKEfkt3\\"}',
     '{"next": "https://h/x\\u003Fapi_token\\u003d[redacted]\\"}'),
    # Xero-like problem JSON whose Detail echoes the address HTML-escaped.
    ('{"Title":"Bad Request","Detail":"https://api.xero.com/api.xro/2.0/Invoices?page=2'
     '&amp;access_token=FAKExero4&amp;pageSize=100"}',
     '{"Title":"Bad Request","Detail":"https://api.xero.com/api.xro/2.0/Invoices?page=2'
     '&amp;access_token=[redacted]&amp;pageSize=100"}'),
    # A Link header whose next address carries the credential encoded.
    ('<https://api.github.com/repositories/1/issues?page=2%26access_token=FAKEgh5>; '
     'rel="next"',
     '<https://api.github.com/repositories/1/issues?page=2%26access_token=[redacted]>; '
     'rel="next"'),
    # The old ';' separator.
    ("https://h/x?page=2;api_key=FAKE6;per_page=5",
     "https://h/x?page=2;api_key=[redacted];per_page=5"),
    # A query string alone: the text starts with the name.
    ("access_token=FAKEform7&grant_type=refresh_token",
     "access_token=[redacted]&grant_type=refresh_token"),
    ("client_secret%3DFAKE8%26page%3D2", "client_secret%3D[redacted]%26page%3D2"),
    # A value's own encoded '&' (a key holding one, sent encoded) is no end of it: no
    # ``name=`` follows, so the value goes whole.
    ("GET /x?api_token=tok%2Fen%26chars HTTP/1.1", "GET /x?api_token=[redacted] HTTP/1.1"),
    # Kept: no credential's name, or no parameter at all.
    ("Smith %26 Sons: page%3D2%26per_page%3D50", "Smith %26 Sons: page%3D2%26per_page%3D50"),
    ("a\\u0026b: page=2\\u0026per_page=50", "a\\u0026b: page=2\\u0026per_page=50"),
    ("in words token=abc", "in words token=abc"),
]


@pytest.mark.parametrize(("text", "scrubbed"), ENCODED_SEPARATORS)
def test_a_credential_behind_an_encoded_separator_is_scrubbed(text: str, scrubbed: str) -> None:
    # Before: only a name right after a literal ?, &, ; or # was looked at, and only a literal
    # '=' joined it to its value: each credential above was shown whole.
    assert scrub_query(text) == scrubbed


@given(
    value=st.text(alphabet=string.ascii_letters + string.digits + "-_.~", min_size=4),
    before=st.sampled_from(["?", "&", ";", "#", "&amp;", "%26", "%2526", "%3F", "%3f",
                            "\\u0026", "\\u003F", "%3B", "%23"]),
    equals=st.sampled_from(["=", "%3D", "%253d", "\\u003d"]),
    after=st.sampled_from(["", "&page=2", "%26page%3D2", "\\u0026page=2", '"', "\\\"", " x",
                           "#top", ";page=2", "%3Fpage%3D2"]),
)
def test_a_credentials_value_never_survives_its_separators_form(
    value: str, before: str, equals: str, after: str
) -> None:
    # Invariant: however the separators are written, the URL-safe value of access_token
    # (RFC 3986 unreserved characters, as tokens are) is gone, and what follows it stays.
    text = f"https://h/x?page=1{before}access_token{equals}{value}{after}"
    scrubbed = scrub_query(text)
    assert scrubbed == f"https://h/x?page=1{before}access_token{equals}[redacted]{after}"
