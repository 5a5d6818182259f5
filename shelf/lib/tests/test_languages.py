from unittest import TestCase

from shelf.lib import languages


class NormaliseTestCase(TestCase):
    def test_it_maps_source_spellings_to_bcp47(self):
        cases = {
            "zh-cn": "zh-Hans",
            "zh_CN": "zh-Hans",
            "Chinese": "zh-Hans",
            "zh-TW": "zh-Hant",
            "EN": "en",
            "en-GB": "en",
            "fr": "fr",
            "Español": "es",
            "ar": "ar",
        }
        for raw, expected in cases.items():
            with self.subTest(raw=raw):
                self.assertEqual(languages.normalise(raw), expected)

    def test_it_returns_none_for_unknown_tags(self):
        self.assertIsNone(languages.normalise("klingon"))
        self.assertIsNone(languages.normalise(""))

    def test_it_labels_languages_in_their_own_script(self):
        self.assertEqual(languages.language_label("zh-Hans"), "简体中文")
        self.assertEqual(languages.language_label("xx"), "xx")

    def test_it_knows_right_to_left_languages(self):
        self.assertTrue(languages.is_rtl("ar"))
        self.assertFalse(languages.is_rtl("fr"))


class DetectTestCase(TestCase):
    def test_it_detects_the_languages_shelf_serves(self):
        cases = {
            "en": "Student safety surveys are used to identify child protection risks.",
            "fr": "Les enquêtes de sécurité des élèves servent à identifier les risques.",
            "es": "Las encuestas de seguridad estudiantil sirven para identificar riesgos.",
            "ar": "تستخدم استطلاعات سلامة الطلاب لتحديد مخاطر حماية الأطفال",
            "zh-Hans": "学生安全调查用于识别儿童保护风险",
        }
        for expected, text in cases.items():
            with self.subTest(expected=expected):
                self.assertEqual(languages.detect(text), expected)

    def test_it_falls_back_to_the_default_for_short_text(self):
        self.assertEqual(languages.detect("Hi", default="fr"), "fr")
