"""The household's orientation as people read it (issue 22, points 1 and 3): who goes to which scheme, and who
is still pending, in evaluate, why (text, Markdown, HTML, JSON), the letter and the console's decision page.

A member covered by one scheme is never « refusé » by another; a member whose own facts leave the orientation
unknown is named, with the question to ask and the document that settles it, never left out in silence.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from hypothesis import example, given, settings
from hypothesis import strategies as st

from console.app import create_app
from console.reglages import Reglages
from engine.solver import evaluate
from engine.validation import validate
from explain import lettres as L
from explain.render import decision_json, evaluate_text
from explain.why import why

EXEMPLE = Path(__file__).resolve().parent.parent / "examples" / "mali-orientation.yaml"


def _menage(retire: tuple[int, str] | None = None) -> dict:
    data = yaml.safe_load(EXEMPLE.read_text(encoding="utf-8"))
    if retire:
        del data["membres"][retire[0]][retire[1]]
    return data


def _decision(data: dict):
    dossier = validate(data, "menage")
    return dossier, evaluate(dossier)


def test_the_letter_groups_the_members_by_scheme_each_with_its_reason():
    dossier, decision = _decision(_menage())
    lettres = L.letters(dossier, decision)
    assert len(lettres) == 1 and lettres[0].prestation == "orientation"
    text = lettres[0].markdown
    amo, ramed, amv = (text.index(f"## {t}") for t in ("Assurance maladie obligatoire", "Régime d'assistance",
                                                         "Assurance maladie volontaire"))
    assert "**Rokia.** Rokia est salariée" in text[amo:ramed]
    assert "**Adama.** Adama est à la charge de Rokia, salariée et donc assurée" in text[amo:ramed]
    assert "**Assitan.**" in text[ramed:amv] and "Certificat d'indigence" in text[ramed:amv]
    assert "**Bakary.**" in text[amv:]
    for words in ("Ce qui n'est pas accordé", "refus", "lecture de la base", "source secondaire"):
        assert words not in text, words
    assert "Caisse nationale d'assurance maladie (CANAM)" in text and "Présentez-vous" in text


@pytest.mark.parametrize(("retire", "question"), [
    ((2, "a_charge_de"), "De quel membre du ménage Adama est-il à la charge"),
    ((0, "activite"), "Quelle est l'activité de Bakary"),
])
def test_a_pending_member_is_named_everywhere(retire, question):
    """Removing one fact of one member never makes that member vanish: the household's decision stands on the
    others, and the member is named with the question to answer (it fails on d577493, where they vanished)."""
    data = _menage(retire)
    nom = data["membres"][retire[0]]["prenom"]
    dossier, decision = _decision(data)
    pending = [pid for pid, p in decision.prestations.items() if p.membres_en_attente.get("membres_en_attente")]
    assert pending
    contrat = decision_json(decision)["prestations"]
    for pid in pending:
        entry = contrat[pid]["membres_en_attente"]
        assert [e["prenom"] for e in entry] == [nom]
        assert f"membres[{retire[0]}].{retire[1]}" in entry[0]["informations_manquantes"]
        assert entry[0]["pieces"]
        for fmt in ("text", "markdown", "html"):
            assert question in why(decision, pid, fmt).replace("&#39;", "'"), (pid, fmt)
        assert json.loads(why(decision, pid, "json"))["membres_en_attente"][0]["prenom"] == nom
    text = evaluate_text(decision)
    assert f"En attente : {nom}" in text and f"{nom} : à préciser" in text
    lettre = L.letters(dossier, decision)[0].markdown
    assert f"**{nom}.** Nous ne pouvons pas encore dire vers quel régime orienter {nom}" in lettre
    assert question in lettre and "avant le " in lettre


def test_every_member_is_in_the_evaluate_text():
    data = _menage()
    _, decision = _decision(data)
    text = evaluate_text(decision)
    for membre in data["membres"]:
        assert f"  {membre['prenom']} : " in text


def test_the_console_decision_page_shows_the_orientation_and_never_says_refused(tmp_path):
    app = create_app(Reglages(journal=str(tmp_path / "journal.sqlite"), travail=str(tmp_path / "travail")))
    with TestClient(app, raise_server_exceptions=False, base_url="http://127.0.0.1:8000") as client:
        data = _menage((2, "a_charge_de"))
        data["membres"] = [m for m in data["membres"] if m["prenom"] != "Assitan"]  # no one for the RAMED
        data["membres"][2].update(indigence_certifiee=False, admis_d_office=False)  # Adama: not for the RAMED
        text = yaml.safe_dump(data, allow_unicode=True).encode("utf-8")
        decided = client.post("/dossiers/televerser", files={"fichier": ("menage.yaml", text)})
        assert decided.status_code == 200
        page = decided.text
    assert "Orientation du ménage" in page
    assert "<th scope=\"row\">Rokia</th><td>Assurance maladie obligatoire (AMO)</td>" in page
    assert "Pourquoi ce refus" not in page and ">Refusé<" not in page
    assert "ne s&#39;applique à aucun membre" in page or "ne s'applique à aucun membre" in page
    assert "En attente" in page and "<strong>Adama</strong>" in page


# -- no member vanishes (Hypothesis) --------------------------------------------------------------------

PRENOMS = ("Awa", "Moussa", "Fanta", "Seydou")
CHAMPS = ("activite", "a_charge", "a_charge_de", "indigence_certifiee", "admis_d_office")


@st.composite
def menages(draw):
    membres = []
    noms = draw(st.lists(st.sampled_from(PRENOMS), min_size=1, max_size=4, unique=True))
    for nom in noms:
        membre = {"prenom": nom,
                  "activite": draw(st.sampled_from(["salarie", "fonctionnaire", "retraite", "independant",
                                                    "sans_activite"])),
                  "a_charge": draw(st.booleans()),
                  "indigence_certifiee": draw(st.booleans()), "admis_d_office": draw(st.booleans())}
        if membre["a_charge"]:
            membre["a_charge_de"] = draw(st.sampled_from([*noms, "Inconnu"]))
        membres.append(membre)
    i = draw(st.integers(0, len(membres) - 1))
    champ = draw(st.sampled_from(CHAMPS))
    return membres, i, champ


def _ou_va(decision) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for pid, prestation in decision.prestations.items():
        for nom in prestation.elements.get("membres_orientes", []):
            out.setdefault(str(nom), set()).add(pid)
        for e in prestation.membres_en_attente.get("membres_en_attente", []):
            out.setdefault(e.nom, set()).add(f"attente:{pid}")
    return out


@settings(max_examples=40, deadline=None)
@given(menages())
@example(([{"prenom": "Awa", "activite": "salarie", "a_charge": False, "indigence_certifiee": False,
            "admis_d_office": False},
           {"prenom": "Moussa", "activite": "sans_activite", "a_charge": True, "a_charge_de": "Awa",
            "indigence_certifiee": False, "admis_d_office": False}], 1, "a_charge_de"))
def test_removing_a_field_of_a_member_never_makes_them_vanish(cas):
    """Every member of a household is oriented towards a scheme or named as pending, whichever field of
    theirs is removed; the others keep their scheme (the pinned example vanished on d577493)."""
    membres, i, champ = cas
    base = {"id": "m", "base": "mali-couverture-maladie", "date_reference": "2026-03-15"}
    avant = _ou_va(_decision({**base, "membres": membres})[1])
    retire = [dict(m) for m in membres]
    retire[i].pop(champ, None)
    apres = _ou_va(_decision({**base, "membres": retire})[1])
    for m in membres:
        assert apres.get(m["prenom"]), (m["prenom"], apres)
    for m in membres:
        if m["prenom"] != retire[i]["prenom"] and not any(x.startswith("attente") for x in apres[m["prenom"]]):
            assert apres[m["prenom"]] == avant[m["prenom"]] or any(x.startswith("attente")
                                                                   for x in avant[m["prenom"]])
