from fastapi.testclient import TestClient

from tests.conftest import Sql, point_feature


def test_report_is_stored_and_withdrawn_with_its_receipt(client: TestClient, sql: Sql) -> None:
    answer = client.post("/api/v1/reports", json=point_feature())
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert answer.headers["location"] == f"/api/v1/reports/{body['id']}"
    assert sql.scalar("SELECT count(*) FROM reports WHERE id = %s", (body["id"],)) == 1

    gone = client.delete(f"/api/v1/reports/{body['id']}", headers={"X-Receipt": body["receipt"]})
    assert gone.status_code == 204
    assert sql.scalar("SELECT count(*) FROM reports") == 0
