"""Web face of privacy"""
