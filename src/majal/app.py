"""The FastAPI application: each domain's API and pages, static files, translations and error handling."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from majal import __version__
from majal import domains as installed
from majal.config import Settings
from majal.db import DatabaseBusy, make_engine, make_sessionmaker
from majal.kit import redact, security
from majal.kit.errors import MajalError, NotFound, Unauthorized
from majal.kit.i18n import N_, gettext
from majal.kit.openapi import describe_errors
from majal.kit.validation import translated_validation_errors
from majal.kit.web import (
    PACKAGE_DIR,
    BodyLimitMiddleware,
    NulGuardMiddleware,
    WebShellMiddleware,
    render,
    template_environment,
)
from majal.web import jobs as web_jobs
from majal.web import pages as web_pages

log = logging.getLogger("majal")
STATUS_MESSAGES = {
    404: N_("This page does not exist."),
    405: N_("This method is not allowed here."),
    413: N_("The request is too large."),
}


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    # The routes' database work runs on this many threads: more only queue on the GIL and on SQLite's one writer.
    anyio.to_thread.current_default_thread_limiter().total_tokens = app.state.settings.threads
    yield


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    domains = installed.DOMAINS
    app = FastAPI(
        lifespan=_lifespan,
        title="Majal",
        version=__version__,
        description="Territorial intelligence for a commune: territory, services and social programmes.",
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    security.use_hash_cost(settings.password_hash_cost)
    engine = make_engine(settings.resolved_database_url)
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = make_sessionmaker(engine)
    app.state.reads = make_sessionmaker(engine, write=False)
    app.state.write_slots = settings.sqlite_writers if engine.dialect.name == "sqlite" else 0  # see write_slot
    app.state.secret_key = settings.resolved_secret_key
    app.state.templates = template_environment(folder for domain in domains for folder in domain.template_folders)
    app.state.json_paths = ("/api/", *(path for domain in domains for path in domain.json_paths))
    app.state.error_formats = {prefix: domain.load(renderer) for domain in domains
                               for prefix, renderer in domain.errors.items()}
    redact.install()
    app.add_middleware(NulGuardMiddleware, refuse=refusal)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes,
                       max_upload_bytes=settings.max_upload_bytes)
    app.add_middleware(WebShellMiddleware)
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=6)  # 9 costs twice the CPU for ~2 %
    if settings.trusted_proxy_list:  # outermost, so every layer sees the client the proxy vouches for
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxy_list)
    app.mount("/static", StaticFiles(directory=PACKAGE_DIR / "web" / "static"), name="static")
    app.include_router(web_pages.router)
    app.include_router(web_jobs.router)
    for domain in domains:
        for router in domain.loaded(domain.routers):
            app.include_router(router)
        for setup in domain.loaded(domain.setup):
            setup(app)
    describe_errors(app)
    _install_error_handlers(app)
    return app


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith(request.app.state.json_paths) or request.url.path == "/openapi.json"


def _domain_format(request: Request, status_code: int, messages: list[str]) -> Response | None:
    """The error in the format a domain declares for the path (e.g. Open311's error list), if one does."""
    path = request.url.path
    for prefix, render_errors in request.app.state.error_formats.items():
        if path.startswith(prefix):
            return render_errors(path, status_code, messages)
    return None


def refusal(request: Request, error: MajalError) -> Response:
    """A refusal in the format of the path: a domain's own, our JSON, the sign-in page or an error page."""
    message = error.translated()
    if (own := _domain_format(request, error.status_code, [message])) is not None:
        return own
    if _wants_json(request):
        return JSONResponse({"detail": message, "code": error.code}, status_code=error.status_code)
    if isinstance(error, Unauthorized):
        return render(
            request, "accounts/login.html", {"error": message, "next": request.url.path}, status_code=401
        )
    return render(request, "error.html", {"message": message}, status_code=error.status_code)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(MajalError)
    async def majal_error(request: Request, error: MajalError) -> Response:
        return refusal(request, error)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError) -> Response:
        if any(problem.get("loc", ("",))[0] == "path" for problem in error.errors()):
            # a path names a record: an id no row can have (beyond the column's range, "²") names none
            return refusal(request, NotFound(STATUS_MESSAGES[404]))
        problems = translated_validation_errors(error.errors())
        descriptions = [f"{p['field']}: {p['msg']}" for p in problems]
        if (own := _domain_format(request, 400, descriptions)) is not None:
            return own
        if _wants_json(request):
            return JSONResponse({"detail": problems, "code": "invalid"}, status_code=422)
        return render(request, "error.html", {"message": "; ".join(descriptions)}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        known = STATUS_MESSAGES.get(error.status_code)
        message = gettext(known) if known else gettext(N_("The request could not be handled."))
        if (own := _domain_format(request, error.status_code, [message])) is not None:
            return own
        if _wants_json(request):
            return JSONResponse(
                {"detail": message, "code": str(error.status_code)},
                status_code=error.status_code,
                headers=getattr(error, "headers", None),
            )
        return render(request, "error.html", {"message": message}, status_code=error.status_code)

    @app.exception_handler(DatabaseBusy)
    async def busy(request: Request, _error: DatabaseBusy) -> Response:
        log.warning("no write lock in time on %s %s: overloaded", request.method, request.url.path)
        message = gettext(N_("The service is very busy. Please try again in a minute."))
        headers = {"Retry-After": "30"}
        if (own := _domain_format(request, 503, [message])) is not None:
            own.headers.update(headers)
            return own
        if _wants_json(request):
            return JSONResponse({"detail": message, "code": "busy"}, status_code=503, headers=headers)
        return render(request, "error.html", {"message": message}, status_code=503)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        message = gettext(N_("Something went wrong on our side. The error has been logged."))
        if _wants_json(request):
            return JSONResponse({"detail": message, "code": "server_error"}, status_code=500)
        return render(request, "error.html", {"message": message}, status_code=500)
