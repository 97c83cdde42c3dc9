"""``python -m ffn_core <stage> ...``: the worker process and the headless CLI."""

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# JSON lines are UTF-8 on every platform: Windows pipes default to the ANSI code page,
# which cannot write (or mangles) Japanese file names.
for _stream in (sys.stdout, sys.stderr):
    if hasattr(_stream, "reconfigure"):
        _stream.reconfigure(encoding="utf-8", errors="backslashreplace")

from ffn_core.cli import main

sys.exit(main())
