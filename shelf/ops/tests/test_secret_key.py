"""The secret key made on first start, by several processes at once."""

import os
import subprocess
import sys

PRINT_KEY = "from django.conf import settings; print(settings.SECRET_KEY)"


def test_it_gives_processes_starting_together_one_complete_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env.update(SHELF_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="shelf.settings")
    starts = [
        subprocess.Popen(
            [sys.executable, "-c", PRINT_KEY], env=env, stdout=subprocess.PIPE, text=True
        )
        for _ in range(16)
    ]
    keys = {p.communicate(timeout=120)[0].strip() for p in starts}
    assert len(keys) == 1
    key = keys.pop()
    assert len(key) >= 50
    assert (tmp_path / "secret.key").read_text().strip() == key
    assert (tmp_path / "secret.key").stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".secret")] == []
