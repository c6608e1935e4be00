"""Open311 GeoReport v2 under /open311/v2, after the spec's own examples.

The spec (wiki.open311.org/GeoReport_v2) shows a POST of form fields
`api_key, jurisdiction_id, service_code, lat, long, email, device_id,
account_id, first_name, description, attribute[...]`, answered with
`[{"service_request_id", "service_notice", "account_id"}]`, and errors as
`[{"code": 403, "description": "Invalid api_key"}]`.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.cli import main as cli_main
from app.config import Settings
from tests.browser.conftest import gazetteer, live_server, live_settings
from tests.conftest import Sql, point_feature

__all__ = ["gazetteer", "live_server", "live_settings"]  # fixtures, used by name

Headers = Callable[..., dict[str, str]]
BASE = "/open311/v2"
# The spec's example request, moved to central Vänersborg with our codes.
SPEC_FORM: dict[str, Any] = {
    "jurisdiction_id": "vanersborg.se",
    "service_code": "lighting",
    "lat": "58.3808",
    "long": "12.3234",
    "address_string": "Torget, Vänersborg",
    "email": "smit222@sfgov.edu",
    "device_id": "tt222111",
    "account_id": "123456",
    "first_name": "john",
    "last_name": "smith",
    "phone": "111111111",
    "description": "Lampan vid gångtunneln är trasig",
    "media_url": "http://example.org/pic.jpg",
    "attribute[times][]": ["evening", "night"],
    "attribute[days][]": "weekend",
    "attribute[severity]": "2",
}


@pytest.fixture
def api_key(client: TestClient, staff_headers: Headers) -> str:
    made = client.post(
        "/api/v1/open311/keys",
        json={"name": "FixMyStreet", "per_hour": 5},
        headers=staff_headers("admin"),
    )
    assert made.status_code == 201, made.text
    return str(made.json()["key"])


def _post(client: TestClient, form: dict[str, Any], fmt: str = "json") -> Any:
    return client.post(f"{BASE}/requests.{fmt}", data=form)


def test_discovery_and_services_in_json_and_xml(client: TestClient) -> None:
    discovery = client.get(f"{BASE}/discovery.json").json()
    assert discovery["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
    services = client.get(f"{BASE}/services.json", params={"jurisdiction_id": "x"}).json()
    codes = [s["service_code"] for s in services]
    assert "lighting" in codes and all(s["metadata"] is True for s in services)
    xml = client.get(f"{BASE}/services.xml")
    assert xml.headers["content-type"].startswith("text/xml")
    root = ET.fromstring(xml.content)
    assert root.tag == "services" and root[0].tag == "service"
    assert [e.findtext("service_code") for e in root] == codes
    definition = client.get(f"{BASE}/services/lighting.json").json()
    attrs = {a["code"]: a for a in definition["attributes"]}
    assert attrs["times"]["datatype"] == "multivaluelist" and attrs["times"]["required"]
    assert {v["key"] for v in attrs["severity"]["values"]} == {"1", "2", "3"}
    xml_def = ET.fromstring(client.get(f"{BASE}/services/lighting.xml").content)
    assert xml_def.tag == "service_definition"
    assert xml_def.find("attributes/attribute/values/value/key") is not None


def test_errors_take_the_spec_format(client: TestClient) -> None:
    missing = client.get(f"{BASE}/services/ghosts.json")
    assert missing.status_code == 404
    assert missing.json() == [{"code": 404, "description": "no service with code ghosts"}]
    xml = ET.fromstring(client.get(f"{BASE}/services/ghosts.xml").content)
    assert xml.tag == "errors" and xml.findtext("error/code") == "404"
    no_key = _post(client, {**SPEC_FORM, "api_key": "xyz"})
    assert no_key.status_code == 403
    assert no_key.json()[0]["code"] == 403 and "api_key" in no_key.json()[0]["description"]
    assert client.get(f"{BASE}/services.csv").status_code == 404


def test_post_like_the_spec_then_read_it_back_generalised(
    client: TestClient, sql: Sql, api_key: str, staff_headers: Headers
) -> None:
    answer = _post(client, {**SPEC_FORM, "api_key": api_key})
    assert answer.status_code == 201, answer.text
    (made,) = answer.json()
    assert set(made) == {"service_request_id", "service_notice", "account_id"}
    stored = sql.one(
        "SELECT r.channel, r.times, r.days, r.severity, r.text_status, o.service_code, k.name "
        "FROM reports r JOIN open311_requests o ON o.report_id = r.id "
        "JOIN open311_keys k ON k.id = o.key_id WHERE r.id = %s",
        [made["service_request_id"]],
    )
    assert stored == {
        "channel": "open311",
        "times": ["evening", "night"],
        "days": ["weekend"],
        "severity": 2,
        "text_status": "pending",
        "service_code": "lighting",
        "name": "FixMyStreet",
    }
    # Nothing personal is kept: no e-mail, name or phone anywhere in the row.
    row = sql.one("SELECT * FROM reports WHERE id = %s", [made["service_request_id"]])
    assert "smit222" not in str(row) and "111111111" not in str(row)
    (public,) = client.get(f"{BASE}/requests/{made['service_request_id']}.json").json()
    assert public["status"] == "open" and public["service_code"] == "lighting"
    assert public["description"] is None, "text waits for a moderator"
    assert (public["lat"], public["long"]) != (58.3808, 12.3234)
    assert abs(public["lat"] - 58.3808) < 0.001 and abs(public["long"] - 12.3234) < 0.002
    assert public["requested_datetime"].endswith("T00:00:00+00:00")
    sql.all(
        "UPDATE reports SET text_status = 'approved' WHERE id = %s", [made["service_request_id"]]
    )
    listed = client.get(
        f"{BASE}/requests.json", params={"status": "open", "service_code": "lighting"}
    ).json()
    assert [r["description"] for r in listed] == [SPEC_FORM["description"]]
    sql.all("UPDATE reports SET status = 'hidden'")
    assert client.get(f"{BASE}/requests.json").json() == []
    assert client.get(f"{BASE}/requests/{made['service_request_id']}.json").status_code == 404


def test_posted_requests_are_validated_like_the_report_api(
    client: TestClient, api_key: str
) -> None:
    for change, words in [
        ({"service_code": "ghosts"}, "properties.reasons"),
        ({"attribute[times][]": []}, "properties.times"),
        ({"attribute[severity]": "9"}, "properties.severity"),
        ({"lat": "59.33", "long": "18.06"}, "lat, long: "),
        ({"lat": "north"}, "lat, long"),
    ]:
        answer = _post(client, {**SPEC_FORM, **change, "api_key": api_key})
        assert answer.status_code == 400, answer.text
        assert any(words in e["description"] for e in answer.json()), answer.text
    json_api = client.post("/api/v1/reports", json=point_feature(severity=9))
    assert json_api.status_code == 422 and "severity" in json_api.text


def test_swapped_lat_and_long_get_a_hint_in_the_form_s_words(
    client: TestClient, api_key: str
) -> None:
    swapped = {"lat": SPEC_FORM["long"], "long": SPEC_FORM["lat"]}
    answer = _post(client, {**SPEC_FORM, **swapped, "api_key": api_key})
    assert answer.status_code == 400, answer.text
    [error] = answer.json()
    assert error["description"].startswith("lat, long: ") and "swapped" in error["description"]
    assert "GeoJSON" not in error["description"]


def test_keys_are_rate_limited_and_revocable(
    client: TestClient, sql: Sql, api_key: str, staff_headers: Headers
) -> None:
    form = {**SPEC_FORM, "api_key": api_key}
    for _ in range(5):
        assert _post(client, form).status_code == 201
    limited = _post(client, form, "xml")
    assert limited.status_code == 429 and "Retry-After" in limited.headers
    assert ET.fromstring(limited.content).findtext("error/code") == "429"
    admin = staff_headers("admin")
    (key,) = client.get("/api/v1/open311/keys", headers=admin).json()["keys"]
    assert "key" not in key and key["last_used_at"]
    assert client.delete(f"/api/v1/open311/keys/{key['id']}", headers=admin).status_code == 204
    actions = [r["action"] for r in sql.all("SELECT action FROM audit_log ORDER BY id")]
    assert actions[-2:] == ["georeport_keys:issue", "georeport_keys:revoke"]
    assert _post(client, form).status_code == 403
    assert client.delete(f"/api/v1/open311/keys/{key['id']}", headers=admin).status_code == 404
    police = staff_headers("police")
    assert (
        client.post("/api/v1/open311/keys", json={"name": "x"}, headers=police).status_code == 403
    )


def test_form_encoding_is_required(client: TestClient, api_key: str) -> None:
    answer = client.post(f"{BASE}/requests.json", json={**SPEC_FORM, "api_key": api_key})
    assert answer.status_code == 400 and "form-encoded" in answer.json()[0]["description"]


def test_cli_issues_lists_and_revokes(
    settings: Settings,
    client: TestClient,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("app.cli.get_settings", lambda: settings)
    with pytest.raises(SystemExit) as done:
        cli_main(["open311-key", "issue", "Ärendesystemet", "--per-hour", "50"])
    assert done.value.code == 0
    line = capsys.readouterr().out.strip()
    key = line.split()[-1]
    key_id = line.split()[2]
    assert key.startswith("o311_")
    assert _post(client, {**SPEC_FORM, "api_key": key}).status_code == 201
    with pytest.raises(SystemExit):
        cli_main(["open311-key", "list"])
    assert "active\t50/h\tÄrendesystemet" in capsys.readouterr().out
    with pytest.raises(SystemExit) as done:
        cli_main(["open311-key", "revoke", key_id])
    assert done.value.code == 0
    assert _post(client, {**SPEC_FORM, "api_key": key}).status_code == 403


def test_a_real_open311_client_reads_the_service(
    live_server: str, client: TestClient, api_key: str
) -> None:
    """georeport (PyPI), a GeoReport v2 client library, in both of its formats."""
    from georeport import GeoReport

    made = _post(client, {**SPEC_FORM, "api_key": api_key}).json()[0]["service_request_id"]
    for fmt in ("json", "xml"):
        city = GeoReport(
            f"{live_server}/open311/v2", jurisdiction="vanersborg.se", output_format=fmt
        )
        codes = [s["service_code"] for s in city.get_service_list()]
        assert "lighting" in codes, fmt
        definition = city.get_service_definition("lighting")
        assert definition["service_code"] == "lighting", fmt
        found = city.get_service_request(made)
        assert found["service_request_id"] == made and found["status"] == "open", fmt
        listed = city.get_service_requests(service_code="lighting", status="open")
        listed = listed if isinstance(listed, list) else [listed]  # xmltodict: one is a dict
        assert [r["service_request_id"] for r in listed] == [made], fmt
