"""A synthetic catalogue for benchmarks and load tests: ``shelf demo``.

Deterministic (the same seed gives the same corpus, byte for byte in an
export), realistic enough to exercise search and facets (text in the item's
own language, Zipf-distributed words and terms, long-tail publishers), and
streamed to the database in batches so a million items need no more memory
than a thousand.
"""

from __future__ import annotations

import datetime
import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from shelf.catalogue.models import Resource, Term
from shelf.catalogue.taxonomy import Taxonomy, sync_terms
from shelf.ingest.models import Baseline
from shelf.ingest.signals import bulk_deleted, bulk_imported
from shelf.lib import bulk, languages

KEY_PREFIX = "demo:"
BATCH = 1000


def words(text: str) -> list[str]:
    return text.split()


LANGUAGES = [("en", 70), ("fr", 10), ("es", 10), ("ar", 5), ("zh-Hans", 5)]

# Subject words per language: what child-protection publications are about.
DOMAIN = {
    "en": words("""child children protection safeguarding abuse neglect exploitation trafficking
        online safety school schools teacher teachers parent parents family families report
        reporting disclosure grooming violence prevention policy procedure training guidance
        risk assessment wellbeing trauma support referral case worker health court law
        rights victim survivor youth adolescent girl boy community welfare care shelter
        helpline education response indicators signs bullying abduction missing"""),
    "fr": words("""enfant enfants protection sauvegarde maltraitance négligence exploitation traite
        sécurité école écoles enseignant enseignants parent parents famille familles
        signalement violence prévention politique procédure formation orientation risque
        évaluation bien-être traumatisme soutien victime jeunesse adolescent fille garçon
        communauté accueil éducation indicateurs harcèlement enlèvement disparus droits"""),
    "es": words("""niño niños niña protección salvaguarda abuso negligencia explotación trata
        seguridad escuela escuelas docente docentes padres familia familias denuncia
        violencia prevención política procedimiento formación orientación riesgo evaluación
        bienestar trauma apoyo víctima juventud adolescente comunidad cuidado educación
        indicadores acoso secuestro desaparecidos derechos refugio"""),
    "ar": words("""الأطفال الطفل حماية الحماية إساءة الإساءة إهمال استغلال الاتجار سلامة الإنترنت
        المدرسة المدارس المعلم المعلمين الآباء الأسرة العائلة الإبلاغ العنف الوقاية السياسة
        الإجراءات التدريب التوجيه المخاطر تقييم الرفاه الصدمة الدعم الضحية الشباب المراهقين
        الفتيات المجتمع الرعاية التعليم المؤشرات التنمر الاختطاف المفقودين الحقوق"""),
    "zh-Hans": words("""儿童 保护 安全 虐待 忽视 剥削 拐卖 网络 学校 教师 家长 家庭 报告 举报 暴力
        预防 政策 程序 培训 指导 风险 评估 福祉 创伤 支持 受害者 青少年 女孩 男孩 社区 照料
        教育 指标 欺凌 绑架 失踪 权利 心理 健康 法律 援助"""),
}

# Common words in rough frequency order; picked with Zipf weights so a few
# are everywhere and most are rare, as in real text.
FILLER = {
    "en": words("""the of and to in a is that for it as with be on not this are by at from
        or have an they which one you were all we their has been more when will would
        there can about other many some these may into only its than them first also new
        after should most such where well how each through between both before under
        every those while must because during without within across against among
        national local early clear common public social general specific practical
        available important effective appropriate current several different key
        approach framework practice guide section example evidence process system
        role staff service services professional professionals organisation level
        information research data help need needs plan action steps checklist tool
        review develop ensure identify respond provide improve include understand
        young people adults time year years work way group area areas country world"""),
    "fr": words("""le la les de des du et à un une en est que qui pour dans sur pas par plus
        avec ce cette ces au aux il elle ils sont ont être fait comme mais ou leur leurs
        tout tous aussi même entre sans sous après avant chaque lors dont très bien
        national local public social général important efficace actuel plusieurs
        différent pratique guide section exemple processus système rôle personnel
        service professionnels organisation niveau information recherche données aide
        besoin plan action étapes outil examen développer assurer identifier répondre
        améliorer comprendre jeunes personnes adultes temps année travail groupe pays"""),
    "es": words("""el la los las de del y a en un una es que por para con no se su sus al lo
        como más pero sus le ya o este esta estos entre cuando muy sin sobre también
        hasta donde desde todo nos durante todos uno les ni contra otros ese eso ante
        nacional local público social general importante eficaz actual varios práctica
        guía sección ejemplo proceso sistema papel personal servicio profesionales
        organización nivel información investigación datos ayuda necesidad plan acción
        pasos herramienta revisión desarrollar garantizar identificar responder mejorar
        jóvenes personas adultos tiempo año trabajo grupo país mundo"""),
    "ar": words("""في من على إلى أن عن مع هذا هذه التي الذي كان هو هي لا ما كل بين بعد قبل
        عند حتى ذلك تلك أو ثم قد لم لن كما أيضا خلال حول ضد دون غير بعض جميع أكثر
        الوطني المحلي العام الاجتماعي المهم الفعال الحالي العديد الممارسة الدليل القسم
        مثال العملية النظام الدور الموظفين الخدمة المهنيين المنظمة المستوى المعلومات
        البحث البيانات المساعدة الحاجة الخطة العمل الخطوات الأداة المراجعة تطوير ضمان
        تحديد الاستجابة تحسين فهم الشباب الأشخاص البالغين الوقت السنة المجموعة البلد"""),
    "zh-Hans": words("""的 是 在 和 了 有 对 为 与 中 这 我们 他们 可以 需要 应该 以及 进行 通过
        相关 重要 有效 目前 多个 不同 实践 指南 部分 例子 过程 系统 作用 工作人员 服务
        专业人员 组织 层面 信息 研究 数据 帮助 计划 行动 步骤 工具 审查 制定 确保 识别
        回应 改善 理解 年轻人 成年人 时间 年度 工作 小组 国家 世界 社会 公共 地方"""),
}

# Spelling variants a real Arabic corpus mixes: hamza on or off the alef,
# taa marbuta written as haa, a word with its short vowels.
ARABIC_VARIANTS = {
    "الأطفال": ["الاطفال", "الأَطْفَال"],
    "إساءة": ["اساءة", "إساءه"],
    "الإساءة": ["الاساءة"],
    "حماية": ["حمايه", "حِمَايَة"],
    "الإبلاغ": ["الابلاغ"],
    "الأسرة": ["الاسرة", "الأسره"],
    "الإنترنت": ["الانترنت"],
    "الإجراءات": ["الاجراءات"],
}

CONNECTORS = {
    "en": words("and for in of on with against"),
    "fr": words("et pour dans de sur avec contre"),
    "es": words("y para en de sobre con contra"),
    "ar": words("و في من على مع ضد"),
    "zh-Hans": words("与 的 和 中 对"),
}
TITLE_TYPES = {
    "en": [
        "Guide:",
        "Toolkit:",
        "Report:",
        "Checklist:",
        "Survey:",
        "Infographic:",
        "Training Plan:",
    ],
    "fr": ["Guide :", "Boîte à outils :", "Rapport :", "Liste de contrôle :", "Enquête :"],
    "es": ["Guía:", "Herramientas:", "Informe:", "Lista de verificación:", "Encuesta:"],
    "ar": ["دليل:", "تقرير:", "استبيان:", "قائمة:"],
    "zh-Hans": ["指南：", "工具包：", "报告：", "清单：", "调查："],
}

EXTRA = {
    "topic": """Bullying; Cyberbullying; Sextortion; Child labour; Street children; Child soldiers;
        Sexual abuse; Emotional abuse; Neglect; Domestic violence; Mental health; Self-harm;
        Disability; Refugee children; Unaccompanied minors; Birth registration; Juvenile justice;
        Alternative care; Foster care; Adoption; Child helplines; Sports safeguarding;
        Faith settings; Digital literacy; Data protection""",
    "audience": "Social workers; Judges; Policy makers; Researchers",
    "setting": "Sports clubs; Residential care; Faith communities",
    "collection": "Research Series; Training Library; Policy Briefs; Country Profiles",
    "country": """Argentina; Australia; Brazil; Canada; Chile; China; Colombia; Egypt; France;
        Germany; Ghana; India; Indonesia; Jordan; Kenya; Lebanon; Mexico; Morocco; Nigeria;
        Pakistan; Peru; Philippines; Senegal; South Africa; Spain; Thailand; Tunisia;
        United Kingdom; United States; Viet Nam""",
}
PUBLISHER_KINDS = ["Foundation", "Network", "Alliance", "Institute", "Centre", "Council",
                   "Coalition", "Trust", "Initiative", "Association"]  # fmt: skip
PUBLISHER_SUBJECTS = ["Child Rights", "Safe Childhood", "Children's Welfare", "Family Support",
                      "Youth Protection", "Online Safety", "Education Safeguarding",
                      "Child Health", "Missing Children", "Street Children"]  # fmt: skip
PUBLISHER_PLACES = ["International", "Global", "African", "Asian", "European", "Latin American",
                    "Arab", "Pacific"]  # fmt: skip
# Terms per resource and vocabulary: (fewest, most); always within 1 to 6.
TERMS_PER_ITEM = {
    "topic": (1, 6), "audience": (1, 4), "setting": (1, 3), "type": (1, 2),
    "publisher": (1, 3), "collection": (1, 2), "country": (1, 4),
}  # fmt: skip


@dataclass
class DemoTerm:
    vocabulary: str
    slug: str
    label: str


def vocabulary() -> dict[str, list[DemoTerm]]:
    """The terms demo items draw on: the taxonomy's plus generated ones,
    ~40 topics, ~12 audiences, ~200 publishers, ~12 types, ~30 countries."""
    terms: dict[str, list[DemoTerm]] = {}
    for spec in Taxonomy.load().specs:
        terms.setdefault(spec.vocabulary, []).append(
            DemoTerm(spec.vocabulary, spec.slug, spec.label)
        )

    def add(vocab: str, label: str) -> None:
        slug = slugify(label, allow_unicode=True)
        if all(t.slug != slug for t in terms.get(vocab, [])):
            terms.setdefault(vocab, []).append(DemoTerm(vocab, slug, label))

    for vocab, labels in EXTRA.items():
        for label in labels.split(";"):
            add(vocab, " ".join(label.split()))
    names = itertools.product(PUBLISHER_PLACES, PUBLISHER_SUBJECTS, PUBLISHER_KINDS)
    for place, subject, kind in itertools.islice(names, 0, None, 4):
        if len(terms["publisher"]) >= 200:
            break
        add("publisher", f"{place} {subject} {kind}")
    return terms


@dataclass
class Item:
    number: int
    title: str
    summary: str
    body: str
    date: datetime.date
    date_precision: str
    language: str
    status: str
    visibility: str
    terms: list[DemoTerm]


class Writer:
    """Words in one language, with Zipf-distributed filler."""

    def __init__(self, rng: random.Random, language: str):
        self.rng = rng
        self.language = language
        self.domain = DOMAIN[language]
        self.filler = FILLER[language]
        self.filler_weights = list(
            itertools.accumulate(1 / (r + 1) for r in range(len(self.filler)))
        )
        self.pool: list[tuple[str, int]] = []

    def words(self, n: int, domain_share: float = 0.3) -> list[str]:
        rng = self.rng
        filler = rng.choices(self.filler, cum_weights=self.filler_weights, k=n)
        words = [rng.choice(self.domain) if rng.random() < domain_share else w for w in filler]
        if self.language == "ar":
            words = [self.variant(w) for w in words]
        return words

    def variant(self, word: str) -> str:
        if word in ARABIC_VARIANTS and self.rng.random() < 0.3:
            return self.rng.choice(ARABIC_VARIANTS[word])
        return word

    def sentence(self, n: int) -> str:
        words = self.words(n)
        if self.language == "zh-Hans":
            # Chinese runs words together; a comma now and then.
            if n > 8:
                words.insert(n // 2, "，")
            return "".join(words) + "。"
        if self.language != "ar":
            words[0] = words[0][:1].upper() + words[0][1:]
        return " ".join(words) + "."

    def title(self) -> str:
        """Subject words joined by small words, often led by what it is:
        "Toolkit: Grooming Indicators for Teachers and School Referral"."""
        rng = self.rng
        n = rng.randint(5, 11)
        words = rng.choice(TITLE_TYPES[self.language]).split() if rng.random() < 0.5 else []
        while len(words) < n:
            words.append(self.variant(rng.choice(self.domain)))
            if len(words) < n - 1 and rng.random() < 0.4:
                words.append(rng.choice(CONNECTORS[self.language]))
        if self.language == "zh-Hans":
            return "".join(words)
        if self.language == "en":
            return " ".join(w[:1].upper() + w[1:] if len(w) > 3 else w for w in words)
        text = " ".join(words)
        return text[:1].upper() + text[1:]

    def summary(self) -> str:
        target = self.rng.randint(40, 80)
        sentences, count = [], 0
        while count < target:
            n = min(self.rng.randint(10, 22), max(target - count, 6))
            sentences.append(self.sentence(n))
            count += n
        return self.join(sentences)

    def body(self) -> str:
        """About 800 words, from a pool of sentences made once per language:
        word-by-word generation of every body would dominate the run time."""
        if not self.pool:
            sizes = [self.rng.randint(8, 24) for _ in range(2000)]
            self.pool = [(self.sentence(n), n) for n in sizes]
        target = self.rng.randint(700, 900)
        size = self.rng.randint(4, 8)
        sentences, count = [], 0
        for sentence, n in self.rng.choices(self.pool, k=target // 8):
            sentences.append(sentence)
            count += n
            if count >= target:
                break
        paragraphs = [self.join(sentences[i : i + size]) for i in range(0, len(sentences), size)]
        return "\n\n".join(paragraphs)

    def join(self, sentences: list[str]) -> str:
        return ("" if self.language == "zh-Hans" else " ").join(sentences)


class Generator:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.terms = vocabulary()
        self.weights = {
            v: list(itertools.accumulate(1 / (r + 1) for r in range(len(ts))))
            for v, ts in self.terms.items()
        }
        self.writers = {code: Writer(self.rng, code) for code, _ in LANGUAGES}
        self.language_codes = [code for code, _ in LANGUAGES]
        self.language_weights = list(itertools.accumulate(w for _, w in LANGUAGES))
        self.language_terms = {t.slug: t for t in self.terms["language"]}
        self.start = datetime.date(2001, 1, 1).toordinal()
        self.end = datetime.date(2025, 12, 31).toordinal()

    def items(self, count: int) -> Iterator[Item]:
        for number in range(1, count + 1):
            yield self.item(number)

    def item(self, number: int) -> Item:
        rng = self.rng
        language = rng.choices(self.language_codes, cum_weights=self.language_weights)[0]
        writer = self.writers[language]
        date = datetime.date.fromordinal(rng.randint(self.start, self.end))
        precision = rng.choices(["day", "month", "year"], cum_weights=[50, 85, 100])[0]
        if precision == "month":
            date = date.replace(day=1)
        elif precision == "year":
            date = date.replace(month=1, day=1)
        terms = [self.language_term(language)]
        for vocab, (low, high) in TERMS_PER_ITEM.items():
            terms += self.pick(vocab, rng.randint(low, rng.randint(low, high)))
        return Item(
            number=number,
            title=writer.title(),
            summary=writer.summary(),
            body=writer.body(),
            date=date,
            date_precision=precision,
            language=language,
            status="draft" if rng.random() < 0.01 else "published",
            visibility="members" if rng.random() < 0.05 else "public",
            terms=terms,
        )

    def pick(self, vocab: str, k: int) -> list[DemoTerm]:
        chosen = self.rng.choices(self.terms[vocab], cum_weights=self.weights[vocab], k=k * 2)
        return list({t.slug: t for t in chosen}.values())[:k]

    def language_term(self, code: str) -> DemoTerm:
        slug = languages.slug(code)
        return self.language_terms.get(slug) or DemoTerm(
            "language", slug, languages.language_label(code)
        )


def existing_count() -> int:
    return Resource.objects.filter(key__startswith=KEY_PREFIX).count()


def delete_existing() -> int:
    """Delete the demo items in bulk. A per-object delete would write a
    revision and an audit event for each (hours of it at a million items);
    the command records one audit event for the lot instead."""
    demo = Resource.objects.filter(key__startswith=KEY_PREFIX)
    deleted = 0
    while ids := list(demo.values_list("id", flat=True)[:BATCH]):
        with transaction.atomic():
            deleted += delete_batch(ids)
    return deleted


def delete_batch(ids: list[int]) -> int:
    # Items someone attached something to (a file, say) go the slow, careful way.
    careful = set()
    for relation in Resource._meta.related_objects:
        # What imports remember about an item goes with it, in bulk below.
        if relation.related_model is Baseline:
            continue
        if relation.one_to_many and relation.related_model is not Resource:
            rows = relation.related_model._base_manager.filter(
                **{f"{relation.field.name}__in": ids}
            )
            careful.update(rows.values_list(relation.field.attname, flat=True))
    if careful:
        Resource.objects.filter(id__in=careful).delete()
    ids = [i for i in ids if i not in careful]
    if not ids:
        return len(careful)
    Resource.terms.through.objects.filter(resource_id__in=ids).delete()
    Baseline.objects.filter(resource_id__in=ids).delete()
    Resource.translations.through.objects.filter(
        Q(from_resource_id__in=ids) | Q(to_resource_id__in=ids)
    ).delete()
    Resource.objects.filter(supersedes_id__in=ids).update(supersedes=None)
    table = connection.ops.quote_name(Resource._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE id IN ({', '.join(['%s'] * len(ids))})", ids)  # noqa: S608
        deleted = cursor.rowcount
    bulk_deleted(ids)
    return deleted + len(careful)


def batched(iterable, size: int):
    iterator = iter(iterable)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def ensure_terms(terms: dict[str, list[DemoTerm]]) -> dict[tuple[str, str], int]:
    sync_terms()
    existing = {(t.vocabulary, t.slug): t.id for t in Term.objects.all()}
    missing = [
        Term(vocabulary=t.vocabulary, slug=t.slug, label=t.label, aliases=[])
        for ts in terms.values()
        for t in ts
        if (t.vocabulary, t.slug) not in existing
    ]
    Term.objects.bulk_create(missing)
    return {(t.vocabulary, t.slug): t.id for t in Term.objects.all()}


def generate(count: int, seed: int, progress=None) -> int:
    """Insert ``count`` demo items, a batch per transaction; returns how many."""
    generator = Generator(seed)
    term_ids = ensure_terms(generator.terms)
    through = Resource.terms.through
    written = 0
    for batch in batched(generator.items(count), BATCH):
        resources = [
            Resource(
                key=f"{KEY_PREFIX}{item.number}",
                slug=f"{slugify(item.title, allow_unicode=True)[:80].strip('-')}-{item.number}",
                title=item.title,
                summary=item.summary,
                body=item.body,
                date=item.date,
                date_precision=item.date_precision,
                language=item.language,
                status=item.status,
                visibility=item.visibility,
            )
            for item in batch
        ]
        with transaction.atomic():
            bulk.create(Resource, resources, "key", timezone.now())
            # Plain rows: there are ~15 per item.
            bulk.insert(
                through,
                ["resource_id", "term_id"],
                (
                    (resource.id, term_ids[(t.vocabulary, t.slug)])
                    for resource, item in zip(resources, batch, strict=True)
                    for t in item.terms
                ),
            )
        bulk_imported([r.id for r in resources])
        written += len(resources)
        if progress:
            progress(written)
    return written
