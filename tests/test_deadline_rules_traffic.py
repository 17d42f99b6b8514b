"""Police mediation of a traffic accident (issue 12, deadline item 4): 10 days from the event the
accident's consequence names, recorded on the case; until then the period waits and says for what.

domain-rules.md, traffic row: "police mediation lasts **10 days** from its start (start: after
funeral / end of treatment / disability rating / loss determined) (check article numbers)" —
道路交通安全法实施条例 第94条/第95条, 道路交通事故处理程序规定. With several consequences the
gravest one's event starts it (death, then disability, injury, property). Dates from the State
Council's 2026 notice (National Day off 1–7 October; Saturday 10 October worked).
"""
from __future__ import annotations

import datetime as dt

from tests import helpers
from tests.deadline_steps_world import deadline_step, freeze
from tests.test_deadlines import dapp, deadlines, register, world  # noqa: F401 (fixtures)

D = dt.date
POLICE = "traffic.police_mediation_period"
WENT = {"determination_date": "2026-09-25", "police_mediation_on": "2026-09-26"}


def police_case(app, places, monkeypatch, **consequence):
    """Registered on 26 September, the day the police took up the parties' joint application."""
    freeze(monkeypatch, D(2026, 9, 26), 11)
    intake = {**WENT, "injured_count": 0, "death_count": 0, "disability_rating": "none", **consequence}
    return register(app, places, "traffic", intake=intake)


def test_an_injury_waits_for_the_end_of_treatment_then_runs_10_days(dapp, world, monkeypatch):
    """Injured, not disabled: the police took up the application on 26 September, but the
    period waits for the end of treatment (recorded: 28 September) and ends on 8 October."""
    case = police_case(dapp, world, monkeypatch, injured_count=1)
    waiting = deadlines(dapp, case, on=D(2026, 9, 27))[POLICE]
    assert (waiting.status, waiting.starts_from) == ("waiting", "event.treatment_ended")
    web = dapp.test_client()
    helpers.login(web, "admin")
    show = web.get(f"/case/show/{case}").get_data(as_text=True)
    assert "等待：治疗终结" in show
    r = deadline_step(dapp, monkeypatch, case, POLICE, "start", D(2026, 9, 30), at="2026-09-28")
    assert r.status_code == 200, r.get_json()
    d = deadlines(dapp, case, on=D(2026, 9, 30))[POLICE]
    assert (d.starts_on, d.due, d.length, d.status) == (D(2026, 9, 28), D(2026, 10, 8), 10, "running")


def test_a_death_starts_after_the_funeral_and_rolls_over_national_day(dapp, world, monkeypatch):
    """Funeral arrangements over on 25 September: day 10 is 5 October, National Day, so the
    period ends Thursday 8 October (Civil Code art. 203)."""
    case = police_case(dapp, world, monkeypatch, injured_count=1, death_count=1)
    assert deadlines(dapp, case, on=D(2026, 9, 27))[POLICE].starts_from == "event.funeral_ended"
    deadline_step(dapp, monkeypatch, case, POLICE, "start", D(2026, 9, 27), at="2026-09-25")
    d = deadlines(dapp, case, on=D(2026, 9, 28))[POLICE]
    assert (d.starts_on, d.due) == (D(2026, 9, 25), D(2026, 10, 8))


def test_a_disability_starts_on_the_rating(dapp, world, monkeypatch):
    """Rated grade 8 on Monday 12 October: the period ends Thursday 22 October."""
    case = police_case(dapp, world, monkeypatch, injured_count=1, disability_rating="8")
    assert deadlines(dapp, case, on=D(2026, 10, 1))[POLICE].starts_from == "event.disability_rated"
    web = dapp.test_client()
    helpers.login(web, "admin")
    assert "等待：伤残评定" in web.get(f"/case/show/{case}").get_data(as_text=True)
    deadline_step(dapp, monkeypatch, case, POLICE, "start", D(2026, 10, 12), at="2026-10-12")
    assert deadlines(dapp, case, on=D(2026, 10, 13))[POLICE].due == D(2026, 10, 22)


def test_property_damage_starts_when_the_loss_is_determined_and_a_correction_wins(dapp, world, monkeypatch):
    """Loss first recorded as determined on 29 September, corrected to the 30th: day 10 is
    Saturday 10 October, a make-up working day, so the period ends that Saturday."""
    case = police_case(dapp, world, monkeypatch)
    assert deadlines(dapp, case, on=D(2026, 9, 27))[POLICE].starts_from == "event.loss_determined"
    deadline_step(dapp, monkeypatch, case, POLICE, "start", D(2026, 10, 1), at="2026-09-29")
    deadline_step(dapp, monkeypatch, case, POLICE, "start", D(2026, 10, 1), at="2026-09-30", note="更正")
    d = deadlines(dapp, case, on=D(2026, 10, 2))[POLICE]
    assert (d.starts_on, d.due) == (D(2026, 9, 30), D(2026, 10, 10))


def test_no_police_mediation_no_period_and_bad_records_are_refused(dapp, world, monkeypatch):
    never = register(dapp, world, "traffic", intake={"determination_date": "2026-09-25"})
    assert POLICE not in deadlines(dapp, never, on=D(2026, 9, 27))
    case = police_case(dapp, world, monkeypatch, injured_count=1)
    r = deadline_step(dapp, monkeypatch, case, POLICE, "start", D(2026, 9, 30), at="")
    assert r.status_code == 422 and "请填写该事件发生的日期。" in r.get_json()["message"]["deadline"]
    r = deadline_step(dapp, monkeypatch, case, POLICE, "start", D(2026, 9, 30), at="2026-10-05")
    assert r.status_code == 422 and "日期不能晚于今天。" in r.get_json()["message"]["deadline"]
    r = deadline_step(dapp, monkeypatch, case, "traffic.police_mediation_application", "start", D(2026, 9, 30),
                      at="2026-09-28")
    assert r.status_code == 422 and "该期限自案件已记录的日期起算，无需登记起算事件。" in r.get_json()["message"]["deadline"]
    assert deadlines(dapp, case, on=D(2026, 9, 30))[POLICE].status == "waiting"


def test_the_advice_on_the_police_window_names_the_deadlines_last_day(dapp, world, monkeypatch):
    """domain-rules.md, traffic row: "joint written application within **10 days** of the
    accident determination"; "Counting periods": a last day on a statutory holiday moves to the
    first working day after it (Civil Code art. 203). Received Monday 21 September: day 10 is
    1 October, National Day, so on 2 October the case page's advice and its deadline agree that
    police mediation is still possible until Thursday 8 October; on the 9th, that it is not."""
    freeze(monkeypatch, D(2026, 9, 22))
    case = register(dapp, world, "traffic", intake={"accident_date": "2026-09-18", "determination_date": "2026-09-21"})

    def case_page(day):
        freeze(monkeypatch, day)  # signed in that day: a session does not outlive a week's jump
        web = dapp.test_client()
        helpers.login(web, "admin")
        web.get("/lang/en")
        return web.get(f"/case/show/{case}").get_data(as_text=True)

    page = case_page(D(2026, 10, 2))
    before, row = page.split('data-code="traffic.police_mediation_application"', 1)
    assert "2026-10-08" in row.split("</tr>", 1)[0] and before.rstrip().endswith('class="deadline deadline-running"')
    assert "Police mediation is still possible until 2026-10-08" in page
    assert "can no longer be requested" not in page

    page = case_page(D(2026, 10, 9))
    assert "ended on 2026-10-08: police mediation can no longer be requested" in page
    assert "still possible" not in page


def test_chinese_advice_names_the_last_day_of_the_window(dapp, world, monkeypatch):
    """The same case in the court's language, on 2 October."""
    freeze(monkeypatch, D(2026, 9, 22))
    case = register(dapp, world, "traffic", intake={"accident_date": "2026-09-18", "determination_date": "2026-09-21"})
    freeze(monkeypatch, D(2026, 10, 2))
    web = dapp.test_client()
    helpers.login(web, "admin")
    page = web.get(f"/case/show/{case}").get_data(as_text=True)
    assert "至2026-10-08仍可申请交警调解" in page and "不能再申请交警调解" not in page
