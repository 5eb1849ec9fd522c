"""Hydra config schema of an activity-segment roster's activities,
``centre.roster_activities`` (used by :mod:`ccsim.config.schema`; docs/input_files.md,
"Activity segments")."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Dict, List

__all__ = ["RosterActivitiesConf", "DEFAULT_ACTIVITIES"]


@dataclass
class RosterActivitiesConf:
    """Which activities of a segment roster (``centre.roster_format: segments``) count how;
    names match without regard to case. ``on_phone``: paid and taking contacts. ``off_phone``:
    paid, not taking contacts (planned shrinkage: paid breaks, meetings, training).
    ``unpaid``: not scheduled (an unpaid lunch). An activity in none of them is an error."""

    on_phone: List[str] = field(default_factory=lambda: ["Open", "Phone", "Available", "Shift"])
    off_phone: List[str] = field(
        default_factory=lambda: ["Break", "Meeting", "Training", "Coaching"]
    )
    unpaid: List[str] = field(default_factory=lambda: ["Lunch"])


DEFAULT_ACTIVITIES: Dict[str, Any] = asdict(RosterActivitiesConf())
