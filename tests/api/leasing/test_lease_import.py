"""POST /api/imports/leases: a multipart upload previewed (200), committed (201) or refused."""

from __future__ import annotations

import io
from typing import Any

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tests.support.lease_files import EN, NOW, ZH, row, seed_world, xlsx


@pytest.fixture
def world(
    run: Any, make_region: Any, make_project: Any, make_asset: Any, make_customer: Any
) -> dict[str, Any]:
    """A region with one project, three units, a customer and an office contract template."""
    return seed_world(run, make_region, make_project, make_asset, make_customer)


@pytest.fixture
def admin(make_user: Any, bearer_client: Any) -> Any:
    """A client signed in as an administrator."""
    return bearer_client(make_user("admin"))


def upload(client: Any, data: bytes, filename: str = "leases.xlsx", **form: Any) -> Any:
    """Send a file (and form fields) as multipart/form-data."""
    body = {"file": (io.BytesIO(data), filename), **form}
    return client.post("/api/imports/leases", data=body, content_type="multipart/form-data")


def test_a_preview_reports_the_leases_and_writes_nothing(world: Any, admin: Any) -> None:
    response = upload(admin, xlsx([EN, row("L-1"), row("L-2", asset="SH-01-1202", status="draft")]))
    assert response.status_code == 200, response.json
    assert response.json["rows"] == 2
    assert response.json["problems"] == []
    assert [lease["number"] for lease in response.json["leases"]] == ["L-1", "L-2"]
    assert response.json["leases"][0]["monthly_rent"] == "12800.00"
    assert response.json["committed"] is False
    assert admin.get("/api/audit?entity_type=lease").json == []


def test_commit_creates_every_lease_and_answers_201_with_their_ids(world: Any, admin: Any) -> None:
    response = upload(admin, xlsx([ZH, row("L-1")]), commit="true")
    assert response.status_code == 201, response.json
    assert response.json["committed"] is True
    assert len(response.json["created_ids"]) == 1
    assert response.json["job_run_id"] is not None


def test_a_refused_commit_names_rows_and_columns_in_the_error_shape(world: Any, admin: Any) -> None:
    response = upload(admin, xlsx([ZH, row("L-1"), row("L-2", frequency="每周")]), commit="true")
    assert response.status_code == 422
    [(key, messages)] = response.json["errors"]["json"].items()
    assert key == "3.付款周期"
    assert "每周" in messages[0]
    assert response.json["message"] == "文件中有 1 个问题；未导入任何数据。"


def test_problems_are_given_in_the_users_language(world: Any, admin: Any) -> None:
    rows = [row("L-1", frequency="每周"), row("L-2", asset="SH-01-1202"), row("L-2", asset="SH-01-1203")]
    response = upload(admin, xlsx([EN, *rows]))  # users default to Chinese
    messages = [problem["message"] for problem in response.json["problems"]]
    assert messages[0].startswith("未知的值“每周”；可接受的值：monthly")
    assert messages[1] == "合同编号 L-2 在第 3 行也出现了。"


def test_other_file_types_get_415_and_oversized_files_413(world: Any, admin: Any) -> None:
    wrong = upload(admin, b"%PDF-1.7", "leases.pdf")
    assert wrong.status_code == 415
    assert ".xlsx, .csv" in wrong.json["message"]
    # Encoded in memory: the test client would spool a body this large to a file it never closes.
    boundary, body = encode_multipart(
        {"file": FileStorage(io.BytesIO(b"x" * (10 * 1024 * 1024 + 1)), "big.csv")}
    )
    content_type = f"multipart/form-data; boundary={boundary}"
    assert admin.post("/api/imports/leases", data=body, content_type=content_type).status_code == 413


def test_a_missing_file_is_a_422_naming_the_field(admin: Any) -> None:
    response = admin.post("/api/imports/leases", data={"commit": "true"}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "file" in response.json["errors"]["multipart"]


# Written out literally: who holds lease:write, independent of the role table in the code.
MAY_IMPORT = {
    "admin": 200, "director": 200, "regional_manager": 200, "project_manager": 200, "leasing_agent": 200,
    "finance": 403, "legal": 403, "inspector": 403,
}  # fmt: skip


@pytest.mark.parametrize(("role", "status"), MAY_IMPORT.items())
def test_only_roles_that_write_leases_may_import(
    role: str, status: int, world: Any, make_user: Any, bearer_client: Any
) -> None:
    if role in {"admin", "director"}:
        user = make_user(role)
    elif role in {"project_manager", "inspector"}:
        user = make_user(role, project_id=world["project"].id)
    else:
        user = make_user(role, region_id=world["region"].id)
    assert upload(bearer_client(user), xlsx([EN, row("L-1")])).status_code == status


def test_the_upload_is_documented_as_a_multipart_body(client: Any) -> None:
    operation = client.get("/api/openapi.json").json["paths"]["/api/imports/leases"]["post"]
    body = operation["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert {"200", "201", "413", "415", "422"} <= set(operation["responses"])
    assert body


def run_worker(app: Any) -> None:
    """Run the lease imports waiting for the worker, as `leasekeeper worker` would."""
    from backend.leasing.services import lease_import_jobs

    database = app.extensions["leasekeeper.db"]
    lease_import_jobs.run_queued(database.unit_of_work, lambda: NOW, None)


def test_a_background_import_answers_202_and_is_followed_to_its_report(
    world: Any, admin: Any, app: Any
) -> None:
    data = xlsx([EN, row("L-1"), row("L-2", asset="SH-01-1202", status="draft")])
    response = upload(admin, data, commit="true", background="true")
    assert response.status_code == 202, response.json
    assert response.json["state"] == "queued"
    assert (response.json["processed"], response.json["total"]) == (0, 2)
    assert response.json["report"] is None
    location = response.headers["Location"]
    assert location == f"/api/imports/leases/{response.json['id']}"
    run_worker(app)
    status = admin.get(location)
    assert status.status_code == 200, status.json
    assert status.json["state"] == "succeeded"
    assert (status.json["processed"], status.json["total"]) == (2, 2)
    assert status.json["report"]["committed"] is True
    assert len(status.json["report"]["created_ids"]) == 2


def test_a_background_import_with_problems_reports_them_in_the_users_language(
    world: Any, admin: Any, app: Any
) -> None:
    response = upload(admin, xlsx([EN, row("L-1", frequency="每周")]), background="true")
    run_worker(app)
    status = admin.get(response.headers["Location"]).json
    assert status["state"] == "failed"
    assert status["report"]["problems"][0]["message"].startswith("未知的值“每周”")


def test_another_users_import_is_not_found(
    world: Any, admin: Any, make_user: Any, bearer_client: Any
) -> None:
    response = upload(admin, xlsx([EN, row("L-1")]), background="true")
    agent = bearer_client(make_user("leasing_agent", region_id=world["region"].id))
    assert agent.get(response.headers["Location"]).status_code == 404
    assert admin.get("/api/imports/leases/999999").status_code == 404


def test_an_invalid_background_flag_is_a_422_naming_the_field(world: Any, admin: Any) -> None:
    response = upload(admin, xlsx([EN, row("L-1")]), background="maybe")
    assert response.status_code == 422
    assert "background" in response.json["errors"]["multipart"]


def test_the_import_status_is_documented(client: Any) -> None:
    paths = client.get("/api/openapi.json").json["paths"]
    assert "202" in paths["/api/imports/leases"]["post"]["responses"]
    status = paths["/api/imports/leases/{import_id}"]["get"]["responses"]
    assert {"200", "401", "403", "404"} <= set(status)
