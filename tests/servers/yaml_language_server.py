"""A minimal LSP client driving Red Hat's yaml-language-server over stdio, as an editor does.

VS Code's YAML extension, coc-yaml, Neovim's yamlls and Helix all run this server; what
it completes and shows on hover is what a release manager sees while writing a runbook.

Installed by `.ci/run` into `.ci/node`, with Prism in the same command (a second
`npm install --no-save` would remove the first one's packages):

    npm install --prefix .ci/node --no-save --no-audit --no-fund --ignore-scripts \\
        @stoplight/prism-cli@5.14.2 yaml-language-server@1.25.0

The tests pass with 2.0.0 too (which needs Node >= 22.13); point
`$YAML_LANGUAGE_SERVER` at another install to try one.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
from pathlib import Path
from queue import Empty, Queue
from typing import IO, Any, Self

REPO = Path(__file__).resolve().parents[2]
LOCAL = REPO / ".ci" / "node" / "node_modules" / ".bin" / "yaml-language-server"
TIMEOUT = 30.0  # seconds for one answer; the server starts in about a second


def find_yaml_language_server() -> str | None:
    """`$YAML_LANGUAGE_SERVER`, the repository's `.ci/node` install, or PATH."""
    if os.environ.get("YAML_LANGUAGE_SERVER"):
        return os.environ["YAML_LANGUAGE_SERVER"]
    if LOCAL.exists():
        return str(LOCAL)
    return shutil.which("yaml-language-server")


class YamlLanguageServer:
    """One server process; `open()` a document, then `complete()` and `hover()` in it."""

    def __init__(self, command: str) -> None:
        self.command = command
        self._proc: subprocess.Popen[bytes] | None = None
        self._answers: Queue[dict[str, Any]] = Queue()
        self._next_id = 0
        self.diagnostics: Queue[dict[str, Any]] = Queue()

    def __enter__(self) -> Self:
        self._proc = subprocess.Popen(
            [self.command, "--stdio"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self._reader = threading.Thread(target=self._read, args=(self._proc.stdout,), daemon=True)
        self._reader.start()
        capabilities = {
            "textDocument": {
                "completion": {
                    "completionItem": {"snippetSupport": True, "documentationFormat": ["markdown"]}
                },
                "hover": {"contentFormat": ["markdown", "plaintext"]},
            },
            "workspace": {"configuration": True},
        }
        self.request(
            "initialize",
            {"processId": os.getpid(), "rootUri": REPO.as_uri(), "capabilities": capabilities},
        )
        self.notify("initialized", {})
        self.notify("workspace/didChangeConfiguration", {"settings": self._settings()})
        return self

    def __exit__(self, *_exc: object) -> None:
        proc = self._proc
        assert proc is not None
        try:
            self.request("shutdown", None)
            self.notify("exit", None)
            proc.wait(timeout=5)
        except (OSError, TimeoutError, subprocess.TimeoutExpired):
            proc.kill()
            proc.wait()
        self._reader.join(timeout=5)  # it ends at the end of the server's output
        for stream in (proc.stdin, proc.stdout):
            if stream is not None:
                stream.close()

    @staticmethod
    def _settings() -> dict[str, Any]:
        return {
            "yaml": {
                "validate": True,
                "hover": True,
                "completion": True,
                "schemaStore": {"enable": False},
            }
        }

    def _send(self, message: dict[str, Any]) -> None:
        assert self._proc is not None
        assert self._proc.stdin is not None
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        self._proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self._proc.stdin.flush()

    def _read(self, stream: IO[bytes]) -> None:
        while True:
            length = 0
            while (line := stream.readline()) not in (b"\r\n", b""):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            if not line:
                return
            message = json.loads(stream.read(length))
            if message.get("method") == "workspace/configuration":  # the server asks us
                items = message["params"]["items"]
                result = [self._settings().get(i.get("section", ""), None) for i in items]
                self._send({"id": message["id"], "result": result})
            elif message.get("method") == "textDocument/publishDiagnostics":
                self.diagnostics.put(message["params"])
            elif "id" in message and "method" in message:  # other requests: say yes
                self._send({"id": message["id"], "result": None})
            elif "id" in message:
                self._answers.put(message)

    def notify(self, method: str, params: Any) -> None:
        self._send({"method": method, "params": params})

    def request(self, method: str, params: Any) -> Any:
        self._next_id += 1
        self._send({"id": self._next_id, "method": method, "params": params})
        while True:
            try:
                answer = self._answers.get(timeout=TIMEOUT)
            except Empty:
                raise TimeoutError(f"yaml-language-server did not answer {method}") from None
            if answer.get("id") == self._next_id:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                return answer.get("result")

    def open(self, uri: str, text: str) -> None:
        self.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}},
        )

    def complete(self, uri: str, line: int, character: int) -> list[dict[str, Any]]:
        result = self.request(
            "textDocument/completion",
            {"textDocument": {"uri": uri}, "position": {"line": line, "character": character}},
        )
        items: list[dict[str, Any]] = result["items"] if isinstance(result, dict) else result
        return items

    def hover(self, uri: str, line: int, character: int) -> str:
        result = self.request(
            "textDocument/hover",
            {"textDocument": {"uri": uri}, "position": {"line": line, "character": character}},
        )
        if not result:
            return ""
        contents = result["contents"]
        return str(contents["value"] if isinstance(contents, dict) else contents)
