"""Evaluation tools, apart from the library's layers: evaluate (fit quality with intervals), bench (plan
quality, rule costs, frontier, scaling), synthetic (seeded campaigns of any size), sample (the bundled
sample data). Used by notebooks/ and benchmarks/; nothing in the pipeline imports them.
"""
