"""Consolidation: what negotiators make of the contributions (filters, matrices, curation)."""
