"""The invoice run over the bench data set (bench/data_invoicing.py): 2,000
engagements, 100,000 approved time entries in September and October 2026.

"First run" invoices both months (two runs, one per month, as the monthly
schedule would); "second run" repeats both at once and must create nothing.
The invoicing tables are emptied first, so every benchmark run starts from
the same state. The runs execute in a fresh Python process (what a Celery
worker does), so ``peak_mb`` is that process's peak resident memory
(``VmHWM``), Django included, unaffected by the data generation in the
parent process. Timing uses ``time.perf_counter``; Celery runs eagerly
and mail goes to the in-memory backend, so the HR notifications of the run
are part of the time.

    {"bench": "invoice_run", "first_s": …, "second_s": …, "peak_mb": …, "invoices": …,
     "second_run_invoices": 0, "time_entries": 100000, …}
"""

import json
import os
import resource
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

NAME = "invoice_run"


def _peak_rss_mb() -> float:
    """This process's peak resident memory. ``VmHWM`` belongs to the
    process's own address space; ``getrusage``'s ``ru_maxrss`` (the fallback
    off Linux) also keeps the parent's peak from before the exec."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child() -> dict:
    """Runs in the fresh process: empty the invoice tables, run, run again."""
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    from invoicing import services
    from invoicing.models import Invoice, InvoiceLine, InvoiceLineEntry, InvoiceRun, TimeEntry
    from zppbrabant.celery import app

    app.conf.task_always_eager = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    months = [date.fromisoformat(m) for m in json.loads(os.environ["BENCH_INVOICE_MONTHS"])]
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE invoicing_invoicelineentry, invoicing_invoiceline, invoicing_invoice, invoicing_invoicerun, "
            "invoicing_invoicesequence"
        )
    rss_before = _peak_rss_mb()

    def run_all() -> tuple[float, int, list[float]]:
        started, created, per_month = time.perf_counter(), 0, []
        for month in months:
            t0 = time.perf_counter()
            created += services.invoice_run_execute(InvoiceRun.objects.create(period_start=month))
            per_month.append(round(time.perf_counter() - t0, 2))
        return time.perf_counter() - started, created, per_month

    first_s, invoices, first_months = run_all()
    second_s, second_invoices, second_months = run_all()
    peak_mb = _peak_rss_mb()
    invoiced = TimeEntry.objects.filter(
        date__gte=months[0], date__lte=services.month_bounds(months[-1])[1], timesheet__status="approved"
    ).count()
    return {
        "first_s": round(first_s, 2),
        "second_s": round(second_s, 2),
        "peak_mb": round(peak_mb, 1),
        "invoices": invoices,
        "second_run_invoices": second_invoices,
        "time_entries": invoiced,
        "linked_entries": InvoiceLineEntry.objects.filter(active=True).count(),
        "lines": InvoiceLine.objects.count(),
        "invoices_in_db": Invoice.objects.count(),
        "first_s_per_month": first_months,
        "second_s_per_month": second_months,
        "rss_before_runs_mb": round(rss_before, 1),
        "months": [m.isoformat() for m in months],
    }


def run() -> dict:
    from bench.generate import done
    from marketplace.models import Engagement

    info = done()["invoicing"]["info"]
    env = {**os.environ, "BENCH_INVOICE_MONTHS": json.dumps(info["months"])}
    child = subprocess.run(
        [sys.executable, "-c", "import json, bench.bench_invoice_run as b; print(json.dumps(b._child()))"],
        env=env, cwd=Path(__file__).resolve().parent.parent, capture_output=True, text=True, check=False,
    )
    sys.stderr.write(child.stderr)
    if child.returncode != 0:
        raise RuntimeError(f"the invoice run process failed (exit {child.returncode})")
    result = json.loads(child.stdout.strip().splitlines()[-1])
    result["engagements"] = Engagement.objects.filter(time_entries__isnull=False).distinct().count()
    if result["second_run_invoices"] != 0:
        raise RuntimeError(f"the second run created {result['second_run_invoices']} invoices")
    if result["linked_entries"] != result["time_entries"]:
        raise RuntimeError(f"{result['time_entries']} entries, {result['linked_entries']} linked")
    return result
