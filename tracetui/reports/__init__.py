"""Headless reports: text for people, JSON for scripts. No textual or rich here."""
