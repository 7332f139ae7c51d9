"""URLs of the consolidation domain."""

from starlette.routing import BaseRoute, Route

from app.consolidation.web import curation_views, outcome_views, views, wording_views

routes: list[BaseRoute] = [
    Route("/consolidation", views.index, name="consolidation_index"),
    Route("/consultations/{slug}/consolidation", views.workspace, name="consolidation"),
    Route("/consultations/{slug}/consolidation/{ref}", views.key_message_page, name="consolidation_key_message"),
]

# -- curation (issue 12): review states, notes, revised wordings, what we heard --
CURATED = "/consultations/{slug}/consolidation/{ref}"
routes += [
    Route(f"{CURATED}/contributions", curation_views.contributions, name="consolidation_contributions"),
    Route(
        f"{CURATED}/contributions/{{contribution_id:id}}/review",
        curation_views.change_review,
        methods=["POST"],
        name="consolidation_review",
    ),
    Route(
        f"{CURATED}/contributions/{{contribution_id:id}}/notes",
        curation_views.add_contribution_note,
        methods=["POST"],
        name="consolidation_contribution_note",
    ),
    Route(f"{CURATED}/notes", curation_views.add_key_message_note, methods=["POST"], name="consolidation_note"),
    Route(f"{CURATED}/wording", wording_views.wording, methods=["GET", "POST"], name="consolidation_wording"),
    Route("/consultations/{slug}/what-we-heard/{ref}", outcome_views.what_we_heard, name="what_we_heard"),
]
