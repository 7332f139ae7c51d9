"""Consultations, their sections (roundtables), paragraphs, key messages and the seed loader."""
