"""Members and the front door: a members-only link, signing in, passwords."""

import re

from django.core import mail
from django.test import override_settings

from shelf.catalogue.models import Status, Visibility
from shelf.curation.tests.base import CurationTestCase, make_resource

PASSWORD = "correct horse battery"


class MembersLinkTestCase(CurationTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.secret = make_resource(
            "Members briefing", slug="briefing", visibility=Visibility.MEMBERS
        )
        cls.draft = make_resource("Unfinished", slug="unfinished", status=Status.DRAFT)

    def test_an_anonymous_reader_gets_a_404_that_offers_to_sign_in(self):
        r = self.client.get("/resources/briefing/")
        self.assertEqual(r.status_code, 404)
        self.assertContains(r, 'href="/accounts/login/?next=/resources/briefing/"', status_code=404)
        self.assertNotContains(r, "Members briefing", status_code=404)

    def test_the_404_is_the_same_whether_the_item_exists_or_not(self):
        def page(slug):
            body = self.client.get(f"/resources/{slug}/").content.decode()
            body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)
            return body.replace(slug, "SLUG")

        self.assertEqual(page("briefing"), page("no-such-thing"))

    def test_after_signing_in_the_member_lands_on_the_item(self):
        r = self.client.post(
            "/accounts/login/?next=/resources/briefing/",
            {"username": "mia", "password": PASSWORD, "next": "/resources/briefing/"},
        )
        self.assertRedirects(r, "/resources/briefing/")
        self.assertContains(self.client.get("/resources/briefing/"), "Members briefing")

    def test_a_signed_in_member_is_not_offered_to_sign_in_again(self):
        self.client.force_login(self.member)
        r = self.client.get("/resources/unfinished/")
        self.assertEqual(r.status_code, 404)
        self.assertNotContains(r, "/accounts/login/", status_code=404)

    def test_it_never_sends_a_reader_to_another_site(self):
        r = self.client.post(
            "/accounts/login/",
            {"username": "mia", "password": PASSWORD, "next": "https://evil.example/"},
        )
        self.assertRedirects(r, "/resources/", fetch_redirect_response=False)


@override_settings(SITE_ROOT="https://library.example", SHELF_SITE_NAME="Safe Shelf")
class PasswordTestCase(CurationTestCase):
    def reset_link(self) -> str:
        self.assertEqual(len(mail.outbox), 1)
        message = mail.outbox[0]
        self.assertEqual(message.to, ["mia@example.org"])
        self.assertIn("Safe Shelf", message.subject)
        return re.search(r"https://library\.example(/accounts/password-reset/\S+)", message.body)[1]

    def test_a_member_resets_a_forgotten_password_by_e_mail(self):
        r = self.client.post("/accounts/password-reset/", {"email": "mia@example.org"})
        self.assertRedirects(r, "/accounts/password-reset/sent/")
        link = self.reset_link()
        r = self.client.get(link, follow=True)
        self.assertContains(r, "Choose a new password")
        new = "a much longer pass phrase"
        r = self.client.post(r.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
        self.assertRedirects(r, "/accounts/password-reset/done/")
        self.assertTrue(self.client.login(username="mia", password=new))
        # The link works once.
        self.client.logout()
        self.assertContains(self.client.get(link, follow=True), "has been used or has expired")

    def test_an_unknown_address_gets_the_same_answer_and_no_mail(self):
        r = self.client.post("/accounts/password-reset/", {"email": "nobody@example.org"})
        self.assertRedirects(r, "/accounts/password-reset/sent/")
        self.assertEqual(mail.outbox, [])

    def test_a_member_changes_their_password(self):
        self.client.force_login(self.member)
        new = "another long pass phrase"
        r = self.client.post(
            "/accounts/password/",
            {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
        )
        self.assertRedirects(r, "/accounts/password/done/")
        self.client.logout()
        self.assertTrue(self.client.login(username="mia", password=new))

    def test_the_sign_in_page_links_to_the_reset(self):
        self.assertContains(self.client.get("/accounts/login/"), 'href="/accounts/password-reset/"')
