"""create_app(settings): the Starlette application with every domain's routes mounted."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Mount

from app.accounts.labels import TEMPLATE_GLOBALS as ACCOUNT_GLOBALS
from app.accounts.oidc import TEMPLATE_GLOBALS as OIDC_GLOBALS
from app.accounts.oidc import dance_middleware
from app.accounts.web.middleware import RequestContextMiddleware
from app.accounts.web.routes import routes as account_routes
from app.admin.web.routes import routes as admin_routes
from app.consolidation.outcome import TEMPLATE_GLOBALS as OUTCOME_GLOBALS
from app.consolidation.web.routes import routes as consolidation_routes
from app.consolidation.web.template_globals import TEMPLATE_GLOBALS as WORKSPACE_GLOBALS
from app.consultation.phases import TEMPLATE_GLOBALS as CONSULTATION_GLOBALS
from app.consultation.web.routes import routes as consultation_routes
from app.db import IDLE_PING_SECONDS, make_engine, make_sessionmaker, writing
from app.discussion.web.routes import routes as discussion_routes
from app.discussion.web.template_globals import TEMPLATE_GLOBALS as DISCUSSION_GLOBALS
from app.export.web.routes import routes as export_routes
from app.feeds.web.routes import routes as feed_routes
from app.moderation.web.middleware import WaitingCountMiddleware
from app.moderation.web.routes import routes as moderation_routes
from app.organisations.labels import TEMPLATE_GLOBALS as ORGANISATION_GLOBALS
from app.organisations.web.routes import routes as organisation_routes
from app.privacy.web.routes import routes as privacy_routes
from app.security.csrf import CSRFMiddleware
from app.security.headers import SecureHeadersMiddleware
from app.settings import PROJECT_ROOT, Settings, load_settings
from app.templating import environment
from app.urls import install_routes
from app.web.cache_policy import CachePolicyMiddleware
from app.web.compression import CompressionMiddleware
from app.web.errors import EXCEPTION_HANDLERS, ErrorPageMiddleware
from app.web.flash import FlashMiddleware
from app.web.language import LanguageMiddleware
from app.web.metrics import MetricsMiddleware
from app.web.request_id import RequestIdMiddleware
from app.web.routes import routes as health_routes
from app.web.static import HashedStaticFiles


def create_app(
    settings: Settings | None = None, *, sessionmaker: async_sessionmaker[AsyncSession] | None = None
) -> Starlette:
    """Build the app; tests pass a sessionmaker bound to a connection inside a transaction."""
    settings = settings or load_settings()
    engine = None
    write_sessionmaker = sessionmaker
    if sessionmaker is None:
        engine = make_engine(
            settings.database_url,
            ping_when_idle_seconds=IDLE_PING_SECONDS,
            busy_timeout_seconds=settings.sqlite_busy_timeout_seconds,
        )
        sessionmaker, write_sessionmaker = make_sessionmaker(engine), make_sessionmaker(writing(engine))

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        if engine is not None:
            await engine.dispose()

    routes = site_routes()
    install_routes(routes)
    middleware = [
        # Outermost: every log line of the request, and the response, carry its id.
        Middleware(RequestIdMiddleware),
        Middleware(MetricsMiddleware),
        # Next: it compresses the final body and sees every header the others set.
        Middleware(CompressionMiddleware),
        Middleware(SecureHeadersMiddleware, hsts=settings.secure_cookies),
        Middleware(LanguageMiddleware),
        # Inside the secure headers, outside everything that can fail: every error is our page.
        Middleware(ErrorPageMiddleware),
        # Outside the CSRF and flash middlewares: it sees every cookie a response sets.
        Middleware(CachePolicyMiddleware),
        Middleware(CSRFMiddleware, secure=settings.secure_cookies, trusted_origin=settings.base_url),
        Middleware(FlashMiddleware, secret=str(settings.secret_key)),
        *dance_middleware(settings),
        Middleware(RequestContextMiddleware, sessionmaker=sessionmaker, write_sessionmaker=write_sessionmaker),
        Middleware(WaitingCountMiddleware),
    ]
    app = Starlette(
        routes=routes, middleware=middleware, exception_handlers=EXCEPTION_HANDLERS, lifespan=lifespan, debug=False
    )
    app.state.settings = settings
    install_template_globals()
    return app


def site_routes() -> list[BaseRoute]:
    """Every route of the site, each domain's table in turn."""
    return [
        Mount("/static", HashedStaticFiles(PROJECT_ROOT / "static"), name="static"),
        *consultation_routes,
        *discussion_routes,
        *account_routes,
        *admin_routes,
        *moderation_routes,
        *consolidation_routes,
        *export_routes,
        *feed_routes,
        *organisation_routes,
        *privacy_routes,
        *health_routes,
    ]


def install_template_globals() -> None:
    """Domains offer label helpers to templates; installing them here keeps templating.py
    free of domain imports."""
    environment.globals.update(ACCOUNT_GLOBALS)
    environment.globals.update(CONSULTATION_GLOBALS)
    environment.globals.update(OIDC_GLOBALS)
    environment.globals.update(DISCUSSION_GLOBALS)
    environment.globals.update(ORGANISATION_GLOBALS)
    environment.globals.update(OUTCOME_GLOBALS)
    environment.globals.update(WORKSPACE_GLOBALS)
