"""`python -m sld` is the `sld` command."""

from sld.cli import main

raise SystemExit(main())
