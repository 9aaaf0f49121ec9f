"""
Coverage-guided fuzz targets, for atheris.

Each target takes the bytes a fuzzer made and hands them to one entry point
that reads outside input: the codec, the filter parser and evaluator, the
PATCH applier, the emulator's request handling and the directory loader. A
target returns when the input ends in a result or in the error that the
entry point documents; anything else propagates, and the fuzzer keeps the
input as a crash. Results are checked too, where a law says what they must
be: a parsed filter renders to text that parses back to it, a decoded model
encodes to a body that decodes to it again, a loaded directory plans to a
plan whose JSON is UTF-8.

Run one target with atheris (``nox -s fuzz -- SECONDS`` runs them all)::

    python tests/fuzz/targets.py filters -max_total_time=60 -timeout=5

``tests/fuzz/test_targets.py`` runs every target over its seed inputs in the
ordinary test run, so a target that stopped matching its entry point is seen
without a fuzzer.
"""

from __future__ import annotations

import contextlib
import json
import pathlib
import sys

from collections.abc import Callable, Iterator


sys.path.insert(0, str(pathlib.Path(__file__).parent.parent))

from samples import SAMPLES, load_sample
from scim_ninjio import NinjioState, Request, make_plan
from scim_ninjio._codec import decode, encode, loads
from scim_ninjio._filter import compile_filter, parse, parse_path, render
from scim_ninjio._patch import apply
from scim_ninjio._schema import resource_schema
from scim_ninjio.exceptions import FilterSyntaxError, ScimError, ValidationError
from scim_ninjio.jumpcloud import Directory
from scim_ninjio.ledger import MemoryLedger
from scim_ninjio.models import Group, ListResponse, PatchOp, User
from scim_ninjio.policy import SyncSettings
from scim_ninjio.testing import DEFAULT_TOKEN, Emulator


USER_SCHEMA = resource_schema("User")
GROUP_SCHEMA = resource_schema("Group")
AUTH = {"authorization": f"Bearer {DEFAULT_TOKEN}"}
MODELS = (User, Group, PatchOp, ListResponse[User])


def _text(data: bytes) -> str:
    return data.decode("utf-8", "surrogateescape")


def codec(data: bytes) -> None:
    """Any body: a model that survives a re-encode, or a ValidationError."""
    for cls in MODELS:
        try:
            model = loads(data, cls)
        except ValidationError as e:
            if not e.errors:
                raise AssertionError("a ValidationError without errors") from e
            continue
        again = decode(encode(model), cls)
        if again != model:
            msg = f"{cls.__name__} changed on a re-encode: {model!r} -> {again!r}"
            raise AssertionError(msg)


def filters(data: bytes) -> None:
    """Any text: a filter that renders and parses back to itself, or an error."""
    text = _text(data)
    try:
        parsed = parse(text)
    except FilterSyntaxError:
        pass
    else:
        if parse(render(parsed)) != parsed:
            msg = f"{text!r} did not survive render and parse"
            raise AssertionError(msg)
        for schema in (USER_SCHEMA, GROUP_SCHEMA):
            try:
                matcher = compile_filter(parsed, schema)
            except ScimError:
                continue
            for sample in ("rfc7643-8.2-user-full", "rfc7643-8.4-group"):
                matcher(load_sample(sample))
    with contextlib.suppress(FilterSyntaxError):
        parse_path(text)


_PATCH_TARGETS = {
    "rfc7643-8.2-user-full": USER_SCHEMA,
    "rfc7643-8.3-enterprise_user": USER_SCHEMA,
    "rfc7643-8.4-group": GROUP_SCHEMA,
}


def patch(data: bytes) -> None:
    """Any PatchOp body, applied to the RFC's resources: a result or a ScimError."""
    try:
        operations = loads(data, PatchOp).operations
    except ValidationError:
        return
    for sample, schema in _PATCH_TARGETS.items():
        resource = load_sample(sample)
        for strict in (False, True):
            try:
                patched = apply(resource, operations, schema, strict=strict)
            except ScimError as e:
                if e.status != 400:
                    raise
                continue
            json.dumps(patched, ensure_ascii=False).encode()
            if resource != load_sample(sample):
                msg = "apply changed the resource it was given"
                raise AssertionError(msg)


_EMULATOR = Emulator()
_EMULATOR.add_user({"userName": "bjensen"}, user_id="u1")
_EMULATOR.add_group({"displayName": "Tour Guides", "members": [{"value": "u1"}]})
_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
_ROUTES = ("/Users", "/Users/u1", "/Groups", "/.search", "/Users/.search", "/")


def emulator(data: bytes) -> None:
    """Any request: an answer with a status and a SCIM body, never a crash."""
    if len(data) < 2:  # a byte for the method, one for the route
        return
    method = _METHODS[data[0] % len(_METHODS)]
    route, _, rest = _text(data[2:]).partition("\n")
    target = _ROUTES[data[1] % len(_ROUTES)] + route
    body = rest.encode("utf-8", "surrogateescape") or None
    answer = _EMULATOR.handle(Request(method, target, AUTH, body))
    if not 200 <= answer.status <= 599:
        msg = f"{method} {target!r} answered {answer.status}"
        raise AssertionError(msg)
    if answer.body and not isinstance(json.loads(answer.body).get("schemas"), list):
        msg = f"{method} {target!r} answered a body without schemas"
        raise AssertionError(msg)


def directory(data: bytes) -> None:
    """Any directory document: a plan whose JSON is UTF-8, or a ValidationError."""
    try:
        document = json.loads(data)
    except (ValueError, RecursionError):
        return
    try:
        found = Directory.from_json(document)
    except ValidationError as e:
        if not all(error.reason for error in e.errors):
            raise AssertionError("a ValidationError without a reason") from e
        return
    plan = make_plan(found, NinjioState(), MemoryLedger().state(), SyncSettings())
    json.dumps(plan.to_json(), ensure_ascii=False).encode()


TARGETS: dict[str, Callable[[bytes], None]] = {
    "codec": codec,
    "directory": directory,
    "emulator": emulator,
    "filters": filters,
    "patch": patch,
}

_DIRECTORY = pathlib.Path(__file__).parent.parent / "fixtures"


def seeds(name: str) -> Iterator[bytes]:
    """The inputs a target starts from: valid documents of its kind."""
    if name in {"codec", "patch"}:
        for sample in sorted(SAMPLES.glob("*.json")):
            yield sample.read_bytes()
    elif name == "filters":
        yield from (
            b'userName eq "bjensen"',
            b'name.familyName co "O\'Malley"',
            b'userName sw "J" and not (title pr)',
            b'emails[type eq "work" and value co "@example.com"]',
            b'meta.lastModified gt "2011-05-13T04:42:34Z" or active eq true',
            b'members[value eq "2819c223"].display',
        )
    elif name == "emulator":
        yield b"\x00\x00"
        yield b"\x00\x00?filter=userName%20eq%20%22bjensen%22"
        yield b"\x01\x00\n" + json.dumps({"userName": "ada"}).encode()
        yield (
            b'\x03\x01\n{"Operations":[{"op":"replace","path":"active","value":false}]}'
        )
    else:
        for path in sorted(_DIRECTORY.glob("directory-*.json")):
            yield path.read_bytes()


def main(argv: list[str]) -> None:
    """Fuzz one target with atheris, its seeds written to a corpus folder."""
    import atheris  # only the fuzzer needs it

    name, *options = argv
    target = TARGETS[name]
    corpus = pathlib.Path(__file__).parent / "corpus" / name
    corpus.mkdir(parents=True, exist_ok=True)
    for number, seed in enumerate(seeds(name)):
        (corpus / f"seed-{number}").write_bytes(seed)
    # Coverage feedback comes from instrumenting what is loaded by now: the
    # whole library, imported above.
    atheris.instrument_all()
    atheris.Setup([sys.argv[0], *options, str(corpus)], target)
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv[1:])
