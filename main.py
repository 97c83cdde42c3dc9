"""Double-click or ``python main.py`` to start FFN Workbench (``--demo`` for the demo)."""

import sys

from app.main import main

if __name__ == "__main__":
    sys.exit(main())
