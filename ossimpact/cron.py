"""Crontab expressions as the scheduler reads them: five fields, weekdays by name, a timezone."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger


def crontab_trigger(expr: str, timezone: str) -> CronTrigger:
    """The trigger of a 5-field crontab expression in `timezone`; ValueError naming the problem."""
    fields = expr.split()
    if len(fields) != 5:
        raise ValueError(
            f"{expr!r} is not a 5-field cron expression (minute hour day month weekday)"
        )
    if re.search(r"\d", fields[4].split("/")[0]):
        # APScheduler 3 counts weekday 0 as Monday, crontab as Sunday (agronholm/apscheduler#286):
        # a number would silently run on the wrong day, so only names are accepted.
        raise ValueError(f"{expr!r}: write the weekday as a name (mon..sun), not a number")
    # Trigger objects ignore the scheduler's timezone and fall back to the host's: always pass it.
    return CronTrigger.from_crontab(expr, timezone=ZoneInfo(timezone))
