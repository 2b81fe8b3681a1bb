"""OR-Tools' MathOpt, for the solvers CP-SAT is not: PDLP (the LP bound) and HiGHS (the MIP of the portfolio).

A model is filled from arrays (no Python loop per variable or row) and solved in a worker thread: MathOpt
releases the GIL, so the calling thread keeps handling signals, and `stop()` interrupts the solve.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np
import scipy.sparse as sp
from ortools.math_opt import callback_pb2, model_parameters_pb2, model_pb2, parameters_pb2, result_pb2
from ortools.math_opt.core.python import solver as mathopt
from ortools.util.python.pybind_solve_interrupter import PySolveInterrupter

PDLP, HIGHS = parameters_pb2.SOLVER_TYPE_PDLP, parameters_pb2.SOLVER_TYPE_HIGHS
OPTIMAL = result_pb2.TERMINATION_REASON_OPTIMAL
INFEASIBLE = (result_pb2.TERMINATION_REASON_INFEASIBLE, result_pb2.TERMINATION_REASON_INFEASIBLE_OR_UNBOUNDED)


def model(a: sp.csr_matrix, b: np.ndarray, c: np.ndarray, integers: int = 0) -> model_pb2.ModelProto:
    """max c.x, A x <= b, 0 <= x <= 1, the first `integers` columns integral."""
    m, n = a.shape
    proto = model_pb2.ModelProto()
    proto.variables.ids.extend(range(n))
    proto.variables.lower_bounds.extend(np.zeros(n))
    proto.variables.upper_bounds.extend(np.ones(n))
    proto.variables.integers.extend(np.arange(n) < integers)
    proto.objective.maximize = True
    used = np.nonzero(c)[0]
    proto.objective.linear_coefficients.ids.extend(used)
    proto.objective.linear_coefficients.values.extend(c[used])
    proto.linear_constraints.ids.extend(range(m))
    proto.linear_constraints.lower_bounds.extend(np.full(m, -np.inf))
    proto.linear_constraints.upper_bounds.extend(b)
    coo = a.sorted_indices().tocoo()  # by row, then column, as MathOpt requires
    proto.linear_constraint_matrix.row_ids.extend(coo.row)
    proto.linear_constraint_matrix.column_ids.extend(coo.col)
    proto.linear_constraint_matrix.coefficients.extend(coo.data)
    return proto


def solve(proto: model_pb2.ModelProto, solver: int, params: parameters_pb2.SolveParametersProto,
          stop: Callable[[], bool]) -> result_pb2.SolveResultProto:
    """Solve in a worker thread, interrupted when `stop()` says so (polled every 0.1 s)."""
    interrupter, out = PySolveInterrupter(), []

    def work() -> None:
        try:
            out.append(mathopt.solve(proto, solver, parameters_pb2.SolverInitializerProto(), params,
                                     model_parameters_pb2.ModelSolveParametersProto(), None,
                                     callback_pb2.CallbackRegistrationProto(), None, interrupter))
        except Exception as error:  # raised again in the calling thread
            out.append(error)

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    while worker.is_alive():
        worker.join(0.1)
        if stop() and not interrupter.interrupted:
            interrupter.interrupt()
    if isinstance(out[0], Exception):
        raise out[0]
    return out[0]


def time_limit(params: parameters_pb2.SolveParametersProto, seconds: float) -> None:
    params.time_limit.FromNanoseconds(int(max(0.0, seconds) * 1e9))


def values(result: result_pb2.SolveResultProto, n: int, rows: int = 0) -> tuple[np.ndarray, np.ndarray] | None:
    """The first solution's primal values (n) and, with `rows`, dual values; None when there is none
    (or, with rows, no dual)."""
    for solution in result.solutions:
        if not solution.HasField("primal_solution") or (rows and not solution.HasField("dual_solution")):
            continue
        x = np.zeros(n)
        primal = solution.primal_solution.variable_values
        x[np.asarray(primal.ids, dtype=np.int64)] = primal.values
        y = np.zeros(rows)
        if rows:
            dual = solution.dual_solution.dual_values
            y[np.asarray(dual.ids, dtype=np.int64)] = dual.values
        return x, y
    return None
