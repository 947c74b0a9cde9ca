#!/usr/bin/env python3
"""The Swift check must fail on what it is there to catch (fixtures in tests/swift-check/): a
syntax error, a call to a function the bindings do not have, wrong argument labels on a core
call, a logging call, an app text key the catalogue lacks, a text filled with the wrong
placeholders; and pass a good file. Run by scripts/check-swift before the real check.

Usage: swift_check_test.py BINDINGS.swift PLATFORM_NAMES.txt
"""
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

root = Path(__file__).resolve().parent.parent
fixtures = root / "tests" / "swift-check"
expected = {
    "good.swift": (0, "OK"),
    "syntax-error.swift": (1, "syntax error"),
    "missing-binding.swift": (1, "`archiveCase` is not in the generated bindings"),
    "wrong-labels.swift": (1, "`addNote(case:, text:)` matches no signature"),
    "logging.swift": (1, "`print` logs"),
    "unknown-text-key.swift": (1, "text key `app.handover.sent_ok` is not in fr.json"),
    "wrong-placeholders.swift": (1, "`app.handover.to` fills ['org'], its text has ['organisation']"),
}


def main() -> int:
    bindings, platform = sys.argv[1], sys.argv[2]
    failures = []
    for name, (status, needle) in expected.items():
        with tempfile.TemporaryDirectory() as tmp:
            shutil.copy(fixtures / name, Path(tmp) / name)
            run = subprocess.run(
                [sys.executable, str(root / "scripts" / "swift_check.py"), bindings, platform, tmp],
                capture_output=True, text=True,
            )
        if run.returncode != status or needle not in run.stdout:
            failures.append(f"{name}: expected exit {status} and {needle!r}, got {run.returncode}:\n{run.stdout}")
    for f in failures:
        print(f)
    print(f"swift check self-test: {len(expected) - len(failures)}/{len(expected)} fixtures as expected")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
