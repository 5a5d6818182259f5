"""requirements.lock pins every dependency pyproject.toml names, at a version
pyproject.toml allows, with hashes: `make install` installs exactly it."""

import re
import tomllib
from pathlib import Path

from django.conf import settings
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(settings.BASE_DIR)
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s\\]+)")


def pins() -> dict[str, str]:
    out = {}
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        if match := PIN.match(line):
            out[canonicalize_name(match[1])] = match[2]
    return out


def requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    names = project["dependencies"] + extras["dev"] + extras["browser"]
    return [Requirement(r) for r in names]


def test_it_pins_every_dependency_at_an_allowed_version():
    locked = pins()
    problems = []
    for req in requirements():
        version = locked.get(canonicalize_name(req.name))
        if version is None:
            problems.append(f"{req.name} is not in requirements.lock")
        elif not req.specifier.contains(version, prereleases=True):
            problems.append(f"{req.name}=={version} does not satisfy {req}")
    assert not problems, "run `make lock`: " + "; ".join(problems)


def test_every_pin_has_a_hash():
    text = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    blocks = re.split(r"\n(?=[A-Za-z0-9_.\-]+==)", text)
    pinned = [b for b in blocks if PIN.match(b)]
    assert len(pinned) == len(pins()) > 20
    assert all("--hash=sha256:" in b for b in pinned)
    # Nothing tied to one machine's package mirrors.
    assert "--extra-index-url" not in text and "--find-links" not in text
