"""Web face of export"""
