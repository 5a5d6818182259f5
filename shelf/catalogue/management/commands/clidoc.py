"""Write docs/cli.md from the commands' own help, so the reference cannot drift."""

from pathlib import Path

from django.conf import settings
from django.core.management import BaseCommand, get_commands, load_command_class

DOC = Path(settings.BASE_DIR) / "docs" / "cli.md"
HEADER = """# The `shelf` command

`shelf` is Django's `manage.py` under the project's name: `shelf help` lists every command,
Django's own included (`migrate`, `createsuperuser`, `runserver`, ...). These are Shelf's own.
This page is generated from their help by `shelf clidoc`; a test checks it is current.
"""


def shelf_commands() -> list[tuple[str, str]]:
    return sorted(
        (name, app)
        for name, app in get_commands().items()
        if app.startswith("shelf.") and name != "clidoc"
    )


def options(parser, common: set[str]) -> list[str]:
    lines = []
    for action in parser._actions:
        if action.dest in common:
            continue
        if action.option_strings:
            name = ", ".join(action.option_strings)
            if action.nargs != 0:
                name += f" {action.metavar or action.dest.upper()}"
        else:
            name = action.metavar or action.dest
        if action.choices:
            name += " {" + ",".join(map(str, action.choices)) + "}"
        lines.append(f"- `{name}`: {action.help or ''}".rstrip(": "))
    return lines


def render() -> str:
    # Django's own options (--settings, --traceback, ...) are the same for
    # every command; only each command's own are listed.
    common = {a.dest for a in BaseCommand().create_parser("shelf", "x")._actions}
    parts = [HEADER]
    for name, app in shelf_commands():
        command = load_command_class(app, name)
        parser = command.create_parser("shelf", name)
        parts.append(f"## `shelf {name}`\n\n{' '.join(command.help.split())}\n")
        if lines := options(parser, common):
            parts.append("\n".join(lines) + "\n")
    return "\n".join(parts)


class Command(BaseCommand):
    help = "Write docs/cli.md, the reference of Shelf's own commands, from their help."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="Only check that docs/cli.md is current."
        )

    def handle(self, *args, check=False, **options):
        text = render()
        if check:
            if not DOC.exists() or DOC.read_text(encoding="utf-8") != text:
                raise SystemExit("docs/cli.md is out of date: run `shelf clidoc`")
            return
        DOC.write_text(text, encoding="utf-8")
        self.stdout.write(f"Wrote {DOC.relative_to(settings.BASE_DIR)}")
