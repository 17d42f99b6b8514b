"""The demo's joint analysis meeting: last month, convened by the district's centre, two cases
discussed (alerts and hazards skipped when the demo has none from before that day), one
follow-up done and one open on the 香洲街道 clerk's My work; a second run adds nothing."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from tests import helpers


def test_the_demo_meeting_is_recorded_once_through_the_meetings_services(app, jiefen):
    from app.demo import load_areas_and_centres
    from app.demo_meetings import load_meetings_demo, meeting_day
    from app.demo_people import load_people
    from app.extensions import db
    from app.models.meeting import JointMeeting
    from app.services import clock

    with app.app_context():
        places = load_areas_and_centres()
        load_people(app.appbuilder.sm.find_user(username="admin"))
        today = clock.today()
        towns = {name: places["areas"][name].id for name in ("香洲街道", "红草镇")}
        centres = {name: places["orgs"][f"{name}综治中心"].id for name in towns}
    day = meeting_day(today)
    token = helpers.api_token(app.test_client(), "admin")
    with jiefen.on_day(day - dt.timedelta(days=20)):  # registered before the meeting, through the API
        for town in towns:
            payload = helpers.traffic_payload({"street": towns[town], "centre": centres[town]})
            payload["title"] = f"{town}交通事故赔偿纠纷"
            r = app.test_client().post("/api/v1/case/", json=payload, headers={"Authorization": f"Bearer {token}"})
            assert r.status_code == 201, r.get_json()
    with app.app_context():
        message = load_meetings_demo()
        assert message.startswith("Demo meeting of")
        meeting = db.session.scalars(select(JointMeeting)).one()
        assert meeting.held_on == day and meeting.held_on < today and meeting.organization.code == "district-centre"
        assert 1 <= (today - day).days <= 3 and day.weekday() < 5
        assert sorted(i.case.title for i in meeting.items) == ["红草镇交通事故赔偿纠纷", "香洲街道交通事故赔偿纠纷"]
        assert not any(i.alert_id or i.hazard_id for i in meeting.items)  # none existed then: skipped
        done, open_ = sorted(meeting.tasks, key=lambda t: t.done_on is None)
        assert done.owner.username == "clerk_court" and done.done_on == day and done.done_note
        assert open_.owner.username == "clerk_xiangzhou" and open_.done_on is None and open_.due_on > today
        assert load_meetings_demo() == "Demo meetings already present."
        assert db.session.scalar(select(func.count(JointMeeting.id))) == 1
