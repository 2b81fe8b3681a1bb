"""A plan's lifecycle after the first solve: the run history (history), what changed between two plans (diff),
what-if sweeps on a prepared campaign (whatif), and re-planning after a pilot or with minimal change (replan)."""
