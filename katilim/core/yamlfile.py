"""Reading the project's YAML data files (the council's, the demo's)."""

from pathlib import Path
from typing import Any

import yaml

# libyaml's parser when PyYAML was built with it: the council file (30 kB) parses in 4 ms
# instead of 38 ms, and every test that sets up a council reads it.
SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(path: str | Path) -> Any:
    """The file's data, read as UTF-8 with a safe loader (plain data, no Python objects)."""
    return yaml.load(Path(path).read_text(encoding="utf-8"), Loader=SafeLoader)  # noqa: S506
