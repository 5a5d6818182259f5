from django.contrib.auth.models import Group

from shelf.curation.roles import ROLES, STAFF_ROLES, permissions_for, role_of, sync_roles
from shelf.curation.tests.base import CurationTestCase


class RolesTestCase(CurationTestCase):
    def test_it_creates_a_group_per_role_on_migrate(self):
        self.assertEqual(set(Group.objects.values_list("name", flat=True)) & set(ROLES), set(ROLES))

    def test_it_gives_each_role_exactly_its_declared_permissions(self):
        for role, codenames in ROLES.items():
            with self.subTest(role=role):
                group = Group.objects.get(name=role)
                self.assertEqual(set(group.permissions.all()), set(permissions_for(codenames)))

    def test_it_undoes_permissions_added_by_hand_on_the_next_sync(self):
        group = Group.objects.get(name="editor")
        group.permissions.add(*permissions_for(["catalogue.publish_resource"]))
        sync_roles()
        self.assertNotIn(
            "catalogue.publish_resource", self.fresh(self.editor).get_all_permissions()
        )

    def test_it_lets_only_reviewers_and_admins_publish(self):
        cases = [
            (self.member, False),
            (self.editor, False),
            (self.reviewer, True),
            (self.admin, True),
        ]
        for user, can in cases:
            with self.subTest(user=user.username):
                self.assertEqual(user.has_perm("catalogue.publish_resource"), can)

    def test_it_lets_editors_create_and_change_resources_but_not_delete(self):
        self.assertTrue(self.editor.has_perm("catalogue.add_resource"))
        self.assertTrue(self.editor.has_perm("catalogue.change_resource"))
        self.assertFalse(self.editor.has_perm("catalogue.delete_resource"))
        self.assertFalse(self.editor.has_perm("catalogue.change_term"))

    def test_it_lets_admins_manage_users_and_vocabularies(self):
        for perm in ["auth.change_user", "catalogue.change_term", "catalogue.add_term"]:
            with self.subTest(perm=perm):
                self.assertTrue(self.admin.has_perm(perm))
                self.assertFalse(self.reviewer.has_perm(perm))

    def test_it_makes_staff_roles_staff_and_members_not(self):
        self.assertFalse(self.member.is_staff)
        for user in (self.editor, self.reviewer, self.admin):
            with self.subTest(user=user.username):
                self.assertTrue(user.is_staff)
        self.assertEqual(STAFF_ROLES, {"editor", "reviewer", "admin"})

    def test_it_reports_the_role_of_a_user(self):
        self.assertEqual(role_of(self.editor), "editor")
        self.assertEqual(role_of(self.admin), "admin")
        self.assertIsNone(role_of(self.alice))

    def test_it_takes_staff_away_when_the_role_is_taken_away(self):
        self.editor.groups.clear()
        self.editor.groups.add(Group.objects.get(name="member"))
        self.assertFalse(self.fresh(self.editor).is_staff)

    def fresh(self, user):
        return type(user).objects.get(pk=user.pk)
