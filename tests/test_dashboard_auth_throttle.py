"""Password attempts are throttled for the whole server: guessing slows down, a right password
resets it, and an attempt during the wait is not even checked."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.auth import PasswordThrottle, _throttle
from tests.fixtures.dashboard_store import dashboard_store_url

__all__ = ["dashboard_store_url"]


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_waits_double_after_the_free_attempts_and_reset_on_success() -> None:
    clock = _Clock()
    throttle = PasswordThrottle(free=3, longest=10.0, clock=clock)
    for _ in range(3):
        throttle.failed()
        assert throttle.wait() == 0
    waits = []
    for _ in range(5):
        throttle.failed()
        waits.append(throttle.wait())
    assert waits == [2.0, 4.0, 8.0, 10.0, 10.0]
    clock.now += 10.0
    assert throttle.wait() == 0
    throttle.passed()
    throttle.failed()
    assert throttle.wait() == 0


@pytest.fixture
def fresh_throttle() -> Iterator[None]:
    _throttle.clear()
    yield
    _throttle.clear()


def test_the_right_password_is_refused_while_throttled(
    dashboard_store_url: str,
    monkeypatch: pytest.MonkeyPatch,
    fresh_throttle: None,
) -> None:
    monkeypatch.setenv("OSSIMPACT_DATABASE_URL", dashboard_store_url)
    monkeypatch.setenv("OSSIMPACT_DASHBOARD_PASSWORD", "s3cret")
    at = AppTest.from_file("../dashboard/app.py", default_timeout=30).run()
    for _ in range(6):
        at.text_input(key="auth_password").input("guess")
        next(b for b in at.button if b.label == "进入").click().run()
    at.text_input(key="auth_password").input("s3cret")
    next(b for b in at.button if b.label == "进入").click().run()
    assert at.title[0].value == "请登录"
    assert "密码错误次数过多" in at.error[0].value
