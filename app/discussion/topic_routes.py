"""URLs: Topics: the vocabulary of a consultation, and the contributions on one topic across it.
(Moderators correct tags from the moderation page: app/moderation/routes.py.)"""

from starlette.routing import BaseRoute, Route

from app.discussion import topic_views

routes: list[BaseRoute] = [
    Route("/consultations/{slug}/topics", topic_views.topics_index, name="topics"),
    Route("/consultations/{slug}/topics/{topic_slug}", topic_views.topic_page, name="topic"),
]
