"""The token never reaches the logs, not even inside a traceback."""

import io
import logging

from bot.logs import RedactingFormatter

TOKEN = "123456:SECRET-token"


def test_token_inside_an_exception_traceback_is_redacted():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(RedactingFormatter("%(message)s", [TOKEN]))
    log = logging.getLogger("test.redaction")
    log.addHandler(handler)
    try:
        raise RuntimeError(f"GET https://api.example/file/bot{TOKEN}/photos/1.jpg failed")
    except RuntimeError:
        log.exception("download failed for %s", TOKEN)
    log.removeHandler(handler)
    assert TOKEN not in stream.getvalue()
    assert stream.getvalue().count("[redacted]") == 2
