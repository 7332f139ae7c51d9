"""URLs: Authors editing and withdrawing their contributions; the history of edits; a
person's own contributions."""

from starlette.routing import BaseRoute, Route

from app.discussion import edit_views

routes: list[BaseRoute] = [
    Route("/contributions/{contribution_id:id}/edit", edit_views.edit_form, methods=["GET"], name="edit_contribution"),
    Route("/contributions/{contribution_id:id}/edit", edit_views.save_edit, methods=["POST"], name="edit_contribution"),
    Route("/contributions/{contribution_id:id}/history", edit_views.history, name="contribution_history"),
    Route(
        "/contributions/{contribution_id:id}/withdraw",
        edit_views.withdraw_form,
        methods=["GET"],
        name="withdraw_contribution",
    ),
    Route(
        "/contributions/{contribution_id:id}/withdraw",
        edit_views.withdraw,
        methods=["POST"],
        name="withdraw_contribution",
    ),
    Route("/account/contributions", edit_views.my_contributions, name="my_contributions"),
]
