"""Web face of organisations"""
