"""Propose criteria for a saved entry and read the criterion codes a mentor types (DESIGN.md 4).

Offline and pure. A BM25 index over the criterion texts (a criterion's outcome and unit title
count as weaker fields) scores the entry text; kind priors from `tagging_priors.yaml` say
which criteria an entry of that kind usually evidences; rapidfuzz maps a misspelt word onto
the criteria's vocabulary. No scikit-learn: BM25 over ~200 short texts is a dozen lines.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from rapidfuzz import fuzz, process

from journal.frameworks.model import Criterion, Framework
from journal.hours import hours_rule

PRIORS_PATH = Path(__file__).with_name("tagging_priors.yaml")

# Weights of the three signals; they add up to 1 so a score reads as 0..1.
W_TEXT = 0.55
W_PRIOR = 0.30
W_HOURS = 0.15
TEXT_HALF = 4.0  # BM25 score that counts as half a full text match
# Kind keywords stand in for the priors table where it does not cover a framework: a weak hint.
KEYWORD_PRIOR = 0.5
SYNONYM_WEIGHT = 0.6
FUZZY_WEIGHT = 0.8
FUZZY_CUTOFF = 88.0
MIN_SCORE = 0.08
# Over-mapping wastes assessors' time (DESIGN.md 10): drop what is far behind the best.
RELATIVE_CUTOFF = 0.5
FIELD_WEIGHTS = (1.0, 0.5, 0.3)  # criterion text, outcome text, unit title
# mentorlog is a mentoring journal: an entry is about mentoring unless its words say otherwise,
# so mentoring criteria win a tie with their coaching twins (ILM D3.06 over D3.03).
CONTEXT = {"mentor": 0.3}
# As for the hours a session counts toward (journal.hours): a framework's hours units that do
# not name mentoring (ILM D3.03, D3.04: coaching) are another practice. Their criteria get the
# kind prior and the hours bonus only from an entry whose words name that practice ("coaching").

# Short on purpose: "own" (own practice) and "new" stay. "well" goes: the criteria only use it
# in "as well as", so it would tie a mentor's "went well" to unrelated criteria.
_STOP_WORDS = (
    "a an the and or of to in on for with w at by from as is are was were be been it its this "
    "that these those i im me my we our us he him his she her hes shes they them their you your "
    "do did done not no so but if then than into about over up out after before what which who "
    "whom how when where why can could would should will just also very really too some any all "
    "each both such etc o re thru tho got get went bit lot lots well"
)
_STOP = frozenset(_STOP_WORDS.split())
_INFLECT = (
    ("ies", "y"),
    ("ied", "y"),
    ("sses", "ss"),
    ("ches", "ch"),
    ("shes", "sh"),
    ("xes", "x"),
    ("ings", ""),
    ("ing", ""),
    ("ed", ""),
    ("s", ""),
)
_DERIV = ("ation", "ition", "ment", "ness", "ion", "ive", "al", "ity", "ate", "at", "e")
_DURATION = re.compile(r"\b\d+\s*(?:h|hr|hrs|hour|hours|m|min|mins|minutes)\b")
_WORD = re.compile(r"[a-z]+|\d+:\d+")
# Hours spent doing the practice ("Undertake mentoring ... for at least six hours"); a plan
# "for at least 20 hours" or a discussion "of at least 20 hours" is not what a session counts to.
_HOURS = re.compile(r"^(?!.*\bplan\b).*\bfor (?:at least|a minimum of) (\w+) hours\b", re.I)


@dataclass(frozen=True, slots=True)
class Suggestion:
    criterion_id: str
    score: float
    reason: str


def stem(word: str) -> str:
    """Stemming-lite: 'mentoring'~'mentor', 'goals'~'goal', 'evaluation'~'evaluate'."""
    if len(word) <= 3:
        return word
    for suffix, replacement in _INFLECT:
        if len(word) - len(suffix) < 3 or not word.endswith(suffix):
            continue
        if suffix == "s" and word.endswith(("ss", "us", "is")):
            break
        word = word[: -len(suffix)] + replacement
        # 'planned' -> 'plan', but 'assessed' keeps its 'ss'
        if suffix in ("ing", "ings", "ed") and word[-1] == word[-2] and word[-1] not in "lsz":
            word = word[:-1]
        break
    for _ in range(3):  # 'effectiveness' -> 'effective' -> 'effect'
        for suffix in _DERIV:
            if word.endswith(suffix) and len(word) - len(suffix) >= (3 if suffix == "e" else 4):
                word = word[: -len(suffix)]
                break
        else:
            break
    return word.replace("iz", "is")  # organization ~ organisation


def words(text: str) -> list[str]:
    """Lower-case content words; durations are a field of their own, not text to match."""
    text = _DURATION.sub(" ", text.lower().replace("'", "").replace("’", ""))
    return [w for w in _WORD.findall(text) if len(w) > 1 and w not in _STOP]


@dataclass(frozen=True)
class Priors:
    keywords: dict[str, tuple[str, ...]]
    criteria: dict[str, dict[str, float]]
    synonyms: dict[str, tuple[str, ...]]
    knowledge_verbs: frozenset[str]
    knowledge_factor: float

    @classmethod
    def load(cls, path: Path = PRIORS_PATH) -> Priors:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return cls(
            keywords={k: tuple(v) for k, v in data.get("keywords", {}).items()},
            criteria={k: dict(v) for k, v in data.get("criteria", {}).items()},
            synonyms={str(k): tuple(v) for k, v in data.get("synonyms", {}).items()},
            knowledge_verbs=frozenset(data.get("knowledge_verbs", ())),
            knowledge_factor=float(data.get("knowledge_factor", 1.0)),
        )


@lru_cache(maxsize=1)
def default_priors() -> Priors:
    return Priors.load()


class _Bm25:
    """Okapi BM25 with per-posting contributions computed once, so a query only adds."""

    def __init__(self, docs: Sequence[dict[str, float]], k1: float = 1.2, b: float = 0.75):
        lengths = [sum(d.values()) for d in docs]
        average = sum(lengths) / len(docs) if docs else 1.0
        df = Counter(term for d in docs for term in d)
        n = len(docs)
        self.postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for i, doc in enumerate(docs):
            norm = k1 * (1 - b + b * lengths[i] / average)
            for term, tf in doc.items():
                idf = math.log(1 + (n - df[term] + 0.5) / (df[term] + 0.5))
                self.postings[term].append((i, idf * tf * (k1 + 1) / (tf + norm)))

    def score(self, query: dict[str, float]) -> dict[int, dict[str, float]]:
        """Per document, the contribution of each matched query term."""
        hits: dict[int, dict[str, float]] = defaultdict(dict)
        for term, weight in query.items():
            for i, contribution in self.postings.get(term, ()):
                hits[i][term] = contribution * weight
        return hits


def _bag(texts: Iterable[tuple[str, float]]) -> dict[str, float]:
    bag: dict[str, float] = defaultdict(float)
    for text, weight in texts:
        for word in words(text):
            bag[stem(word)] += weight
    return dict(bag)


class Tagger:
    """Built once per set of frameworks; `suggest` then costs well under a millisecond."""

    def __init__(self, frameworks: Sequence[Framework], priors: Priors | None = None) -> None:
        self.priors = priors or default_priors()
        self._criteria: list[Criterion] = []
        self._framework: list[str] = []
        docs: list[dict[str, float]] = []
        spelled: set[str] = set()
        seen: set[str] = set()
        practice: list[frozenset[str]] = []  # per criterion: the words of its other practice
        for fw in frameworks:
            if fw.id in seen:
                continue
            seen.add(fw.id)
            other = _other_practices(fw)
            for unit in fw.units:
                for outcome in unit.outcomes:
                    for c in outcome.criteria:
                        texts = (c.text, outcome.text, unit.title)
                        docs.append(_bag(zip(texts, FIELD_WEIGHTS, strict=True)))
                        spelled.update(w for t in texts for w in words(t))
                        self._criteria.append(c)
                        self._framework.append(fw.id)
                        practice.append(other.get(unit.code, frozenset()))
        self._index = _Bm25(docs)
        self._practice = practice
        self._spelled = tuple(sorted(spelled))
        self._fuzzy: dict[str, str | None] = {}
        # The same entry is ranked again on every tag tap: remember recent answers.
        self._ranked = lru_cache(maxsize=1024)(self._rank)
        self._hours = [_HOURS.search(c.text) for c in self._criteria]
        self._factor = [
            self.priors.knowledge_factor
            if (c.text.split() or [""])[0].lower() in self.priors.knowledge_verbs
            else 1.0
            for c in self._criteria
        ]
        self._prior = {kind: self._kind_prior(kind) for kind in self._kinds()}

    def _kinds(self) -> set[str]:
        return set(self.priors.keywords) | set(self.priors.criteria)

    def _kind_prior(self, kind: str) -> list[float]:
        """The priors table for a framework it covers, else the kind keywords' text match.

        The table is curated, so it replaces the keywords rather than adding to them: the
        keywords would also favour every criterion that shares a word with the kind.
        """
        table = self.priors.criteria.get(kind, {})
        curated = {criterion_id.split(":", 1)[0] for criterion_id in table}
        query = {stem(w): 1.0 for w in self.priors.keywords.get(kind, ())}
        raw = {i: sum(t.values()) for i, t in self._index.score(query).items()}
        best: dict[str, float] = defaultdict(float)
        for i, s in raw.items():
            best[self._framework[i]] = max(best[self._framework[i]], s)
        return [
            table.get(c.id, 0.0)
            if self._framework[i] in curated
            else KEYWORD_PRIOR * raw.get(i, 0.0) / (best[self._framework[i]] or 1.0)
            for i, c in enumerate(self._criteria)
        ]

    def _query(self, text: str) -> tuple[dict[str, float], dict[str, str]]:
        """Term weights of the entry text, and the mentor's own word for each term."""
        query: dict[str, float] = dict(CONTEXT)
        surface: dict[str, str] = {}

        def add(term: str, weight: float, word: str) -> None:
            if term in self._index.postings and weight > query.get(term, 0.0):
                query[term] = weight
                surface[term] = word

        for word in words(text):
            term = stem(word)
            if term in self._index.postings:
                add(term, 1.0, word)
            elif corrected := self._correct(word):
                add(stem(corrected), FUZZY_WEIGHT, word)
            for synonym in self.priors.synonyms.get(word, ()):
                add(stem(synonym), SYNONYM_WEIGHT, word)
        return query, surface

    def _correct(self, word: str) -> str | None:
        """The criteria's word a misspelling most likely means ('assesment' -> 'assessment').

        Whole words are compared, not stems: stems are short enough that a real word
        ('college') would pass for a misspelt one ('colleagues').
        """
        if len(word) < 5:
            return None
        if word not in self._fuzzy:
            match = process.extractOne(
                word, self._spelled, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF
            )
            self._fuzzy[word] = match[0] if match else None
        return self._fuzzy[word]

    def forget_texts(self) -> None:
        """Drop the remembered rankings, and with them the entry texts they were asked for."""
        self._ranked.cache_clear()

    def suggest(
        self,
        kind: str,
        text: str,
        framework_ids: Sequence[str],
        *,
        exclude: set[str] | frozenset[str] = frozenset(),
        limit: int = 5,
        duration_minutes: int | None = None,
    ) -> list[Suggestion]:
        if limit <= 0:
            return []
        followed = frozenset(f.strip().lower() for f in framework_ids)
        logged_time = kind == "session" and bool(duration_minutes and duration_minutes > 0)
        return list(self._ranked(kind, text, followed, frozenset(exclude), limit, logged_time))

    def _rank(
        self,
        kind: str,
        text: str,
        followed: frozenset[str],
        exclude: frozenset[str],
        limit: int,
        logged_time: bool,
    ) -> tuple[Suggestion, ...]:
        query, surface = self._query(text)
        matches = self._index.score(query)
        prior = self._prior.get(kind)
        ranked: list[tuple[float, int]] = []
        for i, c in enumerate(self._criteria):
            if self._framework[i] not in followed or c.id in exclude:
                continue
            bm25 = sum(matches[i].values()) if i in matches else 0.0
            usual = self._usual(i, query)
            score = W_TEXT * bm25 / (bm25 + TEXT_HALF)
            score += W_PRIOR * (prior[i] if prior and usual else 0.0)
            if logged_time and self._hours[i] and usual:
                score += W_HOURS
            score *= self._factor[i]
            if score >= MIN_SCORE:
                ranked.append((score, i))
        ranked.sort(key=lambda r: (-r[0], r[1]))
        if not ranked:
            return ()
        floor = ranked[0][0] * RELATIVE_CUTOFF
        return tuple(
            Suggestion(
                self._criteria[i].id,
                round(score, 3),
                self._reason(
                    i, kind, matches.get(i, {}), surface, prior, logged_time, self._usual(i, query)
                ),
            )
            for score, i in ranked[:limit]
            if score >= floor
        )

    def _usual(self, i: int, query: dict[str, float]) -> bool:
        """Whether the entry is of criterion `i`'s practice: mentoring, or one its words name."""
        return not self._practice[i] or not self._practice[i].isdisjoint(query)

    def _reason(
        self,
        i: int,
        kind: str,
        matched: dict[str, float],
        surface: dict[str, str],
        prior: list[float] | None,
        logged_time: bool,
        usual: bool,
    ) -> str:
        parts: list[str] = []
        hours = self._hours[i]
        if logged_time and hours and usual:
            parts.append(f"session time counts toward {hours.group(1)} hours")
        if prior and prior[i] >= 0.3 and usual:
            parts.append(f"usual for {kind.replace('_', ' ')} entries")
        top = sorted((t for t in matched if t in surface), key=lambda t: -matched[t])[:3]
        said = list(dict.fromkeys(surface[t] for t in top))
        if said:
            parts.append("mentions " + ", ".join(f"“{w}”" for w in said))
        return "; ".join(parts) or "closest text match"


def _other_practices(framework: Framework) -> dict[str, frozenset[str]]:
    """The hours units of a practice other than the default one (mentoring), by code, each with
    the stems that name it: the words of its title no default unit's title has ('coach')."""
    rule = hours_rule(framework)
    defaults = {u.code for u in rule.defaults}
    usual = {stem(w) for u in rule.defaults for w in words(u.title)}
    return {
        u.code: frozenset(stem(w) for w in words(u.title)) - usual
        for u in rule.units
        if u.code not in defaults
    }


def _key(text: str) -> str:
    """Codes compare without case or separators: 'M2_JM_05' ~ 'm2jm05', 'D3.06' ~ 'd306'."""
    return re.sub(r"[^0-9a-z]", "", text.lower())


def parse_code(text: str, frameworks: Sequence[Framework]) -> list[str]:
    """Criterion ids for typed codes ('K15', 'D3.06 3.2', 'm2_jm_05 4.4', 'ilm:D3.06/3.2').

    Several codes may be typed at once. Any part that is unknown, or that more than one
    followed framework has, makes the whole answer empty: the handler says so rather than
    tagging something the mentor did not mean.
    """
    flat: dict[str, set[str]] = defaultdict(set)
    qualified: dict[tuple[str, str], set[str]] = defaultdict(set)
    framework_ids = {fw.id.lower() for fw in frameworks}
    for fw in frameworks:
        for unit in fw.units:
            for c in unit.criteria:
                if fw.criterion_ids == "flat":
                    flat[c.code.lower()].add(c.id)
                else:
                    qualified[(_key(unit.code), c.code.lower())].add(c.id)
    tokens = [t.rstrip(".") for t in re.split(r"[\s,;/:]+", text.lower()) if t.rstrip(".")]
    found: list[str] = []
    i = 0
    while i < len(tokens):
        only = tokens[i] if tokens[i] in framework_ids else None
        i += 1 if only else 0
        if i >= len(tokens):
            return []
        pair = tokens[i + 1] if i + 1 < len(tokens) else ""
        if ids := qualified.get((_key(tokens[i]), pair)):
            i += 2
        elif ids := flat.get(tokens[i]):
            i += 1
        elif ids := flat.get(tokens[i] + pair):  # 'K 15'
            i += 2
        else:
            return []
        if only:
            ids = {x for x in ids if x.split(":", 1)[0] == only}
        if len(ids) != 1:
            return []
        found.extend(ids)
    return list(dict.fromkeys(found))
