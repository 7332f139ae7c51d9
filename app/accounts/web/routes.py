"""URLs of the accounts domain: signing up and in, OpenID Connect, two-factor, a person's own
account and contributions, emailed links."""

from starlette.routing import Route

from app.accounts.web import (
    account_views,
    contributions_views,
    language_views,
    oidc_views,
    recovery_views,
    two_factor_views,
    views,
)

routes: list[Route] = [
    Route("/language", language_views.choose_language, methods=["GET", "POST"], name="choose_language"),
    Route("/sign-up", views.sign_up, methods=["GET", "POST"], name="sign_up"),
    Route("/sign-up/check-your-mail", views.check_your_mail, methods=["GET"], name="sign_up_check_mail"),
    Route("/sign-in", views.sign_in, methods=["GET", "POST"], name="sign_in"),
    Route("/sign-out", views.sign_out, methods=["POST"], name="sign_out"),
    Route("/account", account_views.account, methods=["GET"], name="account"),
    Route("/account/email", account_views.change_email, methods=["POST"], name="change_email"),
    Route("/account/email/confirm", account_views.confirm_email, methods=["GET", "POST"], name="confirm_email"),
    Route(
        "/account/sign-out-everywhere",
        account_views.sign_out_everywhere,
        methods=["POST"],
        name="sign_out_everywhere",
    ),
    Route("/account/verify", recovery_views.verify, methods=["GET", "POST"], name="verify_email"),
    Route("/account/verify/resend", recovery_views.resend, methods=["POST"], name="resend_verification"),
    Route("/account/password-reset", recovery_views.password_reset, methods=["GET", "POST"], name="password_reset"),
    Route(
        "/account/password-reset/confirm",
        recovery_views.password_reset_confirm,
        methods=["GET", "POST"],
        name="password_reset_confirm",
    ),
    Route("/account/contributions", contributions_views.my_contributions, name="my_contributions"),
    Route("/auth/oidc/{name}/login", oidc_views.login, methods=["GET"], name="oidc_login"),
    Route("/auth/oidc/{name}/callback", oidc_views.callback, methods=["GET"], name="oidc_callback"),
    Route(
        "/complete-profile",
        oidc_views.complete_profile,
        methods=["GET", "POST"],
        name="complete_profile",
    ),
    Route("/account/two-factor", two_factor_views.setup, methods=["GET", "POST"], name="two_factor_setup"),
    Route("/sign-in/two-factor", two_factor_views.second_step, methods=["GET", "POST"], name="two_factor_sign_in"),
]
