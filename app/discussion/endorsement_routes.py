"""URLs: Endorsing contributions on behalf of an organisation, and withdrawing an endorsement;
all the amendments proposed to a key message."""

from starlette.routing import BaseRoute, Route

from app.discussion import endorsement_views

routes: list[BaseRoute] = [
    Route("/contributions/{contribution_id:id}/endorse", endorsement_views.endorse_form, name="endorse_form"),
    Route(
        "/contributions/{contribution_id:id}/endorse",
        endorsement_views.post_endorsement,
        methods=["POST"],
        name="endorse",
    ),
    Route(
        "/contributions/{contribution_id:id}/endorsements/{organisation_id:id}/withdraw",
        endorsement_views.post_withdrawal,
        methods=["POST"],
        name="withdraw_endorsement",
    ),
    Route(
        "/consultations/{slug}/messages/{ref}/amendments",
        endorsement_views.all_amendments,
        name="amendments",
    ),
]
