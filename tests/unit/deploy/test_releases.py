"""The releases: deploy/releases.toml names each one's commit (the upgrade test installs from it,
with or without tags in the clone), CHANGELOG.md has an entry for each, and `followthrough
--version` tells which release, and from a checkout which commit, is running."""

from __future__ import annotations

import re
import subprocess
import tomllib
from importlib.metadata import version

from services import version as version_mod
from tests.support.releases import releases
from tests.support.stack import REPO


def _git(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, text=True)


def test_each_release_is_a_commit_of_this_history_in_version_order():
    listed = releases()
    assert [r.version for r in listed] == ["0.1.0", "0.2.0", *[r.version for r in listed[2:]]]
    assert len({r.number for r in listed}) == len(listed)
    for release in listed:
        assert re.fullmatch(r"[0-9a-f]{40}", release.commit), release
        assert release.tag == f"v{release.version}"
        assert _git("merge-base", "--is-ancestor", release.commit, "HEAD").returncode == 0, \
            f"{release.version}: {release.commit} is not in this branch's history"
    dates = [r.date for r in listed]
    assert dates == sorted(dates)


def test_the_version_being_made_is_newer_than_every_release_and_each_has_its_changelog_entry():
    ours = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    number = tuple(int(p) for p in ours.split("."))
    listed = releases()
    assert all(r.number < number for r in listed if r.version != ours)
    changelog = (REPO / "CHANGELOG.md").read_text()
    headings = re.findall(r"^## (\d+\.\d+\.\d+) ", changelog, re.M)
    assert headings[0] == ours, "CHANGELOG.md starts with the version being made"
    assert set(headings) == {ours, *(r.version for r in listed)}
    for release in listed:
        entry = changelog.split(f"## {release.version} ", 1)[1].split("\n## ", 1)[0]
        assert f"commit {release.commit[:7]}" in entry and str(release.date) in entry
        assert "Upgrading" in entry or release is listed[0], f"{release.version}: say how to upgrade to it"
        assert "Migrations" in entry, f"{release.version}: name its migrations"


def test_version_names_the_release_and_the_checkouts_commit(tmp_path):
    head = _git("rev-parse", "--short=12", "HEAD").stdout.strip()
    described = version_mod.describe()
    assert described.startswith(f"followthrough {version('followthrough')} (commit {head}")
    assert version_mod.checkout_commit(tmp_path) is None  # an installed wheel: no .git beside it
