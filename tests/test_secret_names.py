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

from urllib.parse import unquote

import pytest

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
