"""Contributions on key messages: positions, replies and threads."""
