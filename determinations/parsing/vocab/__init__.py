"""Vocabulary normalisers for IMR letter fields (contract section 4)."""
