"""Letters to citizens: one per decision, in Markdown, HTML or PDF.

A decision on a benefit becomes one of three letters, after its status:

- ``accorde`` → **attribution**: the amounts in words and figures, the
  schedule of payments, what is not due and why, what must stay true for the
  payments to go on;
- ``refuse`` → **rejet**: every failed condition in a plain sentence with its
  source, and what would change the decision when the what-if search
  (:func:`engine.tools.whatif.what_if`) finds it;
- ``incomplet`` → **demande de pièces**: the missing documents and the
  missing information, where to send them and by when.

The words of the law come from the decision and the regime's phrase
catalogue (``kb/<regime>/explications/*.yaml``, ``lettres.yaml`` for what is
specific to letters), through :func:`explain.why.context`; the words of the
office come from the Jinja2 templates of ``explain/lettres/`` (one per letter
type, extending ``lettre.md.j2``, rendered sandboxed) and from the regime's
letterhead (:mod:`explain.entete`, ``kb/<regime>/entete.yaml``, which an
office overrides). Templates write Markdown; HTML and PDF are made from that
Markdown, read by markdown-it-py (:mod:`explain.lettres_markdown`,
:mod:`explain.lettres_pdf`), so the three formats say the same thing and an
office adapts one file per letter type.

This module builds what a letter says (its context) and renders the
templates. Every text that comes from the dossier or the catalogue is escaped
for Markdown when the context is built: templates may print it as it is.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import re
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import jinja2
import jinja2.sandbox
from num2words import num2words

from engine.dossier import Dossier
from engine.model import Decision
from engine.regime import load_regime
from explain import format as fmt
from explain import lettres_pdf
from explain.entete import EnteteError, entete_regime, load_bureau
from explain.entete import entete as merge_entete
from explain.lettres_markdown import to_html, unescape
from explain.phrases import SEXES, Catalogue, PhraseError, catalogue
from explain.why import Node, change_text, context

TYPES = {"accorde": "attribution", "refuse": "rejet", "incomplet": "pieces"}
NOMS_TYPES = {"attribution": "décision d'attribution", "rejet": "décision de rejet", "pieces": "demande de pièces"}
FORMATS = ("markdown", "html", "pdf")
EXTENSIONS = {"markdown": ".md", "html": ".html", "pdf": ".pdf"}
MODELES = Path(__file__).parent / "lettres"
MONNAIE_DEFAUT = {"singulier": "franc", "pluriel": "francs"}


class LettreError(Exception):
    """A letter cannot be made: bad letterhead, broken template, unknown benefit."""


# -- the letterhead ----------------------------------------------------------------
def load_entete(path: str | Path | None = None, regime_id: str | None = None) -> dict[str, Any]:
    """The letterhead of ``regime_id`` (default: the default regime) with the office's file ``path`` over it."""
    try:
        return merge_entete(load_regime(regime_id), load_bureau(path))
    except EnteteError as exc:
        raise LettreError(str(exc)) from exc


def load_bureau_lettres(path: str | Path | None) -> dict[str, Any]:
    """An office's letterhead file (``--entete``): the fields it puts over each regime's letterhead."""
    try:
        return load_bureau(path)
    except EnteteError as exc:
        raise LettreError(str(exc)) from exc


# -- words -------------------------------------------------------------------------
# A dossier path left in a catalogue sentence, "(accouchement.date)": for an
# agent, not for the citizen.
_CHEMIN = re.compile(r"\s*\((?:[a-z_]+(?:\[\d*\])?\.)+[a-z_]+\)")
md = fmt.md


def citoyen(text: str, notes: tuple[str, ...] = ()) -> str:
    """A catalogue sentence for a citizen: dossier paths and the analyst's notes (``notes_analyste``
    of the regime's ``lettres.yaml``, regular expressions) removed, escaped for Markdown."""
    text = _CHEMIN.sub("", text)
    for pattern in notes:
        text = re.sub(pattern, "", text)
    return md(text)


def en_lettres(montant: int | Fraction, monnaie: dict[str, str] | None = None) -> str:
    """``2730`` → ``deux mille sept cent trente (2 730) francs CFA``, as the guide writes amounts."""
    monnaie = monnaie or MONNAIE_DEFAUT
    if isinstance(montant, Fraction) and montant.denominator != 1:
        mots = num2words(float(montant), lang="fr")
        chiffres = fmt.fcfa(montant).removesuffix(f"{fmt.INSECABLE}FCFA")
    else:
        mots = num2words(int(montant), lang="fr")
        chiffres = fmt.nombre(int(montant))
    unite = monnaie["singulier"] if abs(montant) < 2 else monnaie["pluriel"]
    # « un million de francs » : "de" after a round million or milliard.
    de = "de " if re.search(r"(millions?|milliards?)$", mots) else ""
    return f"{mots} ({chiffres}) {de}{unite}"


def liste(items: Any, conjonction: str = "et") -> str:
    """``["Awa", "Moussa", "Issa"]`` → ``Awa, Moussa et Issa``."""
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjonction} {items[-1]}"


def _minuscule(text: str) -> str:
    # "Allocations familiales" → "allocations familiales"; an acronym stays ("INPS").
    return text if text[:2].isupper() else text[:1].lower() + text[1:]


def _lignes(items: Any) -> str:
    """Lines joined by Markdown hard breaks (a backslash at the end of a line)."""
    return "\\\n".join(str(i) for i in items if i)


# -- what a letter says ------------------------------------------------------------
@dataclass
class Raison:
    """A condition in a letter: its name, its plain sentence, its source, and what causes it."""

    libelle: str
    phrase: str
    source: str
    sous_raisons: list[Raison] = field(default_factory=list)
    id: str = ""  # the condition's id, for an office template that groups reasons; never printed as such
    objet: str | None = None


def _raison(node: Node, notes: tuple[str, ...], source_parent: str = "") -> Raison:
    c = node.condition
    libelle = f"{node.libelle} ({c.objet})" if c.objet else node.libelle
    # A source repeated under its parent says nothing new.
    source = node.source if node.source != source_parent else ""
    return Raison(md(libelle), citoyen(node.phrase, notes), citoyen(source, notes),
                  [_raison(child, notes, node.source) for child in node.children], c.id, c.objet)


def _walk(nodes: list[Node], parent: Node | None = None):
    for node in nodes:
        yield node, parent
        yield from _walk(node.children, node)


def _feuilles(nodes: list[Node]) -> list[Node]:
    return [n for n, _ in _walk(nodes) if not n.children]


def _sous_arbre(node: Node, etat: str) -> Node:
    kept = [_sous_arbre(c, etat) for c in node.children if c.condition.etat == etat]
    return Node(node.condition, node.libelle, node.phrase, node.source, node.depth, node.exception, kept)


def _render_phrase(phrases: Catalogue, template: str, values: dict[str, Any]) -> str:
    env = _phrase_env(phrases)
    try:
        return fmt.espaces(env.from_string(template).render(values))
    except jinja2.TemplateError as exc:
        raise PhraseError(f"lettres.yaml : {exc}") from exc


@functools.cache
def _phrase_env(phrases: Catalogue) -> jinja2.Environment:
    env = phrases.env.overlay()
    env.filters["liste"] = liste
    return env


def _applies(entry: dict[str, Any], benefit: str) -> bool:
    return "prestations" not in entry or benefit in entry["prestations"]


def _maintien(ctx: dict[str, Any], phrases: Catalogue, config: dict[str, Any], benefit: str,
              sexes: dict[str, str]) -> list[dict[str, str]]:
    """What must stay true for a granted benefit to be paid (lettres.yaml, ``maintien``)."""
    # A condition met by an exception is not kept by meeting it (a child abroad under a convention).
    met = [n for n, _ in _walk(ctx["remplies"]) if not n.condition.par_exception]
    out: list[dict[str, str]] = []
    for cid, entry in config.get("maintien", {}).items():
        nodes = [n for n in met if n.condition.id == cid]
        if not nodes or not _applies(entry, benefit):
            continue
        groups = [[n] for n in nodes] if entry.get("chaque") else [nodes]
        for group in groups:
            first = group[0].condition
            objets = list(dict.fromkeys(n.condition.objet for n in group if n.condition.objet))
            values = {"objet": first.objet, **first.context(), "objets": objets, SEXES: sexes}
            phrase = _render_phrase(phrases, entry["phrase"], values)
            if phrase:
                out.append({"phrase": md(phrase), "source": md(group[0].source)})
    return out


def _what_if(answer, phrases: Catalogue, sexes: dict[str, str]) -> list[str]:
    """The proposals of a what-if search, in the words of ``prevoyance why --what-if``; a proposal
    with a change the catalogue cannot word is left out rather than shown with a dossier path."""
    templates = phrases.data.get("modifications", {})
    out = []
    for ensemble in answer.ensembles:
        waiting = ensemble.date_eligibilite
        changes = [c for c in ensemble.changements if not (waiting and c.chemin == "date_reference")]
        if any(re.sub(r"\[\d+\]", "[]", c.chemin) not in templates for c in changes):
            continue
        texts = [change_text(c, phrases, waiting is not None, sexes) for c in changes]
        if waiting:
            text = f"attendre le {fmt.date_fr(waiting)} : le droit s'ouvre à cette date"
            condition = liste(texts)
            text += f", à condition {condition if condition.startswith('qu') else fmt.de(condition)}" if texts else ""
        else:
            text = liste(texts)
        out.append(md(fmt.majuscule(text)))
    return out


def _ordre_montants(montants: dict[str, int], phrases: Catalogue) -> list[str]:
    """The kinds of amounts in the catalogue's order (as ``prevoyance why`` lists them)."""
    order = list(phrases.data.get("montants", {}))
    return sorted(montants, key=lambda k: (order.index(k) if k in order else len(order), k))


def _textes(decision: Decision, benefit: str, phrases: Catalogue) -> list[str]:
    """The texts the decision applies: the regime's guide, and the articles its conditions cite."""
    regime = phrases.regime
    prestation = decision.prestations[benefit]
    # A condition may cite several texts ("Loi n°99-041, art. 28 ; Code du travail, art. L179"): each once.
    articles = list(dict.fromkeys(part.strip() for c in prestation.droit.walk() if c.article
                                  for part in c.article.split(" ; ") if part.strip()))
    # A regime whose own notes name its sources for analysts gives the texts a letter cites (lettres.yaml).
    cites = " ".join(phrases.data.get("lettres", {}).get("textes", "").split())
    principale = cites or regime.meta.get("source_principale", "")
    textes = [principale, *articles] if articles or cites else [principale, regime.meta.get("texte", "")]
    return [md(t) for t in dict.fromkeys(textes) if t]


def _salutation(sexes: dict[str, str]) -> str:
    return {"F": "Madame", "M": "Monsieur"}.get(sexes.get("demandeur", ""), "Madame, Monsieur")


def _destinataire(dossier: Dossier | None, sexes: dict[str, str], decision: Decision) -> dict[str, Any]:
    """To whom the letter goes (``demandeur.nom``, ``prenoms``, ``adresse``, ``numero_immatriculation``),
    and the reference it cites: the registration number, else the dossier's id."""
    demandeur = (dossier.data.get("demandeur") or {}) if dossier else {}
    nom = " ".join(str(demandeur[k]) for k in ("prenoms", "nom") if demandeur.get(k))
    civilite = {"F": "Madame", "M": "Monsieur"}.get(sexes.get("demandeur", ""))
    ligne = " ".join(x for x in (civilite, nom) if x) if nom else ""
    adresse = [part.strip() for part in str(demandeur.get("adresse", "")).splitlines() if part.strip()]
    numero = demandeur.get("numero_immatriculation")
    return {"nom": md(ligne), "adresse": [md(a) for a in adresse],
            "immatriculation": md(numero) if numero else None,
            "reference": md(numero) if numero else md(decision.dossier),
            "nom_reference": "N° d'immatriculation :" if numero else "Dossier n°"}


def _contestation(entete: dict[str, Any], type_: str) -> str | None:
    """How to contest a decision, from the letterhead (its variables filled): in every decision letter."""
    if type_ == "pieces":
        return None
    lignes = [x for x in (entete.get("direction"), entete.get("agence"), *entete["adresse"]) if x]
    values = {"organisme": entete["organisme"], "bureau": ", ".join(lignes),
              "signataire": entete["signataire"]["fonction"]}
    try:
        text = _CONTESTATION_ENV.from_string(entete["contestation"]).render(values)
    except jinja2.TemplateError as exc:
        raise LettreError(f"en-tête, « contestation » : {exc}") from exc
    return md(fmt.espaces(text))


def au(fonction: str) -> str:
    """``Le Directeur régional`` → ``au Directeur régional``; ``La Cheffe`` → ``à la Cheffe``."""
    for article, contracted in (("Le ", "au "), ("La ", "à la "), ("Les ", "aux "), ("L'", "à l'"), ("L’", "à l’")):
        if fonction.startswith(article) or fonction.startswith(article.lower()):
            return contracted + fonction[len(article):]
    return f"à {fonction}"


_CONTESTATION_ENV = jinja2.sandbox.SandboxedEnvironment(undefined=jinja2.StrictUndefined, autoescape=False)
_CONTESTATION_ENV.filters.update(minuscule=lambda s: s[:1].lower() + s[1:], au=au)


def _entete_ctx(entete: dict[str, Any]) -> dict[str, Any]:
    e = {k: (md(v) if isinstance(v, str) else v) for k, v in entete.items()}
    e["adresse"] = [md(line) for line in entete["adresse"]]
    e["mentions"] = [md(line) for line in entete["mentions"]]
    e["signataire"] = {k: md(v) if v else v for k, v in entete["signataire"].items()}
    contact = [entete.get("telephone") and f"Tél. {entete['telephone']}", entete.get("courriel")]
    e["lignes"] = [md(x) for x in (entete["direction"], entete["agence"], *entete["adresse"], *contact) if x]
    depot = entete["depot"]
    e["depot"] = [md(x) for x in (depot.get("service"), entete["agence"], *(depot.get("adresse") or entete["adresse"]))
                  if x]
    return e


def letter_type(statut: str) -> str:
    """``accorde`` → ``attribution``, ``refuse`` → ``rejet``, ``incomplet`` → ``pieces``."""
    return TYPES[statut]


def letter_context(dossier: Dossier | None, decision: Decision, benefit: str, entete: dict[str, Any] | None = None,
                   answer=None, date: dt.date | None = None) -> dict[str, Any]:
    """Everything a letter template shows, its texts already escaped for Markdown.

    ``entete`` is the office's fields over the regime's letterhead (:func:`load_bureau_lettres`;
    ``None``: the regime's own); ``answer`` a what-if search for a refusal
    (:func:`engine.tools.whatif.what_if`); ``date`` the date of the letter (default: the date of the decision).
    """
    if benefit not in decision.prestations:
        known = ", ".join(decision.prestations) or "aucune"
        raise LettreError(f"prestation « {benefit} » non examinée pour ce dossier (examinées : {known})")
    regime = load_regime(decision.base)
    try:
        entete = merge_entete(regime, entete) if entete is not None else entete_regime(regime)
    except EnteteError as exc:
        raise LettreError(str(exc)) from exc
    ctx = context(decision, benefit, None, None)
    phrases = catalogue(regime)
    config = phrases.data.get("lettres", {})
    notes = tuple(config.get("notes_analyste", []))
    sexes = decision.sexes
    monnaie = config.get("monnaie", MONNAIE_DEFAUT)
    prestation = ctx["prestation"]
    date = date or decision.date_reference
    type_ = letter_type(prestation.statut)

    # Inside a granted benefit, a branch may fail (a child too old, a missed
    # examination) or wait (an examination to come): said apart from the grant.
    non_dus, a_venir = [], []
    for node, parent in _walk(ctx["arbre"]):
        if parent is not None and parent.condition.etat == "rempli" and not node.exception:
            if node.condition.etat == "non_rempli":
                non_dus.append(_sous_arbre(node, "non_rempli"))
            elif node.condition.etat == "inconnu":
                a_venir.extend(_feuilles([_sous_arbre(node, "inconnu")]))

    informations = []
    seen = set()
    for node in _feuilles(ctx["inconnues"]):
        phrase = citoyen(node.phrase, notes)
        if phrase in seen:
            continue
        seen.add(phrase)
        informations.append({"phrase": phrase, "source": citoyen(node.source, notes),
                             "pieces": [md(phrases.label("pieces", p)) for p in node.condition.justificatifs]})

    non_payes = set(config.get("montants_non_dus", []))
    montants = [(kind, phrases.label("montants", kind), prestation.montants[kind])
                for kind in _ordre_montants(prestation.montants, phrases)]
    changement = config.get("changement")
    omises = set(config.get("informations_omises", []))
    known_labels = {k: v for k, v in phrases.data.get("informations", {}).items() if k not in omises}
    return {
        "type": type_,
        "nom_type": NOMS_TYPES[type_],
        "entete": _entete_ctx(entete),
        "date": date,
        "dossier": md(decision.dossier),
        "destinataire": _destinataire(dossier, sexes, decision),
        "contestation": _contestation(entete, type_),
        "salutation": _salutation(sexes),
        "libelle": md(ctx["libelle"]),
        "statut": md(ctx["statut"]),
        "date_demande": prestation.date_demande,
        "montants": [{"libelle": md(label), "valeur": value, "lettres": en_lettres(value, monnaie)}
                     for kind, label, value in montants if value and kind not in non_payes],
        "montants_non_dus": [{"libelle": md(label), "valeur": value, "lettres": en_lettres(value, monnaie)}
                             for kind, label, value in montants if value and kind in non_payes],
        "montant_par_enfant": (en_lettres(ctx["montant_par_enfant"], monnaie)
                               if ctx["montant_par_enfant"] is not None and prestation.enfants_ouvrant_droit else None),
        "enfants_ouvrant_droit": [md(e) for e in prestation.enfants_ouvrant_droit],
        # An instalment due before the letter is arrears (« rappel »): the letter says so.
        "echeancier": [{"date": d, "evenement": md(event), "montant": amount, "rappel": d < date}
                       for d, event, amount in ctx["echeancier"]],
        "pertes": [{"evenement": md(event), "montant": amount, "lettres": en_lettres(amount, monnaie)}
                   for event, amount in ctx["pertes"]],
        # Only the values the catalogue names: a bare key would be an internal id.
        "informations": [(md(known_labels[k]), md(fmt.valeur(v))) for k, v in prestation.informations.items()
                         if k in known_labels and not isinstance(v, (list, tuple))]
        + [(md(known_labels[k]), md(liste(fmt.valeur(x) for x in v))) for k, v in prestation.elements.items()
           if k in known_labels and v],
        "raisons": [_raison(n, notes) for n in ctx["echecs"]],
        "non_dus": [_raison(n, notes) for n in non_dus],
        "a_venir": [{"phrase": citoyen(n.phrase, notes), "source": citoyen(n.source, notes)} for n in a_venir],
        "maintien": _maintien(ctx, phrases, config, benefit, sexes) if type_ == "attribution" else [],
        "changement": (md(changement["phrase"].strip()) if changement and type_ == "attribution"
                       and _applies(changement, benefit) else None),
        "what_if": _what_if(answer, phrases, sexes) if answer is not None else [],
        # An exception the dossier does not invoke is what would change a refusal: its sentence and
        # the documents that would establish it (docs/ambiguites.md, « Lire le silence d'un dossier »).
        "exceptions": ([{"phrase": citoyen(x.phrase, notes), "pieces": [md(p) for p in x.pieces]}
                        for x in ctx["exceptions_non_invoquees"]] if type_ == "rejet" else []),
        "pieces_manquantes": [md(p) for p in ctx["pieces_manquantes"]],
        # Documents to bring, when the dossier does not list those handed in; a regime whose « pièces » are
        # not documents to bring (lettres.yaml, pieces_du_dossier: false) asks for none.
        "pieces_a_fournir": ([md(p) for p in ctx["pieces_a_fournir"]] if config.get("pieces_du_dossier", True)
                             else []),
        "informations_manquantes": informations,
        "echeance_reponse": date + dt.timedelta(days=entete["delai_reponse_jours"]),
        "textes": _textes(decision, benefit, phrases),
        # For PDF metadata and tests only; not printed by the templates.
        "_entete": entete,
        "_prestation": prestation,
        "_version": decision.version_base,
    }


# -- templates ---------------------------------------------------------------------
@functools.cache
def _environment(modeles: str | None) -> jinja2.Environment:
    paquet = jinja2.FileSystemLoader(str(MODELES))
    # "paquet/rejet.md.j2" is always the shipped template: an office's rejet.md.j2 can extend it.
    loaders: list[jinja2.BaseLoader] = [paquet, jinja2.PrefixLoader({"paquet": paquet})]
    if modeles:  # an office's own templates come first; the shipped ones fill the gaps
        loaders.insert(0, jinja2.FileSystemLoader(modeles))
    # Sandboxed: an office's templates are data, not code (no attribute walk to os, no method calls
    # that change anything); the shipped templates need nothing more.
    env = jinja2.sandbox.ImmutableSandboxedEnvironment(
        loader=jinja2.ChoiceLoader(loaders), undefined=jinja2.StrictUndefined, autoescape=False,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters.update(fmt.FILTRES, liste=liste, minuscule=_minuscule, lignes=_lignes,
                       montant=en_lettres, au=au)
    return env


def render_markdown(ctx: dict[str, Any], modeles: str | Path | None = None) -> str:
    """The letter of ``ctx`` in Markdown, from the template of its type."""
    name = f"{ctx['type']}.md.j2"
    try:
        text = _environment(str(modeles) if modeles else None).get_template(name).render(**ctx)
    except jinja2.TemplateNotFound as exc:
        raise LettreError(f"gabarit introuvable : {exc.name}") from exc
    except jinja2.TemplateError as exc:
        where = f"{getattr(exc, 'name', None) or name}:{getattr(exc, 'lineno', '?')}"
        raise LettreError(f"gabarit {where} : {exc.message or exc}") from exc
    # Templates stay readable with blank lines around their blocks; the letter does not need them twice.
    text = re.sub(r"[ \t]+\n", "\n", text)
    return fmt.insecables(re.sub(r"\n{3,}", "\n\n", text).strip()) + "\n"


@dataclass
class Lettre:
    """One letter: its type, the benefit and dossier it answers, and its Markdown text."""

    type: str
    prestation: str
    dossier: str
    markdown: str
    titre: str
    auteur: str
    version: str = ""
    modeles: str | None = None  # an office's template folder, for the HTML page
    reference: str = ""  # what the foot of each page cites: the registration number, else the dossier's id

    def html(self) -> str:
        """A standalone HTML page (A4 when printed)."""
        return html_document([self], self.modeles)

    def pdf(self) -> bytes:
        """The letter as an A4 PDF."""
        return pdf_document([self])

    def render(self, output_format: str) -> bytes:
        if output_format == "markdown":
            return self.markdown.encode("utf-8")
        if output_format == "html":
            return self.html().encode("utf-8")
        if output_format == "pdf":
            return self.pdf()
        raise LettreError(f"format inconnu : {output_format} (formats : {', '.join(FORMATS)})")


def letter(dossier: Dossier | None, decision: Decision, benefit: str, entete: dict[str, Any] | None = None,
           answer=None, date: dt.date | None = None, modeles: str | Path | None = None) -> Lettre:
    """The letter answering one benefit of a decided dossier; ``entete``: the office's fields
    (:func:`load_bureau_lettres`) over the regime's letterhead."""
    ctx = letter_context(dossier, decision, benefit, entete, answer, date)
    titre = f"{unescape(ctx['libelle'])} — {ctx['nom_type']}"
    return Lettre(ctx["type"], benefit, decision.dossier, render_markdown(ctx, modeles), titre,
                  ctx["_entete"]["organisme"], decision.version_base, str(modeles) if modeles else None,
                  f"{ctx['destinataire']['nom_reference']} {unescape(ctx['destinataire']['reference'])}")


def letters(dossier: Dossier | None, decision: Decision, benefit: str | None = None,
            entete: dict[str, Any] | None = None, what_if: bool = True, date: dt.date | None = None,
            modeles: str | Path | None = None) -> list[Lettre]:
    """One letter per benefit decided for the dossier (or for ``benefit`` only).

    With ``what_if`` (and the dossier), a refusal says what would change it.
    """
    from engine.tools.whatif import what_if as search  # imported late: only refusals need clingo's search

    benefits = [benefit] if benefit else list(decision.prestations)
    out = []
    for pid in benefits:
        answer = None
        prestation = decision.prestations.get(pid)
        if what_if and dossier is not None and prestation is not None and prestation.statut == "refuse":
            answer = search(dossier, pid)
        out.append(letter(dossier, decision, pid, entete, answer, date, modeles))
    return out


# -- HTML and PDF -----------------------------------------------------------------
markdown_html = to_html


def html_document(lettres: list[Lettre], modeles: str | Path | None = None) -> str:
    """A standalone HTML page holding the letters, one per printed page."""
    env = _environment(str(modeles) if modeles else None)
    articles = [{"titre": lt.titre, "corps": to_html(lt.markdown)} for lt in lettres]
    titre = lettres[0].titre if len(lettres) == 1 else f"Lettres — dossier {lettres[0].dossier}"
    return env.get_template("page.html.j2").render(lettres=articles, titre=html.escape(titre))


def pdf_document(lettres: list[Lettre]) -> bytes:
    """The letters as one A4 PDF, each starting on a new page."""
    try:
        return lettres_pdf.pdf_document(lettres)
    except lettres_pdf.PdfError as exc:
        raise LettreError(str(exc)) from exc


pdf_safe = lettres_pdf.pdf_safe
