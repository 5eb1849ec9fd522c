"""Colours of channels and pools, the same in every figure of a run and of a comparison.

The usual channel names have fixed colours (voice blue, chat green, email orange, ...); any
other name gets a colour from a spare palette chosen by a stable hash of the name (CRC-32, not
Python's salted ``hash``), moved on to the next free colour when two names of the same figure
would share one. Pools take their own set, in the centre's order. Red is kept for the deficit
(agents short), grey and black for reference lines: no channel or pool is drawn in them. Pure
data: no matplotlib import.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable

__all__ = [
    "CHANNEL_COLOURS",
    "DEFICIT_COLOUR",
    "SPARE_COLOUR",
    "WARMUP_COLOUR",
    "CAPACITY_COLOUR",
    "REFERENCE_COLOUR",
    "HEATMAP_CMAP",
    "channel_colour",
    "channel_colours",
    "pool_colours",
]

# The deficit (demand above capacity) is this red everywhere; spare capacity this blue (the two
# ends of the heat map's colour map, "RdBu_r").
DEFICIT_COLOUR = "#d62728"
SPARE_COLOUR = "#2166ac"
WARMUP_COLOUR = "#9e9e9e"
CAPACITY_COLOUR = "#000000"
REFERENCE_COLOUR = "#6e6e6e"
HEATMAP_CMAP = "RdBu_r"  # diverging: blue spare, white 0, red short

# Fixed colours of the usual channel names (lower case; "-" and " " read as "_").
CHANNEL_COLOURS: dict[str, str] = {
    "voice": "#1f77b4",  # blue
    "phone": "#1f77b4",
    "calls": "#1f77b4",
    "inbound": "#1f77b4",
    "chat": "#2ca02c",  # green
    "webchat": "#2ca02c",
    "web_chat": "#2ca02c",
    "live_chat": "#2ca02c",
    "email": "#ff7f0e",  # orange
    "e_mail": "#ff7f0e",
    "mail": "#ff7f0e",
    "messaging": "#9467bd",  # purple
    "whatsapp": "#9467bd",
    "social": "#bcbd22",  # olive
    "sms": "#8c564b",  # brown
    "text": "#8c564b",
    "callback": "#17becf",  # cyan
    "callbacks": "#17becf",
    "outbound": "#0b3d91",  # navy
    "video": "#e6ab02",  # mustard
    "back_office": "#637939",  # dark olive
    "backoffice": "#637939",
    "cases": "#637939",
}
# Other channel names: distinct from the fixed ones and from the deficit red.
_SPARE_CHANNEL = (
    "#1b9e77",  # teal
    "#7570b3",  # slate blue
    "#a6761d",  # ochre
    "#66a61e",  # leaf green
    "#386cb0",  # steel blue
    "#b15928",  # rust
    "#6a3d9a",  # deep purple
    "#01665e",  # dark teal
    "#8dd3c7",  # aqua
    "#c51b7d",  # magenta
)
# Pools: their own set (occupancy.png draws pools only), ordered so the first ones differ most.
_POOL = (
    "#1b9e77",  # teal
    "#d95f02",  # burnt orange
    "#7570b3",  # slate blue
    "#e7298a",  # magenta
    "#66a61e",  # leaf green
    "#e6ab02",  # mustard
    "#a6761d",  # ochre
    "#386cb0",  # steel blue
    "#01665e",  # dark teal
    "#6a3d9a",  # deep purple
)


def _key(name: str) -> str:
    return name.strip().lower().replace("-", "_").replace(" ", "_")


def _slot(name: str, n: int) -> int:
    return zlib.crc32(_key(name).encode("utf-8")) % n


def channel_colour(name: str) -> str:
    """The colour of one channel name on its own (a fixed colour, else by hash)."""
    fixed = CHANNEL_COLOURS.get(_key(name))
    return fixed if fixed is not None else _SPARE_CHANNEL[_slot(name, len(_SPARE_CHANNEL))]


def _assign(names: Iterable[str], fixed: dict[str, str], spare: tuple[str, ...]) -> dict[str, str]:
    names = list(dict.fromkeys(names))
    out: dict[str, str] = {}
    for n in names:
        if _key(n) in fixed:
            out[n] = fixed[_key(n)]
    used = set(out.values())
    # The others in sorted order, so the colours depend on the set of names, not their order.
    for n in sorted(x for x in names if x not in out):
        i = _slot(n, len(spare))
        for step in range(len(spare)):
            c = spare[(i + step) % len(spare)]
            if c not in used:
                break
        else:  # more names than colours: share by hash
            c = spare[i]
        out[n] = c
        used.add(c)
    return {n: out[n] for n in names}


def channel_colours(names: Iterable[str]) -> dict[str, str]:
    """Colours of the channels of one figure (a centre's, or every job's of a comparison):
    fixed colours for the usual names, others by hash, two names never sharing one while
    spare colours last."""
    return _assign(names, CHANNEL_COLOURS, _SPARE_CHANNEL)


def pool_colours(names: Iterable[str]) -> dict[str, str]:
    """Colours of a centre's pools, in the centre's order (the first ones differ most); the
    same config gives the same colours in every run and comparison."""
    names = list(dict.fromkeys(names))
    return {n: _POOL[i % len(_POOL)] for i, n in enumerate(names)}
