import secrets
import sys

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from shelf.curation.roles import ROLES, assign_role


class Command(BaseCommand):
    help = (
        "Create an account with a role (member, editor, reviewer, admin). "
        "The password is read from standard input, or generated and printed once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", required=True)
        parser.add_argument("--email", default="")
        parser.add_argument("--role", required=True, choices=list(ROLES))
        parser.add_argument(
            "--password-from-stdin",
            action="store_true",
            help="read the password from the first line of standard input",
        )

    def handle(self, *args, username, email, role, password_from_stdin, **options):
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            raise CommandError(f"A user named {username!r} already exists.")
        generated = not password_from_stdin
        password = secrets.token_urlsafe(15) if generated else sys.stdin.readline().rstrip("\r\n")
        user = User(username=username, email=email)
        try:
            validate_password(password, user)
        except ValidationError as e:
            raise CommandError(" ".join(e.messages)) from e
        with transaction.atomic():
            user.set_password(password)
            user.save()
            assign_role(user, role)
        self.stdout.write(f"Created {role} {username}.")
        if generated:
            # Printed once, never stored in clear: pass it on, then forget it.
            self.stdout.write(f"Password: {password}")
