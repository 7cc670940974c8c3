"""Instructor tools: grade notebooks, generate exercises from solutions (need nbclient)."""
