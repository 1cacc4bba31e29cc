"""`python -m sld.store [FOLDER]`: regenerate the checked-in schema files (default: schemas/)."""

import sys
from pathlib import Path

from sld.store.ddl import write_schemas

for written in write_schemas(Path(sys.argv[1] if len(sys.argv) > 1 else "schemas")):
    print(written)
