"""The log filter that keeps the query-string token out of urllib3's request lines."""

from __future__ import annotations

import logging

import pytest

from clientguard_fakturownia.redact import redact_in_logs

SECRET = "tok/en+with=odd&chars"


def test_the_token_is_redacted_plain_and_url_encoded_while_installed(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    logger = logging.getLogger("urllib3.connectionpool")
    remove = redact_in_logs([SECRET])
    try:
        encoded = "tok%2Fen%2Bwith%3Dodd%26chars"
        logger.debug('"GET /invoices.json?api_token=%s HTTP/1.1" 200', encoded)
        logger.debug("plain %s", SECRET)
    finally:
        remove()
    logger.debug("after %s", SECRET)
    messages = [r.getMessage() for r in caplog.records]
    assert messages[0] == '"GET /invoices.json?api_token=[redacted] HTTP/1.1" 200'
    assert messages[1] == "plain [redacted]"
    # Removed with the connector: nothing of ours stays in a third party's logger.
    assert messages[2] == f"after {SECRET}"
