"""Filing, retrying and withdrawing reports."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

from fastapi.testclient import TestClient

from tests.conftest import Sql, point_feature


def test_report_answers_201_with_id_receipt_status_and_location(
    client: TestClient, sql: Sql
) -> None:
    answer = client.post("/api/v1/reports", json=point_feature())
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert uuid.UUID(body["id"]).version == 4
    assert body["status"] == "published"
    assert len(body["receipt"]) == 14
    assert answer.headers["location"] == f"/api/v1/reports/{body['id']}"
    row = sql.one("SELECT channel, receipt_hash FROM reports WHERE id = %s", (body["id"],))
    assert row is not None and row["channel"] == "api"
    # Only a keyed hash of the receipt is stored.
    assert body["receipt"].encode() not in bytes(row["receipt_hash"])


def test_client_token_may_come_in_a_header(client: TestClient, sql: Sql) -> None:
    feature = point_feature(client_token=None)
    del feature["properties"]["client_token"]
    answer = client.post(
        "/api/v1/reports", json=feature, headers={"X-Client-Token": "device-in-header-1"}
    )
    assert answer.status_code == 201, answer.text


def test_same_device_gets_same_reporter_hash(client: TestClient, sql: Sql) -> None:
    for _ in range(2):
        assert (
            client.post(
                "/api/v1/reports", json=point_feature(client_token="device-aaaa")
            ).status_code
            == 201
        )
    assert (
        client.post("/api/v1/reports", json=point_feature(client_token="device-bbbb")).status_code
        == 201
    )
    assert sql.scalar("SELECT count(DISTINCT reporter_hash) FROM reports") == 2


def test_web_page_channel_is_recorded(client: TestClient, sql: Sql) -> None:
    answer = client.post(
        "/api/v1/reports", json=point_feature(), headers={"X-Report-Channel": "web"}
    )
    assert sql.scalar("SELECT channel FROM reports WHERE id = %s", (answer.json()["id"],)) == "web"


def test_retry_with_same_idempotency_key_returns_first_answer(client: TestClient, sql: Sql) -> None:
    feature = point_feature()
    headers = {"Idempotency-Key": str(uuid.uuid4())}
    first = client.post("/api/v1/reports", json=feature, headers=headers)
    second = client.post("/api/v1/reports", json=feature, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second.headers["location"] == first.headers["location"]
    assert sql.scalar("SELECT count(*) FROM reports") == 1


def test_concurrent_retries_store_one_report(client: TestClient, sql: Sql) -> None:
    feature = point_feature()
    headers = {"Idempotency-Key": "retry-" + uuid.uuid4().hex}
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(
            pool.map(
                lambda _: client.post("/api/v1/reports", json=feature, headers=headers), range(6)
            )
        )
    assert {a.status_code for a in answers} == {201}
    assert len({a.json()["id"] for a in answers}) == 1
    assert sql.scalar("SELECT count(*) FROM reports") == 1


def test_idempotency_key_reused_for_another_report_is_409(client: TestClient, sql: Sql) -> None:
    token = "device-" + uuid.uuid4().hex
    headers = {"Idempotency-Key": "k-" + uuid.uuid4().hex}
    first = client.post("/api/v1/reports", json=point_feature(client_token=token), headers=headers)
    assert first.status_code == 201
    other = point_feature(client_token=token, reasons=["traffic"])
    clash = client.post("/api/v1/reports", json=other, headers=headers)
    assert clash.status_code == 409
    assert "Idempotency-Key" in clash.json()["detail"]
    assert sql.scalar("SELECT count(*) FROM reports") == 1


def test_idempotency_keys_of_different_devices_do_not_collide(client: TestClient, sql: Sql) -> None:
    headers = {"Idempotency-Key": "1"}
    a = client.post(
        "/api/v1/reports", json=point_feature(client_token="device-one-1"), headers=headers
    )
    b = client.post(
        "/api/v1/reports", json=point_feature(client_token="device-two-2"), headers=headers
    )
    assert a.status_code == b.status_code == 201
    assert a.json()["id"] != b.json()["id"]
    assert sql.scalar("SELECT count(*) FROM reports") == 2


def test_withdraw_with_receipt_deletes_the_report(client: TestClient, sql: Sql) -> None:
    body = client.post("/api/v1/reports", json=point_feature()).json()
    gone = client.delete(f"/api/v1/reports/{body['id']}", headers={"X-Receipt": body["receipt"]})
    assert gone.status_code == 204
    assert sql.scalar("SELECT count(*) FROM reports") == 0
    again = client.delete(f"/api/v1/reports/{body['id']}", headers={"X-Receipt": body["receipt"]})
    assert again.status_code == 404


def test_receipt_is_forgiving_about_case_dashes_and_lookalikes(
    client: TestClient, sql: Sql
) -> None:
    body = client.post("/api/v1/reports", json=point_feature()).json()
    typed = body["receipt"].replace("-", " ").lower().replace("0", "o").replace("1", "l")
    gone = client.delete(f"/api/v1/reports/{body['id']}", headers={"X-Receipt": typed})
    assert gone.status_code == 204


def test_wrong_receipt_looks_exactly_like_unknown_id(client: TestClient, sql: Sql) -> None:
    body = client.post("/api/v1/reports", json=point_feature()).json()
    wrong = client.delete(f"/api/v1/reports/{body['id']}", headers={"X-Receipt": "AAAA-BBBB-CCCC"})
    unknown = client.delete(
        f"/api/v1/reports/{uuid.uuid4()}", headers={"X-Receipt": "AAAA-BBBB-CCCC"}
    )
    missing = client.delete(f"/api/v1/reports/{body['id']}")
    not_uuid = client.delete("/api/v1/reports/not-a-uuid", headers={"X-Receipt": "AAAA-BBBB-CCCC"})
    assert (
        wrong.status_code
        == unknown.status_code
        == missing.status_code
        == not_uuid.status_code
        == 404
    )
    assert wrong.json() == unknown.json() == missing.json() == not_uuid.json()
    assert sql.scalar("SELECT count(*) FROM reports") == 1


def test_vocabularies_have_swedish_and_english_labels(client: TestClient) -> None:
    body = client.get("/api/v1/reasons").json()
    codes = {r["code"] for r in body["reasons"]}
    assert {"lighting", "sightlines", "no_escape", "incident", "other"} <= codes
    assert [t["code"] for t in body["times"]] == ["morning", "day", "evening", "night"]
    assert [d["code"] for d in body["days"]] == ["weekday", "weekend"]
    assert [s["code"] for s in body["severity"]] == [1, 2, 3]  # as a report sends them
    lighting = next(r for r in body["reasons"] if r["code"] == "lighting")
    assert lighting["sv"] == "Dålig belysning" and lighting["en"] == "Poor lighting"


def test_openapi_documents_the_report_body(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    post = spec["paths"]["/api/v1/reports"]["post"]
    assert "application/geo+json" in post["requestBody"]["content"]
    assert client.get("/docs").status_code == 200
