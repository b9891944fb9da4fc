"""Production settings: `check --deploy` is clean, and start-up refuses to
run without a real SECRET_KEY."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _production_env(**overrides):
    # Not what the browser tests set for themselves (DJANGO_ALLOW_ASYNC_UNSAFE).
    dropped = {"DEBUG", "SECRET_KEY", "TESTING", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="zpp.example.nl",
        DJANGO_SETTINGS_MODULE="zppbrabant.settings",
    )
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def _manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_has_no_finding_with_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=_production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", env=_production_env(SECRET_KEY=None))
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_a_short_secret_key():
    result = _manage("check", env=_production_env(SECRET_KEY="too-short"))
    assert result.returncode != 0
    assert "at least 50 characters" in result.stderr


def test_without_email_url_mail_is_printed_not_sent_to_a_missing_smtp_server():
    """The development default must name a backend dj-email-url knows;
    an unknown scheme silently left Django's SMTP backend on localhost:25."""
    env = {k: v for k, v in os.environ.items() if k != "EMAIL_URL"}
    env.update(DJANGO_SETTINGS_MODULE="zppbrabant.settings")
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from django.conf import settings; "
         "print(settings.EMAIL_BACKEND)"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "django.core.mail.backends.console.EmailBackend"
