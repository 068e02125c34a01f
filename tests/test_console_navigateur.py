"""The console in a real browser: Debian's chromium driven by Selenium, against the real server (uvicorn).

The server is started as ``prevoyance serve`` on a free loopback port, with a
journal of its own. The test does what an analyst does: fill the form for a
refusal (an error first, shown next to its field), read the failed condition
and its source, unfold the tree, ask what would change the decision, download
the letter as PDF and read it, search the journal, measure an amendment's
impact; and it writes a screenshot of each page in ``captures/`` (or
``$PREVOYANCE_CAPTURES``), one of them at a phone's width.

Without chromium and chromedriver the tests are skipped on a developer's
machine, and fail in CI (``CI`` set): ``.ci/run`` installs both.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CAPTURES = Path(os.environ.get("PREVOYANCE_CAPTURES", ROOT / "captures"))
CHROMEDRIVER = "/usr/bin/chromedriver"


def _browser_missing() -> str | None:
    if not Path(CHROMEDRIVER).exists():
        return f"{CHROMEDRIVER} absent (paquet Debian chromium-driver)"
    if not (shutil.which("chromium") or shutil.which("chromium-browser")):
        return "chromium absent (paquet Debian chromium)"
    return None


@pytest.fixture(scope="module")
def serveur(tmp_path_factory):
    missing = _browser_missing()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"tests du navigateur obligatoires en CI : {missing}")
        pytest.skip(f"tests du navigateur sautés : {missing} (apt-get install chromium chromium-driver)")
    with serveur_lance(tmp_path_factory.mktemp("serveur")) as url:
        yield url


@contextlib.contextmanager
def serveur_lance(folder: Path, *options: str):
    """``prevoyance serve`` on a free loopback port with a journal in ``folder`` (and ``options``), until the
    block ends: its address, once it answers."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen([sys.executable, "-m", "cli", "serve", "--port", str(port), "--journal",
                                str(folder / "journal.sqlite"), *options], cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(url + "/", timeout=2) as answer:
                if answer.status == 200:
                    break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"le serveur n'a pas démarré : {process.stdout.read() if process.stdout else ''}")
            time.sleep(0.2)
    yield url
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="module")
def navigateur(serveur, tmp_path_factory):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    downloads = tmp_path_factory.mktemp("telechargements")
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or shutil.which("chromium-browser") or ""
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1280,900", "--lang=fr-FR"):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False,
                                              "plugins.always_open_pdf_externally": True,
                                              "intl.accept_languages": "fr-FR,fr"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    driver.implicitly_wait(0)
    driver.downloads = downloads
    CAPTURES.mkdir(parents=True, exist_ok=True)
    yield driver
    driver.quit()


def capture(driver, name: str, width: int = 1366) -> None:
    """A screenshot of the whole page (the window is made as tall as the page)."""
    driver.set_window_size(width, 900)
    height = driver.execute_script("return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight)")
    driver.set_window_size(width, min(max(height + 40, 600), 7000))
    driver.execute_script("window.scrollTo(0, 0)")
    driver.save_screenshot(str(CAPTURES / f"{name}.png"))
    driver.set_window_size(1280, 900)


def wait(driver, condition, timeout: float = 30):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(condition)


def field(driver, path: str):
    from selenium.webdriver.common.by import By

    return driver.find_element(By.NAME, path)


def fill(driver, values: dict[str, str]) -> None:
    from selenium.webdriver.support.ui import Select

    for path, value in values.items():
        element = field(driver, path)
        if element.tag_name == "select":
            Select(element).select_by_value(value)
        elif element.get_attribute("type") == "date":
            driver.execute_script("arguments[0].value = arguments[1]", element, value)
        else:
            element.clear()
            element.send_keys(value)


def click(driver, css: str) -> None:
    from selenium.common.exceptions import ElementClickInterceptedException
    from selenium.webdriver.common.by import By

    element = driver.find_element(By.CSS_SELECTOR, css)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    try:
        element.click()
    except ElementClickInterceptedException:  # the sticky bar of the form over it: click where it is
        driver.execute_script("arguments[0].click()", element)


def test_parcours_analyste(serveur, navigateur):
    """Form with an error, refusal, its source, the tree, what-if, the PDF letter, the journal."""
    from selenium.webdriver.common.by import By

    driver = navigateur
    driver.get(serveur + "/")
    assert "Décider un dossier" in driver.page_source
    capture(driver, "01-accueil")

    driver.get(serveur + "/dossiers/nouveau?regime=mali-inps")
    fill(driver, {"id": "console-refus", "date_reference": "2026-01-10", "demandeur.sexe": "F",
                  "demandeur.residence": "Mali", "demandeur.statut": "salarie", "demandeur.premiere_demande": "oui",
                  "demandeur.veuve_allocataire": "non",
                  "demandeur.mois_consecutifs": "sept", "demandeur.jours_mois": "20", "demandeur.heures_mois": "160",
                  "demandeur.salaire_mensuel": "52 000", "mariage.etat_civil": "oui"})
    click(driver, "button[value='ajouter:enfants']")
    wait(driver, lambda d: d.find_elements(By.NAME, "enfants[0].prenom"))
    assert field(driver, "demandeur.mois_consecutifs").get_attribute("value") == "sept"  # the input is kept
    fill(driver, {"enfants[0].prenom": "Fatoumata", "enfants[0].date_naissance": "2021-05-14",
                  "enfants[0].categorie": "mariage", "enfants[0].declare_etat_civil": "oui",
                  "enfants[0].a_charge": "oui", "enfants[0].residence": "Mali", "enfants[0].situation": "aucune",
                  "enfants[0].visite_medicale": "oui"})
    click(driver, "button[value='ajouter:demandes']")
    wait(driver, lambda d: d.find_elements(By.NAME, "demandes[0].prestation"))
    fill(driver, {"demandes[0].prestation": "allocations_familiales", "demandes[0].date": "2026-01-10"})
    click(driver, "#decider")
    # The error, in the CLI's words, next to its field; everything typed is still there.
    message = wait(driver, lambda d: d.find_element(By.ID, "champ-demandeur-mois_consecutifs-erreur"))
    assert message.text.endswith("» doit être un entier ; reçu 'sept'")  # named by its label, not its path
    assert message.text.startswith("« Depuis combien de mois") and "demandeur." not in message.text
    assert field(driver, "enfants[0].prenom").get_attribute("value") == "Fatoumata"
    capture(driver, "02-formulaire-erreur")
    capture(driver, "02-formulaire-telephone", width=390)
    fill(driver, {"demandeur.mois_consecutifs": "7"})
    click(driver, "#decider")

    # The decision: refused, the failed condition and its source.
    wait(driver, lambda d: "/decisions/" in d.current_url)
    section = driver.find_element(By.ID, "allocations_familiales")
    assert "refusées" in section.find_element(By.CSS_SELECTOR, "h2 .statut").get_attribute("textContent")
    motifs = section.find_element(By.CSS_SELECTOR, "ul.motifs").text
    assert "Stage" in motifs and "7 mois consécutifs" in motifs
    assert "Loi n°99-041, art. 7" in motifs
    capture(driver, "03-decision-refus")

    # The tree: failed conditions open, met ones folded; unfold one.
    failed = section.find_element(By.CSS_SELECTOR, "details.noeud.non_rempli[data-condition='stage']")
    assert failed.get_attribute("open") is not None
    folded = section.find_element(By.CSS_SELECTOR, ".arbre > details.noeud.rempli")
    assert folded.get_attribute("open") is None
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", folded)
    folded.find_element(By.TAG_NAME, "summary").click()
    assert folded.get_attribute("open") is not None
    assert "Source :" in folded.text
    click(driver, "[data-deplier='allocations_familiales']")
    assert all(d.get_attribute("open") is not None for d in section.find_elements(By.CSS_SELECTOR, ".arbre details"))
    capture(driver, "04-arbre-deplie")

    # What would change it: waiting until 10 March 2026 (nine months of work).
    click(driver, "#que-faudrait-il-allocations_familiales")
    date = wait(driver, lambda d: d.find_element(By.CSS_SELECTOR, "#si-allocations_familiales .date-eligibilite"))
    assert date.text == "10 mars 2026"
    capture(driver, "05-que-faudrait-il")
    decision_url = driver.current_url.split("?")[0]

    # The letter: preview, then the PDF.
    click(driver, "#allocations_familiales a[href$='/lettre/allocations_familiales']")
    frame = wait(driver, lambda d: d.find_element(By.CSS_SELECTOR, "iframe.apercu-lettre"))
    driver.switch_to.frame(frame)
    wait(driver, lambda d: "rejet" in d.find_element(By.TAG_NAME, "body").text.lower())
    driver.switch_to.default_content()
    capture(driver, "06-lettre")
    click(driver, "#telecharger-pdf")
    pdf = wait(driver, lambda d: next((p for p in d.downloads.glob("*.pdf")), None))
    wait(driver, lambda d: pdf.stat().st_size > 0 and not list(d.downloads.glob("*.crdownload")))
    from pypdf import PdfReader

    text = " ".join(page.extract_text() for page in PdfReader(str(pdf)).pages)
    assert "console-refus" in text
    assert "stage" in text.lower() and "10 mars 2026" in text
    if shutil.which("pdftoppm"):  # the PDF's first page, as the citizen will see it (poppler-utils)
        subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                        str(CAPTURES / "06-lettre-pdf")], check=True)

    # The journal: search by dossier, status and failed condition; the row opens the decision.
    driver.get(serveur + "/journal")
    fill(driver, {"dossier": "console-refus", "statut": "refuse", "condition": "stage"})
    click(driver, "#chercher")
    wait(driver, lambda d: "condition=stage" in d.current_url)  # the results page, not the one before
    rows = driver.find_elements(By.CSS_SELECTOR, "table.lignes tbody tr")
    assert len(rows) == 1 and "poste local" in rows[0].text
    capture(driver, "07-journal")
    rows[0].find_element(By.TAG_NAME, "a").click()
    wait(driver, lambda d: d.current_url.startswith(decision_url))
    driver.get(serveur + "/journal?dossier=console-refus&statut=accorde")
    assert "0 décision" in driver.find_element(By.ID, "nombre-resultats").text

    # Edit and decide again: the analyst's input is there.
    driver.get(decision_url + "/modifier")
    assert field(driver, "enfants[0].prenom").get_attribute("value") == "Fatoumata"
    assert field(driver, "demandeur.mois_consecutifs").get_attribute("value") == "7"
    fill(driver, {"demandeur.mois_consecutifs": "11"})
    click(driver, "#decider")
    wait(driver, lambda d: "/decisions/" in d.current_url and d.current_url.split("?")[0] != decision_url)
    statut = driver.find_element(By.CSS_SELECTOR, "#allocations_familiales h2 .statut")
    assert "accordées" in statut.get_attribute("textContent")
    capture(driver, "08-decision-accordee")
    capture(driver, "09-decision-telephone", width=390)


def test_formulaires_des_autres_regimes(serveur, navigateur):
    """Every regime's form comes from its schema: a household's members for the health coverage."""
    from selenium.webdriver.common.by import By

    driver = navigateur
    driver.get(serveur + "/dossiers/nouveau?regime=mali-couverture-maladie")
    fill(driver, {"id": "menage-1", "date_reference": "2026-03-01"})
    click(driver, "button[value='ajouter:membres']")
    wait(driver, lambda d: d.find_elements(By.NAME, "membres[0].prenom"))
    fill(driver, {"membres[0].prenom": "Adama", "membres[0].activite": "independant",
                  "membres[0].indigence_certifiee": "non", "membres[0].admis_d_office": "non"})
    capture(driver, "14-formulaire-couverture-maladie")
    click(driver, "#decider")
    wait(driver, lambda d: "/decisions/" in d.current_url)
    assert driver.find_elements(By.CSS_SELECTOR, "section.prestation")
    capture(driver, "15-decision-couverture-maladie")
    driver.get(serveur + "/dossiers/nouveau?regime=senegal-css")
    assert driver.find_element(By.NAME, "personne.qualite").tag_name == "select"
    capture(driver, "16-formulaire-senegal")


def test_impact_et_documentation(serveur, navigateur):
    """An amendment's impact on a generated caseload, with progress; the API documentation, offline."""
    from selenium.webdriver.common.by import By

    driver = navigateur
    driver.get(serveur + "/impact")
    click(driver, "input[name='amendement'][value='af_3500']")
    fill(driver, {"date_effet": "2026-01-01", "nombre": "150", "graine": "3"})
    capture(driver, "10-impact-choix")
    click(driver, "#lancer")
    wait(driver, lambda d: "/impact/" in d.current_url)
    capture(driver, "11-impact-en-cours")  # the progress bar, unless the job was quicker than the page
    wait(driver, lambda d: "Terminée" in d.find_element(By.ID, "travail").text, timeout=90)
    frame = driver.find_element(By.CSS_SELECTOR, "iframe.rapport")
    # The report full height in the console: no short frame scrolled inside the page.
    wait(driver, lambda d: d.execute_script(
        "var f = arguments[0]; return f.contentDocument && f.contentDocument.readyState === 'complete' && "
        "f.clientHeight >= f.contentDocument.documentElement.scrollHeight", frame))
    driver.switch_to.frame(frame)
    body = driver.find_element(By.TAG_NAME, "body").text
    assert "3 500" in body or "hausse" in driver.page_source
    # The charts draw: no figure formatting inside the SVG's coordinates (the console once put U+00A0 there).
    coordinates = driver.execute_script(
        "return Array.from(document.querySelectorAll('svg *')).flatMap(e => Array.from(e.attributes))"
        ".filter(a => ['d', 'x', 'y', 'points', 'transform', 'width', 'height'].includes(a.name)).map(a => a.value)")
    assert coordinates and not [c for c in coordinates if "\u00a0" in c]
    # Plain words for the base; its hash only in the analyst's detail, folded.
    assert "version de la base du" in body and "mali-inps@" not in body
    # A word-level diff: a highlighted change starts and ends at a word's edge, never inside a word.
    cuts = driver.execute_script("""
        return Array.from(document.querySelectorAll('table.diff ins, table.diff del')).filter(function (e) {
          var before = e.previousSibling ? e.previousSibling.textContent : '';
          var after = e.nextSibling ? e.nextSibling.textContent : '';
          return /[\\p{L}\\p{N}]$/u.test(before) || /^[\\p{L}\\p{N}]/u.test(after);
        }).map(function (e) { return e.parentNode.textContent; });""")
    assert driver.find_elements(By.CSS_SELECTOR, "table.diff ins") and not cuts, cuts
    # The changed dossiers filtered by prestation, direction and condition.
    from selenium.webdriver.support.ui import Select

    shown = "return Array.from(document.querySelectorAll('#changements tbody tr')).filter(r => !r.hidden).length"
    everything = driver.execute_script(shown)
    Select(driver.find_element(By.ID, "sens")).select_by_value("defavorable")  # a rise only: nobody loses
    assert driver.execute_script(shown) == 0
    Select(driver.find_element(By.ID, "sens")).select_by_value("favorable")
    assert driver.execute_script(shown) == everything
    prestation = Select(driver.find_element(By.ID, "prestation"))
    prestation.select_by_index(1)
    assert 0 < driver.execute_script(shown) <= everything
    assert driver.find_elements(By.CSS_SELECTOR, "#condition option")
    driver.switch_to.default_content()
    capture(driver, "12-impact-rapport")
    capture(driver, "12-impact-rapport-telephone", width=390)

    driver.get(serveur + "/api/v1/docs")
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, ".swagger-ui .opblock"))
    assert "/api/v1/evaluate" in driver.find_element(By.ID, "swagger-ui").text
    requests = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert all(r.startswith(serveur) for r in requests), requests  # nothing fetched from the network
    capture(driver, "13-api-documentation")


def test_mots_du_guichet(serveur, navigateur):
    """A clerk's words everywhere: no field path or schema note unless asked, a textarea for the address, a
    half-typed date refused on its field, the applicant named on the decision, one status word, the journal
    searched by the person, a prestation's name and a condition's label; at a phone's width nothing is hidden."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    driver = navigateur
    driver.get(serveur + "/dossiers/nouveau?regime=mali-inps")
    body = driver.find_element(By.TAG_NAME, "body").text
    assert "Aucune règle ne le lit" not in body and "≥ 0" not in body and "demandeur.jours_mois" not in body
    assert not any(c.is_displayed() for c in driver.find_elements(By.CSS_SELECTOR, "code.chemin"))
    driver.find_element(By.CSS_SELECTOR, "label[for='voir-analyste']").click()  # the analyst's detail
    assert "demandeur.jours_mois" in driver.find_element(By.TAG_NAME, "body").text
    driver.find_element(By.CSS_SELECTOR, "label[for='voir-analyste']").click()
    assert field(driver, "demandeur.adresse").tag_name == "textarea"
    # On a phone the « Décider » bar is not sticky: it covered the fields beneath it.
    driver.set_window_size(390, 800)
    assert driver.execute_script(
        "return getComputedStyle(document.querySelector('.actions.collant')).position") == "static"
    driver.set_window_size(1280, 900)
    # Only what the prestations claimed read: family allowances ask nothing of a delivery.
    click(driver, "button[value='ajouter:demandes']")
    wait(driver, lambda d: d.find_elements(By.NAME, "demandes[0].prestation"))
    Select(field(driver, "demandes[0].prestation")).select_by_value("allocations_familiales")
    wait(driver, lambda d: "Allocations familiales" in d.find_element(By.ID, "sections-utiles").text)
    assert not driver.find_elements(By.NAME, "accouchement.date")
    assert not driver.find_elements(By.NAME, "conge_maternite.debut")
    fill(driver, {"id": "guichet-1", "date_reference": "10/01/2026", "demandeur.nom": "Diarra",
                  "demandeur.prenoms": "Aminata", "demandeur.numero_immatriculation": "INPS-7788",
                  "demandeur.sexe": "F", "demandeur.residence": "Mali", "demandeur.statut": "salarie",
                  "demandeur.premiere_demande": "oui", "demandeur.veuve_allocataire": "non",
                  "demandeur.mois_consecutifs": "7", "demandeur.jours_mois": "20", "demandeur.heures_mois": "160",
                  "demandeur.salaire_mensuel": "52 000", "mariage.etat_civil": "oui",
                  "demandes[0].date": "10/01/20"})  # half typed: refused on its field, never dropped
    field(driver, "demandeur.adresse").send_keys("Rue 12, porte 4\nHamdallaye ACI\nBamako")
    click(driver, "#decider")
    message = wait(driver, lambda d: d.find_element(By.ID, "champ-demandes-0--date-erreur"))
    assert "10/01/20" in message.text and "JJ/MM/AAAA" in message.text and "demandes[0]" not in message.text
    assert field(driver, "demandeur.adresse").get_attribute("value") == "Rue 12, porte 4\nHamdallaye ACI\nBamako"
    capture(driver, "17-formulaire-date-incomplete")
    capture(driver, "17-formulaire-telephone", width=390)
    fill(driver, {"demandes[0].date": "10/01/2026", "demandeur.nom": "D" * 300})
    click(driver, "#decider")
    # Too long: said in French, with the limit, on the field named by its label.
    message = wait(driver, lambda d: d.find_element(By.ID, "champ-demandeur-nom-erreur"))
    assert "trop long" in message.text and "au plus" in message.text and "is too long" not in message.text
    assert message.text.startswith("« Nom de famille")
    fill(driver, {"demandeur.nom": "Diarra"})
    click(driver, "#decider")
    wait(driver, lambda d: "/decisions/" in d.current_url)

    # The decision names the applicant; chip and badge say the same word; no documents to bring on a refusal.
    assert "Aminata Diarra" in driver.find_element(By.TAG_NAME, "h1").text
    chip = driver.find_element(By.CSS_SELECTOR, ".sommaire .statut").get_attribute("textContent")
    badge = driver.find_element(By.CSS_SELECTOR, "#allocations_familiales h2 .statut").get_attribute("textContent")
    assert chip == badge == "refusées"
    assert "Pièces à fournir" not in driver.find_element(By.ID, "allocations_familiales").text
    capture(driver, "18-decision-nommee")
    capture(driver, "18-decision-telephone", width=390)

    # The journal: by the person's name, by registration number, by a condition's label; labels, not codes.
    driver.get(serveur + "/journal?personne=diarra")
    rows = driver.find_elements(By.CSS_SELECTOR, "table.lignes tbody tr")
    assert len(rows) == 1 and "Aminata Diarra" in rows[0].text and "INPS-7788" in rows[0].text
    driver.get(serveur + "/journal?personne=INPS-7788&condition=Stage de neuf mois")
    assert len(driver.find_elements(By.CSS_SELECTOR, "table.lignes tbody tr")) == 1
    options = [o.text for o in driver.find_elements(By.CSS_SELECTOR, "#f-prestation option")]
    assert "Remboursement du congé de naissance" in options and "conge naissance" not in options
    driver.get(serveur + "/journal")
    capture(driver, "19-journal")
    driver.set_window_size(390, 900)
    first = driver.find_element(By.CSS_SELECTOR, "table.lignes tbody tr")
    for label in ("Montants", "Conditions non remplies"):
        cell = first.find_element(By.CSS_SELECTOR, f"td[data-libelle='{label}']")
        box = driver.execute_script("var r = arguments[0].getBoundingClientRect(); return [r.left, r.right]", cell)
        assert cell.is_displayed() and box[0] >= 0 and box[1] <= 390, (label, box)
    capture(driver, "19-journal-telephone", width=390)
    driver.set_window_size(1280, 900)

    # The PMI form: French options, its own help, not the INPS one.
    driver.get(serveur + "/dossiers/nouveau?regime=senegal-css")
    options = [o.text for o in driver.find_elements(By.CSS_SELECTOR, "select[name='personne.qualite'] option")]
    assert "épouse d'un travailleur" in options and "epouse" not in options
    assert "veuvage" not in driver.find_element(By.TAG_NAME, "body").text
    pmi = driver.find_element(By.TAG_NAME, "body").text
    assert "PMI" in pmi and "Numéro du dossier" in pmi and "Absent ou false" not in pmi
    assert not [code for code in ("femme_salariee", "non_allocataire", "enfant_malade", "epouse :") if code in pmi]
    capture(driver, "20-formulaire-pmi")
    # Opening a file: a French button (the browser's own says « Choose File »), the name shown once chosen.
    assert driver.find_element(By.CSS_SELECTOR, "label[for='fichier']").text == "Choisir un fichier…"
    driver.find_element(By.ID, "fichier").send_keys(str(ROOT / "examples" / "senegal-pmi.yaml"))
    assert driver.find_element(By.CSS_SELECTOR, ".nom-fichier[data-pour='fichier']").text == "senegal-pmi.yaml"
    click(driver, "form[action='/dossiers/televerser'] button")
    wait(driver, lambda d: "/decisions/" in d.current_url)
    # A page that does not exist answers in French.
    driver.get(serveur + "/nulle-part")
    assert "introuvable" in driver.find_element(By.TAG_NAME, "body").text
    assert "Not Found" not in driver.page_source
