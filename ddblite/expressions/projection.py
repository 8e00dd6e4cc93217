"""Applying a set of document paths to an item (ProjectionExpression, UPDATED_*).

Paths are merged into a tree first, so ``a.b, a.c`` reads ``a`` once. Maps keep only
the requested members; lists keep only the requested elements, in index order and
compacted (``l[1], l[3]`` of ``[w, x, y, z]`` gives ``[x, z]``), as DynamoDB returns
them. A container left with nothing requested in it is omitted.
"""

from __future__ import annotations

from typing import Any

from ddblite.expressions.evaluate import AttributeValue, Item

# A node of the path tree: element -> subtree, or None when the whole value is wanted.
PathTree = dict[Any, "PathTree | None"]


def build_tree(paths: list[tuple]) -> PathTree:
    tree: PathTree = {}
    for elements in paths:
        node = tree
        for element in elements[:-1]:
            child = node.get(element, {})
            if child is None:  # an ancestor is already wanted whole
                break
            node[element] = child
            node = child
        else:
            node[elements[-1]] = None
    return tree


def project(item: Item, tree: PathTree) -> Item:
    result: Item = {}
    for name, subtree in tree.items():
        value = item.get(name)
        if value is None:
            continue
        if subtree is None:
            result[name] = value
        else:
            picked = _pick(value, subtree)
            if picked is not None:
                result[name] = picked
    return result


def _pick(value: AttributeValue, tree: PathTree) -> AttributeValue | None:
    members = value.get("M")
    if members is not None:
        picked_map: dict[str, AttributeValue] = {}
        for key, subtree in tree.items():
            if not isinstance(key, str) or key not in members:
                continue
            chosen = members[key] if subtree is None else _pick(members[key], subtree)
            if chosen is not None:
                picked_map[key] = chosen
        return {"M": picked_map} if picked_map else None
    elements = value.get("L")
    if elements is not None:
        picked_list: list[AttributeValue] = []
        for index in sorted(k for k in tree if isinstance(k, int)):
            if index >= len(elements):
                continue
            subtree = tree[index]
            chosen = elements[index] if subtree is None else _pick(elements[index], subtree)
            if chosen is not None:
                picked_list.append(chosen)
        return {"L": picked_list} if picked_list else None
    return None
