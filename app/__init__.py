"""Roundtable: a stakeholder consultation platform."""

from app.web.numbers import register_id_convertor

register_id_convertor()
