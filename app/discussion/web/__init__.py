"""Web face of discussion"""
