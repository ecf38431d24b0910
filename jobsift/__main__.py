"""``python -m jobsift``: the same as the ``jobsift`` command."""

from jobsift.cli import main

main()
