"""Check a UBL document against the official e-invoice rule sets.

The rule sets are compiled Schematron (XSLT 3.0) published by CEN
(EN 16931), OpenPeppol (BIS Billing 3.0 incl. the Dutch NL-R-* rules) and
SimplerInvoicing (SI-UBL 2.0 / NLCIUS); they live outside the project in
``settings.EINVOICE_RULES_DIR``. Each run produces an SVRL report; every
``failed-assert`` or ``successful-report`` in it becomes a ``Failure``.

Compiling one of these stylesheets takes about a second while running it
takes milliseconds, so each is compiled once per process and kept in a
module-level cache. Saxon's processor is not documented as thread-safe, so
compiling and running go through one lock.
"""

import re
import threading
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from lxml import etree

RULE_SETS = {
    "EN16931": "CEN-EN16931-UBL.xslt",
    "PEPPOL": "PEPPOL-EN16931-UBL.xslt",
    "SI-UBL": "si-ubl-2.0.3.9.xslt",
}

# Flags a receiving access point rejects on. The README of the rule sets
# says a failed assert without a flag is a rejection too.
FAILING_FLAGS = frozenset({"fatal", "error", ""})

SVRL_NS = "http://purl.oclc.org/dsdl/svrl"
_LEADING_ID = re.compile(r"^\s*\[([^\]]+)\]")

_lock = threading.Lock()
_processor = None
_executables: dict[Path, object] = {}


@dataclass(frozen=True)
class Failure:
    rule_id: str
    flag: str
    text: str
    location: str

    @property
    def is_fatal(self) -> bool:
        return self.flag in FAILING_FLAGS

    def __str__(self):
        return f"[{self.flag or 'no flag'}] {self.rule_id}: {self.text} @ {self.location}"


def rules_dir() -> Path:
    default = Path(settings.BASE_DIR).parent / "shared" / "einvoice-rules"
    return Path(getattr(settings, "EINVOICE_RULES_DIR", default))


def _executable(path: Path):
    """The compiled stylesheet for ``path``; call with ``_lock`` held."""
    global _processor
    if path not in _executables:
        from saxonche import PySaxonProcessor

        if _processor is None:
            _processor = PySaxonProcessor(license=False)
        if not path.is_file():
            raise FileNotFoundError(f"E-invoice rule set not found: {path}")
        compiler = _processor.new_xslt30_processor()
        _executables[path] = compiler.compile_stylesheet(stylesheet_file=str(path))
    return _executables[path]


def compile_rule_sets() -> None:
    """Compile all rule sets now (e.g. at worker start or before timing)."""
    with _lock:
        for filename in RULE_SETS.values():
            _executable(rules_dir() / filename)


def parse_svrl(svrl: str | bytes) -> list[Failure]:
    """The failed asserts and successful reports of one SVRL report. The
    rule id is the ``id`` attribute or, where a rule has none (some SI-UBL
    rules), the ``[ID]`` the message starts with."""
    root = etree.fromstring(svrl.encode() if isinstance(svrl, str) else svrl)
    failures = []
    for element in root.iter(f"{{{SVRL_NS}}}failed-assert", f"{{{SVRL_NS}}}successful-report"):
        text = " ".join(element.findtext(f"{{{SVRL_NS}}}text", default="").split())
        rule_id = element.get("id", "")
        if not rule_id:
            match = _LEADING_ID.match(text)
            rule_id = match.group(1) if match else element.get("test", "")
        failures.append(
            Failure(rule_id=rule_id, flag=element.get("flag", ""), text=text, location=element.get("location", ""))
        )
    return failures


def validate_ubl(xml: bytes) -> dict[str, list[Failure]]:
    """Run all three rule sets over ``xml``; every failure per rule set
    (warnings included: use ``Failure.is_fatal`` or ``fatal_failures``)."""
    text = xml.decode("utf-8") if isinstance(xml, bytes) else xml
    results = {}
    with _lock:
        document = None
        for name, filename in RULE_SETS.items():
            executable = _executable(rules_dir() / filename)
            if document is None:
                document = _processor.parse_xml(xml_text=text)
            results[name] = parse_svrl(executable.transform_to_string(xdm_node=document))
    return results


def fatal_failures(results: dict[str, list[Failure]]) -> dict[str, list[Failure]]:
    """Only the failures a receiver rejects on, per rule set (empty ones left out)."""
    fatal = {name: [f for f in failures if f.is_fatal] for name, failures in results.items()}
    return {name: failures for name, failures in fatal.items() if failures}
