"""Times are shown in the office's zone (DOSSIER_TIMEZONE, Beijing time by default), to the
minute or second, never with microseconds; people by 姓名 with the username as a tooltip."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from dossier import localtime
from dossier.errors import ConfigurationError

MOMENT = datetime(2026, 12, 3, 17, 5, 9, 123456, tzinfo=UTC)  # 01:05 on the 4th in Beijing


def test_beijing_time_by_default_without_microseconds():
    assert localtime.format_datetime(MOMENT) == "2026-12-04 01:05"
    assert localtime.format_datetime(MOMENT, seconds=True) == "2026-12-04 01:05:09"
    assert localtime.format_date(MOMENT) == "2026-12-04"  # the day in Beijing, not in UTC
    assert localtime.local(MOMENT).microsecond == 0
    assert localtime.format_datetime(MOMENT.replace(tzinfo=None)) == "2026-12-04 01:05"  # naive = UTC
    assert localtime.format_datetime(None) == "" and localtime.format_date(date(2024, 1, 2)) == "2024-01-02"


def test_the_zone_is_a_setting(monkeypatch):
    monkeypatch.setenv("DOSSIER_TIMEZONE", "Europe/London")
    assert localtime.format_datetime(MOMENT) == "2026-12-03 17:05"
    assert localtime.start_of_day(date(2026, 12, 4)) == datetime(2026, 12, 4, tzinfo=UTC)
    monkeypatch.setenv("DOSSIER_TIMEZONE", "Mars/Olympus")
    with pytest.raises(ConfigurationError) as refused:
        localtime.zone()
    assert refused.value.code == "config.bad_timezone" and "Mars/Olympus" in refused.value.message


def test_pages_name_people_with_their_username_as_a_tooltip(archive):
    from flask import render_template_string

    from dossier.actor import Actor
    from dossier.services.users import add_user
    from webapp import create_app

    with archive.session() as session:
        add_user(session, Actor.console(), "wangfang", "archivist", "pw-wangfang-1", display_name="王芳")
    app = create_app(archive.settings, testing=True)
    with app.test_request_context("/"):
        shown = render_template_string(
            "{{ 'wangfang'|person }} {{ 'nobody'|person }} {{ none|person }} {{ when|datetime }}",
            when=MOMENT.isoformat(),
        )
    assert shown == '<span class="person" title="wangfang">王芳</span> nobody — 2026-12-04 01:05'
