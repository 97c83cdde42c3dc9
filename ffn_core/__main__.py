"""``python -m ffn_core <stage> ...``: the worker process and the headless CLI."""
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from ffn_core.cli import main

sys.exit(main())
