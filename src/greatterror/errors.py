"""The root of the project's own error types.

Every error a user can cause (bad input, a broken data file, an unusable
output folder or home directory, a damaged registry) derives from
:class:`GreatterrorError`, so that the command line can print its message
and exit with code 2, and treat anything else as a bug in greatterror.
"""

from __future__ import annotations


class GreatterrorError(Exception):
    """An error whose message is meant for the user: it names what is wrong and what is allowed."""

    #: the exit code of the command line: 2 for bad input or an unusable environment
    exit_code = 2
