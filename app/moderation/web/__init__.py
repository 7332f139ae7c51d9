"""Web face of moderation"""
