"""The generated admin/: Decap's configuration follows the rosters, drafts go through review and a vote,
and the Decap script is the pinned one, checked by its integrity hash."""

from __future__ import annotations

import base64
import hashlib
import json
import os
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from press import cms
from press.cli import main
from press.cms import local

REPO = Path(__file__).resolve().parent.parent


def cli(root: Path, *args: str):
    return CliRunner().invoke(main, ["--root", str(root), *args])


@pytest.fixture
def site(pressdir, monkeypatch):
    monkeypatch.delenv("PRESS_REPO", raising=False)
    pressdir.buildable()
    pressdir.assembly()
    pressdir.assembly("harbor", text="name: Harbour Workers' \"Assembly\"\nmembers:\n  - {id: rio, name: Rio, joined: 2025-01-01}\n")
    return pressdir


def build(site):
    result = cli(site.root, "build", "--no-search")
    assert result.exit_code == 0, result.output
    admin = site.root / "output" / "admin"
    return yaml.safe_load((admin / "config.yml").read_text(encoding="utf-8")), (admin / "index.html").read_text(encoding="utf-8")


def test_one_collection_per_assembly_storing_drafts_and_pictures_in_the_bundle(site):
    config, _ = build(site)
    assert config["publish_mode"] == "editorial_workflow"
    assert config["local_backend"] is True
    assert config["backend"]["name"] == "github" and "repo" not in config["backend"]
    assert [c["name"] for c in config["collections"]] == ["harbor", "springfield"]
    harbor = config["collections"][0]
    assert harbor["label"] == "Harbour Workers' \"Assembly\""
    assert harbor["folder"] == "content/harbor" and harbor["extension"] == "md" and harbor["format"] == "press-markdown"
    # Pictures go to content/harbor/<slug>/ and are linked as <slug>/file.ext, as the press reads bundles.
    assert harbor["slug"] == harbor["media_folder"] == harbor["public_folder"] == "{{slug}}"
    assert [f["name"] for f in harbor["fields"]] == ["title", "authors", "summary", "tags", "lang", "image", "image_alt", "audio", "body"]
    assert harbor["delete"] is False
    for collection in config["collections"]:
        assert "only merges the draft" in collection["description"]
        assert "votes at a meeting to publish exactly this text" in collection["description"]


def test_a_new_assembly_gets_its_collection_on_the_next_build(site):
    build(site)
    site.assembly("riverside", text="name: Riverside\nmembers:\n  - {id: rio, name: Rio, joined: 2025-01-01}\n")
    config, _ = build(site)
    assert [c["name"] for c in config["collections"]] == ["harbor", "riverside", "springfield"]
    preview = (site.root / "output" / "admin" / "press.js").read_text(encoding="utf-8")
    assert '"riverside": "Riverside"' in preview


def test_the_repository_and_login_come_from_configuration(site, monkeypatch):
    monkeypatch.setenv("PRESS_REPO", "springfield-party/press")
    monkeypatch.setenv("PRESS_CMS_AUTH_URL", "https://auth.example.org")
    # pelicanconf.py reads the environment when the build loads it
    config, _ = build(site)
    assert config["backend"]["repo"] == "springfield-party/press"
    assert config["backend"]["base_url"] == "https://auth.example.org"
    assert config["backend"]["branch"] == "main"


def test_writers_need_no_write_access_to_the_repository(site, monkeypatch):
    """Open authoring: Decap forks the repository for a writer who cannot push and opens her pull request
    from the fork. Only the generated configuration can be checked here: the fork and the pull request
    happen on GitHub (test_cms_browser.py drives Decap with this configuration as far as it goes offline)."""
    monkeypatch.setenv("PRESS_REPO", "springfield-party/press")
    config, _ = build(site)
    backend = config["backend"]
    assert backend["name"] == "github" and backend["repo"] == "springfield-party/press"
    assert backend["open_authoring"] is True
    assert config["publish_mode"] == "editorial_workflow"  # Decap refuses open authoring without it
    # Nothing widens what a writer's login may do: Decap then asks GitHub for `public_repo` only, and
    # people who can push (editors, maintainers) keep working on the repository's own branches.
    assert "auth_scope" not in backend and "always_fork" not in backend


@pytest.mark.parametrize(("key", "value", "message"), [
    ("PRESS_REPO", "not a repo", "PRESS_REPO 'not a repo' must be the GitHub repository as owner/name"),
    ("PRESS_REPO", "a/b\nlocal_backend: false", "must be the GitHub repository as owner/name"),
    ("PRESS_CMS_AUTH_URL", "http://auth.example.org", "PRESS_CMS_AUTH_URL must be an https:// address"),
])  # fmt: skip
def test_bad_cms_configuration_fails_the_build(site, monkeypatch, key, value, message):
    monkeypatch.setenv(key, value)
    result = cli(site.root, "build", "--no-search")
    assert result.exit_code == 1 and message in result.output
    assert not (site.root / "output").exists()


def test_the_decap_script_is_pinned_and_checked_by_its_hash(site):
    _, index = build(site)
    assert f'<script src="https://unpkg.com/decap-cms@{cms.DECAP_VERSION}/dist/decap-cms.js" integrity="{cms.DECAP_INTEGRITY}" crossorigin="anonymous"></script>' in index
    assert "latest" not in index and "@^" not in index
    assert '<link href="config.yml" type="text/yaml" rel="cms-config-url">' in index


def test_package_json_pins_the_version_admin_loads():
    package = json.loads((REPO / "package.json").read_text())
    lock = json.loads((REPO / "package-lock.json").read_text())
    assert package["dependencies"]["decap-cms"] == cms.DECAP_VERSION
    assert lock["packages"]["node_modules/decap-cms"]["version"] == cms.DECAP_VERSION
    for name, version in package["dependencies"].items():
        assert version[0].isdigit(), f"{name} must be pinned to an exact version, not {version}"
        assert lock["packages"][f"node_modules/{name}"]["version"] == version


def test_the_integrity_hash_is_that_of_the_npm_package():
    why = local.missing()
    if why:
        if os.environ.get("CI"):
            pytest.fail(f"must run in CI: {why}")
        pytest.skip(why)
    data = (local.decap_dist() / "decap-cms.js").read_bytes()
    assert cms.DECAP_INTEGRITY == "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


def test_no_assembly_can_take_the_desks_address(pressdir):
    pressdir.assembly("admin", text="name: Admins\nmembers:\n  - {id: rio, name: Rio, joined: 2025-01-01}\n")
    assert pressdir.problems() == ["editorial/assemblies/admin.yml: assembly id 'admin' is reserved for the site's own pages — rename the file"]


def test_the_desk_is_on_the_positive_list_with_its_reasons(site):
    from press.build import build as run_build

    result = run_build(site.root, search=False)
    reasons = result.outputs.reasons()
    assert reasons["admin/config.yml"] == "the writers' desk: Decap's configuration, generated from editorial/assemblies/"
    assert {name for name in reasons if name.startswith("admin/")} == set(cms.FILES)


def test_the_desk_offers_the_assemblies_not_the_council(sample):
    result = CliRunner().invoke(main, ["--root", str(sample), "build", "--no-search"])
    assert result.exit_code == 0, result.output
    config = yaml.safe_load((sample / "output" / "admin" / "config.yml").read_text(encoding="utf-8"))
    assert [c["name"] for c in config["collections"]] == ["harbor", "riverside", "springfield"]
