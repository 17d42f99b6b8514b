from tests import helpers

def test_probe(app, places):
    token = helpers.api_token(app.test_client(), "clerk")
    c = app.test_client()
    r = c.post("/api/v1/case/", json=helpers.traffic_payload(places), headers={"Authorization": f"Bearer {token}"})
    cid = r.get_json()["id"]
    r = c.get(f"/case/show/{cid}", headers={"Authorization": f"Bearer {token}"})
    print("case page with bearer:", r.status_code, r.headers.get("Location"))
    r = c.get(f"/api/v1/case/{cid}", headers={"Authorization": f"Bearer {token}"})
    print(sorted(r.get_json()["result"].keys()))
    print(r.get_json()["result"]["timeline_entries"])
