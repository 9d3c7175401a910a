"""Marketplace readers that turn exports into canonical order tables."""
