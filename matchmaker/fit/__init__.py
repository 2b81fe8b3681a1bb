"""Fit: how well a creator suits a product, and whose audiences overlap. Pure array code over
ProblemData (no input files): embed (sentence embedders), cache (embeddings on disk), score
(eligible pairs and their value), overlap (audience overlaps -> conflicts), train (fine-tuning).
"""
