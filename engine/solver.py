"""Run a regime's knowledge base with clingo and read the decisions back.

:func:`evaluate_many` grounds a whole batch of dossiers at once (every
predicate of the knowledge base carries the dossier as first argument);
:func:`evaluate` is the same path for one dossier. The program is stratified,
so grounding alone decides it and the answer set is unique.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

import clingo

from engine.dossier import Dossier
from engine.facts import Term, to_python
from engine.model import (
    Condition,
    Datum,
    Decision,
    Echeance,
    Mensualite,
    ParametreApplique,
    Perte,
    Prestation,
    RegleAppliquee,
)
from engine.program import Program, build_program
from engine.regime import Regime, kb_root


class EvaluationError(Exception):
    """The knowledge base did not give exactly one answer set, or clingo refused it (a defect of the base
    or of an amendment, never of a dossier)."""


def evaluate(dossier: Dossier, explain: bool = True) -> Decision:
    """The decision on one dossier; by the warm path in a process that enabled it (:mod:`engine.warm`)."""
    from engine import warm  # warm imports this module

    if warm.enabled():
        return warm.evaluate(dossier, explain=explain)
    return evaluate_many([dossier], explain=explain)[0]


def evaluate_many(dossiers: Sequence[Dossier], explain: bool = True) -> list[Decision]:
    """Decisions for many dossiers; one grounding per regime present in the batch."""
    by_regime: dict[int, list[int]] = defaultdict(list)  # by regime object: an amended base shares its id
    for position, dossier in enumerate(dossiers):
        by_regime[id(dossier.regime)].append(position)
    results: list[Decision | None] = [None] * len(dossiers)
    for positions in by_regime.values():
        batch = [dossiers[p] for p in positions]
        for position, decision in zip(positions, _evaluate_batch(batch, explain), strict=True):
            results[position] = decision
    return [r for r in results if r is not None]


def solve_symbols(regime: Regime, dossiers: Sequence[Dossier], explain: bool) -> list[clingo.Symbol]:
    """Ground and solve a batch; the shown symbols of its unique answer set."""
    return solve_program(build_program(regime, explain), dossiers)


def demanded(dossiers: Sequence[Dossier]) -> frozenset[str] | None:
    """The benefits a batch demands, if each of its dossiers names some (None: the whole program is needed)."""
    wanted: set[str] = set()
    for dossier in dossiers:
        names = dossier.prestations_demandees
        if names is None:
            return None
        wanted |= names
    return frozenset(wanted)


def solve_program(program: Program, dossiers: Sequence[Dossier], sliced: bool = True,
                  prestations: frozenset[str] | None = None) -> list[clingo.Symbol]:
    """The shown symbols of the unique answer set of ``program`` given the dossiers' facts.

    ``sliced``: ground only the files of the benefits the batch demands (:meth:`Program.text_for`),
    when the regime declares its benefits independent; ``prestations``, only those of these benefits
    (the others are then not examined at all).
    """
    regime = program.regime
    messages: list[str] = []
    # Two models asked: a base that claims a unique answer set is caught when it has a second one.
    control = clingo.Control(["--warn=none", "--models=2"], logger=lambda _code, text: messages.append(text))
    wanted = prestations if prestations is not None else demanded(dossiers)
    try:
        program.load_into(control, wanted if sliced and regime.prestations_independantes else None)
        control.add("base", [], "".join(program.inputs.facts_text(i, d.data) for i, d in enumerate(dossiers)))
        control.ground([("base", [])])
        models: list[list[clingo.Symbol]] = []
        control.solve(on_model=lambda m: models.append(m.symbols(shown=True)))
    except RuntimeError as exc:  # clingo refused the program: its messages say where
        detail = " ; ".join(m.strip() for m in messages) or str(exc)
        raise EvaluationError(f"la base {regime.version} est refusée par clingo : {detail}") from exc
    if len(models) != 1:
        what = "aucun modèle (programme insatisfiable)" if not models else "plusieurs modèles au lieu d'un"
        raise EvaluationError(f"{what} : la base {regime.version} est défectueuse")
    return models[0]


def _evaluate_batch(dossiers: Sequence[Dossier], explain: bool) -> list[Decision]:
    regime = dossiers[0].regime
    program = build_program(regime, explain)
    symbols = solve_symbols(regime, dossiers, explain)
    reader = _AnswerReader(program, symbols)
    return [reader.decision(index, dossier) for index, dossier in enumerate(dossiers)]


class _AnswerReader:
    """Turns the symbols of one answer set into :class:`Decision` objects."""

    def __init__(self, program: Program, symbols: Iterable[clingo.Symbol]):
        self.program = program
        self.regime = program.regime
        self.sources: dict[str, tuple[str, str]] = {}
        self.proofs: dict[str, list[str]] = {}  # condition name -> documents proving it
        self.entity_lists: dict[str, str] = {}  # entity name -> the dossier list it is an item of
        self.order = {name: i for i, name in enumerate(self.regime.phrases.get("conditions", {}))}
        # Documents in the order of the guide's table, as the catalogue lists them.
        self.piece_order = {name: i for i, name in enumerate(self.regime.phrases.get("pieces", {}))}
        self.by_dossier: dict[int, dict[str, list[tuple[Any, ...]]]] = defaultdict(lambda: defaultdict(list))
        for symbol in symbols:
            name, args = symbol.name, symbol.arguments  # each property is a call into clingo: read once
            if name == "source":
                self.sources[str(args[0])] = (args[1].string, args[2].string)
            elif name == "entite_liste":
                self.entity_lists[args[0].name] = args[1].name
            elif name == "justifie":
                self.proofs.setdefault(args[1].name, []).append(args[0].name)
            else:
                self.by_dossier[args[0].number][name].append(tuple(args[1:]))

    # -- helpers -------------------------------------------------------------
    def _source(self, node: clingo.Symbol) -> tuple[str, str]:
        if str(node) in self.sources:
            return self.sources[str(node)]
        return self.sources.get(node.name, ("", ""))

    def _datum(self, atom: clingo.Symbol) -> Datum | None:
        field_ = self.program.inputs.fields.get(atom.name)
        if field_ is None:
            return None
        args = atom.arguments[1:]
        n_indices = field_.path.count("[]")
        indices = tuple(a.number for a in args[:n_indices])
        value = to_python(args[-1]) if len(args) > n_indices else True
        return Datum(field_.display(indices), value, field_.path[-1])

    def decision(self, index: int, dossier: Dossier) -> Decision:
        rows = self.by_dossier.get(index, {})
        labels = {str(e): to_python(t) for e, t in rows.get("libelle", [])}
        tree = _TreeBuilder(self, rows, labels, dossier.data)
        prestations = {}
        for benefit, statut in rows.get("decision", []):
            pid = benefit.name
            prestations[pid] = self._prestation(pid, statut.name, tree, rows, labels)
        return Decision(
            dossier=dossier.id,
            date_reference=dossier.date_reference,
            base=self.regime.id,
            version_base=self.regime.version,
            prestations=dict(sorted(prestations.items())),
            incoherences=sorted(str(c) for (c,) in rows.get("incoherence", [])),
            pieces_fournies=list(dossier.data["pieces"]) if "pieces" in dossier.data else None,
            sexes=self.regime.sexes(dossier.data),
        )

    def _prestation(self, pid: str, statut: str, tree: _TreeBuilder, rows, labels) -> Prestation:
        def mine(name: str):
            return [r[1:] for r in rows.get(name, []) if r[0].name == pid]

        result = Prestation(id=pid, statut=statut, droit=tree.node(clingo.Function("droit", [clingo.Function(pid)])))
        result.montants = {kind.name: to_python(v) for kind, v in mine("montant")}
        # In the dossier's order (entities compare by their index), as the dossier lists them.
        result.enfants_ouvrant_droit = [labels.get(str(e), str(e)) for (e,) in sorted(mine("ouvre_droit"))]
        result.liste_ouvrant_droit = any(p.name == pid for (p,) in rows.get("liste_ouvrant_droit", []))
        result.echeancier = sorted(
            (Echeance(to_python(t), to_python(ev), to_python(m)) for t, ev, m in mine("echeance")),
            key=lambda e: e.date,
        )
        result.pertes = [Perte(to_python(ev), to_python(m)) for ev, m in sorted(mine("perte"))]
        result.mensualites = sorted(
            (Mensualite(to_python(f), to_python(n), to_python(m)) for f, n, m in mine("mensualite")),
            key=lambda m: m.mois,
        )
        result.informations = {k.name: to_python(v) for k, v in mine("information")}
        elements: dict[str, list[Any]] = defaultdict(list)
        for k, v in sorted(mine("element")):  # entities in the dossier's order
            elements[k.name].append(labels.get(str(v), to_python(v)))
        result.elements = dict(elements)
        def in_table_order(name: str) -> list[str]:
            pieces = {to_python(p) for (p,) in mine(name)}
            return sorted(pieces, key=lambda p: (self.piece_order.get(p, len(self.piece_order)), p))
        result.pieces_manquantes = in_table_order("piece_manquante")
        result.pieces_requises = in_table_order("piece_requise")
        dates = [to_python(t) for (t,) in mine("date_demande")]
        result.date_demande = min(dates) if dates else None
        return result


def _absent(data: Any, path: tuple[str, ...], indices: tuple[int, ...]) -> bool:
    """Whether the dossier lacks the field at ``path`` (a parent of another shape is not a lack)."""
    node, it = data, iter(indices)
    for part in path:
        if part == "[]":
            index = next(it)
            if not isinstance(node, list) or index >= len(node):
                return False
            node = node[index]
        elif isinstance(node, dict):
            if part not in node:
                return True
            node = node[part]
        else:
            return False
    return False


class _TreeBuilder:
    """Builds the condition tree of one dossier from its ``etat``/``sous_condition`` symbols."""

    def __init__(self, reader: _AnswerReader, rows, labels: dict[str, Any], data: dict[str, Any]):
        self.reader = reader
        self.labels = labels
        self.data = data
        self.etat = {str(c): e.name for c, e in rows.get("etat", [])}
        self.mode = {str(c): m.name for c, m in rows.get("mode", [])}
        self.children: dict[str, list[clingo.Symbol]] = defaultdict(list)
        for parent, child in rows.get("sous_condition", []):
            self.children[str(parent)].append(child)
        self.exceptions: dict[str, list[clingo.Symbol]] = defaultdict(list)
        for cond, exc in rows.get("exception", []):
            self.exceptions[str(cond)].append(exc)
        self.by_exception = {str(c): x.name for c, x in rows.get("par_exception", [])}
        self.firings: dict[str, list[tuple[clingo.Symbol, ...]]] = defaultdict(list)
        for cond, state, block, used in rows.get("applique", []):
            self.firings[str(cond)].append((state, block, used))
        self.values: dict[str, dict[str, Any]] = defaultdict(dict)
        for cond, name, value in rows.get("valeur", []):
            self.values[str(cond)][name.name] = to_python(value)
        self.params: dict[str, list[ParametreApplique]] = defaultdict(list)
        for cond, name, since, value in rows.get("parametre_utilise", []):
            param = reader.regime.parameters[name.name]
            debut = to_python(since)
            entry = next(v for v in param.values if v.debut == debut)
            self.params[str(cond)].append(
                ParametreApplique(name.name, to_python(value), debut, param.description, entry.reference, entry.texte)
            )

    def node(self, symbol: clingo.Symbol) -> Condition:
        key = str(symbol)
        section, article = self.reader._source(symbol)
        # A condition on an entity the base names (libelle/3: a child) shows
        # it; delai_demande(P) and the like are per-benefit nodes, not entities.
        entity = self.labels.get(str(symbol.arguments[0])) if symbol.arguments else None
        condition = Condition(
            id=symbol.name,
            noeud=key,
            etat=self.etat.get(key, "inconnu"),
            objet=entity,
            source=section,
            article=article,
            mode=self.mode.get(key),
            par_exception=self.by_exception.get(key),
            valeurs=dict(self.values.get(key, {})),
            parametres=sorted(self.params.get(key, []), key=lambda p: p.nom),
        )
        condition.regles = self._rules(key, condition.etat)
        if condition.etat in ("inconnu", "non_invoquee") and condition.mode is None:
            condition.champs_lus = self._missing_fields(symbol)
            condition.justificatifs = sorted(self.reader.proofs.get(symbol.name, []))
        for regle in condition.regles:
            condition.donnees += [d for d in regle.donnees if d not in condition.donnees]
        condition.sous_conditions = [self.node(c) for c in self._ordered(self.children.get(key, []))]
        condition.exceptions = [self.node(x) for x in self._ordered(self.exceptions.get(key, []))]
        return condition

    def _missing_fields(self, symbol: clingo.Symbol) -> list[str]:
        """Dossier fields read by the rules of an unknown condition and absent from the dossier."""
        entities = [a for a in symbol.arguments if a.type == clingo.SymbolType.Function and a.arguments
                    and a.arguments[0].type == clingo.SymbolType.Number]
        entity_indices = tuple(a.arguments[0].number for a in entities)
        # A condition on an entity reads the fields of that entity's list (entite_liste/2).
        lists = [self.reader.entity_lists.get(a.name) for a in entities]
        missing = []
        # A per-benefit node (delai_demande(conge_naissance)) reads only its own rules' fields.
        key = str(symbol) if str(symbol) in self.reader.program.reads else symbol.name
        for predicate in sorted(self.reader.program.fields_read(key)):
            field_ = self.reader.program.inputs.fields[predicate]
            if field_.path[-1] == "[]" or field_.path.count("[]") != len(entity_indices):
                continue
            if entity_indices and (None in lists or field_.path[0] != lists[0]):
                continue
            if _absent(self.data, field_.path, entity_indices):
                missing.append(field_.display(entity_indices))
        return missing

    def _ordered(self, nodes: list[clingo.Symbol]) -> list[clingo.Symbol]:
        """Conditions in the order of the regime's phrase catalogue (the guide's order)."""
        order = self.reader.order
        return sorted(nodes, key=lambda n: (order.get(str(n), order.get(n.name, len(order))), n))

    def _rules(self, key: str, etat: str) -> list[RegleAppliquee]:
        rules = []
        blocks = self.reader.program.blocks
        for state, block_id, used in self.firings.get(key, []):
            if state.name != etat:
                continue
            block = blocks[block_id.name]
            donnees, valeurs = [], []
            # Dossier facts and parameters in force are what a reader needs; other
            # body atoms are intermediate steps, whose useful values the base
            # names itself with valeur/4.
            for atom in used.arguments:
                datum = self.reader._datum(atom)
                if datum is not None:
                    donnees.append(datum)
                elif atom.name == "en_vigueur":
                    valeurs.append((atom.arguments[1].name, to_python(atom.arguments[2])))
            rules.append(
                RegleAppliquee(
                    id=block.id,
                    etat=state.name,
                    texte=block.sentence,
                    fichier=str(block.file.relative_to(kb_root())),
                    ligne=block.line,
                    donnees=tuple(donnees),
                    valeurs=tuple(valeurs),
                )
            )
        # Several clauses of one block may fire (18 days and 120 hours): one rule, all its facts.
        merged: dict[str, RegleAppliquee] = {}
        for rule in rules:
            if rule.id in merged:
                first = merged[rule.id]
                rule = RegleAppliquee(
                    first.id, first.etat, first.texte, first.fichier, first.ligne,
                    first.donnees + tuple(d for d in rule.donnees if d not in first.donnees),
                    first.valeurs + tuple(v for v in rule.valeurs if v not in first.valeurs),
                )
            merged[rule.id] = rule
        return list(merged.values())


__all__ = ["EvaluationError", "Term", "evaluate", "evaluate_many", "solve_symbols"]
