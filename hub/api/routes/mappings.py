"""The mapping tester: the mapping files the hub loads, and one tried on a
pasted sample (admins and integrators). Our addition to the contract, see
docs/decisions.md "Mapping tester API"."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import Field

from connectors.mapping import CrossReference, InMemoryCrossReference, jsonio, load_mapping
from connectors.mapping.errors import MappingFailure, MappingSpecError
from connectors.mapping.tryout import (
    SampleSyntaxError,
    failure_reports,
    golden_samples,
    listed_mappings,
    try_sample,
)
from dms_domain.errors import InvalidInput, NotFound, Refused
from hub.api.deps import ContainerDep, allow
from hub.api.problems import problem
from hub.api.types import RequestModel, ResponseModel
from hub.auth.principal import Principal, Role
from hub.jsonable import jsonable
from hub.services.xref import DatabaseCrossReference

router = APIRouter(prefix="/api/v1", tags=["mappings"])
Operator = Annotated[Principal, Depends(allow(Role.ADMIN, Role.INTEGRATOR))]

# A sample is one record; a quarter of a megabyte is far more than any ERP
# document the shipped mappings read, and keeps a paste from tying up a worker.
SAMPLE_LIMIT_BYTES = 256 * 1024

XrefTables = dict[str, dict[str, str]]


class GoldenSampleOut(ResponseModel):
    name: str
    sample: str = Field(description="the input record as written in its file")
    xref: XrefTables | None = Field(description="the cross-reference tables it is tried with")


class MappingFileOut(ResponseModel):
    mapping: str = Field(description="the name to test it by: folder/file under the mappings root")
    folder: str
    file: str
    system: str | None
    entity: str | None
    direction: str | None
    description: str | None
    problems: list[str] = Field(description="why the file does not load; empty when it does")
    samples: list[GoldenSampleOut]


class MappingFilePage(ResponseModel):
    items: list[MappingFileOut]
    next_cursor: str | None


class MappingTestIn(RequestModel):
    mapping: str = Field(description="a name from GET /api/v1/mappings")
    sample: str = Field(description="the record, as JSON text")
    xref: XrefTables | None = Field(
        default=None, description="cross-reference tables to use instead of a connector's"
    )
    connector: str | None = Field(
        default=None, description="use this configured connector's cross-reference tables"
    )


class MappingTestOut(ResponseModel):
    mapping: str
    result: dict[str, Any] = Field(description="the mapped record; decimals as strings")
    text: str = Field(description="the mapped record as the connector writes it (exact numbers)")


def _describe(name: str, path: Path) -> dict[str, Any]:
    folder, _, file = name.rpartition("/")
    entry: dict[str, Any] = {"mapping": name, "folder": folder, "file": file, "problems": []}
    try:
        mapping = load_mapping(path)
    except MappingSpecError as exc:
        entry |= {"system": None, "entity": None, "direction": None, "description": None}
        entry["problems"] = [
            _spec_problem(issue.line, issue.field, issue.message) for issue in exc.issues
        ]
    else:
        entry |= {
            "system": mapping.system,
            "entity": mapping.entity,
            "direction": mapping.direction,
            "description": mapping.description.strip() or None,
        }
    entry["samples"] = [
        {"name": s.name, "sample": s.text, "xref": s.xref} for s in golden_samples(path)
    ]
    return entry


def _spec_problem(line: int | None, field: str, message: str) -> str:
    where = f"line {line}: " if line is not None else ""
    return f"{where}{field + ': ' if field else ''}{message}"


@router.get("/mappings", response_model=MappingFilePage)
def list_mappings(_: Operator, container: ContainerDep) -> Any:
    """Every mapping file under the hub's mappings folder, with its golden samples.
    One page: a hub loads a few dozen files."""
    files = listed_mappings(container.settings.mappings_path)
    return {"items": [_describe(name, path) for name, path in files.items()], "next_cursor": None}


def _cross_reference(body: MappingTestIn, container: ContainerDep) -> CrossReference:
    if body.xref is not None and body.connector is not None:
        raise InvalidInput.field("connector", "give either xref or connector, not both")
    if body.connector is not None:
        if body.connector not in container.settings.connectors:
            raise InvalidInput.field("connector", f"no connector {body.connector!r} is configured")
        return DatabaseCrossReference(container.db, body.connector)
    return InMemoryCrossReference(body.xref)


@router.post(
    "/mappings/test",
    response_model=MappingTestOut,
    responses={404: {}, 413: {}, 422: {"description": "the sample or the record does not fit"}},
)
def try_mapping(body: MappingTestIn, _: Operator, container: ContainerDep) -> Any:
    """The mapped record, or 422 whose ``errors`` say where: ``line`` and
    ``column`` in the sample for text that is not JSON; the mapping's
    ``field``, its ``mapping_line`` and the ``value`` (and the sample ``line``
    holding it, when that can be told) for a record the mapping refuses."""
    if len(body.sample.encode("utf-8")) > SAMPLE_LIMIT_BYTES:
        raise Refused(
            f"the sample is larger than {SAMPLE_LIMIT_BYTES // 1024} KiB",
            code="payload_too_large",
            status=413,
        )
    path = listed_mappings(container.settings.mappings_path).get(body.mapping)
    if path is None:
        raise NotFound(f"no mapping file {body.mapping!r}")
    xref = _cross_reference(body, container)
    try:
        mapping = load_mapping(path)
    except MappingSpecError as exc:
        errors = [
            {
                "field": "mapping",
                "message": _spec_problem(i.line, i.field, i.message),
                "mapping_line": i.line,
            }
            for i in exc.issues
        ]
        return problem(422, exc.code, f"{body.mapping} does not load", errors=errors)
    try:
        result = try_sample(mapping, body.sample, xref)
    except SampleSyntaxError as exc:
        errors = [
            {"field": "sample", "message": exc.message, "line": exc.line, "column": exc.column}
        ]
        return problem(422, "sample_not_json", f"the sample is not JSON: {exc}", errors=errors)
    except MappingFailure as exc:
        errors = failure_reports(body.sample, exc)
        count = len(errors)
        detail = f"the mapping refuses the record: {count} field{'s' if count > 1 else ''}"
        return problem(422, exc.code, detail, errors=errors)
    return {
        "mapping": body.mapping,
        "result": jsonable(result),
        "text": jsonio.dumps(result, indent=2),
    }
