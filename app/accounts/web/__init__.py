"""Web face of accounts"""
