"""The letter page in a real browser (Debian's chromium, Selenium), at a desktop's and a phone's width.

A clerk opens the letter of a dossier without the applicant's address: the page
warns before anything is printed, offers the offices' letterheads (the regime's,
and one given to ``prevoyance serve --entete``), and the preview, once another
letterhead is chosen, is the letter under that office, with its « Réf. » line and
the date to contest by. Screenshots go to ``captures/`` (``17-lettre-*``).
Skipped like ``tests/test_console_navigateur.py`` without chromium.
"""

from __future__ import annotations

import pytest
import yaml

from tests.test_console_navigateur import CAPTURES, capture, serveur_lance, wait
from tests.test_console_navigateur import navigateur as navigateur  # the browser fixture, reused
from tests.test_lettres_regimes import CAS

KAYES = {"direction": "Direction régionale de Kayes", "agence": "Agence de Kayes", "adresse": ["BP 12", "Kayes"],
         "lieu": "Kayes", "recours": {"delai_jours": 45, "service": "Commission de recours amiable"}}


@pytest.fixture(scope="module")
def serveur(tmp_path_factory):
    from tests.test_console_navigateur import _browser_missing

    missing = _browser_missing()
    if missing:
        pytest.skip(f"tests du navigateur sautés : {missing}")
    folder = tmp_path_factory.mktemp("serveur-lettres")
    entete = folder / "kayes.yaml"
    entete.write_text(yaml.safe_dump(KAYES, allow_unicode=True), encoding="utf-8")
    with serveur_lance(folder, "--entete", str(entete)) as url:
        yield url


def test_letter_page_warns_offers_letterheads_and_previews_the_chosen_one(serveur, navigateur, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    driver = navigateur
    data = {"id": "guichet-sans-adresse", "date_reference": "2026-03-15", **CAS[("mali-inps", "attribution")]}
    data["demandeur"] = {k: v for k, v in data["demandeur"].items() if k != "adresse"}
    dossier = tmp_path / "guichet.yaml"
    dossier.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    driver.get(serveur + "/")
    driver.find_element(By.ID, "fichier-accueil").send_keys(str(dossier))
    driver.find_element(By.CSS_SELECTOR, "form[action='/dossiers/televerser'] button").click()
    wait(driver, lambda d: "/decisions/" in d.current_url)
    driver.get(driver.current_url.split("?")[0].split("#")[0] + "/lettre/allocations_familiales")

    for width in (1366, 390):
        driver.set_window_size(width, 900)
        warning = driver.find_element(By.ID, "avertissement-destinataire")
        assert warning.is_displayed() and "l'adresse du demandeur" in warning.text
        select = driver.find_element(By.ID, "choix-entete")
        assert select.is_displayed() and select.rect["x"] + select.rect["width"] <= width
        assert [o.text for o in Select(select).options] == ["Agence de Bamako", "Agence de Kayes"]
        capture(driver, f"17-lettre-avertissement-{width}", width)

    driver.set_window_size(1366, 900)
    Select(driver.find_element(By.ID, "choix-entete")).select_by_visible_text("Agence de Kayes")
    driver.find_element(By.CSS_SELECTOR, ".choix-entete button").click()
    wait(driver, lambda d: "entete=office-1" in d.current_url)
    assert driver.find_element(By.ID, "telecharger-pdf").get_attribute("href").endswith("lettre.pdf?entete=office-1")
    driver.switch_to.frame(driver.find_element(By.CSS_SELECTOR, "iframe.apercu-lettre"))
    body = wait(driver, lambda d: d.find_element(By.TAG_NAME, "body").text or None)
    assert "Kayes, le 15 mars 2026" in body and "Agence de Bamako" not in body
    assert "Réf. : Dossier n° guichet-sans-adresse — N° d'immatriculation : IMM-1234567" in body
    assert "au plus tard le 29 avril 2026" in body and "Commission de recours amiable" in body
    assert "Adresse : ……" in body
    driver.switch_to.default_content()
    capture(driver, "17-lettre-kayes-1366", 1366)
    assert (CAPTURES / "17-lettre-kayes-1366.png").exists()
