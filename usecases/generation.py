"""Synthetic caseloads: realistic dossiers for impact studies and benchmarks (``prevoyance generate``).

The distributions (docs/generation.md) are plausible orders of magnitude for
salaried workers declared to the INPS, not statistics: they make every prestation
and every condition occur, with the boundaries the tests care about (birthdays
on the first of the month, a salary at the SMIG, nine months of stage) at a
realistic rate. Dossiers are written as they arrive at a counter: what the
guide does not ask for a prestation (a ``mariage`` block for the family
allowances, the documents, a suspension of activity, a young child's
situation) is usually absent, and exceptions are stated only by those who
invoke them. The same seed always gives the same dossiers. The documents
handed in are those of the guide's table, read from the regime's program
(:class:`TablePieces`): an amendment of the table reaches the generated dossiers.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Iterable, Iterator
from typing import Any

import clingo

from engine.regime import Regime, load_regime

PRENOMS = ("Awa", "Moussa", "Fatoumata", "Seydou", "Aminata", "Oumar", "Kadiatou", "Bakary", "Mariam", "Ibrahim",
           "Rokia", "Modibo", "Oumou", "Souleymane", "Djeneba", "Adama", "Hawa", "Mamadou", "Assitan", "Boubacar")
PAYS_ETRANGERS = ("France", "Sénégal", "Côte d'Ivoire", "Burkina Faso", "Guinée")


def _iso(day: dt.date) -> str:
    return day.isoformat()


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _months_before(day: dt.date, months: int) -> dt.date:
    rank = day.year * 12 + day.month - 1 - months
    year, month = divmod(rank, 12)
    for candidate in (day.day, 28):
        try:
            return dt.date(year, month + 1, candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable")


_REQUISE = re.compile(r"^piece_requise\(", re.M)  # a rule that requires a document: the table's files
_COMMENTAIRE = re.compile(r"%.*$", re.M)
_HORS_TABLEAU = "prestation_hors_tableau"  # a prestation the table does not name: it requires the common documents


class TablePieces:
    """The guide's table of supporting documents, as the regime's program writes it (``piece_requise``).

    The table's rules are grounded with a dossier's claims (``examinee``) and its children's situations
    (``enfants_situation``): the documents they require, in the order the table lists them — those of every
    prestation first, then each prestation's own, then those a child's situation adds.
    """

    def __init__(self, regime: Regime):
        self.texts = [text for _, text in regime.program_texts() if _REQUISE.search(text)]
        code = _COMMENTAIRE.sub("", "\n".join(self.texts))
        self._rang = {m.group(): m.start() for m in reversed(list(re.finditer(r"\b[a-z][a-z0-9_]*\b", code)))}
        self.socle = self._ordered(self._required([_HORS_TABLEAU]))
        self._cache: dict[tuple[tuple[str, ...], tuple[str, ...]], list[str]] = {}

    def _ordered(self, pieces: Iterable[str]) -> list[str]:
        """In the order the table lists them."""
        return sorted(pieces, key=lambda piece: self._rang.get(piece, len(self._rang)))

    def _required(self, prestations: Iterable[str], situations: Iterable[str] = ()) -> set[str]:
        control = clingo.Control(["--warn=none"], logger=lambda _code, _message: None)
        for text in self.texts:
            control.add("base", [], text)
        facts = [f"examinee(d, {b})." for b in prestations] + [f"enfants_situation(d, {i}, {s})."
                                                             for i, s in enumerate(situations)]
        control.add("base", [], "\n".join(facts))
        control.ground([("base", [])])
        found: set[str] = set()
        control.solve(on_model=lambda model: found.update(
            str(atom.arguments[2]) for atom in model.symbols(atoms=True)
            if atom.match("piece_requise", 3) and str(atom.arguments[0]) == "d"))
        return found

    def pieces(self, prestations: Iterable[str], situations: Iterable[str]) -> list[str]:
        """The documents a dossier claiming ``prestations``, with children in ``situations``, hands in."""
        key = (tuple(sorted(set(prestations))), tuple(sorted(set(situations))))
        if key not in self._cache:
            socle = set(self.socle)
            own = {b: self._ordered(self._required([b]) - socle) for b in key[0]}
            claimed = sorted(key[0], key=lambda b: min((self._rang[p] for p in own[b]), default=len(self._rang)))
            situation = self._required(key[0], key[1]) - self._required(key[0])
            self._cache[key] = [*self.socle, *(p for b in claimed for p in own[b]), *self._ordered(situation)]
        return list(self._cache[key])


class Generator:
    """Draws dossiers from one seeded random stream."""

    def __init__(self, seed: int = 0, debut: dt.date = dt.date(2026, 1, 1), fin: dt.date = dt.date(2026, 12, 31)):
        self.rng = random.Random(seed)
        self.debut, self.fin = debut, fin
        # The SMIG comes from the base's parameter (the law stays in kb/): its latest value.
        regime = load_regime()
        smig = regime.parameters.get("smig_mensuel")
        self.smig = int(smig.values[-1].value) if smig and smig.values[-1].value is not None else None
        self.table = TablePieces(regime)

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def maybe(self, data: dict[str, Any], p_absent: float = 0.01) -> dict[str, Any]:
        """Drop a field now and then: real dossiers lack information."""
        return {k: v for k, v in data.items() if not self.chance(p_absent)}

    def date_between(self, a: dt.date, b: dt.date) -> dt.date:
        return a + dt.timedelta(days=self.rng.randint(0, max(0, (b - a).days)))

    def demandeur(self, reference: dt.date) -> dict[str, Any]:
        r = self.rng
        sexe = "M" if self.chance(0.6) else "F"
        statut = r.choices(["salarie", "apprenti", "non_salarie"], [91, 4, 5])[0]
        premiere = self.chance(0.25)
        mois = r.randint(0, 11) if self.chance(0.15) else r.randint(12, 240)
        if self.chance(0.05):
            mois = 9  # the boundary of the stage
        jours = max(0, min(31, round(r.gauss(22, 3)))) if self.chance(0.95) else r.randint(8, 17)
        salaire = max(15000, round(r.lognormvariate(11.4, 0.45), -2))
        if self.chance(0.04) and self.smig:
            salaire = self.smig  # exactly the SMIG in force: the boundary of the condition
        paiement = r.choices(["mois", "quinzaine", "semaine"], [85, 10, 5])[0]
        residence = "Mali" if self.chance(0.96) else r.choice(PAYS_ETRANGERS)
        data: dict[str, Any] = {
            "sexe": sexe,
            "residence": residence,
            "statut": statut,
            "premiere_demande": premiere,
            "mois_consecutifs": mois,
            "jours_mois": jours,
            "heures_mois": jours * 8,
            "salaire_mensuel": int(salaire),
            "paiement_salaire": paiement,
            "situation_avant_mariage": r.choices(["celibataire", "marie", "veuf", "divorce"], [70, 20, 5, 5])[0],
        }
        # Exceptions are stated by those who invoke them: the widow of an
        # allocataire who does not work, the worker abroad during a leave.
        if sexe == "F" and statut == "non_salarie" and self.chance(0.4):
            data["veuve_allocataire"] = True
        if residence != "Mali" and self.chance(0.6):
            data["periode_suspension"] = r.choices(["conge_paye", "repos_medical", "conge_maternite", "aucune"],
                                                   [50, 30, 10, 10])[0]
        if paiement != "mois":
            data["salaire_periode"] = int(salaire / (2 if paiement == "quinzaine" else 4.33))
        return self.maybe(data)

    def enfant(self, reference: dt.date, prenom: str, mere_salariee: bool) -> dict[str, Any]:
        r = self.rng
        age = r.randint(0, 17) if self.chance(0.85) else r.randint(18, 22)
        naissance = self.date_between(_years_before(reference, age + 1), _years_before(reference, age))
        if self.chance(0.05):  # a birthday on the first day of the month of reference
            naissance = _years_before(reference.replace(day=1), r.choice([1, 14, 18, 21]))
        categories = ["mariage", "anterieur_mariage", "naturel_reconnu", "precedent_mariage_conjointe", "adoption"]
        weights = [75, 8, 8, 5, 2]
        if mere_salariee:
            categories.append("enfant_salariee")
            weights.append(10)
        # A child's situation is stated only past fourteen, where it extends the age
        # limit, and then not always (an older child nobody claims for).
        situation = None
        if 14 <= age < 18 and self.chance(0.8):
            situation = r.choices(["aucune", "apprentissage", "etudes", "infirmite"], [20, 20, 59, 1])[0]
        elif age >= 18 and self.chance(0.6):
            situation = r.choices(["aucune", "etudes", "infirmite", "apprentissage"], [48, 50, 1, 1])[0]
        residence: Any = "Mali"
        if self.chance(0.03):  # abroad: the reason and the convention are stated when invoked
            residence = r.choice(PAYS_ETRANGERS)
            if self.chance(0.6):
                residence = {"pays": residence, "motif": r.choice(["sante", "education", "autre"]),
                             "convention_reciprocite": self.chance(0.5)}
        enfant = self.maybe({
            "prenom": prenom, "date_naissance": _iso(naissance),
            "categorie": r.choices(categories, weights)[0],
            "declare_etat_civil": self.chance(0.97), "a_charge": self.chance(0.97), "residence": residence,
            "visite_medicale": self.chance(0.92),
        }) | {"prenom": prenom}
        if situation is not None:
            enfant["situation"] = situation
        return enfant

    def pieces(self, demandes: list[dict[str, Any]], data: dict[str, Any]) -> list[str]:
        """The documents handed in: usually the whole list of the guide's table, sometimes one or two short."""
        situations = [e["situation"] for e in data.get("enfants", []) if e.get("situation")]
        wanted = self.table.pieces((d["prestation"] for d in demandes), situations)
        if self.chance(0.2):
            for missing in self.rng.sample(wanted, k=min(len(wanted), self.rng.randint(1, 2))):
                wanted.remove(missing)
        return wanted

    def dossier(self, number: int) -> dict[str, Any]:
        r = self.rng
        reference = self.date_between(self.debut, self.fin)
        demandeur = self.demandeur(reference)
        data: dict[str, Any] = {"id": f"synthetique-{number:07d}", "date_reference": _iso(reference),
                                "demandeur": demandeur}
        demandes = [{"prestation": "allocations_familiales", "date": _iso(reference)}]
        # The marriage block comes with a claim that needs it (the first-establishment
        # premium); other families mention it now and then.
        recent = self.chance(0.065)
        if recent or self.chance(0.15):
            wedding = _months_before(reference, r.randint(0, 5)) if recent else self.date_between(
                _years_before(reference, 20), _months_before(reference, 6))
            data["mariage"] = self.maybe({"date": _iso(wedding), "etat_civil": self.chance(0.85),
                                          "premier_mariage": self.chance(0.85)})
            if recent:  # claimed soon after the wedding, now and then too late
                claim = min(reference, wedding + dt.timedelta(days=r.randint(5, 110)))
                demandes.append({"prestation": "prime_premier_etablissement", "date": _iso(claim)})
        femme_salariee = demandeur.get("sexe") == "F" and demandeur.get("statut") in ("salarie", "apprenti")
        n = min(8, max(1, round(r.gauss(2.6, 1.8))))  # a family-allowance claim names its children
        names = r.sample(PRENOMS, k=n)
        data["enfants"] = [self.enfant(reference, name, femme_salariee) for name in names]
        if self.chance(0.12):
            debut = _months_before(reference, r.randint(1, 8))
            exams = []
            for month in (2, 5, 7):
                day = debut + dt.timedelta(days=30 * month + r.randint(0, 20))
                if day <= reference and self.chance(0.9):
                    exams.append(day)
            grossesse = {"debut": _iso(debut), "declaration": _iso(debut + dt.timedelta(days=r.randint(20, 100))),
                         "examens": [_iso(d) for d in exams]}
            if self.chance(0.5):  # otherwise the claimant's sex says who is pregnant
                grossesse["beneficiaire"] = "demandeur" if demandeur.get("sexe") == "F" else "conjointe"
            data["grossesse"] = self.maybe(grossesse)
            demandes.append({"prestation": "allocations_prenatales", "date": _iso(reference)})
        elif self.chance(0.1):
            birth = self.date_between(_months_before(reference, 14), reference)
            # One visit inside each month of life ]birth + (k-1) months ; birth + k months].
            visits = [_months_before(birth, -(k - 1)) + dt.timedelta(days=r.randint(1, 27)) for k in range(1, 13)]
            claim = _iso(min(reference, birth + dt.timedelta(days=r.randint(0, 75))))
            data["grossesse"] = {"debut": _iso(_months_before(birth, 9))}
            data["accouchement"] = self.maybe({
                "date": _iso(birth), "controle_medical": self.chance(0.9), "enfant_viable": self.chance(0.99),
                "declare_etat_civil": self.chance(0.95),
                "visites_nourrisson": [_iso(v) for v in visits if v <= reference and self.chance(0.97)]})
            demandes.append({"prestation": "allocations_maternite", "date": claim})
            if demandeur.get("statut") in ("salarie", "apprenti"):
                demandes.append({"prestation": "conge_naissance", "date": claim})
            if femme_salariee:
                leave = birth - dt.timedelta(days=r.randint(10, 45))
                data["conge_maternite"] = self.maybe({
                    "debut": _iso(leave), "salaire_journalier": max(1, demandeur.get("salaire_mensuel", 60000) // 30),
                    "cessation_activite": self.chance(0.95), "maladie_grossesse": self.chance(0.05)})
                demandes.append({"prestation": "indemnites_journalieres_maternite",
                                 "date": _iso(min(reference, leave + dt.timedelta(days=r.randint(0, 40))))})
        data["demandes"] = demandes
        if self.chance(0.5):  # half the dossiers list the documents handed in
            data["pieces"] = self.pieces(demandes, data)
        return data


def generate(count: int, seed: int = 0, **dates: dt.date) -> Iterator[dict[str, Any]]:
    """``count`` dossiers drawn from the seeded generator."""
    generator = Generator(seed, **dates)
    for number in range(count):
        yield generator.dossier(number)
