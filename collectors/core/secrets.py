"""Secrets never leave a collector: every failure message, log line and stored text is redacted.

Two kinds of secret are removed: the tokens of the clients running in this process (registered by
the clients that hold them, whatever they look like), and anything shaped like a Hugging Face or
GitHub token, because a server may echo a token that is not ours (a 401 quoting the
`Authorization` header back, a token pasted into a repository description).
"""

from __future__ import annotations

import logging
import threading

from ossimpact.domain import SECRET_MASK, mask_token_shapes


class _KnownSecrets:
    """The tokens of live clients, counted: two clients may share a token."""

    def __init__(self) -> None:
        self._tokens: dict[str, int] = {}
        self._lock = threading.Lock()

    def add(self, token: str) -> None:
        with self._lock:
            self._tokens[token] = self._tokens.get(token, 0) + 1

    def remove(self, token: str) -> None:
        with self._lock:
            count = self._tokens.get(token, 0) - 1
            if count > 0:
                self._tokens[token] = count
            else:
                self._tokens.pop(token, None)

    def current(self) -> list[str]:
        with self._lock:
            # longest first: a token containing another is masked whole
            return sorted(self._tokens, key=len, reverse=True)


KNOWN = _KnownSecrets()


def remember_secret(token: str | None) -> None:
    """A client holds this token from now on: it is masked everywhere until forgotten."""
    if token:
        KNOWN.add(token)


def forget_secret(token: str | None) -> None:
    if token:
        KNOWN.remove(token)


def redact(text: str, *extra: str | None) -> str:
    """`text` without known secrets, the `extra` ones, or anything shaped like a token."""
    for token in (*KNOWN.current(), *(e for e in extra if e)):
        if token in text:
            text = text.replace(token, SECRET_MASK)
    return mask_token_shapes(text)


class RedactingFilter(logging.Filter):
    """Redacts the records of the HTTP libraries' loggers (and ours) before any handler sees them.

    httpx logs every request URL at INFO and urllib3 (under PyGithub) at DEBUG; a token that ever
    ends up in a URL or a message must not reach a log file through them.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        return True


REDACTING_FILTER = RedactingFilter()
LOGGERS = (
    "httpx",
    "httpx2",
    "httpcore.http11",
    "httpcore.connection",
    "urllib3.connectionpool",
    "huggingface_hub",
    # filters do not apply to records passed up from child loggers: the ones that log requests
    "huggingface_hub.utils._http",
    "huggingface_hub.utils._pagination",
    "huggingface_hub.hf_api",
    "collectors.http",
    "collectors.core.politeness",
    "collectors.github.collector",
    "collectors.huggingface.collector",
)


def install_log_redaction() -> None:
    """Attach the filter to the loggers that may carry a URL or a server's message (idempotent)."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if REDACTING_FILTER not in logger.filters:
            logger.addFilter(REDACTING_FILTER)
