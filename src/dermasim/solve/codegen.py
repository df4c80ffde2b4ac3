r"""Scalar source code of the model's right-hand side, generated from :func:`dermasim.model.rhs`.

The compiled backend needs ``rhs`` as straight-line scalar code for one trajectory. Rather
than keep a second copy of the equations by hand, :func:`generate_rhs_source` *traces* the one
model definition: it calls :func:`~dermasim.model.rhs.rhs` once with a batch of size one whose
states, arguments and time are symbols, through an array namespace (:class:`TracingNamespace`)
that records every ``exp``, ``maximum``, ``minimum`` and ``clip``. Arithmetic on NumPy object
arrays of symbols records the rest. The recorded expression graph is written out as one
assignment per shared node (so common subexpressions are computed once), in the order the
graph needs them:

.. code-block:: python

    def rhs_point(t, y, p, dy):
        v0 = p[3] * y[4]
        ...
        dy[0] = v17

``y`` and ``dy`` are the state and its derivative (layout of :mod:`dermasim.model.layout`),
``p`` holds the model arguments named by :attr:`GeneratedRhs.argument_names`, in that order,
followed by *derived columns*: every subexpression that depends on the arguments alone (a
negated rate, a difference of two shares, the reciprocal of a half-activation constant) is
computed once per trajectory by :meth:`GeneratedRhs.pack` instead of at every call, and a
division by such a subexpression (or by a constant) becomes a multiplication by its
reciprocal. The traced arithmetic is otherwise kept as written, so the result differs from
``rhs`` only by round-off.
Only operations the tracer knows are allowed; anything else (a branch on a state's value, a
NumPy call the namespace lacks) fails loudly at generation time, never silently.
A test pins the generated function to ``rhs`` at 1e-12.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

__all__ = ["GeneratedRhs", "Symbol", "TracingNamespace", "generate_rhs_source"]

_BINARY = {"add": "+", "sub": "-", "mul": "*", "div": "/", "pow": "**"}
_FOLD: dict[str, Callable[[float, float], float]] = {
    "add": lambda x, y: x + y,
    "sub": lambda x, y: x - y,
    "mul": lambda x, y: x * y,
    "div": lambda x, y: x / y,
    "pow": lambda x, y: x**y,
}


_NO_BRANCH = (
    "the right-hand side branches on a traced value; use xp.maximum/minimum/clip "
    "so that the compiled backend can be generated from it"
)


class Symbol:
    """A node of the traced expression graph: a leaf (state, argument, time) or an operation.

    Parameters
    ----------
    op
        ``"y"``, ``"p"``, ``"t"`` for leaves; ``"add"``, ``"sub"``, ``"mul"``, ``"div"``,
        ``"pow"``, ``"neg"``, ``"exp"``, ``"max"``, ``"min"`` for operations.
    args
        Operands (symbols or floats); for ``"y"`` and ``"p"`` the column index.
    """

    __slots__ = ("args", "op")

    def __init__(self, op: str, *args: Any) -> None:
        self.op = op
        self.args = args

    # -- arithmetic -------------------------------------------------------------------
    @staticmethod
    def _binary(op: str, left: Any, right: Any) -> Any:
        if (isinstance(left, np.ndarray) and left.shape) or (
            isinstance(right, np.ndarray) and right.shape
        ):
            return NotImplemented  # NumPy then applies the operator element by element
        left, right = _operand(left), _operand(right)
        if isinstance(left, float) and isinstance(right, float):
            return _FOLD[op](left, right)
        return Symbol(op, left, right)

    def __add__(self, other: Any) -> Symbol | float:
        return Symbol._binary("add", self, other)

    def __radd__(self, other: Any) -> Symbol | float:
        return Symbol._binary("add", other, self)

    def __sub__(self, other: Any) -> Symbol | float:
        return Symbol._binary("sub", self, other)

    def __rsub__(self, other: Any) -> Symbol | float:
        return Symbol._binary("sub", other, self)

    def __mul__(self, other: Any) -> Symbol | float:
        return Symbol._binary("mul", self, other)

    def __rmul__(self, other: Any) -> Symbol | float:
        return Symbol._binary("mul", other, self)

    def __truediv__(self, other: Any) -> Symbol | float:
        return Symbol._binary("div", self, other)

    def __rtruediv__(self, other: Any) -> Symbol | float:
        return Symbol._binary("div", other, self)

    def __pow__(self, other: Any) -> Symbol | float:
        return Symbol._binary("pow", self, other)

    def __rpow__(self, other: Any) -> Symbol | float:
        return Symbol._binary("pow", other, self)

    def __neg__(self) -> Symbol:
        return Symbol("neg", self)

    def __pos__(self) -> Symbol:
        return self

    def __bool__(self) -> bool:
        raise TypeError(_NO_BRANCH)

    def _compare(self, other: Any) -> bool:
        raise TypeError(_NO_BRANCH)

    __lt__ = __le__ = __gt__ = __ge__ = _compare

    def __repr__(self) -> str:
        return f"Symbol({self.op!r}, {', '.join(map(repr, self.args))})"


def _operand(value: Any) -> Symbol | float:
    if isinstance(value, Symbol):
        return value
    if isinstance(value, np.ndarray) and value.shape == ():
        value = value.item()
    if isinstance(value, int | float | np.floating | np.integer) and not isinstance(value, bool):
        return float(value)
    raise TypeError(f"cannot trace an operand of type {type(value).__name__}")


def _elementwise(op: str, fold: Callable[..., float]) -> Callable[..., Any]:
    def apply(*operands: Any) -> Any:
        def one(*xs: Any) -> Symbol | float:
            values = [_operand(x) for x in xs]
            if all(isinstance(v, float) for v in values):
                return float(fold(*values))
            return Symbol(op, *values)

        arrays = [np.asarray(x, dtype=object) for x in operands]
        out = np.frompyfunc(one, len(arrays), 1)(*arrays)
        return out

    return apply


class TracingNamespace:
    """The array namespace ``xp`` handed to ``rhs`` while tracing.

    Provides the functions the model's right-hand side may use on arrays of symbols:
    ``exp``, ``maximum``, ``minimum``, ``clip``, ``stack`` and ``concatenate``.
    """

    exp = staticmethod(_elementwise("exp", math.exp))
    maximum = staticmethod(_elementwise("max", max))
    minimum = staticmethod(_elementwise("min", min))

    @staticmethod
    def clip(x: Any, low: Any, high: Any) -> Any:
        """``minimum(maximum(x, low), high)``, as :func:`numpy.clip` defines it."""
        return TracingNamespace.minimum(TracingNamespace.maximum(x, low), high)

    stack = staticmethod(np.stack)
    concatenate = staticmethod(np.concatenate)


@dataclass(frozen=True)
class GeneratedRhs:
    """Source of ``rhs_point(t, y, p, dy)`` and the arguments it reads.

    Attributes
    ----------
    source
        Python source of the function (no imports besides ``math``; no decorators).
    argument_names
        Keys of the model arguments, in the order of the first columns of ``p``.
    n_states
        Length of ``y`` and ``dy``.
    digest
        SHA-256 of ``source`` and ``derive_source``: the key of compiled-code caches.
    derive_source
        Python source of ``derive_columns(p)``, which fills the derived columns of ``p``
        (after the arguments) over the whole batch with NumPy.
    n_derived
        Number of derived columns.
    """

    source: str
    argument_names: tuple[str, ...]
    n_states: int
    digest: str
    derive_source: str = "def derive_columns(p):\n    pass\n"
    n_derived: int = 0

    def pack(self, args: Mapping[str, np.ndarray], batch: int) -> np.ndarray:
        """Model arguments ``(batch, 1)`` and the derived columns as one C-contiguous array
        ``(batch, n_arguments + n_derived)``, the ``p`` of ``rhs_point``."""
        n_raw = len(self.argument_names)
        out = np.empty((batch, n_raw + self.n_derived))
        for j, name in enumerate(self.argument_names):
            out[:, j] = np.broadcast_to(np.asarray(args[name], dtype=float)[:, 0], (batch,))
        with np.errstate(all="ignore"):  # as rhs_point would compute them, inf or nan included
            _derive_function(self.derive_source)(out)
        return out


@cache
def _derive_function(source: str) -> Callable[[np.ndarray], None]:
    namespace: dict[str, Any] = {"np": np}
    exec(compile(source, "<dermasim derived columns>", "exec"), namespace)
    function: Callable[[np.ndarray], None] = namespace["derive_columns"]
    return function


class _Arguments(dict[str, Any]):
    """Symbols of the model arguments; remembers the order in which keys are first read."""

    def __init__(self, names: list[str]) -> None:
        super().__init__()
        self._names = names
        self.read: list[str] = []

    def __getitem__(self, key: str) -> Any:
        if key not in self._names:
            raise KeyError(key)
        if key not in self.read:
            self.read.append(key)
            super().__setitem__(key, np.array([[Symbol("p", key)]], dtype=object))
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        return key in self._names

    def keys(self) -> Any:
        return list(self._names)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)


def _post_order(outputs: list[Symbol | float]) -> tuple[list[Symbol], dict[int, int]]:
    """Nodes of ``outputs`` (leaves included), children first, each once, and how often each
    is referenced."""
    uses: dict[int, int] = {}
    order: list[Symbol] = []
    seen: set[int] = set()
    stack: list[tuple[Symbol, bool]] = [(s, False) for s in outputs if isinstance(s, Symbol)]
    while stack:  # iterative: expression graphs can be deep
        node, done = stack.pop()
        if done:
            order.append(node)
            continue
        uses[id(node)] = uses.get(id(node), 0) + 1
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        if node.op not in ("y", "p", "t"):
            for arg in reversed(node.args):
                if isinstance(arg, Symbol):
                    stack.append((arg, False))
    return order, uses


def _hoist(outputs: list[Symbol | float]) -> tuple[list[Symbol | float], list[Symbol]]:
    """Rewrite ``outputs`` so that argument-only work is done once per trajectory.

    A division by an argument-only expression or a constant becomes a multiplication by its
    reciprocal; repeated operations on the same operands become one node; every argument-only
    operation that a state- or time-dependent node uses is replaced by a leaf
    ``Symbol("p", k)`` with ``k`` an int, the ``k``-th derived column.

    Returns
    -------
    outputs, derived
        The rewritten outputs and the argument-only expressions of the derived columns.
    """
    order, _ = _post_order(outputs)
    new: dict[int, Symbol | float] = {}
    fixed: dict[int, bool] = {}  # depends on arguments only (no state, no time)
    shared: dict[tuple[Any, ...], Symbol] = {}

    def is_fixed(x: Symbol | float) -> bool:
        return isinstance(x, float) or fixed[id(x)]

    def node_of(op: str, *args: Symbol | float) -> Symbol:
        """One node per distinct operation on the same operands."""
        key = (op, *(repr(a) if isinstance(a, float) else id(a) for a in args))
        if key not in shared:
            shared[key] = Symbol(op, *args)
            fixed[id(shared[key])] = all(is_fixed(a) for a in args)
        return shared[key]

    for node in order:
        if node.op in ("y", "p", "t"):
            new[id(node)] = node
            fixed[id(node)] = node.op == "p"
            continue
        args = [a if isinstance(a, float) else new[id(a)] for a in node.args]
        denominator = args[1] if node.op == "div" else 0.0
        if is_fixed(denominator) and denominator != 0.0 and not is_fixed(args[0]):
            factor = (
                1.0 / denominator
                if isinstance(denominator, float)
                else node_of("div", 1.0, denominator)
            )
            new[id(node)] = node_of("mul", args[0], factor)
        else:
            new[id(node)] = node_of(node.op, *args)

    # argument-only operations used by a state- or time-dependent node (or an output)
    derived: list[Symbol] = []
    column: dict[int, Symbol] = {}

    def leaf(x: Symbol | float) -> Symbol | float:
        if isinstance(x, float) or not fixed[id(x)] or x.op == "p":
            return x
        if id(x) not in column:
            column[id(x)] = Symbol("p", len(derived))
            derived.append(x)
        return column[id(x)]

    rewritten = [leaf(out if isinstance(out, float) else new[id(out)]) for out in outputs]
    order, _ = _post_order([s for s in rewritten if isinstance(s, Symbol)])
    for node in order:
        if node.op not in ("y", "p", "t") and not fixed[id(node)]:
            node.args = tuple(leaf(a) for a in node.args)
    return rewritten, derived


def _emit(
    outputs: list[Symbol | float],
    argument_index: Mapping[str, int],
    *,
    n_raw: int = 0,
    columns: bool = False,
) -> list[str]:
    """Straight-line assignments computing ``outputs``, one per shared operation node.

    With ``columns`` the code works on whole columns of ``p`` with NumPy and writes output
    ``k`` to ``p[:, n_raw + k]`` (the derived columns); else it is scalar code writing
    ``dy[k]``. A leaf ``Symbol("p", k)`` with an int ``k`` is derived column ``k``.
    """
    order, uses = _post_order(outputs)
    names: dict[int, str] = {}
    lines: list[str] = []
    exp, maximum, minimum = (
        ("np.exp", "np.maximum", "np.minimum") if columns else ("math.exp", "max", "min")
    )

    def ref(x: Symbol | float) -> str:
        if isinstance(x, float):
            if not math.isfinite(x):
                return f"float({str(x)!r})"
            return repr(x) if x >= 0.0 else f"({x!r})"  # (-2.0) ** v, not -(2.0 ** v)
        return names[id(x)]

    for node in order:
        if node.op == "y":
            text = f"y[{node.args[0]}]"
        elif node.op == "p":
            key = node.args[0]
            j = n_raw + key if isinstance(key, int) else argument_index[key]
            text = f"p[:, {j}]" if columns else f"p[{j}]"
        elif node.op == "t":
            text = "t"
        elif node.op == "pow" and isinstance(node.args[0], Symbol) and node.args[0].op == "exp":
            # exp(u) ** v as exp(u * v): one transcendental call instead of two
            text = f"{exp}(({ref(node.args[0].args[0])} * {ref(node.args[1])}))"
        elif node.op in _BINARY:
            text = f"({ref(node.args[0])} {_BINARY[node.op]} {ref(node.args[1])})"
        elif node.op == "neg":
            text = f"(-{ref(node.args[0])})"
        elif node.op == "exp":
            text = f"{exp}({ref(node.args[0])})"
        elif node.op in ("max", "min"):
            function = maximum if node.op == "max" else minimum
            text = f"{function}({ref(node.args[0])}, {ref(node.args[1])})"
        else:  # pragma: no cover - Symbol ops are closed
            raise ValueError(node.op)
        if node.op in ("y", "p", "t") or (uses[id(node)] == 1 and node.op != "exp"):
            names[id(node)] = text
            continue
        name = f"v{len(lines)}"
        lines.append(f"    {name} = {text}")
        names[id(node)] = name
    for k, out in enumerate(outputs):
        target = f"p[:, {n_raw + k}]" if columns else f"dy[{k}]"
        lines.append(f"    {target} = {ref(out)}")
    return lines


def _function(signature: str, docstring: str, body: list[str]) -> str:
    """Source of ``def signature:`` with its docstring and body (``pass`` if empty)."""
    return "\n".join([f"def {signature}:", f'    """{docstring}"""', *(body or ["    pass"]), ""])


def generate_rhs_source(
    rhs: Callable[..., Any], argument_names: list[str] | tuple[str, ...], n_states: int
) -> GeneratedRhs:
    """Trace ``rhs(t, y, a, xp)`` into the source of a scalar function.

    Parameters
    ----------
    rhs
        The model's right-hand side over arrays ``(batch, n_states)`` with an ``xp`` argument.
    argument_names
        Every key the model arguments may hold; only those ``rhs`` reads become columns of
        ``p``.
    n_states
        Number of states.

    Returns
    -------
    GeneratedRhs
        The source, the argument order and its digest.
    """
    y = np.array([[Symbol("y", i) for i in range(n_states)]], dtype=object)
    a = _Arguments(sorted(argument_names))
    dy = np.asarray(rhs(Symbol("t"), y, a, xp=TracingNamespace), dtype=object)
    if dy.shape != (1, n_states):
        raise ValueError(f"rhs returned shape {dy.shape}, expected (1, {n_states})")
    outputs, derived = _hoist([_operand(v) for v in dy[0]])
    read = tuple(a.read)
    index = {name: j for j, name in enumerate(read)}
    source = _function(
        "rhs_point(t, y, p, dy)",
        "Generated from dermasim.model.rhs; do not edit.",
        _emit(outputs, index, n_raw=len(read)),
    )
    derive_source = _function(
        "derive_columns(p)",
        "Derived columns of p; generated from dermasim.model.rhs; do not edit.",
        _emit(list(derived), index, n_raw=len(read), columns=True),
    )
    digest = hashlib.sha256((source + derive_source).encode()).hexdigest()
    return GeneratedRhs(
        source=source,
        argument_names=read,
        n_states=n_states,
        digest=digest,
        derive_source=derive_source,
        n_derived=len(derived),
    )
