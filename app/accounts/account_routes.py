"""URLs of a person's own account: email verification, password reset, change of email,
signing out everywhere."""

from starlette.routing import Route

from app.accounts import account_views, recovery_views

routes: list[Route] = [
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
]
