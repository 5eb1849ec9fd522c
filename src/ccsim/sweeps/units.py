"""Which waits a comparison shows, in which unit: live (sync) channels' waits in seconds, async
backlogs' in hours, and no whole-centre ASA that averages the two (DOMAIN: a voice call's
20 s and an email's 20 h are not one quantity). The channels' modes come from each job's
``summary.json`` (``centre.channels``); older results without them are shown as before."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ccsim.sweeps.collect import Job

__all__ = [
    "LIVE_CHANNEL_METRICS",
    "ASYNC_CHANNEL_METRICS",
    "UNKNOWN_CHANNEL_METRICS",
    "MIXED_ASA_NOTE",
    "ChannelGroup",
    "centre_metrics",
    "mixes_modes",
    "channel_groups",
]

LIVE_CHANNEL_METRICS = ("sl_answered_within_t", "asa_s", "abandon_rate")
ASYNC_CHANNEL_METRICS = ("sl_answered_within_t", "asa_h", "late_async")
# Results that do not record their channels' modes (ccsim before the modes were written).
UNKNOWN_CHANNEL_METRICS = ("sl_answered_within_t", "asa_s", "abandon_rate", "late_async")
MIXED_ASA_NOTE = (
    "ASA is left out of the whole centre: it mixes live channels (waits in seconds) with "
    "backlogs (waits in hours); each channel has its own below."
)


def _modes(jobs: Iterable[Job]) -> set[str]:
    return {m for j in jobs for m in j.modes.values()}


def mixes_modes(jobs: Iterable[Job]) -> bool:
    """Whether the jobs' channels are both live and async (their centre ASA mixes units)."""
    return _modes(jobs) == {"sync", "async"}


def centre_metrics(metrics: Sequence[str], jobs: Iterable[Job]) -> tuple[str, ...]:
    """``metrics`` for the whole centre: ``asa_s`` as is for live channels (or unknown modes),
    as ``asa_h`` when every channel is async, left out when the centre has both."""
    modes = _modes(jobs)
    if modes == {"async"}:
        return tuple("asa_h" if m == "asa_s" else m for m in metrics)
    if modes == {"sync", "async"}:
        return tuple(m for m in metrics if m != "asa_s")
    return tuple(metrics)


@dataclass(frozen=True)
class ChannelGroup:
    """Channels read on the same metrics: live, async, or of unrecorded mode."""

    title: str  # "" when every channel is of one kind (or none is known)
    metrics: tuple[str, ...]
    channels: list[str]


def channel_groups(jobs: Sequence[Job]) -> list[ChannelGroup]:
    """The jobs' channels (in their runs' order) grouped by mode, each with its metrics."""
    channels = list(dict.fromkeys(ch for j in jobs for ch, _ in j.values if ch != "all"))
    mode = {ch: m for j in reversed(jobs) for ch, m in j.modes.items()}
    kinds = (
        ("sync", "Live channels (waits in seconds)", LIVE_CHANNEL_METRICS),
        ("async", "Async channels (backlogs: waits in hours)", ASYNC_CHANNEL_METRICS),
        (None, "Channels of unrecorded mode", UNKNOWN_CHANNEL_METRICS),
    )
    groups = [
        ChannelGroup(title, metrics, [ch for ch in channels if mode.get(ch) == kind])
        for kind, title, metrics in kinds
    ]
    groups = [g for g in groups if g.channels]
    if len(groups) == 1:
        return [ChannelGroup("", groups[0].metrics, groups[0].channels)]
    return groups
