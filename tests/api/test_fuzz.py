"""schemathesis against the real server: whatever the OpenAPI schema allows, no 5xx, and answers match the schema.

Bounded: FUZZ_EXAMPLES examples per operation (derandomized, so a failure comes back
on the next run), with the render queue as in production.
"""

from __future__ import annotations

import os
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import content_type_conformance, not_a_server_error, response_schema_conformance

FUZZ_EXAMPLES = int(os.environ.get("CONVPLAY_FUZZ_EXAMPLES", "60"))
SEEN: dict[str, Counter] = {}   # operation -> status codes received


@pytest.fixture(scope="session")
def api_schema(live_server):
    return schemathesis.openapi.from_url(live_server + "/openapi.json")


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=FUZZ_EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_no_request_the_schema_allows_gives_a_5xx(case):
    response = case.call_and_validate(checks=[not_a_server_error, response_schema_conformance, content_type_conformance], timeout=60)
    SEEN.setdefault(case.operation.label, Counter())[response.status_code] += 1


def test_the_fuzzer_reached_every_operation(api_schema):
    """The run above did send requests to every operation, and got past the checks to a 200 from each
    (a fuzzer that only ever meets refusals never reaches the render code); its answers go to the log."""
    labels = {result.ok().label for result in api_schema.get_all_operations()}
    print({label: dict(counts) for label, counts in SEEN.items()})
    assert labels <= set(SEEN) and all(sum(c.values()) >= min(FUZZ_EXAMPLES, 5) for c in SEEN.values())
    assert not [label for label, counts in SEEN.items() if not counts[200]]
