"""Stratégie Hypothesis : des scalaires hostiles, écrits tels qu'une personne (ou un outil) les écrit.

Chaque scalaire est un texte et son style : ``nu`` (écrit tel quel dans le YAML, un nombre brut en JSON
s'il en a la forme) ou ``entre_guillemets`` (un texte). Les familles :

- formes de YAML 1.1 qu'un lecteur 1.1 lit autrement qu'elles ne sont écrites : zéros en tête
  (``010`` lu 8), sexagésimaux (``23:36:40`` lu 85 000), ``0o``/``0x``/``0b``, ``1_000``, booléens
  ``yes``/``no``/``on``/``off`` ;
- nombres proches d'un entier : ``39999.99999999999999`` (40 000 en flottant), ``40000.0``, ``4e4``,
  ``.5``, ``1.``, les exposants ;
- entiers énormes : 16, 20, 100, 101 et 5 000 chiffres, ``1e400`` ;
- dates qui ne sont pas écrites AAAA-MM-JJ : semaine ISO ``2026-W11-7``, ``20261207``, date et heure ;
- textes sosies : « Mali » en pleine chasse, avec une lettre cyrillique ou grecque, suivi d'un
  caractère invisible (remplissage hangul U+3164, espace de largeur nulle, BOM, sélecteur de
  variante), en majuscules, avec des espaces ; chiffres arabes-indiens et pleine chasse ; noms en N'Ko
  et en écriture arabe (légitimes : ils doivent passer).

:func:`lu_tel_quel` dit, sans rien savoir du lecteur du projet, quelle valeur un scalaire a si on le lit
tel qu'il est écrit ; le test de propriété vérifie que chaque dossier qui porte un tel scalaire est lu
ainsi, ou refusé avec un message en français qui nomme le champ.
"""

from __future__ import annotations

import decimal
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st


@dataclass(frozen=True)
class Scalaire:
    """Un scalaire tel qu'il est écrit : son texte et son style (``nu`` ou ``entre_guillemets``)."""

    texte: str
    style: str = "nu"

    def yaml(self) -> str:
        """Le scalaire dans un document YAML (un texte entre guillemets doubles, échappé comme en JSON)."""
        if self.style == "nu":
            return self.texte
        return _guillemets(self.texte)

    def json(self) -> str:
        """Le scalaire dans un document JSON : un nombre brut s'il a la forme d'un nombre JSON, sinon un texte."""
        if self.style == "nu" and NOMBRE_JSON.fullmatch(self.texte):
            return self.texte
        return _guillemets(self.texte)


def _guillemets(texte: str) -> str:
    out = []
    for c in texte:
        if c in '"\\':
            out.append("\\" + c)
        elif ord(c) < 0x20 or unicodedata.category(c) in ("Cf", "Cs", "Zl", "Zp") or 0xD800 <= ord(c) <= 0xDFFF:
            out.append(f"\\u{ord(c):04x}")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


NOMBRE_JSON = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
# Un nombre écrit en chiffres décimaux, tel qu'une personne le lit (zéros en tête compris).
NOMBRE_DECIMAL = re.compile(r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
DATE_ECRITE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

FORMES_YAML_11 = ("010", "020", "007", "0o17", "0x1F", "0b101", "23:36:40", "1:30", "190:20:30", "1_000",
                  "85_000", "yes", "no", "on", "off", "y", "n", "Yes", "NO", "On", "OFF", "~", "null", "Null",
                  ".inf", "-.Inf", ".NaN", "+12", "-0", "0", "true", "False", "TRUE", "=", "<<")
DATES_MAL_ECRITES = ("2026-W11-7", "2026W117", "20261207", "2026-12-07T10:00:00", "2026-12-07 10:00:00",
                     "2026-12-7", "2026-1-07", "+2026-12-07", "2026-12-07Z", "2026-341", "2015-02-29", "2026-02-30")
SOSIES = ("Mali", "mali", "MALI", " Mali ", "Mali\u00a0", "\uff2d\uff41\uff4c\uff49", "M\u0430li", "\u039cali",
          "Mali\u3164", "Mali\u200b", "\ufeffMali", "Mali\ufe0f", "Mali\u034f", "Ma\u200dli", "Mal\u0131",
          "Mal\u00ed", "Mali\u2800", "M a l i", "France", "Sénégal", "Se\u0301ne\u0301gal",
          "\u07ca\u07ca\u07ec\u07d3\u07cf\u07f2", "عَائِشَة", "Mali\u202e", "١٠", "１０", "Ｍ")


@st.composite
def _presque_entiers(draw) -> str:
    entier = draw(st.sampled_from([0, 1, 9, 10, 28459, 34999, 39999, 40000, 85000, 99999999]) | st.integers(0, 10**8))
    suffixe = draw(st.sampled_from([".0", ".00", ".99999999999999999", ".00000000000000001", ".5", "e0", "E0",
                                    "0e-1", ".0e0", "e1", "e-1", "."]))
    return f"{entier}{suffixe}"


@st.composite
def _flottants(draw) -> str:
    return repr(draw(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12)))


def _enormes() -> st.SearchStrategy[str]:
    return st.sampled_from(["9" * 16, "1" + "0" * 19, "9" * 100, "9" * 101, "9" * 5000, "1e400", "1e99999999999",
                            "-" + "9" * 40, "0" * 200 + "7", "4e4", "1.5e3", "1e9", "2147483648"])


def scalaires_hostiles() -> st.SearchStrategy[Scalaire]:
    """Un scalaire hostile de l'une des familles du module."""
    nus = st.one_of(st.sampled_from(FORMES_YAML_11), _presque_entiers(), _flottants(), _enormes(),
                    st.sampled_from(DATES_MAL_ECRITES))
    return st.one_of(
        nus.map(Scalaire),
        st.sampled_from(SOSIES).map(lambda t: Scalaire(t, "entre_guillemets")),
        st.sampled_from(DATES_MAL_ECRITES + FORMES_YAML_11).map(lambda t: Scalaire(t, "entre_guillemets")),
    )


# -- ce qu'un scalaire vaut, lu tel qu'il est écrit ------------------------------------------------------
REFUS = object()  # aucune lecture « telle qu'écrite » n'a le type du champ : il faut refuser


def valeur_ecrite(scalaire: Scalaire, genre: str) -> Any:
    """La valeur que ``scalaire`` a dans un champ de ``genre`` (``entier``, ``booleen``, ``texte``, ``date``,
    ``pays``) lu tel qu'il est écrit, ou :data:`REFUS`. Les bornes du champ ne sont pas regardées ici."""
    texte = scalaire.texte
    if genre == "entier":
        if scalaire.style != "nu" or not NOMBRE_DECIMAL.fullmatch(texte):
            return REFUS
        valeur = decimal.Decimal(texte)
        if abs(valeur.adjusted()) > 200 or valeur != valeur.to_integral_value():
            return REFUS
        return int(valeur)
    if genre == "booleen":
        if scalaire.style == "nu" and texte.lower() in ("true", "false"):
            return texte.lower() == "true"
        return REFUS
    if scalaire.style == "nu" and (NOMBRE_DECIMAL.fullmatch(texte) or texte.lower() in ("true", "false", "~", "null")
                                   or texte.startswith(("0x", "0o")) or texte.lower() in (".inf", "-.inf", ".nan")):
        return REFUS  # un nombre, un booléen ou null écrit nu n'est pas un texte
    if genre == "date":
        return texte if DATE_ECRITE.fullmatch(texte) else REFUS
    return texte


def est_le_pays(texte: str, pays: str = "Mali") -> bool:
    """Si ``texte`` écrit le nom ``pays`` (casse, espaces et formes de compatibilité mis à part)."""
    def plie(t: str) -> str:
        return " ".join(unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", t).casefold()).split())
    return plie(texte) == plie(pays)
