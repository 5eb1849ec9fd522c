"""M/M/c/K and M/M/c/K+M: a queue with a finite waiting room, and customers who may abandon.

Units: rates are per second, times are in seconds; ``load_erl = arrival_rate_per_s * aht_s``.
``agents`` is ``c``; ``waiting_room`` is the number of places in the queue, so that the system
holds at most ``K = agents + waiting_room`` contacts and an arrival that finds ``K`` is
*blocked* (lost at once).  With ``waiting_room=0`` the model is Erlang B's loss system, with
``waiting_room=None`` (infinite) Erlang C (M/M/c) or, with abandonment, Erlang A (M/M/c+M).
Patience is exponential with mean ``patience_s``, ``theta = 1 / patience_s`` (``math.inf``:
nobody abandons).

Why a separate model: real switches have a finite number of trunks or queue slots, so blocking
and abandonment act together; Erlang A and C ignore the first, Erlang B the second.

Stationary distribution (Gross, Shortle, Thompson & Harris, *Fundamentals of Queueing Theory*,
4th ed., ch. 2: birth-death queues, finite queues and impatience; Garnett, Mandelbaum & Reiman,
"Designing a call center with impatient customers", M&SOM 4 (2002) for ``+M``; Whitt,
"Engineering solution of a basic call-center model", Management Science 51 (2005) for the
M/M/c/r+M model).  The number in system ``N`` is a birth-death chain with birth rate
``lambda`` below ``K`` and death rate ``d_n = min(n, c) mu + (n - c)^+ theta``, so
``P(N = n) ~ prod_{k<=n} lambda / d_k``: the Poisson weights ``a^n e^-a / n!`` up to ``c``
(in log space: Loader's saddle point, :func:`ccsim.analysis._special.log_poisson_like`, or in
overload sums of ``log(a / k)`` down from ``c``), then the cumulative sums of
``log(lambda / (c mu + m theta))``.  Nothing overflows for any ``c`` or ``K``.  An infinite
waiting room is cut where the remaining tail, bounded by a geometric series, is below 1e-17
of the largest queue weight.

Waiting times (Zeltyn, "Call centers with impatient customers: exact analysis and many-server
asymptotics of the M/M/n+G queue", PhD thesis, Technion 2005: the tagged-customer
argument).  By PASTA an arrival sees ``N`` with the stationary law.  An admitted arrival that
finds ``j`` contacts waiting moves one place forward at rate ``c mu + i theta`` while ``i``
are ahead (a service completion or an abandonment ahead), and abandons at rate ``theta``.
Its *virtual wait* ``V`` (the wait an infinitely patient arrival would have) is therefore the
hypoexponential sum of ``Exp(c mu + i theta)``, ``i = 0..j``, and with ``x = c mu / theta``
and ``u = exp(-theta t)``

* ``V = -log(U) / theta`` with ``U ~ Beta(x, j + 1)``: ``P(V <= t | j) = I_{1-u}(j + 1, x)``
  (the regularised incomplete beta function, ``scipy.special.betainc``);
* the wait ``W = min(V, T)`` with the patience ``T ~ Exp(theta)``:
  ``P(W > t | j) = u I_u(x, j + 1)``;
* served iff ``V < T``: ``P(S | j) = E[U] = c mu / (c mu + (j + 1) theta)``, and
  ``P(S, W <= t | j) = E[U; U >= u] = x / (x + j + 1) I_{1-u}(j + 1, x + 1)``;
* ``E[V | j] = sum_{i=0}^{j} 1 / (c mu + i theta)``, ``E[W | j] = P(Ab | j) / theta
  = (j + 1) / (c mu + (j + 1) theta)`` and ``E[W 1{S} | j] = -d/ds E[e^{-sV}] at s = theta
  = P(S | j) sum_{i=1}^{j+1} 1 / (c mu + i theta)``.

Without abandonment (``theta = 0``) ``V = W`` is Erlang(``j + 1``, ``c mu``):
``P(W <= t | j) = P(j + 1, c mu t)``, the regularised lower incomplete gamma function.  The
measures below mix these over the stationary ``P(N = c + j)``, ``0 <= j < K - c``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special

from ccsim.analysis._arguments import check_agents, check_aht, check_rate, check_real, check_target
from ccsim.analysis._special import clip01, log_poisson_like

__all__ = [
    "MAX_STATES",
    "FiniteQueueResult",
    "mmck_m_metrics",
    "mmck_metrics",
    "stationary_probabilities",
]

#: The largest number of states (``K + 1``, or the cut of an infinite waiting room) computed.
MAX_STATES = 2_000_000
_LOG_TAIL = math.log(1e-17)


@dataclass(frozen=True, eq=False)
class FiniteQueueResult:
    """M/M/c/K(+M) performance measures.

    ``W`` is the time in queue of an admitted contact (until answer or abandonment), ``V`` its
    virtual wait (what it would wait if it never abandoned).  *Admitted* are the arrivals that
    are not blocked; a blocked contact never queues, so it has no ``W`` or ``V``.
    """

    #: P(N = n), n = 0..K (read-only); for an infinite room cut where the tail is < 1e-17
    state_probabilities: np.ndarray
    p_block: float  #: P(an arrival finds K in system and is lost); 0 for an infinite room
    p_wait: float  #: P(admitted and all agents busy) over all arrivals
    p_wait_admitted: float  #: P(all agents busy | admitted)
    p_abandon: float  #: P(abandon) over all arrivals
    p_abandon_admitted: float  #: P(abandon | admitted)
    mean_wait_s: float  #: E[W | admitted] (served or abandoned)
    mean_wait_answered_s: float  #: E[W | served]: the ASA of answered contacts
    mean_queue: float  #: E[number waiting], L_q
    mean_in_system: float  #: E[N], L
    sl_answered_within_t: float  #: P(served and W <= t) over all arrivals: blocked, abandoned miss
    sl_wait_le_t: float  #: P(W <= t | admitted): time to answer OR abandonment <= t
    mean_virtual_wait_s: float  #: E[V | admitted]
    virtual_wait_le_t: float  #: P(V <= t | admitted)
    occupancy: float  #: utilisation: E[busy agents] / agents


# ------------------------------------------------------------------------- distribution


def _log_queue_weights(lam: float, c_mu: float, theta: float, room: int | None) -> np.ndarray:
    """log(P(N = c + m) / P(N = c)) for m = 0..room (or up to the cut of an infinite room).

    For the infinite room ``theta > 0`` or ``lam < c_mu`` is required.  Past the peak the
    ratios ``r = lam / (c mu + m theta)`` fall, so the tail after ``m`` is at most
    ``w_m r_{m+1} / (1 - r_{m+1})``: the weights are extended in doubling chunks until that
    bound is below 1e-17 of the largest weight.
    """
    if room is not None:
        m = np.arange(1, room + 1, dtype=float)
        if theta == 0.0:  # geometric: no accumulated rounding
            steps = m * math.log(lam / c_mu)
        else:
            steps = np.cumsum(np.log(lam / (c_mu + m * theta)))
        return np.concatenate(([0.0], steps))
    chunks = [np.zeros(1)]
    last, top, start, size = 0.0, 0.0, 1, 1024
    while start <= MAX_STATES:
        m = np.arange(start, start + size, dtype=float)
        logs = last + np.cumsum(np.log(lam / (c_mu + m * theta)))
        top = max(top, float(logs.max()))
        r_next = lam / (c_mu + (m + 1.0) * theta)
        with np.errstate(divide="ignore", invalid="ignore"):
            bound = np.where(r_next < 1.0, logs + np.log(r_next) - np.log1p(-r_next), np.inf)
        done = np.flatnonzero(bound < top + _LOG_TAIL)
        if done.size:
            chunks.append(logs[: done[0] + 1])
            return np.concatenate(chunks)
        chunks.append(logs)
        last = float(logs[-1])
        start += size
        size = min(2 * size, 1 << 20)
    raise ValueError(
        f"the infinite waiting room needs more than MAX_STATES={MAX_STATES} states "
        "(nearly critical load or very patient customers): give a finite waiting_room"
    )


def _log_low_weights(load: float, c: int) -> np.ndarray:
    """log P(N = n) up to a common constant, n = 0..c: the Poisson(load) weights.

    Below the mode (``load < c``) the saddle-point form is accurate to a few ulps of
    ``bd0(n, load)``, which is small where the mass is.  In overload the mass sits at ``c``
    and falls geometrically below it, so the weights are summed down from ``c``:
    ``log w_n - log w_c = -sum_{k=n+1}^{c} log(load / k)``, a short sum where it matters
    (the saddle-point form would carry the rounding of the large ``bd0(c, load)``).
    """
    if load < c:
        return np.array([log_poisson_like(float(n), load) for n in range(c + 1)])
    k = np.arange(c, 0, -1, dtype=float)  # c, c-1, ..., 1
    down = np.cumsum(np.log(load / k))[::-1]  # n = 0..c-1: sum_{k=n+1}^{c} log(load / k)
    return np.concatenate((-down, [0.0]))


def _distribution(lam: float, aht: float, c: int, room: int | None, theta: float) -> np.ndarray:
    """P(N = n) on checked inputs (``c >= 1``; a stable model if the room is infinite)."""
    if lam == 0.0:
        p = np.zeros(c + (room or 0) + 1)
        p[0] = 1.0
        return p
    low = _log_low_weights(lam * aht, c)
    queue = _log_queue_weights(lam, c / aht, theta, room)
    if c + len(queue) > MAX_STATES:
        raise ValueError(f"agents + waiting_room must be below MAX_STATES={MAX_STATES}")
    log_w = np.concatenate((low, low[-1] + queue[1:]))
    w = np.exp(log_w - log_w.max())
    return w / np.sum(w)


# ------------------------------------------------------------------------- measures


def _measures(
    lam: float, aht: float, c: int, room: int | None, theta: float, t: float
) -> FiniteQueueResult:
    """All measures on checked inputs (see the module docstring for the formulas)."""
    p = _distribution(lam, aht, c, room, theta)
    k = len(p) - 1
    n = np.arange(k + 1, dtype=float)
    c_mu = c / aht
    if room is None:
        p_block, admitted, q = 0.0, 1.0, p[c:]
    else:
        p_block, admitted, q = float(p[k]), float(np.sum(p[:k])), p[c:k]
    no_wait = float(np.sum(p[:c]))
    j1 = np.arange(1, len(q) + 1, dtype=float)  # j + 1 for j contacts waiting ahead
    ahead_rates = c_mu + (j1 - 1.0) * theta  # c mu + i theta, i = 0..j
    denom = c_mu + j1 * theta
    served_j = c_mu / denom  # P(S | j)
    abandon_j = j1 * theta / denom  # P(Ab | j)
    mean_wait_j = j1 / denom  # E[W | j]
    mean_v_j = np.cumsum(1.0 / ahead_rates)  # E[V | j]
    wait_served_j = served_j * np.cumsum(1.0 / denom)  # E[W 1{S} | j]

    if t == 0.0:
        v_le = w_le = sv_le = np.zeros(len(q))
    elif theta > 0.0:
        x = c_mu / theta
        u = math.exp(-theta * t)
        one_minus_u = -math.expm1(-theta * t)
        # I_{1-u}(j+1, .) at the small argument 1 - u: ``betainc`` is accurate there even
        # for huge x = c mu / theta, unlike its complement I_u(x, j+1) near u = 1
        v_le = special.betainc(j1, x, one_minus_u)
        w_le = one_minus_u + u * v_le  # 1 - u (1 - P(V <= t)): two positive terms
        sv_le = served_j * special.betainc(j1, x + 1.0, one_minus_u)
    else:
        v_le = special.gammainc(j1, c_mu * t)
        w_le = sv_le = v_le

    p_wait = float(np.sum(q))
    p_abandon = float(q @ abandon_j)
    p_served = no_wait + float(q @ served_j)
    busy = float(p[:c] @ n[:c]) + c * float(np.sum(p[c:]))
    return FiniteQueueResult(
        state_probabilities=_read_only(p),
        p_block=p_block,
        p_wait=p_wait,
        p_wait_admitted=_ratio(p_wait, admitted),
        p_abandon=p_abandon,
        p_abandon_admitted=_ratio(p_abandon, admitted),
        mean_wait_s=_ratio(float(q @ mean_wait_j), admitted, clip=False),
        mean_wait_answered_s=_ratio(float(q @ wait_served_j), p_served, clip=False),
        mean_queue=float(np.maximum(n - c, 0.0) @ p),
        mean_in_system=float(n @ p),
        sl_answered_within_t=clip01(no_wait + float(q @ sv_le)),
        sl_wait_le_t=_ratio(no_wait + float(q @ w_le), admitted),
        mean_virtual_wait_s=_ratio(float(q @ mean_v_j), admitted, clip=False),
        virtual_wait_le_t=_ratio(no_wait + float(q @ v_le), admitted),
        occupancy=clip01(busy / c),
    )


def _ratio(num: float, den: float, *, clip: bool = True) -> float:
    if den <= 0.0:
        return math.nan
    return clip01(num / den) if clip else num / den


def _read_only(p: np.ndarray) -> np.ndarray:
    p.setflags(write=False)
    return p


# ------------------------------------------------------------------------- public API


def _check_room(waiting_room: object) -> int | None:
    if waiting_room is None:
        return None
    return check_agents("waiting_room", waiting_room, minimum=0)


def _check_theta(patience_s: object) -> float:
    """1 / patience_s; patience must be > 0 (the loss limit is ``waiting_room=0``)."""
    patience = check_real(
        "patience_s",
        patience_s,
        low=0.0,
        low_inclusive=False,
        allow_inf=True,
        allowed="a number > 0 (seconds; math.inf means infinitely patient)",
    )
    return 0.0 if math.isinf(patience) else 1.0 / patience


def _check_model(
    arrival_rate_per_s: object,
    aht_s: object,
    agents: object,
    waiting_room: object,
    patience_s: object,
) -> tuple[float, float, int, int | None, float]:
    lam = check_rate(arrival_rate_per_s)
    aht = check_aht(aht_s)
    c = check_agents("agents", agents, minimum=1)
    room = _check_room(waiting_room)
    theta = _check_theta(patience_s)
    if room is not None and c + room >= MAX_STATES:
        raise ValueError(
            f"agents + waiting_room must be below MAX_STATES={MAX_STATES}, got {c + room}"
        )
    if room is None and theta == 0.0 and lam * aht >= c:
        raise ValueError(
            f"an infinite waiting room with infinitely patient customers (M/M/c) is unstable "
            f"for load_erl={lam * aht:.6g} >= agents={c}: give a finite waiting_room or patience_s"
        )
    return lam, aht, c, room, theta


def stationary_probabilities(
    arrival_rate_per_s: float,
    aht_s: float,
    agents: int,
    waiting_room: int | None = None,
    patience_s: float = math.inf,
) -> np.ndarray:
    """P(N = n), n = 0, 1, ..., of the number in system: M/M/c, M/M/c+M, M/M/c/K or M/M/c/K+M.

    ``waiting_room=None`` with ``patience_s=math.inf`` is Erlang C's M/M/c (``load_erl <
    agents`` is required), with a finite ``patience_s`` Erlang A's M/M/c+M; an infinite room
    is cut where the rest of the tail is below 1e-17.  ``waiting_room=0`` is Erlang B's
    truncated Poisson distribution.  The array is read-only.
    """
    lam, aht, c, room, theta = _check_model(
        arrival_rate_per_s, aht_s, agents, waiting_room, patience_s
    )
    return _read_only(_distribution(lam, aht, c, room, theta))


def mmck_m_metrics(
    arrival_rate_per_s: float,
    aht_s: float,
    agents: int,
    waiting_room: int | None,
    patience_s: float,
    target_s: float,
) -> FiniteQueueResult:
    """M/M/c/K+M: ``agents`` servers, ``waiting_room`` places, exponential patience.

    ``waiting_room=None`` is an infinite room (Erlang A, equal to
    :func:`ccsim.analysis.erlang_a.erlang_a_metrics`); ``patience_s=math.inf`` is M/M/c/K
    (:func:`mmck_metrics`).  ``patience_s`` must be > 0: the loss limit is
    ``waiting_room=0``.  Service levels are at ``target_s``.  Exact (no simulation, no
    series truncation beyond 1e-17 of the tail); see the module docstring for the formulas.
    """
    lam, aht, c, room, theta = _check_model(
        arrival_rate_per_s, aht_s, agents, waiting_room, patience_s
    )
    t = check_target(target_s)
    return _measures(lam, aht, c, room, theta, t)


def mmck_metrics(
    arrival_rate_per_s: float, aht_s: float, agents: int, waiting_room: int, target_s: float
) -> FiniteQueueResult:
    """M/M/c/K: ``agents`` servers, ``waiting_room`` places, nobody abandons.

    ``waiting_room=0`` is Erlang B (``p_block = erlang_b(load_erl, agents)``), a large room
    approaches Erlang C.  ``p_abandon`` is 0 and ``W = V``: the waiting time of an arrival
    that finds ``j`` waiting is Erlang(``j + 1``, ``agents / aht_s``).
    """
    if waiting_room is None:
        raise ValueError(
            "waiting_room must be an integer >= 0 for M/M/c/K, got None "
            "(an infinite room is Erlang C: ccsim.analysis.erlang.erlang_c_metrics)"
        )
    return mmck_m_metrics(arrival_rate_per_s, aht_s, agents, waiting_room, math.inf, target_s)
