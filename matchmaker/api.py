"""The HTTP API (docs, "HTTP API"): FastAPI, served by uvicorn with `matchmaker serve`.

Upload files, validate them, start runs (in the background: progress and cancel), fetch a run's plan, summary
and explanations, list runs, diff two, sweep what-ifs and re-plan with minimal change. Input problems are the
command line's, as JSON. Every route but /health and the schema needs an API key (X-API-Key, or Authorization:
Bearer); a server without keys answers only this machine, and starts only when told it may.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from typing import Annotated, Any, Literal

import pandas as pd
from fastapi import APIRouter, Depends, FastAPI, File, HTTPException, Query, Request, Security, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field

from .config import CampaignParams, Config, parse_shared_config
from .data import ProblemData
from .fit.embed import make_embedder
from .inputs.validate import MATURITY_DAYS, validate_choices, validate_results, with_locks
from .io.read import read_table
from .io.store import Store
from .io.write import csv_bytes
from .jobs import Job, Kept, Runner
from .lifecycle.diff import plan_diff
from .lifecycle.history import package_version, store_of
from .lifecycle.pilot import design
from .lifecycle.replan import replan, stay_close
from .lifecycle.whatif import MAX_POINTS, budget_sweep, overlap_sweep, points_table, rule_costs
from .pipeline import SOLVE_CHANGES, load, prepare, solve
from .problems import InputError, Problem, msg
from .report.tables import why_line

LOCAL = ("127.0.0.1", "::1", "localhost")
STORE_HOLD = 2.0  # seconds the server keeps the run store open after an access (io.store.Store)
# What a request may set ("section.key"); the server's paths, model, workers and keys are never among them.
SETTINGS = tuple(f"campaign.{name}" for name in CampaignParams.__dataclass_fields__) + (
    "economics.objective", "economics.conservative", "scoring.w_style", "scoring.w_audience",
    "scoring.w_performance", "scoring.pieces", "scoring.category_inference", "scoring.category_prototypes",
    "solver.time_limit", "solver.seed")
Setting = float | int | bool | str
KEY_HEADER = APIKeyHeader(name="X-API-Key", auto_error=False, description="an API key of this server")
BEARER = HTTPBearer(auto_error=False, description="the same key as a bearer token")


class Uploads:
    """Uploaded files, in memory: the newest (or most recently used), at most `limit` of them and `limit_mb`
    together. Each is its uploader's: another tenant asking for it is told there is no such upload."""

    def __init__(self, limit: int, limit_mb: int) -> None:
        self._files: Kept[tuple[bytes, str, str]] = Kept(limit, limit_mb * 2**20)

    def add(self, content: bytes, name: str, tenant: str) -> str:
        upload_id = f"u-{secrets.token_hex(8)}"
        self._files.put(upload_id, (content, name, tenant), len(content))
        return upload_id

    def get(self, upload_id: str, role: str, tenant: str) -> tuple[bytes, str]:
        found = self._files.get(upload_id)
        if found is None or found[2] != tenant:
            raise InputError([Problem("request", None, role, upload_id,
                                      msg("no upload with this id (upload the file first, to /uploads)"))])
        return found[0], found[1]


class Inputs(BaseModel):
    """A campaign's inputs: uploaded files by id, a campaign TOML, settings, locks and bans."""

    model_config = ConfigDict(extra="forbid")
    creators: str = Field(max_length=64, description="upload id of the creator list")
    products: str = Field(max_length=64, description="upload id of the product catalogue")
    pairs: str | None = Field(None, max_length=64)
    overlaps: str | None = Field(None, max_length=64)
    deals: str | None = Field(None, max_length=64)
    choices: str | None = Field(None, max_length=64, description="upload id of a locks and bans table")
    campaign: str | None = Field(None, max_length=200_000, description="campaign TOML text (server keys ignored)")
    settings: dict[str, Setting] = Field(default_factory=dict, max_length=64,
                                         description='"section.key": value, as the command line flags set them')
    locks: list[Annotated[str, Field(max_length=200)]] = Field(default_factory=list, max_length=10_000,
                                                               description='"creator_id:product_id"')
    bans: list[Annotated[str, Field(max_length=200)]] = Field(default_factory=list, max_length=10_000)


class RunRequest(Inputs):
    keep_from: str | None = Field(None, max_length=64, description="lock every booking of this run")
    near: str | None = Field(None, max_length=64, description="re-plan with minimal change from this run")
    change_penalty: float | None = Field(None, ge=0, le=1e12)


class WhatIfRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    budgets: list[Annotated[float, Field(ge=0, le=1e12)]] = Field(default_factory=list, max_length=MAX_POINTS)
    thresholds: list[Annotated[float, Field(ge=0, le=1)]] = Field(default_factory=list, max_length=MAX_POINTS)
    rules: bool = False
    time_limit: float | None = Field(None, gt=0, le=86_400, description="seconds per point")


class ReplanRequest(BaseModel):
    """After a decline or a budget change: the run's campaign with these changes, kept close to its plan."""

    model_config = ConfigDict(extra="forbid")
    bans: list[Annotated[str, Field(max_length=200)]] = Field(default_factory=list, max_length=10_000)
    locks: list[Annotated[str, Field(max_length=200)]] = Field(default_factory=list, max_length=10_000)
    settings: dict[str, Setting] = Field(default_factory=dict, max_length=64,
                                         description=f"among {', '.join(SOLVE_CHANGES)}")
    change_penalty: float | None = Field(None, ge=0, le=1e12)


class PilotRequest(BaseModel):
    """Design a pilot for a run's campaign (lifecycle/pilot.design)."""

    model_config = ConfigDict(extra="forbid")
    share: float | None = Field(None, gt=0, le=1, description="of the budget; none: sized by test-and-roll")


class LearnRequest(BaseModel):
    """Learn from results (the pilot's and every wave's so far) and plan the next wave or the rest."""

    model_config = ConfigDict(extra="forbid")
    results: str = Field(max_length=64, description="upload id of the results table (Compass/罗盘, Buyin headers)")
    waves: int = Field(1, ge=1, le=10, description="the waves left, this one included (1: plan all the rest)")
    mode: str = Field("extend", pattern="^(keep|extend|drop)$")
    maturity: int = Field(MATURITY_DAYS, ge=0, le=365, description="refuse results read before T+this many days")
    as_of: str | None = Field(None, max_length=40, description="the day the results were read (default today)")


class ProblemOut(BaseModel):
    file: str
    row: int | None
    column: str | None
    value: str | None
    message: str
    severity: str
    place: str
    text: str = Field(description="the whole line, as the command line says it")


class InputProblems(BaseModel):
    """422: every problem of the request or its inputs (the same lines as the command line's)."""

    detail: str
    problems: list[ProblemOut]
    warnings: list[ProblemOut] = []


class Detail(BaseModel):
    detail: str


ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": Detail, "description": "no valid API key"},
    403: {"model": Detail, "description": "a server without keys, asked from another machine"},
    404: {"model": Detail, "description": "no such run"},
    409: {"model": Detail, "description": "the run has not finished"},
    413: {"model": Detail, "description": "the upload is above the size limit"},
    422: {"model": InputProblems, "description": "input problems"},
}


class SharedEmbedder:
    """One embedding model for every run of the server (loading it costs seconds), one encode at a time."""

    def __init__(self, embedder: Any) -> None:
        self.embedder, self.name, self._lock = embedder, embedder.name, threading.Lock()

    def encode(self, texts: list[str]) -> Any:
        with self._lock:
            return self.embedder.encode(texts)


@dataclass
class Server:
    config: Config
    store: Store
    runner: Runner
    uploads: Uploads
    keys: tuple[str, ...]
    embedder: Any = None  # a test's embedder; None: the campaign's own, made once (models)
    models: dict[tuple[str, str], SharedEmbedder] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def embedder_for(self, config: Config) -> Any:
        """The embedder a run's campaign names, loaded once for the server."""
        if self.embedder is not None:
            return self.embedder
        key = (config.scoring.backend, config.resolved_model())
        with self.lock:
            if key not in self.models:
                self.models[key] = SharedEmbedder(make_embedder(*key))
            return self.models[key]


OPEN_PATHS = ("/health", "/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc")
BODY_SLACK = 2**20  # a multipart upload's own headers and boundaries, beside the file


def refusal(keys: tuple[str, ...], given: str, client: str) -> tuple[int, str] | None:
    """Why a request may not be answered (status, detail), or None: with keys, a valid one is needed; without,
    only this machine is answered."""
    if keys:
        if not any(hmac.compare_digest(given.encode(), key.encode()) for key in keys):
            return 401, "a valid API key is needed (X-API-Key or Authorization: Bearer)"
    elif client not in LOCAL:
        return 403, "this server has no API keys and answers only requests from its own machine"
    return None


class Gate:
    """Pure ASGI, in front of the app: a request without a valid key (or, on a keyless server, from another
    machine) is refused before a byte of its body is read, and a body above the upload limit is refused from its
    Content-Length, or as soon as it streams past the limit, never spooled whole."""

    def __init__(self, app: Any, keys: tuple[str, ...], limit: int) -> None:
        self.app, self.keys, self.limit = app, keys, limit

    def _allowed(self, scope: dict) -> tuple[int, str] | None:
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        given = headers.get("x-api-key") or headers.get("authorization", "").removeprefix("Bearer ").strip()
        refused = refusal(self.keys, given, (scope.get("client") or ("",))[0])
        if refused is not None:
            return refused
        local = _local_host(headers.get("host", "")) and _local_origin(headers.get("origin", ""))
        if not self.keys and not local:
            # a keyless server trusts this machine only: a page elsewhere (DNS rebinding, a cross-site form) is not
            return 403, "this server has no API keys and answers only pages and clients of this machine"
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > self.limit:
            return 413, f"the request body is above the limit of {self.limit // 2**20} MB"
        return None

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"] in OPEN_PATHS:
            await self.app(scope, receive, send)
            return
        refused = self._allowed(scope)
        if refused is not None:
            await JSONResponse({"detail": refused[1]}, status_code=refused[0],
                               headers={"WWW-Authenticate": "Bearer"} if refused[0] == 401 else None
                               )(scope, receive, send)
            return
        seen = 0

        async def bounded() -> dict:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise HTTPException(413, f"the request body is above the limit of {self.limit // 2**20} MB")
            return message

        await self.app(scope, bounded, send)


def _local_host(host: str) -> bool:
    """A Host header naming this machine (with or without a port): localhost, 127.0.0.1, [::1]."""
    name = host.rsplit(":", 1)[0] if not host.startswith("[") else host.split("]")[0] + "]"
    return name.strip("[]") in LOCAL


def _local_origin(origin: str) -> bool:
    """No Origin (not a browser's cross-site request), or one on this machine."""
    if not origin:
        return True
    return _local_host(origin.split("://", 1)[-1].split("/", 1)[0])


def _problems(exc: InputError, status: int = 422) -> JSONResponse:
    return JSONResponse({"detail": "input problems", "problems": [p.as_dict() for p in exc.problems],
                         "warnings": [p.as_dict() for p in exc.warnings]}, status_code=status)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A frame as JSON records (NaN as null)."""
    return json.loads(frame.to_json(orient="records", force_ascii=False))


def _settings(server: Server, settings: dict[str, Setting], allowed: tuple[str, ...]) -> dict[str, Setting]:
    bad = [Problem("request", None, key, None, msg("not a setting a request may change; expected one of {choices}",
                                                   choices=", ".join(allowed)), place="key")
           for key in settings if key not in allowed]
    limit = settings.get("solver.time_limit")
    if isinstance(limit, (int, float)) and not 0 < limit <= server.config.server.max_time_limit:
        bad.append(Problem("request", None, "solver.time_limit", str(limit),
                           msg("must be in (0, {limit:g}] seconds on this server",
                               limit=server.config.server.max_time_limit), place="key"))
    if bad:
        raise InputError(bad)
    return settings


def _config(server: Server, body: Inputs) -> Config:
    config = server.config
    if body.campaign:
        config = parse_shared_config(body.campaign, "campaign", server.config, server.config.server.max_time_limit)[0]
    try:
        return config.override(**_settings(server, body.settings, SETTINGS))
    except ValueError as exc:
        raise InputError([Problem("request", None, "settings", None, str(exc))]) from exc


def tenant_of(key: str) -> str:
    """The tenant an API key stands for: a digest of it (the key itself is never stored)."""
    return "k-" + hashlib.sha256(key.encode()).hexdigest()[:16]


def _data(server: Server, body: Inputs, config: Config, tenant: str) -> ProblemData:
    """The request's inputs read and validated, as the command line does (InputError names every problem)."""
    files = {role: server.uploads.get(getattr(body, role), role, tenant) for role in
             ("creators", "products", "pairs", "overlaps", "deals") if getattr(body, role)}
    data = load(config, **{role: (content, name) for role, (content, name) in files.items()},
                locks=body.locks or None, bans=body.bans or None)
    if body.choices:
        content, name = server.uploads.get(body.choices, "choices", tenant)
        locks, bans = validate_choices(read_table(content, name), name, data)
        data = with_locks(data, locks, bans, source=name)
    return data


def _job(server: Server, ref: str, tenant: str) -> Job | None:
    """The tenant's queued, running or finished job of this id (another tenant's is not there for it)."""
    job = server.runner.jobs.get(ref)
    return job if job is not None and job.tenant == tenant else None


def _stored(server: Server, ref: str, tenant: str) -> str:
    """The tenant's stored run's id (404 when it has none of this id: another tenant's runs are not there)."""
    job = _job(server, ref, tenant)
    if job is not None and job.status != "done":
        raise HTTPException(409, f"run {ref} is {job.status}, it has no stored plan")
    try:
        return server.store.resolve(ref, tenant)
    except InputError as exc:
        raise HTTPException(404, str(exc.problems[0].message)) from None


def create_app(config: Config, allow_local: bool = False, embedder: Any = None, store: Store | None = None
               ) -> FastAPI:
    """The API over `store` (default: the config's); keys from MATCHMAKER_API_KEYS or [server] api_keys. Without
    keys the server answers only this machine, and only with allow_local (or [server] allow_local)."""
    keys = config.server.keys()
    if not keys and not (allow_local or config.server.allow_local):
        raise InputError([Problem("server", None, "server.api_keys", None,
                                  msg("no API key: set MATCHMAKER_API_KEYS (or [server] api_keys), or allow requests "
                                      "from this machine only with --allow-local"), place="key")])
    store = store or store_of(config)
    if store is None:
        raise InputError([Problem("server", None, "store.path", None,
                                  msg("the API needs the run store; it is switched off"), place="key")])
    store = Store(store.path, hold=STORE_HOLD)
    uploads = Uploads(config.server.max_uploads, config.server.max_uploads_mb)
    server = Server(config, store, Runner(store, config.server.max_jobs, config.server.max_prepared,
                                          config.server.max_prepared_mb), uploads, keys, embedder)

    def authorised(request: Request, key: Annotated[str | None, Security(KEY_HEADER)] = None,
                   bearer: Annotated[HTTPAuthorizationCredentials | None, Security(BEARER)] = None) -> None:
        """The key checked, and the request's tenant noted (request.state.tenant): each API key is one (its runs
        and uploads are its own); a keyless local server's requests are this machine's, as the command line's
        and the app's runs are ("")."""
        given = key or (bearer.credentials if bearer else "")
        refused = refusal(server.keys, given, request.client.host if request.client else "")
        if refused is not None:
            raise HTTPException(*refused, headers={"WWW-Authenticate": "Bearer"} if refused[0] == 401 else None)
        request.state.tenant = tenant_of(given) if server.keys else ""

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        server.runner.shutdown()  # a running search stops; its best plan so far is recorded
        server.store.close()

    app = FastAPI(title="matchmaker", version=package_version(), lifespan=lifespan,
                  description="Creator-brand matchmaking: upload, validate, plan, explain, compare, what-if, "
                              "re-plan. Every route but /health needs an API key (X-API-Key).")
    app.state.server = server
    api = APIRouter(dependencies=[Depends(authorised)], responses=ERRORS)

    @app.exception_handler(InputError)
    def input_problems(request: Request, exc: InputError) -> JSONResponse:
        return _problems(exc)

    @app.exception_handler(RequestValidationError)
    def malformed(request: Request, exc: RequestValidationError) -> JSONResponse:
        """A request the schema refuses, said as input problems (where, what was expected)."""
        return _problems(InputError([
            Problem("request", None, ".".join(str(part) for part in error.get("loc", ())),
                    None if error.get("input") is None else str(error["input"])[:200], str(error.get("msg", "")))
            for error in exc.errors()]))

    @app.get("/health", summary="the server is up (no key needed)")
    def health() -> dict[str, str]:
        return {"status": "ok", "version": package_version()}

    @api.post("/uploads", status_code=201, summary="upload an input file (.csv, .xlsx, .parquet)")
    def upload(file: Annotated[UploadFile, File(description="a creator list, product catalogue, ...")],
               request: Request) -> dict[str, Any]:
        tenant = request.state.tenant
        limit = config.server.max_upload_mb * 2**20
        content = file.file.read(limit + 1)
        if len(content) > limit:
            raise HTTPException(413, f"the file is above the limit of {config.server.max_upload_mb} MB")
        name = file.filename or "upload.csv"
        return {"upload_id": server.uploads.add(content, name, tenant), "file": name, "bytes": len(content),
                "sha256": hashlib.sha256(content).hexdigest()}

    @api.post("/validate", summary="every problem of the inputs, as the command line lists them")
    def validate_inputs(body: Inputs, request: Request) -> dict[str, Any]:
        tenant = request.state.tenant
        config_ = _config(server, body)
        data = _data(server, body, config_, tenant)
        return {"ok": True, "creators": data.n_creators, "products": data.n_products,
                "warnings": [p.as_dict() for p in data.warnings]}

    @api.post("/runs", status_code=202, summary="start a run: validated now, solved in the background")
    def start(body: RunRequest, request: Request) -> dict[str, Any]:
        tenant = request.state.tenant
        config_ = _config(server, body)
        data = _data(server, body, config_, tenant)
        if body.keep_from:
            kept = server.store.plan(_stored(server, body.keep_from, tenant))
            data = with_locks(data, [f"{c}:{p}" for c, p in zip(kept["creator_id"], kept["product_id"])],
                              source=f"run {body.keep_from}")
        near = _stored(server, body.near, tenant) if body.near else None
        previous = server.store.plan(near) if near else None

        def work(job: Job):
            prepared = prepare(data, config_, server.embedder_for(config_), on_stage=job.on_stage)
            args = {"on_stage": job.on_stage, "on_progress": job.on_progress, "interrupt": job.interrupt}
            if previous is None:
                return solve(prepared, **args), prepared, None, {}
            outcome, figures = stay_close(prepared, previous, body.change_penalty, **args)
            return outcome, prepared, near, {"stay_close": {**figures, "previous_run": near}}

        return server.runner.submit("api", work, tenant).view()

    @api.get("/runs", summary="the stored runs, newest first, after the runs queued or running")
    def runs(request: Request, limit: Annotated[int, Query(ge=1, le=1000)] = 50,
             campaign: Annotated[str | None, Query(max_length=200)] = None) -> dict[str, Any]:
        tenant = request.state.tenant
        pending = [job.view() for job in server.runner.jobs.values()
                   if job.status in ("queued", "running") and job.tenant == tenant]
        stored = server.store.runs(limit=limit, campaign=campaign, tenant=tenant)
        stored["created"] = stored["created"].astype(str)
        return {"pending": pending, "runs": _records(stored)}

    @api.get("/runs/{run_id}", summary="a run: its status and progress, its summary once done")
    def run_status(run_id: str, request: Request) -> dict[str, Any]:
        tenant = request.state.tenant
        job = _job(server, run_id, tenant)
        if job is not None and job.status != "done":
            return job.view()
        stored = server.store.run(_stored(server, run_id, tenant))
        return {"run_id": stored["run_id"], "kind": stored["kind"], "status": "done", "stage": "done",
                "created": str(stored["created"]), "parent": stored["parent"], "summary": stored["summary"]}

    @api.post("/runs/{run_id}/cancel", status_code=202, summary="stop a queued or running run")
    def cancel(run_id: str, request: Request) -> dict[str, Any]:
        tenant = request.state.tenant
        job = server.runner.cancel(run_id) if _job(server, run_id, tenant) is not None else None
        if job is None:
            raise HTTPException(404, f"no queued or running run {run_id}")
        return job.view()

    @api.get("/runs/{run_id}/plan", summary="a run's plan (JSON records, or CSV with format=csv)",
             response_model=None)
    def plan(run_id: str, request: Request, format: Literal["json", "csv"] = "json") -> Any:  # noqa: A002
        tenant = request.state.tenant
        rows = server.store.plan(_stored(server, run_id, tenant))
        if format == "csv":
            return PlainTextResponse(csv_bytes(rows).decode("utf-8-sig"), media_type="text/csv")
        return {"run_id": run_id, "bookings": _records(rows)}

    @api.get("/runs/{run_id}/summary", summary="a run's summary")
    def summary(run_id: str, request: Request) -> dict[str, Any]:
        tenant = request.state.tenant
        return server.store.run(_stored(server, run_id, tenant))["summary"]

    @api.get("/runs/{run_id}/explanations", summary="why each booking, and why no plan (when there is none)")
    def explanations(run_id: str, request: Request, lang: Literal["en", "zh"] = "en") -> dict[str, Any]:
        tenant = request.state.tenant
        found = _stored(server, run_id, tenant)
        stored, rows = server.store.run(found), server.store.plan(found)
        why = [why_line(row, lang) for _, row in rows.iterrows()]
        s = stored["summary"]
        return {"run_id": found, "why_no_plan": s.get("why_no_plan", []),
                "products_without_creators": s.get("products_without_creators", []),
                "bookings": [{"creator_id": c, "product_id": p, "why": w}
                             for c, p, w in zip(rows["creator_id"], rows["product_id"], why)]}

    @api.get("/diff", summary="what changed from run `before` to run `after`, and why")
    def diff(before: Annotated[str, Query(max_length=64)], after: Annotated[str, Query(max_length=64)],
             request: Request) -> dict[str, Any]:
        tenant = request.state.tenant
        a, b = server.store.run(_stored(server, before, tenant)), server.store.run(_stored(server, after, tenant))
        found = plan_diff(server.store.plan(a["run_id"]), server.store.plan(b["run_id"]),
                          parse_shared_config(a["config"], a["run_id"], server.config, 86_400)[0],
                          parse_shared_config(b["config"], b["run_id"], server.config, 86_400)[0],
                          a["choices"], b["choices"])
        return {"before": a["run_id"], "after": b["run_id"], "counts": found.counts(),
                "settings": [{"key": k, "before": x, "after": y} for k, x, y in found.settings],
                "totals": json.loads(found.totals.to_json()), "changes": _records(found.changes)}

    @api.post("/runs/{run_id}/whatif", summary="budget and overlap sweeps and rule costs on a run's campaign")
    def whatif(run_id: str, body: WhatIfRequest, request: Request) -> dict[str, Any]:
        tenant = request.state.tenant
        if not (body.budgets or body.thresholds or body.rules):
            raise InputError([Problem("request", None, "budgets", None,
                                      msg("nothing to sweep: give budgets, thresholds or rules"))])
        found = _stored(server, run_id, tenant)
        prepared = server.runner.prepared(found, server.embedder_for)
        limit = min(body.time_limit or prepared.config.solver.time_limit, config.server.max_time_limit)
        args = {"on_stage": lambda name: None}
        prepared = replace(prepared, config=prepared.config.override(**{"solver.time_limit": float(limit)}))
        points = budget_sweep(prepared, body.budgets, **args) + overlap_sweep(prepared, body.thresholds, **args)
        points += rule_costs(prepared, **args) if body.rules else []
        table = points_table(points)
        table["bookings_list"] = [_records(p.outcome.plan[["creator_id", "product_id"]]) for p in points]
        return {"run_id": found, "points": _records(table)}

    @api.post("/runs/{run_id}/replan", status_code=202,
              summary="re-plan a run after a decline or a budget change, close to its plan")
    def replan_run(run_id: str, body: ReplanRequest, request: Request) -> dict[str, Any]:
        tenant = request.state.tenant
        found = _stored(server, run_id, tenant)
        changes = _settings(server, body.settings, SOLVE_CHANGES)
        prepared = server.runner.prepared(found, server.embedder_for)
        data = with_locks(prepared.data, body.locks or None, body.bans or None, source="request")
        previous = server.store.plan(found)

        def work(job: Job):
            ready = replace(prepared, data=data)
            outcome, figures = stay_close(ready, previous, body.change_penalty, changes or None,
                                          on_stage=job.on_stage, on_progress=job.on_progress,
                                          interrupt=job.interrupt)
            return outcome, ready, found, {"stay_close": {**figures, "previous_run": found}}

        return server.runner.submit("replan", work, tenant).view()

    @api.post("/runs/{run_id}/pilot", status_code=202,
              summary="design a pilot for a run's campaign: test the creators its scale-up would buy")
    def pilot_run(run_id: str, body: PilotRequest, request: Request) -> dict[str, Any]:
        tenant = request.state.tenant
        found = _stored(server, run_id, tenant)
        prepared = server.runner.prepared(found, server.embedder_for)

        def work(job: Job):
            test = design(prepared, body.share, interrupt=job.interrupt)
            extra = {"pilot": {"share": round(test.share, 4), "sized": test.sized,
                               "learn": _records(test.reasons.astype({"learn": str})),
                               "untested": _records(test.untested.head(50).astype({"why": str}))}}
            return test.outcome, prepared, found, extra

        return server.runner.submit("pilot", work, tenant).view()

    @api.post("/runs/{run_id}/learn", status_code=202,
              summary="learn from results (pilot and waves so far) and plan the next wave or the rest")
    def learn_run(run_id: str, body: LearnRequest, request: Request) -> dict[str, Any]:
        tenant = request.state.tenant
        found = _stored(server, run_id, tenant)
        prepared = server.runner.prepared(found, server.embedder_for)
        content, name = server.uploads.get(body.results, "results", tenant)
        as_of = pd.to_datetime(body.as_of, errors="coerce") if body.as_of else None
        if body.as_of and pd.isna(as_of):
            raise InputError([Problem("request", None, "as_of", body.as_of, msg("expected a date such as 2026-12-07"))])
        results = validate_results(read_table(content, name), name, prepared.data, body.maturity, as_of)

        def work(job: Job):
            again = replan(prepared, results, body.mode, waves=body.waves, on_stage=job.on_stage,
                           interrupt=job.interrupt)
            extra = {"pilot": {"spent": round(again.pilot_spend, 2), "waves_left": body.waves, "mode": body.mode,
                               "wave_budget": round(again.budget, 2), "notes": [str(n) for n in again.notes],
                               "changes": _records(again.changes.astype({"why": str, "pilot": str}))}}
            return again.outcome, prepared, found, extra

        return server.runner.submit("replan", work, tenant).view()

    app.include_router(api)
    app.add_middleware(Gate, keys=keys, limit=config.server.max_upload_mb * 2**20 + BODY_SLACK)
    return app

