"""The ``shelf`` console script: Django's management commands under one name.

``shelf migrate``, ``shelf import FILE``, ``shelf runserver`` ... are
``manage.py`` commands, so ``shelf help`` lists all of them.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shelf.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
