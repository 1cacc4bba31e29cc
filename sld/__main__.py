"""`python -m sld` is the `sld` command."""

from sld.cli.main import main

raise SystemExit(main())
