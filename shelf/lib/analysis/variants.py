"""British and American spellings of one folded English word, both ways.

Rules cover the regular differences (-our/-or, -ise/-ize, -yse/-yze,
-ence/-ense, -lled/-led); a short list of word beginnings covers the rest
(programme/program, centre/center, paediatric/pediatric, ...). Each rule is
limited so that it rarely turns a word into a different real word (the
"filling"/"filing" kind); a variant that is no word at all matches nothing
and costs one dictionary look-up.
"""

from __future__ import annotations

import re

# (British beginning, American beginning): a word starting with one also
# starts with the other ("programmes" <-> "programs").
PAIRS = [
    ("programme", "program"),
    ("catalogue", "catalog"),
    ("dialogue", "dialog"),
    ("analogue", "analog"),
    ("centre", "center"),
    ("metre", "meter"),
    ("litre", "liter"),
    ("theatre", "theater"),
    ("fibre", "fiber"),
    ("grey", "gray"),
    ("tyre", "tire"),
    ("enrolment", "enrollment"),
    ("enrol", "enroll"),
    ("fulfil", "fulfill"),
    ("skilful", "skillful"),
    ("wilful", "willful"),
    ("judgement", "judgment"),
    ("acknowledgement", "acknowledgment"),
    ("ageing", "aging"),
    ("jewellery", "jewelry"),
    ("plough", "plow"),
    ("draught", "draft"),
    ("kerb", "curb"),
    ("mum", "mom"),
    ("pyjama", "pajama"),
    ("sceptic", "skeptic"),
    ("aluminium", "aluminum"),
    ("moustache", "mustache"),
    ("manoeuvr", "maneuver"),
    ("paediatric", "pediatric"),
    ("orthopaedic", "orthopedic"),
    ("anaemi", "anemi"),
    ("anaesthe", "anesthe"),
    ("haemo", "hemo"),
    ("leukaemi", "leukemi"),
    ("gynaeco", "gyneco"),
    ("oestrogen", "estrogen"),
    ("foetus", "fetus"),
    ("foetal", "fetal"),
    ("diarrhoea", "diarrhea"),
    ("practise", "practice"),
]

_OUR = re.compile(r"(?<=[^o])our(s|ed|ing|ite|ites|able|al|er|ers|less)?$")
_OR = re.compile(r"(?<=[^o])or(s|ed|ing|ite|ites|able|al|less)?$")
_ISE = re.compile(r"is(e|es|ed|ing|ation|ations|able|er|ers)$")
_IZE = re.compile(r"iz(e|es|ed|ing|ation|ations|able|er|ers)$")
_YSE = re.compile(r"ys(e|es|ed|ing|er|ers)$")
_YZE = re.compile(r"yz(e|es|ed|ing|er|ers)$")
_ENCE = re.compile(r"ence(s)?$")
_ENSE = re.compile(r"ense(s)?$")
_ELLED = re.compile(r"(?<=[^aeiou]e)ll(ed|ing|er|ers|or|ors)$")
_ELED = re.compile(r"(?<=[^aeiou]e)l(ed|ing|er|ers|or|ors)$")


def _rules(word: str) -> set[str]:
    out = set()
    if len(word) >= 6:  # not "hours" -> "hors"
        out.add(_OUR.sub(r"or\1", word))
    if len(word) >= 5:
        out.add(_OR.sub(r"our\1", word))
    if len(word) >= 7:
        out.add(_ISE.sub(r"iz\1", word))
        out.add(_IZE.sub(r"is\1", word))
        out.add(_YSE.sub(r"yz\1", word))
        out.add(_YZE.sub(r"ys\1", word))
        out.add(_ENCE.sub(r"ense\1", word))
        out.add(_ENSE.sub(r"ence\1", word))
    if len(word) >= 8:
        out.add(_ELLED.sub(r"l\1", word))
    if len(word) >= 7:
        out.add(_ELED.sub(r"ll\1", word))
    return out


def spellings(word: str) -> set[str]:
    """The other spellings of ``word`` (folded, ASCII); empty for most words."""
    if not word.isascii() or not word.isalpha() or len(word) < 3:
        return set()
    out = _rules(word)
    for british, american in PAIRS:
        if word.startswith(british):
            out.add(american + word[len(british) :])
        elif word.startswith(american) and not word.startswith(british):
            out.add(british + word[len(american) :])
    out.discard(word)
    return out
