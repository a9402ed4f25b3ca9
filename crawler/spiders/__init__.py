"""Spiders: one per platform, plus ``blog`` for any other site."""
