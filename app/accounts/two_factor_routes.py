"""URLs of two-factor authentication: set-up, the second sign-in step, recovery codes."""

from starlette.routing import Route

from app.accounts import two_factor_views as views

routes: list[Route] = [
    Route("/account/two-factor", views.setup, methods=["GET", "POST"], name="two_factor_setup"),
    Route("/sign-in/two-factor", views.second_step, methods=["GET", "POST"], name="two_factor_sign_in"),
]
