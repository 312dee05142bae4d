"""Earlier releases, installed as an operator would: the release's commit from git (`git archive`,
so no tag is needed: a fresh clone in CI may have none) into a virtualenv of its own, with pip.

To keep `make test` quick, that virtualenv sees this checkout's installed packages (a `.pth`
line): pip takes each of the release's requirements as met when one of them satisfies it, and
installs the release and only what else it needs (0.1.0: argon2-cffi) into its own
site-packages, which come first; this checkout's own package is never touched (pip does not
uninstall outside the environment it installs into). The old code runs on the dependency
versions a fresh install resolves today wherever its pins allow them. FT_UPGRADE_ISOLATED=1
installs every dependency into the release's virtualenv instead (about two minutes each, with
pip's cache). Each release's wheel is built once and kept (`wheel`)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

from tests.support.stack import REPO

RELEASES = REPO / "deploy" / "releases.toml"


@dataclass(frozen=True)
class Release:
    version: str
    commit: str
    date: dt.date
    tag: str
    upgrade_from: bool = False

    @property
    def number(self) -> tuple[int, ...]:
        return tuple(int(part) for part in self.version.split("."))


def releases() -> list[Release]:
    """Every release in deploy/releases.toml, oldest first."""
    listed = [Release(**r) for r in tomllib.loads(RELEASES.read_text())["release"]]
    return sorted(listed, key=lambda r: r.number)


@dataclass(frozen=True)
class Installed:
    release: Release
    source: Path
    venv: Path

    @property
    def command(self) -> list[str]:
        """The release's own `followthrough` command."""
        return [str(self.venv / "bin" / "followthrough")]

    def cli(self, *args: str, env: dict[str, str]) -> str:
        """Run the release's CLI; its stdout."""
        done = subprocess.run([*self.command, *args], env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, f"followthrough {' '.join(args)} ({self.release.version}): {done.stderr[-2000:]}"
        return done.stdout


def install(release: Release, into: Path) -> Installed:
    """The release's sources and a virtualenv with them installed (services only: no extra is needed
    to run the three services against a real SMTP server)."""
    source, venv = into / "src", into / "venv"
    source.mkdir(parents=True)
    archive = subprocess.Popen(["git", "-C", str(REPO), "archive", "--format=tar", release.commit],
                               stdout=subprocess.PIPE)
    with tarfile.open(fileobj=archive.stdout, mode="r|") as tar:
        tar.extractall(source, filter="data")
    assert archive.wait() == 0, f"git archive {release.commit} failed: is the full history in this clone?"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    if not os.environ.get("FT_UPGRADE_ISOLATED"):
        (site,) = venv.glob("lib/python*/site-packages")
        (site / "zz-this-checkout.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    pip = subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "--disable-pip-version-check",
                          str(wheel(release, source, venv))], capture_output=True, text=True, timeout=900)
    assert pip.returncode == 0, f"installing {release.version}: {pip.stderr[-3000:]}"
    return Installed(release, source, venv)


def wheel(release: Release, source: Path, venv: Path) -> Path:
    """The release's wheel, built once per commit and kept beside the Kafka jars (FOLLOWTHROUGH_CACHE,
    as deploy/local/kafka.sh): building it (a fresh build environment each time) took most of an
    install, and a commit's wheel never changes."""
    cache = Path(os.environ.get("FOLLOWTHROUGH_CACHE", Path.home() / ".cache" / "followthrough"))
    kept = cache / "release-wheels" / release.commit
    if not list(kept.glob("*.whl")):
        partial = kept.with_name(f"{release.commit}.partial-{os.getpid()}")
        built = subprocess.run([str(venv / "bin" / "pip"), "wheel", "-q", "--no-deps", "--disable-pip-version-check",
                                "-w", str(partial), str(source)], capture_output=True, text=True, timeout=900)
        assert built.returncode == 0, f"building {release.version}: {built.stderr[-3000:]}"
        shutil.rmtree(kept, ignore_errors=True)  # a build another run left half done
        partial.rename(kept)
    (found,) = kept.glob("*.whl")
    return found
