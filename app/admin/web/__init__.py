"""Web face of admin"""
