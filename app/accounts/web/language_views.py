"""Choosing the interface language: remembered in a cookie for everyone, and on the account
of a person signed in, so their mail is written in it too (app.i18n, app.web.language).

Reading pages for people not signed in carry no form token (docs/decisions/0012), so their
switcher is a GET form: it changes only the browser's own cookie, and not when another site
sends the browser here (Sec-Fetch-Site). Signed-in pages POST, with the form token, because
that also changes the account."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from app.accounts.current import user_of
from app.i18n import SUPPORTED_LOCALES
from app.templating import render
from app.web.forms import text_values
from app.web.language import LANGUAGE_COOKIE, LANGUAGE_COOKIE_MAX_AGE
from app.web.requests import db_of, identity_of
from app.web.responses import safe_next, see_other, set_private_cookie


async def choose_language(request: Request) -> Response:
    if request.method == "POST":
        values = text_values(await request.form(), "lang", "next")
    else:
        values = {"lang": request.query_params.get("lang", ""), "next": request.query_params.get("next", "")}
    locale = values["lang"] if values["lang"] in SUPPORTED_LOCALES else None
    next_path = safe_next(values["next"])
    cross_site = request.headers.get("sec-fetch-site") == "cross-site"
    if locale is None or (request.method == "GET" and cross_site):
        # The list of languages, each a link this site's own page sends.
        status = 400 if values["lang"] and locale is None else 200
        return render(request, "accounts/language.html", {"next_path": next_path}, status_code=status)
    user = user_of(identity_of(request))
    if user is not None and request.method == "POST":
        user.locale = locale
        await db_of(request).commit()
    # No message: the page it returns to says it, in the language chosen.
    response = see_other(next_path)
    set_private_cookie(request, response, LANGUAGE_COOKIE, locale, max_age=LANGUAGE_COOKIE_MAX_AGE)
    return response
