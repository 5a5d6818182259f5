"""The members-only canary: one members-only item, planted next to public
ones, must not exist for anyone who is not signed in, on any surface.

Every surface is a row of ``SURFACES``. When a surface is added (feeds,
sitemap, OAI-PMH, exports, file downloads, suggestions), add its row: what an
anonymous reader must get, and what a signed-in member must get, so the row
proves it can see the canary where it is allowed and the test can fail.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from urllib.parse import unquote

from shelf.catalogue.models import Status, Visibility
from shelf.curation.tests.base import CurationTestCase, make_resource, term

# A word that occurs nowhere else: in the title, summary, body and term label.
WORD = "Zyxwovut"

HIDDEN = "hidden"  # answers (200, or 400 for a filter it refuses) without a trace of the canary
SHOWN = "shown"  # answers 200 and shows the canary
NOT_FOUND = "404"
SIGN_IN = "sign-in"  # sends to a sign-in page without a trace of the canary


@dataclass(frozen=True)
class Surface:
    name: str
    url: str
    anonymous: str
    member: str | None  # None: the member has no more right here than anyone
    insider: str = "member"  # who proves the row can see the canary
    # Traces the reader put there: a chosen term shows as a chip with its label.
    may_echo: tuple[str, ...] = ()


SURFACES = [
    Surface("listing page: results and snippets", "/resources/", HIDDEN, SHOWN),
    Surface("listing page: search for the canary's word", f"/resources/?q={WORD}", HIDDEN, SHOWN),
    Surface(
        "listing page: filtered by the canary's term",
        "/resources/?topic={term}",
        HIDDEN,
        SHOWN,
        may_echo=("term label", "word"),
    ),
    Surface("listing page: sorted by title, page 1", "/resources/?sort=title", HIDDEN, SHOWN),
    Surface("detail page", "/resources/{canary}/", NOT_FOUND, SHOWN),
    Surface(
        "detail page of a public item: related items and translations",
        "/resources/{public}/",
        HIDDEN,
        SHOWN,
    ),
    Surface("API list", "/api/v1/resources", HIDDEN, SHOWN),
    Surface("API search for the canary's word", f"/api/v1/resources?q={WORD}", HIDDEN, SHOWN),
    Surface(
        "API filtered by the canary's term",
        "/api/v1/resources?topic={term}",
        HIDDEN,
        SHOWN,
        may_echo=("term label", "word"),
    ),
    Surface("API detail", "/api/v1/resources/{canary}", NOT_FOUND, SHOWN),
    Surface("API detail of a linked public item", "/api/v1/resources/{public}", HIDDEN, None),
    Surface("admin list", "/admin/catalogue/resource/", SIGN_IN, SHOWN, insider="editor"),
    Surface("admin search", f"/admin/catalogue/resource/?q={WORD}", SIGN_IN, SHOWN, "editor"),
    Surface(
        "admin change page", "/admin/catalogue/resource/{pk}/change/", SIGN_IN, SHOWN, "editor"
    ),
    Surface("admin history", "/admin/catalogue/resource/{pk}/history/", SIGN_IN, SHOWN, "editor"),
    Surface("curator dashboard", "/curation/", SIGN_IN, None),
]


class MembersOnlyCanaryTestCase(CurationTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.parents = term("audience", "parents", "Parents")
        cls.online = term("topic", "online-safety", "Online safety")
        cls.secret_term = term("topic", "t-k3", f"{WORD} topic")
        cls.public = make_resource(
            "Online safety guide for parents",
            summary="(ICMEC) What parents can do at home.",
            terms=[cls.parents, cls.online],
            language="en",
        )
        make_resource("Checklist for schools", terms=[cls.online], language="en")
        cls.canary = make_resource(
            f"{WORD} members briefing",
            slug="canary-q7",
            summary=f"A members-only summary mentioning {WORD}.",
            body=f"The body of the {WORD} briefing.",
            terms=[cls.parents, cls.online, cls.secret_term],
            language="fr",
            visibility=Visibility.MEMBERS,
            status=Status.PUBLISHED,
            # Due for review, so it would also show on the curator dashboard.
        )
        cls.public.translations.add(cls.canary)

    def url(self, surface: Surface) -> str:
        return surface.url.format(
            canary=self.canary.slug,
            public=self.public.slug,
            term=self.secret_term.slug,
            pk=self.canary.pk,
        )

    def traces(self, surface: Surface, response) -> list[str]:
        """What of the canary a response gives away. What the reader typed
        (a search word, a slug in the address) and may see echoed is not a trace."""
        text = html.unescape(response.content.decode())
        if response.get("Content-Type", "").startswith("application/json"):
            text = json.dumps(json.loads(text), ensure_ascii=False)
        markers = {
            "word": WORD,
            "title": self.canary.title,
            "summary": "members-only summary",
            "body": f"body of the {WORD}",
            "term label": self.secret_term.label,
            "slug": self.canary.slug,
            "admin link": f"/resource/{self.canary.pk}/",
        }
        typed = unquote(self.url(surface))
        return [
            name
            for name, marker in markers.items()
            if marker.casefold() in text.casefold()
            and marker.casefold() not in typed.casefold()
            and name not in surface.may_echo
        ]

    def check(self, surface: Surface, expected: str, response) -> None:
        status = response.status_code
        traces = self.traces(surface, response)
        if expected == HIDDEN:
            self.assertIn(status, (200, 400) if "{term}" in surface.url else (200,))
            self.assertEqual(traces, [])
        elif expected == NOT_FOUND:
            self.assertEqual(status, 404)
            self.assertEqual(traces, [])
        elif expected == SIGN_IN:
            self.assertEqual(status, 302)
            self.assertRegex(response["Location"], r"/(accounts|admin)/login/")
            self.assertEqual(traces, [])
        elif expected == SHOWN:
            self.assertEqual(status, 200)
            self.assertIn("title", traces, "the canary is not shown")

    def test_it_does_not_exist_for_anonymous_readers_on_any_surface(self):
        for surface in SURFACES:
            with self.subTest(surface.name):
                self.check(surface, surface.anonymous, self.client.get(self.url(surface)))

    def test_it_is_there_for_those_allowed_so_the_test_can_fail(self):
        for surface in SURFACES:
            if surface.member is None:
                continue
            insider = self.editor if surface.insider == "editor" else self.member
            self.client.force_login(insider)
            with self.subTest(surface.name, who=surface.insider):
                self.check(surface, surface.member, self.client.get(self.url(surface)))

    def test_it_is_not_counted_in_facets(self):
        for who in ("anonymous", "member"):
            if who == "member":
                self.client.force_login(self.member)
            expected = {"parents": 1 if who == "anonymous" else 2}
            with self.subTest("listing page facets", who=who):
                results = self.client.get("/resources/").context["results"]
                counts = {(f.name, v.value): v.count for f in results.facets for v in f.values}
                self.assertEqual(counts.get(("audience", "parents")), expected["parents"])
                self.assertEqual(("topic", self.secret_term.slug) in counts, who == "member")
                self.assertEqual(results.count, 2 if who == "anonymous" else 3)
            with self.subTest("API facets", who=who):
                response = self.client.get("/api/v1/resources")
                self.assertEqual(response.status_code, 200)
                data = json.loads(response.content)
                audience = {v["value"]: v["count"] for v in data["facets"]["audience"]}
                topics = {v["value"] for v in data["facets"]["topic"]}
                self.assertEqual(audience.get("parents"), expected["parents"])
                self.assertEqual(self.secret_term.slug in topics, who == "member")
                self.assertEqual(data["count"], 2 if who == "anonymous" else 3)

    def test_the_model_helpers_pages_use_hide_it(self):
        self.assertNotIn(self.canary, self.public.related(None))
        self.assertNotIn(self.canary, self.public.visible_translations(None))
        self.assertIn(self.canary, self.public.related(self.member))
        self.assertIn(self.canary, self.public.visible_translations(self.member))
