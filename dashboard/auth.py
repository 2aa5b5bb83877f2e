"""Optional login: OIDC when `[auth]` is in secrets, else an operator-set password, else open.

The password is a shared secret for a small committee behind HTTPS, compared in constant time; it
is read from settings (OSSIMPACT_DASHBOARD_PASSWORD) or from `dashboard_password` in secrets.
"""

from __future__ import annotations

import hmac
import threading
import time
from collections.abc import Callable
from typing import Literal

import streamlit as st

from dashboard.i18n import t
from ossimpact.settings import load_settings

Mode = Literal["oidc", "password", "open"]
_PASSED = "_auth_password_ok"


def _secret(name: str) -> object | None:
    try:
        return st.secrets.get(name)
    except (FileNotFoundError, KeyError, ValueError):
        # No secrets.toml at all is the normal local case, not an error.
        return None


def configured_password() -> str | None:
    secret = _secret("dashboard_password")
    if isinstance(secret, str) and secret:
        return secret
    setting = load_settings().dashboard_password
    if setting is not None and setting.get_secret_value():
        return setting.get_secret_value()
    return None


def login_mode() -> Mode:
    if _secret("auth") is not None:
        return "oidc"
    if configured_password() is not None:
        return "password"
    return "open"


class PasswordThrottle:
    """Slows password guessing for the whole server, not per browser session (a new session is
    free to open): after `free` wrong passwords each further one doubles the wait before the
    next attempt is even checked, up to `longest` seconds. A right password resets it."""

    def __init__(
        self, free: int = 5, longest: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.free = free
        self.longest = longest
        self.clock = clock
        self.failures = 0
        self.next_attempt = 0.0
        self._lock = threading.Lock()

    def wait(self) -> float:
        """Seconds before the next attempt may be checked (0: now)."""
        with self._lock:
            return max(0.0, self.next_attempt - self.clock())

    def failed(self) -> None:
        with self._lock:
            self.failures += 1
            if self.failures > self.free:
                delay = min(2.0 ** (self.failures - self.free), self.longest)
                self.next_attempt = self.clock() + delay

    def passed(self) -> None:
        with self._lock:
            self.failures = 0
            self.next_attempt = 0.0


@st.cache_resource
def _throttle() -> PasswordThrottle:
    return PasswordThrottle()


def password_matches(candidate: str, expected: str) -> bool:
    return hmac.compare_digest(candidate.encode("utf-8"), expected.encode("utf-8"))


def require_login() -> str | None:
    """Stop the page until the reader is let in; return who they are when known."""
    mode = login_mode()
    if mode == "open":
        return None
    if mode == "oidc":
        if not st.user.is_logged_in:
            st.title(t("auth.title"))
            st.button(t("auth.login_oidc"), key="auth_login", on_click=st.login)
            st.stop()
        email = st.user.get("email") or st.user.get("name")
        return str(email) if email else None
    if st.session_state.get(_PASSED):
        return None
    expected = configured_password()
    assert expected is not None
    st.title(t("auth.title"))
    with st.form("auth_form"):
        candidate = st.text_input(t("auth.password"), type="password", key="auth_password")
        submitted = st.form_submit_button(t("auth.enter"))
    throttle = _throttle()
    if submitted and (wait := throttle.wait()) > 0:
        st.error(t("auth.throttled", seconds=int(wait) + 1))  # not even checked
        st.stop()
    if submitted and password_matches(candidate or "", expected):
        throttle.passed()
        st.session_state[_PASSED] = True
        st.session_state.pop("auth_password", None)
        st.rerun()
    if submitted:
        throttle.failed()
        st.error(t("auth.wrong_password"))
    st.stop()
    return None  # unreachable: st.stop raises
