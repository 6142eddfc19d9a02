"""Settings come from the environment; production mode passes Django's deployment checklist.

Each case runs in a fresh interpreter, because settings are read once, at import.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ARDESK = str(Path(sys.executable).with_name("ardesk"))
# Only what a process needs to run: anything else in the test run's environment (DATABASE_URL, DEBUG, or
# DJANGO_ALLOW_ASYNC_UNSAFE set by the browser tests) would change what is being tested.
KEPT = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")
PRINT_SETTINGS = """
import json, django
django.setup()
from django.conf import settings as s
db = s.DATABASES["default"]
print(json.dumps({"engine": db["ENGINE"], "name": str(db["NAME"]), "host": db.get("HOST", ""),
                  "port": str(db.get("PORT", "")), "user": db.get("USER", ""),
                  "broker": s.CELERY_BROKER_URL, "eager": s.CELERY_TASK_ALWAYS_EAGER, "time_zone": s.TIME_ZONE,
                  "celery_time_zone": s.CELERY_TIMEZONE, "currency": s.ARDESK_COMPANY_CURRENCY, "debug": s.DEBUG}))
"""


def environment(tmp_path: Path, **values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k in KEPT}
    env.update({"ARDESK_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "ardesk.settings", **values})
    return env


def run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, env=env, cwd=cwd, capture_output=True, text=True, timeout=120, check=False)  # noqa: S603


def settings_under(tmp_path: Path, **values: str) -> dict[str, object]:
    done = run([sys.executable, "-c", PRINT_SETTINGS], environment(tmp_path, **values), tmp_path)
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


PRODUCTION = {"ARDESK_ENV": "production", "ALLOWED_HOSTS": "ar.example.com,ardesk.example.com",
              "SECRET_KEY": "k3Y-" + "Zq8!vR2#mW5@xT9$" * 4}


def test_production_passes_the_deployment_checklist_without_a_single_warning(tmp_path: Path) -> None:
    # when
    done = run([ARDESK, "check", "--deploy", "--fail-level", "WARNING"], environment(tmp_path, **PRODUCTION), tmp_path)
    # then
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout


def test_the_development_defaults_would_not_pass_it(tmp_path: Path) -> None:
    # The check above must be able to fail: the laptop defaults (DEBUG, an insecure key) do not pass.
    done = run([ARDESK, "check", "--deploy", "--fail-level", "WARNING"], environment(tmp_path), tmp_path)
    assert done.returncode != 0
    assert "security.W018" in done.stderr  # DEBUG is on


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    env = environment(tmp_path, **PRODUCTION)
    del env["SECRET_KEY"]
    done = run([ARDESK, "check"], env, tmp_path)
    assert done.returncode != 0
    assert "SECRET_KEY must be set" in done.stderr


def test_defaults_are_sqlite_in_the_var_dir_tasks_in_process_utc_and_euro(tmp_path: Path) -> None:
    seen = settings_under(tmp_path)
    assert seen["engine"] == "django.db.backends.sqlite3"
    assert seen["name"] == str(tmp_path / "ardesk.sqlite3")
    assert (seen["broker"], seen["eager"]) == ("", True)
    assert (seen["time_zone"], seen["celery_time_zone"]) == ("UTC", "UTC")
    assert seen["currency"] == "EUR"
    assert seen["debug"] is True


def test_each_setting_is_read_from_the_environment(tmp_path: Path) -> None:
    seen = settings_under(
        tmp_path,
        DATABASE_URL="postgres://ardesk@db.internal:6543/ardesk_live",
        CELERY_BROKER_URL="redis://queue.internal:6379/2",
        TIME_ZONE="Europe/Berlin",
        ARDESK_COMPANY_CURRENCY="chf",
    )
    assert seen["engine"] == "django.db.backends.postgresql"
    assert (seen["name"], seen["host"], seen["port"], seen["user"]) == ("ardesk_live", "db.internal", "6543", "ardesk")
    # a broker means tasks go to workers instead of running in the request
    assert (seen["broker"], seen["eager"]) == ("redis://queue.internal:6379/2", False)
    assert (seen["time_zone"], seen["celery_time_zone"]) == ("Europe/Berlin", "Europe/Berlin")
    assert seen["currency"] == "CHF"


@pytest.mark.parametrize("currency", ["EURO", "XYZ"])
def test_a_mistyped_company_currency_stops_the_start(tmp_path: Path, currency: str) -> None:
    done = run([sys.executable, "-c", PRINT_SETTINGS], environment(tmp_path, ARDESK_COMPANY_CURRENCY=currency),
               tmp_path)
    assert done.returncode != 0
    assert "ARDESK_COMPANY_CURRENCY" in done.stderr and currency in done.stderr
