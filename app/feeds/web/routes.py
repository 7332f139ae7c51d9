"""URLs of the feeds domain."""

from starlette.routing import Route

from app.feeds.web import views

routes = [
    Route("/consultations/{slug}/feed.atom", views.consultation_feed, name="consultation_feed"),
    Route("/consultations/{slug}/messages/{ref}/feed.atom", views.key_message_feed, name="key_message_feed"),
    Route("/consultations/{slug}/topics/{topic_slug}/feed.atom", views.topic_feed, name="topic_feed"),
]
