"""Starting ardesk (every command, every web worker) must not import scikit-learn: it costs about a second."""

from __future__ import annotations

import subprocess
import sys


def test_a_command_starts_without_scikit_learn():
    code = ("import django, os, sys; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'ardesk.settings'); "
            "django.setup(); from django.urls import get_resolver; get_resolver().url_patterns; "
            "import ardesk.imports.services, ardesk.disputes.services; print('sklearn' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)  # noqa: S603
    assert done.stdout.strip() == "False"
