"""The API keeps its OpenAPI promise: schemathesis, an independent API tester, over ``/api/v1/openapi.json``.

Every operation of the document is called in process (ASGI, no socket) with requests generated from the
document itself, valid and invalid, and every check of schemathesis is run on each answer: no 5xx, every
status and content type documented, every body as documented, a schema-valid request accepted and a
schema-invalid one refused. Bounded and derandomized: the same requests at every run, well under a minute.
"""

from __future__ import annotations

import os

import pytest

try:
    import schemathesis
except ImportError:  # a developer's machine without the test extra; CI must run it
    if os.environ.get("CI"):
        raise
    pytest.skip("schemathesis absent : pip install 'prevoyance[test]'", allow_module_level=True)

from hypothesis import HealthCheck, settings

from console.app import create_app
from console.reglages import Reglages


def _app():
    import tempfile

    folder = tempfile.mkdtemp(prefix="prevoyance-openapi-")
    return create_app(Reglages(journal=f"{folder}/journal.sqlite", travail=folder))


APP = _app()
# An impact job over thousands of generated dossiers is the diff's business (tests/test_impact_*.py): here a
# generated caseload has at most two dossiers, so that the API's answers are checked, not the machine's cores.
_genere = APP.state.etat.travaux.caseload_genere
APP.state.etat.travaux.caseload_genere = lambda nombre, graine: _genere(min(nombre, 2), graine)
# Every check; the explicit examples and the fuzzing phases (the coverage phase alone makes hundreds of
# requests per operation: the suite must stay under a minute).
CONFIG = schemathesis.config.SchemathesisConfig.from_dict(
    {"checks": {"enabled": True}, "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
     # A dossier has rules JSON Schema cannot say (no invisible or control character, dates inside the regime's
     # window and consistent with each other, a prestation the dossier claims): a schema-valid dossier may get
     # the documented 422 with its reasons, never another status. An impact's caseload is read the same way
     # (numbers as written: a float where an integer is expected, a number of over 100 digits, is refused), and
     # so is the interview's partial dossier (its schema is open: any key, any number, read as written).
     "operations": [{"include-path-regex": "^/api/v1/(evaluate|why|letter|impact$|entretien$)",
                     "checks": {"positive_data_acceptance": {"expected-statuses": [200, 202, 422]}}}]})
SCHEMA = schemathesis.openapi.from_asgi("/api/v1/openapi.json", APP, config=CONFIG, headers={"Host": "127.0.0.1"})


@SCHEMA.parametrize()
@settings(max_examples=6, derandomize=True, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
def test_api_tient_sa_promesse(case):
    case.call_and_validate(headers={"Host": "127.0.0.1"})


def test_aucun_mot_anglais_dans_le_document_ni_les_refus():
    """The document and the refusals speak French; the 422 documented is the body sent."""
    from fastapi.testclient import TestClient

    client = TestClient(APP, base_url="http://127.0.0.1")
    text = client.get("/api/v1/openapi.json").text
    for english in ("Successful Response", "Validation Error", "HTTPValidationError", '"detail"', '"Response '):
        assert english not in text
    document = client.get("/api/v1/openapi.json").json()
    assert document["paths"]["/api/v1/evaluate"]["post"]["responses"]["422"]["content"]["application/json"][
        "schema"] == {"$ref": "#/components/schemas/Erreurs"}
    for path in ("/api/v1/impact/{travail}", "/api/v1/journal/{ligne}", "/api/v1/regimes/{regime}/schema"):
        assert "404" in document["paths"][path]["get"]["responses"], path
    for url, method in (("/api/v1/nulle-part", "get"), ("/api/v1/regimes", "delete"), ("/nulle-part", "get"),
                        ("/journal", "delete")):
        answer = client.request(method, url)
        assert answer.status_code in (404, 405)
        assert "Not Found" not in answer.text and "Method Not Allowed" not in answer.text, answer.text
        assert "introuvable" in answer.text or "non admise" in answer.text, answer.text
    refused = client.get("/api/v1/journal?du=0")
    assert refused.status_code == 422 and refused.json()["erreurs"][0]["champ"] == "query.du"
    assert client.get("/api/v1/regimes/mali-inps/schema").headers["content-type"].startswith("application/json")
