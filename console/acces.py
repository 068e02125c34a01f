"""Who may use the console: an operator-made users file with scrypt-hashed passwords, and signed session cookies.

A line of the users file is ``nom:scrypt$n$r$p$sel$empreinte`` (base64); make
one with ``python -m console.acces ajouter FICHIER NOM`` (the password is asked,
never written in clear). The browser signs in once and keeps a cookie signed
with HMAC-SHA256; an API client sends HTTP Basic credentials. A password
checked once is remembered for the process by an HMAC of it, so that scrypt is
not paid at every API call.

A sign-in takes the same time whether the name exists or not (an unknown name's
password is checked against a hash of nothing), and repeated failures slow the
next attempts down (:class:`Freins`), per user name and per client address.
"""

from __future__ import annotations

import base64
import getpass
import hashlib
import hmac
import os
import secrets
import sys
import threading
import time
from collections import OrderedDict
from pathlib import Path

from engine.files import atomic_writer, write_new

N, R, P = 2**14, 8, 1
DUREE_SESSION = 12 * 3600  # seconds


class AccesError(Exception):
    """The users file cannot be read."""


class TropDEssais(Exception):
    """Too many failed sign-ins from this name or address: the next attempt waits ``attente`` seconds."""

    def __init__(self, attente: float):
        self.attente = max(1, int(attente + 0.999))
        quand = time.strftime("%H h %M min %S s", time.localtime(time.time() + self.attente))
        super().__init__(f"Trop d'essais de connexion manqués : réessayez dans {self.attente} seconde"
                         f"{'s' if self.attente > 1 else ''} (après {quand}).")


# After ESSAIS_LIBRES failures, each further attempt from the same name or address waits twice as long as
# the one before (1 s, 2 s, 4 s… up to ATTENTE_MAX); failures older than OUBLI are forgotten. The table keeps
# at most FREINS_MAX names and addresses, the least recently failed dropped first: bounded memory whatever
# an attacker sends.
ESSAIS_LIBRES = 5
ATTENTE_MAX = 300.0  # seconds
OUBLI = 900.0  # seconds
FREINS_MAX = 10_000


class Freins:
    """Failed sign-ins by user name and by client address, and how long each must wait before the next."""

    def __init__(self, horloge=time.monotonic):
        self.horloge = horloge
        self._echecs: OrderedDict[str, tuple[int, float]] = OrderedDict()  # key: (failures, time of the last)
        self._lock = threading.Lock()

    @staticmethod
    def _cles(nom: str, adresse: str) -> tuple[str, str]:
        return f"nom:{nom[:256]}", f"adresse:{adresse[:64]}"

    def attente(self, nom: str, adresse: str) -> float:
        """Seconds to wait before ``nom`` may try again from ``adresse`` (0: now)."""
        now = self.horloge()
        with self._lock:
            waits = [0.0]
            for key in self._cles(nom, adresse):
                count, last = self._echecs.get(key, (0, 0.0))
                if count >= ESSAIS_LIBRES and now - last < OUBLI:
                    waits.append(last + min(ATTENTE_MAX, 2.0 ** (count - ESSAIS_LIBRES)) - now)
            return max(waits)

    def echec(self, nom: str, adresse: str) -> None:
        now = self.horloge()
        with self._lock:
            for key in self._cles(nom, adresse):
                count, last = self._echecs.pop(key, (0, 0.0))
                self._echecs[key] = (count + 1 if now - last < OUBLI else 1, now)
            while len(self._echecs) > FREINS_MAX:
                self._echecs.popitem(last=False)

    def succes(self, nom: str) -> None:
        """The right password for ``nom``: its count starts again (the address's does not)."""
        with self._lock:
            self._echecs.pop(self._cles(nom, "")[0], None)


def hacher(mot_de_passe: str, sel: bytes | None = None) -> str:
    """``scrypt$n$r$p$sel$empreinte`` for a password."""
    sel = sel or os.urandom(16)
    digest = hashlib.scrypt(mot_de_passe.encode(), salt=sel, n=N, r=R, p=P, dklen=32)
    b64 = base64.b64encode
    return f"scrypt${N}${R}${P}${b64(sel).decode()}${b64(digest).decode()}"


def verifier_hache(mot_de_passe: str, hache: str) -> bool:
    try:
        kind, n, r, p, sel, digest = hache.split("$")
        if kind != "scrypt":
            return False
        computed = hashlib.scrypt(mot_de_passe.encode(), salt=base64.b64decode(sel), n=int(n), r=int(r), p=int(p),
                                  dklen=len(base64.b64decode(digest)))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(computed, base64.b64decode(digest))


def lire_utilisateurs(path: str | Path) -> dict[str, str]:
    """``{nom: hache}`` from the users file; blank lines and ``#`` comments are skipped."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise AccesError(f"{path}: fichier des utilisateurs illisible ({exc.strerror or exc})") from exc
    users = {}
    for number, line in enumerate(lines, 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, hashed = line.partition(":")
        if not sep or not name or not hashed.startswith("scrypt$") or hashed.count("$") != 5:
            raise AccesError(f"{path}, ligne {number} : attendu « nom:scrypt$… » (python -m console.acces ajouter)")
        users[name] = hashed
    if not users:
        raise AccesError(f"{path}: aucun utilisateur")
    return users


class Controle:
    """Access control of one server: who is known, and the key that signs their sessions."""

    def __init__(self, utilisateurs: dict[str, str] | None, cle: bytes):
        self.utilisateurs = utilisateurs  # None: open (loopback only)
        self.cle = cle
        self._verifies: dict[str, bytes] = {}
        self.freins = Freins()
        # Checked in place of an unknown name's hash, so that the answer takes as long as for a known name.
        self._leurre = hacher(secrets.token_hex(16)) if utilisateurs is not None else ""

    @property
    def ouvert(self) -> bool:
        return self.utilisateurs is None

    def verifier(self, nom: str, mot_de_passe: str, adresse: str = "?") -> bool:
        """Whether ``mot_de_passe`` is ``nom``'s; :class:`TropDEssais` if this name or ``adresse`` (the
        client's) must wait after repeated failures."""
        if self.utilisateurs is None:
            return False
        attente = self.freins.attente(nom, adresse)
        if attente > 0:
            raise TropDEssais(attente)
        tag = hmac.new(self.cle, f"{nom}\0{mot_de_passe}".encode(), hashlib.sha256).digest()
        if nom in self.utilisateurs and hmac.compare_digest(self._verifies.get(nom, b""), tag):
            return True  # checked before: only the right password finds its tag
        known = nom in self.utilisateurs
        # scrypt runs whether the name is known or not: the time of the answer does not tell which.
        good = verifier_hache(mot_de_passe, self.utilisateurs[nom] if known else self._leurre) and known
        if good:
            self._verifies[nom] = tag
            self.freins.succes(nom)
        else:
            self.freins.echec(nom, adresse)
        return good

    def jeton_session(self, nom: str) -> str:
        expires = int(time.time()) + DUREE_SESSION
        payload = f"{nom}|{expires}"
        signature = hmac.new(self.cle, payload.encode(), hashlib.sha256).hexdigest()
        return base64.urlsafe_b64encode(f"{payload}|{signature}".encode()).decode()

    def session(self, cookie: str | None) -> str | None:
        """The user a session cookie names, if its signature holds and it has not expired."""
        if not cookie or self.utilisateurs is None:
            return None
        try:
            nom, expires, signature = base64.urlsafe_b64decode(cookie.encode()).decode().rsplit("|", 2)
        except (ValueError, UnicodeDecodeError):
            return None
        expected = hmac.new(self.cle, f"{nom}|{expires}".encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, signature) or not expires.isdigit() or int(expires) < time.time():
            return None
        return nom if nom in self.utilisateurs else None

    def basic(self, header: str | None, adresse: str = "?") -> str | None:
        """The user of an HTTP Basic ``Authorization`` header, if the password is right (:class:`TropDEssais`
        after repeated failures)."""
        if not header or not header.lower().startswith("basic "):
            return None
        try:
            nom, _, mot_de_passe = base64.b64decode(header[6:].strip()).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return None
        return nom if self.verifier(nom, mot_de_passe, adresse) else None


def cle_partagee(journal: str | Path) -> bytes:
    """The key that signs sessions, kept beside the journal (``<journal>.cle``, mode 600): every worker
    process of one server shares it, and a restart keeps the sessions."""
    path = Path(str(journal) + ".cle")
    if not path.exists():  # the first worker makes it; the others read the same, whole
        write_new(path, secrets.token_hex(32).encode(), permissions=0o600)
    return bytes.fromhex(path.read_text().strip())


def _ajouter(fichier: str, nom: str) -> int:
    if ":" in nom or not nom.strip():
        print("nom invalide (ni vide, ni « : »)", file=sys.stderr)
        return 1
    mot = getpass.getpass(f"Mot de passe de {nom} : ")
    if len(mot) < 8 or mot != getpass.getpass("Encore une fois : "):
        print("mots de passe différents, ou de moins de 8 caractères", file=sys.stderr)
        return 1
    path = Path(fichier)
    lines = [ln for ln in (path.read_text(encoding="utf-8").splitlines() if path.exists() else [])
             if not ln.startswith(f"{nom}:")]
    lines.append(f"{nom}:{hacher(mot)}")
    with atomic_writer(path, permissions=0o600) as out:  # password hashes: never readable by others
        out.write("\n".join(lines) + "\n")
    print(f"{nom} ajouté à {path}")
    return 0


if __name__ == "__main__":  # pragma: no cover - an operator's tool
    if len(sys.argv) != 4 or sys.argv[1] != "ajouter":
        print("usage : python -m console.acces ajouter FICHIER NOM", file=sys.stderr)
        sys.exit(2)
    sys.exit(_ajouter(sys.argv[2], sys.argv[3]))
