"""URLs of sign-in through OpenID Connect providers."""

from starlette.routing import Route

from app.accounts import oidc_views

routes: list[Route] = [
    Route("/auth/oidc/{name}/login", oidc_views.login, methods=["GET"], name="oidc_login"),
    Route("/auth/oidc/{name}/callback", oidc_views.callback, methods=["GET"], name="oidc_callback"),
    Route(
        oidc_views.COMPLETE_PROFILE_PATH,
        oidc_views.complete_profile,
        methods=["GET", "POST"],
        name="complete_profile",
    ),
]
