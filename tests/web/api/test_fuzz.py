"""Schemathesis against /openapi.json: every operation, anonymously and with each role's token.

The contract: no input gives a 5xx, and every answer has a documented status,
media type and schema. Each operation gets schemathesis' boundary cases
(the coverage phase) plus a bounded number of generated ones, derandomised so
a run is repeatable. The cases of an operation take turns with the roles
(anonymous, then each role's token), so every role meets every operation
while the suite stays within a couple of minutes on two cores.
"""

from __future__ import annotations

import itertools
import os
import uuid
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app.config import Environment, Settings
from app.main import create_app
from app.security.passwords import hash_password
from app.security.tokens import api_token_hash, new_api_token
from tests.conftest import TEST_SECRET, Sql

ROLES = ("anonymous", "admin", "moderator", "planner", "police")
# TRYGG_FUZZ_EXAMPLES=200 TRYGG_FUZZ_SEED=random digs deeper by hand; `make test` stays bounded.
EXAMPLES = int(os.environ.get("TRYGG_FUZZ_EXAMPLES", "5"))
DERANDOMIZE = os.environ.get("TRYGG_FUZZ_SEED") != "random"
# Per operation, which role the next case goes out as.
_TURNS: defaultdict[str, Iterator[str]] = defaultdict(lambda: itertools.cycle(ROLES))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


# An app of its own, built at import so schemathesis can make one test per
# operation; schemathesis runs its lifespan (and so its database pool) in its
# own event loop at the first request, after `_test_database` has pointed it
# at this run's database.
APP = create_app(
    Settings(
        env=Environment.test,
        secret_key=TEST_SECRET,
        rate_limit_client_per_hour=0,
        rate_limit_address_per_hour=0,
    )
)
schema = schemathesis.openapi.from_dict(APP.openapi())
schema.app = APP


@pytest.fixture(scope="module", autouse=True)
def _test_database(settings: Settings) -> Iterator[None]:
    # No background recomputation, and short waits for a fresh hotspot result:
    # the fuzzing is about answers, not about hotspot timing.
    APP.state.settings = settings.model_copy(
        update={"hotspot_worker": False, "hotspot_wait_seconds": 2.0}
    )
    yield
    asgi.shutdown_lifespans()  # close this app's database pool before the next module


@pytest.fixture(scope="module")
def role_headers(sql: Sql) -> Iterator[dict[str, dict[str, str]]]:
    """One user with one Bearer token per role, made directly in the database."""
    headers: dict[str, dict[str, str]] = {"anonymous": {}}
    for role in ROLES[1:]:
        user_id = uuid.uuid4()
        token = new_api_token()
        sql.all(
            "INSERT INTO staff_users (id, email, password_hash, roles) VALUES (%s, %s, %s, %s)",
            (user_id, f"fuzz-{role}-{user_id.hex[:6]}@example.se", hash_password("x" * 12), [role]),
        )
        sql.all(
            "INSERT INTO api_tokens (id, user_id, token_hash, name) VALUES (%s, %s, %s, 'fuzz')",
            (uuid.uuid4(), user_id, api_token_hash(TEST_SECRET.encode(), token)),
        )
        headers[role] = {"Authorization": f"Bearer {token}"}
    yield headers


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=DERANDOMIZE,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_api_contract(case: Any, role_headers: dict[str, dict[str, str]]) -> None:
    role = next(_TURNS[case.operation.label])
    case.call_and_validate(headers=role_headers[role], checks=CHECKS)
