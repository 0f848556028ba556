"""The data files are read with libyaml's safe loader, and read the same as with PyYAML's."""

import pytest
import yaml

from katilim.config import DefaultConfig
from katilim.core import yamlfile


def test_the_c_loader_is_used_when_pyyaml_has_it():
    assert yamlfile.SafeLoader is (yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader)


def test_the_council_file_reads_as_with_the_python_loader():
    path = DefaultConfig.COUNCIL_DATA_FILE
    with open(path, encoding="utf-8") as file:
        assert yamlfile.load_yaml(path) == yaml.safe_load(file)


def test_no_python_objects_are_built(tmp_path):
    path = tmp_path / "odd.yaml"
    path.write_text("x: !!python/object/apply:os.system ['true']\n", encoding="utf-8")
    with pytest.raises(yaml.YAMLError):
        yamlfile.load_yaml(path)
