"""Every endpoint fuzzed from the app's own OpenAPI spec (schemathesis 4 Python API, ASGI, SQLite):
no 500, and every error answer has the one JSON shape.

The fuzzer authenticates as a data manager (may read and write every site's patient data), so
requests get past authentication into validation and the workflow; every patient path names a real,
screened patient.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.service.conftest import make_api, screened_patient

EXAMPLES_PER_OPERATION = 10


def test_every_endpoint_without_server_errors(tmp_path):
    api = make_api(f"sqlite:///{tmp_path / 'dartnk.sqlite'}")
    pid = screened_patient(api)
    schema = schemathesis.openapi.from_asgi("/openapi.json", api.app)
    headers = {"Authorization": f"Bearer {api.tokens['dm']}"}
    failures: list[str] = []
    calls: list[int] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 25

    for operation in operations:
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck),
                  derandomize=True, database=None)
        @given(operation.as_strategy())
        def fuzz(case):
            if case.path_parameters and "patient_id" in case.path_parameters:
                case.path_parameters["patient_id"] = pid   # reach a real patient's records, not only 404s
            response = case.call(headers=headers)
            calls.append(response.status_code)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path}: {response.status_code} {response.text[:200]}")
            elif response.status_code >= 400 and response.status_code != 405:
                body = response.json()
                if not ({"error", "detail"} <= set(body) <= {"error", "detail", "field"}):
                    failures.append(f"{case.method} {case.formatted_path}: error shape {body}")

        fuzz()
    api.client.close()
    api.app.state.db.dispose()
    assert not failures, "\n".join(failures[:20])
    assert len(calls) >= 5 * len(operations) and any(200 <= c < 300 for c in calls)
