"""A seeded, deterministic synthetic evidence folder of N documents, for scaling work.

Not evidence: every document, study and number here is invented. It exists so that the
build and the named queries can be measured (``benchmarks/scale.py``) and their row
growth tested (``tests/benchmarks``) on hundreds or thousands of documents that vary the
way real ones do: documents of every kind; studies of 1-6 arms of drugs and classes;
figures with and without n/N, CI, IQR and p; claims, algorithms with steps, safety rules
and adverse events; reference lists whose markers resolve, dangle, or point to a work
about another drug or disease; claims that restate, support or dispute earlier documents.

Document ``i`` depends only on the seed and on documents ``0 .. i-1``, so the corpus of
30 documents is the first 30 of the corpus of 300: a fixed item (``g00000``'s figures, its
study, its citations) is the same at every size, which is what a fixed-item query's
growth is measured on. The folder passes ``vexas-kg build --evidence DIR``: every quote is
found in the generated source text, every printed number is quoted, and ``SHA256SUMS``
pins the texts.

    python benchmarks/synthetic.py --documents 300 --out /tmp/evidence-300 [--seed 11]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

from ruamel.yaml import YAML

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]
KINDS = ["qa-article", "news-report", "conference-abstract", "review", "guideline", "case-report", "study-report"]
DESIGNS = ["cohort-study", "retrospective-cohort-study", "retrospective-registry-study", "case-report"]
TIMEPOINTS = {"P3M": "at 3 months", "P6M": "at 6 months", "P1Y": "at one year"}
COUNTRIES = ["France", "UK", "Germany", "Italy", "Spain", "Japan", "USA", "Netherlands"]
CONTAINERS = ["Blood", "Annals of the Rheumatic Diseases", "Rheumatology", "Haematologica",
              "Praxis Medical Insights: Practical Summaries of Clinical Guidelines"]
OTHER_DISEASES = ["relapsing-polychondritis", "hepatitis-b", "vogt-koyanagi-harada-disease", "seborrhea",
                  "macrophage-activation-syndrome", "cns-vasculitis"]
EVENTS = ["infection", "herpes-zoster", "serious-bacterial-infection", "venous-thromboembolism",
          "injection-site-reaction", "thrombocytopenia"]
MANIFESTATIONS = ["episcleritis", "recurrent-fever", "macrocytic-anemia", "chondritis", "venous-thromboembolism",
                  "elevated-crp", "pulmonary-involvement"]
ORDINALS = ["First", "Second", "Third", "Fourth"]
SHARED_FILES = ("entities.yaml", "reference/identifiers.tsv", "reference/publications.tsv")


@dataclass
class Entities:
    """The packaged entity table, as far as the generator needs it."""

    label: dict[str, str]
    drugs: list[str]
    classes: list[str]
    member_of: dict[str, list[str]]
    phenotypes: list[str]
    publications: list[str]

    def known(self, slugs: list[str]) -> list[str]:
        """The slugs the entity table defines (it changes as the curated evidence grows)."""
        return [slug for slug in slugs if slug in self.label]

    @classmethod
    def packaged(cls) -> "Entities":
        evidence = files("vexas_kg.evidence")
        tree = YAML(typ="safe").load(evidence.joinpath("entities.yaml").read_text(encoding="utf-8"))
        label = {e["id"]: e["label"] for section in tree.values() if isinstance(section, list) for e in section}
        drugs = [e["id"] for e in tree["drugs"] if e.get("member_of")]
        classes = ["jak-inhibitor", "il6-inhibitor", "il1-inhibitor", "tnf-blocker", "hypomethylating-agent"]
        member_of = {e["id"]: list(e.get("member_of", [])) for e in tree["drugs"]}
        pubs = [line.split("\t", 1)[0] for line in
                evidence.joinpath("reference", "publications.tsv").read_text(encoding="utf-8").splitlines()[1:] if line]
        return cls(label, drugs, classes, member_of, [e["id"] for e in tree["phenotypes"]], pubs)


@dataclass
class Text:
    """A source text being written, paragraph by paragraph."""

    paragraphs: list[str] = field(default_factory=list)

    def add(self, paragraph: str) -> str:
        self.paragraphs.append(paragraph)
        return paragraph

    def render(self) -> str:
        return "\n\n".join(self.paragraphs) + "\n"


@dataclass
class Study:
    """A generated study that later documents may report figures of."""

    id: str
    label: str
    arms: list[tuple[str, str, list[str]]]  # (arm id, label, interventions)
    definitions: list[str]


class DocumentWriter:
    """Writes one document's source text and its record together, so every quote is printed."""

    def __init__(self, index: int, rng: random.Random, ent: Entities, studies: list[Study],
                 claims_by_doc: dict[str, list[str]]) -> None:
        self.i, self.rng, self.ent = index, rng, ent
        self.doc = f"g{index:05d}"
        self.text = Text()
        self.record: dict = {}
        self.claims: list[dict] = []
        self.figures: list[dict] = []
        self.rules: list[dict] = []
        self.events: list[dict] = []
        self.prior_studies = studies
        self.prior_claims = claims_by_doc
        self.own_studies: list[Study] = []
        self.kind = KINDS[index % len(KINDS)]
        self.tag = f"{self.doc}"

    # -- helpers ---------------------------------------------------------------
    def L(self, slug: str) -> str:  # noqa: N802 - short on purpose: the entity's label
        return self.ent.label[slug]

    def claim(self, cid: str, kind: str, sentence: str, subjects: list[str], direction: str = "states",
              cites: list[int] | None = None, role: str | None = None, **extra: object) -> dict:
        paragraph = sentence + (" " + ", ".join(map(str, cites)) if cites else "")
        self.text.add(paragraph)
        entry = {"id": cid, "kind": kind, "direction": direction, **({"subjects": subjects} if subjects else {}),
                 **extra, "quote": sentence}
        manifestations = [s for s in subjects if s in self.ent.phenotypes]
        if manifestations:  # every manifestation a claim names needs its role (no rng use: corpora stay nested)
            role = role or ("indication" if direction == "recommends" else "context")
            entry["subject_roles"] = [{"subject": s, "role": role} for s in manifestations]
        if cites:
            entry["cites"] = cites
        self.claims.append(entry)
        return entry

    # -- sections --------------------------------------------------------------
    def document(self) -> None:
        rng = self.rng
        drug = rng.choice(self.ent.drugs)
        title = f"{self.L(drug).capitalize()} and other options in VEXAS syndrome: synthetic report {self.doc}"
        self.text.add(title)
        year, month, day = rng.randint(2020, 2026), rng.randint(1, 12), rng.randint(1, 28)
        date_quote = f"Published {MONTHS[month - 1]} {day}, {year}"
        self.text.add(date_quote)
        publisher = f"Synthetic Medical Press {rng.randint(1, 9)}"
        self.text.add(f"Publisher: {publisher}")
        doc = {"id": self.doc, "source": "", "kind": self.kind, "title": {"text": title, "occurrence": 1},
               "date": f"{year}-{month:02d}-{day:02d}", "date_quote": date_quote,
               "publisher": publisher, "publisher_quote": f"Publisher: {publisher}"}
        if rng.random() < 0.4:
            provided = f"Synthetic Society of Rheumatology {rng.randint(1, 5)}"
            self.text.add(f"Provided by {provided}")
            doc["provided_by"], doc["provided_by_quote"] = provided, f"Provided by {provided}"
        if self.kind == "qa-article":
            question = f"What should follow {self.L(drug)} in VEXAS syndrome ({self.doc})?"
            self.text.add(question)
            doc["question"] = question
        self.record["document"] = doc
        furniture = f"Page 1 of {rng.randint(2, 9)}"
        self.text.add(furniture)
        self.record["furniture"] = [{"quote": furniture, "reason": "page number of the layout"}]

    def references(self) -> int:
        rng = self.rng
        count = rng.randint(0, 6)
        entries = []
        for number in range(1, count + 1):
            subject = rng.choice(self.ent.drugs)
            off_topic = rng.random() < 0.25
            about_disease = rng.choice(self.ent.known(OTHER_DISEASES)) if off_topic else "vexas-syndrome"
            title = f"{self.L(subject).capitalize()} in {self.L(about_disease)}: experience {self.doc}-{number}"
            label = rng.choice(["Research", "Guideline"])
            container = rng.choice(CONTAINERS)
            year = str(rng.randint(2019, 2026))
            entry = {"number": number, "label": label, "title": title, "container": container, "year": year}
            if not off_topic and rng.random() < 0.3:
                entry["publication"] = rng.choice(self.ent.publications)
            entry["about"] = [subject, about_disease]
            entry["quote"] = f"{label} {title} {container}, {year}"
            entries.append(entry)
        self.references_text = [e["quote"] for e in entries]
        if entries:
            self.record["references"] = entries
        return count

    def cites(self, references: int) -> list[int] | None:
        """Markers for a claim: resolving ones, and now and then one past the list (dangling)."""
        rng = self.rng
        if rng.random() < 0.4:
            return None
        numbers = sorted(rng.sample(range(1, references + 1), min(references, rng.randint(1, 2)))) if references else []
        if rng.random() < 0.2 or not numbers:
            numbers.append(references + rng.randint(1, 3))
        return numbers

    def study(self, j: int) -> Study:
        rng = self.rng
        sid = f"{self.doc}-study-{j}"
        design = "case-report" if self.kind == "case-report" else rng.choice(DESIGNS[:3])
        arms: list[tuple[str, str, list[str]]] = []
        excluded: dict[str, list[str]] = {}
        chosen: list[str] = []
        for slug in rng.sample(self.ent.drugs + self.ent.classes, rng.randint(1, 6)):
            classes = set(self.ent.member_of.get(slug, []))
            overlaps = any(slug in self.ent.member_of.get(c, []) or c in classes for c in chosen)
            if not overlaps:
                chosen.append(slug)
        for slug in list(chosen):
            # A residual "other" arm: the drug's class without the drug (the sources' "other JAK inhibitors").
            for cls in self.ent.member_of.get(slug, []):
                if cls in self.ent.classes and cls not in chosen and len(chosen) < 6 and rng.random() < 0.3:
                    chosen.append(cls)
                    excluded[cls] = [d for d in chosen if cls in self.ent.member_of.get(d, [])]
        for a, slug in enumerate(chosen, start=1):
            label = f"other {self.L(slug)}" if slug in excluded else self.L(slug)
            arms.append((f"arm-{a}-{slug}", label, [slug]))
        size = rng.randint(5, 400)
        setting = f"{rng.choice(COUNTRIES)} synthetic registry {self.doc}-{j}"
        y1 = rng.randint(2012, 2022)
        m1, m2, y2 = rng.randint(1, 12), rng.randint(1, 12), y1 + rng.randint(1, 3)
        label = f"Synthetic study {self.doc}-{j} of VEXAS treatment"
        sentence = (f"The {label} followed {size} patients from the {setting} between {MONTHS[m1 - 1]} {y1} "
                    f"and {MONTHS[m2 - 1]} {y2}.")
        self.text.add(sentence)
        entry: dict = {"id": sid, "label": label, "design": design, "country": setting.split(" synthetic")[0],
                       "setting": setting, "period_start": f"{y1}-{m1:02d}", "period_end": f"{y2}-{m2:02d}",
                       "population_size": size, "sex_mix": "predominantly male"}
        if rng.random() < 0.5:
            entry["publications"] = [rng.choice(self.ent.publications)]
        entry["quote"] = sentence
        arm_entries = []
        for arm_id, arm_label, interventions in arms:
            arm: dict = {"id": arm_id, "label": arm_label, "interventions": interventions}
            if interventions[0] in excluded:
                arm["excludes"] = excluded[interventions[0]]
            if rng.random() < 0.5:
                patients = rng.randint(1, size)
                arm_sentence = f"In {label}, {patients} patients received {arm_label} ({arm_id})."
                self.text.add(arm_sentence)
                arm["patients"], arm["quote"] = patients, arm_sentence
            arm_entries.append(arm)
        entry["arms"] = arm_entries
        definitions = []
        if rng.random() < 0.6:
            crp = rng.randint(5, 20)
            dq = f"In {label}, complete response was defined as clinical remission plus CRP less than {crp} mg/L."
            self.text.add(dq)
            definitions.append({"id": "complete-response", "label": f"complete response ({label})",
                                "level": "complete-response", "quote": dq,
                                "definition": f"clinical remission plus CRP less than {crp} mg/L",
                                "criteria": [{"parameter": "clinical remission", "operator": "met"},
                                             {"parameter": "CRP", "operator": "<", "value": crp, "unit": "mg-per-l"}]})
            pq = f"In {label}, partial response meant a 50% reduction in CRP."
            self.text.add(pq)
            definitions.append({"id": "partial-response", "label": f"partial response ({label})",
                                "level": "partial-response", "quote": pq,
                                "definition": "a 50% reduction in CRP",
                                "criteria": [{"parameter": "CRP", "operator": "reduction-by", "value": 50,
                                              "unit": "percent"}]})
            entry["response_definitions"] = definitions
        self.record.setdefault("studies", []).append(entry)
        study = Study(sid, label, arms, [d["id"] for d in definitions])
        self.own_studies.append(study)
        return study

    def arm_figures(self, study: Study, refs: int, own: bool) -> None:
        """Outcome figures of each arm, each printed in one finding sentence (with or without markers)."""
        rng = self.rng
        for arm_id, arm_label, interventions in study.arms:
            if rng.random() < (0.3 if not own else 0.0):
                continue
            for measure in rng.sample(["overall-response", "complete-response", "discontinuation", "infection",
                                       "time-to-discontinuation", "response-likelihood"], rng.randint(1, 3)):
                fid = f"{study.id}-{arm_id}-{measure}"
                cid = f"finding-{fid}"
                figure: dict = {"id": fid, "label": f"{measure.replace('-', ' ')}, {arm_label} ({study.label})",
                                "study": study.id, "arm": arm_id, "measure": measure}
                if measure == "time-to-discontinuation":
                    value = f"{rng.randint(1, 30)}.{rng.randint(0, 9)}"
                    low, high = rng.randint(0, 1), int(float(value)) + rng.randint(1, 12)
                    sentence = (f"With {arm_label} in {study.label}, the median time to discontinuation was "
                                f"{value} months (IQR {low}-{high}).")
                    figure.update(statistic="median", value=value, unit="month", iqr_lower=low, iqr_upper=high)
                elif measure == "response-likelihood":
                    others = [a for a in study.arms if a[0] != arm_id]
                    whole, frac = rng.randint(1, 4), rng.randint(10, 99)
                    value = f"{whole}.{frac}"
                    low = f"{max(0, whole - 1)}.{rng.randint(10, 99)}"
                    if float(low) > float(value):
                        low = f"{max(0, whole - 1)}.{frac}"
                    high = f"{whole + rng.randint(1, 4)}.{rng.randint(10, 99)}"
                    p = f"0.0{rng.randint(1, 49)}"
                    comparator = others[0] if others else None
                    against = comparator[1] if comparator else "other therapies"
                    sentence = (f"In {study.label}, response with {arm_label} was more likely than with {against} "
                                f"(risk ratio {value}, 95% CI {low}-{high}; p={p}).")
                    figure.update(statistic="risk-ratio", value=value, unit="ratio", ci_lower=low, ci_upper=high,
                                  ci_level=95, p_value=p)
                    if comparator:
                        figure["comparator_arm"] = comparator[0]
                    else:
                        figure["comparator_label"] = "other therapies"
                else:
                    timepoint = rng.choice(list(TIMEPOINTS))
                    when = TIMEPOINTS[timepoint]
                    denominator = rng.randint(3, 60)
                    numerator = rng.randint(0, denominator)
                    value = str(round(100 * numerator / denominator))
                    nice = measure.replace("-", " ")
                    if rng.random() < 0.5:
                        sentence = (f"In {study.label}, {nice} {when} with {arm_label} was {value}% "
                                    f"({numerator}/{denominator}).")
                        figure.update(numerator=numerator, denominator=denominator)
                    else:
                        sentence = f"In {study.label}, {nice} {when} with {arm_label} was {value}%."
                    figure.update(statistic="proportion", value=value, unit="percent", timepoint=timepoint)
                    if measure in ("overall-response", "complete-response") and study.definitions:
                        figure["response_definitions"] = (study.definitions if measure == "overall-response"
                                                          else ["complete-response"])
                figure["statement"] = cid
                figure["quote"] = sentence
                self.claim(cid, "finding", sentence, [s for s in interventions], cites=self.cites(refs))
                self.figures.append(figure)
                if measure == "infection" and rng.random() < 0.7:
                    drug = interventions[0]
                    label = "infection risk"
                    sentence_ae = f"Infection risk with {arm_label} in {study.label} was a concern for the authors."
                    self.text.add(sentence_ae)
                    self.events.append({"id": f"ae-{fid}", "applies_to": [drug], "event": "infection",
                                        "event_label": label, "risk_statement": "a concern",
                                        "frequency": fid, "statement": cid, "quote": sentence_ae})

    def baseline(self, study: Study) -> None:
        rng = self.rng
        value = rng.randint(10, 80)
        low, high = rng.randint(1, value), rng.randint(value, 150)
        fid = f"{study.id}-baseline-crp"
        sentence = f"At the start of treatment in {study.label}, the median CRP was {value} ({low}-{high}) mg/L."
        cid = f"baseline-{study.id}"
        self.claim(cid, "finding", sentence, ["elevated-crp"])
        self.figures.append({"id": fid, "label": f"median CRP at the start of treatment ({study.label})",
                             "study": study.id, "measure": "crp-level", "statistic": "median", "value": value,
                             "iqr_lower": low, "iqr_upper": high, "unit": "mg-per-l",
                             "timepoint_label": "At the start of treatment", "statement": cid, "quote": sentence})

    def background(self) -> None:
        rng = self.rng
        # Word-for-word restatement in pairs (documents 2k and 2k+1), never across the whole corpus.
        pair = self.i // 2
        sentence = (f"VEXAS syndrome is a rare autoinflammatory disease caused by somatic UBA1 mutations "
                    f"(synthetic background sentence {pair}).")
        self.claim("background", "background", sentence, ["vexas-syndrome", "uba1"], cites=self.cites(self.refs))
        earlier = [d for d in self.prior_claims if self.prior_claims[d]]
        if earlier and rng.random() < 0.5:
            target = rng.choice(earlier[-5:])
            claim_id = rng.choice(self.prior_claims[target])
            relation = rng.choice(["supports", "disputes", "restates"])
            drug = rng.choice(self.ent.drugs)
            sentence = f"Our reading of {self.L(drug)} differs from or agrees with earlier reports ({self.doc})."
            self.claim("cross-reference", "conclusion", sentence, [drug], **{relation: [f"{target}:{claim_id}"]})

    def algorithm(self) -> None:
        rng = self.rng
        failed = "ruxolitinib" if rng.random() < 0.3 else rng.choice(self.ent.drugs)
        heading = f"Treatment sequence after {self.L(failed)} in {self.doc}"
        condition = f"When {self.L(failed)} has failed or is not tolerated"
        self.text.add(heading)
        self.text.add(condition + ":")
        self.record["algorithms"] = [{"id": "sequence", "label": heading, "condition": condition,
                                      "condition_interventions": [failed], "quote": [heading, condition]}]
        options = rng.sample([d for d in self.ent.drugs + ["allogeneic-hsct"] if d != failed], rng.randint(2, 4))
        for step, option in enumerate(options, start=1):
            step_label = f"{ORDINALS[step - 1]} option"
            sentence = f"{step}. {step_label}: {self.L(option)} for patients of {self.doc}."
            self.claim(f"step-{step}", "algorithm-step", sentence, [option], direction="recommends",
                       cites=self.cites(self.refs), algorithm="sequence", step=step, step_label=step_label,
                       condition_interventions=[failed], condition_kinds=["failure", "intolerance"],
                       decision_point="after-failure", preference_rank=step)
        shared = [c for c in self.ent.member_of.get(failed, [])]
        if shared:
            cls = shared[0]
            sentence = (f"Do not assume a class effect among {self.L(cls)}: {self.L(failed)} failure does not "
                        f"predict the response to other members ({self.doc}).")
            self.claim("pitfall-class", "pitfall", sentence, [cls, failed], direction="advises-against",
                       cites=self.cites(self.refs))
        cond = f"if {self.L(failed)} is not tolerated"
        sentence = f"We recommend {self.L(options[0])} {cond} in {self.doc}."
        self.claim("recommendation", "recommendation", sentence, [options[0]], direction="recommends",
                   condition=cond, condition_interventions=[failed], condition_kinds=["intolerance"],
                   decision_point="after-failure",
                   cites=self.cites(self.refs))

    def answer(self) -> None:
        """A short answer covering a manifestation, and a measure specific to another one."""
        rng = self.rng
        drug = rng.choice(self.ent.drugs)
        seen, other = rng.sample(self.ent.known(MANIFESTATIONS), 2)
        sentence = f"Yes, {self.L(drug)} can be tried in VEXAS syndrome with {self.L(seen)} ({self.doc})."
        self.claim("short-answer", "short-answer", sentence, [drug, seen, "vexas-syndrome"], direction="recommends",
                   decision_point="initial-treatment", cites=self.cites(self.refs))
        measure = rng.choice(["thromboprophylaxis", "red-cell-transfusion", "ophthalmology-consultation",
                              "anti-infectious-prophylaxis"])
        # A prophylaxis prevents the manifestation (role prevention); the other measures treat it.
        preventive = measure.endswith("prophylaxis")
        sentence = (f"Given the risk of {self.L(other)}, add {self.L(measure)} ({self.doc})." if preventive
                    else f"For {self.L(other)}, add {self.L(measure)} ({self.doc}).")
        self.claim("measure", "recommendation", sentence, [measure, other], direction="recommends",
                   decision_point="specific-situation", cites=self.cites(self.refs),
                   role="prevention" if preventive else "indication")

    def safety(self) -> None:
        rng = self.rng
        drug = rng.choice(self.ent.drugs)
        name = self.L(drug)
        dose = rng.choice(["5", "10", "2.5", "100"])
        sentence = f"Before starting {name} ({self.doc}), screen with an interferon-gamma release assay; give {dose} mg twice daily orally."
        self.claim("safety", "safety-statement", sentence, [drug], direction="recommends", cites=self.cites(self.refs))
        self.rules.append({"id": "rule-screen", "kind": "screening", "label": f"screen before {name}", "applies_to": [drug],
                           "test": "interferon-gamma release assay", "timing": f"Before starting {name}",
                           "statement": "safety", "quote": sentence})
        self.rules.append({"id": "rule-dose", "kind": "dosing", "label": f"{name} {dose} mg twice daily",
                           "applies_to": [drug], "dose_value": dose, "dose_unit": "mg",
                           "dose_frequency": "twice daily", "route": "orally", "statement": "safety",
                           "quote": sentence})
        threshold = rng.choice([500, 750, 1000])
        t_sentence = f"Stop {name} ({self.doc}) if ANC <{threshold}/mm³ or hemoglobin <8 g/dL."
        self.claim("thresholds", "safety-statement", t_sentence, [drug], direction="recommends")
        self.rules.append({"id": "rule-stop-anc", "kind": "discontinuation-threshold", "label": f"stop {name} if ANC <{threshold}/mm³",
                           "applies_to": [drug], "criteria": [{"parameter": "ANC", "operator": "<", "value": threshold,
                                                                "unit": "per-mm3"}],
                           "statement": "thresholds", "quote": t_sentence})
        self.rules.append({"id": "rule-stop-hemoglobin", "kind": "discontinuation-threshold",
                           "label": f"stop {name} if hemoglobin <8 g/dL", "applies_to": [drug],
                           "criteria": [{"parameter": "hemoglobin", "operator": "<", "value": 8, "unit": "g-per-dl"}],
                           "statement": "thresholds", "quote": t_sentence})
        event = rng.choice(self.ent.known(EVENTS))
        e_sentence = f"{self.L(event).capitalize()} risk is increased with long-term {name} ({self.doc})."
        self.claim("event", "safety-statement", e_sentence, [drug, event])
        self.events.append({"id": "ae-event", "applies_to": [drug], "event": event,
                            "event_label": f"{self.L(event)} risk", "risk_statement": "increased",
                            "exposure": "long-term", "statement": "event", "quote": e_sentence})

    # -- the whole document -------------------------------------------------------
    def write(self) -> tuple[dict, str, list[Study]]:
        rng = self.rng
        self.document()
        self.refs = self.references()
        self.background()
        if self.i == 0:
            # The build refuses entities no record names: the first document names them all once.
            every = sorted(self.ent.label)
            sentence = "This synthetic corpus touches on " + "; ".join(self.L(e) for e in every) + "."
            self.claim("glossary", "background", sentence, every)
        n_studies = {"study-report": 2, "conference-abstract": 1, "case-report": 1, "news-report": 1}.get(self.kind, 0)
        for j in range(1, n_studies + 1):
            study = self.study(j)
            self.baseline(study)
            self.arm_figures(study, self.refs, own=True)
        if self.prior_studies and self.kind in ("review", "news-report", "qa-article", "guideline"):
            self.arm_figures(rng.choice(self.prior_studies[-20:]), self.refs, own=False)
        if self.kind in ("qa-article", "guideline"):
            self.answer()
        if self.kind in ("qa-article", "guideline", "review"):
            self.algorithm()
        if self.kind in ("qa-article", "guideline") or rng.random() < 0.3:
            self.safety()
        self.record["claims"] = self.claims
        if self.figures:
            self.record["figures"] = self.figures
        if self.rules:
            self.record["safety_rules"] = self.rules
        if self.events:
            self.record["adverse_events"] = self.events
        for quote in self.references_text:
            self.text.add(quote)
        text = self.text.render()
        source = f"{self.doc}_{hashlib.sha256(text.encode()).hexdigest()[:16]}.txt"
        self.record["document"]["source"] = source
        order = ["document", "furniture", "references", "studies", "algorithms", "claims", "figures",
                 "safety_rules", "adverse_events"]
        return {k: self.record[k] for k in order if k in self.record}, text, self.own_studies


def to_yaml(value: object, indent: int = 0) -> str:
    """Block YAML with every scalar a JSON string (valid YAML; the loader types each field)."""
    pad = " " * indent
    if isinstance(value, dict):
        lines = []
        for key, item in value.items():
            if isinstance(item, (dict, list)) and item and not _flat(item):
                lines.append(f"{pad}{key}:\n{to_yaml(item, indent + 2)}")
            else:
                lines.append(f"{pad}{key}: {_inline(item)}")
        return "\n".join(lines)
    assert isinstance(value, list)
    out = []
    for item in value:
        body = to_yaml(item, indent + 2) if isinstance(item, dict) else f"{pad}  {_inline(item)}"
        out.append(f"{pad}- {body.lstrip()}")
    return "\n".join(out)


def _flat(value: object) -> bool:
    return isinstance(value, list) and all(not isinstance(v, (dict, list)) for v in value)


def _inline(value: object) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_inline(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


def generate(out: Path, documents: int, seed: int = 11) -> Path:
    """Write an evidence folder of ``documents`` synthetic documents to ``out`` (replaced)."""
    ent = Entities.packaged()
    if out.exists():
        shutil.rmtree(out)
    (out / "records").mkdir(parents=True)
    (out / "sources").mkdir()
    (out / "reference").mkdir()
    packaged = files("vexas_kg.evidence")
    for name in SHARED_FILES:
        (out / name).write_text(packaged.joinpath(*name.split("/")).read_text(encoding="utf-8"), encoding="utf-8")
    studies: list[Study] = []
    claims_by_doc: dict[str, list[str]] = {}
    sums = []
    for index in range(documents):
        writer = DocumentWriter(index, random.Random(f"{seed}:{index}"), ent, studies, claims_by_doc)
        record, text, own = writer.write()
        studies.extend(own)
        claims_by_doc[writer.doc] = [c["id"] for c in writer.claims]
        source = record["document"]["source"]
        (out / "sources" / source).write_text(text, encoding="utf-8")
        header = f"# Synthetic document {writer.doc} (benchmarks/synthetic.py, seed {seed}): invented, not evidence.\n\n"
        (out / "records" / f"{writer.doc}.yaml").write_text(header + to_yaml(record) + "\n", encoding="utf-8")
        sums.append(f"{hashlib.sha256(text.encode()).hexdigest()}  {source}")
    (out / "sources" / "SHA256SUMS").write_text("\n".join(sums) + "\n", encoding="utf-8")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    print(generate(args.out, args.documents, args.seed))


if __name__ == "__main__":
    main()
