"""Addresses of a consultation's pages, built in one place for redirects, pollers and feeds."""

from __future__ import annotations

from app.consultation.models import Consultation, KeyMessage, Topic


def consultation_url(consultation: Consultation) -> str:
    return f"/consultations/{consultation.slug}"


def key_message_url(consultation: Consultation, message: KeyMessage) -> str:
    return f"{consultation_url(consultation)}/messages/{message.ref}"


def topic_url(consultation: Consultation, topic: Topic) -> str:
    return f"{consultation_url(consultation)}/topics/{topic.slug}"
