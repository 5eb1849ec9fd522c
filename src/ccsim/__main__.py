"""``python -m ccsim``: same as the ``ccsim`` command."""

from ccsim.cli import main

main()
