"""`bandit -r` on the project code: no high-severity finding (issue 8).
Medium/low findings are reviewed uses (format_html building blocks, the
capped COUNT subquery built from a queryset, the development server binding)."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROJECT_CODE = ["zppbrabant", "members", "marketplace", "training", "invoicing", "matching", "scripts", "bench"]


def test_no_high_severity_security_finding():
    result = subprocess.run(
        [sys.executable, "-m", "bandit", "-q", "-r", *PROJECT_CODE, "-f", "json"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    report = json.loads(result.stdout)
    assert report["metrics"]["_totals"]["loc"] > 1000, "bandit scanned nothing"
    high = [
        f"{r['filename']}:{r['line_number']} {r['test_id']} {r['issue_text']}"
        for r in report["results"]
        if r["issue_severity"] == "HIGH"
    ]
    assert not high, "\n".join(high)
