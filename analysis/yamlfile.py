"""YAML as the project reads it: PyYAML's safe loader, refusing a document whose aliases expand it
beyond any real settings file (a "billion laughs": nine aliases of nine aliases of ... take a few
lines and expand to millions of values, which a later message or check would walk), and a key given
twice in one mapping (YAML would keep the last silently: a second `title:` relabels a measure)."""
from __future__ import annotations

from pathlib import Path

import yaml
from yaml.constructor import ConstructorError

MAX_EXPANDED_NODES = 100_000  # the bundled files expand to a few hundred


class YamlTooLarge(yaml.YAMLError):
    """A document whose aliases expand it past MAX_EXPANDED_NODES."""


class YamlFileError(ValueError):
    """A YAML file that cannot be read; the message names the file and the line."""


class _Loader(yaml.SafeLoader):
    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue  # `<<: *defaults` brings keys a mapping may override: that is not a repeat
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, (list, dict)):
                continue  # unhashable: the base constructor refuses it
            if key in seen:
                raise ConstructorError(None, None, f"{key!r} is given twice in one mapping", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_timestamp(self, node: yaml.ScalarNode):
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as error:  # 2022-02-30 matches the date pattern but is no date
            raise ConstructorError(None, None, f"{node.value!r} is not a date ({error})", node.start_mark) from None


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


def read_yaml(path: Path) -> object:
    """A YAML file's content; one line naming the file (and the line) where it cannot be read.
    A missing or unreadable file raises OSError, for the caller to say what the file is for."""
    path = Path(path)
    try:
        return load_yaml(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as error:
        raise YamlFileError(f"{path}: cannot be read as UTF-8 text ({error})") from None
    except YamlTooLarge as error:
        raise YamlFileError(f"{path}: {error}") from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"line {mark.line + 1}: " if mark else ""
        raise YamlFileError(f"{path}: cannot be read ({where}{error.problem or error.context})") from None
    except (yaml.YAMLError, RecursionError, ValueError) as error:  # ValueError: an integer of thousands of digits
        raise YamlFileError(f"{path}: cannot be read ({' '.join(str(error).split())})") from None


def load_yaml(text: str) -> object:
    """What `yaml.safe_load(text)` gives, from one parse, after checking the size the document's
    aliases expand it to."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        size = _expanded(node, {})
        if size > MAX_EXPANDED_NODES:
            raise YamlTooLarge(f"its aliases (*name) expand it to {size:,} values, more than {MAX_EXPANDED_NODES:,}")
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _expanded(node: yaml.Node, sizes: dict[int, int]) -> int:
    """Values under `node` with every alias expanded, each shared node sized once."""
    if id(node) not in sizes:
        sizes[id(node)] = 1  # a node inside itself (a recursive alias) counts once
        children = []
        if isinstance(node, yaml.SequenceNode):
            children = node.value
        elif isinstance(node, yaml.MappingNode):
            children = [part for pair in node.value for part in pair]
        sizes[id(node)] = 1 + sum(_expanded(child, sizes) for child in children)
    return sizes[id(node)]
