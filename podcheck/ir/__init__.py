"""The transition-system IR: the one description of a model that every engine reads.

Stage: the contract between `podcheck.model` (its producer) and `podcheck.engine` /
`podcheck.report` (its consumers); owned by none of them and importing nothing else of
podcheck.  `expr` is the integer expression language, `system` the transition system,
`semantics` the slow reference semantics that tests check the fast engines against.
"""

from podcheck.ir.expr import (
    ARITY,
    FALSE,
    TRUE,
    Const,
    Expr,
    Op,
    State,
    Var,
    and_,
    chain,
    count,
    eq,
    ite,
    not_,
    op,
    or_,
    reads,
    sum_,
)
from podcheck.ir.semantics import ModelError, apply, evaluate, successors
from podcheck.ir.system import (
    Action,
    Derived,
    Expectation,
    Fairness,
    Location,
    Property,
    StateVar,
    SymmetryGroup,
    TransitionSystem,
)

__all__ = [
    "ARITY",
    "FALSE",
    "TRUE",
    "Action",
    "Const",
    "Derived",
    "Expectation",
    "Expr",
    "Fairness",
    "Location",
    "ModelError",
    "Op",
    "Property",
    "State",
    "StateVar",
    "SymmetryGroup",
    "TransitionSystem",
    "Var",
    "and_",
    "apply",
    "chain",
    "count",
    "eq",
    "evaluate",
    "ite",
    "not_",
    "op",
    "or_",
    "reads",
    "successors",
    "sum_",
]
