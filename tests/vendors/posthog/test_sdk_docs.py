"""`docs/posthog-sdk.md` as a reader runs it against the mock: its Python app with the official
SDK, and its shell walk-through (a draft's variants appear when it is launched, the ETag's
304, events in the journal, each refusal)."""

from __future__ import annotations

import subprocess
import sys

from tests.docs.pages import ROOT, blocks
from tests.vendors.posthog.test_sdk import shares_of

PAGE = ROOT / "docs" / "posthog-sdk.md"
DOCUMENTED = "http://127.0.0.1:8080"


def texts(language: str) -> list[str]:
    return [block.text for block in blocks(PAGE) if block.language == language]


def test_the_python_app_prints_each_users_variant_the_same_remotely_and_locally(mock, http):
    [app] = texts("python")
    done = subprocess.run([sys.executable, "-W", "ignore::DeprecationWarning", "-c", app.replace(DOCUMENTED, mock.url)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    printed = [line.split() for line in done.stdout.splitlines()]
    assert [row[0] for row in printed] == ["alice", "bob", "carol", "dave"]
    variants = shares_of(http, "pricing-page-cta")
    assert all(row[1] == row[2] and row[1] in variants for row in printed), printed


def test_the_shell_walk_through_launches_a_draft_whose_variants_then_appear(mock):
    script = "set -e\n" + "\n".join(texts("sh")).replace(DOCUMENTED, mock.url)
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "draft served: False" in lines and "True True" in lines
    launched = lines.index("running True")
    assert lines[launched - 1].split()[1] == "304" and lines[launched + 1].split()[1] == "200"  # the status lines before and after
    served = [line.split() for line in lines if line.split()[:1] in (["alice"], ["bob"], ["carol"], ["dave"])]
    assert len(served) == 4 and all(code in ("condition_match", "holdout_condition_value") for _, _, code in served), served
    assert any("('signup_started', 'alice'), ('$feature_flag_called', 'bob')]" in line for line in lines)  # the journal's newest batches
    assert all(f'"code": "{code}"' in done.stdout for code in ("invalid_api_key", "permission_denied", "parse_error"))
