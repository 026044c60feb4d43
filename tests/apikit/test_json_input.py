"""
Text no database can hold, sent to every JSON write endpoint of the one API.

The operations are read from the API's own OpenAPI document, so an endpoint added later is covered
without touching this file. For each operation with a JSON body (POST, PUT, PATCH, DELETE), each of
its string fields in turn carries a lone surrogate (``"\\udcff"``, valid JSON, text that UTF-8 cannot
encode): the answer is 422 ``validation_error`` naming that field, in Japanese, and nothing is stored.
The client is authenticated as the operation asks (a member's session with the CSRF token, or an
administrator's Bearer token), so the body is really read; before apikit's parser, such bodies
failed later with 500 ("'utf-8' codec can't encode …").
"""

import json

import pytest
from django.apps import apps
from django.test import Client
from wagtail.models import APIToken

from apikit import JsonParser, parse_error
from portal.api import api

pytestmark = pytest.mark.django_db

SURROGATE = "大久保\udcffの話題"
WRITE_METHODS = ("post", "put", "patch", "delete")


def _schema(doc, schema):
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _types(doc, schema):
    """Every JSON type the schema allows (anyOf/oneOf/allOf flattened, $ref resolved)."""
    schema = _schema(doc, schema)
    types = set()
    for key in ("anyOf", "oneOf", "allOf"):
        for option in schema.get(key, []):
            types |= _types(doc, option)
    if "type" in schema:
        types |= set(schema["type"] if isinstance(schema["type"], list) else [schema["type"]])
    if "enum" in schema or "const" in schema:
        types.add("enum")
    return types


def _sample(doc, schema):
    """A plausible value of ``schema`` (the refusal must not depend on the other fields being wrong)."""
    schema = _schema(doc, schema)
    if "default" in schema:
        return schema["default"]
    if "enum" in schema:
        return schema["enum"][0]
    types = _types(doc, schema)
    if schema.get("format") == "date":
        return "2026-11-28"
    for kind, value in (("string", "大久保の夏祭り"), ("integer", 1), ("number", 1), ("boolean", False),
                        ("array", []), ("object", {})):
        if kind in types:
            return value
    return None


def json_write_operations():
    """(method, path, body schema) of every operation that takes a JSON body, from the OpenAPI document."""
    doc = api.get_openapi_schema(path_prefix="/api/v3/")
    found = []
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            body = (operation.get("requestBody") or {}).get("content", {}).get("application/json")
            if method in WRITE_METHODS and body:
                found.append((method, path, _schema(doc, body["schema"]), operation.get("security") or []))
    return doc, found


def bodies_with_a_surrogate(doc, schema):
    """(field, body): one body per string field with the surrogate in it (and one in an unknown key)."""
    properties = {name: _schema(doc, prop) for name, prop in schema.get("properties", {}).items()}
    base = {name: _sample(doc, prop) for name, prop in properties.items()}
    for name, prop in properties.items():
        types = _types(doc, prop)
        if "string" in types or "enum" in types:
            yield name, {**base, name: SURROGATE}
        elif "array" in types:
            yield f"{name}.0", {**base, name: [SURROGATE]}
        elif "object" in types:
            yield f"{name}.memo", {**base, name: {"memo": SURROGATE}}
    yield "?", {**base, "\udcff": "x"}  # a key that cannot be encoded is named by "?"


@pytest.fixture
def clients(member, administrator):
    session = Client(enforce_csrf_checks=True)
    session.force_login(member)
    session.get("/api/v3/members/csrf")
    session.csrf_headers = {"X-CSRFToken": session.cookies["csrftoken"].value}
    _token, plaintext = APIToken.create_token(user=administrator, name="surrogate test")
    bearer = Client()
    bearer.auth_headers = {"Authorization": f"Bearer {plaintext}"}
    return session, bearer


def _row_counts():
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()
            if not model._meta.proxy and model._meta.managed}


def test_every_json_write_endpoint_refuses_a_lone_surrogate_in_each_field(clients, member):
    session, bearer = clients
    doc, operations = json_write_operations()
    assert {("patch", "/api/v3/board/posts/{post_id}/"), ("post", "/api/v3/submissions/"), ("post", "/api/v3/flags/"),
            ("patch", "/api/v3/members/me"), ("post", "/api/v3/members/register")} <= {
        (method, path) for method, path, _schema, _security in operations}, "the document lists the known endpoints"
    before, nickname = _row_counts(), member.nickname
    tried = 0
    for method, path, schema, security in operations:
        url = path.replace("{", "").replace("}", "")  # any id: the body is refused before the view runs
        url = "/".join("1" if part.endswith("_id") or part in ("pk", "slug", "type") else part
                       for part in url.split("/"))
        client, headers = (bearer, bearer.auth_headers) if {"BearerTokenAuth": []} in security else (
            session, session.csrf_headers)
        for field, body in bodies_with_a_surrogate(doc, schema):
            response = getattr(client, method)(url, json.dumps(body), content_type="application/json",
                                               headers=headers)
            where = f"{method.upper()} {path} ({field})"
            assert response.status_code == 422, f"{where}: {response.status_code} {response.content[:300]}"
            problem = response.json()
            assert problem["code"] == "validation_error", where
            assert f"「{field}」" in problem["detail"] and "使えない文字" in problem["detail"], where
            assert ["body", *field.split(".")] in [
                [str(part) for part in error["loc"]] for error in problem["errors"]], where
            tried += 1
    assert tried >= 40, f"only {tried} fields tried: the schema walk found too few string fields"
    assert _row_counts() == before, "nothing is stored"
    member.refresh_from_db()
    assert member.nickname == nickname


def test_a_body_that_is_not_json_is_a_400_with_its_code(clients):
    session, _bearer = clients
    response = session.post("/api/v3/flags/", b"{not json", content_type="application/json",
                            headers=session.csrf_headers)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_json" and "JSON" in response.json()["detail"]


def test_the_bytes_of_a_lone_surrogate_are_refused_like_its_escape(clients):
    """UTF-8-like bytes of a surrogate (ED B3 BF) are decoded by json with surrogatepass: the same refusal."""
    session, _bearer = clients
    body = '{"post": 1, "reason": "other", "comment": "大久保\udcff"}'.encode("utf-8", "surrogatepass")
    response = session.post("/api/v3/flags/", body, content_type="application/json", headers=session.csrf_headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "comment"]


def test_the_parser_names_nested_fields_and_passes_good_text(rf):
    parser = JsonParser()
    good = rf.post("/", json.dumps({"title": "新宿の😀話題", "data": {"memo": ["ok"]}}), content_type="application/json")
    assert parser.parse_body(good) == {"title": "新宿の😀話題", "data": {"memo": ["ok"]}}
    bad = rf.post("/", json.dumps({"data": {"memo": ["ok", SURROGATE]}}), content_type="application/json")
    with pytest.raises(Exception) as refused:
        parser.parse_body(bad)
    error = parse_error(refused.value)
    assert error.status_code == 422 and error.errors[0]["loc"] == ["body", "data", "memo", 1]
