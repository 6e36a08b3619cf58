"""An independent second opinion on a credential: tests/credentials/verify.mjs, which checks
it with Digital Bazaar's JavaScript libraries (VC 2.0, Data Integrity eddsa-rdfc-2022,
Bitstring Status List), offline, against the same bundled contexts the app uses.

`make node-deps` installs those libraries into node_modules/; without them (or without
node) tests that need this checker skip, and under CI=true they fail instead."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.support.app import skip_missing_infrastructure

ROOT = Path(__file__).resolve().parent.parent.parent
SCRIPT = ROOT / "tests" / "credentials" / "verify.mjs"
CONTEXTS = ROOT / "ceengine" / "certificates" / "contexts"
NODE_MODULES = ROOT / "node_modules"
A_PACKAGE = NODE_MODULES / "@digitalbazaar" / "vc" / "package.json"  # present once installed
TIMEOUT_SECONDS = 60


def node_available() -> bool:
    """Whether node and the checker's installed packages are both here."""
    return shutil.which("node") is not None and A_PACKAGE.exists()


def require_node_verifier() -> None:
    """Skip the calling test when the Node checker cannot run; in CI that is a failure."""
    if shutil.which("node") is None:
        skip_missing_infrastructure("node is not installed (the Node credential checker)")
    if not A_PACKAGE.exists():
        skip_missing_infrastructure(
            "node_modules is not installed (run `make node-deps` for the credential checker)"
        )


def node_verify(
    credential: dict,
    did_document: dict,
    status_lists: dict[str, dict] | None = None,
    now: str | None = None,
    contexts: dict[str, dict] | None = None,
) -> dict:
    """Verify `credential` with verify.mjs: its JSON answer plus "exit" (0 means verified and
    not revoked). `status_lists` maps each status list credential URL to the credential
    served there; `now` (ISO 8601) replaces the clock for validFrom/validUntil; `contexts` maps
    more context URLs (the sponsor's extension context) to their documents."""
    require_node_verifier()
    with tempfile.TemporaryDirectory(prefix="ceengine-node-verify-") as tmp:
        folder = Path(tmp)

        def write(name: str, value: dict) -> str:
            path = folder / name
            path.write_text(json.dumps(value), encoding="utf-8")
            return str(path)

        command = ["node", str(SCRIPT), "--contexts", str(CONTEXTS)]
        command += ["--did", write("did.json", did_document)]
        for number, (url, status_list) in enumerate((status_lists or {}).items()):
            command += ["--status-list", f"{url}={write(f'status-{number}.json', status_list)}"]
        for number, (url, context) in enumerate((contexts or {}).items()):
            command += ["--context", f"{url}={write(f'context-{number}.json', context)}"]
        if now is not None:
            command += ["--now", now]
        command.append(write("credential.json", credential))
        finished = subprocess.run(
            command,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
    if finished.returncode == 2 or not finished.stdout.strip():
        raise RuntimeError(
            f"verify.mjs failed (exit {finished.returncode}): {finished.stderr.strip()}"
        )
    answer = json.loads(finished.stdout)
    answer["exit"] = finished.returncode
    return answer
