"""YAML as the project reads it: PyYAML's safe loader, refusing a document whose aliases expand it
beyond any real settings file (a "billion laughs": nine aliases of nine aliases of ... take a few
lines and expand to millions of values, which a later message or check would walk)."""
from __future__ import annotations

import yaml

MAX_EXPANDED_NODES = 100_000  # the bundled files expand to a few hundred


class YamlTooLarge(yaml.YAMLError):
    """A document whose aliases expand it past MAX_EXPANDED_NODES."""


def load_yaml(text: str) -> object:
    """What `yaml.safe_load(text)` gives, from one parse, after checking the size the document's
    aliases expand it to."""
    loader = yaml.SafeLoader(text)
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
