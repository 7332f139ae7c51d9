"""Paths of a consultation's pages from the objects that name them, for redirects, pollers and
feeds (each from its route name, app.urls)."""

from __future__ import annotations

from app.consultation.models import Consultation, KeyMessage, Topic
from app.urls import path_for


def consultation_url(consultation: Consultation) -> str:
    return path_for("consultation", slug=consultation.slug)


def key_message_url(consultation: Consultation, message: KeyMessage) -> str:
    return path_for("key_message", slug=consultation.slug, ref=message.ref)


def topic_url(consultation: Consultation, topic: Topic) -> str:
    return path_for("topic", slug=consultation.slug, topic_slug=topic.slug)
