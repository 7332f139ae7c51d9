"""Roundtable: a stakeholder consultation platform."""
