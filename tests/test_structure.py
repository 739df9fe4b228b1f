"""Rules about how the code is put together, read from its source with `ast`."""

import ast
from pathlib import Path

import video_share

PACKAGE = Path(video_share.__file__).parent
VIEWS = PACKAGE / "views"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, ast.Module]:
    return {_module_name(path): ast.parse(path.read_text()) for path in PACKAGE.rglob("*.py")}


MODULES = _modules()


def _package_of(module: str) -> str:
    is_package = (PACKAGE.parent / module.replace(".", "/") / "__init__.py").exists()
    return module if is_package else module.rpartition(".")[0]


def _imports(module: str, tree: ast.Module):
    """(imported module, name imported from it or None, node) for every import of a
    video_share module in `module`, at any depth (imports inside functions too)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "video_share":
                    yield alias.name, None, node
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = _package_of(module).split(".")
                base = base[: len(base) - node.level + 1]
                source = ".".join([*base, node.module] if node.module else base)
            else:
                source = node.module or ""
            if source.split(".")[0] != "video_share":
                continue
            for alias in node.names:
                submodule = f"{source}.{alias.name}"
                if submodule in MODULES:  # `from . import actions`: the module itself
                    yield submodule, None, node
                else:
                    yield source, alias.name, node


def _graph() -> dict[str, set[str]]:
    """Which video_share modules each one imports. Importing `a.b` runs `a` first: a module
    outside package `a` that imports `a.b` depends on `a` too (its __init__ may import back)."""
    graph = {}
    for module, tree in MODULES.items():
        targets = set()
        for imported, _name, _node in _imports(module, tree):
            parts = imported.split(".")
            for end in range(2, len(parts) + 1):
                target = ".".join(parts[:end])
                if not module.startswith(f"{target}.") and target in MODULES:
                    targets.add(target)
        targets.discard(module)
        graph[module] = targets
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph, as the list of modules along it, or None."""
    done, path = set(), []

    def visit(module):
        if module in path:
            return [*path[path.index(module) :], module]
        if module in done:
            return None
        path.append(module)
        for target in sorted(graph[module]):
            if found := visit(target):
                return found
        path.pop()
        done.add(module)
        return None

    for module in sorted(graph):
        if found := visit(module):
            return found
    return None


def test_the_cycle_finder_finds_cycles():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_the_graph_holds_imports_inside_functions_and_the_packages_they_run():
    graph = _graph()
    # `from .actions import recover_stalled_jobs`, inside a method.
    assert "video_share.actions" in graph["video_share.worker"]
    # `from .processing import process_video` runs the package video_share.actions first:
    # only for a module outside it.
    assert "video_share.actions.processing" in graph["video_share.actions.videos"]
    assert "video_share.actions" not in graph["video_share.actions.videos"]
    assert "video_share.actions" in graph["video_share.tasks"]


def test_video_share_modules_import_each_other_without_cycles():
    """A cycle is two modules that each need the other: neither can be read, tested or
    changed alone, and an import inside a function only hides it until it fails at run time."""
    assert _cycle(_graph()) is None


def test_no_module_uses_another_modules_private_names():
    """A `_name` is its module's own business: another module may neither import it nor reach
    it through the module (`actions._probe_of`)."""
    found = []
    for module, tree in MODULES.items():
        imported_modules = {}  # the names this module gives to the modules it imports
        for imported, name, node in _imports(module, tree):
            private = name is not None and name.startswith("_") and not name.startswith("__")
            if private and imported != module:
                found.append(f"{module}: from {imported} import {name} (line {node.lineno})")
            if name is None:
                for alias in node.names:
                    if isinstance(node, ast.Import) and alias.asname is None:
                        continue  # `import video_share.x`: used by its full name
                    bound = alias.asname or alias.name
                    imported_modules[bound] = imported
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in imported_modules
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
            ):
                found.append(f"{module}: {node.value.id}.{node.attr} (line {node.lineno})")
    assert found == []


def _parents(tree: ast.AST) -> dict[ast.AST, ast.AST]:
    return {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


def test_views_ask_whether_htmx_wants_a_part_of_the_page_one_way():
    """`wants_partial(request)` answers (a boosted request wants the whole page); views read
    only what htmx asks for (`request.htmx.target`, ...), never whether it asks."""
    found = []
    for path in VIEWS.glob("*.py"):
        tree = ast.parse(path.read_text())
        parents = _parents(tree)
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Attribute) and node.attr == "htmx"):
                continue
            parent = parents.get(node)
            if not isinstance(parent, ast.Attribute) or parent.attr == "boosted":
                found.append(f"{path.name}, line {node.lineno}")
    assert found == []


def test_views_send_people_elsewhere_one_way():
    """`navigate()` sends a person on to another page (a redirect, or an htmx navigation);
    Django's `redirect()` is left for an address that moved for good, and
    `redirect_to_login()` for pages that need a log-in."""
    found = []
    redirect_classes = {
        "HttpResponseRedirect",
        "HttpResponsePermanentRedirect",
        "HttpResponseClientRedirect",
        "HttpResponseLocation",
    }
    for path in VIEWS.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                found += [
                    f"{path.name}: imports {alias.name}"
                    for alias in node.names
                    if alias.name in redirect_classes
                ]
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "redirect":
                permanent = any(
                    keyword.arg == "permanent"
                    and isinstance(keyword.value, ast.Constant)
                    and keyword.value.value is True
                    for keyword in node.keywords
                )
                if not permanent:
                    found.append(f"{path.name}, line {node.lineno}: redirect()")
            if isinstance(node, ast.Constant) and node.value in ("HX-Location", "HX-Redirect"):
                found.append(f"{path.name}, line {node.lineno}: {node.value}")
    assert found == []
