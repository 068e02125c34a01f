"""Letters to citizens: one per decision, in Markdown, HTML or PDF.

A decision on a benefit becomes one of three letters, after its status:

- ``accorde`` → **attribution**: the amounts in words and figures, the
  schedule of payments, what is not due and why, what must stay true for the
  payments to go on;
- ``refuse`` → **rejet**: every failed condition in a plain sentence with its
  source, and what would change the decision when the what-if search
  (:func:`engine.whatif.what_if`) finds it;
- ``incomplet`` → **demande de pièces**: the missing documents and the
  missing information, where to send them and by when.

The words of the law come from the decision and the regime's phrase
catalogue (``kb/<regime>/explications/*.yaml``, ``lettres.yaml`` for what is
specific to letters), through :func:`explain.why.context`; the words of the
office come from the Jinja2 templates of ``explain/lettres/`` (one per letter
type, extending ``lettre.md.j2``) and from the letterhead (``entete.yaml``,
overridable). Templates write Markdown; HTML and PDF are made from that
Markdown by the small converter below, so the three formats say the same
thing and an office adapts one file per letter type. The PDF is drawn by
ReportLab with the Bitstream Vera fonts it ships (see ``docs/lettres.md``).

Every text that comes from the dossier or the catalogue is escaped for
Markdown when the letter's context is built: templates may print it as it is.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import io
import re
import unicodedata
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import jinja2
import yaml
from num2words import num2words

from engine.dossier import Dossier
from engine.model import Decision
from engine.regime import load_regime
from explain import format as fmt
from explain.phrases import Catalogue, PhraseError, catalogue
from explain.why import Node, change_text, context

TYPES = {"accorde": "attribution", "refuse": "rejet", "incomplet": "pieces"}
NOMS_TYPES = {"attribution": "décision d'attribution", "rejet": "décision de rejet", "pieces": "demande de pièces"}
FORMATS = ("markdown", "html", "pdf")
EXTENSIONS = {"markdown": ".md", "html": ".html", "pdf": ".pdf"}
MODELES = Path(__file__).parent / "lettres"
ENTETE_DEFAUT = MODELES / "entete.yaml"
MONNAIE_DEFAUT = {"singulier": "franc", "pluriel": "francs"}


class LettreError(Exception):
    """A letter cannot be made: bad letterhead, broken template, unknown benefit."""


# -- the letterhead ----------------------------------------------------------------
# Expected type of each field of entete.yaml: the default file is the schema.
_ENTETE_TYPES: dict[str, Any] = {
    "organisme": str, "direction": (str, type(None)), "agence": (str, type(None)), "adresse": list,
    "telephone": (str, type(None)), "courriel": (str, type(None)), "etat": (str, type(None)),
    "devise": (str, type(None)), "lieu": str, "signataire": dict, "depot": dict,
    "delai_reponse_jours": int, "mentions": list,
    "signataire.fonction": str, "signataire.nom": (str, type(None)),
    "depot.service": (str, type(None)), "depot.adresse": list,
}


def _merge_entete(base: dict[str, Any], override: Any, origine: str, prefix: str = "") -> dict[str, Any]:
    if not isinstance(override, dict):
        raise LettreError(f"{origine}: « {prefix.rstrip('.') or '(racine)'} » doit être un objet (clé: valeur)")
    merged = dict(base)
    for key, value in override.items():
        path = f"{prefix}{key}"
        if key not in base:
            allowed = ", ".join(sorted(base))
            raise LettreError(f"{origine}: champ inconnu « {path} » (champs admis ici : {allowed})")
        if isinstance(base[key], dict):
            merged[key] = _merge_entete(base[key], value, origine, f"{path}.")
            continue
        expected = _ENTETE_TYPES.get(path, object)
        if isinstance(value, bool) or not isinstance(value, expected):
            raise LettreError(f"{origine}: « {path} » a le mauvais type ({type(value).__name__})")
        if isinstance(value, list) and not all(isinstance(v, str) for v in value):
            raise LettreError(f"{origine}: « {path} » est une liste de lignes de texte")
        if path == "delai_reponse_jours" and value < 1:
            raise LettreError(f"{origine}: « {path} » doit valoir au moins 1 ; reçu {value}")
        merged[key] = value
    return merged


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise LettreError(f"{path}: fichier introuvable") from exc
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise LettreError(f"{path}: fichier illisible ({exc})") from exc


@functools.cache
def _entete_defaut() -> dict[str, Any]:
    return _read_yaml(ENTETE_DEFAUT)


def load_entete(path: str | Path | None = None) -> dict[str, Any]:
    """The letterhead: the shipped default, with the fields of ``path`` (YAML) put over it."""
    base = _entete_defaut()
    if path is None:
        return _merge_entete(base, base, str(ENTETE_DEFAUT))
    data = _read_yaml(Path(path))
    return _merge_entete(base, data if data is not None else {}, str(path))


# -- words -------------------------------------------------------------------------
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")
# A dossier path left in a catalogue sentence, "(accouchement.date)": for an
# agent, not for the citizen.
_CHEMIN = re.compile(r"\s*\((?:[a-z_]+(?:\[\d*\])?\.)+[a-z_]+\)")


def md(text: Any) -> str:
    """Text escaped for Markdown: names and sentences are printed, never interpreted."""
    return _MD_SPECIAL.sub(r"\\\1", str(text))


def citoyen(text: str) -> str:
    """A catalogue sentence for a citizen: dossier paths removed, escaped for Markdown."""
    return md(_CHEMIN.sub("", text))


def en_lettres(montant: int | Fraction, monnaie: dict[str, str] | None = None) -> str:
    """``2730`` → ``deux mille sept cent trente (2 730) francs CFA``, as the guide writes amounts."""
    monnaie = monnaie or MONNAIE_DEFAUT
    if isinstance(montant, Fraction) and montant.denominator != 1:
        mots = num2words(float(montant), lang="fr")
        chiffres = fmt.fcfa(montant).removesuffix(" FCFA")
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


def _raison(node: Node, source_parent: str = "") -> Raison:
    c = node.condition
    libelle = f"{node.libelle} ({c.objet})" if c.objet else node.libelle
    # A source repeated under its parent says nothing new.
    source = node.source if node.source != source_parent else ""
    return Raison(md(libelle), citoyen(node.phrase), md(source),
                  [_raison(child, node.source) for child in node.children], c.id, c.objet)


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
        return " ".join(env.from_string(template).render(values).split())
    except jinja2.TemplateError as exc:
        raise PhraseError(f"lettres.yaml : {exc}") from exc


@functools.cache
def _phrase_env(phrases: Catalogue) -> jinja2.Environment:
    env = phrases.env.overlay()
    env.filters["liste"] = liste
    return env


def _applies(entry: dict[str, Any], benefit: str) -> bool:
    return "prestations" not in entry or benefit in entry["prestations"]


def _maintien(ctx: dict[str, Any], phrases: Catalogue, config: dict[str, Any], benefit: str) -> list[dict[str, str]]:
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
            values = {"objet": first.objet, **first.context(), "objets": objets}
            phrase = _render_phrase(phrases, entry["phrase"], values)
            if phrase:
                out.append({"phrase": md(phrase), "source": md(group[0].source)})
    return out


def _what_if(answer, phrases: Catalogue) -> list[str]:
    """The proposals of a what-if search, in the words of ``prevoyance why --what-if``; a proposal
    with a change the catalogue cannot word is left out rather than shown with a dossier path."""
    templates = phrases.data.get("modifications", {})
    out = []
    for ensemble in answer.ensembles:
        waiting = ensemble.date_eligibilite
        changes = [c for c in ensemble.changements if not (waiting and c.chemin == "date_reference")]
        if any(re.sub(r"\[\d+\]", "[]", c.chemin) not in templates for c in changes):
            continue
        texts = [change_text(c, phrases, waiting is not None) for c in changes]
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
    textes = [regime.meta.get("source_principale", ""), *articles] if articles else [
        regime.meta.get("source_principale", ""), regime.meta.get("texte", "")]
    return [md(t) for t in textes if t]


def _salutation(dossier: Dossier | None) -> str:
    sexe = ((dossier.data.get("demandeur") or {}).get("sexe") if dossier else None)
    return {"F": "Madame", "M": "Monsieur"}.get(sexe, "Madame, Monsieur")


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

    ``answer`` is a what-if search for a refusal (:func:`engine.whatif.what_if`);
    ``date`` the date of the letter (default: the date of the decision).
    """
    if benefit not in decision.prestations:
        known = ", ".join(decision.prestations) or "aucune"
        raise LettreError(f"prestation « {benefit} » non examinée pour ce dossier (examinées : {known})")
    entete = entete or load_entete()
    ctx = context(decision, benefit, None, None)
    phrases = catalogue(load_regime(decision.base))
    config = phrases.data.get("lettres", {})
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
        phrase = citoyen(node.phrase)
        if phrase in seen:
            continue
        seen.add(phrase)
        informations.append({"phrase": phrase, "source": md(node.source),
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
        "salutation": _salutation(dossier),
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
        "echeancier": [{"date": d, "evenement": md(event), "montant": amount}
                       for d, event, amount in ctx["echeancier"]],
        "pertes": [{"evenement": md(event), "montant": amount, "lettres": en_lettres(amount, monnaie)}
                   for event, amount in ctx["pertes"]],
        # Only the values the catalogue names: a bare key would be an internal id.
        "informations": [(md(known_labels[k]), md(fmt.valeur(v))) for k, v in prestation.informations.items()
                         if k in known_labels and not isinstance(v, (list, tuple))]
        + [(md(known_labels[k]), md(liste(fmt.valeur(x) for x in v))) for k, v in prestation.elements.items()
           if k in known_labels and v],
        "raisons": [_raison(n) for n in ctx["echecs"]],
        "non_dus": [_raison(n) for n in non_dus],
        "a_venir": [{"phrase": citoyen(n.phrase), "source": md(n.source)} for n in a_venir],
        "maintien": _maintien(ctx, phrases, config, benefit) if type_ == "attribution" else [],
        "changement": (md(changement["phrase"].strip()) if changement and type_ == "attribution"
                       and _applies(changement, benefit) else None),
        "what_if": _what_if(answer, phrases) if answer is not None else [],
        "pieces_manquantes": [md(p) for p in ctx["pieces_manquantes"]],
        "pieces_a_fournir": [md(p) for p in ctx["pieces_a_fournir"]],
        "informations_manquantes": informations,
        "echeance_reponse": date + dt.timedelta(days=entete["delai_reponse_jours"]),
        "textes": _textes(decision, benefit, phrases),
        # For PDF metadata and tests only; not printed by the templates.
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
    env = jinja2.Environment(loader=jinja2.ChoiceLoader(loaders), undefined=jinja2.StrictUndefined,
                             autoescape=False, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters.update(fmt.FILTRES, liste=liste, minuscule=_minuscule, lignes=_lignes,
                       montant=en_lettres)
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
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


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
    """The letter answering one benefit of a decided dossier."""
    entete = entete or load_entete()
    ctx = letter_context(dossier, decision, benefit, entete, answer, date)
    titre = f"{_unescape(ctx['libelle'])} — {ctx['nom_type']}"
    return Lettre(ctx["type"], benefit, decision.dossier, render_markdown(ctx, modeles), titre,
                  entete["organisme"], decision.version_base, str(modeles) if modeles else None)


def letters(dossier: Dossier | None, decision: Decision, benefit: str | None = None,
            entete: dict[str, Any] | None = None, what_if: bool = True, date: dt.date | None = None,
            modeles: str | Path | None = None) -> list[Lettre]:
    """One letter per benefit decided for the dossier (or for ``benefit`` only).

    With ``what_if`` (and the dossier), a refusal says what would change it.
    """
    from engine.whatif import what_if as search  # imported late: only refusals need clingo's search

    benefits = [benefit] if benefit else list(decision.prestations)
    entete = entete or load_entete()
    out = []
    for pid in benefits:
        answer = None
        prestation = decision.prestations.get(pid)
        if what_if and dossier is not None and prestation is not None and prestation.statut == "refuse":
            answer = search(dossier, pid)
        out.append(letter(dossier, decision, pid, entete, answer, date, modeles))
    return out


# -- Markdown, read back -----------------------------------------------------------
# The subset the templates use, documented in docs/lettres.md: headings (#, ##,
# ###), paragraphs, hard breaks (a backslash ending a line), lists (- or 1.,
# nested by indentation), pipe tables, rules (---), **bold**, *italic*, and
# backslash escapes; and two layout directives, HTML comments alone on their
# line that Markdown viewers hide: <!-- droite --> aligns the next paragraph
# to the right, <!-- espace --> leaves room (for a signature).
@dataclass
class _Item:
    texte: str
    ordonne: bool
    enfants: list[_Item] = field(default_factory=list)


@dataclass
class _Bloc:
    genre: str  # titre | paragraphe | liste | tableau | regle | espace
    texte: str = ""
    droite: bool = False
    niveau: int = 0
    items: list[_Item] = field(default_factory=list)
    entetes: list[str] = field(default_factory=list)
    alignements: list[str] = field(default_factory=list)
    rangees: list[list[str]] = field(default_factory=list)


_ITEM = re.compile(r"^( *)(-|\d+\.) +(.*)$")
_DIRECTIVE = re.compile(r"^\s*<!--\s*(droite|espace)\s*-->\s*$")
_TITRE = re.compile(r"^(#{1,3}) +(.*)$")


def _cells(line: str) -> list[str]:
    line = line.strip()
    line = line[1:] if line.startswith("|") else line
    line = line[:-1] if line.endswith("|") and not line.endswith("\\|") else line
    return [c.strip() for c in re.split(r"(?<!\\)\|", line)]


def parse_markdown(text: str) -> list[_Bloc]:
    """The blocks of a letter's Markdown (the subset above)."""
    lines = text.splitlines()
    blocs: list[_Bloc] = []
    droite = False
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        if m := _DIRECTIVE.match(line):
            if m.group(1) == "espace":
                blocs.append(_Bloc("espace"))
            droite = m.group(1) == "droite"
            i += 1
            continue
        if m := _TITRE.match(line):
            blocs.append(_Bloc("titre", m.group(2).strip(), niveau=len(m.group(1))))
            i += 1
        elif line.strip() == "---":
            blocs.append(_Bloc("regle"))
            i += 1
        elif line.lstrip().startswith("|"):
            rows = []
            while i < len(lines) and lines[i].lstrip().startswith("|"):
                rows.append(_cells(lines[i]))
                i += 1
            bloc = _Bloc("tableau", entetes=rows[0])
            body = rows[1:]
            if body and all(re.fullmatch(r":?-+:?", c) for c in body[0]):
                bloc.alignements = ["droite" if c.endswith(":") else "gauche" for c in body[0]]
                body = body[1:]
            bloc.alignements += ["gauche"] * (len(bloc.entetes) - len(bloc.alignements))
            bloc.rangees = body
            blocs.append(bloc)
        elif _ITEM.match(line):
            stack: list[tuple[int, list[_Item]]] = [(-1, [])]
            bloc = _Bloc("liste", items=stack[0][1])
            last: list[tuple[int, _Item]] = []  # (content indent, item) of the open items, outermost first
            while i < len(lines) and lines[i].strip():
                m = _ITEM.match(lines[i])
                indent = len(lines[i]) - len(lines[i].lstrip())
                if m:
                    while last and indent < last[-1][0]:
                        last.pop()
                    item = _Item(m.group(3), m.group(2) != "-")
                    (last[-1][1].enfants if last else bloc.items).append(item)
                    last.append((indent + len(m.group(2)) + 1, item))
                elif last:
                    while len(last) > 1 and indent < last[-1][0]:
                        last.pop()
                    last[-1][1].texte += "\n" + lines[i].strip()
                else:
                    break
                i += 1
            blocs.append(bloc)
        else:
            para = []
            while i < len(lines) and lines[i].strip() and not (
                    _TITRE.match(lines[i]) or _ITEM.match(lines[i]) or lines[i].lstrip().startswith("|")
                    or lines[i].strip() == "---"):
                para.append(lines[i].strip())
                i += 1
            blocs.append(_Bloc("paragraphe", "\n".join(para), droite=droite))
        droite = False
    return blocs


_ESCAPED = re.compile(r"\\([\\`*_\[\]<>|#])")


def _unescape(text: str) -> str:
    return _ESCAPED.sub(r"\1", text)


def _inline(text: str, gras: tuple[str, str], italique: tuple[str, str], saut: str, escape) -> str:
    """Inline Markdown (escapes, **bold**, *italic*, hard breaks) to HTML or ReportLab markup."""
    lines = text.split("\n")
    parts = []
    for n, line in enumerate(lines):
        hard = bool(re.search(r"(?<!\\)(\\\\)*\\$", line))
        parts.append(line[:-1] if hard else line)
        if n < len(lines) - 1:
            parts.append("\x00" if hard else " ")
    joined = "".join(parts)
    kept: list[str] = []

    def hold(m: re.Match) -> str:
        kept.append(m.group(1))
        return f"\x01{len(kept) - 1}\x02"

    joined = escape(_ESCAPED.sub(hold, joined))
    joined = re.sub(r"\*\*(.+?)\*\*", lambda m: f"{gras[0]}{m.group(1)}{gras[1]}", joined)
    joined = re.sub(r"\*(.+?)\*", lambda m: f"{italique[0]}{m.group(1)}{italique[1]}", joined)
    joined = re.sub(r"\x01(\d+)\x02", lambda m: escape(kept[int(m.group(1))]), joined)
    return joined.replace("\x00", saut)


def _html_inline(text: str) -> str:
    return _inline(text, ("<strong>", "</strong>"), ("<em>", "</em>"), "<br>\n", lambda s: html.escape(s, quote=False))


def _html_items(items: list[_Item]) -> str:
    tag = "ol" if items and items[0].ordonne else "ul"
    out = [f"<{tag}>"]
    for item in items:
        out.append(f"<li>{_html_inline(item.texte)}{_html_items(item.enfants) if item.enfants else ''}</li>")
    out.append(f"</{tag}>")
    return "\n".join(out)


def markdown_html(text: str) -> str:
    """The HTML body of a letter's Markdown."""
    out = []
    for b in parse_markdown(text):
        if b.genre == "titre":
            out.append(f"<h{b.niveau}>{_html_inline(b.texte)}</h{b.niveau}>")
        elif b.genre == "regle":
            out.append("<hr>")
        elif b.genre == "espace":
            out.append('<div class="espace"></div>')
        elif b.genre == "paragraphe":
            classe = ' class="droite"' if b.droite else ""
            out.append(f"<p{classe}>{_html_inline(b.texte)}</p>")
        elif b.genre == "liste":
            out.append(_html_items(b.items))
        else:
            align = [' class="montant"' if a == "droite" else "" for a in b.alignements]
            head = "".join(f"<th{a}>{_html_inline(c)}</th>" for c, a in zip(b.entetes, align, strict=False))
            rows = "\n".join("<tr>" + "".join(f"<td{a}>{_html_inline(c)}</td>" for c, a in zip(r, align, strict=False))
                             + "</tr>" for r in b.rangees)
            out.append(f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{rows}\n</tbody>\n</table>")
    return "\n".join(out) + "\n"


def html_document(lettres: list[Lettre], modeles: str | Path | None = None) -> str:
    """A standalone HTML page holding the letters, one per printed page."""
    env = _environment(str(modeles) if modeles else None)
    articles = [{"titre": lt.titre, "corps": markdown_html(lt.markdown)} for lt in lettres]
    titre = lettres[0].titre if len(lettres) == 1 else f"Lettres — dossier {lettres[0].dossier}"
    return env.get_template("page.html.j2").render(lettres=articles, titre=html.escape(titre))


# -- PDF ---------------------------------------------------------------------------
# ReportLab ships the Bitstream Vera TrueType fonts (reportlab/fonts): Unicode
# fonts whose licence allows embedding, found without any system package.
_POLICES = {"Vera": "Vera.ttf", "Vera-Bold": "VeraBd.ttf", "Vera-Italic": "VeraIt.ttf",
            "Vera-BoldItalic": "VeraBI.ttf"}
# Characters a template or a phrase may use that Vera lacks, and what stands for them.
_SUBSTITUTS = {"\u202f": "\u00a0", "\u2009": " ", "\u2011": "-", "\u2007": "\u00a0", "✓": "+", "✗": "x"}


@functools.cache
def _polices() -> frozenset[int]:
    """Register the fonts once; the code points they can draw."""
    import reportlab
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    folder = Path(reportlab.__file__).parent / "fonts"
    chars: set[int] = set()
    for name, filename in _POLICES.items():
        try:
            font = TTFont(name, str(folder / filename))
        except Exception as exc:  # the font files are part of the reportlab wheel
            raise LettreError(f"police {filename} introuvable dans reportlab ({exc})") from exc
        pdfmetrics.registerFont(font)
        chars |= set(font.face.charToGlyph)
    pdfmetrics.registerFontFamily("Vera", normal="Vera", bold="Vera-Bold", italic="Vera-Italic",
                                  boldItalic="Vera-BoldItalic")
    return frozenset(chars)


def pdf_safe(text: str) -> str:
    """Text the PDF fonts can draw: a character they lack is replaced by its stand-in, else by
    its letter without the accent the font lacks ("ọ" → "o"), else by "?"."""
    chars = _polices()

    def safe(c: str) -> str:
        if ord(c) in chars or c in "\n\x00\x01\x02":
            return c
        if c in _SUBSTITUTS:
            return _SUBSTITUTS[c]
        base = "".join(b for b in unicodedata.normalize("NFKD", c) if ord(b) in chars and not unicodedata.combining(b))
        return base or "?"

    return "".join(safe(c) for c in text)


def _pdf_inline(text: str) -> str:
    text = pdf_safe(text)
    # A figure is not split at the end of a line: "2 730", "3 000 FCFA".
    text = re.sub(r"(?<=\d) (?=\d{3}\b|FCFA)", "\u00a0", text)
    return _inline(text, ("<b>", "</b>"), ("<i>", "</i>"), "<br/>",
                   lambda s: s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


def _styles() -> dict[str, Any]:
    from reportlab.lib.colors import HexColor
    from reportlab.lib.styles import ParagraphStyle

    base = ParagraphStyle("corps", fontName="Vera", bulletFontName="Vera", fontSize=10, leading=14, spaceAfter=6)
    return {
        "corps": base,
        "titre1": ParagraphStyle("titre1", base, fontName="Vera-Bold", fontSize=13, leading=17, spaceBefore=6,
                                 spaceAfter=8),
        "titre2": ParagraphStyle("titre2", base, fontName="Vera-Bold", fontSize=11, leading=15, spaceBefore=8,
                                 spaceAfter=4, textColor=HexColor("#1f3a5f")),
        "titre3": ParagraphStyle("titre3", base, fontName="Vera-Bold", fontSize=10, spaceBefore=6, spaceAfter=3),
        "droite": ParagraphStyle("droite", base, alignment=2),
        "item": ParagraphStyle("item", base, spaceAfter=3),
        "cellule": ParagraphStyle("cellule", base, fontSize=9, leading=12, spaceAfter=0),
        "cellule_droite": ParagraphStyle("cellule_droite", base, fontSize=9, leading=12, spaceAfter=0, alignment=2),
    }


def _pdf_items(items: list[_Item], styles, depth: int = 0) -> list[Any]:
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph

    out = []
    style = ParagraphStyle(f"item{depth}", styles["item"], leftIndent=16 * (depth + 1), bulletIndent=16 * depth + 4)
    for n, item in enumerate(items, start=1):
        bullet = f"{n}." if item.ordonne else ("•" if depth == 0 else "–")
        out.append(Paragraph(_pdf_inline(item.texte), style, bulletText=bullet))
        out += _pdf_items(item.enfants, styles, depth + 1)
    return out


def _Signature(flowables: list[Any]):
    """A block kept on one page: the end of a letter and the room for its signature."""
    from reportlab.platypus import KeepTogether

    class Signature(KeepTogether):
        ouverte = True  # the paragraph after the room (a name) joins the block

        def add(self, flowable) -> None:
            self._content.append(flowable)
            self.ouverte = False

    return Signature(flowables)


def _pdf_story(text: str, styles) -> list[Any]:
    from reportlab.lib.colors import HexColor
    from reportlab.lib.units import cm
    from reportlab.platypus import HRFlowable, Paragraph, Spacer, Table, TableStyle

    story: list[Any] = []
    for b in parse_markdown(text):
        if b.genre == "titre":
            story.append(Paragraph(_pdf_inline(b.texte), styles[f"titre{b.niveau}"]))
        elif b.genre == "regle":
            story.append(HRFlowable(width="100%", thickness=0.5, color=HexColor("#999999"), spaceBefore=4,
                                    spaceAfter=6))
        elif b.genre == "espace":
            # Room for a signature, kept with the two paragraphs above it (the closing formula and
            # the signatory) and the one after it: never a page holding a lone blank.
            held = [story.pop() for _ in range(min(2, len(story)))][::-1]
            story.append(_Signature([*held, Spacer(1, 1.6 * cm)]))
        elif b.genre == "paragraphe":
            paragraph = Paragraph(_pdf_inline(b.texte), styles["droite" if b.droite else "corps"])
            if story and getattr(story[-1], "ouverte", False):
                story[-1].add(paragraph)  # the signatory's name, under the room left for the signature
            else:
                story.append(paragraph)
        elif b.genre == "liste":
            story += _pdf_items(b.items, styles)
            story.append(Spacer(1, 4))
        else:
            cell = [styles["cellule_droite"] if a == "droite" else styles["cellule"] for a in b.alignements]
            rows = [[Paragraph(f"<b>{_pdf_inline(c)}</b>", s) for c, s in zip(b.entetes, cell, strict=False)]]
            rows += [[Paragraph(_pdf_inline(c), s) for c, s in zip(r, cell, strict=False)] for r in b.rangees]
            width = 17 * cm
            # Dates and amounts are short; the last column (what is paid) takes the rest.
            narrow = [3.6 * cm] * (len(b.entetes) - 1)
            table = Table(rows, colWidths=[*narrow, width - sum(narrow)] if len(b.entetes) > 1 else [width],
                          repeatRows=1, hAlign="LEFT")
            table.setStyle(TableStyle([
                ("FONTNAME", (0, 0), (-1, -1), "Vera"),  # the table's own default is Helvetica, a core font
                ("BACKGROUND", (0, 0), (-1, 0), HexColor("#e8edf3")),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, HexColor("#bbbbbb")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]))
            story += [table, Spacer(1, 8)]
    return story


def _canvas_numerote(dossier: str):
    """A canvas class that writes "Dossier … — page n/N" at the foot of each page once N is known."""
    from reportlab.lib.colors import HexColor
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import cm
    from reportlab.pdfgen.canvas import Canvas

    class CanvasNumerote(Canvas):
        def __init__(self, *args, **kwargs):
            kwargs["initialFontName"] = "Vera"  # else every page names Helvetica, a core font
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self):  # ReportLab's name: the page is kept, drawn at save()
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self.saveState()
                self.setFont("Vera", 8)
                self.setFillColor(HexColor("#666666"))
                self.drawString(2 * cm, 1.2 * cm, pdf_safe(f"Dossier {dossier}"))
                self.drawRightString(A4[0] - 2 * cm, 1.2 * cm, f"page {self._pageNumber}/{total}")
                self.restoreState()
                super().showPage()
            super().save()

    return CanvasNumerote


def pdf_document(lettres: list[Lettre]) -> bytes:
    """The letters as one A4 PDF, each starting on a new page."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import cm
    from reportlab.platypus import PageBreak, SimpleDocTemplate

    _polices()
    styles = _styles()
    buffer = io.BytesIO()
    first = lettres[0]
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=2 * cm, rightMargin=2 * cm, topMargin=2 * cm,
                            bottomMargin=2 * cm, title=pdf_safe(first.titre), author=pdf_safe(first.auteur),
                            subject=pdf_safe(f"Dossier {first.dossier}"), creator="prevoyance",
                            keywords=", ".join(sorted({lt.version for lt in lettres if lt.version})),
                            invariant=1, lang="fr-FR")  # invariant: the same letter gives the same bytes
    story: list[Any] = []
    for n, lt in enumerate(lettres):
        if n:
            story.append(PageBreak())
        story += _pdf_story(lt.markdown, styles)
    doc.build(story, canvasmaker=_canvas_numerote(first.dossier))
    return buffer.getvalue()


