"""The queues: one per (channel, intent) key, and which pools serve each, in what order.

A queue key is ``channel * n_intents + intent``. A contact that must wait joins ``waiting[key]``
and, once past the overflow delay, ``overflowed[key]`` too, which the key's secondary pools
serve. ``pool_queues[p]`` lists the queues pool ``p`` serves, best first, as ``(deque, key,
rank)``; ``rank`` = (channel priority, intent priority, 0 for own work or -1 for overflow).
Deferred work (workload shifting) ranks below everything else a pool does.
"""

from __future__ import annotations

from collections import deque

from ccsim.model.centre import Centre

__all__ = ["Queues", "Rank", "PoolQueue"]

Rank = tuple[int, int, int]
PoolQueue = tuple[deque[int], int, Rank]
_DEFERRED_PRIORITY = -(10**9)  # below any channel priority


class Queues:
    """The queue structure of a centre (built once) and the live waiting counts."""

    __slots__ = (
        "n_intents",
        "waiting",
        "overflowed",
        "n_waiting",
        "pool_queues",
        "proficiency",
        "primary_pools",
        "secondary_pools",
        "deferred_pools",
        "deferred_keys",
        "deferred_min_idle",
        "has_overflow",
    )

    def __init__(self, centre: Centre) -> None:
        chans, intents, pools = centre.channels, centre.intents, centre.pools
        n_ch, n_in = len(chans), len(intents)
        n_keys = n_ch * n_in
        self.n_intents = n_in
        self.waiting: list[deque[int]] = [deque() for _ in range(n_keys)]
        self.overflowed: list[deque[int]] = [deque() for _ in range(n_keys)]
        self.n_waiting = [0] * n_ch  # live contacts waiting, per channel (not callbacks)
        prio = [(chans[c].priority, intents[j].priority) for c in range(n_ch) for j in range(n_in)]
        self.pool_queues: list[list[PoolQueue]] = []
        # proficiency[p][key] multiplies pool p's handle time of the key's contacts.
        self.proficiency = [[1.0] * n_keys for _ in pools]
        self.primary_pools: list[list[int]] = [[] for _ in range(n_keys)]
        self.secondary_pools: list[list[int]] = [[] for _ in range(n_keys)]
        # Workload shifting: pools that take a key's work in troughs, the deferred keys per pool
        # and the idle colleagues each pool keeps in reserve before it takes them.
        self.deferred_pools: list[list[int]] = [[] for _ in range(n_keys)]
        self.deferred_keys: list[set[int]] = [set() for _ in pools]
        self.deferred_min_idle = [pool.deferred_min_idle for pool in pools]
        for p, pool in enumerate(pools):
            entries = []
            for s in pool.skills:
                key = s.channel * n_in + s.intent
                self.proficiency[p][key] = s.proficiency
                if s.deferred:
                    self.deferred_pools[key].append(p)
                    self.deferred_keys[p].add(key)
                    entries.append(((_DEFERRED_PRIORITY, 0), 0, key, self.waiting[key]))
                elif s.secondary:
                    self.secondary_pools[key].append(p)
                    entries.append((prio[key], 1, key, self.overflowed[key]))
                else:
                    self.primary_pools[key].append(p)
                    entries.append((prio[key], 0, key, self.waiting[key]))
            entries.sort(key=lambda e: (-e[0][0], -e[0][1], e[1], e[2]))
            # Rank: channel priority, intent priority, then own (primary) work before overflow.
            self.pool_queues.append([(q, key, (pr[0], pr[1], -sec)) for pr, sec, key, q in entries])
        self.has_overflow = [bool(self.secondary_pools[k]) for k in range(n_keys)]
