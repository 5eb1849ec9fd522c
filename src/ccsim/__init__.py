"""ccsim: a discrete-event contact-centre simulator for the demand delta."""

from __future__ import annotations

from ccsim.version import __version__

__all__ = ["__version__"]
