"""Regimes of the knowledge base: where their rules, parameters, schema and phrases live.

A regime is a folder of ``kb/`` holding a ``regime.yaml``. Its program is every
``.lp`` file of ``kb/commun/`` followed by every ``.lp`` file of the regime's
folder; its parameters are the YAML files under ``parametres/``, one folder per
prestation and ``parametres/commun/`` for those several prestations share (a parameter
is named by its file's stem, unique in the regime); its phrase catalogue the
YAML files of ``explications/``. Nothing here knows what a
regime says: adding one is adding a folder.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import json
from dataclasses import dataclass, field
from fractions import Fraction
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from engine.domaine import (
    MAX_INTEGER_BOUND,
    Bornes,
    BornesParametre,
    check_schema_bounds,
    iso_date,
    read_bornes,
    read_parameter_bounds,
    read_unit_bounds,
)
from engine.normalize import marked_paths, multiline_paths


def _load_yaml(text: str):
    """YAML with libyaml's loader when the wheel has it (the base is read at every start)."""
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


# The heading under which a ``.lp`` file of the base gathers, after its ``@regle`` blocks, the
# predicates that only serve grounding (docs/regimes.md, « Disposition d'un régime »): they belong
# to no block, so an amendment that replaces the file's last block keeps them.
AUXILIAIRES_DE_GROUNDING = "% ---- Auxiliaires de grounding (ne disent pas le droit) ----"


class RegimeError(Exception):
    """The knowledge base itself is malformed (not the dossier)."""


def kb_root() -> Path:
    """The folder of the knowledge base shipped with the package."""
    return Path(str(resources.files("kb")))


@dataclass(frozen=True)
class ParameterValue:
    """One dated value of a parameter; ``value`` is None when the parameter is repealed."""

    debut: dt.date
    value: int | Fraction | None
    reference: str
    statut: str | None = None
    note: str | None = None
    texte: str | None = None  # the value as the YAML writes it ("3/12" stays "3/12", not 1/4)


@dataclass(frozen=True)
class Parameter:
    """A parameter of the law (amount, rate, age, time limit), one YAML file."""

    nom: str
    description: str
    reference: str
    unit: str | None
    values: tuple[ParameterValue, ...]
    path: Path
    # The values it may take (engine/domaine.py): its file's ``bornes``, else its unit's in regime.yaml.
    bornes: BornesParametre | None = None

    def valeur_au(self, when: dt.date) -> ParameterValue | None:
        """The dated value in force on ``when`` (the last one that starts on or before it), as
        ``en_vigueur/3`` chooses it (kb/commun/parametres.lp); None before the first or once repealed."""
        current = None
        for value in self.values:
            if value.debut <= when:
                current = value
        return current if current is not None and current.value is not None else None


@dataclass(eq=False)  # identity: a regime is loaded once and used as a cache key
class Regime:
    """Everything the engine needs to evaluate dossiers under one regime."""

    id: str
    folder: Path
    meta: dict[str, Any]
    schema: dict[str, Any]
    program_files: list[Path]
    parameters: dict[str, Parameter]
    phrases: dict[str, Any] = field(default_factory=dict)
    # An amended regime (engine/amendement.py) rewrites some files and adds others.
    rewritten: dict[Path, str] = field(default_factory=dict)
    added: list[tuple[Path, str]] = field(default_factory=list)
    amendment_tag: str | None = None  # "+<slug>@<hash>" for an amended base
    amendements: tuple[Any, ...] = ()  # the amendments applied (usecases.amendement.Amendment), in order
    bornes: Bornes | None = None  # the domain of dates and text (regime.yaml, engine/domaine.py)
    # The bounds of parameters by unit (regime.yaml, bornes.parametres), for an amendment's new parameters.
    bornes_parametres: dict[str, BornesParametre] = field(default_factory=dict)

    def program_texts(self) -> list[tuple[Path, str]]:
        """The program, file by file: (path, text), amendments applied."""
        texts = [(p, self.rewritten.get(p) or p.read_text(encoding="utf-8")) for p in self.program_files]
        return texts + list(self.added)

    @property
    def prestations_independantes(self) -> bool:
        """``regime.yaml`` says that no prestation's rules read another's: a dossier may then be grounded
        with the files of the prestations it demands only (engine/program.py, ``Program.text_for``)."""
        return bool(self.meta.get("prestations_independantes"))

    @property
    def prestations_sans_regle(self) -> list[dict[str, str]]:
        """Prestation types the regime's text names without any condition to encode (``regime.yaml``,
        ``prestations_sans_regle``: id, libelle, source, raison): listed by ``prevoyance check``, never decided."""
        return list(self.meta.get("prestations_sans_regle") or [])

    def is_regime_file(self, path: Path) -> bool:
        """Files of the regime itself (not kb/commun): their rules are recorded when they fire."""
        return path.parent == self.folder or path in dict(self.added)

    def sexes(self, data: dict[str, Any]) -> dict[str, str]:
        """Who is a woman (``F``) or a man (``M``), for the agreement of phrases and letters: the applicant
        under ``demandeur`` (``demandeur.sexe``), and the people the phrases name as their object, by name,
        from the list that ``regime.yaml`` declares (``accord: {liste: membres, nom: prenom, sexe: sexe}``)."""
        out: dict[str, str] = {}
        sexe = (data.get("demandeur") or {}).get("sexe")
        if sexe in ("F", "M"):
            out["demandeur"] = sexe
        accord = self.meta.get("accord") or {}
        if accord:
            for item in data.get(accord["liste"]) or []:
                if isinstance(item, dict) and item.get(accord["sexe"]) in ("F", "M") and accord["nom"] in item:
                    out.setdefault(str(item[accord["nom"]]), item[accord["sexe"]])
        return out

    @functools.cached_property
    def multilignes(self) -> frozenset[tuple[str, ...]]:
        """The text fields of the schema where a line break is data (engine/normalize.py).

        Kept (with :attr:`champs_pays`): each is read for every dossier and costs 0.07 ms to compute, where
        reading a dossier costs 1.9 ms (bench/caches.py, 2026-12-07, load average 5.8): 7 % of it for both."""
        return multiline_paths(self.schema)

    def _version_files(self) -> list[Path]:
        """Every file that can change a decision or its text."""
        files = [*self.program_files, *(p.path for p in self.parameters.values() if p.path.is_file())]
        files += [*sorted(self.folder.glob("explications/*.yaml")), self.folder / self.meta["schema"]]
        files.append(self.folder / "regime.yaml")  # its bounds decide which dossiers are refused
        return sorted(set(files))

    @property
    def date_version(self) -> dt.date:
        """The day the newest of those files was written: the base « du 26 novembre 2026 » a reader can name,
        where :attr:`version` is a hash only an analyst compares. Not kept: read once per impact report,
        0.7 ms (bench/caches.py)."""
        return dt.date.fromtimestamp(max(path.stat().st_mtime for path in self._version_files()))

    @functools.cached_property
    def champs_pays(self) -> frozenset[tuple[str, ...]]:
        """The text fields of the schema that name a country (``"x-pays": true``): read as the base names
        countries (``« mali »`` is ``Mali``, engine/normalize.py ``country_name``)."""
        return marked_paths(self.schema, "x-pays")

    @property
    def noms_pays(self) -> tuple[str, ...]:
        """The countries the base names, as its rules write them: the regime's own (``regime.yaml``, ``pays``)."""
        return (self.meta["pays"],) if self.meta.get("pays") else ()

    @functools.cached_property
    def version(self) -> str:
        """``<id>@<hash>``: the hash of every file that can change a decision or its text;
        an amended base appends ``+<amendment>@<hash>``.

        Kept: hashing the files costs 8.5 ms (bench/caches.py, 2026-12-07, load average 5.8), and a
        decision reads the version several times (its record, the warm solver's key, the disk cache's key);
        kept, it also stays the version of the program built in this process if a file changes under it."""
        digest = hashlib.sha256()
        for path in self._version_files():
            digest.update(str(path.relative_to(kb_root())).encode())
            digest.update(path.read_bytes())
        return f"{self.id}@{digest.hexdigest()[:12]}{self.amendment_tag or ''}"


def parse_value(raw: Any, where: str) -> int | Fraction | None:
    """Parameter values are integers, fractions ``"1/10"`` or percentages ``"11%"``, within
    :data:`engine.domaine.MAX_INTEGER_BOUND` (clingo's integers have 32 bits)."""
    value: int | Fraction | None = None
    if raw is None:
        return None
    if isinstance(raw, int) and not isinstance(raw, bool):
        value = raw
    elif isinstance(raw, str):
        text = raw.replace(" ", "")
        try:
            if text.endswith("%"):
                value = Fraction(text[:-1]) / 100
            elif "/" in text:
                value = Fraction(text)
        except (ValueError, ZeroDivisionError):
            value = None
    if value is None:
        raise RegimeError(f"{where}: valeur de paramètre illisible {raw!r} (entier, « a/b » ou « n% »)")
    terms = (value.numerator, value.denominator) if isinstance(value, Fraction) else (value,)
    if any(abs(t) > MAX_INTEGER_BOUND for t in terms):
        raise RegimeError(f"{where}: valeur de paramètre {raw!r} hors des bornes de la base "
                          f"(|valeur|, numérateur et dénominateur ≤ {MAX_INTEGER_BOUND})")
    return value


def _duplicate_dates(text: str) -> list[str]:
    """Effective dates written twice under ``values`` (YAML would silently keep the last)."""
    root = yaml.compose(text)
    if not isinstance(root, yaml.MappingNode):
        return []
    for key, value in root.value:
        if key.value == "values" and isinstance(value, yaml.MappingNode):
            seen = [k.value for k, _ in value.value]
            return sorted({d for d in seen if seen.count(d) > 1})
    return []


def load_parameter(path: Path) -> Parameter:
    """Read one OpenFisca-style parameter file (description, reference, values by date)."""
    text = path.read_text(encoding="utf-8")
    duplicates = _duplicate_dates(text)
    if duplicates:
        raise RegimeError(f"{path}: dates d'effet en double (chevauchement) : {', '.join(duplicates)}")
    data = _load_yaml(text)
    if not isinstance(data, dict) or not isinstance(data.get("values"), dict):
        raise RegimeError(f"{path}: un paramètre a description, reference et values")
    values = []
    for key, entry in sorted(data["values"].items(), key=lambda kv: str(kv[0])):
        where = f"{path.name}: values.{key}"
        debut = key if isinstance(key, dt.date) else iso_date(str(key))  # AAAA-MM-JJ, not a week date
        if debut is None:
            raise RegimeError(f"{where}: date d'effet invalide (attendu AAAA-MM-JJ)")
        if not isinstance(entry, dict) or "value" not in entry:
            raise RegimeError(f"{where}: chaque date porte un « value »")
        values.append(
            ParameterValue(
                debut=debut,
                value=parse_value(entry["value"], where),
                reference=str(entry.get("reference", data.get("reference", ""))),
                statut=entry.get("statut"),
                note=entry.get("note"),
                texte=entry["value"] if isinstance(entry["value"], str) else None,
            )
        )
    for key in ("description", "reference"):
        if not data.get(key):
            raise RegimeError(f"{path}: « {key} » manque")
    bornes = None
    if data.get("bornes") is not None:
        try:
            bornes = read_parameter_bounds(data["bornes"], f"{path.name}: bornes")
        except ValueError as exc:
            raise RegimeError(str(exc)) from exc
    return Parameter(
        nom=path.stem,
        description=data["description"],
        reference=data["reference"],
        unit=data.get("unit"),
        values=tuple(values),
        path=path,
        bornes=bornes,
    )


# The key of ``bornes.parametres`` that bounds a parameter without a unit (an amendment's new parameter).
SANS_UNITE = "sans unité"


def bounded(param: Parameter, unit_bounds: dict[str, BornesParametre], where: str) -> Parameter:
    """``param`` with its bounds (its own, else its unit's); RegimeError when it has none or a value lies
    outside them: an unbounded parameter could make a product of the rules overflow clingo's integers."""
    bornes = param.bornes or unit_bounds.get(param.unit or SANS_UNITE)
    if bornes is None:
        raise RegimeError(f"{where}: le paramètre « {param.nom} » n'a pas de bornes : son unité "
                          f"« {param.unit} » n'en a pas dans regime.yaml (bornes.parametres) ; "
                          "donner « bornes: {min: …, max: …} » dans son fichier")
    for value in param.values:
        problem = None if value.value is None else bornes.problem(value.value)
        if problem:
            raise RegimeError(f"{where}: paramètre « {param.nom} », valeur du {value.debut.isoformat()} : {problem}")
    return param if param.bornes is bornes else dataclasses.replace(param, bornes=bornes)


def parameter_files(folder: Path) -> list[Path]:
    """The parameter files of a regime's folder, ``parametres/<prestation>/*.yaml`` and
    ``parametres/commun/*.yaml``, ordered by parameter name (the file's stem, which names the
    parameter in the rules: two files with the same stem are an error of the base)."""
    files: dict[str, Path] = {}
    for path in sorted(folder.glob("parametres/**/*.yaml")):
        if path.stem in files:
            raise RegimeError(f"{path}: le paramètre « {path.stem} » est déjà défini par {files[path.stem]} "
                              f"(un nom de paramètre est unique dans un régime)")
        files[path.stem] = path
    return [files[name] for name in sorted(files)]


def _load_phrases(folder: Path) -> dict[str, Any]:
    catalogue: dict[str, Any] = {}
    for path in sorted(folder.glob("explications/*.yaml")):
        data = _load_yaml(path.read_text(encoding="utf-8")) or {}
        for section, entries in data.items():
            catalogue.setdefault(section, {}).update(entries or {})
    return catalogue


def _read_regime(folder: Path) -> Regime:
    meta = _load_yaml((folder / "regime.yaml").read_text(encoding="utf-8"))
    schema = json.loads((folder / meta["schema"]).read_text(encoding="utf-8"))
    try:
        check_schema_bounds(schema, str(folder / meta["schema"]))
        bornes = read_bornes(meta, str(folder / "regime.yaml"))
        unit_bounds = read_unit_bounds(meta, str(folder / "regime.yaml"))
    except (ValueError, KeyError, TypeError) as exc:
        raise RegimeError(str(exc)) from exc
    common = sorted((kb_root() / "commun").glob("*.lp"))
    parameters = {p.stem: bounded(load_parameter(p), unit_bounds, str(p)) for p in parameter_files(folder)}
    return Regime(
        id=meta["id"],
        folder=folder,
        meta=meta,
        schema=schema,
        program_files=common + sorted(folder.glob("*.lp")),
        parameters=parameters,
        phrases=_load_phrases(folder),
        bornes=bornes,
        bornes_parametres=unit_bounds,
    )


@functools.cache
def regimes() -> dict[str, Regime]:
    """Every regime of the knowledge base, by id, read once per process.

    Kept: reading them costs 177 ms (bench/caches.py, 2026-12-07, load average 5.8), and each regime must be
    one object: the built programs are kept per regime by identity (engine/speedups/cache.py)."""
    found = {}
    for path in sorted(kb_root().glob("**/regime.yaml")):
        regime = _read_regime(path.parent)
        found[regime.id] = regime
    return found


def default_regime_id() -> str:
    """The regime a dossier without ``base`` is evaluated under."""
    defaults = [r.id for r in regimes().values() if r.meta.get("defaut")]
    return defaults[0] if defaults else next(iter(regimes()))


def load_regime(regime_id: str | None = None) -> Regime:
    """The regime named ``regime_id`` (default regime when None)."""
    known = regimes()
    regime_id = regime_id or default_regime_id()
    if regime_id not in known:
        raise RegimeError(f"base inconnue : {regime_id!r} (connues : {', '.join(sorted(known))})")
    return known[regime_id]


# Amended regimes (usecases/amendement.py) by their version, so that a decision taken under one is put
# into words with the amended parameters (:func:`regime_de_decision`). Bounded: a long-lived process (the
# console, the API) may amend many times; the oldest are forgotten, and their decisions are then worded
# under the base on disk rather than kept alive forever.
_AMENDES: dict[str, Regime] = {}
_AMENDES_MAX = 64


def enregistrer_amende(regime: Regime) -> None:
    """Remember an amended regime by its version (``mali-inps@…+slug@…``)."""
    _AMENDES.pop(regime.version, None)
    _AMENDES[regime.version] = regime
    while len(_AMENDES) > _AMENDES_MAX:
        _AMENDES.pop(next(iter(_AMENDES)))


def regime_de_decision(base: str, version: str | None = None) -> Regime:
    """The regime a decision was taken under: the amended one its ``version_base`` names, else ``base``."""
    if version and "+" in version and version in _AMENDES:
        return _AMENDES[version]
    return load_regime(base)
