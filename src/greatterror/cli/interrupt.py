"""What Ctrl-C does to a command: defined in greatterror/interrupt.py, outside the cli package
so that the calibration can use it too (review23 F12); re-exported here for the command line."""

from greatterror.interrupt import INTERRUPTED, MESSAGE, exit_quietly, interrupted

__all__ = ["INTERRUPTED", "MESSAGE", "exit_quietly", "interrupted"]
