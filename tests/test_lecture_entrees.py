"""Reading input, round two (issue 23, points 3, 4, 5, 12 and 15): what a person wrote is what the base reads.

YAML is read by the 1.2 core schema (``010`` is 10, ``23:36:40`` and ``yes`` are text); a number is
never rounded (``39999.99999999999999`` is refused, not read as 40 000); a country is compared after
Unicode normalisation and case folding; invisible characters are refused; dates are AAAA-MM-JJ; only
regular files are read, at most 1 MiB + 1 byte; every refusal is in French and names the field or the
file. Hypothesis puts hostile scalars (:mod:`scalaires_hostiles`) in every kind of field and checks
that each dossier is read as written or refused with its field named, never a traceback.
"""

from __future__ import annotations

import copy
import json
import os
import signal
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scalaires_hostiles import REFUS, Scalaire, est_le_pays, scalaires_hostiles, valeur_ecrite

from engine.dossier import DossierError
from engine.parsing import parse_json, parse_text, read_input
from engine.program import Mode
from engine.solver import evaluate
from engine.validation import load_dossier, validate

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
DIARRA = (EXAMPLES / "famille-diarra.yaml").read_text(encoding="utf-8")
# Words of the English messages the parsers and the validators used to pass through.
ANGLAIS = ("Expecting", "could not", "found ", "Exceeds", "expected", "Invalid", "nesting depth", "is too long",
           "Traceback", "constructor", "not allowed", "Unexpected", "Datetimes", "Too many")


def _sans_anglais(message: str) -> None:
    assert not any(word in message for word in ANGLAIS), message


def _refus(text: str, fragment: str, json_text: bool = False) -> str:
    with pytest.raises(DossierError) as caught:
        data = parse_json(text, "d.json") if json_text else parse_text(text, "d.yaml")
        validate(data, "d.yaml")
    message = str(caught.value)
    assert fragment in message, message
    _sans_anglais(message)
    return message


def _af(data: dict) -> str:
    return evaluate(validate(data), Mode.DECISION).prestations["allocations_familiales"].statut.value


# -- point 3: numbers in YAML are read as written --------------------------------------------------------
def test_leading_zeros_are_decimal_not_octal():
    """YAML 1.1 read 010 as 8 (the allowances refused; 10 months grant them) and 020 as 16."""
    text = DIARRA.replace("mois_consecutifs: 11", "mois_consecutifs: 010").replace("jours_mois: 22", "jours_mois: 020")
    data = validate(parse_text(text, "zeros.yaml")).data
    assert data["demandeur"]["mois_consecutifs"] == 10
    assert data["demandeur"]["jours_mois"] == 20
    ten = validate(parse_text(DIARRA.replace("mois_consecutifs: 11", "mois_consecutifs: 10"), "dix.yaml")).data
    assert _af(data) == _af(ten)


def test_sexagesimal_is_text_and_refused_where_a_number_is_expected():
    """YAML 1.1 read 23:36:40 as 85 000 (a salary); it is text, refused with the field named."""
    _refus(DIARRA.replace("salaire_mensuel: 85000", "salaire_mensuel: 23:36:40"), "« demandeur.salaire_mensuel »")
    assert parse_text("prenom: 1:30", "t.yaml") == {"prenom": "1:30"}


@pytest.mark.parametrize("written", ["0x14C08", "0o246010", ".inf", "-.Inf", ".nan", "85000.5", "1e400"])
def test_numbers_not_written_in_decimal_digits_are_refused_with_the_field(written):
    _refus(DIARRA.replace("salaire_mensuel: 85000", f"salaire_mensuel: {written}"), "« demandeur.salaire_mensuel »")


def test_yaml_11_booleans_are_text():
    """``yes``/``no``/``on``/``off`` are text (YAML 1.2): refused in a boolean field with the hint, kept in a text."""
    message = _refus(DIARRA.replace("veuve_allocataire: false", "veuve_allocataire: no"),
                     "« demandeur.veuve_allocataire »")
    assert "true ou false" in message
    assert parse_text("prenom: Yes\npays: NO\n", "t.yaml") == {"prenom": "Yes", "pays": "NO"}


def test_exact_integers_in_another_notation_are_the_integer():
    """4e4, 40000.0 and +040000 are exactly 40 000: read so, in YAML and in JSON."""
    for written in ("4e4", "40000.0", "+040000", "4.0E4"):
        text = DIARRA.replace("salaire_mensuel: 85000", f"salaire_mensuel: {written}")
        assert validate(parse_text(text, "e.yaml")).data["demandeur"]["salaire_mensuel"] == 40000
    assert parse_json('{"a": 4e4, "b": 40000.0}', "e.json") == {"a": 40000, "b": 40000}


def test_yaml_tags_are_refused_with_the_field_and_the_line():
    message = _refus(DIARRA.replace("salaire_mensuel: 85000", "salaire_mensuel: !!float 85000"),
                     "« demandeur.salaire_mensuel »")
    assert "étiquette YAML « !!float »" in message and "ligne 18" in message
    _refus("id: x\nenfants:\n  - prenom: !!python/object:os.system ls\n", "« enfants[0].prenom »")


# -- point 4: a number that is not an integer is refused, whatever float it rounds to -------------------
def test_a_fraction_that_rounds_to_an_integer_is_refused_in_json_and_yaml():
    """39999.99999999999999 was read as the float 40000.0, which crosses the SMIG: the allowances granted."""
    data = json.loads(json.dumps(validate(parse_text(DIARRA, "d.yaml")).data))
    text = json.dumps(data).replace('"salaire_mensuel": 85000', '"salaire_mensuel": 39999.99999999999999')
    assert "39999.99999999999999" in text
    message = _refus(text, "« demandeur.salaire_mensuel »", json_text=True)
    assert "39999.99999999999999" in message and "entier" in message
    _refus(DIARRA.replace("salaire_mensuel: 85000", "salaire_mensuel: 39999.99999999999999"),
           "« demandeur.salaire_mensuel »")


# -- point 5: strings ------------------------------------------------------------------------------------
@pytest.mark.parametrize("written", ["Mali ", "mali", "MALI", " Mali\u00a0", "\uff2d\uff41\uff4c\uff49",
                                     "MaLi"])
def test_the_country_is_read_after_normalisation_and_case_folding(written):
    """« Mali  », « mali » were « hors du Mali » and refused the residence."""
    clean = validate(parse_text(DIARRA, "d.yaml")).data
    twin = copy.deepcopy(clean)
    twin["demandeur"]["residence"] = written
    twin["enfants"][0]["residence"] = {"pays": written}
    read = validate(twin).data
    assert read["demandeur"]["residence"] == "Mali" and read["enfants"][0]["residence"]["pays"] == "Mali"
    assert _af(twin) == _af(clean) == "accorde"


def test_another_country_keeps_its_name_trimmed():
    data = validate(parse_text(DIARRA.replace("  residence: Mali", '  residence: " France "'), "d.yaml")).data
    assert data["demandeur"]["residence"] == "France"


@pytest.mark.parametrize("written, fragment", [
    ("Mali\u3164", "U+3164"),  # a Hangul filler: a letter, invisible
    ("Mali\u200b", "U+200B"),
    ("\ufeffMali", "U+FEFF"),  # a BOM inside a string
    ("Mali\ufe0f", "U+FE0F"),  # a variation selector
    ("M\u0430li", "plusieurs alphabets"),  # a Cyrillic а
])
def test_invisible_characters_and_mixed_scripts_are_refused_in_a_country(written, fragment):
    clean = validate(parse_text(DIARRA, "d.yaml")).data
    twin = copy.deepcopy(clean)
    twin["demandeur"]["residence"] = written
    with pytest.raises(DossierError) as caught:
        validate(twin, "d")
    assert "« demandeur.residence »" in str(caught.value) and fragment in str(caught.value)
    _sans_anglais(str(caught.value))
    assert "hangul filler" not in str(caught.value).lower()  # Unicode's English names are not printed


def test_an_invisible_letter_is_refused_in_every_string():
    clean = validate(parse_text(DIARRA, "d.yaml")).data
    for path in (("id",), ("demandeur", "nom"), ("enfants", 1, "prenom")):
        twin = copy.deepcopy(clean)
        node = twin
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = node[path[-1]] + "\u3164"
        with pytest.raises(DossierError, match="U\\+3164"):
            validate(twin)


@pytest.mark.parametrize("prenom", ["\u07ca\u07ca\u07ec\u07d3\u07cf\u07f2", "عَائِشَة", "Fatoumata Ba\u0301"])
def test_names_in_nko_and_arabic_script_are_accepted(prenom):
    """N'Ko tone marks and Arabic harakat are combining marks, not invisible characters."""
    clean = validate(parse_text(DIARRA, "d.yaml")).data
    twin = copy.deepcopy(clean)
    twin["enfants"][0]["prenom"] = prenom
    assert validate(twin).data["enfants"][0]["prenom"] == prenom


# -- point 12: special files -----------------------------------------------------------------------------
def _cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "cli", *args], capture_output=True, text=True,
                          timeout=timeout, env=env, cwd=ROOT)


@pytest.fixture
def fifo(tmp_path) -> Path:
    """A named pipe with no writer: opening it for reading blocks for ever, unless the reader refuses it first.

    A read that blocks fails the test after 20 s (SIGALRM interrupts the blocking ``open``) instead of
    hanging the run.
    """
    path = tmp_path / "tube.yaml"
    os.mkfifo(path)

    def blocked(_signum, _frame):
        raise AssertionError(f"{path} : la lecture d'un tube nommé a bloqué")

    previous = signal.signal(signal.SIGALRM, blocked)
    signal.alarm(20)
    yield path
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize("command", [
    ["evaluate", "{fifo}"], ["evaluate", "/dev/zero"], ["letter", "/dev/zero"],
    ["diff", "--amendment", "/dev/zero", "examples/famille-diarra.yaml"],
    ["diff", "--amendment", "{fifo}", "examples/famille-diarra.yaml"],
    ["test", "{fifo}"], ["batch", "{fifo}", "-o", "{out}"],
])
def test_special_files_are_refused_before_reading(command, fifo, tmp_path):
    """A FIFO hung ``evaluate``; /dev/zero read without end, then a MemoryError traceback."""
    args = [a.format(fifo=fifo, out=tmp_path / "out.jsonl") for a in command]
    start = time.perf_counter()
    try:
        result = _cli(*args, timeout=15)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{' '.join(args)} : bloqué sur un fichier spécial")
    assert time.perf_counter() - start < 15
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    named = "/dev/zero" if "/dev/zero" in args else str(fifo)
    assert named in result.stderr + result.stdout, result.stderr
    _sans_anglais(result.stderr)


def test_read_input_refuses_special_files_and_reads_at_most_the_limit(fifo, tmp_path):
    with pytest.raises(DossierError, match="tube nommé"):
        read_input(fifo)
    with pytest.raises(DossierError, match="périphérique"):
        read_input("/dev/zero")
    with pytest.raises(DossierError, match="répertoire"):
        read_input(tmp_path)
    big = tmp_path / "gros.yaml"
    big.write_bytes(b"a" * ((1 << 20) + 1))
    with pytest.raises(DossierError, match="octets"):
        read_input(big)
    big.write_bytes(b"a" * (1 << 20))
    assert len(read_input(big)) == 1 << 20


def test_a_letterhead_and_an_amendment_are_read_as_dossiers_are(fifo, tmp_path):
    from usecases.amendement import AmendmentError, load_amendment
    from usecases.entete import EnteteError, load_bureau

    with pytest.raises(EnteteError, match="tube nommé"):
        load_bureau(fifo)
    head = tmp_path / "bureau.yaml"
    head.write_text("delai_reponse_jours: 010\n", encoding="utf-8")
    assert load_bureau(head) == {"delai_reponse_jours": 10}  # YAML 1.1 read 8 days
    with pytest.raises(AmendmentError, match="tube nommé"):
        load_amendment(fifo)
    amendment = tmp_path / "a.yaml"
    amendment.write_text("titre: t\nsource: s\ndate_effet: 2026-W11-7\nparametres: {smig_mensuel: 45000}\n",
                         encoding="utf-8")
    with pytest.raises(AmendmentError, match="AAAA-MM-JJ"):
        load_amendment(amendment)
    amendment.write_text("titre: t\nsource: s\ndate_effet: 2026-01-01\nparametres: {smig_mensuel: 0x10}\n",
                         encoding="utf-8")
    with pytest.raises(AmendmentError, match=r"parametres\.smig_mensuel"):
        load_amendment(amendment)


# -- point 15: French messages ----------------------------------------------------------------------------
@pytest.mark.parametrize("text, fragment, json_text", [
    ('{"id": "x", "n": ' + "9" * 5000 + "}", "« n »", True),
    ("id: x\nn: " + "9" * 5000 + "\n", "« n »", False),
    ("", "vide", True),
    ('{"id": }', "valeur attendue", True),
    ("{'id': 'x'}", "nom de champ attendu", True),
    ('{"id": "x"} x', "en trop", True),
    ("[" * 3000 + "]" * 3000, "imbrication trop profonde", False),
    ("a: b: c\n", "« : » inattendu", False),
])
def test_parser_messages_are_in_french(text, fragment, json_text):
    with pytest.raises(DossierError) as caught:
        parse_json(text, "d.json") if json_text else parse_text(text, "d.yaml")
    assert fragment in str(caught.value), str(caught.value)
    _sans_anglais(str(caught.value))


def test_a_bom_is_accepted_in_json_as_in_yaml(tmp_path):
    """The same file was accepted as YAML and refused as JSON (« Unexpected UTF-8 BOM »)."""
    data = validate(parse_text(DIARRA, "d.yaml")).data
    as_json, as_yaml = tmp_path / "bom.json", tmp_path / "bom.yaml"
    as_json.write_bytes(b"\xef\xbb\xbf" + json.dumps(data).encode())
    as_yaml.write_bytes(b"\xef\xbb\xbf" + json.dumps(data).encode())
    assert load_dossier(as_json).data == load_dossier(as_yaml).data == data


def test_a_list_over_its_bound_says_the_length_and_the_limit_not_the_content():
    """10⁴ children echoed 170 KB of input in the message, on the CLI and in a 422."""
    data = validate(parse_text(DIARRA, "d.yaml")).data
    data["enfants"] = [dict(data["enfants"][0]) for _ in range(10_000)]
    with pytest.raises(DossierError) as caught:
        validate(data, "d")
    message = str(caught.value)
    assert len(message) < 300 and "10000" in message and "30" in message, message[:500]
    _sans_anglais(message)
    data["enfants"] = [{} for _ in range(10_000)]  # and each item wrong: 10 000 more lines
    with pytest.raises(DossierError) as caught:
        validate(data, "d")
    assert str(caught.value).count("\n") == 0 and "10000 éléments" in str(caught.value), str(caught.value)[:500]
    data["enfants"] = [{} for _ in range(30)]  # within the bound, each item wrong: at most 20 lines, then a count
    with pytest.raises(DossierError) as caught:
        validate(data, "d")
    assert str(caught.value).count("\n") == 20 and "autres erreurs" in str(caught.value), str(caught.value)


@pytest.mark.parametrize("written", ["2026-W11-7", "20260315", "2026-03-15T10:00:00", "2026-3-15", "2026-075"])
def test_dates_not_written_aaaa_mm_jj_are_refused(written):
    """ISO week dates were accepted although the message promises AAAA-MM-JJ."""
    message = _refus(DIARRA.replace("date_reference: 2026-03-15", f"date_reference: {written}"),
                     "« date_reference »")
    assert "AAAA-MM-JJ" in message


def test_pydantic_and_starlette_errors_are_worded_in_french():
    from console.erreurs import detail, message

    inexact = {"type": "date_from_datetime_inexact", "loc": ("query", "du"), "input": "20261207",
               "msg": "Datetimes provided to dates should have zero time - e.g. be exact dates", "ctx": {}}
    assert message(inexact) == "« du » doit être une date AAAA-MM-JJ ; reçu '20261207'"
    too_long = {"type": "too_long", "loc": ("body", "dossiers"), "input": list(range(10_000)),
                "msg": "List should have at most 30 items after validation, not 10000",
                "ctx": {"field_type": "List", "max_length": 30, "actual_length": 10_000}}
    assert message(too_long) == "« dossiers » : 10000 éléments ; la liste en compte au plus 30"
    assert detail("Too many files. Maximum number of files is 1.") == "trop de fichiers envoyés : au plus 1"


@pytest.fixture
def client(tmp_path):
    from fastapi.testclient import TestClient

    from console.app import create_app
    from console.reglages import Reglages

    app = create_app(Reglages(journal=str(tmp_path / "journal.sqlite"), travail=str(tmp_path / "travail")))
    with TestClient(app, raise_server_exceptions=False, base_url="http://127.0.0.1:8000") as test_client:
        yield test_client


@pytest.mark.parametrize("du", ["20261207", "2026-W11-7", "2026-12-07T10:00:00", "1765065600"])
def test_the_journal_refuses_a_date_not_written_aaaa_mm_jj(client, du):
    """``du=20261207`` silently showed nothing on the page; the API read 1765065600 as a Unix time."""
    page = client.get("/journal", params={"du": du})
    assert page.status_code == 422 and "AAAA-MM-JJ" in page.text
    answer = client.get("/api/v1/journal", params={"du": du})
    assert answer.status_code == 422
    erreurs = answer.json()["erreurs"]
    assert erreurs[0]["champ"] == "query.du" and "AAAA-MM-JJ" in erreurs[0]["message"], erreurs
    _sans_anglais(answer.text)
    assert client.get("/api/v1/journal", params={"du": "2026-12-07"}).status_code == 200


def test_the_console_words_its_json_and_upload_errors_in_french(client):
    answer = client.post("/api/v1/evaluate", content=b"\xef\xbb\xbf{", headers={"content-type": "application/json"})
    assert answer.status_code == 422
    _sans_anglais(answer.text)
    body = b'{"id": "x", "demandeur": {"salaire_mensuel": 39999.99999999999999}}'
    answer = client.post("/api/v1/evaluate", content=body,
                         headers={"content-type": "application/json"})
    assert answer.status_code == 422
    assert answer.json()["erreurs"][0]["champ"] == "demandeur.salaire_mensuel", answer.text
    two = client.post("/impact", data={"amendement": "af_3500", "date_effet": "2026-01-01", "source": "fichier"},
                      files=[("fichier", ("a.jsonl", b"{}\n")), ("autre", ("b.jsonl", b"{}\n"))])
    assert two.status_code == 400 and "trop de fichiers" in two.text, two.text[:300]
    _sans_anglais(two.text)


# -- Hypothesis: a hostile scalar in any kind of field ---------------------------------------------------
# (path, kind, bounds) of fields of the example dossier; each kind has its own reading « as written ».
CHAMPS = [
    ("demandeur.mois_consecutifs", "entier", (0, 1200)),
    ("demandeur.salaire_mensuel", "entier", (0, 100_000_000)),
    ("demandeur.jours_mois", "entier", (0, 31)),
    ("demandeur.veuve_allocataire", "booleen", None),
    ("enfants[0].a_charge", "booleen", None),
    ("enfants[0].prenom", "texte", None),
    ("demandeur.nom", "texte", None),
    ("demandeur.residence", "pays", None),
    ("enfants[1].residence", "pays", None),
    ("date_reference", "date", None),
    ("enfants[0].date_naissance", "date", None),
]
MARQUE = "__SCALAIRE_HOSTILE__"


def _parts(path: str) -> list:
    return [int(p) if p.isdigit() else p for p in path.replace("]", "").replace("[", ".").split(".")]


def _avec_marque(path: str) -> dict:
    data = validate(parse_text(DIARRA, "d.yaml")).data
    node = data
    parts = _parts(path)
    for part in parts[:-1]:
        node = node[part]
    node[parts[-1]] = MARQUE
    return data


def _lu(data: dict, path: str):
    node = data
    for part in _parts(path):
        node = node[part]
    return node


def _verifie(scalaire: Scalaire, champ: tuple, text: str, origine: str, json_text: bool) -> None:
    path, kind, bounds = champ
    try:
        data = parse_json(text, origine) if json_text else parse_text(text, origine)
        read = _lu(validate(data, origine).data, path)
    except DossierError as exc:  # refused: in French, naming the field
        message = str(exc)
        assert f"« {path} »" in message, message
        _sans_anglais(message)
        return
    expected = valeur_ecrite(scalaire, kind)
    assert expected is not REFUS, (scalaire, path, read)  # accepted although nothing written is of its kind
    if kind == "entier":
        assert read == expected and bounds[0] <= read <= bounds[1], (scalaire, read)
    elif kind == "pays":
        if est_le_pays(scalaire.texte):
            assert read == "Mali", (scalaire, read)
        else:
            assert unicodedata.normalize("NFC", " ".join(scalaire.texte.split())) == read, (scalaire, read)
    else:
        assert read == expected, (scalaire, read)


PINNED = [Scalaire("010"), Scalaire("23:36:40"), Scalaire("39999.99999999999999"), Scalaire("9" * 5000),
          Scalaire("Mali\u3164", "entre_guillemets"), Scalaire("2026-W11-7"), Scalaire("yes"), Scalaire("0x1F"),
          Scalaire(" Mali ", "entre_guillemets"), Scalaire("1e99999999999")]


@settings(max_examples=150, deadline=None)
@given(scalaire=scalaires_hostiles(), champ=st.sampled_from(CHAMPS))
@example(scalaire=PINNED[0], champ=CHAMPS[0])  # read 8 by YAML 1.1
@example(scalaire=PINNED[1], champ=CHAMPS[1])  # read 85 000
@example(scalaire=PINNED[2], champ=CHAMPS[1])  # read 40 000
@example(scalaire=PINNED[3], champ=CHAMPS[1])  # « Exceeds the limit (4300 digits) »
@example(scalaire=PINNED[4], champ=CHAMPS[7])  # an invisible letter: « hors du Mali »
@example(scalaire=PINNED[5], champ=CHAMPS[9])  # a week date accepted
@example(scalaire=PINNED[6], champ=CHAMPS[3])  # read true
@example(scalaire=PINNED[7], champ=CHAMPS[2])  # read 31
@example(scalaire=PINNED[8], champ=CHAMPS[7])  # « hors du Mali »
@example(scalaire=PINNED[9], champ=CHAMPS[1])
def test_a_hostile_scalar_in_yaml_is_read_as_written_or_refused_with_its_field(scalaire, champ):
    text = yaml.safe_dump(_avec_marque(champ[0]), allow_unicode=True, sort_keys=False)
    text = text.replace(MARQUE, scalaire.yaml())
    _verifie(scalaire, champ, text, "hostile.yaml", json_text=False)


@settings(max_examples=150, deadline=None)
@given(scalaire=scalaires_hostiles(), champ=st.sampled_from(CHAMPS))
@example(scalaire=PINNED[2], champ=CHAMPS[1])  # 39999.99999999999999 was 40 000
@example(scalaire=PINNED[3], champ=CHAMPS[1])
@example(scalaire=Scalaire("4e4"), champ=CHAMPS[1])
@example(scalaire=PINNED[4], champ=CHAMPS[8])
def test_a_hostile_scalar_in_json_is_read_as_written_or_refused_with_its_field(scalaire, champ):
    written = scalaire.json()
    if not written.startswith('"') or scalaire.style != "nu":
        as_read = scalaire
    else:  # a text JSON cannot write as a number is written as a string: it is read as one
        as_read = Scalaire(scalaire.texte, "entre_guillemets")
    text = json.dumps(_avec_marque(champ[0]), ensure_ascii=False).replace(f'"{MARQUE}"', written)
    _verifie(as_read, champ, text, "hostile.json", json_text=True)


@settings(max_examples=100, deadline=None)
@given(textes=st.lists(scalaires_hostiles().map(lambda s: s.texte) | st.text(max_size=8), min_size=1, max_size=5))
@example(textes=["1e3", "0o17", "yes", "010", ".5", "+1"])  # strings YAML 1.2 reads as numbers unless quoted
@example(textes=["\x85", "a\u2028b"])  # line breaks to YAML: a plain or folded text read them back as a space
def test_a_caseload_written_as_yaml_reads_back_its_texts_as_texts(textes):
    """``write_caseload`` wrote YAML for a 1.1 reader: a prénom « 1e3 » left plain would read back as 1000."""
    from engine.scalars import dump_yaml

    data = {"id": "x", "textes": textes, "n": 10, "b": True}
    assert parse_text(dump_yaml(data), "aller-retour.yaml") == data


def test_an_amendment_new_parameter_dated_by_a_week_date_is_refused(tmp_path):
    from engine.regime import load_regime
    from usecases.amendement import AmendmentError, amend, load_amendment

    path = tmp_path / "nouveau.yaml"
    path.write_text('titre: t\nsource: s\nnouveaux_parametres:\n  p_test:\n    description: d\n    reference: r\n'
                    '    values:\n      "2026-W11-7": {value: 3}\n', encoding="utf-8")
    with pytest.raises(AmendmentError, match="AAAA-MM-JJ"):
        amend(load_regime("mali-inps"), load_amendment(path))


def test_clasp_integer_overflow_is_said_in_french():
    """clasp's « Integer overflow! » came through with its C++ signature."""
    from types import SimpleNamespace

    from engine.solver import EvaluationError, solve_program

    overflowing = "{a; b; c}. :- #sum{2147483647,x: a; 2147483647,y: b; 5,z: c} < 3."
    program = SimpleNamespace(
        regime=SimpleNamespace(version="essai@0", prestations_independantes=False),
        load_into=lambda control, _wanted: control.add("base", [], overflowing),
        inputs=SimpleNamespace(facts_text=lambda _i, _data: ""),
    )
    with pytest.raises(EvaluationError) as caught:
        solve_program(program, [validate(parse_text(DIARRA, "d.yaml"))])
    assert "entiers du solveur" in str(caught.value), str(caught.value)
    _sans_anglais(str(caught.value))
    assert "Clasp" not in str(caught.value)


def test_a_wrong_type_is_named_in_french_not_by_python(tmp_path):
    """« reçu NoneType », « mauvais type (int) »: Python's type names are not French."""
    from usecases.entete import EnteteError, load_bureau

    for text, words in (("", "rien"), ("- a\n", "une liste"), ("x\n", "un texte")):
        with pytest.raises(DossierError, match=words):
            validate(parse_text(text, "d.yaml"), "d.yaml")
    head = tmp_path / "bureau.yaml"
    head.write_text("organisme: 12\n", encoding="utf-8")
    with pytest.raises(EnteteError, match="un nombre entier") as caught:
        load_bureau(head)
    assert "(int)" not in str(caught.value)
