"""Plan: the optimisation over plain arrays. instance (the solver's view of a prepared campaign),
greedy (a fast plan: the hint and the floor), constraints (the CP-SAT model, one function per rule
family), solve (greedy, then CP-SAT; the best plan kept), result (statuses, bound, gap), explain (why
no plan exists). Reads no files and knows nothing of scoring: it receives scored pairs.
"""
