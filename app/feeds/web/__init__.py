"""Web face of feeds"""
