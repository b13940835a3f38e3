"""Exports of the review's notes, findings and letter for people outside the app."""
