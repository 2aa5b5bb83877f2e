"""Optional login: OIDC when `[auth]` is in secrets, else an operator-set password, else open.

The password is a shared secret for a small committee behind HTTPS, compared in constant time; it
is read from settings (OSSIMPACT_DASHBOARD_PASSWORD) or from `dashboard_password` in secrets.
"""

from __future__ import annotations

import hmac
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
    if submitted and password_matches(candidate or "", expected):
        st.session_state[_PASSED] = True
        st.session_state.pop("auth_password", None)
        st.rerun()
    if submitted:
        st.error(t("auth.wrong_password"))
    st.stop()
    return None  # unreachable: st.stop raises
