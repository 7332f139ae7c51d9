"""Realistic demo data (roundtable demo-data): organisations, people and threads, for the benchmark."""
