"""URLs of the accounts domain."""

from starlette.routing import Route

from app.accounts import views

routes = [
    Route("/sign-up", views.sign_up, methods=["GET", "POST"], name="sign_up"),
    Route(views.CHECK_YOUR_MAIL_PATH, views.check_your_mail, methods=["GET"], name="sign_up_check_mail"),
    Route("/sign-in", views.sign_in, methods=["GET", "POST"], name="sign_in"),
    Route("/sign-out", views.sign_out, methods=["POST"], name="sign_out"),
]
