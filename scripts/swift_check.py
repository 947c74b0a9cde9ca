#!/usr/bin/env python3
"""Checks the Swift sources of ios/ on a machine without a Swift compiler.

1. Syntax: every Swift file (the app, the package's Swift layer, the tests and the generated
   bindings) is parsed with tree-sitter's Swift grammar; an ERROR or MISSING node fails the check
   with its file, line and column.
2. Names: every function called, member used (`x.name`) and implicit member (`.name`) in the app,
   the Swift layer and the tests must be declared somewhere we know of: the generated bindings and
   the Swift layer (the core's API), the app's own sources, or the list of Apple platform names the
   app uses (ios/platform-names.txt, reviewed like code). A call whose name only the core declares
   must also use argument labels that one of the core's signatures accepts (defaults may be left
   out). A renamed or removed core function, or a call with the wrong labels, fails here.
3. Hygiene: no logging calls (print, NSLog, os_log, Logger, debugPrint, dump) in the app.
4. Texts: every app text key written in the Swift sources (a literal "app.…") exists in the core's
   catalogue (core/data/i18n/fr.json, the reference every language must match), and a call
   `t("app.…", [...])` fills exactly that text's {placeholders} (and `t("app.…")` is used only for a
   text without any): a mistyped key or name would show the raw key or `{name}` to the user.

It does NOT type-check: a name the platform list or the app also declares is accepted on any
receiver, and argument types, optionals, `try` and availability are left to the Swift compiler
(scripts/build-ios and the macOS CI workflow). See docs/ios.md.

Usage: swift_check.py BINDINGS.swift PLATFORM_NAMES.txt SOURCE_DIR...
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from tree_sitter_language_pack import get_parser

LOGGING = {"print", "NSLog", "os_log", "Logger", "debugPrint", "dump"}
CATALOGUE = Path(__file__).resolve().parent.parent / "core" / "data" / "i18n" / "fr.json"
TEXT_KEY = re.compile(r'"(app(?:\.[a-z0-9_]+)+)"')
FILLED = re.compile(r'\bt\(\s*"(app(?:\.[a-z0-9_]+)+)"\s*,\s*\[(.*?)\]\s*\)', re.S)
UNFILLED = re.compile(r'\bt\(\s*"(app(?:\.[a-z0-9_]+)+)"\s*\)')
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")

# Swift's own words, always known. The grammar reads `defer { … }` as a call of `defer` with a
# trailing closure, so the keyword shows up as a called name.
KEYWORDS = {"self", "Self", "super", "init", "defer"}


@dataclass
class Names:
    """Declared names; for functions and initialisers, their parameter lists."""

    names: set[str] = field(default_factory=set)
    # name -> list of signatures; a signature is a list of (label, has_default)
    signatures: dict[str, list[list[tuple[str, bool]]]] = field(default_factory=dict)

    def add_signature(self, name: str, params: list[tuple[str, bool]]) -> None:
        self.names.add(name)
        self.signatures.setdefault(name, []).append(params)


def text(src: bytes, node) -> str:
    return src[node.start_byte : node.end_byte].decode("utf-8")


def walk(node):
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(reversed(n.children))


# Two constructs of valid Swift that the bundled grammar does not know, both in uniffi's output:
# an attribute alone inside `#if swift(>=5.8) @_documentation(...) #endif` (the three lines are
# blanked) and Swift 5.10's `nonisolated(unsafe)` modifier (blanked to spaces). Line and column
# numbers are kept; nothing else is rewritten.
DOC_ATTRIBUTE = re.compile(
    rb"^[ \t]*#if swift\(>=5\.8\)\n[ \t]*@_documentation\(visibility: private\)\n[ \t]*#endif$", re.M
)
NONISOLATED_UNSAFE = re.compile(rb"\bnonisolated\(unsafe\)")


def parse(parser, path: Path):
    src = DOC_ATTRIBUTE.sub(b"\n\n", path.read_bytes())
    src = NONISOLATED_UNSAFE.sub(lambda m: b" " * len(m.group(0)), src)
    return src, parser.parse(src)


def syntax_errors(path: Path, tree) -> list[str]:
    out = []
    for n in walk(tree.root_node):
        if n.type == "ERROR" or n.is_missing:
            line, col = n.start_point
            what = f"missing {n.type}" if n.is_missing else "syntax error"
            out.append(f"{path}:{line + 1}:{col + 1}: {what}")
    return out


def parameters(src: bytes, decl) -> list[tuple[str, bool]]:
    """The parameter labels of a function or init declaration, with whether each has a default."""
    params: list[tuple[str, bool]] = []
    children = decl.children
    for i, c in enumerate(children):
        if c.type != "parameter":
            continue
        external = c.child_by_field_name("external_name")
        name = c.child_by_field_name("name")
        label = text(src, external) if external is not None else (text(src, name) if name is not None else "_")
        default = i + 1 < len(children) and children[i + 1].type == "="
        params.append((label, default))
    return params


def hidden(src: bytes, node) -> bool:
    """Declared private or fileprivate: not part of an API (the bindings' own plumbing)."""
    for c in node.children:
        if c.type == "modifiers":
            return any(text(src, m) in ("private", "fileprivate") for m in walk(c) if m.child_count == 0)
    return False


def visible(src: bytes, node, api_only: bool):
    """The nodes under [node]; for an API ([api_only]), without private and fileprivate
    declarations and their bodies."""
    stack = [node]
    while stack:
        n = stack.pop()
        if api_only and hidden(src, n):
            continue
        yield n
        stack.extend(reversed(n.children))


def declarations(src: bytes, tree, into: Names, api_only: bool = False) -> None:
    for n in visible(src, tree.root_node, api_only):
        t = n.type
        if t in ("class_declaration", "protocol_declaration", "typealias_declaration"):
            name = n.child_by_field_name("name")
            if name is not None:
                into.names.add(text(src, name).split("<")[0].split(".")[-1])
        elif t in ("function_declaration", "protocol_function_declaration"):
            name = n.child_by_field_name("name")
            if name is not None:
                into.add_signature(text(src, name), parameters(src, n))
        elif t == "init_declaration":
            owner = n.parent.parent if n.parent is not None else None
            params = parameters(src, n)
            into.add_signature("init", params)
            if owner is not None and owner.type == "class_declaration":
                oname = owner.child_by_field_name("name")
                if oname is not None:
                    into.add_signature(text(src, oname).split("<")[0].split(".")[-1], params)
        elif t == "enum_entry":
            for c in n.children:
                if c.type == "simple_identifier":
                    into.names.add(text(src, c))
        elif t in ("pattern", "value_binding_pattern"):
            for c in walk(n):
                if c.type == "simple_identifier":
                    into.names.add(text(src, c))
        elif t in ("parameter", "lambda_parameter", "protocol_property_declaration"):
            for c in n.children:
                if c.type == "simple_identifier":
                    into.names.add(text(src, c))
        elif t == "computed_property" or t == "property_declaration":
            for c in walk(n.child_by_field_name("name") or n):
                if c.type == "simple_identifier":
                    into.names.add(text(src, c))
                    break
    # Memberwise initialisers of structs: their stored properties, in order, as labels.
    for n in walk(tree.root_node):
        if n.type != "class_declaration":
            continue
        kind = n.child_by_field_name("declaration_kind")
        body = n.child_by_field_name("body")
        name = n.child_by_field_name("name")
        if kind is None or body is None or name is None or text(src, kind) != "struct":
            continue
        if any(c.type == "init_declaration" for c in body.children):
            continue
        stored = []
        for c in body.children:
            if c.type != "property_declaration" or any(x.type == "computed_property" for x in c.children):
                continue
            pname = c.child_by_field_name("name")
            if pname is not None:
                stored.append((text(src, pname), any(x.type == "=" for x in c.children)))
        into.add_signature(text(src, name), stored)


@dataclass
class Use:
    name: str
    line: int
    col: int
    labels: list[str] | None  # argument labels when the name is called, "_" for none
    callee: bool


def call_labels(src: bytes, call) -> list[str] | None:
    suffix = next((c for c in call.children if c.type == "call_suffix"), None)
    if suffix is None:
        return None
    if any(c.type == "lambda_literal" for c in suffix.children):
        return None  # trailing closures: not checked
    args = next((c for c in suffix.children if c.type == "value_arguments"), None)
    if args is None:
        return []
    labels = []
    for a in args.children:
        if a.type != "value_argument":
            continue
        label = a.child_by_field_name("name")
        labels.append(text(src, label).strip() if label is not None else "_")
    return labels


def uses(src: bytes, tree) -> list[Use]:
    out: list[Use] = []
    for n in walk(tree.root_node):
        if n.type == "call_expression" and n.children:
            head = n.children[0]
            if head.type == "simple_identifier":
                line, col = head.start_point
                out.append(Use(text(src, head), line + 1, col + 1, call_labels(src, n), True))
            elif head.type == "navigation_expression":
                suffix = head.child_by_field_name("suffix")
                ident = suffix.child_by_field_name("suffix") if suffix is not None else None
                if ident is not None and ident.type == "simple_identifier":
                    line, col = ident.start_point
                    out.append(Use(text(src, ident), line + 1, col + 1, call_labels(src, n), True))
        elif n.type == "navigation_suffix":
            ident = n.child_by_field_name("suffix")
            parent_call = n.parent is not None and n.parent.parent is not None and n.parent.parent.type == "call_expression" and n.parent.parent.children[0] == n.parent
            if ident is not None and ident.type == "simple_identifier" and not parent_call:
                line, col = ident.start_point
                out.append(Use(text(src, ident), line + 1, col + 1, None, False))
        elif n.type == "prefix_expression":
            op = n.child_by_field_name("operation")
            target = n.child_by_field_name("target")
            if op is not None and text(src, op) == "." and target is not None and target.type == "simple_identifier":
                line, col = target.start_point
                out.append(Use(text(src, target), line + 1, col + 1, None, False))
    return out


def labels_fit(params: list[tuple[str, bool]], labels: list[str]) -> bool:
    i = j = 0
    while j < len(labels):
        if i >= len(params):
            return False
        label, default = params[i]
        if label == labels[j]:
            i += 1
            j += 1
        elif default:
            i += 1
        else:
            return False
    return all(default for _, default in params[i:])


def text_keys(parsed) -> list[str]:
    """App text keys that the catalogue lacks, and `t(key, [...])` calls whose names differ from the
    text's placeholders."""
    catalogue = json.loads(CATALOGUE.read_text(encoding="utf-8"))
    problems = []
    for path, src, _ in parsed:
        source = src.decode("utf-8")

        def line_of(offset: int) -> int:
            return source.count("\n", 0, offset) + 1

        for m in TEXT_KEY.finditer(source):
            if m.group(1) not in catalogue:
                problems.append(f"{path}:{line_of(m.start())}: text key `{m.group(1)}` is not in {CATALOGUE.name}")
        for m in UNFILLED.finditer(source):
            wanted = PLACEHOLDER.findall(catalogue.get(m.group(1), ""))
            if wanted:
                problems.append(f"{path}:{line_of(m.start())}: `{m.group(1)}` is shown without its {sorted(wanted)}")
        for m in FILLED.finditer(source):
            key = m.group(1)
            if key not in catalogue:
                continue
            wanted = set(PLACEHOLDER.findall(catalogue[key]))
            given = set(re.findall(r'"([a-z_]+)"\s*:', m.group(2)))
            if wanted != given:
                problems.append(
                    f"{path}:{line_of(m.start())}: `{key}` fills {sorted(given)}, its text has {sorted(wanted)}"
                )
    return problems


def main(argv: list[str]) -> int:
    if len(argv) < 4:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    bindings_path, platform_path = Path(argv[1]), Path(argv[2])
    roots = [Path(a) for a in argv[3:]]
    parser = get_parser("swift")

    problems: list[str] = []
    core, app = Names(), Names()
    platform = {
        line.split("#")[0].strip()
        for line in platform_path.read_text(encoding="utf-8").splitlines()
        if line.split("#")[0].strip()
    }

    src, tree = parse(parser, bindings_path)
    problems += syntax_errors(bindings_path, tree)
    declarations(src, tree, core, api_only=True)

    files = sorted(
        p for root in roots for p in root.rglob("*.swift") if "Generated" not in p.parts and ".build" not in p.parts
    )
    # The package manifest is checked for syntax only: its names are SwiftPM's.
    manifests = {p for p in files if p.name == "Package.swift"}
    parsed = []
    for path in files:
        src, tree = parse(parser, path)
        problems += syntax_errors(path, tree)
        parsed.append((path, src, tree))
        # The package's hand-written Swift layer extends the core's API; the rest is the app's.
        is_layer = "Sources" in path.parts and "Relais" in path.parts and "RelaisApp" not in path.parts
        declarations(src, tree, core if is_layer else app)

    checked = 0
    for path, src, tree in parsed:
        if path in manifests:
            continue
        for use in uses(src, tree):
            if use.name in KEYWORDS or use.name.startswith("$"):
                continue
            checked += 1
            where = f"{path}:{use.line}:{use.col}"
            if use.callee and use.name in LOGGING and "Tests" not in path.parts:
                problems.append(f"{where}: `{use.name}` logs: nothing about a case may reach the system log")
                continue
            known_elsewhere = use.name in app.names or use.name in platform
            if use.name in core.names:
                if known_elsewhere or use.labels is None or use.name not in core.signatures:
                    continue
                if not any(labels_fit(sig, use.labels) for sig in core.signatures[use.name]):
                    wanted = " or ".join(
                        "(" + ", ".join(f"{label}:" + ("?" if d else "") for label, d in sig) + ")"
                        for sig in core.signatures[use.name]
                    )
                    got = "(" + ", ".join(f"{label}:" for label in use.labels) + ")"
                    problems.append(f"{where}: `{use.name}{got}` matches no signature of the core's `{use.name}{wanted}`")
                continue
            if not known_elsewhere:
                problems.append(
                    f"{where}: `{use.name}` is not in the generated bindings, the app, nor {platform_path}"
                )

    problems += text_keys(parsed)

    for p in problems:
        print(p)
    print(
        f"swift check: {len(files) + 1} files parsed, {checked} calls and member names checked against "
        f"{len(core.names)} core names, {len(app.names)} app names and {len(platform)} platform names: "
        + ("OK" if not problems else f"{len(problems)} problem(s)")
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
