"""Validates Kubernetes manifests against the Kubernetes API schema, strictly.

    python .ci/k8s_validate.py FILE...              # each FILE's every resource
    python .ci/k8s_validate.py --self-test FILE     # broken copies of FILE must fail

Run by .ci/k8s-check, which installs the pinned kubernetes-validate (it ships
the API's JSON schemas, so nothing is fetched at check time). Stricter than
its command line, which only warns about a kind it has no schema for and
passes a file with no resources: here both fail, and so does a key given
twice in one mapping (PyYAML keeps the last one silently; kubectl's strict
field validation refuses it). Strict schemas reject fields the API does not
have, the mistake a hand-written manifest makes most.

--self-test breaks FILE in each of those ways and fails unless every broken
copy fails with the expected message: a check that cannot fail would pass
vacuously.
"""

import sys

import kubernetes_validate
import yaml
from kubernetes_validate.utils import SchemaNotFoundError, ValidationError

# The oldest and the newest API versions kubernetes-validate 1.37.0 ships
# schemas for: a manifest valid against both uses no field that was added
# after 1.25 or removed since.
KUBERNETES_VERSIONS = ("1.25", "1.37")


class StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key repeated in one mapping."""


def _mapping_without_duplicates(loader, node, deep=False):
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping",
                node.start_mark,
                f"found the key {key!r} twice (the second is here; fix: keep one)",
                key_node.start_mark,
            )
        seen.add(key)
    return yaml.SafeLoader.construct_mapping(loader, node, deep)


StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_duplicates
)


def problems(name, text):
    """What is wrong with the manifest `text` (read from `name`); empty when valid."""
    try:
        resources = [r for r in yaml.load_all(text, Loader=StrictLoader) if r is not None]
    except yaml.YAMLError as e:
        return [f"{name}: not valid YAML: {e}"]
    if not resources:
        return [f"{name}: holds no resource (fix: give the file at least one YAML document)"]
    found = []
    for index, resource in enumerate(resources):
        if not isinstance(resource, dict) or "kind" not in resource or "apiVersion" not in resource:
            found.append(f"{name}: document {index + 1} is not a resource (fix: give it apiVersion and kind)")
            continue
        label = f"{resource['kind']}/{resource.get('metadata', {}).get('name', '?')}"
        for version in KUBERNETES_VERSIONS:
            try:
                kubernetes_validate.validate(resource, version, strict=True)
            except ValidationError as e:
                path = ".".join(str(p) for p in e.path) or "(top level)"
                found.append(f"{name}: {label} (document {index + 1}), Kubernetes {version}: {path}: {e.message}")
            except SchemaNotFoundError:
                found.append(
                    f"{name}: {label} (document {index + 1}): Kubernetes {version} has no kind "
                    f"{resource['kind']!r} in {resource['apiVersion']!r} (fix: check kind and apiVersion)"
                )
    return found


def _replace_once(text, old, new):
    if old not in text:
        raise SystemExit(
            f"k8s_validate.py --self-test: the manifest no longer holds {old!r}; "
            "update the self-test's breakages to ones this manifest has"
        )
    return text.replace(old, new, 1)


# (what is broken, how, a fragment the problem must name)
BREAKAGES = (
    ("a misspelled field", ("completionMode: Indexed", "completionMod: Indexed"), "'completionMod' was unexpected"),
    ("a number as a string", ("backoffLimit: 16", 'backoffLimit: "16"'), "spec.backoffLimit: '16' is not of type"),
    ("a required field left out", ("mountPath: /scenarios, ", ""), "'mountPath' is a required property"),
    ("an unknown kind", ("kind: Job\n", "kind: Jobs\n"), "has no kind 'Jobs' in 'batch/v1'"),
    ("a key given twice", ("backoffLimit: 16\n", "backoffLimit: 16\n  backoffLimit: 3\n"), "found the key 'backoffLimit' twice"),
    ("no resource at all", None, "holds no resource"),
)


def self_test(name, text):
    """Exit status: 0 when `text` is valid and each broken copy fails as expected."""
    failed = problems(name, text)
    if failed:
        print("\n".join(failed), file=sys.stderr)
        return 1
    status = 0
    for what, change, expected in BREAKAGES:
        broken = _replace_once(text, *change) if change else "# nothing here\n"
        found = problems(f"{name} with {what}", broken)
        if not any(expected in p for p in found):
            print(f"self-test FAILED: {name} with {what} should fail naming {expected!r}; got {found}", file=sys.stderr)
            status = 1
        else:
            print(f"self-test: {name} with {what} fails: {found[0]}")
    return status


def main(argv):
    if argv[:1] == ["--self-test"] and len(argv) == 2:
        with open(argv[1], encoding="utf-8") as f:
            return self_test(argv[1], f.read())
    if not argv or argv[0].startswith("-"):
        print(__doc__, file=sys.stderr)
        return 2
    status = 0
    for name in argv:
        try:
            with open(name, encoding="utf-8") as f:
                text = f.read()
        except OSError as e:
            print(f"{name}: cannot read it: {e.strerror}", file=sys.stderr)
            status = 1
            continue
        found = problems(name, text)
        if found:
            print("\n".join(found), file=sys.stderr)
            status = 1
        else:
            count = sum(1 for r in yaml.load_all(text, Loader=StrictLoader) if r is not None)
            versions = " and ".join(KUBERNETES_VERSIONS)
            print(f"{name}: {count} resources valid against Kubernetes {versions} (strict)")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
