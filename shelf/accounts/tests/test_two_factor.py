"""Two-factor sign-in for staff."""

import re
import time

import time_machine
from django.test import override_settings
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from shelf.curation.models import AuditEvent
from shelf.curation.tests.base import CurationTestCase

PASSWORD = "correct horse battery"


def code_for(device: TOTPDevice, at: float | None = None) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if at is not None:
        totp.time = at
    return f"{totp.token():06d}"


class TwoFactorTestCase(CurationTestCase):
    def sign_in(self, username, next_url="/admin/"):
        return self.client.post(
            f"/accounts/login/?next={next_url}",
            {"username": username, "password": PASSWORD, "next": next_url},
        )

    def set_up_device(self, user) -> TOTPDevice:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
        return device


@override_settings(SHELF_STAFF_2FA=True)
class RequiredTestCase(TwoFactorTestCase):
    def test_a_staff_account_without_a_device_must_set_one_up_first(self):
        r = self.sign_in("ed")
        self.assertRedirects(
            r, "/accounts/two-factor/setup/?next=%2Fadmin%2F", fetch_redirect_response=False
        )
        # The password alone does not open staff pages.
        for path in ("/admin/", "/admin/catalogue/resource/", "/curation/"):
            with self.subTest(path):
                r = self.client.get(path)
                self.assertEqual(r.status_code, 302)
                self.assertTrue(r["Location"].startswith("/accounts/two-factor/setup/"))

    def test_setting_up_shows_a_qr_code_and_recovery_codes_once(self):
        self.sign_in("ed")
        r = self.client.get("/accounts/two-factor/setup/?next=/admin/")
        self.assertContains(r, 'src="data:image/svg+xml')
        device = TOTPDevice.objects.get(user=self.editor, confirmed=False)
        wrong = "000000" if code_for(device) != "000000" else "111111"
        r = self.client.post("/accounts/two-factor/setup/", {"code": wrong, "next": "/admin/"})
        self.assertContains(r, "This code is not right")
        later = time.time() + 60  # past the throttle's delay after a wrong code
        with time_machine.travel(later, tick=False):
            r = self.client.post(
                "/accounts/two-factor/setup/",
                {"code": code_for(device, at=later), "next": "/admin/"},
            )
        codes = re.findall(r"<li><code>(\w+)</code></li>", r.content.decode())
        self.assertEqual(len(codes), 10)
        self.assertContains(r, 'href="/admin/"')
        device.refresh_from_db()
        self.assertTrue(device.confirmed)
        self.assertEqual(self.client.get("/admin/").status_code, 200)
        self.assertTrue(AuditEvent.objects.filter(action="two-factor set up").exists())

    def test_a_signed_up_account_gives_its_code_after_the_password(self):
        device = self.set_up_device(self.reviewer)
        r = self.sign_in("rita", "/admin/catalogue/resource/")
        self.assertRedirects(
            r,
            "/accounts/two-factor/?next=%2Fadmin%2Fcatalogue%2Fresource%2F",
            fetch_redirect_response=False,
        )
        self.assertEqual(self.client.get("/admin/").status_code, 302)
        r = self.client.post(
            "/accounts/two-factor/", {"code": "12345", "next": "/admin/catalogue/resource/"}
        )
        self.assertContains(r, "This code is not right")
        later = time.time() + 60  # past the throttle's delay after a wrong code
        with time_machine.travel(later, tick=False):
            r = self.client.post(
                "/accounts/two-factor/",
                {"code": code_for(device, at=later), "next": "/admin/catalogue/resource/"},
            )
        self.assertRedirects(r, "/admin/catalogue/resource/", fetch_redirect_response=False)
        self.assertEqual(self.client.get("/admin/catalogue/resource/").status_code, 200)

    def test_a_recovery_code_works_once(self):
        from shelf.accounts.twofactor import new_recovery_codes

        self.set_up_device(self.reviewer)
        codes = new_recovery_codes(self.reviewer)
        self.sign_in("rita")
        r = self.client.post("/accounts/two-factor/", {"code": codes[0], "next": "/admin/"})
        self.assertRedirects(r, "/admin/", fetch_redirect_response=False)
        self.assertEqual(StaticDevice.objects.get(user=self.reviewer).token_set.count(), 9)
        self.client.logout()
        self.sign_in("rita")
        r = self.client.post("/accounts/two-factor/", {"code": codes[0], "next": "/admin/"})
        self.assertContains(r, "This code is not right")

    def test_new_recovery_codes_replace_the_old(self):
        from shelf.accounts.twofactor import new_recovery_codes

        self.set_up_device(self.admin)
        old = new_recovery_codes(self.admin)
        self.sign_in("ada")
        self.client.post("/accounts/two-factor/", {"code": old[0], "next": "/accounts/"})
        r = self.client.post("/accounts/two-factor/recovery-codes/")
        new = re.findall(r"<li><code>(\w+)</code></li>", r.content.decode())
        self.assertEqual(len(new), 10)
        tokens = set(StaticDevice.objects.get(user=self.admin).token_set.values_list("token"))
        self.assertEqual(tokens, {(c,) for c in new})

    def test_the_admins_own_sign_in_page_leads_to_the_code_too(self):
        self.set_up_device(self.editor)
        r = self.client.post(
            "/admin/login/?next=/admin/",
            {"username": "ed", "password": PASSWORD, "next": "/admin/"},
        )
        self.assertEqual(r.status_code, 302)
        r = self.client.get("/admin/")
        self.assertRedirects(
            r, "/accounts/two-factor/?next=%2Fadmin%2F", fetch_redirect_response=False
        )

    def test_members_never_need_it(self):
        r = self.sign_in("mia", "/resources/")
        self.assertRedirects(r, "/resources/", fetch_redirect_response=False)

    def test_it_never_sends_anyone_to_another_site(self):
        self.set_up_device(self.reviewer)
        self.sign_in("rita")
        device = TOTPDevice.objects.get(user=self.reviewer)
        r = self.client.post(
            "/accounts/two-factor/", {"code": code_for(device), "next": "https://evil.example/"}
        )
        self.assertRedirects(r, "/curation/", fetch_redirect_response=False)


@override_settings(SHELF_STAFF_2FA=False)
class OptionalTestCase(TwoFactorTestCase):
    def test_without_the_setting_staff_sign_in_with_a_password(self):
        r = self.sign_in("ed")
        self.assertRedirects(r, "/admin/", fetch_redirect_response=False)
        self.assertEqual(self.client.get("/admin/").status_code, 200)

    def test_who_set_it_up_anyway_is_asked_for_the_code(self):
        self.set_up_device(self.editor)
        r = self.sign_in("ed")
        self.assertTrue(r["Location"].startswith("/accounts/two-factor/?"))
        self.assertEqual(self.client.get("/admin/").status_code, 302)

    def test_the_account_page_offers_it_to_staff(self):
        self.client.force_login(self.editor)
        self.assertContains(self.client.get("/accounts/"), "Set up two-factor sign-in")
        self.client.force_login(self.member)
        self.assertNotContains(self.client.get("/accounts/"), "two-factor")
