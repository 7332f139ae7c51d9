"""URLs of the shared web layer: what load balancers and monitors ask (app.web.health)."""

from starlette.routing import Route

from app.web import health

routes: list[Route] = [
    Route("/healthz", health.healthz, methods=["GET"], name="healthz"),
    Route("/readyz", health.readyz, methods=["GET"], name="readyz"),
]
