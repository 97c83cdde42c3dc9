"""``python -m ffn_core <stage> ...``: the worker process and the headless CLI."""
import sys

from ffn_core.cli import main

sys.exit(main())
