"""Read an answer set back: its symbols become a typed :class:`engine.model.Decision` per dossier.

:class:`AnswerReader` reads each shown symbol once into its record
(:mod:`engine.atomes`) and groups the records by dossier; :meth:`AnswerReader.decision`
then builds one dossier's decision, and :class:`_TreeBuilder` the condition tree
of each prestation, with the rules that fired (explanation mode) and the dossier
fields an unknown condition waits on.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import clingo

from engine.dossier import Dossier
from engine.facts import to_python
from engine.model import (
    Condition,
    Datum,
    Decision,
    Disposition,
    Echeance,
    EnAttente,
    Etat,
    MembreEnAttente,
    Mensualite,
    ParametreApplique,
    Personne,
    Perte,
    Prestation,
    RegleAppliquee,
    Statut,
    VerseA,
)
from engine.paths import follow
from engine.program import Program
from engine.regime import kb_root
from engine.speedups.records import records


class AnswerReader:
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
        # A firing block's file, relative to the base: resolving the base's folder costs 85 µs, once per reader.
        self.root = kb_root()
        self.files: dict[str, str] = {}  # block id -> its file, relative to the base
        self.by_dossier: dict[int, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
        for name, atom in records(symbols):  # each symbol read once per process (engine/speedups/records.py)
            if atom is None:  # a show this reader has no use for (an amendment's): nothing to read
                continue
            if name == "source":  # AtomeSource: about the base, not a dossier
                self.sources[atom.noeud] = (atom.section, atom.article)
            elif name == "entite_liste":  # AtomeEntiteListe
                self.entity_lists[atom.entite] = atom.liste
            elif name == "justifie":  # AtomeJustifie
                self.proofs.setdefault(atom.condition, []).append(atom.piece)
            else:
                self.by_dossier[atom.dossier][name].append(atom)

    # -- helpers -------------------------------------------------------------
    def source(self, node: clingo.Symbol) -> tuple[str, str]:
        """The (section, article) of a condition node: its own, else its name's."""
        if str(node) in self.sources:
            return self.sources[str(node)]
        return self.sources.get(node.name, ("", ""))

    def datum(self, atom: clingo.Symbol) -> Datum | None:
        """A dossier fact a rule used, as its path and value (None: not a dossier fact)."""
        field_ = self.program.inputs.fields.get(atom.name)
        if field_ is None:
            return None
        args = atom.arguments[1:]
        n_indices = field_.path.count("[]")
        indices = tuple(a.number for a in args[:n_indices])
        value = to_python(args[-1]) if len(args) > n_indices else True
        return Datum(field_.display(indices), value, field_.path[-1])

    def decision(self, index: int, dossier: Dossier) -> Decision:
        """The decision on the dossier numbered ``index`` in the batch."""
        rows = self.by_dossier.get(index, {})
        labels = {str(a.entite): a.libelle for a in rows.get("libelle", [])}
        tree = _TreeBuilder(self, rows, labels, dossier.data)
        prestations = {}
        for atom in rows.get("decision", []):
            prestations[atom.prestation] = self._prestation(atom.prestation, atom.statut, tree, rows, labels)
        return Decision(
            dossier=dossier.id,
            date_reference=dossier.date_reference,
            base=self.regime.id,
            version_base=self.regime.version,
            prestations=dict(sorted(prestations.items())),
            incoherences=sorted(str(a.condition) for a in rows.get("incoherence", [])),
            pieces_fournies=list(dossier.data["pieces"]) if "pieces" in dossier.data else None,
            sexes=self.regime.sexes(dossier.data),
        )

    def _prestation(self, pid: str, statut: Statut, tree: _TreeBuilder, rows, labels) -> Prestation:
        def mine(name: str) -> list[Any]:
            return [a for a in rows.get(name, []) if a.prestation == pid]

        result = Prestation(id=pid, statut=statut, droit=tree.node(clingo.Function("droit", [clingo.Function(pid)])))
        result.montants = {a.nature: a.valeur for a in mine("montant")}
        # In the dossier's order (entities compare by their index), as the dossier lists them.
        result.enfants_ouvrant_droit = [labels.get(str(e), str(e))
                                        for e in sorted(a.entite for a in mine("ouvre_droit"))]
        result.liste_ouvrant_droit = bool(mine("liste_ouvrant_droit"))
        result.echeancier = sorted((Echeance(a.date, a.evenement, a.montant) for a in mine("echeance")),
                                   key=lambda e: e.date)
        result.pertes = [Perte(to_python(ev), m) for ev, m in sorted((a.evenement, a.montant) for a in mine("perte"))]
        result.mensualites = sorted((Mensualite(a.mois, a.enfants, a.montant) for a in mine("mensualite")),
                                    key=lambda m: m.mois)
        result.informations = {a.cle: a.valeur for a in mine("information")}
        elements: dict[str, list[Any]] = defaultdict(list)
        for k, v in sorted((a.cle, a.valeur) for a in mine("element")):  # entities in the dossier's order
            elements[k.name].append(labels.get(str(v), to_python(v)))
        result.elements = dict(elements)

        def in_table_order(name: str) -> list[str]:
            pieces = {a.piece for a in mine(name)}
            return sorted(pieces, key=lambda p: (self.piece_order.get(p, len(self.piece_order)), p))
        result.pieces_manquantes = in_table_order("piece_manquante")
        result.pieces_requises = in_table_order("piece_requise")
        dates = [a.date for a in mine("date_demande")]
        result.date_demande = min(dates) if dates else None
        result.en_attente = self._en_attente(mine, labels)
        result.membres_en_attente = self._membres_en_attente(mine("membre_en_attente"), tree, labels)
        result.listes_attente = sorted({a.liste for a in mine("liste_attente")})
        self._paiement(result, mine, labels)
        return result

    def _item_path(self, entite: clingo.Symbol, indices: tuple[int, ...]) -> str | None:
        """The dossier path of an item of a dossier list (``enfants[2]``), None for another entity."""
        liste = self.entity_lists.get(entite.name)
        return f"{liste}[{indices[0]}]" if liste and len(indices) == 1 else None

    def _en_attente(self, mine, labels) -> list[EnAttente]:
        """The children and instalments waiting on a fact (en_attente/4 and its attente_* atoms), in the
        dossier's order; each missing fact as its dossier path, documents in the order of the guide's table."""
        fields = self.program.inputs.fields
        field_order = {name: i for i, name in enumerate(fields)}
        out = []
        for atom in sorted(mine("en_attente"), key=lambda a: a.entite):
            key = str(atom.entite)
            indices = tuple(a.number for a in atom.entite.arguments if a.type == clingo.SymbolType.Number)
            champs = sorted((a.champ for a in mine("attente_manque") if str(a.entite) == key),
                            key=lambda c: field_order.get(c, len(field_order)))
            pieces = {a.piece for a in mine("attente_piece") if str(a.entite) == key}
            # An instalment is named by its own word (six_mois); a list item (a child) by its label.
            own_word = next((a.name for a in atom.entite.arguments if a.type == clingo.SymbolType.Function), None)
            out.append(EnAttente(
                liste=atom.liste,
                entite=key,
                nom=own_word or labels.get(key) or key,
                libelle=labels.get(key),
                chemin=self._item_path(atom.entite, indices),
                informations_manquantes=[fields[c].display(indices[:fields[c].path.count("[]")]) for c in champs],
                pieces=sorted(pieces, key=lambda p: (self.piece_order.get(p, len(self.piece_order)), p)),
                valeurs={a.cle: a.valeur for a in mine("attente_valeur") if str(a.entite) == key},
            ))
        # Instalments in the order they fall due; children (no date) stay in the dossier's order.
        return sorted(out, key=lambda a: (a.valeurs.get("date") or dt.date.min))

    def _membres_en_attente(self, atoms: list[Any], tree: _TreeBuilder, labels) -> dict[str, list[MembreEnAttente]]:
        """The entities a prestation leaves pending (membre_en_attente/5), in the dossier's order: each with the dossier
        fields its unknown node waits on and the documents that establish them."""
        out: dict[str, list[MembreEnAttente]] = defaultdict(list)
        for atom in sorted(atoms, key=lambda a: (a.sortie, a.entite)):
            leaves = [c for c in tree.node(atom.noeud).walk()
                      if c.etat == Etat.inconnu and not c.sous_conditions and not c.exceptions]
            champs = list(dict.fromkeys(f for c in leaves for f in c.champs_lus))
            pieces = list(dict.fromkeys(p for c in leaves if c.champs_lus for p in c.justificatifs))
            nom = labels.get(str(atom.entite), str(atom.entite))
            out[atom.sortie].append(MembreEnAttente(nom, champs, pieces, leaves))
        return dict(out)

    def _paiement(self, result: Prestation, mine, labels) -> None:
        """To whom and how the prestation is paid: suspended instalments, instalments paid to a third person,
        children whose allowance goes to someone else, and the guide's provisions that say so."""
        suspended = {(a.date, str(a.evenement)) for a in mine("echeance_suspendue")}
        third = {(a.date, str(a.evenement)): _personne(a.personne) for a in mine("echeance_versee_a")}
        for e in result.echeancier:
            key = (e.date, str(e.evenement))
            e.suspendue = key in suspended
            e.verse_a = third.get(key)
        result.verse_a = [VerseA(labels.get(str(a.entite), str(a.entite)), _personne(a.personne), a.qualite,
                                 a.depuis if not isinstance(a.depuis, str) else None)
                          for a in sorted(mine("verse_a"), key=lambda a: a.entite)]
        for a in sorted(mine("disposition"), key=lambda a: a.disposition):
            node = a.disposition
            section, article = self.source(node)
            entity = labels.get(str(node.arguments[0])) if node.arguments else None
            result.dispositions.append(Disposition(
                node.name, {v.name: to_python(v.arguments[0]) for v in a.valeurs}, entity, section, article))


def _personne(arguments) -> Personne:
    """``personne(Nom, Prenoms)`` as a :class:`Personne`."""
    nom, prenoms = (to_python(x) for x in arguments)
    return Personne(nom, prenoms)


def _absent(data: Any, path: tuple[str, ...], indices: tuple[int, ...]) -> bool:
    """Whether the dossier lacks the field at ``path`` (a parent of another shape is not a lack)."""
    it = iter(indices)
    parts = [next(it) if part == "[]" else part for part in path]
    position, node = follow(data, parts)
    # A key its mapping lacks; not a missing item, nor a field under a scalar (the value the rules read).
    return position < len(parts) and isinstance(parts[position], str) and isinstance(node, dict)


class _TreeBuilder:
    """Builds the condition tree of one dossier from its ``etat``/``sous_condition`` records."""

    def __init__(self, reader: AnswerReader, rows, labels: dict[str, Any], data: dict[str, Any]):
        self.reader = reader
        self.labels = labels
        self.data = data
        self.etat = {str(a.condition): a.etat for a in rows.get("etat", [])}
        self.mode = {str(a.condition): a.mode for a in rows.get("mode", [])}
        self.children: dict[str, list[clingo.Symbol]] = defaultdict(list)
        for a in rows.get("sous_condition", []):
            self.children[str(a.condition)].append(a.sous_condition)
        self.exceptions: dict[str, list[clingo.Symbol]] = defaultdict(list)
        for a in rows.get("exception", []):
            self.exceptions[str(a.condition)].append(a.exception)
        self.by_exception = {str(a.condition): a.exception for a in rows.get("par_exception", [])}
        self.firings: dict[str, list[Any]] = defaultdict(list)
        for a in rows.get("applique", []):
            self.firings[str(a.condition)].append(a)
        self.values: dict[str, dict[str, Any]] = defaultdict(dict)
        for a in rows.get("valeur", []):
            self.values[str(a.condition)][a.nom] = a.valeur
        self.params: dict[str, list[ParametreApplique]] = defaultdict(list)
        for a in rows.get("parametre_utilise", []):
            param = reader.regime.parameters[a.nom]
            entry = next(v for v in param.values if v.debut == a.depuis)
            self.params[str(a.condition)].append(
                ParametreApplique(a.nom, a.valeur, a.depuis, param.description, entry.reference, entry.texte)
            )

    def node(self, symbol: clingo.Symbol) -> Condition:
        key = str(symbol)
        section, article = self.reader.source(symbol)
        # A condition on an entity the base names (libelle/3: a child) shows
        # it; delai_demande(P) and the like are per-prestation nodes, not entities.
        entity = self.labels.get(str(symbol.arguments[0])) if symbol.arguments else None
        condition = Condition(
            id=symbol.name,
            noeud=key,
            etat=self.etat.get(key, Etat.inconnu),
            objet=entity,
            source=section,
            article=article,
            mode=self.mode.get(key),
            par_exception=self.by_exception.get(key),
            valeurs=dict(self.values.get(key, {})),
            parametres=sorted(self.params.get(key, []), key=lambda p: p.nom),
        )
        condition.regles = self._rules(key, condition.etat)
        if condition.etat in (Etat.inconnu, Etat.non_invoquee) and condition.mode is None:
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
        # A per-prestation node (delai_demande(conge_naissance)) reads only its own rules' fields.
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

    def _rules(self, key: str, etat: Etat) -> list[RegleAppliquee]:
        rules = []
        blocks, files = self.reader.program.blocks, self.reader.files
        for firing in self.firings.get(key, []):
            if firing.etat != etat:
                continue
            block = blocks[firing.bloc]
            fichier = files.get(block.id)
            if fichier is None:
                fichier = files[block.id] = str(block.file.relative_to(self.reader.root))
            donnees, valeurs = [], []
            # Dossier facts and parameters in force are what a reader needs; other
            # body atoms are intermediate steps, whose useful values the base
            # names itself with valeur/4.
            for atom in firing.atomes:
                datum = self.reader.datum(atom)
                if datum is not None:
                    donnees.append(datum)
                elif atom.name == "en_vigueur":  # en_vigueur(D, Parametre, Valeur)
                    valeurs.append((atom.arguments[1].name, to_python(atom.arguments[2])))
            rules.append(
                RegleAppliquee(
                    id=block.id,
                    etat=firing.etat,
                    texte=block.sentence,
                    fichier=fichier,
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
