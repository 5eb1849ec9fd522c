"""Arrivals: a non-homogeneous Poisson process with piecewise-constant rates (or, for a
channel whose ``arrivals`` say so, a renewal process on the clock of the cumulative rate), and
the attributes each customer brings (handle time, patience), drawn from their own streams."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ccsim.engine.rng import RandomStreams
from ccsim.model.arrival_process import ArrivalProcess
from ccsim.model.centre import Centre
from ccsim.model.strategies import OutreachSpec

__all__ = [
    "Customers",
    "sample_customers",
    "poisson_arrival_times",
    "renewal_arrival_times",
    "notices_sent",
]


def poisson_arrival_times(
    rng: np.random.Generator, rate_per_s: np.ndarray, interval_s: float
) -> np.ndarray:
    """Sorted arrival times of a Poisson process whose rate is constant within each interval.

    Given the count in an interval, Poisson arrivals are uniform on it, so one vectorised draw
    of counts and one of positions replace an event-by-event loop.
    """
    counts = rng.poisson(rate_per_s * interval_s)
    starts = np.repeat(np.arange(len(rate_per_s), dtype=np.float64) * interval_s, counts)
    times = starts + rng.random(int(counts.sum())) * interval_s
    # Sorting within each interval keeps the grid: every time stays in its own interval.
    return np.sort(times, kind="stable")


def _unit_epochs(rng: np.random.Generator, end: float, process: ArrivalProcess) -> np.ndarray:
    """Epochs below ``end`` of the stationary renewal process of unit rate ``process``."""
    first = process.first_gap(rng)
    if first >= end:
        return np.zeros(0)
    # The count in [0, end) is about end +- cv sqrt(end): one draw of gaps nearly always
    # suffices; more are drawn (in chunks of the same rule) until the epochs pass ``end``.
    chunks, last = [np.array([first])], first
    while last < end:
        rest = end - last
        n = int(rest + 4.0 * process.cv_gap * np.sqrt(rest) + 16.0)
        epochs = last + np.cumsum(process.gaps(rng, n))
        chunks.append(epochs)
        last = float(epochs[-1])
    epochs = np.concatenate(chunks)
    return epochs[epochs < end]


def renewal_arrival_times(
    rng: np.random.Generator, rate_per_s: np.ndarray, interval_s: float, process: ArrivalProcess
) -> tuple[np.ndarray, np.ndarray]:
    """Sorted arrival times of the renewal process ``process`` run at the rate ``rate_per_s``
    (constant within each interval), and the interval of each.

    Time change: the epochs of a stationary renewal process of unit rate are mapped through the
    inverse of the cumulative rate ``L(t)`` (the expected count by ``t``), piecewise linear
    since the rate is piecewise constant. At a constant rate this is exactly the renewal
    process with inter-arrival times ``gap / rate``; when the rate changes, the process keeps
    its shape in *operational time* (the forecast's volume), so every interval gets its volume
    on average. An interval of rate 0 has ``L`` flat: it gets no arrival and the gap under way
    resumes when the rate does (the process is frozen, not restarted).
    """
    edges = np.concatenate(([0.0], np.cumsum(rate_per_s * interval_s)))
    epochs = _unit_epochs(rng, float(edges[-1]), process)
    # edges[k] <= epoch < edges[k + 1]: interval k, which has a positive rate (side="right"
    # steps over the flat stretches of rate-0 intervals).
    k = np.searchsorted(edges, epochs, side="right") - 1
    offset_s = (epochs - edges[k]) / rate_per_s[k]
    # Rounding must not push a time onto the next interval's start.
    offset_s = np.minimum(offset_s, np.nextafter(interval_s, 0.0))
    return k * interval_s + offset_s, k


@dataclass(frozen=True)
class Customers:
    """The customers who arrive of their own accord, in arrival order, with their attributes:
    channel and intent (indices), drawn handle time and patience (s), and the uniform draw that
    decides whether their contact is resolved (resolved when below the intent's FCR).

    ``kind``: a ContactKind (NEW, or REPLY / OUTBOUND for a campaign's replies and calls);
    ``event``: the demand event that brought the customer (-1: none); ``prevented``: a proactive
    notice kept them from contacting. ``notify[i]``: the outbound call (a customer index) whose
    notice keeps customer i from contacting if it is made before they would contact (-1: none;
    None without call campaigns). ``notices[i]``: the notices outreach campaign i
    (``Centre.strategies.outreach`` order) sent by SMS, e-mail or push in this run (see
    :func:`notices_sent`); they change no contact and are kept for the cost of the run.
    """

    arrival_s: np.ndarray
    channel: np.ndarray
    intent: np.ndarray
    handle_s: np.ndarray
    patience_s: np.ndarray
    resolve_u: np.ndarray
    kind: np.ndarray | None = None
    event: np.ndarray | None = None
    prevented: np.ndarray | None = None
    notify: np.ndarray | None = None
    notices: tuple[float, ...] = ()


def _renewal_channel(
    rng: np.random.Generator, rate: np.ndarray, interval_s: float, process: ArrivalProcess
) -> tuple[np.ndarray, np.ndarray]:
    """One channel's arrivals as one renewal process at its total rate (``rate[j, k]`` by
    intent), and their intents: in interval k intent j with probability ``rate[j, k]`` over
    the total (the channel's arrivals, not each intent's, are the renewal process)."""
    total = rate.sum(axis=0)
    t, k = renewal_arrival_times(rng, total, interval_s, process)
    if rate.shape[0] == 1:
        return t, np.zeros(t.size, dtype=np.int8)
    cum = np.cumsum(rate[:, k], axis=0) / total[k]
    u = rng.random(t.size)
    intent = np.minimum((u[None, :] >= cum).sum(axis=0), rate.shape[0] - 1)
    return t, intent.astype(np.int8)


def _arrivals(
    centre: Centre, streams: RandomStreams, rate: np.ndarray, prefix: str, renewal: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Arrival times, channels and intents of the Poisson streams ``rate[c, j, k]``, sorted.
    With ``renewal``, a channel whose arrivals are not Poisson is one renewal process drawn
    from the stream ``{prefix}{channel}`` (a Poisson channel keeps its streams and draws)."""
    n_ch, n_in, _ = rate.shape
    times, chans, ints = [], [], []
    for c in range(n_ch):
        process = centre.channels[c].arrivals
        if renewal and not process.is_poisson:
            rng = streams.stream(f"{prefix}{centre.channels[c].name}")
            t, intent = _renewal_channel(rng, rate[c], centre.interval_s, process)
            times.append(t)
            chans.append(np.full(t.size, c, dtype=np.int8))
            ints.append(intent)
            continue
        for j in range(n_in):
            name = f"{prefix}{centre.channels[c].name}/{centre.intents[j].name}"
            t = poisson_arrival_times(streams.stream(name), rate[c, j], centre.interval_s)
            times.append(t)
            chans.append(np.full(t.size, c, dtype=np.int8))
            ints.append(np.full(t.size, j, dtype=np.int8))
    arrival = np.concatenate(times) if times else np.zeros(0)
    order = np.argsort(arrival, kind="stable")
    return arrival[order], np.concatenate(chans)[order], np.concatenate(ints)[order]


def _attributes(
    centre: Centre,
    streams: RandomStreams,
    arrival: np.ndarray,
    channel: np.ndarray,
    intent: np.ndarray,
    suffix: str,
    kind: int = 0,
    event: int = -1,
) -> dict[str, np.ndarray]:
    """Handle time, patience and resolution draws of one group of customers, each from the
    group's own streams (``suffix``), so adding a group never changes another's draws."""
    handle = np.empty(arrival.size)
    patience = np.full(arrival.size, np.inf)
    for c, ch in enumerate(centre.channels):
        sel = channel == c
        handle[sel] = ch.handle_time.sample(
            streams.stream(f"handle_time/{ch.name}{suffix}"), int(sel.sum())
        )
        if ch.patience is not None:
            patience[sel] = ch.patience.sample(
                streams.stream(f"patience/{ch.name}{suffix}"), int(sel.sum())
            )
    out = {
        "arrival_s": arrival,
        "channel": channel,
        "intent": intent,
        "handle_s": handle,
        "patience_s": patience,
        "resolve_u": streams.stream(f"resolution{suffix}").random(arrival.size),
        "kind": np.full(arrival.size, kind, dtype=np.int8),
        "event": np.full(arrival.size, event, dtype=np.int8),
        "prevented": np.zeros(arrival.size, dtype=bool),
    }
    return out


def notices_sent(centre: Centre, camp: OutreachSpec) -> float:
    """Notices a campaign by SMS, e-mail or push sends (``camp`` with its run's event rates,
    :meth:`OutreachSpec.with_event`): one to each customer it reaches, reach x audience (the
    customers the event brings in this run when no audience is set), rounded as the outbound
    calls of a campaign by call are; none when the notice time falls after the horizon."""
    if camp.call_channel is not None or camp.notify_s >= centre.horizon_s:
        return 0.0  # a campaign by call notifies by its calls
    if camp.event_rate_total <= 0:  # the event brings nobody in this run: no campaign
        return 0.0
    audience = camp.audience if camp.audience >= 0 else camp.event_rate_total
    return float(round(camp.reach * audience))


def _campaign(
    centre: Centre, streams: RandomStreams, camp: OutreachSpec, group: dict[str, np.ndarray]
) -> tuple[list[dict[str, np.ndarray]], dict[str, np.ndarray] | None, np.ndarray | None]:
    """Apply a proactive campaign to its event's customers and return the contacts the
    campaign itself brings (replies, outbound calls), the calls' group, and for each event
    customer the call (an index into that group) that may keep them from contacting (-1: none).

    By SMS, email or push the notice reaches everyone at ``notify_s``: ``prevented`` is set
    here. By call, a customer is notified only when their call connects, which the engine
    learns as the calls are worked: it checks ``notify`` when the customer would contact."""
    from ccsim.model.records import ContactKind

    rng = streams.stream(f"outreach/{camp.name}")
    u = rng.random((group["arrival_s"].size, 2))
    later = group["arrival_s"] >= camp.notify_s
    by_call = camp.call_channel is not None
    if not by_call:
        group["prevented"] |= later & (u[:, 0] < camp.reach) & (u[:, 1] < camp.prevention)
    if camp.notify_s >= centre.horizon_s or camp.event_rate_total <= 0:
        return [], None, None
    notified_share = camp.reach * (camp.contact_rate if by_call else 1.0)
    audience = camp.audience if camp.audience >= 0 else camp.event_rate_total
    intent_p = camp.event_intent_share
    out = []
    n_replies = rng.poisson(camp.replies_per_notified * notified_share * audience)
    if n_replies and camp.reply_channel is not None:
        delay = camp.reply_delay.sample(rng, n_replies) if camp.reply_delay else np.zeros(n_replies)
        t = np.sort(camp.notify_s + delay)
        keep = (t >= 0) & (t < centre.horizon_s)
        t = t[keep]
        chan = np.full(t.size, camp.reply_channel, dtype=np.int8)
        ints = rng.choice(len(intent_p), size=t.size, p=intent_p).astype(np.int8)
        out.append(
            _attributes(
                centre, streams, t, chan, ints, f"/reply/{camp.name}", ContactKind.REPLY, camp.event
            )
        )
    if camp.call_channel is not None:
        n_calls = int(round(camp.reach * audience))
        t = np.full(n_calls, max(camp.notify_s, 0.0))
        chan = np.full(n_calls, camp.call_channel, dtype=np.int8)
        ints = rng.choice(len(intent_p), size=n_calls, p=intent_p).astype(np.int8)
        calls = _attributes(
            centre, streams, t, chan, ints, f"/call/{camp.name}", ContactKind.OUTBOUND, camp.event
        )
        failed = rng.random(n_calls) >= camp.contact_rate
        calls["handle_s"][failed] = camp.attempt_s
        calls["resolve_u"][:] = 0.0  # an outbound notice brings no repeat
        out.append(calls)
        # The event's customers on the call list (reach) each get one call, in random order;
        # only a connected call notifies, and a notified customer stays away with probability
        # ``prevention``, provided the call ends before they would have contacted.
        listed = np.flatnonzero(later & (u[:, 0] < camp.reach))[:n_calls]
        call_of = rng.permutation(n_calls)[: listed.size]
        keep = ~failed[call_of] & (u[listed, 1] < camp.prevention)
        notify = np.full(group["arrival_s"].size, -1, dtype=np.int64)
        notify[listed[keep]] = call_of[keep]
        return out, calls, notify
    return out, None, None


def sample_customers(centre: Centre, streams: RandomStreams) -> Customers:
    """Draw every new customer of a run. Each (channel, intent) has its own arrival stream (a
    channel with renewal arrivals one for all its intents) and each channel its own attribute
    streams, drawn in arrival order: customer i of a channel gets the i-th draw whatever happens
    to anyone, so paired runs see the same customers. Customers that demand events and
    campaigns bring are drawn from streams of their own."""
    rate = centre.rate_per_s
    events = centre.event_rate_per_s
    if events is not None:
        rate = np.clip(rate - events.sum(axis=0), 0.0, None)
    mult = None
    if centre.day_volume_cv > 0:
        # One multiplier per calendar day (days start at midnight, not at the horizon start).
        n_k = rate.shape[2]
        per_day = max(1, int(round(86400.0 / centre.interval_s)))
        first = int(round(centre.clock_start_h * 3600.0 / centre.interval_s))
        day = (np.arange(n_k) + first) // per_day
        shape = 1.0 / centre.day_volume_cv**2
        mult = streams.stream("day_volume").gamma(shape, 1.0 / shape, int(day[-1]) + 1)[day]
        rate = rate * mult
    # Only the channels' own arrivals follow their process; the extra customers demand events
    # bring (below) stay Poisson, from streams of their own.
    base = _arrivals(centre, streams, rate, "arrivals/", renewal=True)
    groups = [_attributes(centre, streams, *base, "")]
    campaigns = {camp.event: camp for camp in centre.strategies.outreach}
    campaign_index = {camp.event: i for i, camp in enumerate(centre.strategies.outreach)}
    notices = [0.0] * len(centre.strategies.outreach)
    calls_for: list[tuple[int, int, np.ndarray]] = []  # (event group, calls group, notify)
    for e, name in enumerate(centre.event_names):
        assert events is not None
        erate = events[e] if mult is None else events[e] * mult
        if not erate.any():
            continue
        group = _attributes(
            centre,
            streams,
            *_arrivals(centre, streams, erate, f"event/{name}/"),
            f"/event/{name}",
            event=e,
        )
        groups.append(group)
        if e in campaigns:
            camp = campaigns[e].with_event(erate, centre.interval_s)
            notices[campaign_index[e]] = notices_sent(centre, camp)
            extra, calls, notify = _campaign(centre, streams, camp, group)
            if calls is not None and notify is not None:
                k = next(n for n, gr in enumerate(extra) if gr is calls)
                calls_for.append((len(groups) - 1, len(groups) + k, notify))
            groups += extra
    if len(groups) == 1:
        return Customers(**groups[0], notices=tuple(notices))
    g = {k: np.concatenate([gr[k] for gr in groups]) for k in groups[0]}
    order = np.argsort(g["arrival_s"], kind="stable")
    g = {k: v[order] for k, v in g.items()}
    if calls_for:
        # Call numbers within their group -> customer indices after the merge and sort.
        offset = np.cumsum([0] + [gr["arrival_s"].size for gr in groups])
        notify = np.full(offset[-1], -1, dtype=np.int64)
        for ev, call_group, per_customer in calls_for:
            hit = per_customer >= 0
            notify[offset[ev] : offset[ev + 1]][hit] = offset[call_group] + per_customer[hit]
        position = np.empty_like(order)
        position[order] = np.arange(order.size)
        notify = notify[order]
        g["notify"] = np.where(notify >= 0, position[np.maximum(notify, 0)], -1)
    return Customers(**g, notices=tuple(notices))
