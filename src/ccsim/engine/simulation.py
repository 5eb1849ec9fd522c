"""The simulation engine: a SimPy environment driven by plain timeout events with callbacks.

Why not a SimPy process per contact (``yield request | timeout``)? It reads well but costs
8-10x a bare event loop on M/M/c+M; a generator process per agent ~5x. One ``Timeout`` per
arrival, service end and (only for contacts that actually queue) patience expiry, with a
callback each, keeps the engine within ~2.5x of a hand-written heapq loop while SimPy owns
the clock and the event queue (``ccsim.engine.clock``: ``run_until`` steps SimPy's heap in one loop,
``At`` is a Timeout stripped to what stepping needs). Timers due in a later interval (repeat
contacts, async tolerance, callback deadlines) wait in a ``Calendar`` off the heap; a tick at
each interval boundary changes staffing and moves the interval's timers onto the heap. First
contacts' async tolerance is listed per interval up front. One overflow timer serves every
queue with secondary pools, for the oldest waiting contact. These
shortcuts change no record (``tests/test_events.py`` runs the engine with plain timers too).

Contacts are integers (their creation index); their attributes and fate live in compact
columns (``array``/``bytearray``), turned into numpy arrays at the end. Customers created during
the run (retries, repeats, chasers) are appended as they arrive.
"""

from __future__ import annotations

import gc
from array import array
from bisect import bisect_right
from collections import deque
from typing import Any

import numpy as np
import simpy

from ccsim.engine.arrivals import Customers
from ccsim.engine.clock import At, Calendar, at_time, run_until
from ccsim.engine.rng import RandomStreams
from ccsim.engine.routing import ELSEWHERE as _ELSEWHERE
from ccsim.engine.routing import SkillsPriorityRouter
from ccsim.model.centre import ASYNC, Centre
from ccsim.model.records import ContactKind, ContactRecords, Outcome

__all__ = ["simulate"]

_WAITING = int(Outcome.WAITING)
_IN_SERVICE = int(Outcome.IN_SERVICE)
_HANDLED = int(Outcome.HANDLED)
_ABANDONED = int(Outcome.ABANDONED)
_BLOCKED = int(Outcome.BLOCKED)
_CONTAINED = int(Outcome.CONTAINED)
_PREVENTED = int(Outcome.PREVENTED)
_IN_BOT = int(Outcome.IN_BOT)
_SWITCHED = int(Outcome.SWITCHED)
# Plain ints on the hot path: an IntEnum member lookup costs a class attribute access each time.
_RETRY = int(ContactKind.RETRY)
_REPEAT = int(ContactKind.REPEAT)
_CHASER = int(ContactKind.CHASER)
_BOT_SWITCH = int(ContactKind.BOT_SWITCH)
# Contacts that meet the chatbot first (when it fronts their channel and intent); chasers,
# outbound calls and customers already bounced by the bot go straight to the agents.
_VIA_BOT = frozenset(
    int(k) for k in (ContactKind.NEW, ContactKind.RETRY, ContactKind.REPEAT, ContactKind.REPLY)
)
_CHUNK = 4096
# Plain streams refill by this many: they serve only rare draws (a customer's third follow-up
# and later), and a full chunk per stream and channel cost more than the draws used.
_DRAW_CHUNK = 256
_INF = float("inf")
_COLUMN_DTYPE = {"d": np.float64, "q": np.int64, "B": np.uint8}  # array typecodes


def _uniform(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.random(n)


class _Draws:
    """Buffered draws from one stream: the k-th call always returns the k-th draw.

    ``sample(rng, n)`` draws n values from the one generator ``rng``, kept for the whole run
    (a generator made per refill would repeat the same chunk over and over).
    """

    def __init__(self, rng: np.random.Generator, sample: Any) -> None:
        self._rng = rng
        self._sample = sample
        self._buf: list[float] = []
        self._pos = 0

    def __call__(self) -> float:
        if self._pos == len(self._buf):
            self._buf = self._sample(self._rng, _DRAW_CHUNK).tolist()
            self._pos = 0
        v = self._buf[self._pos]
        self._pos += 1
        return v


# A contact's keyed uniforms (see _CustomerDraws), by purpose: decisions, then durations.
_U_RETRY, _U_SWITCH, _U_RESOLVE, _U_CTX, _U_BOT_CONTAIN, _U_BOT_CTX, _U_BOT_SWITCH, _U_CB = range(8)
_U_RETRY_DELAY, _U_REPEAT_DELAY, _U_SESSION, _U_HANDLE, _U_PATIENCE = range(8, 13)
_SLOTS = 2  # follow-ups per customer with keyed draws; later ones draw from plain streams
_ROWS = _SLOTS + 1  # keyed values per customer for each contact: the first and _SLOTS follow-ups
# Handle time and patience are keyed for follow-ups only (a first contact's come with it).
_FOLLOW_UP_ONLY = (_U_HANDLE, _U_PATIENCE)


class _OnFirstUse(dict):  # type: ignore[type-arg]
    """A dict that makes a missing value with ``make(key)`` and keeps it."""

    def __init__(self, make: Any) -> None:
        super().__init__()
        self._make = make

    def __missing__(self, key: Any) -> Any:
        value = self[key] = self._make(key)
        return value


class _CustomerDraws:
    """Random numbers keyed by customer, not by the order in which events happen.

    Contact k of a customer (k = 0: the first; k = 1, 2, ...: follow-ups in the order they are
    created) reads row [customer, k] of arrays drawn once per run: its retry decision, the
    channel and delay of its follow-up, its own handle time, patience and resolution, its bot
    session's outcome and its callback decision. Two runs on the same seed then give each
    customer the same fate wherever a strategy does not change it, so common random numbers stay
    in step; with draws taken in event order, one changed abandonment would shift every later
    draw of every customer. A customer's follow-ups beyond ``_SLOTS`` draw from plain streams.

    Every keyed value is a uniform. A duration (follow-up delay, handle time, patience, bot
    session) is its distribution's inverse CDF at that uniform
    (``Distribution.quantile_function``), computed only when a contact needs it: one uniform
    serves whichever channel a follow-up lands on. Drawing every channel's durations for every
    customer instead cost a week ~840,000 values (a third of them lognormal) for ~40,000 read,
    about 6% of its run time. Inverse transform is also the usual choice for common random
    numbers: a larger uniform always gives a longer duration, in every paired run.

    Each purpose has its own stream and its array is drawn on first use, so a run pays only for
    what its behaviour and strategies need, and adding a strategy never changes other draws.

    The uniforms are float32 (multiples of 2**-24 in [0, 1)): a week draws ~600,000 of them to
    read ~40,000, scattered over days, and half the bytes halve both the drawing and the cache
    misses of those reads (2.7% of a week's run time, measured). The resolution is far below any
    probability a decision compares with; the longest exponential duration it gives is 16.6
    means, a tail of probability 6e-8.
    """

    def __init__(self, n_base: int, streams: RandomStreams) -> None:
        self._n = n_base
        self._streams = streams
        # u[purpose][customer * rows + k], rows = _SLOTS for _FOLLOW_UP_ONLY purposes (k - 1 for
        # the k-th follow-up) and _ROWS for the others: flat, customer-major, drawn on first use.
        # Read through a memoryview of numpy's buffer: no copy, and indexing it costs what an
        # array('f') does (a numpy scalar read costs twice as much).
        self.u = _OnFirstUse(self._draw)

    def _draw(self, purpose: int) -> memoryview:
        rows = _SLOTS if purpose in _FOLLOW_UP_ONLY else _ROWS
        rng = self._streams.stream(f"customer_draws/u/{purpose}")
        values: Any = rng.random(self._n * rows, dtype=np.float32)  # a buffer (stubs say no)
        return memoryview(values)


class _Centre:
    # Slots, not a __dict__: with ~90 attributes the instance dict outgrows CPython's shared
    # keys and every ``self.x`` becomes a hashed lookup; a slot is a fixed offset (about 4%
    # faster on both benchmark workloads). A new attribute must be added here.
    __slots__ = tuple(
        """
        agent_channel agent_pool answer arrival _arrive bot bot_busy bot_ctx_share _bot_rng
        bot_switch_cdf calendar _calendar_at _calendar_at_interval capacity cb cb_accept
        _cb_base_arrival _cb_bot_end _cb_cb_deadline cb_deadline _cb_follow_up cb_min_idle cb_on
        _cb_overflow _cb_patience _cb_service_end cb_threshold _cb_tolerance cbdue cbq centre
        channel chaser _columns conc conc_factor contain ctx ctx_handle ctx_repeat ctx_share
        customer deferred_keys deferred_min_idle deferred_pools draining end env factor fcr
        _find_agent _follow_ups fronted handle _handle_q has_cb has_overflow has_patience
        has_repeats idle idle_since intent interval_s is_async keyed _keyed_handle _keyed_patience
        _keyed_resolve _keyed_retry _keyed_session_u _keyed_switch kind leaving mean_handle n
        n_active n_base n_ch n_follow n_in n_intervals n_waiting _new_handle _new_patience _new_u
        _next_contact next_open notify oqueue overflow_s overflow_watch partial patience
        _patience_q pool_keys pool_of pool_queues present primary_pools prof queue queued
        repeat_cdf _repeat_delay resolve_u retry_cdf _retry_delay retry_prob room router
        secondary_pools _session_q slot staffing state to_leave tolerance_due tolerance_on_queue _u
        unresolved
        """.split()
    )

    def __init__(self, centre: Centre, customers: Customers, streams: RandomStreams) -> None:
        self.env = simpy.Environment()
        self.centre = centre
        chans, intents, pools = centre.channels, centre.intents, centre.pools
        n = self.n_base = len(customers.arrival_s)
        # -- contact columns (appended for customers created during the run) ----------------
        # Built from numpy's buffers (a tolist() per column cost ~25 ns a contact each), with
        # room for the contacts the run creates (retries, repeats, chasers, bot switches): a
        # week creates about a quarter as many as come of their own accord, and each later
        # _grow copies every column. A run that creates more still grows them.
        b = centre.behaviour
        self.fcr = [it.fcr for it in intents]
        self.has_repeats = any(f < 1.0 for f in self.fcr) and b.repeat_delay is not None
        follow_ups = b.retry_delay is not None or self.has_repeats or b.chaser_channel is not None
        room = max(_CHUNK, n // 3) if follow_ups or centre.strategies.chatbot is not None else 0

        def column(typecode: str, values: Any = None) -> Any:
            """A column of n contacts (``values``, else zeros) and ``room`` zeros after them."""
            buf = np.zeros(n + room, dtype=_COLUMN_DTYPE[typecode])
            if values is not None:
                buf[:n] = values
            return bytearray(buf.tobytes()) if typecode == "B" else array(typecode, buf.tobytes())

        self.arrival = column("d", customers.arrival_s)
        self.channel = column("B", customers.channel)
        self.intent = column("B", customers.intent)
        self.kind = column("B", customers.kind)
        self.customer = column("q", np.arange(n))
        self.handle = column("d", customers.handle_s)
        self.patience = column("d", customers.patience_s)
        self.resolve_u = column("d", customers.resolve_u)  # compared with FCR: no rounding
        # 1: not resolved at first contact (resolve_u >= the intent's FCR), known from the start.
        fcr = np.array(self.fcr, dtype=np.float64)
        self.unresolved = column("B", customers.resolve_u >= fcr[customers.intent])
        self.answer = column("d")
        self.end = column("d")
        self.state = column("B")
        if customers.prevented is not None and customers.prevented.any():
            for i in np.flatnonzero(customers.prevented).tolist():
                self.state[i] = _PREVENTED  # a proactive notice: this customer never comes
                self.end[i] = self.arrival[i]
        self.pool_of = column("B")
        self.queued = column("d", customers.arrival_s)  # joined the agents' queue (later: bot)
        self.cb = column("B")  # 1: accepted a callback
        self.ctx = column("B")  # 1: arrived with context (omnichannel, bot handover)
        self.slot = column("B")  # which row of the customer's keyed draws
        self.n, self.capacity = n, n + room  # contacts so far, room in the columns
        self._columns: list[Any] = [
            self.arrival, self.channel, self.intent, self.kind, self.customer, self.handle,
            self.patience, self.resolve_u, self.answer, self.end, self.state, self.pool_of,
            self.queued, self.cb, self.ctx, self.slot, self.unresolved,
        ]  # fmt: skip
        # -- static lookups --------------------------------------------------------------------
        self.conc = [ch.concurrency for ch in chans]
        self.conc_factor = [list(ch.concurrency_factors) for ch in chans]
        self.is_async = [ch.mode == ASYNC for ch in chans]
        # Timers only where they can change something: async tolerance needs a chaser channel.
        self.has_patience = [
            ch.patience is not None
            and (ch.mode != ASYNC or centre.behaviour.chaser_channel is not None)
            for ch in chans
        ]
        self.room = [ch.waiting_room for ch in chans]
        n_ch, n_in, n_pool = len(chans), len(intents), len(pools)
        self.n_ch, self.n_in = n_ch, n_in
        qkey = [[c * n_in + j for j in range(n_in)] for c in range(n_ch)]
        # Queues per (channel, intent): primary, and overflow (contacts past the overflow delay).
        # The router may keep its own instead (Router.queues): the engine appends where it says.
        self.queue: list[deque[int]] = [deque() for _ in range(n_ch * n_in)]
        self.oqueue: list[deque[int]] = [deque() for _ in range(n_ch * n_in)]
        self.n_waiting = [0] * n_ch
        prio = [(chans[c].priority, intents[j].priority) for c in range(n_ch) for j in range(n_in)]
        # For each pool: the queues it serves, best priority first, and the handle-time factor.
        self.pool_queues: list[list[tuple[deque[int], int, tuple[int, int, int]]]] = []
        self.prof = [[1.0] * (n_ch * n_in) for _ in range(n_pool)]
        self.primary_pools: list[list[int]] = [[] for _ in range(n_ch * n_in)]
        self.secondary_pools: list[list[int]] = [[] for _ in range(n_ch * n_in)]
        # Deferred work (workload shifting): pools that take it in troughs, the keys per pool
        # (read by the router) and the idle colleagues each pool keeps in reserve.
        self.deferred_pools: list[list[int]] = [[] for _ in range(n_ch * n_in)]
        self.deferred_keys: list[set[int]] = [set() for _ in range(n_pool)]
        self.deferred_min_idle = [pool.deferred_min_idle for pool in pools]
        for p, pool in enumerate(pools):
            entries = []
            for s in pool.skills:
                key = qkey[s.channel][s.intent]
                self.prof[p][key] = s.proficiency
                if s.deferred:
                    self.deferred_pools[key].append(p)
                    self.deferred_keys[p].add(key)
                    # Below everything else the pool does, whatever the channel's priority.
                    entries.append(((-(10**9), 0), 0, key, self.queue[key]))
                elif s.secondary:
                    self.secondary_pools[key].append(p)
                    entries.append((prio[key], 1, key, self.oqueue[key]))
                else:
                    self.primary_pools[key].append(p)
                    entries.append((prio[key], 0, key, self.queue[key]))
            entries.sort(key=lambda e: (-e[0][0], -e[0][1], e[1], e[2]))
            # Rank: channel priority, intent priority, then own (primary) work before overflow.
            self.pool_queues.append([(q, key, (pr[0], pr[1], -sec)) for pr, sec, key, q in entries])
        self.has_overflow = [bool(self.secondary_pools[k]) for k in range(n_ch * n_in)]
        # Contacts not yet past the overflow delay, of every queue with secondary pools, oldest
        # first, with the time they overflow and their queue: one timer (for the oldest still
        # waiting), not one per contact or per queue. The delay is the same for every queue, so
        # one deque in joining order is also in overflow order; most contacts are answered
        # before they would overflow, and a timer per queue fired for each queue's answered
        # heads (0.23 events per contact in the default week; one timer: 0.12).
        self.overflow_watch: deque[tuple[float, int, int]] = deque()
        # Handle time = drawn base x intent factor x pool proficiency (x concurrency factor).
        # A channel of concurrency 1 always has its first factor: folded in here, not per start.
        scale = np.ones((n_ch, n_in)) if centre.handle_scale is None else centre.handle_scale
        self.factor = [
            [
                self.prof[p][c * n_in + j]
                * intents[j].handle_factor
                * float(scale[c, j])
                * (chans[c].concurrency_factors[0] if chans[c].concurrency == 1 else 1.0)
                for c in range(n_ch)
                for j in range(n_in)
            ]
            for p in range(n_pool)
        ]
        # -- agents ------------------------------------------------------------------------------
        self.agent_pool: list[int] = []
        self.n_active: list[int] = []
        self.agent_channel: list[int] = []
        self.leaving: list[bool] = []
        self.idle: list[deque[int]] = [deque() for _ in range(n_pool)]  # longest idle first
        self.idle_since: list[float] = []
        self.partial: list[list[dict[int, None]]] = [
            [{} for _ in range(n_ch)] for _ in range(n_pool)
        ]
        self.present = [0] * n_pool  # agents on the phone, not counting those leaving
        # Staffing cuts with no idle agent to send home: the next agents of the pool to free up
        # leave (``to_leave``); agents with chats still open drain them first (``draining``).
        self.to_leave = [0] * n_pool
        self.draining: list[dict[int, None]] = [{} for _ in range(n_pool)]
        # -- behaviour -------------------------------------------------------------------------
        self.retry_prob = b.retry_prob.tolist()
        self.overflow_s = b.overflow_s
        self.chaser = b.chaser_channel
        self._u = _Draws(streams.stream("behaviour"), _uniform)
        self._retry_delay = (
            _Draws(streams.stream("retry_delay"), b.retry_delay.sample) if b.retry_delay else None
        )
        self._repeat_delay = (
            _Draws(streams.stream("repeat_delay"), b.repeat_delay.sample)
            if b.repeat_delay
            else None
        )
        # Switch matrices as cumulative rows without their last entry: the channel a follow-up
        # comes on is bisect_right(row, u) (the last channel takes whatever rounding leaves).
        self.retry_cdf = np.cumsum(b.retry_switch, axis=1)[:, :-1].tolist()
        self.repeat_cdf = np.cumsum(b.repeat_switch, axis=1)[:, :-1].tolist()
        # next_open[c][k]: the first interval >= k in which channel c expects arrivals.
        self.n_intervals = centre.n_intervals
        self.interval_s = centre.interval_s
        is_open = centre.rate_per_s.sum(axis=1) > 0
        # (n_intervals: never): a running minimum from the end over the open intervals' indices.
        n_k = centre.n_intervals
        open_k = np.where(is_open, np.arange(n_k), n_k)
        self.next_open = [np.minimum.accumulate(row[::-1])[::-1].tolist() + [n_k] for row in open_k]
        self._new_handle = [
            _Draws(streams.stream(f"handle_time/{ch.name}/new"), ch.handle_time.sample)
            for ch in chans
        ]
        self._new_patience = [
            _Draws(streams.stream(f"patience/{ch.name}/new"), ch.patience.sample)
            if ch.patience is not None
            else None
            for ch in chans
        ]
        self._new_u = _Draws(streams.stream("resolution/new"), _uniform)
        # Bound once, as the tuples events run (events.Callbacks): a bound method or a list
        # made per event costs measurable time on the hot path.
        self._cb_service_end = (self._on_service_end,)
        self._cb_base_arrival = (self._on_base_arrival,)
        # Outbound-call campaigns: a customer whose call ended before they would contact may
        # stay away (the engine knows only as the calls are worked).
        self.notify = None if customers.notify is None else customers.notify.tolist()
        if self.notify is not None:
            self._cb_base_arrival = (self._on_base_arrival_after_calls,)
        self._cb_patience = (self._on_patience_expired,)
        self._cb_tolerance = (self._on_tolerance,)
        self._cb_follow_up = (self._on_follow_up,)
        self._cb_overflow = (self._on_overflow,)
        self._cb_bot_end = (self._on_bot_end,)
        self._cb_cb_deadline = (self._on_cb_deadline,)
        self._init_strategies(centre, streams)
        self.staffing = [pool.agents_on_phone.tolist() for pool in centre.pools]
        self.calendar = Calendar(
            self.env, centre.interval_s, centre.n_intervals, self._on_interval, self.state, _WAITING
        )
        self._calendar_at = self.calendar.at
        self._calendar_at_interval = self.calendar.at_interval
        # Async tolerance of first contacts (arrival + patience: known from the start) is listed
        # per interval here and set at that interval's tick if the contact waits, or has yet to
        # arrive (its timer then finds out), instead of a calendar timer each as it queues:
        # nearly every e-mail queues, and most are answered long before their customer would
        # chase. Contacts a chatbot may front queue later, and keep the calendar timer.
        dt = centre.interval_s
        self.tolerance_due: list[list[int]] = [[] for _ in range(n_k)]
        self.tolerance_on_queue = list(self.fronted)  # per queue key, for first contacts
        asyncs = np.array(self.has_patience) & np.array(self.is_async)
        if asyncs.any():
            key = customers.channel.astype(np.int64) * n_in + customers.intent
            mine = asyncs[customers.channel] & ~np.array(self.tolerance_on_queue, dtype=bool)[key]
            first = np.flatnonzero(mine)
            # The interval as the calendar parks a timer (numpy's floor_divide on floats is
            # Python's //), then the contacts of each interval in id order (a stable sort).
            k = np.floor_divide(customers.arrival_s[first] + customers.patience_s[first], dt)
            keep = k < n_k
            first, k = first[keep], k[keep].astype(np.int64)
            ids = first[np.argsort(k, kind="stable")].tolist()
            ends = np.cumsum(np.bincount(k, minlength=n_k)).tolist()
            self.tolerance_due = [ids[a:b] for a, b in zip([0, *ends[:-1]], ends, strict=True)]
        st = centre.strategies
        self.keyed = (
            _CustomerDraws(self.n_base, streams)
            if follow_ups or st.chatbot or st.callbacks or st.context
            else None
        )
        self.n_follow = array("i", bytes(4 * self.n_base))  # follow-ups per customer so far
        # Per follow-up kind: its keyed delay uniforms and delay quantile function, switch matrix
        # and plain delay stream; resolved here, not per follow-up (drawn now if it can happen).
        kd = self.keyed
        # Indexed by kind (a list: no hashing per follow-up); None for the other kinds.
        self._follow_ups: list[tuple[Any, Any, list[list[float]], Any] | None] = [None] * 3
        if b.retry_delay is not None and kd is not None:
            self._follow_ups[_RETRY] = (
                kd.u[_U_RETRY_DELAY],
                b.retry_delay.quantile_function(),
                self.retry_cdf,
                self._retry_delay,
            )
        if self.has_repeats and b.repeat_delay is not None and kd is not None:
            self._follow_ups[_REPEAT] = (
                kd.u[_U_REPEAT_DELAY],
                b.repeat_delay.quantile_function(),
                self.repeat_cdf,
                self._repeat_delay,
            )
        follows = any(self._follow_ups)
        self._keyed_switch: Any = kd.u[_U_SWITCH] if follows and kd is not None else None
        retries = self._follow_ups[_RETRY] is not None  # only with keyed draws
        self._keyed_retry: Any = kd.u[_U_RETRY] if retries and kd is not None else None
        creates = follows or self.chaser is not None or self.bot is not None
        # A created contact's keyed resolution, handle time and patience (through each
        # channel's quantile function).
        if creates and kd is not None:
            self._keyed_resolve: Any = kd.u[_U_RESOLVE]
            self._keyed_handle = kd.u[_U_HANDLE]
            self._keyed_patience = kd.u[_U_PATIENCE]
            self._handle_q = [ch.handle_time.quantile_function() for ch in chans]
            self._patience_q = [
                None if ch.patience is None else ch.patience.quantile_function() for ch in chans
            ]
        if self.bot is not None and kd is not None:
            self._keyed_session_u = kd.u[_U_SESSION]
            self._session_q = self.bot.session.quantile_function()
        # Routing decisions belong to a pluggable policy (ccsim.engine.routing); bound once for
        # speed.
        self.router = (centre.router or SkillsPriorityRouter)(self)
        self._find_agent = self.router.agent_for
        self._next_contact = self.router.contact_for
        self.queue, self.oqueue = self.router.queues()  # where waiting contacts go

    def _init_strategies(self, centre: Centre, streams: RandomStreams) -> None:
        st = centre.strategies
        n_ch, n_in = self.n_ch, self.n_in
        # -- chatbot -----------------------------------------------------------------------
        self.bot = st.chatbot
        self.fronted = [False] * (n_ch * n_in)
        self._arrive = self._to_agents  # the fast path: no bot in front of anything
        if self.bot is not None:
            self.fronted = self.bot.fronted.ravel().tolist()
            self.contain = self.bot.containment.ravel().tolist()
            self.bot_switch_cdf = np.cumsum(self.bot.switch, axis=1).tolist()
            self.bot_busy = 0
            self._arrive = self._arrive_with_bot
            self._bot_rng = streams.stream("chatbot/session")  # sessions beyond the keyed rows
        ctx = st.context
        self.ctx_share = 0.0 if ctx is None else ctx.share
        self.ctx_handle = 1.0 if ctx is None else ctx.handle_factor
        self.ctx_repeat = 1.0 if ctx is None else ctx.repeat_factor
        self.bot_ctx_share = (
            0.0 if self.bot is None else max(self.bot.context_share, self.ctx_share)
        )
        # -- callbacks ----------------------------------------------------------------------
        cbs = st.callbacks
        self.has_cb = cbs is not None
        if cbs is not None:
            self.cb_on = list(cbs.channels)
            self.cb_threshold = cbs.threshold_s
            self.cb_accept = cbs.acceptance
            self.cb_min_idle = cbs.min_idle_agents
            self.cb_deadline = cbs.deadline_s
            self.cbq: list[deque[int]] = [deque() for _ in range(n_ch * n_in)]
            self.cbdue: list[deque[int]] = [deque() for _ in range(n_ch * n_in)]
            self.pool_keys = [
                sorted({s.channel * n_in + s.intent for s in pool.skills if not s.secondary})
                for pool in centre.pools
            ]
            self.mean_handle = centre.mean_handle_s().ravel().tolist()

    def _start(self, i: int, a: int, now: float) -> None:
        c = self.channel[i]
        p = self.agent_pool[a]
        k = self.n_active[a]
        self.n_active[a] = k + 1
        self.state[i] = _IN_SERVICE
        self.answer[i] = now
        self.pool_of[i] = p
        duration = self.handle[i] * self.factor[p][c * self.n_in + self.intent[i]]
        if self.conc[c] > 1:
            duration *= self._open_slot(a, p, c, k)
        At(self.env, duration, (i, a), self._cb_service_end)

    def _open_slot(self, a: int, p: int, c: int, k: int) -> float:
        """Bookkeeping for an agent starting its (k+1)-th concurrent contact on channel ``c``;
        returns that contact's handle-time factor."""
        if k == 0:
            self.agent_channel[a] = c
        part = self.partial[p][c]
        if k + 1 < self.conc[c]:
            part[a] = None
        else:
            part.pop(a, None)
        return self.conc_factor[c][k]

    # -- events --------------------------------------------------------------------------------
    def _on_base_arrival(self, event: At) -> None:
        i = event._value
        now = self.arrival[i]  # the customer's own time: immediate answers wait exactly 0 s
        if i + 1 < self.n_base:
            At(self.env, self.arrival[i + 1] - now, i + 1, self._cb_base_arrival)
        if self.state[i] != _PREVENTED:
            self._arrive(i, now)

    def _on_base_arrival_after_calls(self, event: At) -> None:
        i = event._value
        j = self.notify[i]  # type: ignore[index]
        if j >= 0 and self.state[j] == _HANDLED and self.end[j] <= self.arrival[i]:
            self.state[i] = _PREVENTED  # their outbound call reached them in time
            self.end[i] = self.arrival[i]
        self._on_base_arrival(event)

    def _to_agents(self, i: int, now: float) -> None:
        """Contact ``i`` reaches the agents: answered at once, blocked, or queued."""
        c = self.channel[i]
        key = c * self.n_in + self.intent[i]
        a = self._find_agent(self.primary_pools[key], c)
        if a >= 0:
            self._start(i, a, now)
            return
        if self.deferred_pools[key]:  # workload shifting: a blending agent in a trough?
            for p in self.deferred_pools[key]:
                if len(self.idle[p]) > self.deferred_min_idle[p]:
                    self._start(i, self.idle[p].popleft(), now)
                    return
        if self.has_cb and self.cb_on[c] and self._offer_callback(i, key, c, now):
            return
        room = self.room[c]
        if room is not None and self.n_waiting[c] >= room:
            self.state[i] = _BLOCKED
            self.end[i] = now
            return
        self.queue[key].append(i)
        self.n_waiting[c] += 1
        if self.has_patience[c]:  # sync: abandonment; async: chasing (if a chaser channel)
            if self.is_async[c]:  # hours away: parked in the calendar
                if i >= self.n_base or self.tolerance_on_queue[key]:  # else set up front
                    self._calendar_at(now + self.patience[i], i, self._cb_tolerance, i)
            else:
                At(self.env, self.patience[i], i, self._cb_patience)
        if self.has_overflow[key]:
            self._watch_overflow(i, key)

    def _watch_overflow(self, i: int, key: int) -> None:
        """Contact ``i`` joins queue ``key`` and may overflow to secondary pools later."""
        watch = self.overflow_watch
        watch.append((self.env._now + self.overflow_s, i, key))
        if len(watch) == 1:  # no timer pending
            At(self.env, self.overflow_s, None, self._cb_overflow)

    def _on_overflow(self, event: At) -> None:
        """The oldest waiting contact (of any queue) reaches the overflow delay: secondary pools
        may take it now; then the timer moves on to the next contact still waiting."""
        watch = self.overflow_watch
        now = self.env._now
        state = self.state
        while watch:
            due, i, key = watch[0]
            if state[i] != _WAITING:
                watch.popleft()  # answered or abandoned first: never overflows
                continue
            if due > now:
                at_time(self.env, due, None, self._cb_overflow)
                return
            watch.popleft()
            self._overflow(i, key, now)

    def _overflow(self, i: int, key: int, now: float) -> None:
        """Waiting contact ``i`` of queue ``key`` is past the overflow delay."""
        c = self.channel[i]
        a = self._find_agent(self.secondary_pools[key], c)
        if a >= 0:
            self.n_waiting[c] -= 1
            self._start(i, a, now)
        else:
            self.oqueue[key].append(i)  # secondary pools now see it too

    def _on_service_end(self, event: At) -> None:
        i, a = event._value
        now = self.env._now
        self.state[i] = _HANDLED
        self.end[i] = now
        if self.has_repeats and self.unresolved[i]:
            # Context cuts the chance of an unresolved contact: 1 - FCR becomes x repeat_factor.
            if (
                not self.ctx[i]
                or self.resolve_u[i] >= 1.0 - (1.0 - self.fcr[self.intent[i]]) * self.ctx_repeat
            ):
                self._follow_up(i, _REPEAT)
        p = self.agent_pool[a]
        k = self.n_active[a] - 1
        self.n_active[a] = k
        c = self.channel[i]
        if self.to_leave[p] or self.leaving[a] or self.conc[c] > 1 or self.has_cb:
            self._service_end_slow(a, p, c, k, now)  # a staffing cut, chats, or callbacks
            return
        # The common case: a one-contact-at-a-time agent takes the next contact or goes idle.
        j = self._next_contact(a, None)
        if j >= 0:
            cj = self.channel[j]
            self.n_waiting[cj] -= 1
            self._start(j, a, now)
            if self.n_active[a] < self.conc[cj]:
                self._fill(a, cj, now)
        else:
            self.idle[p].append(a)
            self.idle_since[a] = now

    def _service_end_slow(self, a: int, p: int, c: int, k: int, now: float) -> None:
        if self.to_leave[p] or self.leaving[a]:
            if not self.leaving[a]:
                # A cut is pending: this agent is the next to go (after any open chats).
                self.to_leave[p] -= 1
                self.leaving[a] = True
                if k:
                    self.draining[p][a] = None
            if self.conc[c] > 1:
                self.partial[p][c].pop(a, None)
            if k == 0:
                self.draining[p].pop(a, None)  # shift over: open contacts were finished first
            return
        if k == 0:
            self.partial[p][c].pop(a, None)
            self._take_work(a, None, now)
            return
        j = self._next_contact(a, c)
        if j >= 0:
            self.n_waiting[c] -= 1
            self._start(j, a, now)
        elif j == -1:
            self.partial[p][c][a] = None  # free slot: new chats may be routed here
        else:  # better work waits on another channel: take no more chats, drain, then switch
            self.partial[p][c].pop(a, None)

    def _take_work(self, a: int, c: int | None, now: float) -> None:
        """A fully idle agent takes the best waiting contact, or joins the idle line."""
        p = self.agent_pool[a]
        if self.has_cb:
            j = self._due_callback(p)  # callbacks past their deadline first
            if j < 0:
                j = self._next_contact(a, c)
            if j < 0 and len(self.idle[p]) >= self.cb_min_idle:
                j = self._callback_for(p)  # enough colleagues stay idle
        else:
            j = self._next_contact(a, c)
        if j >= 0:
            if not self.cb[j]:  # a callback was never counted among the live waiting
                self.n_waiting[self.channel[j]] -= 1
            self._start(j, a, now)
            # With spare concurrency, fill the remaining slots from the same channel.
            cj = self.channel[j]
            if self.n_active[a] < self.conc[cj]:
                self._fill(a, cj, now)
        else:
            self.idle[p].append(a)
            self.idle_since[a] = now

    def _fill(self, a: int, c: int, now: float) -> None:
        """Agent ``a``, with contacts open on ``c``, takes waiting ones into their free slots."""
        while self.n_active[a] < self.conc[c]:
            j = self._next_contact(a, c)
            if j < 0:
                if j == _ELSEWHERE:
                    self.partial[self.agent_pool[a]][c].pop(a, None)
                break
            self.n_waiting[c] -= 1
            self._start(j, a, now)

    def _on_patience_expired(self, event: At) -> None:
        i = event._value
        if self.state[i] != _WAITING:
            return
        now = self.env._now
        self.state[i] = _ABANDONED
        self.end[i] = now
        c = self.channel[i]
        self.n_waiting[c] -= 1
        if self._retry_delay is not None:  # _uk(i, _U_RETRY), inlined: one per abandonment
            k = self.slot[i]
            u = self._keyed_retry[self.customer[i] * _ROWS + k] if k <= _SLOTS else self._u()
            if u < self.retry_prob[c]:
                self._follow_up(i, _RETRY)

    def _on_tolerance(self, event: At) -> None:
        """An async customer still unanswered after their tolerance chases on the chaser channel."""
        i = event._value
        c = self.chaser
        if self.state[i] == _WAITING and c is not None:
            t = self.env._now
            k = int(t // self.interval_s)
            if self.next_open[c][k] != k:
                t = self._when_open(c, t, k)
                if t < 0.0:
                    return
            # Void once contact i is answered (the calendar drops it; _on_follow_up checks).
            args = (c, _CHASER, i, self.intent[i], self.customer[i])
            self._calendar_at(t, args, self._cb_follow_up, i)

    def _uk(self, i: int, field: int) -> float:
        """Contact ``i``'s keyed uniform for ``field`` (see _CustomerDraws)."""
        k = self.slot[i]
        if k <= _SLOTS:
            return self.keyed.u[field][self.customer[i] * _ROWS + k]  # type: ignore[union-attr]
        return self._u()

    def _follow_up(self, i: int, kind: int) -> None:
        """A retry (after abandonment) or repeat (unresolved) of contact ``i``: when and on which
        channel come from ``i``'s keyed draws. After the horizon it never arrives."""
        keyed_delay, delay_q, switch_cdf, plain = self._follow_ups[kind]  # type: ignore[misc]
        k = self.slot[i]
        if k <= _SLOTS:
            row = self.customer[i] * _ROWS + k
            t = self.env._now + delay_q(keyed_delay[row])
            kt = int(t // self.interval_s)
            if kt >= self.n_intervals:
                return  # a keyed draw: the channel draw need not be read
            u = self._keyed_switch[row]
        else:
            u = self._u()  # plain streams: drawn in this order whatever happens next
            t = self.env._now + plain()
            kt = int(t // self.interval_s)
            if kt >= self.n_intervals:
                return
        c = bisect_right(switch_cdf[self.channel[i]], u)
        if self.next_open[c][kt] != kt:
            t = self._when_open(c, t, kt)
            if t < 0.0:
                return
            kt = int(t // self.interval_s)
        # The follow-up's intent and customer travel with it: read now, while contact i is in
        # the cache, not days later.
        args = (c, kind, i, self.intent[i], self.customer[i])
        self._calendar_at_interval(t, kt, args, self._cb_follow_up)

    def _when_open(self, c: int, t: float, k: int) -> float:
        """When a contact due at ``t`` (in interval ``k``) on channel ``c`` comes, if the line is
        closed then; -1 if never.

        Customers do not call a closed line: a contact that would come while channel ``c`` has
        no arrivals planned (outside opening hours) comes in the next open interval instead, at
        the same offset within the interval; after the horizon it never arrives.
        """
        k_open = self.next_open[c][k]
        if k_open >= self.n_intervals:
            return -1.0
        dt = self.interval_s
        now = self.env._now
        return now + (k_open * dt + (t - k * dt) - now)  # the float a relative timer would give

    def _on_follow_up(self, event: At) -> None:
        c, kind, origin, intent, cust = event._value
        if kind == _CHASER and self.state[origin] != _WAITING:
            return  # answered while the chaser waited for the line to open: no need to chase
        i = self._create(c, intent, cust, kind)
        if self.ctx_share and c != self.channel[origin] and self._uk(i, _U_CTX) < self.ctx_share:
            self.ctx[i] = 1  # a channel switch that keeps the customer's history
            self.handle[i] *= self.ctx_handle
        self._arrive(i, self.env._now)

    def _create(self, c: int, j: int, cust: int, kind: int) -> int:
        """A new contact (a follow-up of customer ``cust``) arriving now; returns its id.

        Columns have room beyond the last contact (``_grow``), zero-filled: its answer, end,
        pool, callback and context flags start at 0 and its state at waiting (0)."""
        i = self.n
        if i == self.capacity:
            self._grow()
        self.n = i + 1
        now = self.env._now
        self.arrival[i] = now
        self.queued[i] = now
        self.channel[i] = c
        self.intent[i] = j
        self.kind[i] = kind
        self.customer[i] = cust
        k = self.n_follow[cust] + 1  # this customer's k-th follow-up
        self.n_follow[cust] = k
        if k <= _SLOTS:
            self.slot[i] = k
            row = cust * _SLOTS + k - 1
            self.handle[i] = self._handle_q[c](self._keyed_handle[row])
            pat_q = self._patience_q[c]
            self.patience[i] = _INF if pat_q is None else pat_q(self._keyed_patience[row])
            u = self._keyed_resolve[cust * _ROWS + k]
        else:
            self.slot[i] = k if k < 255 else 255
            self.handle[i] = self._new_handle[c]()
            pat = self._new_patience[c]
            self.patience[i] = pat() if pat is not None else _INF
            u = self._new_u()
        self.resolve_u[i] = u
        self.unresolved[i] = u >= self.fcr[j]
        return i

    def _grow(self) -> None:
        """Room for more contacts: every column grows in place (routers and the calendar hold
        references to some), by a quarter of its size and at least a chunk, zero-filled."""
        extra = max(_CHUNK, self.capacity // 4)
        for col in self._columns:
            if isinstance(col, array):
                col.frombytes(bytes(col.itemsize * extra))
            else:
                col.extend(bytes(extra))
        self.capacity += extra

    # -- chatbot -----------------------------------------------------------------------------
    def _arrive_with_bot(self, i: int, now: float) -> None:
        key = self.channel[i] * self.n_in + self.intent[i]
        if not self.fronted[key] or self.kind[i] not in _VIA_BOT:
            self._to_agents(i, now)
            return
        cap = self.bot.capacity  # type: ignore[union-attr]
        if cap is not None and self.bot_busy >= cap:
            self._to_agents(i, now)  # every bot session busy: straight to the agents
            return
        self.bot_busy += 1
        self.state[i] = _IN_BOT
        At(self.env, self._keyed_session(i), i, self._cb_bot_end)

    def _keyed_session(self, i: int) -> float:
        k = self.slot[i]
        if k <= _SLOTS:
            return self._session_q(self._keyed_session_u[self.customer[i] * _ROWS + k])
        return float(self.bot.session.sample(self._bot_rng, 1)[0])  # type: ignore[union-attr]

    def _bot_draws(self, i: int) -> tuple[float, float, float]:
        """The contact's keyed uniforms for containment, context kept and channel switch (so
        paired runs contain the same customers, and more of them as containment rises)."""
        return self._uk(i, _U_BOT_CONTAIN), self._uk(i, _U_BOT_CTX), self._uk(i, _U_BOT_SWITCH)

    def _on_bot_end(self, event: At) -> None:
        i = event._value
        now = self.env._now
        self.bot_busy -= 1
        c = self.channel[i]
        key = c * self.n_in + self.intent[i]
        u_contain, u_ctx, u_switch = self._bot_draws(i)
        if u_contain < self.contain[key]:
            self.state[i] = _CONTAINED
            self.end[i] = now
            return
        bot = self.bot
        assert bot is not None
        with_ctx = u_ctx < self.bot_ctx_share
        factor = bot.context_factor if with_ctx else bot.no_context_factor
        row = self.bot_switch_cdf[c]
        to = 0
        while to < len(row) - 1 and u_switch >= row[to]:
            to += 1
        if to == c:  # escalated to the agents of this channel
            self.state[i] = _WAITING
            self.handle[i] *= factor
            self.ctx[i] = with_ctx
            self.queued[i] = now
            self._to_agents(i, now)
            return
        self.state[i] = _SWITCHED  # the customer leaves the bot for another channel
        self.end[i] = now
        j = self._create(to, self.intent[i], self.customer[i], _BOT_SWITCH)
        self.handle[j] *= factor
        self.ctx[j] = with_ctx
        self._to_agents(j, now)

    # -- callbacks ---------------------------------------------------------------------------
    def _offer_callback(self, i: int, key: int, c: int, now: float) -> bool:
        """No agent is free: offer a callback if the expected wait exceeds the threshold.
        Expected wait: (live contacts waiting + 1) x mean handle time / agents serving."""
        servers = sum(self.present[p] for p in self.primary_pools[key]) * self.conc[c]
        ewt = (self.n_waiting[c] + 1) * self.mean_handle[key] / max(servers, 1)
        if ewt <= self.cb_threshold or self._uk(i, _U_CB) >= self.cb_accept:
            return False
        self.cb[i] = 1
        self.cbq[key].append(i)
        self._calendar_at(self.env._now + self.cb_deadline, i, self._cb_cb_deadline, i)
        return True

    def _on_cb_deadline(self, event: At) -> None:
        i = event._value
        if self.state[i] != _WAITING:
            return
        c = self.channel[i]
        key = c * self.n_in + self.intent[i]
        a = self._find_agent(self.primary_pools[key], c)
        if a >= 0:
            self._start(i, a, self.env._now)
        else:
            self.cbdue[key].append(i)  # the next free agent calls back first

    def _due_callback(self, p: int) -> int:
        for key in self.pool_keys[p]:
            q = self.cbdue[key]
            while q:
                i = q.popleft()
                if self.state[i] == _WAITING:
                    return i
        return -1

    def _callback_for(self, p: int) -> int:
        """The oldest callback request the pool can work, popped; -1 if none."""
        best, best_key = -1, -1
        for key in self.pool_keys[p]:
            q = self.cbq[key]
            while q and self.state[q[0]] != _WAITING:
                q.popleft()
            if q and (best < 0 or self.queued[q[0]] < self.queued[best]):
                best, best_key = q[0], key
        if best >= 0:
            self.cbq[best_key].popleft()
        return best

    def _on_interval(self, k: int) -> None:
        """Interval ``k`` starts: staffing changes, pool by pool; then the tolerance timers of
        first contacts due in it, for those still waiting (or yet to arrive)."""
        for p, agents in enumerate(self.staffing):
            if k == 0 or agents[k] != agents[k - 1]:
                self._set_staffing(p, agents[k])
        due = self.tolerance_due[k]
        if due:
            env, state, arrival, patience = self.env, self.state, self.arrival, self.patience
            now = env._now
            for i in due:
                if state[i] == _WAITING:
                    t = arrival[i] + patience[i]
                    at_time(env, t if t >= now else now, i, self._cb_tolerance)

    def _set_staffing(self, p: int, target: int) -> None:
        now = self.env._now
        present = self.present[p]
        self.present[p] = target
        if target > present:
            add = target - present
            cancel = min(add, self.to_leave[p])  # cuts not yet carried out are called off
            self.to_leave[p] -= cancel
            add -= cancel
            draining = self.draining[p]
            while add and draining:
                a = next(iter(draining))  # an agent still finishing chats after a cut stays
                del draining[a]
                self.leaving[a] = False
                c = self.agent_channel[a]
                if self.n_active[a] < self.conc[c]:
                    self.partial[p][c][a] = None
                    self._fill(a, c, now)  # chats may have queued since the cut
                add -= 1
            for _ in range(add):
                a = len(self.agent_pool)
                self.agent_pool.append(p)
                self.n_active.append(0)
                self.agent_channel.append(0)
                self.leaving.append(False)
                self.idle_since.append(now)
                self._take_work(a, None, now)
        elif target < present:
            drop = present - target
            idle = self.idle[p]
            while drop and idle:
                a = idle.pop()  # the most recently idle goes; the longest idle keeps its place
                self.leaving[a] = True
                drop -= 1
            # Partly busy chat agents stop taking chats and leave when their last one ends.
            for c in range(self.n_ch):
                part = self.partial[p][c]
                while drop and part:
                    a = next(iter(part))
                    del part[a]
                    self.leaving[a] = True
                    self.draining[p][a] = None
                    drop -= 1
            self.to_leave[p] += drop  # the rest: the next agents to finish a contact

    # -- run -------------------------------------------------------------------------------------
    def run(self) -> ContactRecords:
        env, centre = self.env, self.centre
        self.calendar.start()  # interval 0's staffing comes first
        if self.n_base:
            At(env, self.arrival[0], 0, (self._on_base_arrival,))
        run_until(env, centre.horizon_s)
        return self._records()

    def _records(self) -> ContactRecords:
        n = self.n

        def col(values: Any, dtype: Any) -> np.ndarray:
            return np.frombuffer(values, dtype=dtype, count=n).copy()  # the contacts, not the room

        outcome = col(self.state, np.int8)
        answer = col(self.answer, np.float64)
        end = col(self.end, np.float64)
        answered = (outcome == _IN_SERVICE) | (outcome == _HANDLED)
        answer[~answered] = np.nan
        end[(outcome == _WAITING) | (outcome == _IN_SERVICE) | (outcome == _IN_BOT)] = np.nan
        queued = col(self.queued, np.float64)
        never_queued = (
            (outcome == _CONTAINED)
            | (outcome == _PREVENTED)
            | (outcome == _IN_BOT)
            | (outcome == _SWITCHED)
        )
        queued[never_queued] = np.nan
        return ContactRecords(
            arrival_s=col(self.arrival, np.float64),
            handle_s=col(self.handle, np.float64),
            patience_s=col(self.patience, np.float64),
            answer_s=answer,
            end_s=end,
            outcome=outcome,
            horizon_s=self.centre.horizon_s,
            channel=col(self.channel, np.int8),
            intent=col(self.intent, np.int8),
            kind=col(self.kind, np.int8),
            customer=col(self.customer, np.int64).astype(np.int32),
            pool=col(self.pool_of, np.int8),
            queued_s=queued,
            callback=col(self.cb, np.int8),
        )


def simulate(centre: Centre, customers: Customers, streams: RandomStreams) -> ContactRecords:
    """Run one replication of ``centre`` for the given customers; returns per-contact records."""
    # No cyclic garbage collection meanwhile (as timeit does): a run makes no reference cycles
    # per event, but it builds its lookups and keeps thousands of containers alive for days of
    # simulated time (the calendar), and each collection walked them again: about 1.5% of a
    # week's run time. Restored on return, even on an error.
    collecting = gc.isenabled()
    gc.disable()
    engine = None
    try:
        engine = _Centre(centre, customers, streams)
        return engine.run()
    finally:
        if engine is not None:
            # The engine refers to itself (bound callbacks, its router, calendar and event
            # heap): dropping its attributes lets reference counting free the whole run at once,
            # instead of the next collection walking everything it built to find the cycle.
            for name in _Centre.__slots__:
                if hasattr(engine, name):
                    delattr(engine, name)
        if collecting:
            gc.enable()
